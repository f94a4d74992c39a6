"""One Ibis selection, three engines (issue 15 Done-when): the phenotype and the extraction
run inside DuckDB, PostgreSQL and Spark (local mode), and give the same bundle tables and the
same attrition counts from the same OMOP rows.

PostgreSQL: a server on 127.0.0.1:5432 (trust auth, user postgres); the test creates its own
database and drops it. Spark: PySpark and a JVM (``java`` on PATH). Each skips with the reason
when its engine is missing.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pandas as pd
import pytest

pytest.importorskip("ibis", reason="ibis-framework is not installed")
pytest.importorskip("duckdb", reason="duckdb is not installed")

from nephrocohort.cohort.synthetic import generate_synthetic  # noqa: E402
from nephrocohort.interop import extract_omop  # noqa: E402
from nephrocohort.interop._omop_background import background_tables  # noqa: E402
from nephrocohort.interop._omop_engines import write_postgres  # noqa: E402
from nephrocohort.interop._omop_write import _storable, cohort_to_omop, write_duckdb  # noqa: E402

PATIENTS = 25
BACKGROUND = 200
SERVER = os.environ.get("NEPHROCOHORT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture(scope="module")
def omop_tables():
    cohort = generate_synthetic(PATIENTS, seed=4)
    return cohort, cohort_to_omop(cohort, background=background_tables(BACKGROUND, seed=2))


@pytest.fixture(scope="module")
def on_duckdb(omop_tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("engines") / "cdm.duckdb"
    write_duckdb(omop_tables[1], path)
    return extract_omop(f"duckdb:///{path}")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as text (dates as YYYY-MM-DD, every kind of missing as ''), rows sorted."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            text = series.dt.strftime("%Y-%m-%d")
        else:
            text = series.map(
                lambda v: "" if pd.isna(v) else repr(v) if isinstance(v, float) else str(v)
            )
        out[column] = text.fillna("").astype(str)
    return out.sort_values(list(out.columns), kind="stable").reset_index(drop=True)


def _assert_same(extract, reference):
    assert [(s.step, s.persons) for s in extract.attrition] == [
        (s.step, s.persons) for s in reference.attrition
    ]
    assert set(extract.tables) == set(reference.tables)
    for name, frame in reference.tables.items():
        pd.testing.assert_frame_equal(_plain(extract.tables[name]), _plain(frame), obj=name)
    assert sorted(m.text for m in extract.not_imported) == sorted(
        m.text for m in reference.not_imported
    )


def test_duckdb_selects_every_ns_patient(omop_tables, on_duckdb):
    truth = set(omop_tables[0].patients["patient_id"])
    assert truth <= set(on_duckdb.tables["patients"]["patient_id"])


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def postgres_url():
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    try:
        admin = psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        pytest.skip(f"no PostgreSQL server at {SERVER}: {error}")
    name = f"nephrocohort_omop_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_postgresql_gives_the_same_extract(omop_tables, on_duckdb, postgres_url):
    write_postgres(omop_tables[1], postgres_url, schema="cdm")
    extract = extract_omop(postgres_url, cdm_schema="cdm")
    _assert_same(extract, on_duckdb)


@pytest.mark.postgres
def test_postgresql_url_names_the_schema(omop_tables, on_duckdb, postgres_url):
    write_postgres(omop_tables[1], postgres_url, schema="omop54")
    extract = extract_omop(f"{postgres_url}?cdm_schema=omop54")
    assert extract.attrition == on_duckdb.attrition


# -- Spark (local mode) ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (the omop extra)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no JVM: Spark local mode needs java on PATH or JAVA_HOME")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("nephrocohort-omop-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    yield session
    session.stop()


def _spark_frame(spark, frame: pd.DataFrame):
    """A Spark DataFrame with the column types DuckDB gets (given: an empty table has no rows
    to infer them from)."""
    from pyspark.sql import types

    frame = _storable(frame)
    fields = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            kind = types.TimestampType()
        elif pd.api.types.is_bool_dtype(series):
            kind = types.BooleanType()
        elif pd.api.types.is_integer_dtype(series):
            kind = types.LongType()
        elif pd.api.types.is_float_dtype(series):
            kind = types.DoubleType()
        else:
            kind = types.StringType()
        fields.append(types.StructField(column, kind, True))
    return spark.createDataFrame(frame, schema=types.StructType(fields))


@pytest.mark.slow
@pytest.mark.spark
def test_spark_local_mode_gives_the_same_extract(omop_tables, on_duckdb, spark):
    import ibis

    for name, frame in omop_tables[1].items():
        _spark_frame(spark, frame).createOrReplaceTempView(name)
    extract = extract_omop(ibis.pyspark.connect(spark))
    _assert_same(extract, on_duckdb)
