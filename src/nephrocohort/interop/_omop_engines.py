"""The synthetic OMOP tables loaded into a server engine (PostgreSQL), for tests and benchmarks.

The same tables ``demo --format omop`` writes to DuckDB, written into one schema of a
PostgreSQL database with ``COPY`` (fast enough for the 100,000-person benchmark); the
column types are those DuckDB gets, so every engine reads the same values.
"""

from __future__ import annotations

import io

import pandas as pd

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._omop_write import _storable

__all__ = ["write_postgres"]


def _sql_type(column: str, series: pd.Series) -> str:
    if column.endswith("_date") or pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    return "text"


def write_postgres(tables: dict[str, pd.DataFrame], url: str, *, schema: str = "cdm") -> dict:
    """Create ``schema`` in the PostgreSQL database at ``url`` and COPY every table into it.

    Returns rows per table. The schema must not exist yet (nothing is overwritten).
    """
    import psycopg

    try:
        connection = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
    except psycopg.Error as error:
        raise InteropError("omop.cannot_connect", url=url, reason=str(error)) from None
    counts = {}
    with connection, connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        for name, frame in tables.items():
            frame = _storable(frame)
            columns = ", ".join(f'"{c}" {_sql_type(c, frame[c])}' for c in frame.columns)
            cursor.execute(f'CREATE TABLE "{schema}"."{name}" ({columns})')
            text = io.StringIO()
            dated = frame.copy()
            for column in dated.columns:
                if pd.api.types.is_datetime64_any_dtype(dated[column]):
                    dated[column] = dated[column].dt.strftime("%Y-%m-%d")
            dated.to_csv(text, index=False, header=False, na_rep="")
            text.seek(0)
            quoted = ", ".join(f'"{c}"' for c in frame.columns)
            with cursor.copy(
                f'COPY "{schema}"."{name}" ({quoted}) FROM STDIN (FORMAT csv)'
            ) as copy:
                while chunk := text.read(1 << 20):
                    copy.write(chunk)
            counts[name] = len(frame)
    return counts
