"""Kidney function over time: eGFR per creatinine, at MMF start and month 12, and CRF.

Every serum creatinine gets an eGFR with the rule set's equation
(``derivation.egfr_equation``), the height of the nearest visit, and the age
and sex of the patient on the day of the sample. The eGFR at a time point is
the one of the creatinine nearest to the time point inside its window (the
same windows as proteinuria). Chronic renal failure (CRF) is an eGFR below
``crf_egfr_below`` for more than ``crf_min_duration_days`` (consecutive
measurements all below the threshold, the first and last more than that many
days apart), or a recorded ``ckd``, ``dialysis`` or ``transplant`` event;
its date is the earlier of the first low value of that run and the event.

eGFR values measured before ``crf_min_age_years`` (completed years) are not
used for CRF. The rule sets ``ipna2020`` and ``kdigo2021`` set 2: normal GFR
rises over the first two years, so the GFR categories and the < 60 threshold
do not apply under 2 (KDIGO 2012 Clinical Practice Guideline for the
Evaluation and Management of CKD, Kidney Int Suppl 2013;3:1-150, chapter 1,
pediatric considerations; Pottel 2015, Pediatr Nephrol 30:821, adult cut-offs
"applied for children older than 2 years"; shared/reference/
clinical-reference.md section 5, pediatric caveat). ``study`` sets 0: the seed's definition has no age limit and its
population includes infants with diffuse mesangial sclerosis (DESIGN.md).

Ages. The original Schwartz (1976) and bedside Schwartz equations use age only
as a cut-off (k by age group, valid age range), so they get the age in
completed years (the birthday rule: an adolescent boy's k 0.70 applies from
his 13th birthday; ``completed_years``). CKiD U25 is continuous in age and
gets the decimal age (days / 365.25).

Precision. Each eGFR is rounded to ``EGFR_DECIMALS`` (6) decimals before any
threshold comparison (CRF < 60, eligibility > 60), so that floating-point
error cannot flip a decision: 0.55 x 120 / 1.1 computes as 59.99999999999999
in binary floating point but is 60.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.cohort._derive_common import (
    DAYS_PER_YEAR,
    completed_years,
    nearest_in_window,
    nearest_row,
    values_or_nan,
)
from nephrocohort.exceptions import ClinicalInputError, RuleSetError

CRF_EVENTS = ("ckd", "dialysis", "transplant")
#: eGFR precision (decimals) applied before every threshold comparison.
EGFR_DECIMALS = 6
#: Equations that use age as a cut-off only: they get the age in completed years.
AGE_IN_COMPLETED_YEARS = ("schwartz-1976", "schwartz-bedside")


@dataclass(frozen=True)
class EgfrSeries:
    """One eGFR per serum creatinine row (NaN when an input is missing or out of range)."""

    lab_row: np.ndarray
    pid: np.ndarray
    day: np.ndarray
    creatinine_mg_dl: np.ndarray
    height_cm: np.ndarray
    height_visit_row: np.ndarray
    age_years: np.ndarray
    age_completed_years: np.ndarray
    egfr: np.ndarray


CREATININE_EQUATIONS = ("schwartz-1976", "schwartz-bedside", "ckid-u25")


def _egfr_function(equation: str):
    from nephrocohort.clinical import kidney_function

    if equation not in CREATININE_EQUATIONS:
        raise RuleSetError(
            "rules.egfr_needs_cystatin",
            equation=equation,
            known=", ".join(CREATININE_EQUATIONS),
        )
    return lambda **inputs: kidney_function.egfr(equation, **inputs)


_TYPICAL_INPUTS = {"creatinine_mg_dl": 0.5, "height_cm": 120.0, "age_years": 10.0}


@functools.lru_cache(maxsize=16)
def accepted_ranges(equation: str) -> dict[str, tuple[float, float]]:
    """The input ranges the clinical core's equation accepts, found by asking it.

    The clinical core is the one place that declares each equation's valid
    range; it refuses a whole array when one element is outside. Rather than
    copy those limits here, each limit is located by bisection with scalar
    calls around a typical child (a few hundred calls, once per equation), and
    rows outside are given NaN before the one vectorised call.
    """
    compute = _egfr_function(equation)

    def accepts(name, value):
        try:
            compute(**{**_TYPICAL_INPUTS, name: value, "sex": "M"})
        except ClinicalInputError:
            return False
        return True

    ranges = {}
    for name, typical in _TYPICAL_INPUTS.items():
        if not accepts(name, typical):
            continue
        bounds = []
        for outer in (0.0, 1e4):
            if accepts(name, outer):
                bounds.append(outer)
                continue
            inside, outside = typical, outer
            for _ in range(200):
                middle = (inside + outside) / 2
                if middle in (inside, outside):  # adjacent floats: the limit is found exactly
                    break
                if accepts(name, middle):
                    inside = middle
                else:
                    outside = middle
            bounds.append(inside)
        ranges[name] = (bounds[0], bounds[1])
    return ranges


def _egfr_values(equation: str, inputs: dict[str, np.ndarray], sex: np.ndarray) -> np.ndarray:
    """eGFR for each row: NaN outside the equation's accepted ranges; one call per sex."""
    inside = np.ones(sex.size, dtype=bool)
    for name, (low, high) in accepted_ranges(equation).items():
        inside &= (inputs[name] >= low) & (inputs[name] <= high)
    out = np.full(sex.size, np.nan)
    compute = _egfr_function(equation)
    for code in ("M", "F"):
        rows = np.flatnonzero(inside & (sex == code))
        if rows.size:
            out[rows] = values_or_nan(
                functools.partial(compute, sex=code), {k: v[rows] for k, v in inputs.items()}
            )
    return out


