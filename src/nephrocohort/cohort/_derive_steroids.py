"""Oral steroid dose in mg/kg/day on a given day, for every patient at once.

Rules (DESIGN.md, derivation defaults):

- the oral steroids are ``prednisolone`` and ``prednisone`` (methylprednisolone
  pulses are counted as prior treatment, not as a daily dose);
- a medication row is active from its ``start_date`` to its ``end_date``,
  both included (``end_date`` is the last day of the course,
  docs/data-dictionary.md); an empty end date means ongoing; rows active
  together are added. **Hand-over**: on a day when one steroid row ends and
  another steroid row of the same patient starts (a dose change written as
  "old course to day D, new course from day D"), only the new row counts that
  day, so the day is not counted twice;
- the daily-equivalent dose: per-day units (``mg/day``, ``mg/kg/day``,
  ``mg/m2/day``) are halved for ``alternate_day``; per-dose units
  (``mg/kg/dose``, ``mg/m2/dose``, ``mg``) are multiplied by doses per day
  (daily 1, bid 2, alternate_day 0.5, single 1). A per-dose row without a
  schedule cannot be converted and makes the dose missing;
- ``mg/day`` and ``mg`` are divided by the weight of the nearest visit;
  ``mg/m2`` doses are multiplied by the BSA (Mosteller, from the nearest
  visit's height and the nearest visit's weight) and divided by that weight.
  Without the weight (or height, for mg/m2) the dose is missing;
- no steroid active: 0 mg/kg/day.

Reference: Mosteller RD. Simplified calculation of body-surface area.
N Engl J Med 1987;317:1098 (the formula is applied by
``nephrocohort.clinical.anthropometry.bsa_m2``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.cohort._derive_common import combined_key, nearest_row, values_or_nan

STEROID_DRUGS = ("prednisolone", "prednisone")
PER_DAY_UNITS = {"mg/day": "mg", "mg/kg/day": "kg", "mg/m2/day": "m2"}
PER_DOSE_UNITS = {"mg/kg/dose": "kg", "mg/m2/dose": "m2", "mg": "mg"}
DOSES_PER_DAY = {"daily": 1.0, "bid": 2.0, "alternate_day": 0.5, "single": 1.0}


@dataclass(frozen=True)
class SteroidDoses:
    """Dose per patient at the query day, and the rows that made it.

    ``rows`` has one line per active medication row: ``pid``, ``med_row``
    (position in ``medications``), ``mg_kg_day`` (that row's contribution),
    ``weight_row`` / ``height_row`` (positions in ``visits``, -1 if unused),
    ``weight_kg``, ``height_cm``, ``bsa_m2``.
    """

    mg_kg_day: np.ndarray
    rows: pd.DataFrame


def _body_size(visits, visit_pid, visit_day, pid, day):
    weights = visits["weight_kg"].to_numpy(dtype=np.float64) if "weight_kg" in visits else None
    heights = visits["height_cm"].to_numpy(dtype=np.float64) if "height_cm" in visits else None
    out = {}
    for name, values in (("weight", weights), ("height", heights)):
        if values is None:
            out[name] = (np.full(pid.size, -1, dtype=np.int64), np.full(pid.size, np.nan))
            continue
        ref_day = np.where(np.isnan(values), np.nan, visit_day)
        row = nearest_row(pid, day, visit_pid, ref_day)
        value = (
            np.where(row >= 0, values[np.maximum(row, 0)], np.nan)
            if values.size
            else np.full(pid.size, np.nan)
        )
        out[name] = (row, value)
    return out


def _handed_over(
    med_pid: np.ndarray, start: np.ndarray, end: np.ndarray, q: np.ndarray, is_steroid: np.ndarray
) -> np.ndarray:
    """Rows ending on the query day while another steroid row of the patient starts that day."""
    ending = is_steroid & (end == q)
    if not ending.any():
        return np.zeros(med_pid.shape, dtype=bool)
    starts = is_steroid & ~np.isnan(start)
    start_keys = np.sort(combined_key(med_pid[starts], start[starts]))
    rows = np.flatnonzero(ending)
    keys = combined_key(med_pid[rows], q[rows])
    starting_that_day = np.searchsorted(start_keys, keys, side="right") - np.searchsorted(
        start_keys, keys, side="left"
    )
    itself = (start[rows] == q[rows]).astype(np.int64)
    out = np.zeros(med_pid.shape, dtype=bool)
    out[rows] = starting_that_day - itself > 0
    return out


def row_doses(
    medications: pd.DataFrame, rows: np.ndarray, weight_kg: np.ndarray, height_cm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily dose in mg/kg/day of medication ``rows``, the BSA used (m2) and each row's basis.

    ``weight_kg`` and ``height_cm`` are one per row (the visit nearest the row's
    start). Per-day units, or per-dose units times the doses per day of the
    schedule (alternate-day: half); mg needs the weight, mg/m2 the weight and
    the BSA (``clinical.anthropometry.bsa_m2``, Mosteller, NaN outside its
    height and weight ranges). The basis is ``kg``, ``mg``, ``m2`` or None for
    a unit it does not know; the dose is NaN where it cannot be computed.
    """
    from nephrocohort.clinical.anthropometry import bsa_m2

    units = medications["dose_unit"].astype("string").to_numpy(dtype=object, na_value=None)[rows]
    schedules = (
        medications["schedule"].astype("string").to_numpy(dtype=object, na_value=None)[rows]
        if "schedule" in medications
        else np.full(rows.size, None, dtype=object)
    )
    dose = pd.to_numeric(medications["dose"], errors="coerce").to_numpy(dtype=np.float64)[rows]
    per_day = np.isin(units, list(PER_DAY_UNITS))
    per_dose = np.isin(units, list(PER_DOSE_UNITS))
    basis = (
        np.array([PER_DAY_UNITS.get(u) or PER_DOSE_UNITS.get(u) for u in units], dtype=object)
        if rows.size
        else np.array([], dtype=object)
    )
    doses_per_day = (
        np.array([DOSES_PER_DAY.get(s, np.nan) for s in schedules], dtype=np.float64)
        if rows.size
        else np.array([])
    )
    factor = np.full(rows.size, np.nan)
    factor[per_day] = np.where(schedules[per_day] == "alternate_day", 0.5, 1.0)
    factor[per_dose] = doses_per_day[per_dose]
    daily_amount = dose * factor  # in the row's basis: mg, mg/kg or mg/m2 per day

    bsa = np.full(rows.size, np.nan)
    can_bsa = (basis == "m2") & ~np.isnan(weight_kg) & ~np.isnan(height_cm)
    if can_bsa.any():
        bsa[can_bsa] = values_or_nan(
            bsa_m2, {"height_cm": height_cm[can_bsa], "weight_kg": weight_kg[can_bsa]}
        )
    contribution = np.full(rows.size, np.nan)
    by_kg = basis == "kg"
    by_mg = basis == "mg"
    by_m2 = basis == "m2"
    contribution[by_kg] = daily_amount[by_kg]
    contribution[by_mg] = daily_amount[by_mg] / weight_kg[by_mg]
    contribution[by_m2] = daily_amount[by_m2] * bsa[by_m2] / weight_kg[by_m2]
    return contribution, bsa, basis


def steroid_doses_at(
    medications: pd.DataFrame,
    *,
    med_pid: np.ndarray,
    med_start_day: np.ndarray,
    med_end_day: np.ndarray,
    visits: pd.DataFrame,
    visit_pid: np.ndarray,
    visit_day: np.ndarray,
    query_day: np.ndarray,
) -> SteroidDoses:
    """Oral steroid dose (mg/kg/day) per patient on ``query_day`` (indexed by patient).

    Patients whose query day is unknown get NA.
    """
    n_patients = query_day.size
    drugs = medications["drug"].astype("string").to_numpy(dtype=object, na_value=None)
    is_steroid = np.isin(drugs, STEROID_DRUGS) & (med_pid >= 0)
    start = med_start_day
    end = med_end_day
    q = np.full(med_pid.shape, np.nan)
    q[med_pid >= 0] = query_day[med_pid[med_pid >= 0]]
    active = is_steroid & (start <= q) & (np.isnan(end) | (q <= end))
    active &= ~_handed_over(med_pid, start, end, q, is_steroid)
    rows = np.flatnonzero(active)
    pid = med_pid[rows]
    day = q[rows]

    size = _body_size(visits, visit_pid, visit_day, pid, day)
    weight_row, weight_kg = size["weight"]
    height_row, height_cm = size["height"]
    contribution, bsa, basis = row_doses(medications, rows, weight_kg, height_cm)
    needs_weight = basis != "kg"
    needs_height = basis == "m2"

    total = np.zeros(n_patients)
    np.add.at(total, pid, np.nan_to_num(contribution, nan=0.0))
    unknown = np.zeros(n_patients, dtype=bool)
    unknown[pid[np.isnan(contribution)]] = True
    total[unknown | np.isnan(query_day)] = np.nan

    detail = pd.DataFrame(
        {
            "pid": pid,
            "med_row": rows,
            "mg_kg_day": contribution,
            "weight_row": np.where(needs_weight, weight_row, -1),
            "weight_kg": np.where(needs_weight, weight_kg, np.nan),
            "height_row": np.where(needs_height, height_row, -1),
            "height_cm": np.where(needs_height, height_cm, np.nan),
            "bsa_m2": bsa,
        }
    )
    return SteroidDoses(mg_kg_day=total, rows=detail)
