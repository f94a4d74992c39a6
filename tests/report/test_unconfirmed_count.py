"""The report counts the values resting on a single (unconfirmed) reading (issue 10).

IPNA 2020 / IPNA 2022 SSNS Table 1 define complete remission and relapse on
"3 consecutive days" (KDIGO 2021 the same, secondary source). Where the records
are too sparse to confirm, derive keeps the value and marks it; the report must
show how many ("n values rest on a single reading") under a stable results.json
id, in the methods text, in every language. Expected numbers are worked out by
hand from the rows below.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from nephrocohort.i18n import use_language
from nephrocohort.report import build_results, render_docx, render_html, render_json, render_xlsx


def _with_marks(analysis: pd.DataFrame) -> pd.DataFrame:
    marked = analysis.copy()
    # P1 two marked values, P3 one; P7 is excluded, so its five never count.
    names = [
        "state_month1, response_month1",
        "",
        "steroid_response",
        "",
        "",
        "",
        "a, b, c, d, e",
        "",
    ]
    marked["unconfirmed_values"] = pd.array(names, dtype="string")
    marked["n_unconfirmed_values"] = pd.array([2, 0, 1, 0, 0, 0, 5, 0], dtype="Int64")
    return marked


@pytest.fixture
def results(analysis, cohort):
    return build_results(_with_marks(analysis), rule_set="ipna2020", cohort=cohort)


def test_the_count_is_the_marked_values_of_the_analysed_patients(results):
    values = results["confirmation.unconfirmed_values"]
    # 13 markable columns in the fixture x 6 analysed patients = 78 cells, 7 of them NA
    # (P3 month 12; P4 days to remission and observed; P6 months 1, 6, 12 and response).
    assert (values.n, values.denominator) == (3, 71)
    assert dict(values.reasons) == {"state_month1": 1, "response_month1": 1, "steroid_response": 1}
    patients = results["confirmation.patients_with_unconfirmed"]
    assert (patients.n, patients.denominator) == (2, 6)


def test_results_json_has_the_stable_id(results):
    records = {record["id"]: record for record in json.loads(render_json(results))}
    assert records["confirmation.unconfirmed_values"]["n"] == 3
    assert records["confirmation.patients_with_unconfirmed"]["n"] == 2


def test_methods_text_says_how_many_values_rest_on_a_single_reading(results):
    assert "3 values rest on a single reading" in results.methods
    assert "in 2 of 6 patients analysed" in results.methods


def test_one_value_is_singular(analysis, cohort):
    marked = _with_marks(analysis)
    marked["n_unconfirmed_values"] = pd.array([1, 0, 0, 0, 0, 0, 5, 0], dtype="Int64")
    results = build_results(marked, rule_set="ipna2020", cohort=cohort)
    assert "1 value rests on a single reading" in results.methods


@pytest.mark.parametrize(
    "lang, phrase",
    [
        ("es", "3 valores se apoyan en una sola lectura"),
        ("pt-BR", "3 valores se apoiam em uma única leitura"),
    ],
)
def test_the_sentence_is_translated(analysis, cohort, lang, phrase):
    with use_language(lang):
        results = build_results(_with_marks(analysis), rule_set="ipna2020", cohort=cohort)
        html = render_html(results)
    assert phrase in results.methods
    assert phrase in html


def test_html_word_and_excel_show_the_count_table(results):
    html = render_html(results)
    assert 'id="confirmation"' in html and "3/71 (4.2%)" in html
    document = Document(io.BytesIO(render_docx(results)))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "3/71 (4.2%)" in cells and "2/6 (33.3%)" in cells
    sheet = load_workbook(io.BytesIO(render_xlsx(results)))["Unconfirmed values"]
    assert ("Values resting on a single (unconfirmed) reading", "3/71 (4.2%)") in {
        (row[0].value, row[1].value) for row in sheet.iter_rows(min_row=3)
    }


def test_the_seed_rule_set_says_no_value_can_rest_on_a_single_reading(analysis, cohort):
    marked = _with_marks(analysis)
    marked["n_unconfirmed_values"] = pd.array([0] * 8, dtype="Int64")
    marked["unconfirmed_values"] = pd.array([""] * 8, dtype="string")
    results = build_results(marked, rule_set="study", cohort=cohort)
    assert results["confirmation.unconfirmed_values"].n == 0
    assert "(confirmation: not_contradicted_within_days)" in results.methods
    assert "no value rests on an unconfirmed reading" in results.methods


def test_an_analysis_file_without_the_column_reports_no_count(analysis, cohort):
    results = build_results(analysis, rule_set="ipna2020", cohort=cohort)
    assert "confirmation.unconfirmed_values" not in results
    assert "single reading" not in results.methods


def test_the_sparse_demo_cohort_under_ipna2020_counts_every_marked_value():
    # The demo's clinic readings are weeks apart: under ipna2020 ("3 consecutive days")
    # many values rest on a single reading; the report counts each one derive marked.
    from nephrocohort.clinical import load_rule_set
    from nephrocohort.cohort import demo_cohort, derive
    from nephrocohort.cohort.analysis import CONFIRMABLE_COLUMNS

    rules = load_rule_set("ipna2020")
    analysis = derive(demo_cohort(), rules)
    results = build_results(analysis, rule_set=rules)
    analysed = analysis[analysis["eligible"].fillna(False).astype(bool)]
    values = results["confirmation.unconfirmed_values"]
    assert values.n == int(analysed["n_unconfirmed_values"].sum()) > 0
    assert values.n <= values.denominator
    marked = {
        name
        for text in analysed["unconfirmed_values"].dropna()
        for name in text.split(", ")
        if name
    }
    assert marked <= set(CONFIRMABLE_COLUMNS)
    assert sum(n for _, n in values.reasons) == values.n
