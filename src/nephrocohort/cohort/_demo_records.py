"""Turn the demo design (one row of targets per child) into the records of 26 charts.

Each chart is what a clinic would have entered over the years: the diagnostic
visit, weekly checks during the steroid trial, clinic visits (monthly around
the MMF start, quarterly otherwise) with weight, height, blood pressure and
labs, home dipsticks on relapse days, drug courses with dates and doses, and
events. Nothing derived is stored: the analysis reads these records.

How a design target becomes records (the derivation then finds it again):

- times: birth, onset, MMF start/stop and last visit are whole days from the
  design's months (365.25/12 days) and years (365.25 days);
- proteinuria: a state timeline (nephrotic, partial, complete) with the
  designed number of relapses in the 12 months before MMF and in the first
  year on MMF; every measurement's value lies inside its state's range under
  the study rule set, well away from the thresholds;
- steroid dose: the prednisolone course active on the MMF start day and on the
  follow-up day (12 months, or the MMF stop if sooner) is written in mg/day,
  and the weight measured that day makes it the designed mg/kg/day;
- eGFR: the creatinine and height measured on the MMF start day and 365 days
  later give the designed Schwartz (1976) eGFR with the clinical core's own
  equation (k by age and sex);
- chronic renal failure: creatinine giving an eGFR below 60 for more than 90
  days, and a recorded ckd (and dialysis or transplant) event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH, DAYS_PER_YEAR
from nephrocohort.clinical.blood_pressure import aap2017_table_row
from nephrocohort.clinical.kidney_function import egfr_schwartz_1976
from nephrocohort.cohort._demo_design import DEMO_DESIGN, PatientDesign
from nephrocohort.cohort._demo_growth import typical_height_cm, typical_weight_kg

__all__ = ["DEMO_SEED", "build_demo_tables"]

#: The seed of the demo cohort's random details (lab values, jitter of dates).
DEMO_SEED = 20140601
#: The latest last visit; the study collected records from 2005 to 2011.
LAST_VISIT_ANCHOR = dt.date(2011, 11, 30)
#: Day of the 12-month follow-up point. The derivation reads the dose on the calendar
#: anniversary (day 365 or 366); the designed dose runs on past it and the weight is measured
#: on day 365, the nearest visit either way.
FOLLOWUP_DAY = 365
CENTER = "CENTER-01"

NEPHROTIC, PARTIAL, COMPLETE = "nephrotic", "partial", "complete"
#: Measurement days of the time points; the derivation's calendar-month targets lie within
#: 2 days of them, well inside the windows (+/-15 or +/-30 days).
TIMEPOINT_DAYS = (0, 30, 91, 183, 365)

_CREATININE_UMOL_PER_MG = 88.4
_UPCR_MG_MMOL_PER_MG_MG = 113.12
_CHOLESTEROL_MG_DL_PER_MMOL_L = 38.67


@dataclass(frozen=True)
class _Times:
    birth: int
    onset: int
    last: int
    stop: int | None
    on_mmf_end: int
    followup_point: int


def _times(design: PatientDesign) -> _Times:
    """Whole days relative to the MMF start (day 0)."""
    onset = -round(design.months_to_mmf * DAYS_PER_MONTH)
    birth = onset - round(design.onset_age_months * DAYS_PER_MONTH)
    last = onset + round(design.followup_years * DAYS_PER_YEAR)
    stop = None if design.mmf_months is None else round(design.mmf_months * DAYS_PER_MONTH)
    on_mmf_end = last if stop is None else min(stop, last)
    return _Times(birth, onset, last, stop, on_mmf_end, min(FOLLOWUP_DAY, on_mmf_end))


@dataclass
class _Chart:
    """Records of one patient while they are being built (days relative to MMF start)."""

    design: PatientDesign
    times: _Times
    rng: np.random.Generator
    changes: list[tuple[int, str]] = field(default_factory=list)
    relapses: list[int] = field(default_factory=list)
    labs: list[tuple[int, str, str, str]] = field(default_factory=list)
    visits: dict[int, dict] = field(default_factory=dict)
    medications: list[tuple] = field(default_factory=list)
    events: list[tuple[int, str, str]] = field(default_factory=list)

    def state_on(self, day: int) -> str:
        state = NEPHROTIC
        for change_day, new_state in self.changes:
            if change_day > day:
                break
            state = new_state
        return state

    def age_years(self, day):
        return (np.asarray(day, dtype=float) - self.times.birth) / DAYS_PER_YEAR


# ---------------------------------------------------------------- proteinuria timeline


def _spread(low: int, high: int, count: int) -> list[int]:
    if count <= 0:
        return []
    if count == 1:
        return [int(round((low + high) / 2))]
    return [int(round(x)) for x in np.linspace(low, high, count)]


def _proteinuria_timeline(chart: _Chart) -> None:
    """State changes and relapse days realising the designed states and relapse counts."""
    d, t, rng = chart.design, chart.times, chart.rng
    remission_before = (
        d.state_month0
        if d.state_month0 != NEPHROTIC
        else (PARTIAL if rng.random() < 0.5 else COMPLETE)
    )
    changes = [(t.onset, NEPHROTIC)]
    relapses: list[int] = []

    def relapse(day: int, remission_state: str | None, *, remit_after: int | None = None) -> None:
        changes.append((day, NEPHROTIC))
        relapses.append(day)
        if remission_state is not None:
            gap = remit_after if remit_after is not None else 21 + int(rng.integers(0, 5))
            changes.append((day + gap, remission_state))

    # Before MMF: nephrotic through the steroid trial; remission on a second-line drug;
    # relapses in the earlier history; the designed relapses in the 12 months before MMF.
    needs_remission = d.relapses_before > 0 or d.state_month0 != NEPHROTIC
    if needs_remission:
        first_remission = t.onset + 60 + int(rng.integers(0, 30))
        changes.append((first_remission, remission_before))
        day = first_remission + 90 + int(rng.integers(0, 60))
        while day <= -385:
            relapse(day, remission_before)
            day += 140 + int(rng.integers(0, 80))
        window_low = max(-350, first_remission + 25)
        if d.state_month0 == NEPHROTIC:
            last_relapse = -20 - int(rng.integers(0, 20))
            others = _spread(window_low, last_relapse - 40, d.relapses_before - 1)
        else:
            last_relapse = None
            others = _spread(window_low, -60, d.relapses_before)
        for day in others:
            relapse(day, remission_before)
        if last_relapse is not None and d.relapses_before > 0:
            relapse(last_relapse, None)

    # On MMF: the month-1 state, then the designed relapses of the first year.
    after_state = d.state_month1 if d.state_month1 != NEPHROTIC else PARTIAL
    if d.state_month0 == NEPHROTIC and d.state_month1 != NEPHROTIC:
        first_change = 12 + int(rng.integers(0, 10))
        changes.append((first_change, d.state_month1))
    elif d.state_month1 == NEPHROTIC:
        first_change = 48 + int(rng.integers(0, 10))
        changes.append((first_change, PARTIAL))
    elif d.state_month0 != d.state_month1:
        first_change = 10 + int(rng.integers(0, 10))
        changes.append((first_change, d.state_month1))
    else:
        first_change = 0
    count_end = min(FOLLOWUP_DAY, t.on_mmf_end)
    low = max(first_change + 25, 50)
    high = count_end - 25 if count_end < FOLLOWUP_DAY else 335
    planned = _spread(low, high, d.relapses_after)
    for index, day in enumerate(planned):
        # Keep the 3- and 6-month checks out of a relapse when there is room.
        for target in (91, 183):
            if day <= target < day + 22 and (
                index + 1 == len(planned) or planned[index + 1] - target > 40
            ):
                day = target + 1
        planned[index] = day
    for day in planned:
        relapse(day, after_state)

    # After the first year: fewer relapses; chronic renal failure ends remission for good.
    crf_start = _crf_start(chart)
    rate = max(d.relapses_after / 2, 0.5)
    day = 380 + int(rng.integers(0, 60))
    horizon = (crf_start if crf_start is not None else t.last) - 30
    while day <= horizon:
        relapse(day, after_state)
        day += int(DAYS_PER_YEAR / rate) + int(rng.integers(-20, 20))
    if crf_start is not None:
        relapse(crf_start, None)

    chart.changes = sorted(changes)
    chart.relapses = sorted(relapses)
    _check_spacing(chart)


def _check_spacing(chart: _Chart) -> None:
    days = [day for day, _ in chart.changes]
    if len(set(days)) != len(days) or np.any(np.diff(chart.relapses) < 35):
        raise AssertionError(f"demo design of {chart.design.patient_id} does not fit its time line")


def _crf_start(chart: _Chart) -> int | None:
    """First day of the sustained eGFR < 60 (150 days before MMF was withdrawn)."""
    if chart.design.kidney_outcome is None:
        return None
    return chart.times.stop - 150


# ---------------------------------------------------------------- calendar of contacts


def _clinic_days(chart: _Chart) -> list[int]:
    t = chart.times
    dense = [30 * k for k in range(-13, 15)]
    dense = [{90: 91, 180: 183, 360: FOLLOWUP_DAY}.get(day, day) for day in dense]
    sparse_before = list(range(t.onset + 91, -390, 91))
    sparse_after = list(range(420 + 91, t.last, 91))
    days = set(dense + sparse_before + sparse_after)
    days |= {t.onset, t.last, t.followup_point}
    if t.stop is not None:
        days.add(t.stop)
    return sorted(day for day in days if t.onset <= day <= t.last)


# ---------------------------------------------------------------- lab values


def _format(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _proteinuria_value(chart: _Chart, state: str, test: str) -> tuple[str, str]:
    rng = chart.rng
    if test == "urine_protein_timed":
        low, high = {NEPHROTIC: (48, 160), PARTIAL: (6, 35), COMPLETE: (0.5, 3.2)}[state]
        return _format(rng.uniform(low, high), 1), "mg/m2/h"
    if test == "upcr":
        low, high = {NEPHROTIC: (2.6, 9.5), PARTIAL: (0.35, 1.7), COMPLETE: (0.04, 0.16)}[state]
        value = rng.uniform(low, high)
        if rng.random() < 0.2:
            return _format(value * _UPCR_MG_MMOL_PER_MG_MG, 0), "mg/mmol"
        return _format(value, 2), "mg/mg"
    grades = {
        NEPHROTIC: (("1000", "mg/dL"),),
        PARTIAL: (("30", "mg/dL"), ("100", "mg/dL"), ("300", "mg/dL")),
        COMPLETE: (("negative", "mg/dL"), ("trace", "mg/dL")),
    }[state]
    return grades[int(rng.integers(0, len(grades)))]


def _add_proteinuria(chart: _Chart, day: int, test: str) -> None:
    value, unit = _proteinuria_value(chart, chart.state_on(day), test)
    chart.labs.append((day, test, value, unit))


def _add_albumin_cholesterol(chart: _Chart, day: int, *, cholesterol: bool) -> None:
    rng = chart.rng
    state = chart.state_on(day)
    low, high = {NEPHROTIC: (1.2, 2.3), PARTIAL: (2.7, 3.4), COMPLETE: (3.6, 4.6)}[state]
    albumin = rng.uniform(low, high)
    if rng.random() < 0.15:
        chart.labs.append((day, "serum_albumin", _format(albumin * 10, 0), "g/L"))
    else:
        chart.labs.append((day, "serum_albumin", _format(albumin, 1), "g/dL"))
    if cholesterol:
        low, high = {NEPHROTIC: (260, 460), PARTIAL: (190, 260), COMPLETE: (140, 195)}[state]
        value = rng.uniform(low, high)
        if rng.random() < 0.15:
            chart.labs.append(
                (
                    day,
                    "serum_cholesterol",
                    _format(value / _CHOLESTEROL_MG_DL_PER_MMOL_L, 1),
                    "mmol/L",
                )
            )
        else:
            chart.labs.append((day, "serum_cholesterol", _format(value, 0), "mg/dL"))


# ---------------------------------------------------------------- body size and kidney function


def _k_times_height(height_cm, age_years, sex) -> float:
    """k x height of the clinical core's Schwartz (1976) equation (eGFR at creatinine 1 mg/dL)."""
    return float(
        egfr_schwartz_1976(height_cm=height_cm, creatinine_mg_dl=1.0, age_years=age_years, sex=sex)
    )


