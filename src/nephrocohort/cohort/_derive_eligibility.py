"""Eligibility and steroid response per patient, through the clinical core's rules.

The verdicts themselves are decided by ``nephrocohort.clinical`` (one rule,
one place); this module only gathers each patient's inputs from the derived
columns and calls the rule once per distinct set of inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nephrocohort.cohort._derive_common import combined_key, factorize_text, nearest_in_window
from nephrocohort.cohort._derive_steroids import STEROID_DRUGS
from nephrocohort.messages import Message

SEROLOGY_COLUMNS = ("hbv", "hcv", "syphilis", "hiv")
#: The reason of a patient without MMF (catalogue code; written in the active language).
NO_MMF_REASON = "eligibility.no_mmf"


def _text_or_none(column: pd.Series) -> np.ndarray:
    """Lower-case, stripped text (None for missing), normalised once per distinct value."""
    codes, names = factorize_text(column)
    lookup = np.array([str(name).strip().lower() for name in names] + [None], dtype=object)
    return lookup[codes]


def _none_if_nan(values: np.ndarray) -> list:
    return [None if v != v else v for v in values.tolist()]


def eligibility_verdicts(
    patients: pd.DataFrame,
    *,
    rule_set,
    age_at_mmf_start_years: np.ndarray,
    steroid_response: np.ndarray,
    egfr_before_mmf: np.ndarray,
    rituximab_before_mmf: np.ndarray,
) -> tuple[dict, pd.DataFrame]:
    """``eligible``, ``exclusion_reasons`` and ``eligibility_unchecked``, and each verdict's inputs.

    ``assess_eligibility`` (clinical core) decides; it is called once per
    distinct combination of inputs. ``exclusion_reasons`` holds the verdict's
    exclusions only; criteria that could not be checked (not recorded, which
    never excludes) go to ``eligibility_unchecked``. A patient without MMF
    is not eligible: the study population is children treated with MMF.
    """
    from nephrocohort.clinical.eligibility import assess_eligibility

    n = len(patients)
    rituximab = np.asarray(rituximab_before_mmf, dtype=np.float64)
    inputs = {
        "age_at_mmf_start_years": _none_if_nan(
            np.asarray(age_at_mmf_start_years, dtype=np.float64)
        ),
        "steroid_response": list(steroid_response),
        "egfr_before_mmf": _none_if_nan(np.asarray(egfr_before_mmf, dtype=np.float64)),
        **{
            name: list(_text_or_none(patients[name])) if name in patients else [None] * n
            for name in (*SEROLOGY_COLUMNS, "family_history_ns")
        },
        "rituximab_before_mmf": [None if np.isnan(r) else bool(r) for r in rituximab],
    }
    names = list(inputs)
    keys = list(zip(*inputs.values(), strict=True)) if n else []
    verdict_of = {
        key: assess_eligibility(rule_set=rule_set, **dict(zip(names, key, strict=True)))
        for key in set(keys)
    }
    verdicts = [verdict_of[key] for key in keys]
    no_mmf = np.isnan(np.asarray(age_at_mmf_start_years, dtype=np.float64))
    eligible = np.array([bool(v.eligible) for v in verdicts], dtype=bool) & ~no_mmf
    exclusions = [list(v.exclusions) for v in verdicts]
    no_mmf_reason = Message(NO_MMF_REASON).text
    for p in np.flatnonzero(no_mmf):
        exclusions[p] = [no_mmf_reason, *exclusions[p]]
    unchecked = [
        "; ".join(sentence for sentence in v.reasons if sentence not in v.exclusions)
        for v in verdicts
    ]
    return (
        {
            "eligible": pd.arrays.BooleanArray(eligible, np.zeros(n, dtype=bool)),
            "exclusion_reasons": pd.array(["; ".join(e) for e in exclusions], dtype="string"),
            "eligibility_unchecked": pd.array(unchecked, dtype="string"),
        },
        pd.DataFrame(inputs, dtype=object),
    )


def _steroid_trials(tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first continuous daily oral steroid course per patient.

    Returns ``(start_day, days_of_standard_dose, first_row)``. The course
    starts with the patient's earliest prednisolone/prednisone row; when that
    row is daily, later daily rows starting no later than the day after the
    course's last day so far extend it (a dose change is not a new course); an
    open row runs to the end of observation. End dates are inclusive: the
    length counts the first and the last day, except a last day handed over
    to another steroid row starting that day. A first row on another schedule
    gives a 0-day trial.
    """
    t = tables
    n = t.n_patients
    start = np.full(n, np.nan)
    length = np.full(n, np.nan)
    first_row = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(
        np.isin(t.med_drug, STEROID_DRUGS) & (t.med_pid >= 0) & ~np.isnan(t.med_start_day)
    )
    if rows.size == 0:
        return start, length, first_row
    rows = rows[np.lexsort((rows, t.med_start_day[rows], t.med_pid[rows]))]
    pid = t.med_pid[rows]
    begin = t.med_start_day[rows]
    end_of_observation = t.end_of_observation_day[pid]
    end = np.where(np.isnan(t.med_end_day[rows]), end_of_observation, t.med_end_day[rows])
    daily = t.med_schedule[rows] == "daily"
    first = np.r_[True, pid[1:] != pid[:-1]]
    block = np.cumsum(first) - 1
    block_start = begin[first][block]
    # rows that can extend the course: daily rows of the same patient; a gap ends it
    running_end = pd.Series(np.where(daily, end, -np.inf)).groupby(block).cummax().to_numpy()
    previous_end = np.r_[-np.inf, running_end[:-1]]
    # end dates are inclusive: a row starting the day after the previous end continues
    gap = ~first & (~daily | (begin > previous_end + 1))
    broken = pd.Series(gap).groupby(block).cummax().to_numpy()
    in_course = daily & ~broken & daily[first][block]
    course_end = pd.Series(np.where(in_course, end, -np.inf)).groupby(block).max().to_numpy()
    patients = pid[first]
    # Both the first and the last day count, except a last day handed over to
    # another (non-daily) steroid row starting that day (docs/derivation.md).
    handed_over = np.zeros(course_end.size, dtype=bool)
    other_starts = np.sort(combined_key(pid[~in_course], begin[~in_course]))
    finite = np.isfinite(course_end)
    if other_starts.size and finite.any():
        keys = combined_key(patients[finite], course_end[finite])
        found = np.searchsorted(other_starts, keys, side="left")
        found_ok = found < other_starts.size
        hit = np.zeros(keys.size, dtype=bool)
        hit[found_ok] = other_starts[found[found_ok]] == keys[found_ok]
        handed_over[np.flatnonzero(finite)[hit]] = True
    start[patients] = block_start[first]
    length[patients] = np.where(
        finite, course_end - begin[first] + 1 - handed_over.astype(np.float64), 0.0
    )
    first_row[patients] = rows[first]
    return start, length, first_row


