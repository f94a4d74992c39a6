"""The pipeline's run_report writes all its files or none, and never leaves another run's files beside them."""

import json

import pytest

from nephrocohort.pipeline import run_report
from nephrocohort.report import FILE_NAMES, RENDERERS


@pytest.fixture
def analysis_csv(tmp_path, analysis):
    from nephrocohort.cohort import write_analysis_csv

    path = tmp_path / "analysis.csv"
    write_analysis_csv(analysis.iloc[:6], path)  # P7/P8 carry deliberately impossible ages
    return path


def test_json_run_removes_report_files_of_an_earlier_run(tmp_path, analysis_csv):
    out = tmp_path / "out"
    run_report(data=analysis_csv, out_dir=out, formats="json,html")
    (out / "report.docx").write_bytes(b"from a run of another cohort")
    (out / "my-notes.txt").write_text("not a report file")
    run = run_report(data=analysis_csv, out_dir=out, formats="json")
    assert sorted(p.name for p in out.iterdir()) == ["my-notes.txt", "results.json"]
    assert run.files == {"json": out / "results.json"}
    assert json.loads((out / "results.json").read_text())[0]["id"] == "report.run"


def test_a_failed_write_leaves_the_earlier_report_untouched(
    tmp_path, analysis, analysis_csv, monkeypatch
):
    from nephrocohort.cohort import write_analysis_csv

    out = tmp_path / "out"
    run_report(data=analysis_csv, out_dir=out, formats="json,html")
    other = tmp_path / "other.csv"  # another cohort: 4 patients
    write_analysis_csv(analysis.iloc[:4], other)
    before = {name: (out / name).read_bytes() for name in ("results.json", "report.html")}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setitem(RENDERERS, "xlsx", broken)
    with pytest.raises(OSError, match="disk full"):
        run_report(data=other, out_dir=out, formats="json,xlsx")
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.json"]
    assert {name: (out / name).read_bytes() for name in before} == before


def test_a_failed_first_run_leaves_no_folder(tmp_path, analysis_csv, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setitem(RENDERERS, "json", broken)
    with pytest.raises(OSError):
        run_report(data=analysis_csv, out_dir=tmp_path / "new", formats="json")
    assert not (tmp_path / "new").exists()


def test_file_names_cover_every_format():
    assert set(FILE_NAMES) == {"json", "html", "docx", "xlsx"}