def _height_and_creatinine(
    target_egfr: float, height_cm: float, age: float, sex: str, *, carry: float
):
    """A measured height (0.1 cm) and creatinine (0.01 mg/dL) whose eGFR is the target.

    Among the pairs within 8 cm of the child's expected height, the one that
    best cancels ``carry`` (the rounding error accumulated over the patients
    built so far) is chosen, so that the cohort mean is the designed mean.
    Returns ``(height, creatinine, signed error)``.
    """
    k = _k_times_height(height_cm, age, sex) / height_cm
    centre = round(k * height_cm / target_egfr, 2)
    best = None
    for step in range(-8, 9):
        creatinine = round(centre + step * 0.01, 2)
        height = round(target_egfr * creatinine / k, 1)
        if creatinine <= 0.05 or abs(height - height_cm) > 8:
            continue
        error = k * height / creatinine - target_egfr
        if abs(error) > 0.1:
            continue
        score = abs(carry + error)
        if best is None or score < best[0]:
            best = (score, height, creatinine, error)
    return best[1], best[2], best[3]


def _dose_and_weight(target: float, weight_kg: float):
    """A prednisolone prescription (mg, schedule) and a weight giving ``target`` mg/kg/day."""
    schedule = "alternate_day" if target < 0.2 else "daily"
    per_day = 0.5 if schedule == "alternate_day" else 1.0
    best = None
    for step in (2.5, 1.0, 0.5):
        dose = max(step, round(target * weight_kg / per_day / step) * step)
        for weight in np.round(np.arange(weight_kg * 0.85, weight_kg * 1.15, 0.1), 1):
            error = abs(dose * per_day / weight - target)
            if best is None or error < best[0] - 1e-12:
                best = (error, dose, float(weight))
        if best[0] < 0.0015:
            break
    return best[1], schedule, best[2]


