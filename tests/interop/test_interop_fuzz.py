"""Property-based tests: every importer either succeeds completely or raises a clear error.

Whatever bytes arrive, an importer must not crash with a Python error and
must not leave a partial output behind.
"""

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from interop_synthetic import synthetic_tables

from nephrocohort.exceptions import NephroCohortError
from nephrocohort.interop import (
    import_fhir,
    import_redcap,
    import_table,
    read_analysis_csv,
    redcap_records,
)
from nephrocohort.interop._readers import read_table_file

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "M",
            "F",
            "Masculino",
            "FSGS",
            "GEFS",
            "si",
            "no",
            "1,5",
            "1,250",
            "2.5",
            "25/12/2011",
            "03/04/2012",
            "2012-02-30",
            "2012-05-06",
            "-3",
            "1e9",
            "NaN",
            "ñandú",
            '"',
            ";",
            ",",
            "\n",
        ]
    ),
)
_MAPPING = {
    "columns": {
        "ID": {"variable": "patient_id"},
        "Sexo": {"variable": "sex", "codes": {"Masculino": "M"}},
        "Histologia": {"variable": "histology", "codes": {"GEFS": "FSGS"}},
        "Inicio": {"variable": "onset_date"},
        "Recaidas": {"variable": "relapses_per_year_before"},
        "HTA": {"variable": "onset_hypertension"},
    }
}


def _outcome(call, out: Path, check) -> None:
    try:
        call()
    except NephroCohortError as error:
        assert str(error)
        assert not out.exists(), "a failed import left output behind"
        if out.parent.exists():
            assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]
    else:
        check(out)


@FUZZ
@given(
    rows=st.lists(st.lists(_cell, min_size=6, max_size=6), max_size=6),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    separator=st.sampled_from([",", ";"]),
)
def test_legacy_sheet_import_never_crashes(rows, encoding, separator):
    frame = pd.DataFrame(rows, columns=["ID", "Sexo", "Histologia", "Inicio", "Recaidas", "HTA"])
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / "sheet.csv"
        try:
            sheet.write_bytes(frame.to_csv(index=False, sep=separator).encode(encoding))
        except UnicodeEncodeError:
            return
        out = Path(folder) / "out" / "analysis.csv"
        _outcome(
            lambda: import_table(sheet, mapping=_MAPPING, out=out),
            out,
            lambda path: read_analysis_csv(path),
        )


@FUZZ
@given(data=st.binary(max_size=300))
@example(data=b"\r\x01")  # a lone carriage return once broke the header reader
def test_table_reader_never_crashes_on_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(data)
        try:
            table = read_table_file(path)
        except NephroCohortError as error:
            assert str(error)
        else:
            assert isinstance(table.frame, pd.DataFrame)


@pytest.mark.slow
@FUZZ
@given(changes=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 60), _cell), max_size=4))
def test_redcap_import_never_crashes(changes):
    records = redcap_records(synthetic_tables())
    for row, column, value in changes:
        records.iat[row % len(records), column % len(records.columns)] = value
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "records.csv"
        records.to_csv(source, index=False)
        out = Path(folder) / "bundle"
        from nephrocohort.cohort import load_bundle

        _outcome(lambda: import_redcap(source, out), out, load_bundle)


_json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_resource = st.one_of(
    st.fixed_dictionaries(
        {
            "resourceType": st.sampled_from(
                ["Patient", "Observation", "MedicationStatement", "Condition", "Encounter"]
            )
        },
        optional={
            "id": st.text(min_size=1, max_size=5),
            "gender": st.sampled_from(["male", "x"]),
            "birthDate": st.sampled_from(["2012-01-01", "2012", "bad"]),
            "subject": st.just({"reference": "Patient/a"}),
            "status": st.just("final"),
            "code": _json_value,
            "valueQuantity": _json_value,
        },
    ),
    st.dictionaries(st.text(max_size=6), _json_value, max_size=3),
)


@FUZZ
@given(lines=st.lists(st.one_of(_resource.map(json.dumps), st.text(max_size=20)), max_size=5))
def test_fhir_ndjson_import_never_crashes(lines):
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "export.ndjson"
        source.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8")
        out = Path(folder) / "bundle"
        from nephrocohort.cohort import load_bundle

        _outcome(lambda: import_fhir(source, out), out, load_bundle)
