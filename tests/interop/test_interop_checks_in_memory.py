"""Importers check their tables in memory and write only the final bundle (issue 9).

Before issue 9 the FHIR, REDCap and OMOP importers wrote the converted tables
as CSV files in a scratch folder and read them back to validate them. The
watch is the ``disk_use`` fixture (tests/conftest.py: Python's PEP 578 audit
hook, which sees every ``open()``, ``os.open``, new folder, rename and
temporary file). Each import below is watched whole: on bad input nothing at
all is written; on good input the only things written are the staging folder
next to the output and its move into place (no scratch folder anywhere).
The last test checks that the watch sees a scratch folder when there is one.
"""

import contextlib
import dataclasses
import json
import tempfile
from pathlib import Path

import pytest
from interop_synthetic import synthetic_tables

import nephrocohort
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import import_fhir, import_redcap, redcap_records
from nephrocohort.interop._bundle_io import write_bundle_folder

EXAMPLE = Path(nephrocohort.__file__).parent / "data" / "examples" / "fhir_bundle.json"


def _only_the_output(writes, out: Path):
    """Every change is inside the staging folder of ``out`` (or is ``out``, the move).

    ``mkdir(exist_ok=True)`` of the folder that holds ``out`` raises an event
    even though the folder is there: that one is allowed.
    """
    staging = str(out.parent / f".{out.name}.partial-")
    strays = [
        (event, path)
        for event, path in writes
        if not (path.startswith(staging) or path == str(out))
        and (event, path) != ("os.mkdir", str(out.parent))
    ]
    assert writes, "the import wrote nothing: the watch is not watching"
    assert strays == []
    assert out.is_dir()
    assert not list(out.parent.glob(f".{out.name}.partial-*"))


def _fhir_patient(pid="P1", birth="2012-03-04"):
    return {"resourceType": "Patient", "id": pid, "gender": "female", "birthDate": birth}


def _ndjson(folder: Path, resources) -> Path:
    path = folder / "export.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    return path


class TestFhir:
    @pytest.fixture(autouse=True)
    def _imports_done(self, tmp_path_factory):
        """Lazy imports open module files: one import of each kind runs before the watch."""
        folder = tmp_path_factory.mktemp("warm")
        import_fhir(EXAMPLE, folder / "bundle")
        with pytest.raises(CohortValidationError):
            import_fhir(_ndjson(folder, [_fhir_patient(birth="2099-01-01")]), folder / "bad")

    def test_a_good_bundle_writes_only_its_output(self, tmp_path, disk_use):
        out = tmp_path / "bundle"
        result, disk = disk_use(import_fhir, EXAMPLE, out)
        assert result.row_counts["patients"] == 3
        _only_the_output(disk_use.writes(disk), out)

    def test_a_birth_date_in_the_future_is_refused_without_writing(self, tmp_path, disk_use):
        path = _ndjson(tmp_path, [_fhir_patient(birth="2099-01-01")])
        with pytest.raises(CohortValidationError) as caught:
            disk_use(import_fhir, path, tmp_path / "out")
        (problem,) = caught.value.problems
        assert (problem.code, problem.table, problem.column) == (
            "future_date",
            "patients",
            "birth_date",
        )
        assert problem.source == "export.ndjson, Patient/P1"
        disk = _watched_again(disk_use, import_fhir, path, tmp_path / "out")
        assert disk_use.writes(disk) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["export.ndjson"]

    def test_a_problem_found_while_reading_is_also_checked_in_memory(self, tmp_path, disk_use):
        # A year-only birth date is found while converting; the rest is checked, not written.
        path = _ndjson(tmp_path, [_fhir_patient("P1", birth="2014"), _fhir_patient("P2")])
        disk = _watched_again(disk_use, import_fhir, path, tmp_path / "out")
        assert disk_use.writes(disk) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["export.ndjson"]


def _watched_again(disk_use, function, *args):
    """The disk events of a call that raises CohortValidationError."""

    def call():
        try:
            function(*args)
        except CohortValidationError:
            return
        raise AssertionError("the call was expected to be refused")

    return disk_use(call)[1]