def egfr_series(
    labs: pd.DataFrame,
    *,
    lab_pid: np.ndarray,
    lab_day: np.ndarray,
    test_codes: np.ndarray,
    test_names: np.ndarray,
    visits: pd.DataFrame,
    visit_pid: np.ndarray,
    visit_day: np.ndarray,
    birth_day: np.ndarray,
    sex: np.ndarray,
    rule_set,
) -> EgfrSeries:
    """eGFR for every serum creatinine of every patient."""
    creatinine_code = np.flatnonzero(np.asarray(test_names, dtype=object) == "serum_creatinine")
    is_creatinine = np.isin(test_codes, creatinine_code)
    values = labs["value"].to_numpy(dtype=np.float64)
    rows = np.flatnonzero(is_creatinine & (lab_pid >= 0) & ~np.isnan(lab_day) & ~np.isnan(values))
    pid, day, creatinine = lab_pid[rows], lab_day[rows], values[rows]

    heights = (
        visits["height_cm"].to_numpy(dtype=np.float64)
        if "height_cm" in visits
        else np.full(len(visits), np.nan)
    )
    height_ref_day = np.where(np.isnan(heights), np.nan, visit_day)
    height_row = nearest_row(pid, day, visit_pid, height_ref_day)
    height = np.where(
        height_row >= 0, heights[np.maximum(height_row, 0)] if heights.size else np.nan, np.nan
    )
    age_completed = completed_years(birth_day[pid], day)
    if rule_set.derivation.egfr_equation in AGE_IN_COMPLETED_YEARS:
        age = age_completed
    else:
        age = (day - birth_day[pid]) / DAYS_PER_YEAR
    patient_sex = sex[pid]

    complete = ~np.isnan(height) & ~np.isnan(age) & pd.notna(patient_sex)
    egfr = np.full(rows.size, np.nan)
    idx = np.flatnonzero(complete)
    if idx.size:
        egfr[idx] = _egfr_values(
            rule_set.derivation.egfr_equation,
            {
                "creatinine_mg_dl": creatinine[idx],
                "height_cm": height[idx],
                "age_years": age[idx],
            },
            np.asarray(patient_sex[idx], dtype=object),
        )
    egfr = np.round(egfr, EGFR_DECIMALS)
    return EgfrSeries(
        lab_row=rows,
        pid=pid,
        day=day,
        creatinine_mg_dl=creatinine,
        height_cm=height,
        height_visit_row=height_row,
        age_years=age,
        age_completed_years=age_completed,
        egfr=egfr,
    )


@dataclass(frozen=True)
class EgfrAtTimepoint:
    """eGFR chosen for one time point per patient; ``series_row`` -1 when none."""

    name: str
    egfr: np.ndarray
    series_row: np.ndarray
    window_start_day: np.ndarray
    window_end_day: np.ndarray


