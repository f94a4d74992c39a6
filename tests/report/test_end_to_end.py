"""From raw records on disk to the report files, through load_bundle and derive.

Three synthetic children, all with the same course: prednisone 60 mg/m2/day
for 46 days with nephrotic-range proteinuria throughout (steroid resistant),
MMF from 2016-01-01 with proteinuria 60 mg/m2/h before and 2 mg/m2/h after
one month. Creatinine 0.5 mg/dL at 125 cm gives an original-Schwartz eGFR of
0.55 x 125 / 0.5 = 137.5 mL/min/1.73 m2 (clinical-reference.md section 2a,
k = 0.55 for a child). C has a family history of nephrotic syndrome, which
excludes C (seed exclusion criterion 3).
"""

import json

import pytest

from nephrocohort.cohort import save_bundle
from nephrocohort.pipeline import run_report


@pytest.fixture(scope="module")
def report_run(tmp_path_factory, make_small_study_cohort):
    folder = tmp_path_factory.mktemp("e2e")
    save_bundle(make_small_study_cohort(), folder / "bundle")
    run = run_report(data=folder / "bundle", rule_set="study", out_dir=folder / "report")
    return run


def test_every_format_is_written(report_run):
    assert sorted(p.name for p in report_run.files.values()) == [
        "report.docx",
        "report.html",
        "report.xlsx",
        "results.json",
    ]


def test_results_follow_the_records(report_run):
    records = json.loads(report_run.files["json"].read_text(encoding="utf-8"))
    by_id = {record["id"]: record for record in records}
    assert by_id["eligibility.assessed"]["n"] == 3
    assert by_id["eligibility.excluded"]["n"] == 1
    assert "family history" in by_id["eligibility.excluded"]["reasons"][0]["reason"].lower()
    assert by_id["cohort.n"]["n"] == 2
    assert (by_id["sex.male"]["n"], by_id["sex.female"]["n"]) == (1, 1)
    assert by_id["histology.FSGS"]["percent"] == 100.0
    assert (
        by_id["proteinuria.month0.nephrotic"]["n"],
        by_id["proteinuria.month0.nephrotic"]["denominator"],
    ) == (2, 2)
    assert by_id["response.month1.complete"]["n"] == 2
    assert by_id["egfr.mmf_start"]["mean"] == pytest.approx(137.5)


def test_swimmer_plot_has_the_analysed_patients(report_run):
    timelines = report_run.results.timelines
    assert sorted(timelines.patients["patient_id"]) == ["A", "B"]
    assert set(timelines.bars["drug"]) == {"Prednisolone", "MMF"}
