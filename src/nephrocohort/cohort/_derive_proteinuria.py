"""Proteinuria over time: daily states, states at the time points, relapses, remission.

The rules (which test is best, windows, confirmation and merge days) come from
the rule set's ``derivation`` parameters; the thresholds come from the rule
set's own ``classify_proteinuria_array``. This module only decides how those
rules apply to a patient's series of measurements, once for all patients.
"""

from __future__ import annotations

import dataclasses
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
from nephrocohort.cohort.contract import SOURCE_ROW
from nephrocohort.cohort.problems import WARNING, Problem, RowList, make_problem
from nephrocohort.exceptions import ClinicalInputError, RuleSetError
from nephrocohort.messages import Message

#: State codes used inside the derivation; the dataset carries the names. Four states
#: (IPNA 2020 / KDIGO 2021): complete remission, partial remission, no remission (above
#: the partial range but below the nephrotic threshold, or partial-range proteinuria
#: without the albumin partial remission needs) and the nephrotic range.
STATES = ("complete", "partial", "none", "nephrotic")
COMPLETE, PARTIAL, NONE, NEPHROTIC = 0, 1, 2, 3
RESPONSE_BY_STATE = ("complete", "partial", "none", "none")
#: How a reading's state stands once confirmation is applied (``Confirmation``).
CONFIRMED, UNCONFIRMED, REFUTED = 0, 1, 2


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
    #: the proteinuria category alone (before albumin and the partial-remission tests)
    category: np.ndarray | None = None
    #: CONFIRMED, UNCONFIRMED or REFUTED per day (``confirm_states``); None before
    status: np.ndarray | None = None
    #: first day of the run of readings the day belongs to
    run_first_day: np.ndarray | None = None
    #: for a short run confirmed because it continues a confirmed run of the same state
    #: (no other state read in between): that run's first day; NaN otherwise
    confirmed_since: np.ndarray | None = None

    def subset(self, mask: np.ndarray) -> DailyStates:
        """The days where ``mask`` is true, every field kept aligned."""
        return DailyStates(
            **{
                name: None if getattr(self, name) is None else getattr(self, name)[mask]
                for name in self.__dataclass_fields__
            }
        )


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
    test, the worse state, then the higher value (the first row in file order
    only among identical readings), so the result does not depend on row order. ``test_codes``/``test_names`` are the
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
        return confirm_states(
            DailyStates(empty, no_day, empty, empty, empty, no_day, empty), rule_set
        )

    # Sort by patient, day and test rank; two readings of the same test on the same
    # day: the worse state first, then the higher canonical value (conservative, and
    # the same whatever the file order; same_day_readings warns about them); rows
    # are ascending, so the last key keeps file order only among identical readings.
    key = combined_key(lab_pid[rows], lab_day[rows])
    measured = labs["measured_value"].to_numpy(dtype=np.float64)[rows]
    canonical = _canonical_values(labs, rows, measured)
    order = np.lexsort((np.arange(rows.size), -canonical, -state, rank[rows], key))
    key_sorted = key[order]
    first_of_day = np.r_[True, key_sorted[1:] != key_sorted[:-1]]
    chosen = order[first_of_day]
    lab_rows = rows[chosen]
    category = state[chosen]
    params = rule_set.derivation
    # Only the rule set's partial-remission tests can show partial remission (IPNA 2020:
    # "UPCR ... > 20 but < 200 mg/mmol ... and serum albumin >= 30 g/L"); a partial-range
    # reading of another test (a 1+/2+ dipstick) is no remission.
    allowed = np.array(
        [str(name) in params.partial_remission_tests for name in test_names] + [False]
    )
    day_state = np.where(
        (category == PARTIAL) & ~allowed[test_codes[lab_rows]], NONE, category
    ).astype(np.int64)
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
    min_albumin = params.partial_remission_min_albumin_g_dl
    if min_albumin is not None:
        # IPNA 2020 / KDIGO 2021: partial remission needs albumin >= 30 g/L; a partial
        # day with a lower albumin nearby is "no remission" (not the nephrotic range:
        # the proteinuria is below the nephrotic threshold).
        low = albumin_g_dl < float(min_albumin)
        if params.partial_remission_without_albumin == "no_remission":
            low |= np.isnan(albumin_g_dl)
        day_state = np.where((day_state == PARTIAL) & low, NONE, day_state)
    return confirm_states(
        DailyStates(
            pid=lab_pid[lab_rows],
            day=lab_day[lab_rows],
            state=day_state,
            lab_row=lab_rows,
            albumin_row=albumin_row,
            albumin_g_dl=albumin_g_dl,
            category=category,
        ),
        rule_set,
    )


