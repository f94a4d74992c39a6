"""A cohort with almost no data still gives a complete, honest report (no crash, no invented numbers)."""

import json

import pandas as pd
import pytest

from nephrocohort.report import (
    build_results,
    render_docx,
    render_figures,
    render_html,
    render_json,
    render_xlsx,
)
from nephrocohort.report._columns import fill_absent_columns


@pytest.fixture(scope="module")
def sparse_results():
    frame = pd.DataFrame(
        {"patient_id": ["S1", "S2", "S3"], "eligible": pd.array([True] * 3, dtype="boolean")}
    )
    frame, absent, notes = fill_absent_columns(frame)
    return build_results(frame, rule_set="study", source="analysis_file", notes=notes)


def test_counts_without_data_have_no_denominator_and_no_percent(sparse_results):
    item = sparse_results["sex.male"]
    assert (item.n, item.denominator, item.missing, item.percent) == (0, 0, 3, None)


def test_summaries_and_tests_without_data_are_empty_not_zero(sparse_results):
    summary = sparse_results["egfr.mmf_start"]
    assert (summary.n, summary.summary) == (0, "none")
    assert summary.mean != summary.mean  # NaN, written as null
    test = sparse_results["relapses_per_year.test"]
    assert test.n == 0 and test.p != test.p
    assert "response.month1.group_test" not in sparse_results  # no groups to compare
    assert sparse_results["km.crf"].n == 0


def test_every_renderer_copes(sparse_results):
    figures = render_figures(sparse_results)
    assert [f.id for f in figures] == ["figure.eligibility"]  # no measurement, no Figure 1
    assert "<html" in render_html(sparse_results, figures=figures)
    assert render_docx(sparse_results, figures=figures)[:2] == b"PK"  # a zip container
    assert render_xlsx(sparse_results)[:2] == b"PK"
    records = json.loads(render_json(sparse_results))
    assert next(r for r in records if r["id"] == "egfr.mmf_start")["mean"] is None
    assert "lacks" in records[0]["notes"][0] or "lacks" in records[0]["notes"][-1]
