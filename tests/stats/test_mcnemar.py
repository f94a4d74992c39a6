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
    ("kwargs", "code", "params"),
    [
        (
            {"before": ["yes", "maybe"], "after": ["no", "no"]},
            "stats.mcnemar.not_yes_no",
            {"name": "before", "item": 2, "value": "maybe"},
        ),
        (
            {"before": ["yes"], "after": ["no", "no"]},
            "stats.paired_lengths",
            {"before": 1, "after": 2},
        ),
        (
            {"table": [[1, 2, 3], [4, 5, 6]]},
            "stats.mcnemar.table_shape",
            {"table": [[1, 2, 3], [4, 5, 6]]},
        ),
        ({"table": [[1, 2], [3, 4]], "before": [1]}, "stats.mcnemar.both_inputs", {}),
        ({"before": [1, 0]}, "stats.mcnemar.missing_input", {}),
    ],
)
def test_bad_input(kwargs, code, params):
    with pytest.raises(StatisticsInputError) as caught:
        mcnemar(**kwargs)
    assert (caught.value.code, caught.value.params) == (code, params)
