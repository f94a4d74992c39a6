"""Kaplan-Meier (lifelines) against R survival::survfit(conf.type = "log-log")."""

import math

import pytest
from reference_tests import KAPLAN_MEIER_R

from nephrocohort.stats import StatisticsInputError, kaplan_meier


def _nan_for_none(value):
    return math.nan if value is None else value


@pytest.mark.parametrize("name", sorted(KAPLAN_MEIER_R))
def test_table_matches_survfit(name, other_datasets):
    expected = KAPLAN_MEIER_R[name]
    data = other_datasets["survival"][name]
    result = kaplan_meier(data["t"], data["e"])
    table = result.table
    assert [row.time for row in table] == list(expected["time"])
    assert [row.at_risk for row in table] == list(expected["n_risk"])
    assert [row.events for row in table] == list(expected["n_event"])
    assert [row.censored for row in table] == list(expected["n_censor"])
    assert [row.survival for row in table] == pytest.approx(list(expected["surv"]), rel=1e-12)
    for row, low, high in zip(table, expected["lower"], expected["upper"], strict=True):
        if low is not None:  # R gives NA where S = 0
            assert row.ci_low == pytest.approx(low, rel=1e-6)
            assert row.ci_high == pytest.approx(high, rel=1e-6)


@pytest.mark.parametrize("name", sorted(KAPLAN_MEIER_R))
def test_median_and_its_interval_match_survfit(name, other_datasets):
    expected = KAPLAN_MEIER_R[name]
    data = other_datasets["survival"][name]
    result = kaplan_meier(data["t"], data["e"])
    got = (result.median, result.median_ci_low, result.median_ci_high)
    want = tuple(_nan_for_none(expected[key]) for key in ("median", "median_low", "median_high"))
    assert got == pytest.approx(want, nan_ok=True)


def test_flat_at_one_half_takes_the_midpoint(other_datasets):
    # S = 0.5 from day 12 to day 20 in no_censoring_8: R's median is 16.
    data = other_datasets["survival"]["no_censoring_8"]
    assert kaplan_meier(data["t"], data["e"]).median == 16


def test_counts_missing_and_reads_the_curve(other_datasets):
    data = other_datasets["survival"]["months_to_relapse_12"]
    result = kaplan_meier([*data["t"], None, 3], [*data["e"], 1, None], label="months to relapse")
    assert (result.n, result.n_events, result.n_censored, result.n_missing) == (12, 8, 4, 2)
    assert result.survival_at(0) == 1.0
    assert result.survival_at(2.5) == pytest.approx(0.75)
    assert list(result.to_frame().columns)[:3] == ["time", "at_risk", "events"]
    assert "months to relapse" in repr(result)
    assert result.as_dict()["median_ci_high"] is None


@pytest.mark.parametrize(
    ("durations", "observed", "code", "params"),
    [
        ([10, -3], [1, 0], "stats.survival.negative_time", {"item": 2, "value": -3}),
        ([10, 20], [1, "yes"], "stats.survival.not_event", {"item": 2, "value": "yes"}),
        ([10, 20], [1], "stats.survival.lengths", {"durations": 2, "observed": 1}),
        ([None], [1], "stats.survival.no_patient", {}),
    ],
)
def test_bad_input(durations, observed, code, params):
    with pytest.raises(StatisticsInputError) as caught:
        kaplan_meier(durations, observed)
    assert (caught.value.code, caught.value.params) == (code, params)
