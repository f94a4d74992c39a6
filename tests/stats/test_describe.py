"""describe(): the numbers agree with R and the choice of summary follows the seed's rule."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_descriptives import DESCRIPTIVES_R

from nephrocohort.stats import StatisticsInputError, describe


@pytest.mark.parametrize("name", sorted(DESCRIPTIVES_R))
def test_numbers_match_r(name, single_variables):
    expected = DESCRIPTIVES_R[name]
    result = describe(single_variables[name])
    assert result.n == expected["n"]
    assert result.mean == pytest.approx(expected["mean"], rel=1e-12)
    if expected["sd"] is not None:
        assert result.sd == pytest.approx(expected["sd"], rel=1e-12)
    assert (result.min, result.max) == (expected["min"], expected["max"])
    type6 = expected["quantiles"][6]  # probabilities 0, 5, 10, 25, 50, 75, 90, 95, 100
    assert (result.p25, result.median, result.p75) == pytest.approx(type6[3:6], rel=1e-12)


@pytest.mark.parametrize("name", sorted(DESCRIPTIVES_R))
def test_summary_follows_the_normality_decision(name, single_variables):
    expected = DESCRIPTIVES_R[name]
    result = describe(single_variables[name])
    if expected["n"] < 5:
        assert result.summary_kind == "min_max"
    elif expected["sd"] == 0:
        assert result.summary_kind == "median_quartiles"
    elif expected["lillie_p"] > 0.05:
        assert result.summary_kind == "mean_sd" and result.normal
    else:
        assert result.summary_kind == "median_quartiles" and result.normal is False


def test_seed_relapses_are_described_by_median_with_reason(single_variables):
    result = describe(single_variables["relapses_26.before"])
    assert result.summary_kind == "median_quartiles"
    assert (result.median, result.p25, result.p75) == (3.0, 2.75, 4.0)
    assert result.reason == (
        "Kolmogorov-Smirnov (Lilliefors correction) p = 0.008 <= 0.05: not normal, "
        "median (p25-p75)."
    )


def test_shapiro_can_decide_instead(single_variables):
    # R: Lilliefors p = 0.0083 (not normal), Shapiro-Wilk p = 0.074 (normal).
    result = describe(single_variables["relapses_26.before"], normality_test="shapiro")
    assert result.summary_kind == "mean_sd"
    assert result.normality.test == "shapiro"


def test_very_small_group_gets_min_max_without_a_test():
    result = describe([13.0])
    assert result.summary_kind == "min_max"
    assert result.normality is None and result.normal is None
    assert (result.min, result.max, result.mean) == (13.0, 13.0, 13.0)
    assert math.isnan(result.sd)
    assert result.reason.startswith("Only 1 patient with data (fewer than 5)")


def test_small_n_is_a_parameter(single_variables):
    values = single_variables["months_to_mmf_6"]
    assert describe(values).summary_kind == "mean_sd"
    assert describe(values, small_n=7).summary_kind == "min_max"


def test_equal_values_get_the_median():
    result = describe([0.0] * 8)
    assert result.summary_kind == "median_quartiles"
    assert "All values are equal" in result.reason


def test_no_values():
    result = describe([None, float("nan")])
    assert (result.summary_kind, result.n, result.missing) == ("none", 0, 2)
    assert result.as_dict()["mean"] is None


def test_lower_bound_is_shown_as_spss_does(single_variables):
    result = describe(single_variables["age_at_assessment_years_26"])
    assert "p > 0.2" in result.reason and result.summary_kind == "mean_sd"


def test_percentile_method_is_carried(single_variables):
    result = describe(single_variables["relapses_26.after"], percentile_method="linear")
    expected = DESCRIPTIVES_R["relapses_26.after"]["quantiles"][7]
    assert (result.p25, result.p75) == pytest.approx((expected[3], expected[5]))
    assert result.percentile_method == "linear"


@pytest.mark.parametrize(
    ("options", "code", "param"),
    [
        ({"normality_test": "ks"}, "stats.unknown_normality_test", ("test", "ks")),
        ({"percentile_method": "excel"}, "stats.unknown_percentile_method", ("method", "excel")),
        ({"small_n": 2}, "stats.describe.small_n", ("value", 2)),
    ],
)
def test_bad_options_are_refused(options, code, param):
    with pytest.raises(StatisticsInputError) as caught:
        describe([1, 2, 3, 4, 5], **options)
    name, value = param
    assert (caught.value.code, caught.value.params[name]) == (code, value)


def test_dict_has_the_results_json_fields(single_variables):
    data = describe(single_variables["egfr_12.before"]).as_dict()
    for key in ("n", "mean", "sd", "median", "p25", "p75", "min", "max", "normal"):
        assert key in data
    assert data["normality"]["test"] == "lilliefors"


@given(st.lists(st.integers(0, 40).map(lambda k: k / 4), min_size=1, max_size=30))
def test_order_of_summaries(values):
    result = describe(values)
    assert result.min <= result.p25 <= result.median <= result.p75 <= result.max
    assert result.summary_kind in {"mean_sd", "median_quartiles", "min_max"}
