"""Proteinuria over time: daily states, states at the time points, relapses, remission.

The rules (which test is best, windows, confirmation and merge days) come from
the rule set's ``derivation`` parameters; the thresholds come from the rule
set's own ``classify_proteinuria_array``. This module only decides how those
rules apply to a patient's series of measurements, once for all patients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.cohort._derive_common import (
    DAYS_PER_YEAR,
    add_months,
    combined_key,
    count_per_patient,
    factorize_text,
    nearest_in_window,
    nearest_row,
)
from nephrocohort.exceptions import ClinicalInputError, RuleSetError

#: State codes used inside the derivation; the dataset carries the names.
STATES = ("complete", "partial", "nephrotic")
COMPLETE, PARTIAL, NEPHROTIC = 0, 1, 2
RESPONSE_BY_STATE = ("complete", "partial", "none")


@dataclass(frozen=True)
class DailyStates:
    """One proteinuria state per patient and day, sorted by patient then day.

    ``lab_row`` is the position in ``cohort.labs`` of the measurement that
    decided the day (the best-ranked test of that day). Under a rule set with
    ``partial_remission_min_albumin_g_dl``, ``albumin_row`` is the position of
    the serum albumin checked for a day whose proteinuria is partial (``-1``:
    none checked or none within ``albumin_window_days``); ``albumin_g_dl`` is
    its value (NaN when none).
    """

    pid: np.ndarray
    day: np.ndarray
    state: np.ndarray
    lab_row: np.ndarray
    albumin_row: np.ndarray
    albumin_g_dl: np.ndarray


def daily_states(
    labs: pd.DataFrame,
    *,
    lab_pid: np.ndarray,
    lab_day: np.ndarray,
    test_codes: np.ndarray,
    test_names: np.ndarray,
    rule_set,
) -> DailyStates:
    """Classify every proteinuria measurement and keep each day's best one.

    A day with several measurements takes the first test of
    ``rule_set.derivation.measurement_priority`` present that day (timed urine
    protein, then UPCR, then dipstick under the shipped rule sets); within one
    test, the first row in file order. ``test_codes``/``test_names`` are the
    factorised ``labs.test`` column. A measurement in a unit the rule set has
    no threshold for (an empty unit, say) is not classified and not used.
    """
    priority = tuple(rule_set.derivation.measurement_priority)
    rank_by_test = {test: rank for rank, test in enumerate(priority)}
    name_rank = np.array(
        [rank_by_test.get(str(name), -1) for name in test_names] + [-1], dtype=np.int64
    )
    rank = name_rank[test_codes]  # code -1 (missing test) picks the trailing -1
    rows = np.flatnonzero((rank >= 0) & (lab_pid >= 0) & ~np.isnan(lab_day))
    values = labs["measured_value"].to_numpy(dtype=np.float64)[rows]
    rows, values = rows[~np.isnan(values)], values[~np.isnan(values)]
    state = np.full(rows.size, -1, dtype=np.int64)
    if rows.size:
        # One classification per (test, measured unit): thresholds apply in the
        # unit measured (RuleSet.criterion_for), never after a conversion.
        unit_codes, unit_names = factorize_text(labs["measured_unit"])
        unit_codes = unit_codes[rows]
        group = test_codes[rows] * (len(unit_names) + 1) + (unit_codes + 1)
        for key in np.flatnonzero(np.bincount(group)):
            members = group == key
            test = str(test_names[key // (len(unit_names) + 1)])
            unit_code = key % (len(unit_names) + 1) - 1
            unit = None if unit_code < 0 else str(unit_names[unit_code])
            try:
                state[members] = _classify(rule_set, test, unit, values[members])
            except (RuleSetError, ClinicalInputError):
                # No threshold for this unit (an empty or unexpected unit): these
                # rows cannot be classified and are not used; one bad row never
                # stops the cohort (validation reports the unit).
                continue
    classified = state >= 0
    rows, state = rows[classified], state[classified]
    if rows.size == 0:
        empty = np.array([], dtype=np.int64)
        no_day = np.array([], dtype=np.float64)
        return DailyStates(empty, no_day, empty, empty, empty, no_day)

    # Sort by patient, day and test rank in one int64 key; the stable sort keeps
    # file order among equal keys (rows are ascending).
    key = combined_key(lab_pid[rows], lab_day[rows])
    order = np.argsort(key * 8 + rank[rows], kind="stable")
    key_sorted = key[order]
    first_of_day = np.r_[True, key_sorted[1:] != key_sorted[:-1]]
    chosen = order[first_of_day]
    lab_rows = rows[chosen]
    day_state = state[chosen]
    albumin_row, albumin_g_dl = _albumin_for_partial_days(
        labs,
        lab_pid=lab_pid,
        lab_day=lab_day,
        test_codes=test_codes,
        test_names=test_names,
        day_pid=lab_pid[lab_rows],
        day=lab_day[lab_rows],
        day_state=day_state,
        rule_set=rule_set,
    )
    min_albumin = rule_set.derivation.partial_remission_min_albumin_g_dl
    if min_albumin is not None:
        # IPNA 2020 / KDIGO 2021: partial remission needs albumin >= 30 g/L;
        # a partial day with a lower albumin nearby is "no remission".
        day_state = np.where(albumin_g_dl < float(min_albumin), NEPHROTIC, day_state)
    return DailyStates(
        pid=lab_pid[lab_rows],
        day=lab_day[lab_rows],
        state=day_state,
        lab_row=lab_rows,
        albumin_row=albumin_row,
        albumin_g_dl=albumin_g_dl,
    )


def _albumin_for_partial_days(
    labs: pd.DataFrame,
    *,
    lab_pid: np.ndarray,
    lab_day: np.ndarray,
    test_codes: np.ndarray,
    test_names: np.ndarray,
    day_pid: np.ndarray,
    day: np.ndarray,
    day_state: np.ndarray,
    rule_set,
) -> tuple[np.ndarray, np.ndarray]:
    """The serum albumin (row, g/dL) nearest each partial day, within the window.

    Only when the rule set has ``partial_remission_min_albumin_g_dl`` (IPNA
    2020 Table 1; KDIGO 2021: partial remission = UPCR > 0.2 and < 2 mg/mg
    and albumin >= 30 g/L). The nearest albumin of the same patient counts if
    it is at most ``albumin_window_days`` from the proteinuria day (at equal
    distance the earlier one); none counts: ``-1``/NaN, and proteinuria decides
    alone (KDIGO 2025: "if available"). Albumin is the loaded canonical value
    (g/dL; g/L converted at loading), so no unit is guessed here.
    """
    albumin_row = np.full(day_pid.size, -1, dtype=np.int64)
    albumin_g_dl = np.full(day_pid.size, np.nan)
    params = rule_set.derivation
    if params.partial_remission_min_albumin_g_dl is None or "value" not in labs:
        return albumin_row, albumin_g_dl
    matches = np.flatnonzero(np.asarray(test_names, dtype=object) == "serum_albumin")
    if matches.size == 0:
        return albumin_row, albumin_g_dl
    value = labs["value"].to_numpy(dtype=np.float64)
    albumin_rows = np.flatnonzero(
        (test_codes == matches[0]) & (lab_pid >= 0) & ~np.isnan(lab_day) & ~np.isnan(value)
    )
    partial = np.flatnonzero(day_state == PARTIAL)
    if albumin_rows.size == 0 or partial.size == 0:
        return albumin_row, albumin_g_dl
    nearest = nearest_row(
        day_pid[partial], day[partial], lab_pid[albumin_rows], lab_day[albumin_rows]
    )
    found = nearest >= 0
    rows = np.where(found, albumin_rows[np.maximum(nearest, 0)], -1)
    close = found & (
        np.abs(lab_day[np.maximum(rows, 0)] - day[partial]) <= params.albumin_window_days
    )
    albumin_row[partial[close]] = rows[close]
    albumin_g_dl[partial[close]] = value[rows[close]]
    return albumin_row, albumin_g_dl


def _classify(rule_set, test: str, unit: str, values: np.ndarray) -> np.ndarray:
    """State codes for values of one test measured in one unit.

    Same rule as ``RuleSet.classify_proteinuria_array`` (nephrotic above the
    nephrotic threshold, complete below the complete threshold, partial in
    between), applied through the rule set's own criterion and thresholds;
    called per (test, unit) so that millions of rows classify in one pass.
    """
    criterion, factor = rule_set.criterion_for(test, unit)
    in_unit = values * factor
    nephrotic = np.asarray(criterion.nephrotic.applies(in_unit), dtype=bool)
    complete = np.asarray(criterion.complete.applies(in_unit), dtype=bool)
    return np.where(nephrotic, NEPHROTIC, np.where(complete, COMPLETE, PARTIAL)).astype(np.int64)


@dataclass(frozen=True)
class TimepointState:
    """The state chosen for one time point, per patient (``-1``: none in the window)."""

    name: str
    state: np.ndarray
    lab_row: np.ndarray
    target_day: np.ndarray
    window_start_day: np.ndarray
    window_end_day: np.ndarray


def timepoint_target_day(mmf_start_day: np.ndarray, timepoint) -> np.ndarray:
    """Target day of a time point: ``months`` calendar months after the MMF start.

    Month 12 after 2012-01-01 is 2013-01-01 (day 366 in a leap year), the same
    calendar rule as the relapse periods and the steroid follow-up day; the
    rule set's ``target_day`` is the nominal day count shown by ``rules show``.
    """
    return add_months(mmf_start_day, int(timepoint.months))


def timepoint_states(
    daily: DailyStates, *, mmf_start_day: np.ndarray, rule_set
) -> list[TimepointState]:
    """State at each rule-set time point: the nearest daily state inside its window.

    Windows are closed (a measurement on the edge day counts); at equal
    distance the earlier measurement wins. No measurement in the window gives
    a missing state.
    """
    n_patients = mmf_start_day.size
    result = []
    for name, timepoint in rule_set.derivation.timepoints.items():
        state = np.full(n_patients, -1, dtype=np.int64)
        lab_row = np.full(n_patients, -1, dtype=np.int64)
        target = timepoint_target_day(mmf_start_day, timepoint)
        pids, positions = nearest_in_window(
            daily.pid,
            daily.day,
            anchor_day=target,
            target_offset_days=0.0,
            window_before_days=float(timepoint.window_before_days),
            window_after_days=float(timepoint.window_after_days),
        )
        state[pids] = daily.state[positions]
        lab_row[pids] = daily.lab_row[positions]
        result.append(
            TimepointState(
                name=name,
                state=state,
                lab_row=lab_row,
                target_day=target,
                window_start_day=target - float(timepoint.window_before_days),
                window_end_day=target + float(timepoint.window_after_days),
            )
        )
    return result


def state_names(codes: np.ndarray) -> pd.Categorical:
    """State codes to a categorical of state names (``-1`` -> missing)."""
    return pd.Categorical.from_codes(codes, categories=list(STATES))


def response_names(codes: np.ndarray) -> pd.Categorical:
    """State at one month to the response: complete, partial, or none (still nephrotic)."""
    return pd.Categorical.from_codes(codes, categories=list(RESPONSE_BY_STATE))


def _next_change_day(pid: np.ndarray, day: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """For each row (sorted by patient, day), the day the class next changes (NaN: never)."""
    n = pid.size
    if n == 0:
        return np.array([], dtype=np.float64)
    starts = np.r_[True, (cls[1:] != cls[:-1]) | (pid[1:] != pid[:-1])]
    run_id = np.cumsum(starts) - 1
    run_first = np.flatnonzero(starts)
    run_pid = pid[run_first]
    next_start = np.r_[day[run_first][1:], np.nan]
    same_patient_next = np.r_[run_pid[1:] == run_pid[:-1], False]
    next_start[~same_patient_next] = np.nan
    return next_start[run_id]


def _confirmed(
    pid: np.ndarray, day: np.ndarray, cls: np.ndarray, confirmation_days: np.ndarray
) -> np.ndarray:
    """A state holds if no contrary state follows within its confirmation days."""
    if confirmation_days.size == 0 or confirmation_days.max() <= 1:
        # one state per day: the next different state is at least a day later
        return np.ones(pid.size, dtype=bool)
    change = _next_change_day(pid, day, cls)
    return np.isnan(change) | (change - day >= confirmation_days)


@dataclass(frozen=True)
class RelapseEpisodes:
    """Relapse episodes per patient, after merging derived and recorded relapses.

    ``sources`` holds one row per contributing relapse: ``episode`` (index into
    the episode arrays), ``kind`` (``derived`` or ``recorded``), ``row`` (the
    position in ``labs`` or ``events``) and ``day``.
    """

    pid: np.ndarray
    day: np.ndarray
    sources: pd.DataFrame


def relapse_episodes(
    daily: DailyStates,
    *,
    event_pid: np.ndarray,
    event_day: np.ndarray,
    event_is_relapse: np.ndarray,
    rule_set,
) -> RelapseEpisodes:
    """Relapses: returns to nephrotic range after remission, merged with recorded ones.

    A derived relapse is the first nephrotic day after a remission (complete
    or partial) in the daily series. States contradicted within their
    confirmation period (``relapse_confirmation_days`` for nephrotic,
    ``remission_confirmation_days`` for remission) are disregarded first.
    A recorded relapse and a derived relapse within ``relapse_merge_days`` of
    each other are one episode, dated by the earlier date; two derived (or two
    recorded) relapses are always two, and merges never chain
    (``_pair_recorded_with_derived``).
    """
    params = rule_set.derivation
    in_remission = (daily.state != NEPHROTIC).astype(np.int64)
    confirmation = np.where(
        in_remission == 1,
        float(params.remission_confirmation_days or 0),
        float(params.relapse_confirmation_days or 0),
    )
    keep = _confirmed(daily.pid, daily.day, in_remission, confirmation)
    pid, day, cls, lab_row = (
        daily.pid[keep],
        daily.day[keep],
        in_remission[keep],
        daily.lab_row[keep],
    )
    is_relapse = (
        np.r_[False, (cls[1:] == 0) & (cls[:-1] == 1) & (pid[1:] == pid[:-1])]
        if pid.size
        else np.array([], dtype=bool)
    )

    event_rows = np.flatnonzero(event_is_relapse & (event_pid >= 0) & ~np.isnan(event_day))
    c_pid = np.r_[pid[is_relapse], event_pid[event_rows]].astype(np.int64)
    c_day = np.r_[day[is_relapse], event_day[event_rows]]
    c_kind = np.r_[
        np.zeros(int(is_relapse.sum()), dtype=np.int64), np.ones(event_rows.size, dtype=np.int64)
    ]
    c_row = np.r_[lab_row[is_relapse], event_rows].astype(np.int64)
    order = np.lexsort((c_kind, c_day, c_pid))
    c_pid, c_day, c_kind, c_row = c_pid[order], c_day[order], c_kind[order], c_row[order]
    root = _pair_recorded_with_derived(
        c_pid, c_day, c_kind, merge_days=float(params.relapse_merge_days)
    )
    # An episode is a derived relapse with at most one recorded relapse paired to
    # it, or an unpaired recorded relapse; it is dated by its earliest date.
    episode_day = c_day.copy()
    np.minimum.at(episode_day, root, c_day)
    roots = np.flatnonzero(root == np.arange(root.size))
    roots = roots[np.lexsort((roots, episode_day[roots], c_pid[roots]))]
    episode_of_root = np.full(root.size, -1, dtype=np.int64)
    episode_of_root[roots] = np.arange(roots.size)
    candidates = pd.DataFrame(
        {
            "pid": c_pid,
            "day": c_day,
            "kind": np.array(["derived", "recorded"], dtype=object)[c_kind],
            "row": c_row,
            "episode": episode_of_root[root] if root.size else np.array([], dtype=np.int64),
        }
    )
    candidates = candidates.sort_values(["episode", "day", "kind"], kind="stable").reset_index(
        drop=True
    )
    return RelapseEpisodes(pid=c_pid[roots], day=episode_day[roots], sources=candidates)


def _pair_recorded_with_derived(
    pid: np.ndarray, day: np.ndarray, kind: np.ndarray, *, merge_days: float
) -> np.ndarray:
    """For each candidate relapse, the candidate whose episode it joins (itself if none).

    Only a recorded relapse (``kind`` 1) and a derived one (``kind`` 0) of the
    same patient within ``merge_days`` of each other are one relapse (DESIGN.md,
    derivation defaults). Each recorded relapse is paired with the nearest
    derived relapse (the earlier at equal distance); a derived relapse claimed
    by several recorded ones keeps the nearest (the earlier at equal distance)
    and the others stand alone. Two derived relapses, or two recorded ones, are
    never merged, and pairs never chain.
    """
    root = np.arange(pid.size)
    derived = np.flatnonzero(kind == 0)
    recorded = np.flatnonzero(kind == 1)
    if derived.size == 0 or recorded.size == 0:
        return root
    partner = nearest_row(pid[recorded], day[recorded], pid[derived], day[derived])
    has = partner >= 0
    distance = np.full(recorded.size, np.inf)
    distance[has] = np.abs(day[recorded[has]] - day[derived[partner[has]]])
    close = has & (distance <= merge_days)
    claims = np.flatnonzero(close)
    if claims.size == 0:
        return root
    # per derived relapse, the nearest claiming recorded one (earlier at equal distance)
    order = claims[np.lexsort((day[recorded[claims]], distance[claims], partner[claims]))]
    claimed = partner[order]
    winner = order[np.r_[True, claimed[1:] != claimed[:-1]]]
    root[recorded[winner]] = derived[partner[winner]]
    return root


@dataclass(frozen=True)
class RelapsePeriods:
    """Relapse counts and rates before and on MMF, with the periods used."""

    before_start_day: np.ndarray
    before_end_day: np.ndarray
    after_start_day: np.ndarray
    after_end_day: np.ndarray
    relapses_before: np.ndarray
    relapses_after: np.ndarray
    per_year_before: np.ndarray
    per_year_after: np.ndarray


def relapse_periods(
    episodes: RelapseEpisodes,
    *,
    mmf_start_day: np.ndarray,
    onset_day: np.ndarray,
    on_mmf_end_day: np.ndarray,
    rule_set,
) -> RelapsePeriods:
    """Relapses per year before MMF and on MMF.

    Periods are half-open ``(start, end]``: a relapse on the MMF start day
    counts before MMF (the drug cannot yet have acted; it is usually the
    relapse that led to MMF). Under ``relapse_period="12_months"`` the periods
    are the ``relapse_period_months`` before the start and after it; under
    ``"whole"`` they run from onset to the start and from the start to the end
    of MMF. Months are calendar months: the first year on MMF after
    2012-01-01 ends on 2013-01-01 included. A whole period observed counts as
    ``relapse_period_months / 12`` years; a shortened one as its days / 365.25. Observation cuts both: the before-period begins no earlier than
    onset and the on-MMF period ends at MMF stop or last follow-up, whichever
    is first. The rate is relapses per observed year (NA when nothing was
    observed).
    """
    params = rule_set.derivation
    n_patients = mmf_start_day.size
    whole_years = {}
    if params.relapse_period == "whole":
        before_start = onset_day.copy()
        after_end = on_mmf_end_day.copy()
    else:
        # calendar months: (start - 12 months, start] and (start, start + 12 months],
        # the anniversary day included
        months = int(params.relapse_period_months)
        period_begin = add_months(mmf_start_day, -months)
        period_end = add_months(mmf_start_day, months)
        before_start = np.fmax(period_begin, onset_day)
        after_end = np.fmin(period_end, on_mmf_end_day)
        after_end[np.isnan(on_mmf_end_day)] = np.nan
        # a whole period observed is exactly relapse_period_months / 12 years
        whole_years = {
            "before": before_start == period_begin,
            "after": after_end == period_end,
            "years": months / 12,
        }
    before_start[np.isnan(mmf_start_day)] = np.nan
    before_end = mmf_start_day.copy()
    after_start = mmf_start_day.copy()

    e_pid, e_day = episodes.pid, episodes.day
    counts = {}
    for label, start, end in (
        ("before", before_start, before_end),
        ("after", after_start, after_end),
    ):
        lo = start[e_pid] if e_pid.size else np.array([])
        hi = end[e_pid] if e_pid.size else np.array([])
        # Count against the period even when its start is unknown (NaN) for the
        # "before" side: without onset we still know the 12 months before MMF.
        inside = (e_day > np.where(np.isnan(lo), -np.inf, lo)) & (e_day <= hi)
        counts[label] = count_per_patient(n_patients, e_pid, inside)

    def rate(count, start, end, label):
        years = (end - start) / DAYS_PER_YEAR
        if whole_years:
            years = np.where(whole_years[label], whole_years["years"], years)
        out = np.full(n_patients, np.nan)
        observed = years > 0
        out[observed] = count[observed] / years[observed]
        return out

    no_mmf = np.isnan(mmf_start_day)
    before_count = counts["before"].astype(np.float64)
    after_count = counts["after"].astype(np.float64)
    before_count[no_mmf] = np.nan
    after_count[no_mmf | np.isnan(after_end)] = np.nan
    return RelapsePeriods(
        before_start_day=before_start,
        before_end_day=before_end,
        after_start_day=after_start,
        after_end_day=after_end,
        relapses_before=before_count,
        relapses_after=after_count,
        per_year_before=rate(before_count, before_start, before_end, "before"),
        per_year_after=rate(after_count, after_start, after_end, "after"),
    )


@dataclass(frozen=True)
class TimeToRemission:
    """Kaplan-Meier inputs: days from MMF start to the first confirmed complete remission."""

    days: np.ndarray
    observed: np.ndarray
    lab_row: np.ndarray


def time_to_complete_remission(
    daily: DailyStates, *, mmf_start_day: np.ndarray, on_mmf_end_day: np.ndarray, rule_set
) -> TimeToRemission:
    """First confirmed complete remission on MMF (from the start day), else censored.

    A complete state counts when no other state follows within
    ``remission_confirmation_days``. Follow-up for this event ends at MMF stop
    or last follow-up; a patient without remission is censored there.
    """
    n_patients = mmf_start_day.size
    is_complete = (daily.state == COMPLETE).astype(np.int64)
    confirmation = float(rule_set.derivation.remission_confirmation_days or 0)
    confirmed = _confirmed(daily.pid, daily.day, is_complete, np.full(daily.pid.size, confirmation))
    start = mmf_start_day[daily.pid] if daily.pid.size else np.array([])
    end = on_mmf_end_day[daily.pid] if daily.pid.size else np.array([])
    eligible_rows = np.flatnonzero(
        (is_complete == 1) & confirmed & (daily.day >= start) & ~(daily.day > end)
    )
    days = np.full(n_patients, np.nan)
    observed = np.zeros(n_patients, dtype=bool)
    lab_row = np.full(n_patients, -1, dtype=np.int64)
    if eligible_rows.size:
        # rows are sorted by patient then day: the first per patient is the earliest
        e_pid = daily.pid[eligible_rows]
        first = np.r_[True, e_pid[1:] != e_pid[:-1]]
        rows = eligible_rows[first]
        pids = daily.pid[rows]
        days[pids] = daily.day[rows] - mmf_start_day[pids]
        observed[pids] = True
        lab_row[pids] = daily.lab_row[rows]
    censored = ~observed & ~np.isnan(mmf_start_day)
    days[censored] = on_mmf_end_day[censored] - mmf_start_day[censored]
    return TimeToRemission(days=days, observed=observed, lab_row=lab_row)