def _egfr_trajectory(chart: _Chart, day: int) -> float:
    d, t = chart.design, chart.times
    crf_start = _crf_start(chart)
    onset_egfr = d.egfr_start * 1.04
    month12 = d.egfr_month12 if d.egfr_month12 is not None else d.egfr_start
    if crf_start is not None and day >= crf_start:
        span = max(t.last - crf_start, 1)
        return 55.0 - 40.0 * (day - crf_start) / span
    if day <= 0:
        fraction = (day - t.onset) / max(-t.onset, 1)
        return onset_egfr + (d.egfr_start - onset_egfr) * fraction
    if day <= FOLLOWUP_DAY:
        return d.egfr_start + (month12 - d.egfr_start) * day / FOLLOWUP_DAY
    if crf_start is not None:
        return month12 + (66.0 - month12) * (day - FOLLOWUP_DAY) / max(crf_start - FOLLOWUP_DAY, 1)
    return month12


def _normal_bp_mmhg(age_years: float, sex: str, sbp_draw: int, dbp_draw: int) -> tuple[int, int]:
    """A normal BP for the age: the draw's place in 92-113/52-71 moved to 50th-89th percentile.

    The AAP 2017 Table 4/5 values at the 50th height column (ages 1-12) or the
    normal range below 120/80 (13 and over), so a child recorded without
    hypertension at onset is not hypertensive by the guideline either. The
    draws are kept (the random stream, and so the rest of the demo, is unchanged).
    """
    if age_years < 1:
        return sbp_draw, dbp_draw
    if age_years < 13:
        row = aap2017_table_row(age_years=age_years, sex=sex, height_percentile=50)
        sbp_range = (row.sbp_p50_mmhg, row.sbp_p90_mmhg - 1)
        dbp_range = (row.dbp_p50_mmhg, row.dbp_p90_mmhg - 1)
    else:
        sbp_range, dbp_range = (104, 119), (60, 79)
    sbp = sbp_range[0] + (sbp_draw - 92) * (sbp_range[1] - sbp_range[0]) // 21
    dbp = dbp_range[0] + (dbp_draw - 52) * (dbp_range[1] - dbp_range[0]) // 19
    return int(sbp), int(dbp)


