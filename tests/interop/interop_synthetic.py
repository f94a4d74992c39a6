"""Invented cohorts for the interop tests (no real patient data)."""

import pandas as pd


def synthetic_tables() -> dict[str, pd.DataFrame]:
    """Three invented patients touching every table and every kind of column."""
    return {
        "patients": pd.DataFrame(
            {
                "patient_id": ["HOSP-001", "HOSP-002", "HOSP-003"],
                "center": ["A", "A", "B"],
                "sex": ["M", "F", "M"],
                "birth_date": ["2010-01-15", "2012-06-30", "2008-11-02"],
                "onset_date": ["2012-03-01", "2014-02-10", "2010-05-20"],
                "family_history_ns": ["no", "unknown", "no"],
                "hbv": ["negative", "negative", "unknown"],
                "edema_at_onset": ["yes", "yes", "no"],
                "hypertension_at_onset": ["no", "yes", "unknown"],
                "last_followup_date": ["2020-01-10", "2021-05-05", "2019-12-12"],
                "nickname": ["Pepe", "Ana", "Lucho"],
            }
        ),
        "biopsies": pd.DataFrame(
            {
                "patient_id": ["HOSP-001", "HOSP-002", "HOSP-003"],
                "biopsy_date": ["2012-05-01", "2014-04-01", "2010-07-01"],
                "histology": ["FSGS", "MCD", "MN"],
            }
        ),
        "genetics": pd.DataFrame(
            {
                "patient_id": ["HOSP-001"],
                "test_date": ["2013-01-01"],
                "gene": ["NPHS2"],
                "variant": ["c.413G>A, seen by Dr Gomez"],
                "classification": ["pathogenic"],
            }
        ),
        "visits": pd.DataFrame(
            {
                "patient_id": ["HOSP-001", "HOSP-001", "HOSP-002"],
                "date": ["2013-01-01", "2014-01-01", "2015-03-03"],
                "weight_kg": [14.5, 16.2, 20.0],
                "height_cm": [95.0, 101.5, 112.0],
                "sbp_mmhg": [100.0, 104.0, 110.0],
                "dbp_mmhg": [60.0, 66.0, 70.0],
                "edema": ["yes", "no", "no"],
            }
        ),
        "labs": pd.DataFrame(
            {
                "patient_id": ["HOSP-001", "HOSP-001", "HOSP-002", "HOSP-003"],
                "date": ["2013-01-01", "2013-01-01", "2015-03-03", "2011-01-01"],
                "test": ["upcr", "serum_creatinine", "serum_albumin", "urine_protein_timed"],
                "value": [3.1, 0.4, 1.9, 52.0],
                "unit": ["mg/mg", "mg/dL", "g/dL", "mg/m2/h"],
            }
        ),
        "medications": pd.DataFrame(
            {
                "patient_id": ["HOSP-001", "HOSP-002"],
                "drug": ["mmf", "prednisolone"],
                "start_date": ["2013-01-01", "2014-02-10"],
                "end_date": [None, "2014-05-01"],
                "dose": [600.0, 2.0],
                "dose_unit": ["mg/m2/day", "mg/kg/day"],
                "schedule": ["bid", "daily"],
                "stop_reason": [None, "remission; mother asked"],
            }
        ),
        "events": pd.DataFrame(
            {
                "patient_id": ["HOSP-001", "HOSP-003"],
                "date": ["2013-06-01", "2012-01-01"],
                "event": ["relapse", "severe_infection"],
                "detail": ["after a cold", "peritonitis at Hospital X"],
            }
        ),
    }


def synthetic_analysis() -> pd.DataFrame:
    """An invented analysis dataset with the contract's column kinds."""
    return pd.DataFrame(
        {
            "patient_id": ["HOSP-001", "HOSP-002", "HOSP-003"],
            "sex": ["M", "F", "M"],
            "histology": ["FSGS", "MCD", "MN"],
            "group": [1, 2, pd.NA],
            "eligible": pd.array([True, True, False], dtype="boolean"),
            "onset_date": pd.to_datetime(["2012-03-01", "2014-02-10", "2010-05-20"]),
            "mmf_start_date": pd.to_datetime(["2013-01-01", "2015-03-03", None]),
            "age_at_diagnosis_months": [25.5, 19.4, 18.6],
            "state_month0": ["nephrotic", "partial", pd.NA],
            "response_month1": ["complete", "partial", pd.NA],
            "relapses_before": [3, 2, pd.NA],
        }
    )
