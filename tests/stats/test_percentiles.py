"""Percentiles: SPSS HAVERAGE by default, R's nine types as options, compared with R."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_descriptives import DESCRIPTIVES_R, QUANTILE_PROBS

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats import StatisticsInputError, percentiles


@pytest.mark.parametrize("name", sorted(DESCRIPTIVES_R))
@pytest.mark.parametrize("r_type", range(1, 10))
def test_every_r_type_matches_r_quantile(name, r_type, single_variables):
    expected = DESCRIPTIVES_R[name]["quantiles"][r_type]
    got = percentiles(single_variables[name], list(QUANTILE_PROBS), method=f"type{r_type}")
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", sorted(DESCRIPTIVES_R))
def test_spss_is_r_type_6_and_linear_is_type_7(name, single_variables):
    values = single_variables[name]
    quantiles = DESCRIPTIVES_R[name]["quantiles"]
    assert percentiles(values, list(QUANTILE_PROBS)) == pytest.approx(quantiles[6])
    assert percentiles(values, list(QUANTILE_PROBS), method="haverage") == pytest.approx(
        quantiles[6]
    )
    assert percentiles(values, list(QUANTILE_PROBS), method="linear") == pytest.approx(quantiles[7])


def test_seed_relapses_before_give_the_published_quartiles(single_variables):
    # The seed reports "median 3 (p25: 2.75 - p75: 4)"; R type 6 on this synthetic
    # sample gives the same (see DESCRIPTIVES_R["relapses_26.before"]).
    assert percentiles(single_variables["relapses_26.before"], [25, 50, 75]) == (2.75, 3.0, 4.0)


def test_small_sample_differs_between_spss_and_linear():
    # (n + 1) p = 1.25 -> 1 + 0.25 (2 - 1) = 1.25; linear: 1 + 3 * 0.25 = 1.75.
    assert percentiles([1, 2, 3, 4], 25) == 1.25
    assert percentiles([1, 2, 3, 4], 25, method="linear") == 1.75


def test_spss_clamps_below_first_and_above_last_value():
    assert percentiles([10, 20, 30], [1, 99]) == (10.0, 30.0)


def test_missing_values_are_ignored():
    assert percentiles([1, None, 2, float("nan"), 3, 4, ""], 50) == 2.5


def test_no_values_warn_and_give_nan():
    with pytest.warns(StatisticalWarning, match="No values"):
        assert math.isnan(percentiles([None, None], 50))


@pytest.mark.parametrize(
    ("q", "code"),
    [
        (0.25 * 500, "stats.percentiles.range"),
        (-1, "stats.percentiles.range"),
        ("p25", "stats.percentiles.not_numbers"),
    ],
)
def test_bad_percentiles_are_refused(q, code):
    with pytest.raises(StatisticsInputError) as caught:
        percentiles([1, 2, 3], q)
    assert (caught.value.code, caught.value.params) == (code, {"q": q})


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(StatisticsInputError) as caught:
        percentiles([1, 2, 3], 50, method="excel")
    assert (caught.value.code, caught.value.params["method"]) == (
        "stats.unknown_percentile_method",
        "excel",
    )
    assert "spss" in caught.value.params["known"].split(", ")


def test_text_in_values_is_named():
    with pytest.raises(StatisticsInputError) as caught:
        percentiles([1, "1,5", 2], 50)
    assert (caught.value.code, caught.value.params["item"], caught.value.params["value"]) == (
        "stats.values.not_a_number",
        2,
        "1,5",
    )


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40),
    st.lists(st.floats(0, 100), min_size=2, max_size=6),
    st.sampled_from(["spss", "linear", "type1", "type4", "type8"]),
)
def test_percentiles_are_monotone_in_q_and_within_the_range(values, qs, method):
    qs = sorted(qs)
    got = percentiles(values, qs, method=method)
    assert all(
        low <= high + 1e-9 * (1 + abs(high)) for low, high in zip(got, got[1:], strict=False)
    )
    assert min(values) - 1e-9 <= got[0] and got[-1] <= max(values) + 1e-9
