"""The whole report under every shipped rule set and the non-default statistical options."""

import json

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from nephrocohort.pipeline import run_report
from nephrocohort.report import ReportOptions
from nephrocohort.report._study import eligibility_items, split_reasons

_OPTIONS = ReportOptions(percentile_method="linear", normality_test="shapiro")


@pytest.mark.slow
@pytest.mark.parametrize("rule_set", ["ipna2020", "kdigo2021"])
def test_demo_report_renders_every_format_and_names_the_options(tmp_path, rule_set):
    run = run_report(rule_set=rule_set, out_dir=tmp_path, options=_OPTIONS)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "report.docx",
        "report.html",
        "report.xlsx",
        "results.json",
    ]
    records = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    run_record = records[0]
    assert (run_record["rule_set"], run_record["percentile_method"]) == (rule_set, "linear")
    assert run_record["normality_test"] == "shapiro"
    methods = run_record["methods"]
    assert rule_set in methods  # the exact wording of the rule set's origin is tested elsewhere
    assert "Shapiro-Wilk" in methods and "Lilliefors" not in methods
    assert "type 7" in methods and "HAVERAGE" not in methods
    summaries = [r for r in records if r.get("kind") == "summary" and r["n"] >= 5]
    assert summaries and {r["normality_test"] for r in summaries} == {"shapiro"}
    assert {r["percentile_method"] for r in summaries} == {"linear"}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Normality test: Shapiro-Wilk" in html and "Percentiles: linear (R type 7)" in html
    assert "Shapiro-Wilk W = " in html and "Lilliefors D" not in html
    document = Document(tmp_path / "report.docx")
    assert any("Shapiro-Wilk" in p.text for p in document.paragraphs)
    assert "Methods" in load_workbook(tmp_path / "report.xlsx").sheetnames
    excluded = next(r for r in records if r["id"] == "eligibility.excluded")
    for reason in excluded["reasons"]:  # whole sentences, never a clause cut off
        assert reason["reason"][0].isupper() or reason["reason"].startswith("eGFR")
    assert run.results.rule_set_name == rule_set


def test_a_reason_with_its_own_semicolon_stays_whole():
    text = "eGFR before MMF 59 mL/min/1.73m2; the study needs above 60.; Rituximab before MMF."
    assert split_reasons(text) == [
        "eGFR before MMF 59 mL/min/1.73m2; the study needs above 60.",
        "Rituximab before MMF.",
    ]
    assert split_reasons("Family history of nephrotic syndrome; Rituximab before MMF") == [
        "Family history of nephrotic syndrome",
        "Rituximab before MMF",
    ]


def test_eligibility_flow_counts_a_reason_with_a_semicolon_once(analysis):
    reasons = pd.array(
        [None] * 6 + ["Age at MMF start 18.2 years; the study includes children under 18.", None],
        dtype="string",
    )
    excluded = eligibility_items(analysis.assign(exclusion_reasons=reasons))[1]
    assert excluded.reasons == (
        ("Age at MMF start 18.2 years; the study includes children under 18.", 1),
    )
