"""Fisher's R x C test in the report (issue 15 item 5): exact only while the tables with the
observed margins fit a stated budget, otherwise a Monte Carlo estimate with a fixed seed; the
choice is in results.json (``method``, ``method_detail``) and in the methods paragraph.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from nephrocohort.report import build_results, render_json
from nephrocohort.report._stats import (
    FISHER_EXACT_BUDGET,
    FISHER_SEED,
    group_comparison_item,
)
from nephrocohort.stats import fisher_tables_bound

LEVELS = ("complete", "partial", "none")


def _tables_with_margins(rows, columns) -> int:
    """Brute force: every table of non-negative counts with these row and column totals."""
    count = 0
    cells = len(rows) * len(columns)
    for values in itertools.product(range(max(rows) + 1), repeat=cells):
        table = np.array(values).reshape(len(rows), len(columns))
        if (table.sum(axis=1) == rows).all() and (table.sum(axis=0) == columns).all():
            count += 1
    return count


@pytest.mark.parametrize(
    "table",
    [[[1, 1], [1, 1]], [[2, 1, 0], [0, 1, 1]], [[3, 0, 1], [1, 2, 0]], [[1, 2], [0, 1], [2, 0]]],
)
def test_the_bound_is_never_below_the_true_number_of_tables(table):
    counts = np.array(table)
    true = _tables_with_margins(counts.sum(axis=1), counts.sum(axis=0))
    assert fisher_tables_bound(counts) >= true
    if counts.shape == (2, 2):
        assert fisher_tables_bound(counts) == true  # x11 fixes a 2 x 2 table


def _series(table: dict) -> tuple[pd.Series, pd.Series]:
    groups, outcome = [], []
    for (group, level), n in table.items():
        groups += [group] * n
        outcome += [level] * n
    return pd.Series(groups), pd.Series(outcome)


def test_a_small_table_is_exact():
    groups, outcome = _series(
        {(1, "complete"): 3, (1, "none"): 5, (2, "complete"): 6, (2, "none"): 1}
    )
    item = group_comparison_item("t", "t", groups, outcome, levels=LEVELS)
    assert item.method == "exact"
    # rows 8 and 7, columns 9 and 6: x11 in 0..min(8, 9), so the bound is 9
    assert item.method_detail == {"tables_bound": 9, "budget": FISHER_EXACT_BUDGET}
    expected = scipy_stats.fisher_exact([[3, 5], [6, 1]]).pvalue  # SciPy's 2 x 2 exact test
    assert item.p == pytest.approx(expected, rel=1e-9)


def test_a_large_table_is_a_seeded_monte_carlo_estimate():
    table = {(1, "complete"): 30_000, (1, "partial"): 12_000, (1, "none"): 8_000}
    table |= {(2, "complete"): 28_000, (2, "partial"): 13_000, (2, "none"): 9_000}
    groups, outcome = _series(table)
    counts = np.array([[30_000, 12_000, 8_000], [28_000, 13_000, 9_000]])
    assert fisher_tables_bound(counts) > FISHER_EXACT_BUDGET
    item = group_comparison_item("t", "t", groups, outcome, levels=LEVELS)
    assert item.method == "monte_carlo"
    assert item.method_detail["seed"] == FISHER_SEED
    assert item.method_detail["tables_bound"] > item.method_detail["budget"]
    assert f"Monte Carlo estimate, seed {FISHER_SEED}" in item.note
    again = group_comparison_item("t", "t", groups, outcome, levels=LEVELS)
    assert again.p == item.p  # the fixed seed: the same p on every run
    # With 100,000 patients the chi-square test's conditions hold; the estimate agrees.
    chi2 = scipy_stats.chi2_contingency(counts, correction=False).pvalue
    assert item.p == pytest.approx(chi2, abs=0.01)


def test_the_choice_is_in_results_json_and_the_methods(analysis, cohort):
    results = build_results(analysis, rule_set="study", cohort=cohort)
    items = {item["id"]: item for item in json.loads(render_json(results))}
    fisher = items["response.month1.group_test"]
    assert fisher["method"] == "exact"
    assert fisher["method_detail"]["budget"] == FISHER_EXACT_BUDGET
    assert f"at most {FISHER_EXACT_BUDGET:,}" in results.methods  # English grouping
    assert f"seed {FISHER_SEED}" in results.methods
    assert "here exact" in results.methods


@pytest.mark.parametrize(
    ("language", "budget", "resamples"),
    # CLDR number symbols and minimumGroupingDigits: en "," ; es "." from five digits on;
    # pt "." (acceptance pass of issues 13/15: the methods printed "50000" in every language).
    [("en", "50,000", "100,000"), ("es", "50.000", "100.000"), ("pt-BR", "50.000", "100.000")],
)
def test_methods_paragraph_groups_the_budget_digits_by_language(language, budget, resamples):
    from nephrocohort.i18n import use_language
    from nephrocohort.report._methods import _fisher_text

    with use_language(language):
        text = _fisher_text([])
    assert f" {budget}," in text and f" {resamples} " in text
    assert "50000" not in text and "100000" not in text
    assert "20240101" in text  # the seed is an identifier: never grouped