def _int_or_none(value) -> int | None:
    return None if value < 0 else int(value)


def _state_near(daily, trial_start, offset_days: float, window_days: float, n: int):
    """Per patient, the state and lab row of the reading nearest ``trial start + offset_days``.

    Within ``window_days`` either side (``nearest_in_window``); -1 where there is none.
    """
    state = np.full(n, -1, dtype=np.int64)
    row = np.full(n, -1, dtype=np.int64)
    pids, positions = nearest_in_window(
        daily.pid,
        daily.day,
        anchor_day=trial_start,
        target_offset_days=offset_days,
        window_before_days=window_days,
        window_after_days=window_days,
    )
    state[pids] = daily.state[positions]
    row[pids] = daily.lab_row[positions]
    return state, row


def steroid_responses(cohort, tables, daily, *, rule_set) -> tuple[np.ndarray, pd.DataFrame]:
    """Steroid response per patient from the first oral steroid course.

    Day 0 is the start of the patient's first prednisolone/prednisone course.
    From the days that stand (refuted ones disregarded): the first complete
    remission on or after day 0, the state of the reading nearest day T
    (``steroid_trial_days``) within ``steroid_assessment_window_days``, and
    the last reading up to day L + that window (the end of the confirmation
    period) go to ``clinical.syndrome.steroid_response`` with the length of
    the daily course. Under a rule set without a confirmation period
    (``study``) the response needs a proteinuria reading from day 0 to day
    min(course length, L), as before. When the response is NA and the
    patients table carries a recorded ``steroid_response`` (sensitive/resistant,
    e.g. from a legacy sheet), the recorded value is used and explain says so.
    A response resting on an unconfirmed complete remission is marked
    ``unconfirmed``; so is SRNS read from the reading nearest day L when there
    is none near day T (``state_at_confirmation_end``).
    """
    from nephrocohort.clinical.syndrome import steroid_response
    from nephrocohort.cohort._derive_proteinuria import (
        COMPLETE,
        STATES,
        UNCONFIRMED,
        kept_states,
    )

    daily = kept_states(daily)
    n = tables.n_patients
    trial_start, trial_days, first_row = _steroid_trials(tables)
    syndrome = rule_set.syndrome
    trial = float(syndrome.steroid_trial_days)
    late_until = float(syndrome.steroid_late_response_until_day)
    window = float(rule_set.derivation.steroid_assessment_window_days)
    period = bool(syndrome.steroid_confirmation_only_after_partial)

    relative = daily.day - trial_start[daily.pid] if daily.pid.size else np.array([])
    on_or_after = relative >= 0

    complete = on_or_after & (daily.state == COMPLETE)
    complete_day = np.full(n, np.inf)
    np.minimum.at(complete_day, daily.pid[complete], relative[complete])
    complete_day[np.isinf(complete_day)] = np.nan
    complete_row = np.full(n, -1, dtype=np.int64)
    complete_unconfirmed = np.zeros(n, dtype=bool)
    firsts = np.flatnonzero(complete)
    if firsts.size:  # sorted by patient then day: the first per patient
        firsts = firsts[np.r_[True, daily.pid[firsts][1:] != daily.pid[firsts][:-1]]]
        complete_row[daily.pid[firsts]] = daily.lab_row[firsts]
        complete_unconfirmed[daily.pid[firsts]] = daily.status[firsts] == UNCONFIRMED

    # The state at 4 weeks leaves out complete-remission days after day T: a complete
    # remission that starts after day T is not "complete remission within 4 weeks"
    # (IPNA 2022 Table 1); it is a remission in the confirmation period, which only a
    # partial remission at 4 weeks opens (clinical.syndrome).
    not_late_complete = ~((daily.state == COMPLETE) & (relative > trial))
    at_trial_end, at_trial_end_row = _state_near(
        daily.subset(not_late_complete), trial_start, trial, window, n
    )
    # The reading nearest day L (6 weeks): SRNS, marked unconfirmed, when there is
    # no reading at 4 weeks and it shows no complete remission (clinical.syndrome).
    at_late_end, at_late_end_row = _state_near(daily, trial_start, late_until, window, n)
    observed_to = np.full(n, -np.inf)
    until = on_or_after & (relative <= late_until + window)
    np.maximum.at(observed_to, daily.pid[until], relative[until])
    observed_to[np.isinf(observed_to)] = np.nan

    if period:
        has_evidence = (at_trial_end >= 0) | (complete_day <= trial) | (at_late_end >= 0)
    else:
        window_end = np.fmin(trial_days, late_until)
        evidence_mask = (
            on_or_after & (relative <= window_end[daily.pid]) if daily.pid.size else on_or_after
        )
        has_evidence = np.zeros(n, dtype=bool)
        has_evidence[daily.pid[evidence_mask]] = True
    has_evidence &= ~np.isnan(trial_start)

    response = np.full(n, None, dtype=object)
    reasons = np.full(n, "", dtype=object)
    verdict_unconfirmed = np.zeros(n, dtype=bool)
    judged = np.flatnonzero(has_evidence)
    if judged.size:
        # one call per distinct (trial length, complete day, state at T, observed to)
        keys = pd.DataFrame(
            {
                "days": np.nan_to_num(trial_days[judged], nan=-1.0),
                "complete": np.nan_to_num(complete_day[judged], nan=-1.0),
                "state": at_trial_end[judged],
                "observed": np.nan_to_num(observed_to[judged], nan=-1.0),
                "late": at_late_end[judged],
            }
        )
        codes, uniques = pd.MultiIndex.from_frame(keys).factorize()
        unique_response = np.full(len(uniques), None, dtype=object)
        unique_reasons = np.full(len(uniques), "", dtype=object)
        unique_unconfirmed = np.zeros(len(uniques), dtype=bool)
        for index, (days, complete_at, state, observed, late) in enumerate(uniques):
            verdict = steroid_response(
                rule_set=rule_set,
                days_of_standard_dose=_int_or_none(days),
                complete_remission_day=_int_or_none(complete_at),
                state_at_trial_end=STATES[int(state)] if state >= 0 else None,
                observed_to_day=_int_or_none(observed),
                state_at_confirmation_end=STATES[int(late)] if late >= 0 else None,
            )
            unique_response[index] = verdict.response
            unique_reasons[index] = " ".join(verdict.reasons)
            unique_unconfirmed[index] = verdict.unconfirmed
        response[judged] = unique_response[codes]
        reasons[judged] = unique_reasons[codes]
        verdict_unconfirmed[judged] = unique_unconfirmed[codes]

    # "Lack of complete remission within 4 weeks of treatment with PDN at standard dose"
    # (IPNA 2022 SSNS Table 1): a first course known to be below the standard dose that
    # brought no remission is no steroid trial, so not steroid resistance: NA.
    dose_mg_kg_day, standard = _first_course_standard(cohort, tables, first_row, rule_set)
    low_trial = np.array([r == "resistant" for r in response], dtype=bool) & (standard == 0)
    response[low_trial] = None
    for p in np.flatnonzero(low_trial):
        reasons[p] = Message(
            "derive.steroid_trial_below_standard",
            {
                "dose": float(dose_mg_kg_day[p]),
                "standard": rule_set.derivation.steroid_trial_standard_mg_kg_day,
                "mg_m2": rule_set.syndrome.steroid_dose_mg_m2_day,
                "max_mg": rule_set.syndrome.steroid_max_mg_day,
                "percent": (1 - rule_set.derivation.steroid_trial_dose_tolerance) * 100,
            },
        ).text
    verdict_unconfirmed[low_trial] = False

    recorded_used = np.zeros(n, dtype=bool)
    if "steroid_response" in cohort.patients:
        recorded = (
            cohort.patients["steroid_response"]
            .astype("string")
            .str.strip()
            .str.lower()
            .to_numpy(dtype=object, na_value=None)
        )
        usable = np.array([r in ("sensitive", "resistant") for r in recorded], dtype=bool)
        recorded_used = usable & np.array([r is None for r in response], dtype=bool)
        response[recorded_used] = recorded[recorded_used]

    on_complete = np.isin(response.astype(str), ("sensitive", "late_responder"))
    unconfirmed = on_complete & complete_unconfirmed & ~recorded_used & (complete_row >= 0)
    unconfirmed |= verdict_unconfirmed & ~recorded_used
    trace = pd.DataFrame(
        {
            "med_row": first_row,
            "trial_start_day": trial_start,
            "days_of_standard_dose": trial_days,
            "complete_remission_day": complete_day,
            "complete_remission_row": complete_row,
            "state_at_trial_end": [STATES[s] if s >= 0 else None for s in at_trial_end],
            "state_at_trial_end_row": at_trial_end_row,
            "state_at_confirmation_end": [STATES[s] if s >= 0 else None for s in at_late_end],
            "state_at_confirmation_end_row": at_late_end_row,
            "verdict_unconfirmed": verdict_unconfirmed,
            "observed_to_day": observed_to,
            "has_evidence": has_evidence,
            "recorded_used": recorded_used,
            "unconfirmed": unconfirmed,
            "reasons": reasons,
            "trial_mg_kg_day": dose_mg_kg_day,
            "trial_standard_dose": standard,
        }
    )
    return response, trace


