"""Figure 1 / the proteinuria table count all four states, so each time point adds up to n.

IPNA 2022 SSNS Table 1 (repeating the IPNA 2020 SRNS definitions) has four
proteinuria states: complete remission, partial remission, "no remission"
(above the partial-remission range or without its albumin, below the nephrotic
range) and the nephrotic range. A report that dropped "no remission" showed
month 1 as 17 of 25 (issue 10). Expected counts are worked out by hand below.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from nephrocohort.report import build_results, build_tables, render_json, render_xlsx

STATES = ("nephrotic", "none", "partial", "complete")


@pytest.fixture
def results(analysis, cohort):
    # P1-P6 are the eligible patients; P6 has no reading at month 1.
    analysis["state_month1"] = pd.array(
        ["nephrotic", "none", "partial", "complete", "none", None, "complete", "complete"],
        dtype="string",
    )
    return build_results(analysis, rule_set="ipna2020", cohort=cohort)


def test_month1_counts_each_of_the_four_states(results):
    # By hand: nephrotic P1, none P2 and P5, partial P3, complete P4; P6 missing; of 5.
    expected = {"nephrotic": 1, "none": 2, "partial": 1, "complete": 1}
    for state, n in expected.items():
        item = results[f"proteinuria.month1.{state}"]
        assert (item.n, item.denominator, item.missing) == (n, 5, 1), state


def test_the_one_month_response_none_is_labelled_as_no_remission_or_nephrotic(analysis, cohort):
    # IPNA 2022 SSNS Table 1: partial remission is "UPCR > 20 but < 200 mg/mmol ... and serum
    # albumin >= 30 g/L"; below the nephrotic range without it is no remission. The response
    # "none" holds both, so its label may not say "nephrotic-range proteinuria" alone, and
    # "partial" may not be "non-nephrotic proteinuria" (that includes no remission).
    analysis["response_month1"] = pd.array(
        ["none", "none", "partial", "complete", "none", None, None, None], dtype="string"
    )
    built = build_results(analysis, rule_set="ipna2020", cohort=cohort)
    none, partial = built["response.month1.none"], built["response.month1.partial"]
    assert none.n == 3
    assert none.label == "No response (no remission or nephrotic-range proteinuria)"
    assert partial.label == "Partial remission"


def test_the_proteinuria_table_has_four_state_columns_adding_up_to_n(results):
    table = next(t for t in build_tables(results) if t.id == "proteinuria")
    assert len(table.columns) == 6  # time point, four states, n
    month1 = next(row for row in table.rows if row[0] == "Month 1")
    assert month1 == ("Month 1", "1 (20.0%)", "2 (40.0%)", "1 (20.0%)", "1 (20.0%)", "5")
    for row in table.rows:
        if row[-1] != "0":
            assert sum(int(cell.split()[0]) for cell in row[1:5]) == int(row[-1]), row


def test_excel_and_results_json_carry_the_same_four_counts(results):
    workbook = load_workbook(io.BytesIO(render_xlsx(results)))
    sheet = workbook["Proteinuria"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=3, max_row=7)]
    month1 = next(row for row in rows if row[0] == "Month 1")
    assert month1[1:6] == ("1 (20.0%)", "2 (40.0%)", "1 (20.0%)", "1 (20.0%)", "5")
    records = {r["id"]: r for r in json.loads(render_json(results))}
    assert [records[f"proteinuria.month1.{s}"]["n"] for s in STATES] == [1, 2, 1, 1]


@pytest.mark.parametrize("rule_set", ["ipna2020", "kdigo2021"])
def test_the_demo_cohort_adds_up_at_every_time_point(rule_set):
    from nephrocohort.clinical import load_rule_set
    from nephrocohort.cohort import demo_cohort, derive

    rules = load_rule_set(rule_set)
    results = build_results(derive(demo_cohort(), rules), rule_set=rules)
    for month in (0, 1, 3, 6, 12):
        items = [results[f"proteinuria.month{month}.{s}"] for s in STATES]
        assert sum(item.n for item in items) == items[0].denominator, month
        assert items[0].denominator + items[0].missing == results["cohort.n"].n