# ---------------------------------------------------------------- one chart


def _build_chart(design: PatientDesign, rng: np.random.Generator, egfr_carry: dict) -> _Chart:
    chart = _Chart(design=design, times=_times(design), rng=rng)
    t, d = chart.times, design
    _proteinuria_timeline(chart)

    height_factor = 1.0 + rng.normal(0.0, 0.025)
    weight_factor = 1.0 + rng.normal(0.0, 0.06)
    clinic = _clinic_days(chart)

    # Visits: growth, blood pressure, edema.
    for day in clinic:
        age = float(chart.age_years(day))
        nephrotic = chart.state_on(day) == NEPHROTIC
        height = float(typical_height_cm(age, d.sex)) * height_factor
        weight = float(typical_weight_kg(age, d.sex)) * weight_factor * (1.06 if nephrotic else 1.0)
        high_bp = day == t.onset and d.hypertension == "yes"
        sbp = rng.integers(122, 138) if high_bp else rng.integers(92, 114)
        dbp = rng.integers(82, 94) if high_bp else rng.integers(52, 72)
        if not high_bp:
            sbp, dbp = _normal_bp_mmhg(age, d.sex, sbp, dbp)
        edema = d.edema if day == t.onset else ("yes" if nephrotic else "no")
        chart.visits[day] = {
            "weight_kg": round(weight, 1),
            "height_cm": round(height, 1),
            "sbp_mmhg": int(sbp),
            "dbp_mmhg": int(dbp),
            "edema": "yes" if edema == "yes" else "no",
        }

    # The two days that carry eGFR targets: height and creatinine measured together.
    creatinine_days = {}
    for day, target in ((0, d.egfr_start), (FOLLOWUP_DAY, d.egfr_month12)):
        if target is None or day > t.last:
            continue
        visit = chart.visits[day]
        height, creatinine, error = _height_and_creatinine(
            target, visit["height_cm"], float(chart.age_years(day)), d.sex, carry=egfr_carry[day]
        )
        egfr_carry[day] += error
        visit["height_cm"] = height
        creatinine_days[day] = _format(creatinine, 2)

    # The two days that carry steroid targets: dose and weight of that day.
    prednisolone_at = {}
    for day, target in ((0, d.steroid_before), (t.followup_point, d.steroid_after)):
        visit = chart.visits[day]
        if target > 0:
            dose, schedule, weight = _dose_and_weight(target, visit["weight_kg"])
            visit["weight_kg"] = weight
            prednisolone_at[day] = (dose, schedule)

    # Labs at the clinic, on trial days and on relapse and remission days.
    trial_days = [t.onset + 7 * week for week in range(1, 7)]
    change_days = [day for day, _ in chart.changes[1:] if day <= t.last]
    for day in trial_days:
        _add_proteinuria(chart, day, "upcr" if rng.random() < 0.5 else "dipstick_protein")
    for day in change_days:
        if day in chart.relapses:
            _add_proteinuria(chart, day, "dipstick_protein")  # home dipstick
            if day + 3 <= t.last:
                _add_proteinuria(chart, day + 3, "urine_protein_timed")
        else:
            _add_proteinuria(chart, day, "upcr")
    for index, day in enumerate(clinic):
        if day in TIMEPOINT_DAYS or day == t.onset:
            test = "urine_protein_timed"
        else:
            test = ("urine_protein_timed", "upcr", "dipstick_protein")[
                int(rng.choice(3, p=(0.5, 0.4, 0.1)))
            ]
        if day not in change_days or test == "urine_protein_timed":
            _add_proteinuria(chart, day, test)
        _add_albumin_cholesterol(chart, day, cholesterol=index % 3 == 0 or day == t.onset)
        if 0 <= day < t.on_mmf_end:
            count = rng.uniform(4.5, 10.5)
            if rng.random() < 0.2:
                chart.labs.append((day, "leukocytes", _format(count * 1000, 0), "/uL"))
            else:
                chart.labs.append((day, "leukocytes", _format(count, 1), "10^9/L"))
    _add_creatinine(chart, clinic, creatinine_days)
    _add_medications(chart, prednisolone_at)
    _add_events(chart)
    return chart