def _first_course_standard(cohort, tables, first_row, rule_set) -> tuple[np.ndarray, np.ndarray]:
    """Per patient: the first steroid row's daily dose (mg/kg/day) and whether it is standard.

    ``standard`` is 1 (at least ``1 - steroid_trial_dose_tolerance`` of
    ``steroid_trial_standard_mg_kg_day``, of ``syndrome.steroid_dose_mg_m2_day`` for an
    mg/m2 dose, or of the maximum ``steroid_max_mg_day`` in mg/day), 0 (below all of
    them) or -1 (unknown: no dose, unit or weight; or a rule set that does not check).
    The weight and height are those of the visit nearest the row's start.
    """
    from nephrocohort.cohort._derive_steroids import _body_size, row_doses

    n = tables.n_patients
    dose = np.full(n, np.nan)
    standard = np.full(n, -1, dtype=np.int64)
    params = rule_set.derivation
    per_kg, tolerance = params.steroid_trial_standard_mg_kg_day, params.steroid_trial_dose_tolerance
    has_row = np.flatnonzero(first_row >= 0)
    if per_kg is None or tolerance is None or has_row.size == 0:
        return dose, standard
    rows = first_row[has_row]
    t = tables
    size = _body_size(
        cohort.visits, t.visit_pid, t.visit_day, t.med_pid[rows], t.med_start_day[rows]
    )
    weight_kg = size["weight"][1]
    mg_kg_day, bsa, _ = row_doses(cohort.medications, rows, weight_kg, size["height"][1])
    keep = 1.0 - float(tolerance)
    mg_day = mg_kg_day * weight_kg
    mg_m2_day = mg_day / bsa
    known = ~np.isnan(mg_kg_day)
    reaches = (mg_kg_day >= keep * per_kg) | (mg_day >= keep * rule_set.syndrome.steroid_max_mg_day)
    reaches |= ~np.isnan(mg_m2_day) & (mg_m2_day >= keep * rule_set.syndrome.steroid_dose_mg_m2_day)
    dose[has_row] = mg_kg_day
    standard[has_row] = np.where(known, reaches.astype(np.int64), -1)
    return dose, standard
