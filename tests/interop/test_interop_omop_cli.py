"""OMOP CDM from the command line (issue 15 Done-when): demo --format omop, then the printed
``duckdb:///`` URL works as ``--data`` of report, derive, validate and export, and import-omop
writes a bundle. The commands run as a user runs them (a subprocess through ``main``), so
the printed hint, the exit codes and the error sentences are the real ones; the other
commands run in-process (CliRunner), which is faster.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("ibis", reason="ibis-framework is not installed")
pytest.importorskip("duckdb", reason="duckdb is not installed")

from nephrocohort.cli import app  # noqa: E402
from nephrocohort.cohort.synthetic import SYNTHETIC_SEED, generate_synthetic  # noqa: E402

PATIENTS = 30
BACKGROUND = 120
ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-c", "from nephrocohort.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo OMOP database and the URL its message tells the user to use."""
    folder = tmp_path_factory.mktemp("omop_cli")
    out = folder / "cdm.duckdb"
    done = run(
        "demo",
        "--patients",
        str(PATIENTS),
        "--format",
        "omop",
        "--background-persons",
        str(BACKGROUND),
        "--out",
        str(out),
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    url = re.search(r"--data (\S+)", done.stdout).group(1)
    return folder, out, url, done.stdout


def test_demo_hint_is_a_three_slash_url_of_the_file(demo):
    _, out, url, stdout = demo
    assert "duckdb:////" not in stdout
    assert url == "duckdb:///" + str(out.resolve()).lstrip("/")


@pytest.mark.slow
def test_report_from_the_printed_url_is_a_full_report(demo):
    folder, _, url, _ = demo
    done = run("report", "--data", url, "--out", str(folder / "report"), cwd=folder)
    assert done.returncode == 0, done.stderr
    for name in ("report.html", "report.docx", "report.xlsx", "results.json"):
        assert (folder / "report" / name).stat().st_size > 0, name
    items = {
        item["id"]: item for item in json.loads((folder / "report" / "results.json").read_text())
    }
    # Every NS patient of the generator is assessed (plus any background person the
    # phenotype let in; the round-trip test counts those).
    assert items["eligibility.assessed"]["n"] >= PATIENTS
    notes = items["report.run"]["notes"]
    assert any("pedsnet-ns" in note for note in notes)
    # The phenotype's attrition heads the eligibility flow: every person of the database,
    # then each step, the last one the patients assessed.
    assert items["selection.persons"]["n"] == PATIENTS + BACKGROUND
    assert items["selection.transplant"]["n"] == items["eligibility.assessed"]["n"]


def test_derive_validate_export_and_import_accept_the_url(demo):
    folder, _, url, _ = demo
    truth = set(generate_synthetic(PATIENTS, seed=SYNTHETIC_SEED).patients["patient_id"])

    derived = invoke("derive", "--data", url, "--out", str(folder / "d.csv"))
    assert derived.exit_code == 0, derived.output
    assert truth <= set(pd.read_csv(folder / "d.csv")["patient_id"])

    checked = invoke("validate", url)
    assert checked.exit_code == 0, checked.output
    assert "valid cohort bundle" in checked.output and "pedsnet-ns" in checked.output

    exported = invoke("export", "--data", url, "--format", "csv", "--out", str(folder / "x"))
    assert exported.exit_code == 0, exported.output
    assert (folder / "x" / "analysis.csv").is_file()

    imported = invoke("import-omop", "--database", url, "--out", str(folder / "bundle"))
    assert imported.exit_code == 0, imported.output
    assert truth <= set(pd.read_csv(folder / "bundle" / "patients.csv")["patient_id"])
    assert "pedsnet-ns" in imported.output


def test_url_may_name_the_cdm_schema(demo):
    _, _, url, _ = demo
    done = invoke("validate", url + "?cdm_schema=nowhere")
    assert "schema nowhere" in str(done.exception)
    # DuckDB keeps the tables of a file in its schema "main"
    done = invoke("validate", url + "?cdm_schema=main")
    assert done.exit_code == 0, done.output


def test_a_missing_database_is_a_clear_error(tmp_path):
    done = run("report", "--data", f"duckdb:///{tmp_path}/none.duckdb", cwd=tmp_path)
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "none.duckdb" in done.stderr
    assert "Traceback" not in done.stderr
    # No progress line before the error: the database never opened (acceptance of issue 15).
    assert "Selecting the phenotype" not in done.stdout + done.stderr


def test_the_selection_progress_line_comes_once_the_database_has_opened(demo, tmp_path):
    from nephrocohort.exceptions import NephroCohortError
    from nephrocohort.pipeline import load_analysis

    _, _, url, _ = demo
    said: list[str] = []
    with pytest.raises(NephroCohortError) as error:
        load_analysis(f"duckdb:///{tmp_path}/none.duckdb", progress=said.append)
    assert error.value.code == "omop.database_not_found"
    assert said == []
    load_analysis(url, progress=said.append)
    assert said[0] == "Selecting the phenotype's patients in the OMOP database"


def test_demo_refuses_an_out_that_is_not_a_duckdb_file(tmp_path):
    done = run("demo", "--format", "omop", "--out", str(tmp_path / "cdm.db"), cwd=tmp_path)
    assert done.returncode == 2
    assert ".duckdb" in done.stderr


def test_a_plain_install_has_the_duckdb_source():
    """report --data duckdb:/// works without extras: Ibis and DuckDB are core dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[\[<>=!;]", dep)[0].strip() for dep in project["dependencies"]}
    assert {"ibis-framework", "duckdb"} <= names
    ibis_dep = next(d for d in project["dependencies"] if d.startswith("ibis-framework"))
    assert "duckdb" in ibis_dep and "postgres" in ibis_dep


def test_a_wrong_schema_says_what_the_database_has(demo):
    """The catalogue's hint is printed under the error: the schema's tables, so a user sees the
    CDM is elsewhere. A four-slash URL (SQLAlchemy's spelling) names the file with one root."""
    folder, out, _, _ = demo
    done = run(
        "import-omop",
        "--database",
        f"duckdb:///{out}",
        "--cdm-schema",
        "nowhere",
        "--out",
        str(folder / "b1"),
        cwd=folder,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "schema nowhere" in done.stderr and "--cdm-schema" in done.stderr
    assert not (folder / "b1").exists()
    missing = run("report", "--data", f"duckdb:///{folder}/none.duckdb", cwd=folder)
    assert f" {folder}/none.duckdb " in missing.stderr


def test_a_database_without_the_vocabulary_says_so(demo, tmp_path):
    import duckdb

    _, out, _, _ = demo
    copy = tmp_path / "novocab.duckdb"
    copy.write_bytes(out.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP TABLE concept")
    done = run("import-omop", "--database", f"duckdb:///{copy}", "--out", "b", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "vocabulary table concept" in done.stderr and "Athena" in done.stderr
    assert not (tmp_path / "b").exists()