def confirm_states(daily: DailyStates, rule_set) -> DailyStates:
    """Each day's confirmation status: confirmed, unconfirmed (too sparse) or refuted.

    Days are grouped into runs of the same state (under ``consecutive_days``,
    on consecutive calendar days; under ``not_contradicted_within_days``,
    whatever the gaps). A run needs N days: ``remission_confirmation_days``
    for complete remission, ``relapse_confirmation_days`` for the nephrotic
    range (IPNA 2020 / KDIGO 2021: "on three or more consecutive days", "on 3
    consecutive days"); partial and no remission need one reading (under
    ``not_contradicted_within_days`` partial remission needs the remission
    days, as before). A run is **refuted** when another state is read within
    N days of its first day: it is disregarded everywhere. Under
    ``consecutive_days`` a run that spans N days is **confirmed**, and a
    shorter one that nothing contradicts is **unconfirmed**: the records are
    too sparse to tell, so the value is used and marked, unless it continues a
    confirmed run of the same state with no other state read in between
    (``_continue_confirmed``: the confirmed episode lasts). Under
    ``not_contradicted_within_days`` every run not refuted is confirmed.
    """
    params = rule_set.derivation
    pid, day, state = daily.pid, daily.day, daily.state
    n = pid.size
    if n == 0:
        empty = np.array([], dtype=np.int64)
        return dataclasses.replace(
            daily, status=empty, run_first_day=day.copy(), confirmed_since=day.copy()
        )
    consecutive = params.confirmation == "consecutive_days"
    need = np.ones(len(STATES), dtype=np.float64)
    need[COMPLETE] = float(params.remission_confirmation_days)
    need[NEPHROTIC] = float(params.relapse_confirmation_days)
    if not consecutive:
        need[PARTIAL] = float(params.remission_confirmation_days)
    same = np.r_[False, (pid[1:] == pid[:-1]) & (state[1:] == state[:-1])]
    if consecutive:
        same &= np.r_[False, day[1:] - day[:-1] == 1]
    run_id = np.cumsum(~same) - 1
    first = np.flatnonzero(~same)
    last = np.r_[first[1:] - 1, n - 1]
    first_day, last_day = day[first], day[last]
    needed = need[state[first]]
    next_other = _next_change_day(pid, day, state)[last]
    refuted = ~np.isnan(next_other) & (next_other - first_day < needed)
    if consecutive:
        run_status = np.where(
            last_day - first_day + 1 >= needed,
            CONFIRMED,
            np.where(refuted, REFUTED, UNCONFIRMED),
        )
    else:
        run_status = np.where(refuted, REFUTED, CONFIRMED)
    since = np.full(first.size, np.nan)
    if consecutive:
        _continue_confirmed(run_status, since, pid[first], state[first], first_day)
    return dataclasses.replace(
        daily,
        status=run_status[run_id].astype(np.int64),
        run_first_day=first_day[run_id],
        confirmed_since=since[run_id],
    )


def _continue_confirmed(run_status, since, run_pid, run_state, run_first_day) -> None:
    """A short run continuing a confirmed run of the same state is confirmed (in place).

    IPNA 2020 / IPNA 2022 Table 1: complete remission is reached on "three or more
    consecutive days" and lasts until a relapse ("on 3 consecutive days ... in a child who
    had previously achieved complete remission"); the nephrotic range lasts until a
    remission. A later reading of the same state, with no other state read in between
    (refuted readings are disregarded), belongs to that confirmed episode: it rests on
    the confirmed run, not on a single reading. ``since`` gets the confirmed run's first day.
    """
    kept = np.flatnonzero(run_status != REFUTED)
    if kept.size == 0:
        return
    episode_start = np.r_[
        True,
        (run_pid[kept][1:] != run_pid[kept][:-1]) | (run_state[kept][1:] != run_state[kept][:-1]),
    ]
    first_of_episode = np.maximum.accumulate(np.where(episode_start, np.arange(kept.size), 0))
    confirmed = run_status[kept] == CONFIRMED
    last_confirmed = np.maximum.accumulate(np.where(confirmed, np.arange(kept.size), -1))
    inherits = ~confirmed & (last_confirmed >= first_of_episode)
    run_status[kept[inherits]] = CONFIRMED
    since[kept[inherits]] = run_first_day[kept[last_confirmed[inherits]]]


