"""`nephrocohort derive` and `nephrocohort explain` on a small bundle written as CSV files."""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest
from tests.entry_point import run_main


def write_bundle(folder):
    """Two patients: P1 on MMF since 2016 (nephrotic at start, complete at one month); P2 without MMF."""
    folder.mkdir()
    files = {
        "patients.csv": """
            patient_id,center,sex,birth_date,onset_date,last_followup_date,hbv,hcv,syphilis,hiv,family_history_ns
            P1,C1,M,2008-01-01,2012-01-01,2019-01-01,negative,negative,negative,negative,no
            P2,C1,F,2010-05-05,2013-02-01,2018-06-01,negative,negative,negative,negative,no
        """,
        "medications.csv": """
            patient_id,drug,start_date,end_date,dose,dose_unit,schedule
            P1,mmf,2016-01-01,,600,mg/m2/day,bid
            P1,prednisolone,2015-06-01,2016-06-01,1,mg/kg/day,daily
            P2,prednisolone,2013-02-01,2013-04-01,60,mg/m2/day,daily
        """,
        "labs.csv": """
            patient_id,date,test,value,unit
            P1,2015-12-28,urine_protein_timed,60,mg/m2/h
            P1,2016-01-31,urine_protein_timed,2,mg/m2/h
            P1,2016-01-31,dipstick_protein,1000,mg/dL
            P1,2015-12-20,serum_creatinine,53.04,umol/L
        """,
        "visits.csv": """
            patient_id,date,weight_kg,height_cm
            P1,2015-12-15,22,120
        """,
    }
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def bundle(tmp_path):
    return write_bundle(tmp_path / "bundle")


def test_derive_writes_one_row_per_patient(monkeypatch, capsys, tmp_path, bundle):
    out = tmp_path / "derived.csv"
    code, stdout, stderr = run_main(
        monkeypatch, capsys, "derive", "--data", str(bundle), "--out", str(out)
    )
    assert code == 0, stderr
    assert "2 patients" in stdout
    dataset = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(dataset["patient_id"]) == ["P1", "P2"]
    p1 = dataset.iloc[0]
    assert p1["mmf_start_date"] == "2016-01-01"
    assert p1["state_month0"] == "nephrotic"
    assert (
        p1["state_month1"] == "complete"
    )  # the timed collection beats the dipstick on the same day
    assert p1["response_month1"] == "complete"
    assert p1["eligible"] in ("true", "false")
    # 53.04 umol/L = 0.6 mg/dL; original Schwartz, child k 0.55: 0.55 x 120 / 0.6 = 110
    assert float(p1["egfr_mmf_start"]) == pytest.approx(110.0)
    assert float(p1["steroid_mg_kg_day_before"]) == pytest.approx(1.0)
    assert p1["prednisolone_stopped"] == "true"
    p2 = dataset.iloc[1]
    assert p2["mmf_start_date"] == "" and p2["state_month0"] == ""
    assert p2["eligible"] == "false"


def test_derive_with_another_rule_set(monkeypatch, capsys, tmp_path, bundle):
    out = tmp_path / "derived.csv"
    code, stdout, _ = run_main(
        monkeypatch,
        capsys,
        "derive",
        "--data",
        str(bundle),
        "--rule-set",
        "ipna2020",
        "--out",
        str(out),
    )
    assert code == 0
    assert "rule set 'ipna2020'" in stdout


def test_derive_into_a_missing_folder_is_refused(monkeypatch, capsys, tmp_path, bundle):
    code, _, err = run_main(
        monkeypatch,
        capsys,
        "derive",
        "--data",
        str(bundle),
        "--out",
        str(tmp_path / "no" / "derived.csv"),
    )
    assert code == 2
    assert "does not exist" in err and "Traceback" not in err