def _add_creatinine(chart: _Chart, clinic: list[int], exact: dict[int, str]) -> None:
    t, d, rng = chart.times, chart.design, chart.rng
    crf_start = _crf_start(chart)
    days = {day for index, day in enumerate(clinic) if index % 3 == 0} | {t.onset, t.last}
    if crf_start is not None:
        days |= {day for day in clinic if day >= crf_start - 30}
    # No other creatinine inside the 0- and 12-month windows than the designed ones.
    days = {day for day in days if not (-30 <= day <= 30 or 335 <= day <= 395)}
    for day in sorted(days | set(exact)):
        if day in exact:
            chart.labs.append((day, "serum_creatinine", exact[day], "mg/dL"))
            continue
        visit = chart.visits[day]
        egfr = _egfr_trajectory(chart, day) * rng.uniform(0.96, 1.04)
        if day == t.onset and d.aki == "yes":
            egfr = 45.0
        creatinine = _k_times_height(visit["height_cm"], float(chart.age_years(day)), d.sex) / egfr
        if rng.random() < 0.25:
            chart.labs.append(
                (
                    day,
                    "serum_creatinine",
                    _format(creatinine * _CREATININE_UMOL_PER_MG, 0),
                    "umol/L",
                )
            )
        else:
            chart.labs.append((day, "serum_creatinine", _format(creatinine, 2), "mg/dL"))
    if d.aki == "yes":  # recovery two weeks after the onset, seen on a check-up
        day = t.onset + 14
        height = chart.visits[t.onset]["height_cm"]
        chart.visits.setdefault(day, dict(chart.visits[t.onset], edema="yes"))
        creatinine = _k_times_height(height, float(chart.age_years(day)), d.sex) / (
            _egfr_trajectory(chart, day)
        )
        chart.labs.append((day, "serum_creatinine", _format(creatinine, 2), "mg/dL"))