def kept_states(daily: DailyStates) -> DailyStates:
    """The days whose state stands (confirmed or unconfirmed); refuted days are disregarded."""
    return daily.subset(daily.status != REFUTED)


def _canonical_values(labs: pd.DataFrame, rows: np.ndarray, measured: np.ndarray) -> np.ndarray:
    """The loaded canonical value of ``rows`` (the measured one where there is none)."""
    if "value" not in labs:
        return measured
    canonical = labs["value"].to_numpy(dtype=np.float64)[rows]
    return np.where(np.isnan(canonical), measured, canonical)


#: The tests whose same-day readings ``daily_states`` breaks ties between, and the
#: direction it takes (conservative): the higher proteinuria, the lower albumin.
SAME_DAY_TIE_TESTS = {
    "urine_protein_timed": "higher_proteinuria",
    "upcr": "higher_proteinuria",
    "dipstick_protein": "higher_proteinuria",
    "serum_albumin": "lower_albumin",
}


def same_day_readings(
    labs: pd.DataFrame,
    *,
    lab_pid: np.ndarray,
    lab_day: np.ndarray,
    test_codes: np.ndarray,
    test_names: np.ndarray,
) -> list[Problem]:
    """One ``same_day_readings`` warning per patient, day and test read twice with different values.

    ``daily_states`` and the albumin of a partial day take the higher proteinuria
    (the lower albumin) of the day, whatever the order of the rows; the warning
    names the rows so that the data manager can check which one is right. Values
    are compared as loaded (canonical unit); identical readings are not warned about.
    """
    if labs is None or len(labs) == 0:
        return []
    names = np.asarray([str(name) for name in test_names] + [""], dtype=object)
    test = names[test_codes]
    measured = labs["measured_value"].to_numpy(dtype=np.float64)
    value = _canonical_values(labs, np.arange(len(labs)), measured)
    usable = (
        np.isin(test, tuple(SAME_DAY_TIE_TESTS))
        & (lab_pid >= 0)
        & ~np.isnan(lab_day)
        & ~np.isnan(value)
    )
    if not usable.any():
        return []
    frame = pd.DataFrame(
        {"pid": lab_pid[usable], "day": lab_day[usable], "test": test[usable]},
    )
    frame["value"] = value[usable]
    frame["position"] = np.flatnonzero(usable)
    spread = frame.groupby(["pid", "day", "test"], sort=True)["value"].transform("nunique")
    frame = frame[spread.to_numpy() > 1]
    source_rows = labs[SOURCE_ROW] if SOURCE_ROW in labs.columns else None
    problems = []
    for (_pid, _day, name), group in frame.groupby(["pid", "day", "test"], sort=True):
        positions = group["position"].to_numpy()
        rows = RowList(
            None
            if source_rows is None or pd.isna(source_rows.iloc[p])
            else int(source_rows.iloc[p])
            for p in positions
        )
        first = int(positions[0])
        date = pd.Timestamp(labs["date"].iloc[first])
        problems.append(
            make_problem(
                "same_day_readings",
                table="labs",
                row=None if rows[0] is None else rows[0],
                column="value",
                severity=WARNING,
                patient_id=str(labs["patient_id"].iloc[first]),
                test=str(name),
                date=date.date().isoformat(),
                count=len(positions),
                rows=rows,
                kept=Message(f"same_day_readings.{SAME_DAY_TIE_TESTS[str(name)]}"),
            )
        )
    return problems


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
    distance the earlier one; several on that day: the lowest); none counts: ``-1``/NaN, and proteinuria decides
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
    # several albumins on one day: the lowest (conservative: it can only deny a
    # partial remission), the same whatever the file order; same_day_readings warns
    key = combined_key(lab_pid[albumin_rows], lab_day[albumin_rows])
    order = np.lexsort((albumin_rows, value[albumin_rows], key))
    albumin_rows = albumin_rows[order][np.r_[True, key[order][1:] != key[order][:-1]]]
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
    #: the chosen reading's state is not confirmed (too few consecutive days recorded)
    unconfirmed: np.ndarray


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
    a missing state. Refuted days (``confirm_states``) are disregarded; a
    state resting on an unconfirmed day is marked ``unconfirmed``.
    """
    daily = kept_states(daily)
    n_patients = mmf_start_day.size
    result = []
    for name, timepoint in rule_set.derivation.timepoints.items():
        state = np.full(n_patients, -1, dtype=np.int64)
        lab_row = np.full(n_patients, -1, dtype=np.int64)
        unconfirmed = np.zeros(n_patients, dtype=bool)
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
        unconfirmed[pids] = daily.status[positions] == UNCONFIRMED
        result.append(
            TimepointState(
                name=name,
                state=state,
                lab_row=lab_row,
                target_day=target,
                window_start_day=target - float(timepoint.window_before_days),
                window_end_day=target + float(timepoint.window_after_days),
                unconfirmed=unconfirmed,
            )
        )
    return result


def state_names(codes: np.ndarray) -> pd.Categorical:
    """State codes to a categorical of state names (``-1`` -> missing)."""
    return pd.Categorical.from_codes(codes, categories=list(STATES))


def response_names(codes: np.ndarray) -> pd.Categorical:
    """State at one month to the response: complete, partial, or none (no remission or nephrotic)."""
    codes = np.where(codes == NEPHROTIC, NONE, codes)
    return pd.Categorical.from_codes(codes, categories=["complete", "partial", "none"])


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


@dataclass(frozen=True)
class RelapseEpisodes:
    """Relapse episodes per patient, after merging derived and recorded relapses.

    ``sources`` holds one row per contributing relapse: ``episode`` (index into
    the episode arrays), ``kind`` (``derived`` or ``recorded``), ``row`` (the
    position in ``labs`` or ``events``), ``day`` and ``unconfirmed`` (a derived
    relapse whose nephrotic readings, or the complete remission before them,
    are not confirmed). An episode is ``unconfirmed`` when every source of it
    is an unconfirmed derived relapse (a recorded relapse is a clinician's
    statement, not a single reading).
    """

    pid: np.ndarray
    day: np.ndarray
    sources: pd.DataFrame
    unconfirmed: np.ndarray


@dataclass(frozen=True)
class StateEpisodes:
    """Stretches of one state per patient, from the days that stand (refuted ones dropped).

    ``first`` is the position in the kept daily series of each episode's first
    day; ``unconfirmed`` is true when no day of the episode is confirmed.
    """

    pid: np.ndarray
    day: np.ndarray
    state: np.ndarray
    first: np.ndarray
    unconfirmed: np.ndarray


def state_episodes(kept: DailyStates) -> StateEpisodes:
    """Consecutive kept days of the same state are one episode (gaps and refuted days ignored)."""
    pid, state = kept.pid, kept.state
    if pid.size == 0:
        empty = np.array([], dtype=np.int64)
        return StateEpisodes(empty, kept.day, empty, empty, np.array([], dtype=bool))
    new = np.r_[True, (pid[1:] != pid[:-1]) | (state[1:] != state[:-1])]
    first = np.flatnonzero(new)
    episode = np.cumsum(new) - 1
    any_confirmed = np.zeros(first.size, dtype=bool)
    np.logical_or.at(any_confirmed, episode, kept.status == CONFIRMED)
    return StateEpisodes(pid[first], kept.day[first], state[first], first, ~any_confirmed)


def _last_before(mask: np.ndarray, pid: np.ndarray) -> np.ndarray:
    """Per episode, the index of the patient's latest earlier episode where ``mask`` holds (-1)."""
    index = np.arange(mask.size)
    marked = np.where(mask, index, -1)
    running = np.maximum.accumulate(marked) if mask.size else marked
    previous = np.r_[-1, running[:-1]]
    patient_first = np.r_[0, np.flatnonzero(pid[1:] != pid[:-1]) + 1]
    start_of = np.repeat(patient_first, np.diff(np.r_[patient_first, mask.size]))
    return np.where(previous >= start_of, previous, -1)


