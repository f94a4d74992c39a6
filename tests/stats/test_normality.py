"""Lilliefors (as SPSS EXAMINE) and Shapiro-Wilk against R (nortest, stats)."""

import pytest
from reference_descriptives import DESCRIPTIVES_R

from nephrocohort.stats import StatisticsInputError, normality

TESTED = sorted(name for name, ref in DESCRIPTIVES_R.items() if ref["lillie_D"] is not None)


@pytest.mark.parametrize("name", TESTED)
def test_lilliefors_statistic_matches_nortest(name, single_variables):
    result = normality(single_variables[name])
    assert result.statistic == pytest.approx(DESCRIPTIVES_R[name]["lillie_D"], rel=1e-12)
    assert result.n == DESCRIPTIVES_R[name]["n"]


@pytest.mark.parametrize("name", TESTED)
def test_lilliefors_p_matches_nortest_where_both_use_dallal_wilkinson(name, single_variables):
    # Below 0.1 NephroCohort and nortest use the same Dallal-Wilkinson formula. Above it
    # nortest switches to Stephens' formula and NephroCohort to its simulated table; they
    # agree to a few hundredths there (test_lilliefors_p.py: the table is within 0.01 of
    # a Monte Carlo reference, Stephens' formula is not), and on the side of 0.05.
    expected = DESCRIPTIVES_R[name]["lillie_p"]
    result = normality(single_variables[name])
    if expected < 0.1:
        assert result.p == pytest.approx(expected, rel=1e-9)
    else:
        assert result.p == pytest.approx(expected, abs=0.03)
        assert result.p >= 0.1
    assert result.normal == (expected > 0.05)
    if abs(expected - 0.2) > 0.03:
        assert result.spss_lower_bound == (expected >= 0.2)


@pytest.mark.parametrize("name", TESTED)
def test_shapiro_matches_r(name, single_variables):
    result = normality(single_variables[name], test="shapiro")
    assert result.statistic == pytest.approx(DESCRIPTIVES_R[name]["shapiro_W"], rel=1e-6)
    assert result.p == pytest.approx(DESCRIPTIVES_R[name]["shapiro_p"], rel=1e-5)


def test_alpha_is_a_parameter(single_variables):
    values = single_variables["steroid_26.before"]  # Lilliefors p = 0.092 in R
    assert normality(values).normal
    assert not normality(values, alpha=0.1).normal


def test_missing_values_are_counted(single_variables):
    result = normality(single_variables["steroid_missing_15.before"])
    assert (result.n, result.missing) == (13, 2)


def test_too_few_values_suggest_min_max():
    with pytest.raises(StatisticsInputError) as caught:
        normality([1, 2, 3])
    error = caught.value
    assert (error.code, error.params["minimum"], error.params["n"]) == (
        "stats.normality.too_few",
        4,
        3,
    )
    assert error.params["test"].code == "stats.test_name.lilliefors"


def test_equal_values_cannot_be_tested():
    with pytest.raises(StatisticsInputError) as caught:
        normality([2, 2, 2, 2, 2])
    assert (caught.value.code, caught.value.params) == ("stats.normality.all_equal", {"n": 5})


def test_unknown_test_is_named():
    with pytest.raises(StatisticsInputError) as caught:
        normality([1, 2, 3, 4, 5], test="ks")
    assert (caught.value.code, caught.value.params) == (
        "stats.unknown_normality_test",
        {"test": "ks", "known": "lilliefors, shapiro"},
    )


def test_repr_and_dict(single_variables):
    result = normality(single_variables["relapses_26.before"])
    assert repr(result).startswith("NormalityResult(test='lilliefors', statistic=0.200974")
    assert result.as_dict()["test_name"] == "Kolmogorov-Smirnov (Lilliefors correction)"
