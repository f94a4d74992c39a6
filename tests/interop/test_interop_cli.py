"""The interop commands: thin shells that write files and report plain errors."""

import pandas as pd
import pyreadstat
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.interop import REDCAP_DICTIONARY_HEADERS

runner = CliRunner()


def test_export_analysis_csv_to_spss_with_labels(analysis, tmp_path):
    source = tmp_path / "analysis.csv"
    analysis.to_csv(source, index=False)
    result = runner.invoke(
        app,
        [
            "export",
            "--data",
            str(source),
            "--format",
            "spss",
            "--out",
            str(tmp_path / "sav"),
            "--seed",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "De-identified" in result.output
    frame, meta = pyreadstat.read_sav(tmp_path / "sav" / "analysis.sav")
    assert meta.column_names_to_labels["response_month1"] == "Response at one month of MMF"
    assert len(frame) == 3
    assert (tmp_path / "sav-KEY.csv").exists()


def test_export_identifiable_only_when_asked(analysis, tmp_path):
    source = tmp_path / "analysis.csv"
    analysis.to_csv(source, index=False)
    result = runner.invoke(
        app,
        [
            "export",
            "--data",
            str(source),
            "--format",
            "csv",
            "--out",
            str(tmp_path / "csv"),
            "--identifiable",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "IDENTIFIABLE" in result.output
    assert set(pd.read_csv(tmp_path / "csv" / "analysis.csv")["patient_id"]) == {
        "HOSP-001",
        "HOSP-002",
        "HOSP-003",
    }


def test_export_stata_version_option(analysis, tmp_path):
    source = tmp_path / "analysis.csv"
    analysis.to_csv(source, index=False)
    for option, release in (([], b"\x73"), (["--stata-version", "14"], b"<release>118")):
        out = tmp_path / f"dta{len(option)}"
        arguments = ["export", "--data", str(source), "--format", "stata", "--out", str(out)]
        result = runner.invoke(app, [*arguments, "--seed", "5", *option])
        assert result.exit_code == 0, result.output
        assert release in (out / "analysis.dta").read_bytes()[:40]
    result = runner.invoke(
        app,
        ["export", "--data", str(source), "--format", "stata", "--out", str(tmp_path / "x")]
        + ["--stata-version", "9"],
    )
    assert result.exit_code == 1
    assert "Stata version 9 is not supported" in str(result.exception)


def test_cli_default_stata_version_is_the_writers_default():
    import inspect

    from nephrocohort.cli._interop import export
    from nephrocohort.interop._stat_files import DEFAULT_STATA_VERSION

    default = inspect.signature(export).parameters["stata_version"].default
    assert default == DEFAULT_STATA_VERSION


def test_redcap_dictionary_command_writes_exact_headers(tmp_path):
    result = runner.invoke(app, ["redcap", "dictionary", "--out", str(tmp_path / "dd.csv")])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "dd.csv", dtype=str)
    assert tuple(frame.columns) == REDCAP_DICTIONARY_HEADERS


def test_legacy_sheet_gets_the_full_report(tmp_path):
    """A group with only its old spreadsheet: import-table, then report on the analysis CSV."""
    import json
    from pathlib import Path

    import nephrocohort

    examples = Path(nephrocohort.__file__).parent / "data" / "examples"
    result = runner.invoke(
        app,
        [
            "import-table",
            str(examples / "legacy_sheet.csv"),
            "--mapping",
            str(examples / "legacy_mapping.yaml"),
            "--out",
            str(tmp_path / "analysis.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "report",
            "--data",
            str(tmp_path / "analysis.csv"),
            "--out",
            str(tmp_path / "rep"),
            "--format",
            "json,html",
        ],
    )
    assert result.exit_code == 0, result.output
    items = json.loads((tmp_path / "rep" / "results.json").read_text())
    items = items["items"] if isinstance(items, dict) else items
    by_id = {item["id"]: item for item in items}
    assert by_id["cohort.n"]["n"] == 14
    assert (tmp_path / "rep" / "report.html").exists()


def test_suggest_mapping_command_prints_a_draft(tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("Sexo,Histologia\nF,GEFS\n", encoding="utf-8")
    result = runner.invoke(app, ["import-table", "--suggest-mapping", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "variable: sex" in result.output


def test_import_fhir_groups_what_was_not_imported(tmp_path):
    from pathlib import Path

    export = Path(__file__).parent / "data" / "fhir" / "hl7-r4"
    result = runner.invoke(app, ["import-fhir", str(export), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    headers = [
        line.strip() for line in lines if line.startswith("  ") and line.strip()[-2:] == "):"
    ]
    assert headers == [
        "Data the data model uses, but not usable as sent (2):",
        "Records that say they did not happen, by their status (5):",
        "Not part of the data model (3):",
    ]
    assert "    - Observation with status 'cancelled' (it did not happen as recorded) (x2)" in lines