@dataclass(frozen=True)
class NephroticReturns:
    """Returns to the nephrotic range: relapses and losses of partial remission.

    Under ``relapse_after: complete_remission`` (IPNA 2020 / KDIGO 2021:
    relapse "in a child who had previously achieved complete remission"), a
    nephrotic episode after a complete remission (with no nephrotic episode
    in between) is a relapse, and one after a partial remission only is a
    loss of partial remission. Under ``any_remission`` (the seed) both are
    relapses. Each array is per event: patient, day, the lab row of its first
    nephrotic reading, the lab row of the remission it ends, and whether it
    rests on unconfirmed readings.
    """

    relapse_pid: np.ndarray
    relapse_day: np.ndarray
    relapse_row: np.ndarray
    relapse_after_row: np.ndarray
    relapse_unconfirmed: np.ndarray
    loss_pid: np.ndarray
    loss_day: np.ndarray
    loss_row: np.ndarray
    loss_after_row: np.ndarray
    loss_unconfirmed: np.ndarray


def nephrotic_returns(daily: DailyStates, rule_set) -> NephroticReturns:
    """Relapses and losses of partial remission from the confirmed daily series."""
    kept = kept_states(daily)
    ep = state_episodes(kept)
    nephrotic = ep.state == NEPHROTIC
    last_nephrotic = _last_before(nephrotic, ep.pid)
    last_complete = _last_before(ep.state == COMPLETE, ep.pid)
    last_partial = _last_before(ep.state == PARTIAL, ep.pid)
    if rule_set.derivation.relapse_after == "complete_remission":
        relapse = nephrotic & (last_complete > last_nephrotic)
        loss = nephrotic & ~relapse & (last_partial > last_nephrotic)
        remission_of_relapse = last_complete
    else:
        remission_of_relapse = np.maximum(last_complete, last_partial)
        relapse = nephrotic & (remission_of_relapse > last_nephrotic)
        loss = np.zeros(nephrotic.size, dtype=bool)

    def rows_of(episodes):
        return kept.lab_row[ep.first[episodes]] if episodes.size else episodes

    relapses = np.flatnonzero(relapse)
    losses = np.flatnonzero(loss)
    before_relapse = remission_of_relapse[relapses]
    before_loss = last_partial[losses]
    return NephroticReturns(
        relapse_pid=ep.pid[relapses],
        relapse_day=ep.day[relapses],
        relapse_row=rows_of(relapses),
        relapse_after_row=rows_of(before_relapse),
        relapse_unconfirmed=ep.unconfirmed[relapses] | ep.unconfirmed[before_relapse],
        loss_pid=ep.pid[losses],
        loss_day=ep.day[losses],
        loss_row=rows_of(losses),
        loss_after_row=rows_of(before_loss),
        loss_unconfirmed=ep.unconfirmed[losses],
    )


