"""McNemar's test against R mcnemar.test and binom.test."""

import math

import pytest
from reference_tests import MCNEMAR_R

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats import StatisticsInputError, mcnemar


@pytest.mark.parametrize("name", sorted(MCNEMAR_R))
def test_matches_r(name, other_datasets):
    expected = MCNEMAR_R[name]
    result = mcnemar(table=other_datasets["mcnemar_tables"][name])
    assert result.statistic == pytest.approx(expected["chi2"], rel=1e-12, abs=1e-12)
    assert result.p == pytest.approx(expected["p"], rel=1e-9)
    assert result.p_exact == pytest.approx(expected["p_exact"], rel=1e-9)


def test_paired_values_build_the_table(other_datasets):
    # nephrotic_m0_m12: ((5, 12), (1, 8)) as per-patient yes/no values, plus 2 missing.
    before = ["yes"] * 17 + ["no"] * 9 + [None, "yes"]
    after = [True] * 5 + [False] * 12 + [1] + [0] * 8 + [True, None]
    result = mcnemar(before, after)
    assert result.table == ((5, 12), (1, 8))
    assert (result.b, result.c, result.n, result.n_missing_pairs) == (12, 1, 26, 2)
    assert result.p_exact == pytest.approx(MCNEMAR_R["nephrotic_m0_m12"]["p_exact"], rel=1e-9)


def test_no_discordant_pair_warns():
    with pytest.warns(StatisticalWarning, match="No patient changed"):
        result = mcnemar(table=[[4, 0], [0, 6]])
    assert math.isnan(result.p) and result.p_exact == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"before": ["yes", "maybe"], "after": ["no", "no"]}, r"before: item 2 is 'maybe'"),
        ({"before": ["yes"], "after": ["no", "no"]}, "before has 1 values and after has 2"),
        ({"table": [[1, 2, 3], [4, 5, 6]]}, "table must be 2 x 2"),
        ({"table": [[1, 2], [3, 4]], "before": [1]}, "not both"),
        ({"before": [1, 0]}, "Give both before and after"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(StatisticsInputError, match=message):
        mcnemar(**kwargs)
