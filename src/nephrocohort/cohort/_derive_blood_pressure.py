"""Blood pressure at onset: the AAP 2017 category of the onset visits, beside the recorded flag.

*Onset visits* are the patient's visits dated from ``ONSET_WINDOW_DAYS_BEFORE``
days before to ``ONSET_WINDOW_DAYS_AFTER`` days after ``onset_date``
(inclusive): the presentation, which a referral may date a few days before or
after the recorded onset. Each onset visit with SBP and DBP is classified by
the AAP 2017 guideline (nephrocohort.clinical.blood_pressure); a child of 1-12
years needs a height: the visit's own, else the patient's height measured
nearest to it within ``HEIGHT_WITHIN_DAYS`` days (children grow about 0.5 cm
a month, less than the spacing of the table's height columns).

Per patient: ``onset_bp_category`` is the highest category of the onset
visits, ``onset_hypertension_bp`` is True when it is stage 1 or stage 2
hypertension, False when at least one onset visit was classified and none
reached stage 1, NA when no onset visit could be classified. The recorded
``patients.hypertension_at_onset`` stays the ``onset_hypertension`` column;
where both are known and disagree, :func:`onset_hypertension_findings` gives
one warning per patient (a data-quality finding, never resolved silently).

References
----------
Flynn JT et al. Pediatrics 2017;140(3):e20171904 (Tables 3-5); the window and
the height rule are this project's definitions (docs/derivation.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.clinical.blood_pressure import BP_CATEGORIES, classify_bp_aap2017_array
from nephrocohort.clinical.growth import height_for_age_percentile_array
from nephrocohort.cohort._derive_common import DAYS_PER_YEAR, day_numbers
from nephrocohort.cohort.contract import SOURCE_ROW
from nephrocohort.cohort.problems import WARNING, Problem, make_problem
from nephrocohort.messages import Message

__all__ = [
    "ONSET_WINDOW_DAYS_BEFORE",
    "ONSET_WINDOW_DAYS_AFTER",
    "HEIGHT_WITHIN_DAYS",
    "OnsetBloodPressure",
    "onset_blood_pressure",
    "onset_hypertension_disagreement",
    "onset_hypertension_findings",
]

ONSET_WINDOW_DAYS_BEFORE = 7
ONSET_WINDOW_DAYS_AFTER = 7
HEIGHT_WITHIN_DAYS = 30
HYPERTENSIVE = ("stage_1_hypertension", "stage_2_hypertension")

# The accepted inputs of the clinical functions; a reading outside them is not classified
# (reason "out_of_range") rather than failing the whole derivation (a cohort built in code
# is not validated).
_RANGES = {"sbp": (40, 250), "dbp": (15, 180), "age": (0, 20), "height": (30, 250)}


@dataclass(frozen=True)
class OnsetBloodPressure:
    """Per patient the derived values; per onset visit what was read (for explain and findings).

    ``visit_rows`` are positions in ``cohort.visits``; ``visit_pid`` the patient
    code of each; ``visit_category``/``visit_reason`` the AAP 2017 result;
    ``visit_height_cm`` the height used (the visit's own or the nearest).
    """

    category: np.ndarray  # object: a BP_CATEGORIES code or None, per patient
    hypertension: np.ndarray  # float 1.0 / 0.0 / NaN per patient
    visit_rows: np.ndarray
    visit_pid: np.ndarray
    visit_category: np.ndarray
    visit_reason: np.ndarray
    visit_height_cm: np.ndarray
    visit_sbp_mmhg: np.ndarray
    visit_dbp_mmhg: np.ndarray
    visit_height_percentile: np.ndarray


def _nearest_height(visits: pd.DataFrame, pid: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Each visit's height, or the same patient's height measured nearest within the window."""
    height = pd.to_numeric(visits["height_cm"], errors="coerce").to_numpy(dtype=float)
    missing = np.flatnonzero(np.isnan(height) & (pid >= 0) & ~np.isnan(day))
    measured = np.flatnonzero(~np.isnan(height) & (pid >= 0) & ~np.isnan(day))
    if missing.size == 0 or measured.size == 0:
        return height
    left = pd.DataFrame({"pid": pid[missing], "day": day[missing], "row": missing})
    right = pd.DataFrame({"pid": pid[measured], "day": day[measured], "h": height[measured]})
    found = pd.merge_asof(
        left.sort_values("day"),
        right.sort_values("day"),
        on="day",
        by="pid",
        direction="nearest",
        tolerance=float(HEIGHT_WITHIN_DAYS),
    )
    filled = height.copy()
    filled[found["row"].to_numpy()] = found["h"].to_numpy(dtype=float)
    return filled


def onset_blood_pressure(
    visits: pd.DataFrame,
    *,
    visit_pid: np.ndarray,
    birth_day: np.ndarray,
    onset_day: np.ndarray,
    sex: np.ndarray,
) -> OnsetBloodPressure:
    """The AAP 2017 category of each patient's onset visits (module docstring for the rules).

    References
    ----------
    Flynn et al. 2017, Tables 3-5, through nephrocohort.clinical.blood_pressure.
    """
    n = onset_day.size
    day = day_numbers(visits["date"]) if len(visits) else np.array([], dtype=float)
    pid = np.asarray(visit_pid)
    known = pid >= 0
    safe = np.where(known, pid, 0)
    onset = np.where(known, onset_day[safe] if n else np.nan, np.nan)
    in_window = (
        known & (day >= onset - ONSET_WINDOW_DAYS_BEFORE) & (day <= onset + ONSET_WINDOW_DAYS_AFTER)
    )
    rows = np.flatnonzero(in_window)
    heights = _nearest_height(visits, pid, day)[rows] if rows.size else np.array([])
    sbp = pd.to_numeric(visits["sbp_mmhg"], errors="coerce").to_numpy(dtype=float)[rows]
    dbp = pd.to_numeric(visits["dbp_mmhg"], errors="coerce").to_numpy(dtype=float)[rows]
    age = (day[rows] - birth_day[pid[rows]]) / DAYS_PER_YEAR
    sexes = np.asarray(sex, dtype=object)[pid[rows]]
    sex_known = np.isin(sexes, ("M", "F"))
    outside = ~sex_known
    for name, values in (("sbp", sbp), ("dbp", dbp), ("age", age), ("height", heights)):
        low, high = _RANGES[name]
        outside |= ~np.isnan(values) & ((values < low) | (values > high))
    usable = ~outside
    percentile = np.full(rows.size, np.nan)
    with_height = usable & ~np.isnan(heights) & ~np.isnan(age)
    if with_height.any():
        percentile[with_height] = height_for_age_percentile_array(
            height_cm=heights[with_height], age_years=age[with_height], sex=sexes[with_height]
        )
    category = np.full(rows.size, None, dtype=object)
    reason = np.full(rows.size, "out_of_range", dtype=object)
    if usable.any():
        result = classify_bp_aap2017_array(
            sbp_mmhg=sbp[usable],
            dbp_mmhg=dbp[usable],
            age_years=age[usable],
            sex=sexes[usable],
            height_percentile=percentile[usable],
        )
        category[usable] = result.category
        reason[usable] = result.reason
    level = np.array(
        [-1 if c is None else BP_CATEGORIES.index(c) for c in category], dtype=np.int64
    )
    highest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(highest, pid[rows], level)
    patient_category = np.where(
        highest >= 0, np.asarray(BP_CATEGORIES, dtype=object)[np.maximum(highest, 0)], None
    )
    hypertensive = highest >= BP_CATEGORIES.index(HYPERTENSIVE[0])
    hypertension = np.where(highest >= 0, hypertensive.astype(float), np.nan)
    return OnsetBloodPressure(
        category=patient_category,
        hypertension=hypertension,
        visit_rows=rows,
        visit_pid=pid[rows],
        visit_category=category,
        visit_reason=reason,
        visit_height_cm=heights,
        visit_sbp_mmhg=sbp,
        visit_dbp_mmhg=dbp,
        visit_height_percentile=percentile,
    )


def onset_hypertension_disagreement(dataset: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(disagree, compared): boolean arrays over the rows of an analysis dataset.

    ``compared`` marks the patients with both the recorded ``onset_hypertension``
    and the derived ``onset_hypertension_bp`` known; ``disagree`` those of them
    whose two values differ. One definition for validate, derive and the report.
    """
    recorded = dataset["onset_hypertension"].astype("boolean")
    derived = dataset["onset_hypertension_bp"].astype("boolean")
    compared = (recorded.notna() & derived.notna()).to_numpy(dtype=bool)
    disagree = compared & (recorded != derived).fillna(False).to_numpy(dtype=bool)
    return disagree, compared


def onset_hypertension_findings(patients: pd.DataFrame, dataset: pd.DataFrame) -> list[Problem]:
    """One ``onset_hypertension_disagrees`` finding per patient whose two sources disagree.

    The recorded ``patients.hypertension_at_onset`` (column ``onset_hypertension``)
    against ``onset_hypertension_bp`` derived from the onset visits; patients
    with either unknown are not compared. Neither value is changed.

    References
    ----------
    Flynn et al. 2017, Table 3 (stage 1 and 2 hypertension); module docstring.
    """
    disagree, _compared = onset_hypertension_disagreement(dataset)
    rows = (
        patients[SOURCE_ROW]
        if SOURCE_ROW in patients.columns
        else pd.Series([None] * len(patients))
    )
    findings = []
    for i in np.flatnonzero(disagree):
        row = rows.iloc[i]
        findings.append(
            make_problem(
                "onset_hypertension_disagrees",
                table="patients",
                row=None if pd.isna(row) else int(row),
                column="hypertension_at_onset",
                value=patients["hypertension_at_onset"].iloc[i],
                severity=WARNING,
                patient_id=str(dataset["patient_id"].iloc[i]),
                category=Message(f"bp.category.{dataset['onset_bp_category'].iloc[i]}"),
                days_before=ONSET_WINDOW_DAYS_BEFORE,
                days_after=ONSET_WINDOW_DAYS_AFTER,
            )
        )
    return findings


_CATEGORY_TEXT = {
    "normal": "normal",
    "elevated": "elevated",
    "stage_1_hypertension": "stage 1 hypertension",
    "stage_2_hypertension": "stage 2 hypertension",
}
_REASON_TEXT = {
    "classified": "",
    "under_1_year": "not classified: under 1 year (the AAP 2017 tables begin at 1 year)",
    "bp_missing": "not classified: SBP or DBP not recorded",
    "dbp_not_below_sbp": "not classified: DBP not below SBP",
    "age_missing": "not classified: age unknown (no birth_date)",
    "height_missing": (
        f"not classified: no height on the visit or within {HEIGHT_WITHIN_DAYS} days (ages 1-12 "
        "are read by height percentile)"
    ),
    "out_of_range": "not classified: a value outside the accepted ranges",
}


def onset_visit_descriptions(onset: OnsetBloodPressure, patient: int) -> list[tuple[int, str]]:
    """(visit row, what was read) for each onset visit of one patient, for ``explain``.

    References
    ----------
    Flynn et al. 2017, Tables 3-5; module docstring (window, height rule).
    """
    described = []
    for i in np.flatnonzero(onset.visit_pid == patient):
        category = onset.visit_category[i]
        height, percentile = onset.visit_height_cm[i], onset.visit_height_percentile[i]
        sbp, dbp = onset.visit_sbp_mmhg[i], onset.visit_dbp_mmhg[i]
        bp_text = f" {sbp:g}/{dbp:g} mmHg" if not (np.isnan(sbp) or np.isnan(dbp)) else ""
        height_text = "" if np.isnan(height) else f", height {height:g} cm"
        if not np.isnan(percentile):
            height_text += f" (CDC 2000 percentile {percentile:.1f})"
        result = (
            _CATEGORY_TEXT[category]
            if category is not None
            else _REASON_TEXT[onset.visit_reason[i]]
        )
        described.append((int(onset.visit_rows[i]), f"onset visit{bp_text}{height_text}: {result}"))
    return described


def category_text(category: str) -> str:
    """The category code as words for a sentence ("stage 1 hypertension").

    References
    ----------
    Flynn et al. 2017, Table 3 (category names).
    """
    return _CATEGORY_TEXT[category]
