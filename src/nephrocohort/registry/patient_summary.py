"""What the patient page shows besides the raw records: eGFR over time, the
derived values with their explanations, and calculator inputs from the latest data.

All of it reads a one-patient ``Cohort`` built from the database, and all the
clinical work is done by ``nephrocohort.clinical`` and ``nephrocohort.cohort``
(the same functions the command line uses).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.clinical.anthropometry import age_years
from nephrocohort.clinical.kidney_function import egfr
from nephrocohort.cohort import Cohort, explain
from nephrocohort.exceptions import ClinicalInputError, NephroCohortError

__all__ = ["egfr_points", "explain_patient", "CalculatorInputs", "calculator_inputs"]


def _nearest_height(visits: pd.DataFrame, on: pd.Timestamp) -> float | None:
    measured = visits.dropna(subset=["height_cm"])
    if measured.empty:
        return None
    distance = (measured["date"] - on).abs()
    return float(measured.loc[distance.idxmin(), "height_cm"])


def egfr_points(cohort: Cohort, *, equation: str) -> pd.DataFrame:
    """eGFR for each serum creatinine, with the height of the nearest visit.

    Creatinines whose inputs are missing or outside the equation's range are
    left out (the equation's own checks decide).
    """
    patient = cohort.patients.iloc[0]
    creatinine = cohort.labs[cohort.labs["test"] == "serum_creatinine"]
    rows = []
    for lab in creatinine.itertuples():
        height = _nearest_height(cohort.visits, lab.date)
        if height is None or pd.isna(patient["birth_date"]) or pd.isna(patient["sex"]):
            continue
        try:
            value = egfr(
                equation,
                creatinine_mg_dl=float(lab.value),
                height_cm=height,
                age_years=float(age_years(patient["birth_date"], lab.date)),
                sex=str(patient["sex"]),
            )
        except ClinicalInputError:
            continue
        rows.append({"date": lab.date, "egfr": float(value)})
    return pd.DataFrame(rows, columns=["date", "egfr"])


def explain_patient(cohort: Cohort, rule_set):
    """The patient's analysis-dataset row explained, or a sentence saying why it cannot be."""
    patient_id = str(cohort.patients["patient_id"].iloc[0])
    try:
        return explain(cohort, rule_set, patient_id), None
    except NephroCohortError as error:
        return None, str(error)


@dataclass(frozen=True)
class CalculatorInputs:
    """Latest values for the calculators, and the dates they were measured."""

    sex: str | None
    height_cm: float | None
    weight_kg: float | None
    visit_date: pd.Timestamp | None
    creatinine_mg_dl: float | None
    creatinine_date: pd.Timestamp | None
    age_years: float | None


def _latest(frame: pd.DataFrame, column: str, date_column: str = "date"):
    present = frame.dropna(subset=[column]).sort_values(date_column)
    if present.empty:
        return None, None
    last = present.iloc[-1]
    return float(last[column]), last[date_column]


def calculator_inputs(cohort: Cohort) -> CalculatorInputs:
    """Height and weight of the latest visit with each, the latest creatinine (mg/dL).

    Age is taken on the date of the latest of these measurements, never "today".
    """
    patient = cohort.patients.iloc[0]
    height, height_date = _latest(cohort.visits, "height_cm")
    weight, weight_date = _latest(cohort.visits, "weight_kg")
    labs = cohort.labs[cohort.labs["test"] == "serum_creatinine"]
    creatinine, creatinine_date = _latest(labs, "value")
    dates = [d for d in (height_date, weight_date, creatinine_date) if d is not None]
    age = None
    if dates and pd.notna(patient["birth_date"]):
        age = round(float(age_years(patient["birth_date"], max(dates))), 2)
    sex = None if pd.isna(patient["sex"]) else str(patient["sex"])
    return CalculatorInputs(
        sex=sex,
        height_cm=height,
        weight_kg=weight,
        visit_date=max((d for d in (height_date, weight_date) if d is not None), default=None),
        creatinine_mg_dl=None if creatinine is None else float(np.round(creatinine, 3)),
        creatinine_date=creatinine_date,
        age_years=age,
    )