def relapse_episodes(
    returns: NephroticReturns,
    *,
    event_pid: np.ndarray,
    event_day: np.ndarray,
    event_is_relapse: np.ndarray,
    rule_set,
) -> RelapseEpisodes:
    """Relapses: derived returns to the nephrotic range, merged with recorded ones.

    A recorded relapse and a derived relapse within ``relapse_merge_days`` of
    each other are one episode, dated by the earlier date; two derived (or two
    recorded) relapses are always two, and merges never chain
    (``_pair_recorded_with_derived``).
    """
    params = rule_set.derivation
    event_rows = np.flatnonzero(event_is_relapse & (event_pid >= 0) & ~np.isnan(event_day))
    n_derived = returns.relapse_pid.size
    c_pid = np.r_[returns.relapse_pid, event_pid[event_rows]].astype(np.int64)
    c_day = np.r_[returns.relapse_day, event_day[event_rows]]
    c_kind = np.r_[np.zeros(n_derived, dtype=np.int64), np.ones(event_rows.size, dtype=np.int64)]
    c_row = np.r_[returns.relapse_row, event_rows].astype(np.int64)
    c_unconfirmed = np.r_[returns.relapse_unconfirmed, np.zeros(event_rows.size, dtype=bool)]
    order = np.lexsort((c_kind, c_day, c_pid))
    c_pid, c_day, c_kind, c_row = c_pid[order], c_day[order], c_kind[order], c_row[order]
    c_unconfirmed = c_unconfirmed[order]
    root = _pair_recorded_with_derived(
        c_pid, c_day, c_kind, merge_days=float(params.relapse_merge_days)
    )
    # An episode is a derived relapse with at most one recorded relapse paired to
    # it, or an unpaired recorded relapse; it is dated by its earliest date.
    episode_day = c_day.copy()
    np.minimum.at(episode_day, root, c_day)
    episode_unconfirmed = c_unconfirmed.copy()
    np.logical_and.at(episode_unconfirmed, root, c_unconfirmed)
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
            "unconfirmed": c_unconfirmed,
            "episode": episode_of_root[root] if root.size else np.array([], dtype=np.int64),
        }
    )
    candidates = candidates.sort_values(["episode", "day", "kind"], kind="stable").reset_index(
        drop=True
    )
    return RelapseEpisodes(
        pid=c_pid[roots],
        day=episode_day[roots],
        sources=candidates,
        unconfirmed=episode_unconfirmed[roots],
    )


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
    #: events counted in each period that rest on unconfirmed readings
    unconfirmed_before: np.ndarray
    unconfirmed_after: np.ndarray


