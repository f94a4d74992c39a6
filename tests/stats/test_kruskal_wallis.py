"""Kruskal-Wallis H against R kruskal.test."""

import pytest
from reference_tests import KRUSKAL_R

from nephrocohort.stats import StatisticsInputError, kruskal_wallis


@pytest.mark.parametrize("name", sorted(KRUSKAL_R))
def test_matches_r(name, other_datasets):
    expected = KRUSKAL_R[name]
    result = kruskal_wallis(other_datasets["k_groups"][name])
    assert result.statistic == pytest.approx(expected["H"], rel=1e-9)
    assert result.df == expected["df"]
    assert result.p == pytest.approx(expected["p"], rel=1e-9)


def test_labels_counts_and_mean_ranks(other_datasets):
    result = kruskal_wallis(other_datasets["k_groups"]["steroid_after_by_response"])
    assert result.group_n == {"complete": 12, "partial": 7, "none": 4}
    assert result.mean_ranks["complete"] < result.mean_ranks["partial"] < result.mean_ranks["none"]
    n = result.n
    assert sum(result.mean_ranks[k] * result.group_n[k] for k in result.group_n) == pytest.approx(
        n * (n + 1) / 2
    )


def test_sequence_of_groups_is_numbered():
    result = kruskal_wallis([[1, 2, 3], [4, 5, 6, None]])
    assert result.group_n == {1: 3, 2: 3} and result.group_missing == {1: 0, 2: 1}


@pytest.mark.parametrize(
    ("groups", "code", "params"),
    [
        ([[1, 2, 3]], "stats.kruskal.too_few_groups", {"n": 1}),
        ({"MCD": [1, 2], "DMS": [None]}, "stats.kruskal.empty_group", {"group": "DMS"}),
        ([[1, 1], [1]], "stats.kruskal.all_equal", {}),
        ("MCD", "stats.kruskal.groups_text", {}),
    ],
)
def test_bad_groups(groups, code, params):
    with pytest.raises(StatisticsInputError) as caught:
        kruskal_wallis(groups)
    assert (caught.value.code, caught.value.params) == (code, params)
