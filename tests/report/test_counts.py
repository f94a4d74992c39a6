"""Count results on the hand-made dataset (tests/report/conftest.py), worked out by hand.

Only P1-P6 are eligible; P7 (excluded) and P8 (not assessable) would change
every count below if the report included them.
"""

import pytest

from nephrocohort.report import CountItem, build_results


@pytest.fixture
def results(fixture_results):
    return fixture_results  # built once per module (conftest.py)


# id -> (n, denominator, missing), counted by hand from the fixture rows P1-P6.
EXPECTED_COUNTS = {
    "cohort.n": (6, 6, 0),
    "sex.male": (3, 5, 1),
    "sex.female": (2, 5, 1),
    "onset.edema": (5, 6, 0),
    "onset.hypertension": (3, 5, 1),
    "onset.aki": (1, 4, 2),
    "onset.hematuria": (2, 6, 0),
    "histology.FSGS": (3, 6, 0),
    "histology.MCD": (2, 6, 0),
    "histology.MN": (1, 6, 0),
    "histology.FSGS.crf": (1, 3, 0),
    "histology.MCD.crf": (0, 2, 0),
    "table1.MCD.n": (2, 6, 0),
    "table1.MCD.sex": (1, 2, 0),
    "table1.FSGS.sex": (2, 2, 1),
    "table1.MN.sex": (0, 1, 0),
    "table1.FSGS.hypertension": (2, 3, 0),
    "table1.MN.hypertension": (0, 0, 1),
    "treatment.steroid_pulses": (2, 6, 0),
    "treatment.cyclophosphamide": (1, 6, 0),
    "treatment.cyclosporine": (4, 6, 0),
    "treatment.mmf": (6, 6, 0),
    "treatment.rituximab": (1, 6, 0),
    "treatment.enalapril": (5, 6, 0),
    "treatment.losartan": (2, 6, 0),
    "group.1": (4, 6, 0),
    "group.2": (2, 6, 0),
    "proteinuria.month0.nephrotic": (4, 6, 0),
    "proteinuria.month0.partial": (1, 6, 0),
    "proteinuria.month0.complete": (1, 6, 0),
    "proteinuria.month1.complete": (3, 5, 1),
    "proteinuria.month6.nephrotic": (0, 5, 1),
    "proteinuria.month12.partial": (1, 4, 2),
    "response.month1.complete": (3, 5, 1),
    "response.month1.partial": (1, 5, 1),
    "response.month1.none": (1, 5, 1),
    "response.month1.group1.complete": (1, 3, 1),
    "response.month1.group1.none": (1, 3, 1),
    "response.month1.group2.complete": (2, 2, 0),
    "response.month1.group2.partial": (0, 2, 0),
    "prednisolone_stopped": (2, 5, 1),
    "outcomes.medical_only": (5, 6, 0),
    "outcomes.rrt": (1, 6, 0),
    "outcomes.transplant": (0, 6, 0),
    "outcomes.crf": (1, 6, 0),
    "outcomes.death": (0, 6, 0),
    "adverse.diarrhea": (1, 6, 0),
    "adverse.severe_infection": (1, 5, 1),
    "adverse.leukopenia": (0, 6, 0),
    "eligibility.assessed": (8, 8, 0),
    "eligibility.excluded": (1, 8, 0),
    "eligibility.not_assessable": (1, 8, 0),
    "eligibility.included": (6, 8, 0),
}


@pytest.mark.parametrize(("item_id", "expected"), EXPECTED_COUNTS.items())
def test_count_has_hand_counted_n_denominator_and_missing(results, item_id, expected):
    item = results[item_id]
    assert isinstance(item, CountItem)
    assert (item.n, item.denominator, item.missing) == expected


@pytest.mark.parametrize(
    ("item_id", "percent"),
    [
        ("sex.male", 60.0),  # 3/5: the patient without sex recorded is not in the denominator
        ("onset.edema", 500 / 6),  # 5/6 = 83.33...%
        ("onset.aki", 25.0),
        ("treatment.cyclosporine", 400 / 6),
        ("response.month1.group1.complete", 100 / 3),
        ("response.month1.group2.complete", 100.0),
    ],
)
def test_percent_is_unrounded_share_of_patients_with_data(results, item_id, percent):
    assert results[item_id].percent == pytest.approx(percent, rel=1e-12)


def test_percent_without_any_data_is_none(results):
    assert results["table1.MN.hypertension"].percent is None


def test_exclusion_reasons_are_counted_one_by_one(results):
    reasons = dict(results["eligibility.excluded"].reasons)
    assert reasons == {"Family history of nephrotic syndrome": 1, "Rituximab before MMF": 1}


def test_excluded_patients_list_each_patient_with_reasons(results):
    frame = results.excluded_patients
    assert list(frame["patient_id"]) == ["P7", "P8"]
    assert "Rituximab before MMF" in frame.loc[0, "reasons"]
    assert "could not be assessed" in frame.loc[1, "reasons"]


def test_histologies_absent_from_the_cohort_get_no_item_except_the_seed_ones(analysis, cohort):
    analysis = analysis.assign(histology=analysis["histology"].replace({"FSGS": "MN", "MCD": "MN"}))
    results = build_results(analysis, rule_set="study", cohort=cohort)
    assert "histology.DMS" not in results
    # the seed's two main histologies are always reported, with zero when absent
    assert (results["histology.FSGS"].n, results["histology.MCD"].n) == (0, 0)
    assert results["histology.MN"].n == 6


def test_included_patients_with_unchecked_criteria_are_counted_with_reasons(analysis):
    analysis = analysis.assign(
        eligibility_unchecked=[
            "HIV status not recorded",
            "HIV status not recorded; Family history not recorded",
            "",
            None,
            "",
            "",
            "Syphilis status not recorded",  # P7 is excluded: not counted here
            "",
        ]
    )
    item = build_results(analysis, rule_set="study")["eligibility.included_unchecked"]
    assert (item.n, item.denominator) == (2, 6)
    assert dict(item.reasons) == {"HIV status not recorded": 2, "Family history not recorded": 1}


def test_analysis_file_without_eligibility_analyses_every_patient_and_says_so(analysis):
    from nephrocohort.report._columns import fill_absent_columns

    frame, absent, notes = fill_absent_columns(analysis.drop(columns=["eligible", "onset_aki"]))
    assert absent == ["eligible", "onset_aki"]
    results = build_results(frame, rule_set="study", source="analysis_file", notes=notes)
    assert results["cohort.n"].n == 8
    assert (results["onset.aki"].n, results["onset.aki"].denominator) == (0, 0)
    assert "no eligibility column: every patient in it was analysed" in results.notes[0]
    assert "onset_aki" in results.notes[1]
    assert "Of 8 patients in the analysis-dataset file, 8 were marked eligible" in results.methods


def test_outcomes_partition_medical_rrt_and_transplant(analysis):
    # The seed counts medical only 24 + RRT 1 + transplant 1 = 26: a transplanted child
    # (here P2, who also has rrt) counts under transplant only.
    analysis = analysis.assign(
        transplant=analysis["transplant"].mask(analysis["patient_id"] == "P2", True)
    )
    results = build_results(analysis, rule_set="study")
    assert results["outcomes.rrt"].n == 0
    assert results["outcomes.transplant"].n == 1
    assert results["outcomes.medical_only"].n == 5