def relapse_periods(
    episodes,
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
    counts, unconfirmed = {}, {}
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
        unconfirmed[label] = count_per_patient(n_patients, e_pid, inside & episodes.unconfirmed)

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
        unconfirmed_before=unconfirmed["before"],
        unconfirmed_after=unconfirmed["after"],
    )


@dataclass(frozen=True)
class TimeToRemission:
    """Kaplan-Meier inputs: days from MMF start to the first complete remission that stands."""

    days: np.ndarray
    observed: np.ndarray
    lab_row: np.ndarray
    unconfirmed: np.ndarray


def time_to_complete_remission(
    daily: DailyStates, *, mmf_start_day: np.ndarray, on_mmf_end_day: np.ndarray, rule_set
) -> TimeToRemission:
    """First complete remission on MMF (from the start day) that is not refuted, else censored.

    Refuted days are disregarded (``confirm_states``); a remission resting on
    an unconfirmed run is marked. Follow-up for this event ends at MMF stop or
    last follow-up; a patient without remission is censored there.
    """
    daily = kept_states(daily)
    n_patients = mmf_start_day.size
    start = mmf_start_day[daily.pid] if daily.pid.size else np.array([])
    end = on_mmf_end_day[daily.pid] if daily.pid.size else np.array([])
    eligible_rows = np.flatnonzero(
        (daily.state == COMPLETE) & (daily.day >= start) & ~(daily.day > end)
    )
    days = np.full(n_patients, np.nan)
    observed = np.zeros(n_patients, dtype=bool)
    lab_row = np.full(n_patients, -1, dtype=np.int64)
    unconfirmed = np.zeros(n_patients, dtype=bool)
    if eligible_rows.size:
        # rows are sorted by patient then day: the first per patient is the earliest
        e_pid = daily.pid[eligible_rows]
        first = np.r_[True, e_pid[1:] != e_pid[:-1]]
        rows = eligible_rows[first]
        pids = daily.pid[rows]
        days[pids] = daily.day[rows] - mmf_start_day[pids]
        observed[pids] = True
        lab_row[pids] = daily.lab_row[rows]
        unconfirmed[pids] = daily.status[rows] == UNCONFIRMED
    censored = ~observed & ~np.isnan(mmf_start_day)
    days[censored] = on_mmf_end_day[censored] - mmf_start_day[censored]
    return TimeToRemission(days=days, observed=observed, lab_row=lab_row, unconfirmed=unconfirmed)


@dataclass(frozen=True)
class DatedEvents:
    """Events per patient (e.g. losses of partial remission) for ``relapse_periods``."""

    pid: np.ndarray
    day: np.ndarray
    unconfirmed: np.ndarray
