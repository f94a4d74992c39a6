"""Paired t test against R t.test(after, before, paired = TRUE)."""

import math

import pytest
from reference_tests import PAIRED_T_R

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats import StatisticsInputError, paired_t


@pytest.mark.parametrize("name", sorted(PAIRED_T_R))
def test_matches_r(name, paired_datasets):
    expected = PAIRED_T_R[name]
    pair = paired_datasets[name]
    result = paired_t(pair["before"], pair["after"])
    assert result.statistic == pytest.approx(expected["t"], rel=1e-9)
    assert result.df == expected["df"]
    assert result.p == pytest.approx(expected["p"], rel=1e-9)
    assert result.mean_difference == pytest.approx(expected["mean_difference"], rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (expected["ci_low"], expected["ci_high"]), rel=1e-9
    )


def test_missing_pairs_are_dropped_and_counted(paired_datasets):
    pair = paired_datasets["steroid_missing_15"]
    result = paired_t(pair["before"], pair["after"])
    assert (result.n, result.n_missing_pairs) == (11, 4)


def test_effect_size_dz(paired_datasets):
    pair = paired_datasets["relapses_10"]
    result = paired_t(pair["before"], pair["after"])
    assert result.cohens_dz == pytest.approx(result.mean_difference / result.sd_difference)


def test_same_change_everywhere_warns():
    with pytest.warns(StatisticalWarning, match="same amount"):
        result = paired_t([1, 2, 3], [2, 3, 4])
    assert math.isnan(result.p) and result.mean_difference == 1


def test_needs_two_pairs():
    with pytest.raises(StatisticsInputError) as caught:
        paired_t([1, None], [2, 3])
    assert (caught.value.code, caught.value.params) == ("stats.paired_t.too_few", {"n": 1})


def test_confidence_must_be_a_proportion():
    with pytest.raises(StatisticsInputError) as caught:
        paired_t([1, 2, 3], [2, 2, 5], confidence=95)
    assert (caught.value.code, caught.value.params) == ("stats.confidence_range", {"value": 95})
