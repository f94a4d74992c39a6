"""`nephrocohort report`: wrong input gives a sentence and a non-zero exit, never a traceback."""

import pytest
from tests.entry_point import run_main
from typer.testing import CliRunner

from nephrocohort.cli import app


def run_cli(monkeypatch, capsys, *args):
    return run_main(monkeypatch, capsys, "report", *args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "Unknown report format 'pdf'. Choose from: json, html, docx, xlsx"),
        (["--percentile-method", "excel"], "'percentile_method' must be one of spss, linear"),
        (["--normality", "ks"], "'normality_test' must be one of lilliefors, shapiro"),
        (["--data", "no/such/cohort"], "The cohort 'no/such/cohort' does not exist"),
    ],
)
def test_wrong_input_prints_the_problem_and_exits_2(monkeypatch, capsys, tmp_path, args, message):
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_output_path_that_is_a_file_is_refused(monkeypatch, capsys, tmp_path):
    target = tmp_path / "report"
    target.write_text("not a folder")
    code, _, err = run_cli(monkeypatch, capsys, "--out", str(target))
    assert code == 2
    assert "is a file; give a folder" in err


def test_help_lists_the_options():
    result = CliRunner().invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    out = result.stdout
    for option in (
        "--data",
        "--rule-set",
        "--out",
        "--format",
        "--percentile-method",
        "--normality",
    ):
        assert option in out


def _report_fixtures():
    """The hand-made analysis dataset of tests/report (loaded by path: tests/ is no package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "report" / "conftest.py"
    spec = importlib.util.spec_from_file_location("report_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_analysis_csv(frame, path):
    from nephrocohort.cohort import write_analysis_csv

    write_analysis_csv(frame, path)
    return path


def test_analysis_dataset_csv_is_reported_as_recorded(monkeypatch, capsys, tmp_path):
    import json

    make_analysis = _report_fixtures().make_analysis
    partial = make_analysis().drop(columns=["days_to_crf", "crf_observed"])
    # P7 and P8 (not analysed) carry an age the importer rejects as implausible; keep them valid
    partial["age_at_diagnosis_months"] = partial["age_at_diagnosis_months"].clip(upper=200)
    data = _write_analysis_csv(partial, tmp_path / "legacy.csv")
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        monkeypatch, capsys, "--data", str(data), "--out", str(out), "--format", "json,html"
    )
    assert code == 0, err
    assert "Report of 6 patients" in stdout
    records = {r["id"]: r for r in json.loads((out / "results.json").read_text())}
    assert records["sex.male"]["n"] == 3  # hand count on P1-P6, as in tests/report
    assert records["km.crf"]["n"] == 0  # the absent variables give no data
    run = records["report.run"]
    assert any("days_to_crf, crf_observed" in note for note in run["notes"])
    assert "read as recorded in an analysis-dataset file" in run["methods"]
    assert (out / "report.html").exists()


def test_quickstart_command_writes_the_demo_report(monkeypatch, capsys, tmp_path):
    """The README's `nephrocohort report --out report`, on the embedded demo cohort."""
    import json

    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(monkeypatch, capsys, "--out", "report")
    assert code == 0, err
    assert "Report of 26 patients (rule set 'study')" in stdout
    assert "Loading the embedded demo cohort" in err  # progress is shown
    written = sorted(path.name for path in (tmp_path / "report").iterdir())
    assert written == ["report.docx", "report.html", "report.xlsx", "results.json"]
    records = json.loads((tmp_path / "report" / "results.json").read_text(encoding="utf-8"))
    assert next(r for r in records if r["id"] == "cohort.n")["n"] == 26  # the seed's 26 records


def test_json_into_a_folder_with_an_older_report_removes_it_and_says_so(
    monkeypatch, capsys, tmp_path
):
    frame = _report_fixtures().make_analysis().iloc[:6]  # P1-P6: valid for the importer
    data = _write_analysis_csv(frame, tmp_path / "legacy.csv")
    out = tmp_path / "out"
    code, _, err = run_cli(monkeypatch, capsys, "--data", str(data), "--out", str(out))
    assert code == 0, err
    code, stdout, err = run_cli(
        monkeypatch, capsys, "--data", str(data), "--out", str(out), "--format", "json"
    )
    assert code == 0, err
    assert sorted(path.name for path in out.iterdir()) == ["results.json"]
    for name in ("report.html", "report.docx", "report.xlsx"):
        assert f"Removing {name} of an earlier run" in err
    assert str(out / "results.json") in stdout
