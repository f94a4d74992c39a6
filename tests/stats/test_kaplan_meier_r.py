"""Kaplan-Meier against R survival::survfit(conf.type = "log-log") at the ends of the curve.

Datasets: tests/stats/r/edge_datasets.json (a curve reaching 0, a single event, all
censored, an event at time 0, ties of events and censorings, 30 random cohorts). The
stored output of kaplan_meier_reference.R is compared always; R is also run live when
installed. R's NA (no log-log limit where S is 0 or 1, median limit not reached) must
be NaN here.
"""

import math

import pytest
from r_live import live, one, stored

from nephrocohort.stats import kaplan_meier
from nephrocohort.stats._values import as_float_array

SCRIPT = "kaplan_meier_reference.R"


def _nan(values):
    return [math.nan if value is None else value for value in values]


def _compare(result, expected):
    table = result.table
    assert [row.time for row in table] == expected["time"]
    assert [row.at_risk for row in table] == expected["n_risk"]
    assert [row.events for row in table] == expected["n_event"]
    assert [row.censored for row in table] == expected["n_censor"]
    assert [row.survival for row in table] == pytest.approx(expected["surv"], rel=1e-12, abs=1e-15)
    lows = [row.ci_low for row in table]
    highs = [row.ci_high for row in table]
    assert lows == pytest.approx(_nan(expected["lower"]), rel=1e-9, nan_ok=True)
    assert highs == pytest.approx(_nan(expected["upper"]), rel=1e-9, nan_ok=True)
    got = (result.median, result.median_ci_low, result.median_ci_high)
    want = tuple(
        math.nan if one(expected[key]) is None else one(expected[key])
        for key in ("median", "median_low", "median_high")
    )
    assert got == pytest.approx(want, nan_ok=True)


@pytest.fixture(scope="module")
def survival_data(edge_datasets):
    return edge_datasets["survival"]


@pytest.fixture(scope="module")
def live_reference():
    return live(SCRIPT)


NAMES = sorted(name for name in stored(SCRIPT) if name != "versions")


@pytest.mark.parametrize("name", NAMES)
def test_matches_stored_survfit(name, survival_data):
    data = survival_data[name]
    _compare(kaplan_meier(as_float_array(data["t"]), data["e"]), stored(SCRIPT)[name])


@pytest.mark.parametrize("name", NAMES)
def test_matches_survfit_run_live(name, survival_data, live_reference):
    data = survival_data[name]
    _compare(kaplan_meier(as_float_array(data["t"]), data["e"]), live_reference[name])


def test_issue_12_curve_reaching_zero():
    # R 4.2.2, survival 3.5.3: survfit(Surv(c(2,3,5,7,11,13), c(1,0,1,1,0,1)) ~ 1,
    # conf.type = "log-log") gives median 7, 95% CI 2 to NA, and NA limits at S = 0.
    result = kaplan_meier([2, 3, 5, 7, 11, 13], [1, 0, 1, 1, 0, 1])
    assert result.median == 7 and result.median_ci_low == 2
    assert math.isnan(result.median_ci_high)
    last = result.table[-1]
    assert last.survival == 0 and math.isnan(last.ci_low) and math.isnan(last.ci_high)
    assert result.as_dict()["median_ci_high"] is None


def test_single_event_has_no_median_interval():
    result = kaplan_meier([4], [1])  # R: median 4, CI NA-NA
    assert result.median == 4
    assert math.isnan(result.median_ci_low) and math.isnan(result.median_ci_high)


def test_limits_are_undefined_before_the_first_event():
    result = kaplan_meier([3, 5, 8, 9], [0, 1, 0, 1])
    first = result.table[0]  # S = 1 at day 3 (a censoring): R gives NA, NA
    assert first.survival == 1 and math.isnan(first.ci_low) and math.isnan(first.ci_high)
