"""Chi-square and Fisher's exact test (2 x 2 and R x C) against R chisq.test and fisher.test."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from reference_tests import CONTINGENCY_R
from scipy import stats as scipy_stats

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats import (
    FISHER_MAX_TABLES,
    StatisticsInputError,
    chi_square,
    contingency_table,
    fisher_exact,
)
from nephrocohort.stats._contingency import _fisher_exact_enumerated


@pytest.mark.parametrize("name", sorted(CONTINGENCY_R))
def test_chi_square_matches_r(name, other_datasets):
    expected = CONTINGENCY_R[name]
    table = other_datasets["tables"][name]
    if expected["below_5"] / (len(table) * len(table[0])) > 0.2:
        with pytest.warns(StatisticalWarning, match="Use fisher_exact"):
            result = chi_square(table)
        assert result.expected_warning
    else:
        result = chi_square(table)
        assert not result.expected_warning
    assert result.statistic == pytest.approx(expected["chi2"], rel=1e-9)
    assert result.df == expected["df"]
    assert result.p == pytest.approx(expected["p"], rel=1e-9)
    assert result.min_expected == pytest.approx(expected["min_expected"], rel=1e-12)
    assert result.cells_expected_below_5 == expected["below_5"]
    if expected["yates_chi2"] is None:
        assert result.yates_statistic is None
    else:
        assert result.yates_statistic == pytest.approx(expected["yates_chi2"], abs=1e-12)
        assert result.yates_p == pytest.approx(expected["yates_p"], rel=1e-9)


@pytest.mark.parametrize("name", sorted(CONTINGENCY_R))
def test_fisher_matches_r(name, other_datasets):
    expected = CONTINGENCY_R[name]
    result = fisher_exact(other_datasets["tables"][name])
    assert result.p == pytest.approx(expected["fisher_p"], rel=1e-9)
    if expected["odds_ratio"] is None:
        assert result.odds_ratio is None
    else:
        # R and SciPy find the conditional MLE and its limits by root-finding with
        # different tolerances; they agree to about four significant digits.
        assert result.odds_ratio == pytest.approx(expected["odds_ratio"], rel=1e-5)
        assert result.odds_ratio_ci_low == pytest.approx(expected["or_low"], rel=1e-3)
        assert result.odds_ratio_ci_high == pytest.approx(expected["or_high"], rel=1e-3)


def test_seed_table_2_histology_by_crf(other_datasets):
    # Seed Table 2: CRF in 3 of 15 FSGS, none of 9 MCD, 1 MN, 1 DMS.
    result = fisher_exact(other_datasets["tables"]["histology_by_crf_4x2"])
    assert result.shape == (4, 2) and result.n == 26 and result.method == "exact"
    assert result.p == pytest.approx(CONTINGENCY_R["histology_by_crf_4x2"]["fisher_p"], rel=1e-9)


def test_monte_carlo_is_reproducible_and_close(other_datasets):
    table = other_datasets["tables"]["state_by_center_3x4"]
    first = fisher_exact(table, method="monte_carlo", seed=7)
    assert fisher_exact(table, method="monte_carlo", seed=7).p == first.p
    assert first.p == pytest.approx(CONTINGENCY_R["state_by_center_3x4"]["fisher_p"], abs=0.003)


def test_too_many_tables_suggests_monte_carlo(other_datasets):
    with pytest.raises(StatisticsInputError) as caught:
        fisher_exact(other_datasets["tables"]["state_by_center_3x4"], max_tables=100)
    assert (caught.value.code, caught.value.params) == (
        "stats.fisher.too_many_tables",
        {"limit": 100},
    )


def test_contingency_table_from_patients():
    histology = ["MCD", "FSGS", "FSGS", None, "MN", "FSGS"]
    crf = [False, True, False, True, False, None]
    table = contingency_table(
        histology, crf, row_categories=["MCD", "FSGS", "MN", "DMS"], column_categories=[True, False]
    )
    assert table.loc["FSGS", True] == 1 and table.loc["FSGS", False] == 1
    assert table.loc["DMS"].sum() == 0
    assert int(table.to_numpy().sum()) == 4


def test_contingency_table_refuses_unknown_category():
    with pytest.raises(StatisticsInputError) as caught:
        contingency_table(["MCD", "GM"], [1, 0], row_categories=["MCD", "FSGS"])
    assert caught.value.code == "stats.contingency.unexpected"
    assert (caught.value.params["found"], caught.value.params["expected"]) == (
        "'GM'",
        ["MCD", "FSGS"],
    )


@pytest.mark.parametrize(
    ("table", "code", "params"),
    [
        ([[1, 2, 3]], "stats.contingency.shape", {"shape": (1, 3)}),
        ([[1, -2], [3, 4]], "stats.contingency.whole_counts", {}),
        ([[1.5, 2], [3, 4]], "stats.contingency.whole_counts", {}),
        ([[0, 0], [3, 4]], "stats.contingency.empty_row", {"index": 1}),
        ([[1, 0], [3, 0]], "stats.contingency.empty_column", {"index": 2}),
        ([["a", 1], [2, 3]], "stats.contingency.not_counts", {"table": [["a", 1], [2, 3]]}),
    ],
)
def test_bad_tables(table, code, params):
    for test in (chi_square, fisher_exact):
        with pytest.raises(StatisticsInputError) as caught:
            test(table)
        assert (caught.value.code, caught.value.params) == (code, params)


def test_unknown_fisher_method():
    with pytest.raises(StatisticsInputError) as caught:
        fisher_exact([[1, 2], [3, 4]], method="approx")
    assert (caught.value.code, caught.value.params) == (
        "stats.fisher.unknown_method",
        {"method": "approx"},
    )


def test_dict_is_json_ready(other_datasets):
    data = chi_square(other_datasets["tables"]["large_2x2"]).as_dict()
    assert data["expected"][0] == pytest.approx([22.5, 17.5])
    assert isinstance(data["cramers_v"], float)


_small_counts = st.integers(min_value=0, max_value=12)


@given(st.lists(_small_counts, min_size=4, max_size=4))
def test_enumeration_agrees_with_scipy_on_2x2(cells):
    # SciPy's 2 x 2 Fisher test is an independent implementation of the same p-value.
    table = np.array(cells).reshape(2, 2)
    assume((table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all())
    enumerated = _fisher_exact_enumerated(table, FISHER_MAX_TABLES)
    assert enumerated == pytest.approx(scipy_stats.fisher_exact(table).pvalue, rel=1e-9)


@given(st.lists(_small_counts, min_size=6, max_size=6))
def test_fisher_p_does_not_depend_on_orientation(cells):
    table = np.array(cells).reshape(2, 3)
    assume((table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all())
    p = fisher_exact(table).p
    assert 0 < p <= 1
    assert fisher_exact(table.T).p == pytest.approx(p, rel=1e-9)
    assert fisher_exact(table[::-1, ::-1]).p == pytest.approx(p, rel=1e-9)