# ---------------------------------------------------------------- drugs


def _add_medications(chart: _Chart, prednisolone_at: dict[int, tuple[float, str]]) -> None:
    t, d, rng = chart.times, chart.design, chart.rng
    q = t.followup_point
    meds = chart.medications

    # Prednisolone as a day-by-day plan, then one row per period with a constant dose.
    length = t.last - t.onset + 1
    plan = np.full(length, -1, dtype=np.int64)
    doses: list[tuple[float, str, str]] = []

    def paint(start: int, end: int, dose: float, unit: str, schedule: str) -> None:
        start, end = max(start, t.onset), min(end, t.last + 1)
        if end <= start:
            return
        doses.append((dose, unit, schedule))
        plan[start - t.onset : end - t.onset] = len(doses) - 1

    def weight_on(day: int) -> float:
        return float(typical_weight_kg(chart.age_years(day), d.sex))

    paint(t.onset, t.onset + 42, 60, "mg/m2/day", "daily")
    paint(t.onset + 42, t.onset + 84, 40, "mg/m2/dose", "alternate_day")
    before_start = max(-60, t.onset + 84)
    history_dose = max(2.5, round(0.5 * weight_on(-200) / 2.5) * 2.5)
    paint(t.onset + 84, before_start, history_dose, "mg/day", "alternate_day")
    before_end = max(min(60, q - 45), 5)
    dose0, schedule0 = prednisolone_at[0]
    paint(before_start, before_end, dose0, "mg/day", schedule0)
    if q in prednisolone_at:
        dose_q, schedule_q = prednisolone_at[q]
        per_day = {"daily": 1.0, "alternate_day": 0.5}
        taper = (dose0 * per_day[schedule0] + dose_q * per_day[schedule_q]) / 2
        paint(before_end, q - 45, max(2.5, round(taper / 2.5) * 2.5), "mg/day", "daily")
        paint(q - 45, t.last + 1, dose_q, "mg/day", schedule_q)
    elif q - 45 - before_end >= 30:
        taper = dose0 * (0.5 if schedule0 == "daily" else 0.25)
        paint(before_end, q - 45, max(2.5, round(taper / 2.5) * 2.5), "mg/day", "alternate_day")

    # Relapses: 60 mg/m2/day until remission, then 40 mg/m2 on alternate days (seed Methods),
    # except where the course would cover a day the analysis reads the dose.
    forbidden = [(-2, 2), (q - 46, q + 2), (t.onset, t.onset + 84)]
    for index, day in enumerate(chart.relapses):
        next_relapse = chart.relapses[index + 1] if index + 1 < len(chart.relapses) else t.last + 1
        end = min(day + 49, next_relapse)
        if any(day <= high and end > low for low, high in forbidden):
            continue
        paint(day, day + 21, 60, "mg/m2/day", "daily")
        paint(day + 21, end, 40, "mg/m2/dose", "alternate_day")

    start = 0
    while start < length:
        code = plan[start]
        end = start
        while end < length and plan[end] == code:
            end += 1
        if code >= 0:
            dose, unit, schedule = doses[code]
            end_day = None if end == length else t.onset + end
            meds.append(("prednisolone", t.onset + start, end_day, dose, unit, schedule, ""))
        start = end

    # Second-line drugs before MMF (they all stop by the MMF start: resistance).
    second_line_start = t.onset + 50
    if d.steroid_pulses:
        meds.append(
            ("methylprednisolone_pulse", t.onset + 43, t.onset + 45, 30, "mg/kg/dose", "daily", "")
        )
    if d.cyclophosphamide:
        meds.append(
            (
                "cyclophosphamide",
                second_line_start,
                second_line_start + 84,
                2,
                "mg/kg/day",
                "daily",
                "course completed; no sustained remission",
            )
        )
        second_line_start += 110
    if d.cyclosporine:
        reason = (
            "nephrotoxicity (creatinine rise)" if d.state_month0 == COMPLETE else "no remission"
        )
        meds.append(("cyclosporine", min(second_line_start, -60), 0, 5, "mg/kg/day", "bid", reason))

    # MMF 600 mg/m2 twice daily; diarrhea halves it for 4 weeks; a severe infection holds it.
    stop = t.stop
    if d.adverse_event == "diarrhea":
        onset_ae = 60 + int(rng.integers(0, 90))
        meds.append(("mmf", 0, onset_ae, 600, "mg/m2/dose", "bid", "diarrhea: dose halved"))
        meds.append(("mmf", onset_ae, onset_ae + 28, 300, "mg/m2/dose", "bid", "back to full dose"))
        meds.append(("mmf", onset_ae + 28, stop, 600, "mg/m2/dose", "bid", d.mmf_stop_reason))
        chart.events.append((onset_ae, "diarrhea", "diarrhea on MMF"))
        chart.events.append((onset_ae, "mmf_reduced", "dose halved for 4 weeks"))
    elif d.adverse_event == "severe_infection":
        onset_ae = 100 + int(rng.integers(0, 120))
        meds.append(("mmf", 0, onset_ae, 600, "mg/m2/dose", "bid", "held: severe infection"))
        meds.append(("mmf", onset_ae + 7, stop, 600, "mg/m2/dose", "bid", d.mmf_stop_reason))
        kind = ("pneumonia", "sepsis", "bacterial peritonitis", "cellulitis")[
            int(rng.integers(0, 4))
        ]
        chart.events.append((onset_ae, "severe_infection", f"{kind}; admitted"))
        chart.events.append((onset_ae, "mmf_suspended", "MMF held for 7 days"))
    else:
        meds.append(("mmf", 0, stop, 600, "mg/m2/dose", "bid", d.mmf_stop_reason))

    if d.rituximab_after_mmf:
        day = 200 + int(rng.integers(0, 60))
        if stop is not None and d.kidney_outcome is None and stop < t.last - 10:
            day = stop
        for offset in (0, 7):
            meds.append(("rituximab", day + offset, day + offset, 375, "mg/m2/dose", "single", ""))
    if d.enalapril:
        meds.append(("enalapril", t.onset + 60, None, 0.2, "mg/kg/day", "daily", ""))
    if d.losartan:
        meds.append(("losartan", max(t.onset + 120, -300), None, 0.7, "mg/kg/day", "daily", ""))


