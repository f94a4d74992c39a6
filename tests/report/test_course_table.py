"""The course-of-disease table: counts of the four course columns, worked out by hand.

The hand-made dataset (conftest.py) gets course values; only P1-P6 are analysed.
"""

import pandas as pd
from tests.report.conftest import make_analysis, make_cohort

from nephrocohort.i18n import use_language
from nephrocohort.report import build_results
from nephrocohort.report._tables import build_tables


def _with_course():
    analysis = make_analysis()
    analysis["relapse_course"] = pd.array(
        # P1-P6 analysed; P7/P8 would change the counts if the report kept them
        ["frequently_relapsing", "steroid_dependent", None, "no_relapse", None,
         "frequently_relapsing", "steroid_dependent", "steroid_dependent"],
        dtype="string",
    )  # fmt: skip
    analysis["secondary_steroid_resistance"] = pd.array(
        [True, False, None, None, None, True, True, True], dtype="boolean"
    )
    analysis["cni_response"] = pd.array(
        ["resistant", "responsive", "resistant", None, "resistant", None, "resistant", None],
        dtype="string",
    )
    analysis["multidrug_resistant_srns"] = pd.array(
        [True, False, False, None, None, None, True, True], dtype="boolean"
    )
    return analysis


def test_course_counts_out_of_the_patients_with_a_value():
    results = build_results(_with_course(), rule_set="study", cohort=make_cohort())
    counts = {
        item_id: (results[item_id].n, results[item_id].denominator, results[item_id].missing)
        for item_id in results.ids()
        if item_id.startswith("course.")
    }
    # P1-P6: relapse_course FR, SD, NA, no relapse, NA, FR -> 4 with a value, 2 missing
    assert counts["course.relapse_course.frequently_relapsing"] == (2, 4, 2)
    assert counts["course.relapse_course.steroid_dependent"] == (1, 4, 2)
    assert counts["course.relapse_course.infrequently_relapsing"] == (0, 4, 2)
    assert counts["course.relapse_course.no_relapse"] == (1, 4, 2)
    assert counts["course.secondary_steroid_resistance"] == (2, 3, 3)  # T, F, T of 3
    assert counts["course.cni_response.resistant"] == (3, 4, 2)
    assert counts["course.cni_response.responsive"] == (1, 4, 2)
    assert counts["course.multidrug_resistant_srns"] == (1, 3, 3)
    table = next(t for t in build_tables(results) if t.id == "course")
    rows = {row[0]: row for row in table.rows}
    assert rows["Frequently relapsing"][1] == "2 (50.0%)"
    assert rows["CNI-resistant"][1] == "3 (75.0%)"


def test_course_table_is_translated():
    with use_language("es"):
        results = build_results(_with_course(), rule_set="study", cohort=make_cohort())
        table = next(t for t in build_tables(results) if t.id == "course")
    assert table.title == "Evolución de la enfermedad"
    assert "Recaídas frecuentes" in {row[0] for row in table.rows}


def test_a_dataset_without_the_course_columns_has_no_course_table():
    results = build_results(make_analysis(), rule_set="study", cohort=make_cohort())
    assert not any(t.id == "course" for t in build_tables(results))
