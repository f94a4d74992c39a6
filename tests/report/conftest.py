"""A hand-made analysis dataset (the contract of docs/architecture.md) and its cohort.

Eight synthetic patients: P1-P6 eligible, P7 excluded for two reasons, P8
with eligibility not assessable. P7 and P8 carry values that would change
the counts if the report forgot to leave them out. Every expected figure in
tests/report/ was worked out by hand from these rows (R 4.x confirmations
noted where a test or percentile is involved).
"""

from __future__ import annotations

import pandas as pd
import pytest

from nephrocohort.cohort import Cohort

T, F, NA = True, False, None


def _bool(values):
    return pd.array(values, dtype="boolean")


def _dates(values):
    return pd.to_datetime(pd.Series(values))


def make_analysis() -> pd.DataFrame:
    rows = {
        "patient_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"],
        "center": ["A"] * 8,
        "sex": pd.array(["M", "M", "F", "M", "F", None, "M", "F"], dtype="string"),
        "histology": pd.array(
            ["FSGS", "FSGS", "MCD", "MCD", "MN", "FSGS", "MCD", None], dtype="string"
        ),
        "group": pd.array([1, 1, 2, 1, 2, 1, None, None], dtype="Int64"),
        "eligible": _bool([T, T, T, T, T, T, F, NA]),
        "exclusion_reasons": pd.array(
            [None] * 6 + ["Family history of nephrotic syndrome; Rituximab before MMF", None],
            dtype="string",
        ),
        "steroid_response": pd.array(["resistant"] * 6 + ["resistant", None], dtype="string"),
        "onset_date": _dates(["2015-01-01"] * 8),
        "last_followup_date": _dates(["2021-01-01"] * 8),
        "mmf_start_date": _dates(["2020-01-01"] * 8),
        "mmf_stop_date": _dates([None] * 8),
        "age_at_diagnosis_months": [7, 20, 25, 30, 48, 192, 500, 500],
        "age_at_assessment_years": [4, 6, 8, 10, 12, None, 17, 17],
        "follow_up_years": [1, 2, 3, 4, 5, 16, 9, 9],
        "onset_edema": _bool([T, T, T, T, T, F, F, F]),
        "onset_hypertension": _bool([T, F, T, F, NA, T, T, T]),
        "onset_aki": _bool([F, F, T, NA, NA, F, T, T]),
        "onset_hematuria": _bool([T, T, F, F, F, F, T, T]),
        "months_diagnosis_to_mmf": [12, 24, 36, 48, 60, 72, 99, 99],
        "years_diagnosis_to_mmf": [1, 2, 3, 4, 5, 6, 8.25, 8.25],
        "mmf_duration_months": [6, 10, 12, 24, 36, 48, 1, 1],
        "prior_steroid_pulses": _bool([T, F, F, T, F, F, T, T]),
        "prior_cyclophosphamide": _bool([T, F, F, F, F, F, T, T]),
        "prior_cyclosporine": _bool([T, T, F, T, F, T, T, T]),
        "prior_tacrolimus": _bool([F] * 8),
        "prior_rituximab": _bool([F] * 6 + [T, F]),
        "received_mmf": _bool([T] * 8),
        "received_rituximab_after_mmf": _bool([T, F, F, F, F, F, T, T]),
        "received_enalapril": _bool([T, T, T, T, T, F, T, T]),
        "received_losartan": _bool([T, F, T, F, F, F, T, T]),
        "state_month0": pd.array(
            [
                "nephrotic",
                "nephrotic",
                "partial",
                "nephrotic",
                "complete",
                "nephrotic",
                "complete",
                "complete",
            ],
            dtype="string",
        ),
        "state_month1": pd.array(
            [
                "complete",
                "partial",
                "complete",
                "nephrotic",
                "complete",
                None,
                "nephrotic",
                "nephrotic",
            ],
            dtype="string",
        ),
        "state_month3": pd.array(
            ["complete", "partial", "complete", "partial", "complete", "nephrotic", None, None],
            dtype="string",
        ),
        "state_month6": pd.array(
            ["complete", "complete", "complete", "partial", "complete", None, None, None],
            dtype="string",
        ),
        "state_month12": pd.array(
            ["complete", "complete", None, "partial", "complete", None, None, None], dtype="string"
        ),
        "response_month1": pd.array(
            ["complete", "partial", "complete", "none", "complete", None, "none", "none"],
            dtype="string",
        ),
        "relapses_before": [3, 4, 2, 5, 1, 2, 9, 9],
        "relapses_after": [1, 1, 0, 2, 0, 2, 9, 9],
        "relapses_per_year_before": [3.0, 4.0, 2.0, 5.0, 1.0, 2.0, 9.0, 9.0],
        "relapses_per_year_after": [1.0, 1.0, 0.0, 2.0, 0.0, 2.0, 9.0, 9.0],
        "steroid_mg_kg_day_before": [1.0, 0.5, 2.0, 1.5, 0.8, 1.2, 3.0, 3.0],
        "steroid_mg_kg_day_after": [0.2, 0.0, 0.5, 0.6, 0.0, 0.3, 3.0, 3.0],
        "prednisolone_stopped": _bool([F, T, F, F, T, NA, T, T]),
        "egfr_mmf_start": [100.0, 120.0, 140.0, 160.0, 180.0, 200.0, 50.0, 50.0],
        "egfr_month12": [110.0, 118.0, 150.0, 150.0, None, 190.0, 40.0, 40.0],
        "crf": _bool([F, T, F, F, F, F, T, T]),
        "crf_date": _dates([None, "2020-12-31", None, None, None, None, None, None]),
        "rrt": _bool([F, T, F, F, F, F, T, T]),
        "transplant": _bool([F] * 6 + [T, T]),
        "death": _bool([F] * 6 + [T, T]),
        "medical_only": _bool([T, F, T, T, T, T, F, F]),
        "ae_diarrhea": _bool([T, F, F, F, F, F, T, T]),
        "ae_severe_infection": _bool([F, F, T, F, F, NA, T, T]),
        "ae_leukopenia": _bool([F] * 8),
        "days_to_complete_remission": [30, 200, 25, None, 31, 400, 5, 5],
        "complete_remission_observed": _bool([T, F, T, NA, T, F, T, T]),
        "days_to_crf": [900, 365, 800, 700, 600, 500, 5, 5],
        "crf_observed": _bool([F, T, F, F, F, F, T, T]),
    }
    return pd.DataFrame(rows)