def egfr_at_timepoint(
    series: EgfrSeries, *, name: str, mmf_start_day: np.ndarray, rule_set
) -> EgfrAtTimepoint:
    """eGFR of the creatinine nearest the time point inside its window (earlier wins ties)."""
    from nephrocohort.cohort._derive_proteinuria import timepoint_target_day

    timepoint = rule_set.derivation.timepoints[name]
    target = timepoint_target_day(mmf_start_day, timepoint)
    usable = ~np.isnan(series.egfr)
    positions_all = np.flatnonzero(usable)
    pids, positions = nearest_in_window(
        series.pid[usable],
        series.day[usable],
        anchor_day=target,
        target_offset_days=0.0,
        window_before_days=float(timepoint.window_before_days),
        window_after_days=float(timepoint.window_after_days),
    )
    n_patients = mmf_start_day.size
    egfr = np.full(n_patients, np.nan)
    series_row = np.full(n_patients, -1, dtype=np.int64)
    chosen = positions_all[positions]
    egfr[pids] = series.egfr[chosen]
    series_row[pids] = chosen
    return EgfrAtTimepoint(
        name=name,
        egfr=egfr,
        series_row=series_row,
        window_start_day=target - float(timepoint.window_before_days),
        window_end_day=target + float(timepoint.window_after_days),
    )


@dataclass(frozen=True)
class ChronicRenalFailure:
    """CRF per patient: the date and what established it."""

    crf: np.ndarray
    crf_day: np.ndarray
    run_first_series_row: np.ndarray
    run_last_series_row: np.ndarray
    event_row: np.ndarray


def chronic_renal_failure(
    series: EgfrSeries,
    *,
    n_patients: int,
    event_pid: np.ndarray,
    event_day: np.ndarray,
    event_names: np.ndarray,
    rule_set,
) -> ChronicRenalFailure:
    """CRF from a sustained low eGFR or a recorded ckd/dialysis/transplant event."""
    params = rule_set.derivation
    min_age = float(params.crf_min_age_years)
    usable = np.flatnonzero(~np.isnan(series.egfr) & (series.age_completed_years >= min_age))
    order = usable[np.lexsort((series.day[usable], series.pid[usable]))]
    pid = series.pid[order]
    day = series.day[order]
    low = series.egfr[order] < float(params.crf_egfr_below)

    run_first = np.full(n_patients, -1, dtype=np.int64)
    run_last = np.full(n_patients, -1, dtype=np.int64)
    lab_crf_day = np.full(n_patients, np.nan)
    if order.size:
        starts = np.r_[True, (low[1:] != low[:-1]) | (pid[1:] != pid[:-1])]
        first_pos = np.flatnonzero(starts)
        last_pos = np.r_[first_pos[1:] - 1, order.size - 1]
        qualifies = low[first_pos] & (
            day[last_pos] - day[first_pos] > float(params.crf_min_duration_days)
        )
        q_first, q_last = first_pos[qualifies], last_pos[qualifies]
        q_pid = pid[q_first]
        # earliest qualifying run per patient (runs are in date order within a patient)
        keep = np.r_[True, q_pid[1:] != q_pid[:-1]] if q_pid.size else np.array([], dtype=bool)
        q_first, q_last, q_pid = q_first[keep], q_last[keep], q_pid[keep]
        run_first[q_pid] = order[q_first]
        run_last[q_pid] = order[q_last]
        lab_crf_day[q_pid] = day[q_first]

    is_event = np.isin(event_names, CRF_EVENTS) & (event_pid >= 0) & ~np.isnan(event_day)
    event_rows = np.flatnonzero(is_event)
    event_crf_day = np.full(n_patients, np.nan)
    event_row = np.full(n_patients, -1, dtype=np.int64)
    if event_rows.size:
        ordered = event_rows[np.lexsort((event_day[event_rows], event_pid[event_rows]))]
        e_pid = event_pid[ordered]
        first = ordered[np.r_[True, e_pid[1:] != e_pid[:-1]]]
        event_crf_day[event_pid[first]] = event_day[first]
        event_row[event_pid[first]] = first

    crf_day = np.fmin(lab_crf_day, event_crf_day)
    return ChronicRenalFailure(
        crf=~np.isnan(crf_day),
        crf_day=crf_day,
        run_first_series_row=run_first,
        run_last_series_row=run_last,
        event_row=event_row,
    )


def egfr_inputs_frame(series: EgfrSeries, positions: np.ndarray) -> pd.DataFrame:
    """The inputs behind chosen eGFR values, for explanations."""
    return pd.DataFrame(
        {
            "lab_row": series.lab_row[positions],
            "creatinine_mg_dl": series.creatinine_mg_dl[positions],
            "height_cm": series.height_cm[positions],
            "height_visit_row": series.height_visit_row[positions],
            "age_years": series.age_years[positions],
            "egfr": series.egfr[positions],
        }
    )
