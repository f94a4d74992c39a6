"""`validate`, `derive` and `report --data` on a folder of Parquet files (as large cohorts come)."""

import json
import shutil

import pandas as pd
import pytest
from tests.entry_point import run_main

from nephrocohort.cohort import load_bundle
from nephrocohort.cohort.synthetic import write_synthetic_bundle


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated cohort: CSV in the folder, Parquet in its `parquet/`, as `demo --parquet` does."""
    folder = tmp_path_factory.mktemp("generated")
    write_synthetic_bundle(folder, n_patients=15, seed=11, parquet=True)
    return folder


@pytest.fixture(scope="module")
def parquet_only(generated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    for file in (generated / "parquet").glob("*.parquet"):
        shutil.copy(file, folder / file.name)
    return folder


@pytest.fixture(scope="module")
def csv_only(generated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    for file in generated.glob("*.csv"):
        shutil.copy(file, folder / file.name)
    return folder


def test_parquet_folder_loads_the_same_cohort_as_its_csv(parquet_only, csv_only):
    from_parquet = load_bundle(parquet_only)
    from_csv = load_bundle(csv_only)
    for name, frame in from_csv.tables.items():
        pd.testing.assert_frame_equal(from_parquet.tables[name], frame, check_like=True)


def test_validate_a_parquet_folder(monkeypatch, capsys, parquet_only):
    code, out, _ = run_main(monkeypatch, capsys, "validate", str(parquet_only))
    assert code == 0
    assert "is a valid cohort bundle: 15 patients" in out


def test_derive_from_a_parquet_folder(monkeypatch, capsys, tmp_path, parquet_only, csv_only):
    out_parquet, out_csv = tmp_path / "from_parquet.csv", tmp_path / "from_csv.csv"
    for data, out in ((parquet_only, out_parquet), (csv_only, out_csv)):
        code, _, err = run_main(
            monkeypatch, capsys, "derive", "--data", str(data), "--out", str(out)
        )
        assert code == 0, err
    assert out_parquet.read_text() == out_csv.read_text()


def test_report_from_a_parquet_folder(monkeypatch, capsys, tmp_path, parquet_only):
    out = tmp_path / "report"
    args = ("report", "--data", str(parquet_only), "--out", str(out), "--format", "json")
    code, _, err = run_main(monkeypatch, capsys, *args)
    assert code == 0, err
    assert (out / "results.json").exists()


def test_folder_with_both_formats_is_refused_with_what_to_do(
    monkeypatch, capsys, generated, tmp_path
):
    both = tmp_path / "both"
    shutil.copytree(generated, both)
    for file in (generated / "parquet").glob("*.parquet"):
        shutil.copy(file, both / file.name)
    code, out, _ = run_main(monkeypatch, capsys, "validate", str(both), "--json")
    assert code == 1
    (problem,) = json.loads(out)["problems"]
    assert problem["code"] == "table_twice"
    assert problem["params"]["tables"] == (
        "patients, biopsies, genetics, visits, labs, medications, events"
    )
    code, out, _ = run_main(monkeypatch, capsys, "validate", str(both))
    assert "tables are in the folder twice, as .csv and as .parquet" in out
    assert "keep the .parquet files" in out
