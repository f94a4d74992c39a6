"""A straightforward per-patient loop, for comparison with the vectorised ``derive``.

This is how the derivation reads when written patient by patient: group each
table by patient, then walk the rows of one patient at a time with plain
Python and the scalar clinical functions. It implements the same rules as
``nephrocohort.cohort.derive`` for the columns that carry most of the work
(proteinuria states and response, relapses, steroid doses, eGFR, CRF) and is
used only by the benchmark, which also checks that both give the same values.
It follows the ``study`` rule set, whose confirmation periods are 1 day (every
measurement stands on its own); longer confirmation periods (ipna2020,
kdigo2021) are not implemented here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np
import pandas as pd

from nephrocohort.clinical.anthropometry import bsa_m2
from nephrocohort.clinical.kidney_function import egfr
from nephrocohort.exceptions import ClinicalInputError, RuleSetError

EPOCH = dt.date(1970, 1, 1)

LOOP_COLUMNS = (
    "state_month0",
    "state_month1",
    "state_month3",
    "state_month6",
    "state_month12",
    "response_month1",
    "relapses_before",
    "relapses_after",
    "relapses_per_year_before",
    "relapses_per_year_after",
    "steroid_mg_kg_day_before",
    "steroid_mg_kg_day_after",
    "egfr_mmf_start",
    "egfr_month12",
    "crf",
)


def _day(value) -> float:
    return math.nan if pd.isna(value) else float(pd.Timestamp(value).value // 86_400_000_000_000)


def _date(day: float) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def _add_months(day: float, months: int) -> float:
    """Same day of the month ``months`` later; a missing day falls on the month's last day."""
    if math.isnan(day):
        return math.nan
    d = _date(day)
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    target = dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
    return float((target - EPOCH).days)


def _completed_years(birth: float, day: float) -> float:
    if math.isnan(birth) or math.isnan(day):
        return math.nan
    b, d = _date(birth), _date(day)
    return float(d.year - b.year - ((d.month, d.day) < (b.month, b.day)))


def _groups(frame: pd.DataFrame) -> dict:
    return {key: group for key, group in frame.groupby(frame["patient_id"].astype(str), sort=False)}


def _nearest(rows, day, value_key):
    best, best_distance = None, math.inf
    for row in rows:
        if row[value_key] is None or math.isnan(row[value_key]):
            continue
        distance = abs(row["day"] - day)
        if distance < best_distance or (distance == best_distance and row["day"] < best["day"]):
            best, best_distance = row, distance
    return best


def _dose_on(day, meds, visits):
    total = 0.0
    steroids = [m for m in meds if m["drug"] in ("prednisolone", "prednisone")]
    for m in steroids:
        start, end = m["start"], m["end"]
        active = start <= day and (math.isnan(end) or day <= end)
        handed_over = end == day and any(o is not m and o["start"] == day for o in steroids)
        if not active or handed_over:
            continue
        unit, schedule, dose = m["unit"], m["schedule"], m["dose"]
        if unit in ("mg/day", "mg/kg/day", "mg/m2/day"):
            factor = 0.5 if schedule == "alternate_day" else 1.0
        else:
            factor = {"daily": 1.0, "bid": 2.0, "alternate_day": 0.5, "single": 1.0}.get(
                schedule, math.nan
            )
        amount = dose * factor
        if unit in ("mg/kg/day", "mg/kg/dose"):
            total += amount
            continue
        weight = _nearest(visits, day, "weight")
        if weight is None:
            return math.nan
        if unit in ("mg/day", "mg"):
            total += amount / weight["weight"]
        else:
            height = _nearest(visits, day, "height")
            if height is None:
                return math.nan
            total += (
                amount
                * bsa_m2(height_cm=height["height"], weight_kg=weight["weight"])
                / weight["weight"]
            )
    return total


def _egfr_series(p_labs, p_visits, birth, sex, equation):
    series = []
    for r in p_labs:
        if r.test != "serum_creatinine" or pd.isna(r.value):
            continue
        day = _day(r.date)
        height = _nearest(p_visits, day, "height")
        value = math.nan
        completed = _completed_years(birth, day)
        age = (
            completed
            if equation in ("schwartz-1976", "schwartz-bedside")
            else (day - birth) / 365.25
        )
        if height is not None and not math.isnan(birth):
            try:
                value = float(
                    np.round(
                        egfr(
                            equation,
                            creatinine_mg_dl=float(r.value),
                            height_cm=height["height"],
                            age_years=age,
                            sex=sex,
                        ),
                        6,
                    )
                )
            except ClinicalInputError:
                value = math.nan
        series.append({"day": day, "egfr": value, "age": completed})
    return series


