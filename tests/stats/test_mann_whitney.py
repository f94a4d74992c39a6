"""Mann-Whitney U against R wilcox.test(a, b, exact = FALSE, correct = FALSE) on 16 datasets."""

import math

import pytest
from reference_tests import MANN_WHITNEY_R

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats import StatisticsInputError, effect_size_r, mann_whitney


@pytest.fixture(scope="module")
def groups(paired_datasets, other_datasets):
    found = {
        f"{name}.before_vs_after": {"a": pair["before"], "b": pair["after"]}
        for name, pair in paired_datasets.items()
    }
    found.update(other_datasets["two_groups"])
    return found


@pytest.mark.parametrize("name", sorted(MANN_WHITNEY_R))
def test_matches_r(name, groups):
    expected = MANN_WHITNEY_R[name]
    result = mann_whitney(groups[name]["a"], groups[name]["b"])
    assert (result.n_a, result.n_b) == (expected["n_a"], expected["n_b"])
    assert result.statistic == pytest.approx(expected["W"], rel=1e-12)
    assert result.p == pytest.approx(expected["p"], rel=1e-9)
    if expected["p_exact"] is None:
        assert result.p_exact is None
    else:
        assert result.p_exact == pytest.approx(expected["p_exact"], rel=1e-9)


@pytest.mark.parametrize("name", sorted(MANN_WHITNEY_R))
def test_swapping_groups_keeps_z_and_p(name, groups):
    forward = mann_whitney(groups[name]["a"], groups[name]["b"])
    backward = mann_whitney(groups[name]["b"], groups[name]["a"])
    assert backward.z == pytest.approx(forward.z)
    assert backward.p == pytest.approx(forward.p)
    assert backward.rank_biserial == pytest.approx(-forward.rank_biserial)
    assert forward.z <= 0  # SPSS's convention: Z from the smaller U


def test_effect_sizes(groups):
    result = mann_whitney(groups["small_no_ties"]["a"], groups["small_no_ties"]["b"])
    assert result.u_min == 4
    assert result.rank_biserial == pytest.approx(2 * 4 / 30 - 1)
    assert result.effect_size_r == pytest.approx(effect_size_r(result.z, n=11))
    assert result.mean_rank_a < result.mean_rank_b


def test_all_values_equal_warn_and_give_nan():
    # R 4.2.2: wilcox.test(c(1, 1, 1), c(1, 1)) gives p-value = NA.
    with pytest.warns(StatisticalWarning, match="All 5 values are equal"):
        result = mann_whitney([1, 1, 1], [1, 1])
    assert math.isnan(result.z) and math.isnan(result.p)
    assert result.as_dict()["p"] is None


def test_empty_group_is_named():
    with pytest.raises(StatisticsInputError) as caught:
        mann_whitney([1, 2], [None])
    assert (caught.value.code, caught.value.params) == (
        "stats.mann_whitney.empty_group",
        {"group": "group_b"},
    )


def test_effect_size_r_checks_n():
    assert effect_size_r(-2.0, n=16) == 0.5
    with pytest.raises(StatisticsInputError) as caught:
        effect_size_r(1.0, n=0)
    assert (caught.value.code, caught.value.params) == ("stats.effect_size_n", {"value": 0})
