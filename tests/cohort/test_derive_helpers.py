"""The vectorised selection helpers agree with a brute-force search on random data."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nephrocohort.clinical.relapse_course import add_calendar_months
from nephrocohort.cohort._derive_common import (
    add_months,
    completed_years,
    nearest_in_window,
    nearest_row,
)

rows_strategy = st.lists(
    st.tuples(st.integers(0, 3), st.integers(-40, 40)), min_size=0, max_size=40
)


def brute_nearest_in_window(pid, day, anchor, offset, before, after):
    chosen = {}
    for position, (p, d) in enumerate(zip(pid, day, strict=True)):
        if np.isnan(anchor[p]):
            continue
        relative = d - anchor[p] - offset
        if not -before <= relative <= after:
            continue
        best = chosen.get(p)
        key = (abs(relative), relative, position)
        if best is None or key < best[0]:
            chosen[p] = (key, position)
    return {p: position for p, (_, position) in chosen.items()}


@settings(max_examples=200, deadline=None)
@given(
    rows=rows_strategy,
    offset=st.integers(-5, 30),
    before=st.integers(0, 20),
    after=st.integers(0, 20),
)
def test_nearest_in_window_matches_brute_force(rows, offset, before, after):
    pid = np.array([p for p, _ in rows], dtype=np.int64)
    day = np.array([d for _, d in rows], dtype=np.float64)
    anchor = np.array([0.0, 5.0, np.nan, -3.0])
    pids, positions = nearest_in_window(
        pid,
        day,
        anchor_day=anchor,
        target_offset_days=offset,
        window_before_days=before,
        window_after_days=after,
    )
    got = dict(zip(pids.tolist(), positions.tolist(), strict=True))
    assert got == brute_nearest_in_window(pid, day, anchor, offset, before, after)


@settings(max_examples=200, deadline=None)
@given(refs=rows_strategy, queries=rows_strategy)
def test_nearest_row_matches_brute_force(refs, queries):
    ref_pid = np.array([p for p, _ in refs], dtype=np.int64)
    ref_day = np.array([d for _, d in refs], dtype=np.float64)
    q_pid = np.array([p for p, _ in queries], dtype=np.int64)
    q_day = np.array([d for _, d in queries], dtype=np.float64)
    got = nearest_row(q_pid, q_day, ref_pid, ref_day)
    for index, (p, d) in enumerate(queries):
        candidates = [
            (abs(rd - d), rd, position) for position, (rp, rd) in enumerate(refs) if rp == p
        ]
        expected = min(candidates)[2] if candidates else -1
        assert got[index] == expected


EPOCH = dt.date(1970, 1, 1)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


def _day(date: dt.date) -> float:
    return float((date - EPOCH).days)


@given(date=dates, months=st.integers(-24, 24))
@settings(max_examples=200, deadline=None)
def test_add_months_is_the_calendar_rule(date, months):
    # same day of the month, or the month's last day when it has fewer days
    total = date.year * 12 + date.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    expected = dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))
    assert add_months(np.array([_day(date)]), months)[0] == _day(expected)


@given(date=dates, months=st.integers(-120, 120))
@settings(max_examples=300, deadline=None)
def test_derive_and_clinical_month_arithmetic_are_one_rule(date, months):
    # clinical may not import cohort: derive's vectorised add_months and the clinical
    # scalar add_calendar_months (relapse course, CNI response, MDR-SRNS) must agree
    assert add_months(np.array([_day(date)]), months)[0] == _day(add_calendar_months(date, months))


@given(birth=dates, day=dates)
@settings(max_examples=200, deadline=None)
def test_completed_years_follow_the_birthday(birth, day):
    expected = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    assert completed_years(np.array([_day(birth)]), np.array([_day(day)]))[0] == expected


def test_calendar_examples():
    assert add_months(np.array([_day(dt.date(2012, 1, 31))]), 1)[0] == _day(dt.date(2012, 2, 29))
    assert add_months(np.array([_day(dt.date(2012, 1, 1))]), 12)[0] == _day(dt.date(2013, 1, 1))
    born = np.array([_day(dt.date(1992, 3, 1))])
    assert completed_years(born, np.array([_day(dt.date(2010, 3, 1))]))[0] == 18
    assert completed_years(born, np.array([_day(dt.date(2010, 2, 28))]))[0] == 17
    assert np.isnan(add_months(np.array([np.nan]), 3)[0])