def test_derive_into_a_folder_is_refused(monkeypatch, capsys, tmp_path, bundle):
    code, _, err = run_main(
        monkeypatch, capsys, "derive", "--data", str(bundle), "--out", str(tmp_path)
    )
    assert code == 2
    assert "it is a folder" in err and "Traceback" not in err


def test_missing_bundle_is_reported(monkeypatch, capsys, tmp_path):
    code, _, err = run_main(
        monkeypatch,
        capsys,
        "derive",
        "--data",
        str(tmp_path / "nothing"),
        "--out",
        str(tmp_path / "d.csv"),
    )
    assert code == 1
    assert "does not exist" in err and "Traceback" not in err


def test_derive_with_unknown_rule_set_is_refused(monkeypatch, capsys, tmp_path, bundle):
    code, _, err = run_main(
        monkeypatch,
        capsys,
        "derive",
        "--data",
        str(bundle),
        "--rule-set",
        "nosuch",
        "--out",
        str(tmp_path / "d.csv"),
    )
    assert code == 2
    assert "nosuch" in err and "Traceback" not in err
    assert not (tmp_path / "d.csv").exists()


def test_explain_prints_rule_window_and_source_rows(monkeypatch, capsys, bundle):
    code, stdout, stderr = run_main(monkeypatch, capsys, "explain", "P1", "--data", str(bundle))
    assert code == 0, stderr
    assert "state_month1 = complete" in stdout
    assert "window: 2016-01-17 to 2016-02-16" in stdout  # 2016-02-01 (1 calendar month) +/-15 days
    assert "labs row 3 2016-01-31: urine_protein_timed 2 mg/m2/h -> complete" in stdout
    assert "egfr_mmf_start = 110" in stdout


def test_explain_json(monkeypatch, capsys, bundle):
    code, stdout, _ = run_main(
        monkeypatch, capsys, "explain", "P1", "--data", str(bundle), "--json"
    )
    assert code == 0
    data = json.loads(stdout)
    by_column = {item["column"]: item for item in data["values"]}
    assert by_column["state_month0"]["value"] == "nephrotic"
    assert by_column["state_month0"]["evidence"][0]["source_row"] == 2
    assert by_column["state_month0"]["evidence"][0]["table"] == "labs"


def test_explain_unknown_patient_says_where_ids_are(monkeypatch, capsys, bundle):
    code, _, err = run_main(monkeypatch, capsys, "explain", "P3", "--data", str(bundle))
    assert code == 2
    assert "Patient 'P3' is not in this cohort (2 patients)" in err
    assert "patient_id column" in err
    assert "Traceback" not in err


def test_invalid_bundle_prints_every_problem_and_exits_1(monkeypatch, capsys, tmp_path, bundle):
    labs = bundle / "labs.csv"
    labs.write_text(
        labs.read_text() + "P9,2016-02-01,upcr,1.0,mg/mg\nP1,2016-13-01,upcr,1.0,mg/mg\n"
    )
    out = tmp_path / "derived.csv"
    code, _, err = run_main(monkeypatch, capsys, "derive", "--data", str(bundle), "--out", str(out))
    assert code == 1
    assert "2 problems" in err
    assert "labs.csv row 6" in err and "labs.csv row 7" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_an_unknown_patient_in_explain_is_said_in_the_language_asked_for(tmp_path):
    """NEPHROCOHORT_LANG=es: the error is a catalogue message shown in Spanish, like the
    other CLI errors (it was an English sentence)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import nephrocohort

    bundle = Path(__file__).parents[1] / "cohort" / "data" / "i10_diaries"
    env = dict(
        os.environ,
        PYTHONPATH=str(Path(nephrocohort.__file__).parents[1]),
        NEPHROCOHORT_LANG="es",
    )
    done = subprocess.run(
        [sys.executable, "-m", "nephrocohort", "explain", "P99", "--data", str(bundle)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "El paciente 'P99' no está en esta cohorte (11 pacientes). ¿Quiso decir P09?" in (
        done.stderr
    )
