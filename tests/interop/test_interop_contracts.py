"""The interop vocabulary stays in step with the cohort contract and the derivation."""

import pandas as pd
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.cohort import load_bundle
from nephrocohort.cohort import vocabulary as vocab
from nephrocohort.cohort.contract import LAB_DERIVED_COLUMNS, TABLES
from nephrocohort.interop import RAW_TABLES
from nephrocohort.interop._readers import read_table_file

runner = CliRunner()


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns="source_row")
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def test_raw_table_columns_are_the_contract_columns():
    for table, variables in RAW_TABLES.items():
        contract = set(TABLES[table].column_names)
        described = {v.name for v in variables} - set(LAB_DERIVED_COLUMNS)
        assert described == contract, table


def test_codes_match_the_cohort_vocabulary():
    expected = {
        ("patients", "sex"): vocab.SEX,
        ("biopsies", "histology"): vocab.HISTOLOGY,
        ("medications", "drug"): vocab.DRUGS,
        ("medications", "dose_unit"): vocab.DOSE_UNITS,
        ("medications", "schedule"): vocab.SCHEDULES,
        ("events", "event"): vocab.EVENTS,
        ("genetics", "classification"): vocab.GENETIC_CLASSIFICATION,
        ("labs", "test"): tuple(vocab.LAB_TESTS),
        ("patients", "hbv"): vocab.SEROLOGY,
        ("patients", "edema_at_onset"): vocab.YES_NO_UNKNOWN,
        ("visits", "edema"): vocab.YES_NO,
    }
    for (table, column), codes in expected.items():
        variable = next(v for v in RAW_TABLES[table] if v.name == column)
        assert variable.codes == tuple(codes), (table, column)


def test_large_csv_is_read_in_chunks_with_progress(tmp_path):
    path = tmp_path / "big.csv"
    rows = 120_000
    pd.DataFrame({"ID": [f"P{i}" for i in range(rows)], "x": range(rows)}).to_csv(path, index=False)
    calls = []
    table = read_table_file(path, progress=lambda done, total: calls.append((done, total)))
    assert len(table.frame) == rows
    assert len(calls) > 1 and calls[-1][0] == path.stat().st_size


class TestCommands:
    def test_export_bundle_and_redcap_from_a_bundle(self, tmp_path):
        from test_interop_fhir import EXAMPLE

        from nephrocohort.interop import import_fhir

        import_fhir(EXAMPLE, tmp_path / "bundle")
        result = runner.invoke(
            app,
            [
                "export",
                "--data",
                str(tmp_path / "bundle"),
                "--format",
                "bundle",
                "--out",
                str(tmp_path / "shared"),
                "--seed",
                "1",
            ],
        )
        assert result.exit_code == 0, result.output
        shared = load_bundle(tmp_path / "shared")
        assert shared.n_patients == 3
        assert not set(shared.patients["patient_id"]) & {"SYN-001", "SYN-002", "SYN-003"}

        result = runner.invoke(
            app,
            [
                "export",
                "--data",
                str(tmp_path / "bundle"),
                "--format",
                "redcap",
                "--out",
                str(tmp_path / "rc"),
                "--identifiable",
            ],
        )
        assert result.exit_code == 0, result.output
        result = runner.invoke(
            app,
            [
                "import-redcap",
                str(tmp_path / "rc" / "redcap_records.csv"),
                "--out",
                str(tmp_path / "back"),
            ],
        )
        assert result.exit_code == 0, result.output
        original, back = load_bundle(tmp_path / "bundle"), load_bundle(tmp_path / "back")
        # REDCap groups rows by record, so rows come back grouped by patient: compare as
        # sets of rows (source_row is the position in the file and changes with the order).
        for name in ("patients", "labs", "medications", "visits", "biopsies", "events"):
            pd.testing.assert_frame_equal(
                _rows(original.tables[name]), _rows(back.tables[name]), obj=name
            )

    def test_bad_input_exits_non_zero_without_traceback(self, tmp_path):
        sheet = tmp_path / "s.csv"
        sheet.write_text("ID,Sexo\nA1,X\n")
        mapping = tmp_path / "m.yaml"
        mapping.write_text("columns:\n  ID: {variable: patient_id}\n  Sexo: {variable: sex}\n")
        import subprocess
        import sys

        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from nephrocohort.cli import main; main()",
                "import-table",
                str(sheet),
                "--mapping",
                str(mapping),
                "--out",
                str(tmp_path / "o.csv"),
            ],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "s.csv row 2, column 'Sexo' (sex): 'X' is not a code of sex" in done.stderr
        assert not (tmp_path / "o.csv").exists()