# ---------------------------------------------------------------- events


def _add_events(chart: _Chart) -> None:
    t, d, rng = chart.times, chart.design, chart.rng
    for day in chart.relapses:
        if day <= t.last:
            recorded = min(day + int(rng.integers(0, 3)), t.last)
            chart.events.append(
                (recorded, "relapse", "nephrotic-range proteinuria; prednisolone increased")
            )
    if d.aki == "yes":
        chart.events.append((t.onset, "aki", "acute kidney injury at presentation"))
    if d.kidney_outcome is not None:
        chart.events.append((t.stop, "ckd", "chronic renal failure"))
        chart.events.append((t.stop, "mmf_withdrawn", "MMF withdrawn definitively"))
        if d.kidney_outcome == "dialysis":
            chart.events.append((t.stop + 30, "dialysis", "peritoneal dialysis started"))
        if d.kidney_outcome == "transplant":
            chart.events.append((t.stop + 10, "transplant", "living-donor kidney transplant"))


# ---------------------------------------------------------------- tables


def _date(day0: dt.date, day: int | None) -> str:
    return "" if day is None else (day0 + dt.timedelta(days=int(day))).isoformat()


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_demo_tables(design=DEMO_DESIGN, *, seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """The demo cohort's tables as text, exactly as they are written to CSV."""
    rows = {
        name: []
        for name in ("patients", "biopsies", "genetics", "visits", "labs", "medications", "events")
    }
    egfr_carry = {0: 0.0, FOLLOWUP_DAY: 0.0}
    for index, patient in enumerate(design):
        chart = _build_chart(patient, np.random.default_rng([seed, index]), egfr_carry)
        t, d = chart.times, patient
        last_visit = LAST_VISIT_ANCHOR - dt.timedelta(days=(index * 53) % 300)
        day0 = last_visit - dt.timedelta(days=t.last)
        pid = d.patient_id
        rows["patients"].append(
            {
                "patient_id": pid,
                "center": CENTER,
                "sex": d.sex,
                "birth_date": _date(day0, t.birth),
                "onset_date": _date(day0, t.onset),
                "family_history_ns": "no",
                "consanguinity": "yes" if d.histology == "DMS" else "no",
                "consent_date": "",
                "assent_date": "",
                "consent_withdrawn_date": "",
                "hbv": "negative",
                "hcv": "negative",
                "syphilis": "negative",
                "hiv": "negative",
                "edema_at_onset": d.edema,
                "hypertension_at_onset": d.hypertension,
                "aki_at_onset": d.aki,
                "hematuria_at_onset": d.hematuria,
                "last_followup_date": _date(day0, t.last),
                "death_date": "",
            }
        )
        rows["biopsies"].append(
            {"patient_id": pid, "biopsy_date": _date(day0, t.onset + 49), "histology": d.histology}
        )
        if d.histology in ("FSGS", "DMS") and index % 2 == 0:
            for gene in ("NPHS2", "WT1"):
                rows["genetics"].append(
                    {
                        "patient_id": pid,
                        "test_date": _date(day0, t.onset + 150),
                        "gene": gene,
                        "variant": "",
                        "classification": "negative",
                    }
                )
        for day, visit in sorted(chart.visits.items()):
            rows["visits"].append(
                {
                    "patient_id": pid,
                    "date": _date(day0, day),
                    "weight_kg": _number(visit["weight_kg"]),
                    "height_cm": _number(visit["height_cm"]),
                    "sbp_mmhg": str(visit["sbp_mmhg"]),
                    "dbp_mmhg": str(visit["dbp_mmhg"]),
                    "edema": visit["edema"],
                }
            )
        for day, test, value, unit in sorted(chart.labs, key=lambda row: (row[0], row[1])):
            rows["labs"].append(
                {
                    "patient_id": pid,
                    "date": _date(day0, day),
                    "test": test,
                    "value": value,
                    "unit": unit,
                }
            )
        for drug, start, end, dose, unit, schedule, reason in sorted(
            chart.medications, key=lambda row: (row[1], row[0])
        ):
            rows["medications"].append(
                {
                    "patient_id": pid,
                    "drug": drug,
                    "start_date": _date(day0, start),
                    "end_date": _date(day0, end),
                    "dose": _number(float(dose)),
                    "dose_unit": unit,
                    "schedule": schedule,
                    "stop_reason": reason,
                }
            )
        for day, event, detail in sorted(chart.events, key=lambda row: (row[0], row[1])):
            rows["events"].append(
                {"patient_id": pid, "date": _date(day0, day), "event": event, "detail": detail}
            )
    return {name: pd.DataFrame(table, dtype="object") for name, table in rows.items()}
