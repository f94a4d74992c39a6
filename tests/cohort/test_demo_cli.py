"""``nephrocohort demo``: the embedded demo bundle, or a generated cohort of any size."""

from __future__ import annotations

import pytest
from tests.entry_point import run_main

from nephrocohort.cohort import load_bundle
from nephrocohort.cohort.demo import demo_bundle_path


def test_demo_writes_the_shipped_bundle(monkeypatch, capsys, tmp_path):
    out = tmp_path / "demo"
    code, stdout, _ = run_main(monkeypatch, capsys, "demo", "--out", str(out))
    assert code == 0
    assert "26 synthetic patients" in stdout
    for shipped in demo_bundle_path().glob("*.csv"):
        assert (out / shipped.name).read_bytes() == shipped.read_bytes()
    assert load_bundle(out).n_patients == 26


def test_demo_with_patients_writes_a_generated_cohort(monkeypatch, capsys, tmp_path):
    code, stdout, _ = run_main(
        monkeypatch, capsys, "demo", "--patients", "30", "--seed", "4", "--out", str(tmp_path)
    )
    assert code == 0
    assert "patients 30" in stdout and "as CSV to" in stdout
    assert load_bundle(tmp_path).n_patients == 30
    assert not list(tmp_path.glob("*.parquet"))


def test_demo_parquet_flag_adds_parquet_files(monkeypatch, capsys, tmp_path):
    code, stdout, _ = run_main(
        monkeypatch, capsys, "demo", "--patients", "12", "--parquet", "--out", str(tmp_path)
    )
    assert code == 0
    assert "as Parquet" in stdout
    assert (tmp_path / "parquet" / "labs.parquet").exists() and (tmp_path / "labs.csv").exists()


def test_same_seed_writes_the_same_files(monkeypatch, capsys, tmp_path):
    for folder in ("a", "b"):
        run_main(
            monkeypatch, capsys, "demo", "--patients", "8", "--seed", "9",
            "--out", str(tmp_path / folder),
        )  # fmt: skip
    for name in ("patients.csv", "labs.csv", "medications.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--patients", "0"], "between 1 and 2,000,000"),
        (["--seed", "3"], "apply to generated cohorts only"),
        (["--parquet"], "apply to generated cohorts only"),
    ],
)
def test_wrong_options_print_what_was_wrong(monkeypatch, capsys, tmp_path, args, message):
    code, _, stderr = run_main(monkeypatch, capsys, "demo", *args, "--out", str(tmp_path / "x"))
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_out_that_is_a_file_is_refused(monkeypatch, capsys, tmp_path):
    target = tmp_path / "patients.csv"
    target.write_text("x", encoding="utf-8")
    code, _, stderr = run_main(monkeypatch, capsys, "demo", "--out", str(target))
    assert code == 2
    assert "is a file, not a folder" in stderr


def test_out_in_a_missing_folder_is_refused(monkeypatch, capsys, tmp_path):
    code, _, stderr = run_main(monkeypatch, capsys, "demo", "--out", str(tmp_path / "no" / "d"))
    assert code == 2
    assert "does not exist" in stderr
