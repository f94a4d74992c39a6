"""Explanations: every derived value with the records, rule and window behind it."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_derive import MMF_START, event, lab, make_cohort, med, patient, timed, visit

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import (
    ANALYSIS_COLUMNS,
    UnknownPatientError,
    derive,
    explain,
    format_explanation,
)


@pytest.fixture(scope="module")
def study():
    return load_rule_set("study")


@pytest.fixture
def cohort():
    return make_cohort(
        patients=[patient("P1"), patient("P2", sex="F")],
        labs=[
            timed("2015-12-28", 60),  # labs row 2
            timed("2016-01-31", 2),  # row 3
            lab("2016-01-31", "dipstick_protein", 1000, "mg/dL"),  # row 4, loses to the timed test
            timed("2016-05-01", 80),  # row 5: derived relapse
            lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL"),  # row 6
            timed("2016-02-01", 50, patient_id="P2"),
        ],
        medications=[
            med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),  # medications row 2
            med("prednisolone", "2015-12-01", "2016-03-01", 60, "mg/m2/day", "daily"),  # row 3
            med("mmf", "2016-03-01", None, 600, "mg/m2/day", "bid", patient_id="P2"),
        ],
        visits=[visit("2015-12-15", weight_kg=22, height_cm=120)],  # visits row 2
        events=[event("2016-05-08", "relapse")],  # events row 2
    )


def test_values_match_the_dataset_for_every_patient_and_column(cohort, study):
    dataset = derive(cohort, study).set_index("patient_id")
    for patient_id in dataset.index:
        explanation = explain(cohort, study, patient_id)
        for column in ANALYSIS_COLUMNS[1:]:
            expected = dataset.loc[patient_id, column]
            got = explanation[column].value
            if pd.isna(expected):
                assert pd.isna(got), (patient_id, column)
            else:
                assert got == expected, (patient_id, column)


def test_every_contract_column_is_explained(cohort, study):
    explanation = explain(cohort, study, "P1")
    columns = [item.column for item in explanation.values]
    assert set(ANALYSIS_COLUMNS) <= set(columns)
    assert all(item.rule for item in explanation.values)


def test_state_lists_the_measurement_with_its_row_and_window(cohort, study):
    item = explain(cohort, study, "P1")["state_month1"]
    assert item.value == "complete"
    # target one calendar month after 2016-01-01 = 2016-02-01, +/-15 days
    assert item.window.startswith("2016-01-17 to 2016-02-16")
    [evidence] = item.evidence
    assert (evidence.table, evidence.source_row, evidence.date) == ("labs", 3, "2016-01-31")
    assert "urine_protein_timed 2 mg/m2/h -> complete" in evidence.description


def test_relapse_lists_derived_and_recorded_sources(cohort, study):
    item = explain(cohort, study, "P1")["relapses_after"]
    assert item.value == 1
    # Seed Methods: relapse is "a return to nephrotic-range proteinuria after remission
    # (complete or partial)": the evidence is the return (labs row 5), the remission it
    # follows (labs row 3, complete on 2016-01-31) and the recorded relapse (events row 2).
    assert {(e.table, e.source_row) for e in item.evidence} == {
        ("labs", 3),
        ("labs", 5),
        ("events", 2),
    }


def test_steroid_dose_lists_medication_weight_and_height(cohort, study):
    item = explain(cohort, study, "P1")["steroid_mg_kg_day_before"]
    assert item.value == pytest.approx(
        60 * 0.8563 / 22, rel=1e-3
    )  # BSA 0.8563 m2 (clinical-reference.md 3)
    assert [(e.table, e.source_row) for e in item.evidence] == [
        ("medications", 3),
        ("visits", 2),
        ("visits", 2),
    ]
    assert "BSA 0.8563 m2" in item.evidence[2].description


def test_egfr_lists_creatinine_and_height(cohort, study):
    item = explain(cohort, study, "P1")["egfr_mmf_start"]
    assert item.value == pytest.approx(110.0)  # 0.55 x 120 / 0.6
    assert [(e.table, e.source_row) for e in item.evidence] == [("labs", 6), ("visits", 2)]
    assert "schwartz-1976" in item.rule


def test_unknown_patient_suggests_close_ids(cohort, study):
    with pytest.raises(UnknownPatientError) as error:
        explain(cohort, study, "P11")
    message = str(error.value)
    assert "Patient 'P11' is not in this cohort (2 patients)" in message
    assert "Did you mean P1" in message
    assert "patient_id column" in message


def test_text_and_json_renderings(cohort, study):
    explanation = explain(cohort, study, "P1")
    assert repr(explanation).startswith("Explanation(patient_id='P1', rule_set='study'")
    text = format_explanation(explanation)
    assert "state_month0 = nephrotic" in text
    assert "    - labs row 2 2015-12-28: urine_protein_timed 60 mg/m2/h -> nephrotic" in text
    data = json.loads(json.dumps(explanation.to_dict()))
    assert data["patient_id"] == "P1"
    assert explanation.summary.set_index("column").loc["state_month1", "value"] == "complete"


def test_a_dipstick_unit_read_from_the_notation_is_shown(tmp_path, study):
    # Issue 10 item 6: a dipstick "written in a notation that names its unit ... loads with
    # the unit column blank, and the unit is recorded". "++++" is 4+ = 1000 mg/dL (KDIGO
    # 2025 Figure 1: "4+ >= 1000 mg/dL"), above the study's nephrotic "> 300 mg/dL".
    from nephrocohort.cohort import load_bundle

    (tmp_path / "patients.csv").write_text(
        "patient_id,sex,birth_date,onset_date\nP1,F,2008-03-14,2012-06-02\n"
    )
    (tmp_path / "labs.csv").write_text(
        "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,++++,\n"
    )
    (tmp_path / "medications.csv").write_text(
        "patient_id,drug,start_date,end_date,dose,dose_unit,schedule\n"
        "P1,mmf,2016-01-01,,600,mg/m2/day,bid\n"
    )
    cohort = load_bundle(tmp_path, as_of="2025-01-01")
    item = explain(cohort, study, "P1")["state_month0"]
    assert item.value == "nephrotic"
    [evidence] = item.evidence
    assert (evidence.table, evidence.source_row) == ("labs", 2)
    assert "dipstick_protein 1000 mg/dL (unit cell empty: the notation names it, grade)" in (
        evidence.description
    )