def _crf(series, p_events, params) -> bool:
    crf = any(r.event in ("ckd", "dialysis", "transplant") for r in p_events)
    run_start = None
    for s in sorted(
        (s for s in series if not math.isnan(s["egfr"]) and s["age"] >= params.crf_min_age_years),
        key=lambda s: s["day"],
    ):
        if s["egfr"] < params.crf_egfr_below:
            run_start = s["day"] if run_start is None else run_start
            if s["day"] - run_start > params.crf_min_duration_days:
                crf = True
        else:
            run_start = None
    return crf


def loop_derive(cohort, rule_set) -> pd.DataFrame:
    """The benchmark's per-patient implementation (see the module docstring)."""
    params = rule_set.derivation
    priority = {test: rank for rank, test in enumerate(params.measurement_priority)}
    labs, meds, visits, events, biopsies = (
        _groups(cohort.labs),
        _groups(cohort.medications),
        _groups(cohort.visits),
        _groups(cohort.events),
        _groups(cohort.biopsies),
    )
    empty = pd.DataFrame()
    out = []
    for patient in cohort.patients.itertuples(index=False):
        pid = str(patient.patient_id)
        birth, onset = _day(patient.birth_date), _day(patient.onset_date)
        p_meds = [
            {
                "drug": r.drug,
                "start": _day(r.start_date),
                "end": _day(r.end_date),
                "dose": float(r.dose),
                "unit": r.dose_unit,
                "schedule": None if pd.isna(r.schedule) else r.schedule,
            }
            for r in meds.get(pid, empty).itertuples(index=False)
        ]
        p_visits = [
            {"day": _day(r.date), "weight": float(r.weight_kg), "height": float(r.height_cm)}
            for r in visits.get(pid, empty).itertuples(index=False)
        ]
        mmf = [
            m
            for m in p_meds
            if m["drug"] in ("mmf", "mycophenolate_sodium") and not math.isnan(m["start"])
        ]
        row = {"patient_id": pid}
        p_labs = list(labs.get(pid, empty).itertuples(index=False))
        p_events = list(events.get(pid, empty).itertuples(index=False))
        # end of observation: earliest of death (date or event) and the last follow-up
        # (the latest dated record when last_followup_date is empty)
        last_seen = _day(patient.last_followup_date)
        if math.isnan(last_seen):
            record_days = [_day(r.date) for r in p_labs] + [v["day"] for v in p_visits]
            record_days += [m["start"] for m in p_meds] + [m["end"] for m in p_meds]
            record_days += [_day(r.date) for r in p_events]
            if pid in biopsies:
                record_days += [_day(d) for d in biopsies[pid]["biopsy_date"]]
            record_days = [d for d in record_days if not math.isnan(d)]
            last_seen = max(record_days, default=math.nan)
        deaths = [_day(patient.death_date)] + [_day(r.date) for r in p_events if r.event == "death"]
        candidates = [d for d in (last_seen, *deaths) if not math.isnan(d)]
        end_obs = min(candidates, default=math.nan)
        series = _egfr_series(p_labs, p_visits, birth, patient.sex, params.egfr_equation)
        row["crf"] = _crf(series, p_events, params)
        if not mmf:
            out.append(row)
            continue
        start = min(m["start"] for m in mmf)
        stop = math.nan if any(math.isnan(m["end"]) for m in mmf) else max(m["end"] for m in mmf)
        on_mmf_end = (
            end_obs if math.isnan(stop) else min(stop, end_obs) if not math.isnan(end_obs) else stop
        )

        # daily proteinuria states
        best_of_day = {}
        for r in p_labs:
            day = _day(r.date)
            if r.test not in priority or pd.isna(r.measured_value):
                continue
            rank = priority[r.test]
            if day not in best_of_day or rank < best_of_day[day][0]:
                try:
                    state = rule_set.classify_proteinuria(
                        r.test, float(r.measured_value), r.measured_unit
                    )
                except (ClinicalInputError, RuleSetError):
                    continue  # a unit without a threshold: not used
                best_of_day[day] = (rank, state)
        daily = sorted((day, state) for day, (_, state) in best_of_day.items())

        for name, tp in params.timepoints.items():
            target = _add_months(start, tp.months)
            chosen = None
            for day, state in daily:
                inside = target - tp.window_before_days <= day <= target + tp.window_after_days
                if inside and (chosen is None or abs(day - target) < abs(chosen[0] - target)):
                    chosen = (day, state)
            row[f"state_{name}"] = None if chosen is None else chosen[1]
        row["response_month1"] = {
            "complete": "complete",
            "partial": "partial",
            "nephrotic": "none",
        }.get(row["state_month1"])

        # relapses: derived transitions and recorded events, merged
        derived = []
        for (_, previous), (day, state) in zip(daily, daily[1:], strict=False):
            if state == "nephrotic" and previous != "nephrotic":
                derived.append(day)
        recorded = sorted(
            _day(r.date) for r in p_events if r.event == "relapse" and not pd.isna(r.date)
        )
        # a recorded relapse pairs with the nearest derived one within the merge days
        # (earlier at equal distance); a derived one claimed twice keeps the nearest
        claims = {}  # derived day -> index of the recorded relapse paired with it
        for k, day in enumerate(recorded):
            best = None
            for d in derived:
                if best is None or abs(d - day) < abs(best - day):
                    best = d
            close = best is not None and abs(best - day) <= params.relapse_merge_days
            if close and (
                best not in claims or abs(best - day) < abs(recorded[claims[best]] - best)
            ):
                claims[best] = k
        paired = set(claims.values())
        episodes = [min(d, recorded[claims[d]]) if d in claims else d for d in derived]
        episodes += [day for k, day in enumerate(recorded) if k not in paired]
        period_months = params.relapse_period_months
        period_begin = _add_months(start, -period_months)
        period_end = _add_months(start, period_months)
        before_start = period_begin if math.isnan(onset) else max(period_begin, onset)
        after_end = math.nan if math.isnan(on_mmf_end) else min(period_end, on_mmf_end)
        before = sum(1 for d in episodes if before_start < d <= start)
        after = (
            sum(1 for d in episodes if start < d <= after_end)
            if not math.isnan(after_end)
            else math.nan
        )
        row["relapses_before"] = before
        row["relapses_after"] = after
        years_before = 1.0 if before_start == period_begin else (start - before_start) / 365.25
        years_after = 1.0 if after_end == period_end else (after_end - start) / 365.25
        row["relapses_per_year_before"] = (
            before / years_before if start > before_start else math.nan
        )
        row["relapses_per_year_after"] = after / years_after if after_end > start else math.nan

        # steroid doses
        anniversary = _add_months(start, params.steroid_followup_months)
        followup = anniversary if math.isnan(on_mmf_end) else min(anniversary, on_mmf_end)
        row["steroid_mg_kg_day_before"] = _dose_on(start, p_meds, p_visits)
        row["steroid_mg_kg_day_after"] = _dose_on(followup, p_meds, p_visits)

        for column, name in (("egfr_mmf_start", "month0"), ("egfr_month12", "month12")):
            tp = params.timepoints[name]
            target = _add_months(start, tp.months)
            inside = [
                s
                for s in series
                if not math.isnan(s["egfr"])
                and target - tp.window_before_days <= s["day"] <= target + tp.window_after_days
            ]
            best = _nearest(inside, target, "egfr")
            row[column] = math.nan if best is None else best["egfr"]

        out.append(row)
    return pd.DataFrame(out, columns=["patient_id", *LOOP_COLUMNS])


def compare(vectorised: pd.DataFrame, looped: pd.DataFrame) -> dict[str, int]:
    """Number of patients whose value differs, per column (0 everywhere = same results)."""
    differences = {}
    for column in LOOP_COLUMNS:
        a = vectorised[column].astype(object).where(vectorised[column].notna(), None).to_numpy()
        b = looped[column].astype(object).where(looped[column].notna(), None).to_numpy()
        count = 0
        for x, y in zip(a, b, strict=True):
            if x is None or y is None or (isinstance(y, float) and math.isnan(y)):
                count += (x is None) != (y is None or (isinstance(y, float) and math.isnan(y)))
            elif isinstance(x, float | np.floating):
                count += not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12)
            else:
                count += x != y
        differences[column] = count
    return differences