def make_cohort() -> Cohort:
    """Records behind the swimmer plot for P1 and P2 (the only ones with medications)."""
    medications = pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P1", "P2"],
            "drug": ["prednisolone", "cyclosporine", "mmf", "mmf"],
            "start_date": ["2018-01-01", "2019-01-01", "2020-01-01", "2020-01-01"],
            "end_date": [None, "2020-01-01", None, "2020-07-01"],
            "dose": [30.0, 100.0, 600.0, 600.0],
            "dose_unit": ["mg/day", "mg/day", "mg/m2/day", "mg/m2/day"],
            "schedule": ["daily", "bid", "bid", "bid"],
        }
    )
    events = pd.DataFrame(
        {
            "patient_id": ["P1", "P2"],
            "date": ["2020-06-01", "2020-12-31"],
            "event": ["relapse", "ckd"],
        }
    )
    patients = pd.DataFrame({"patient_id": [f"P{i}" for i in range(1, 9)], "sex": ["M"] * 8})
    return Cohort(patients=patients, medications=medications, events=events)


@pytest.fixture
def analysis() -> pd.DataFrame:
    return make_analysis()


@pytest.fixture
def cohort() -> Cohort:
    return make_cohort()


@pytest.fixture(scope="module")
def fixture_results():
    """Results of the fixture cohort, built once per module (renderer and browser tests)."""
    from nephrocohort.report import build_results

    return build_results(make_analysis(), rule_set="study", cohort=make_cohort())
