"""results.json: a list of items with stable ids and the DESIGN.md fields, unrounded."""

import json
import math

import pytest

from nephrocohort.report import render_json

# The ids the seed's Results section needs (issue 4 and seed-results.md).
REQUIRED_IDS = [
    "cohort.n", "sex.male", "sex.female", "histology.FSGS", "histology.MCD",
    "response.month1.complete", "response.month1.partial", "response.month1.none",
    "relapses_per_year.before", "relapses_per_year.after", "relapses_per_year.test",
    "steroid_dose.before", "steroid_dose.after", "steroid_dose.test", "prednisolone_stopped",
    "egfr.mmf_start", "egfr.month12", "age_at_diagnosis_months", "age_at_assessment_years",
    "follow_up_years", "onset.edema", "onset.hypertension", "onset.aki", "onset.hematuria",
    "histology.FSGS.crf", "table1.FSGS.sex", "table1.FSGS.age_years",
    "table1.FSGS.months_diagnosis_to_mmf", "table1.FSGS.hypertension",
    "treatment.steroid_pulses", "treatment.cyclophosphamide", "treatment.cyclosporine",
    "treatment.mmf", "treatment.rituximab", "treatment.enalapril", "treatment.losartan",
    "group.1", "group.2", "mmf.years_from_diagnosis", "mmf.duration_months",
    *[f"proteinuria.month{m}.{s}" for m in (0, 1, 3, 6, 12)
      for s in ("nephrotic", "partial", "complete")],
    "response.month1.group1.complete", "response.month1.group2.partial",
    "outcomes.medical_only", "outcomes.rrt", "outcomes.transplant", "outcomes.crf",
    "outcomes.death", "adverse.diarrhea", "adverse.severe_infection",
    "eligibility.assessed", "eligibility.excluded", "eligibility.included",
    "km.complete_remission", "km.crf",
]  # fmt: skip

FIELDS = {
    "count": {"id", "label", "n", "denominator", "percent", "missing"},
    "summary": {"id", "label", "n", "mean", "sd", "median", "p25", "p75", "min", "max", "normal",
                "summary", "reason", "normality_test", "percentile_method"},
    "test": {"id", "label", "test", "statistic", "z", "p", "n"},
    "survival": {"id", "label", "n", "events", "median_days", "timeline_days", "survival"},
}  # fmt: skip


@pytest.fixture(scope="module")
def records(fixture_results, tmp_path_factory):
    return json.loads(render_json(fixture_results))


def test_results_json_is_a_list_with_unique_ids(records):
    assert isinstance(records, list)
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("item_id", REQUIRED_IDS)
def test_every_seed_result_has_its_stable_id(records, item_id):
    assert item_id in {record["id"] for record in records}


def test_each_item_has_the_fields_of_its_kind(records):
    for record in records:
        if record["kind"] == "run":
            continue
        missing = FIELDS[record["kind"]] - set(record)
        assert not missing, f"{record['id']} lacks {missing}"
        assert record["label"]


def test_numbers_are_unrounded(records):
    edema = next(r for r in records if r["id"] == "onset.edema")
    assert edema["percent"] == 500 / 6  # 83.333..., rounding is for display only


def test_undefined_numbers_are_null_not_nan(records, tmp_path):
    one_patient = next(r for r in records if r["id"] == "table1.MN.age_years")
    assert one_patient["sd"] is None  # SD of a single value
    text = json.dumps(records)
    assert "NaN" not in text and "Infinity" not in text
    for record in records:
        for value in record.values():
            assert not (isinstance(value, float) and math.isnan(value))


def test_run_item_names_rule_set_options_and_software(records):
    run = records[0]
    assert run["id"] == "report.run"
    assert run["rule_set"] == "study"
    assert (run["percentile_method"], run["normality_test"]) == ("spss", "lilliefors")
    assert "pandas" in run["software"] and "Python" in run["software"]
    assert "Wilcoxon" in run["methods"]


def test_paired_tests_carry_the_normality_of_their_differences(fixture_results, tmp_path):
    import json

    from nephrocohort.report import render_json

    records = {r["id"]: r for r in json.loads(render_json(fixture_results))}
    for item_id in ("relapses_per_year.test", "steroid_dose.test", "egfr.test"):
        checked = records[item_id]["normality_of_differences"]
        assert set(checked) >= {"test", "statistic", "p", "normal", "n", "reason"}
    assert records["relapses_per_year.test"]["paired_t"]["df"] == 5
    assert records["steroid_dose.test"]["paired_t"] is None