class TestRedcap:
    @pytest.fixture
    def records(self, tmp_path):
        tables = synthetic_tables()
        tables["patients"] = tables["patients"].drop(columns="nickname")
        frame = redcap_records(tables)
        frame.to_csv(tmp_path / "records.csv", index=False)
        # Lazy imports open module files: one import runs before the watch.
        import_redcap(tmp_path / "records.csv", tmp_path.parent / f"{tmp_path.name}-warm")
        return frame

    def test_good_records_write_only_their_output(self, records, tmp_path, disk_use):
        out = tmp_path / "bundle"
        result, disk = disk_use(import_redcap, tmp_path / "records.csv", out)
        assert result.row_counts["patients"] == 3
        _only_the_output(disk_use.writes(disk), out)

    def test_a_bad_value_is_refused_without_writing(self, records, tmp_path, disk_use):
        records.loc[records.record_id == "HOSP-002", "birth_date"] = "2099-06-30"
        records.to_csv(tmp_path / "records.csv", index=False)
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(tmp_path / "records.csv", tmp_path / "out")
        first = caught.value.problems[0]  # the others: the patient's records before birth
        assert (first.code, first.column, first.value) == (
            "future_date",
            "birth_date",
            "2099-06-30",
        )
        assert (first.source, first.table) == ("records.csv", "patients")
        disk = _watched_again(disk_use, import_redcap, tmp_path / "records.csv", tmp_path / "out")
        assert disk_use.writes(disk) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["records.csv"]

    def test_a_problem_found_while_reading_is_also_checked_in_memory(
        self, records, tmp_path, disk_use
    ):
        # A day-first date is found while reading the records; the rest is checked, not written.
        records.loc[records.record_id == "HOSP-002", "birth_date"] = "30/06/2012"
        records.to_csv(tmp_path / "records.csv", index=False)
        disk = _watched_again(disk_use, import_redcap, tmp_path / "records.csv", tmp_path / "out")
        assert disk_use.writes(disk) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["records.csv"]


class TestOmop:
    """The database is read once; the watch covers the check (and the writing) of its tables."""

    @pytest.fixture(scope="class")
    def extract(self, tmp_path_factory):
        pytest.importorskip("duckdb", reason="the omop extra (duckdb) is not installed")
        pytest.importorskip("ibis", reason="the omop extra (ibis-framework) is not installed")
        from nephrocohort.cohort.synthetic import generate_synthetic
        from nephrocohort.interop import extract_omop, write_synthetic_omop

        path = tmp_path_factory.mktemp("omop") / "cdm.duckdb"
        write_synthetic_omop(path, generate_synthetic(6, seed=7), background_persons=10, seed=3)
        return extract_omop(f"duckdb:///{path}")

    @pytest.fixture
    def serve(self, monkeypatch):
        from nephrocohort.interop import _omop_read

        def serve(extract):
            monkeypatch.setattr(_omop_read, "extract_omop", lambda *args, **kwargs: extract)
            # Lazy imports open module files: one check runs before the watch.
            with contextlib.suppress(CohortValidationError):
                _omop_read.read_omop_checked("duckdb:///cdm.duckdb")
            return _omop_read

        return serve

    def test_the_cohort_is_read_without_touching_the_disk(self, extract, serve, disk_use):
        omop = serve(extract)
        (cohort, _warnings, _), disk = disk_use(omop.read_omop_checked, "duckdb:///cdm.duckdb")
        assert cohort.n_patients == len(extract.tables["patients"])
        assert disk == []

    def test_an_import_writes_only_its_output(self, extract, serve, tmp_path, disk_use):
        omop = serve(extract)
        out = tmp_path / "bundle"
        result, disk = disk_use(omop.import_omop, "duckdb:///cdm.duckdb", out)
        assert result.row_counts["patients"] == len(extract.tables["patients"])
        _only_the_output(disk_use.writes(disk), out)

    def test_a_bad_value_is_refused_without_writing(self, extract, serve, tmp_path, disk_use):
        patients = extract.tables["patients"].copy()
        patients.loc[patients.index[0], "sex"] = "X"
        omop = serve(dataclasses.replace(extract, tables={**extract.tables, "patients": patients}))
        with pytest.raises(CohortValidationError) as caught:
            omop.read_omop_checked("duckdb:///cdm.duckdb")
        assert [(p.code, p.table, p.row, p.column) for p in caught.value.problems] == [
            ("unknown_code", "patients", 2, "sex")
        ]
        assert caught.value.source == "duckdb:///cdm.duckdb"
        disk = _watched_again(disk_use, omop.import_omop, "duckdb:///cdm.duckdb", tmp_path / "o")
        assert disk_use.writes(disk) == []
        assert list(tmp_path.iterdir()) == []


def test_the_watch_sees_a_scratch_folder(disk_use):
    """What the importers did before issue 9: tables written to a scratch folder to be read."""

    def through_scratch():
        with tempfile.TemporaryDirectory() as scratch:
            write_bundle_folder(synthetic_tables(), Path(scratch))

    _, disk = disk_use(through_scratch)
    events = {event for event, _ in disk_use.writes(disk)}
    assert {"tempfile.mkdtemp", "open", "shutil.rmtree"} <= events
