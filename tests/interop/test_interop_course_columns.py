"""The course columns (issue 10 item 5) travel to SPSS, Stata and CSV with their value labels.

A hand-built steroid-sensitive child with two relapses in the 6 months after the
initial remission is frequently relapsing under ipna2020 (IPNA 2022 SSNS Table 1:
infrequent is "< 2 relapses in the 6 months following remission of the initial
episode"), derived, then exported and read back.
"""

import sys
from pathlib import Path

import pandas as pd
import pyreadstat

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive
from nephrocohort.interop import export_tables

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cohort"))
from test_derive import make_cohort  # noqa: E402
from test_derive_course import (  # noqa: E402
    MMF,
    ONSET_COURSE,
    SENSITIVE_ONSET,
    VISITS,
    relapse,
    remission,
)


def _analysis():
    labs = [
        *SENSITIVE_ONSET,
        *relapse("2012-06-20"),
        *remission("2012-06-27"),
        *relapse("2012-07-10"),
    ]
    cohort = make_cohort(labs=labs, medications=[ONSET_COURSE, MMF], visits=VISITS)
    return cohort, derive(cohort, load_rule_set("ipna2020"))


def test_spss_and_stata_carry_the_course_columns_with_value_labels(tmp_path):
    cohort, analysis = _analysis()
    assert analysis.loc[0, "relapse_course"] == "frequently_relapsing"
    tables = {**cohort.tables, "analysis": analysis}
    export_tables(tables, to="spss", out=tmp_path / "spss", identifiable=True)
    frame, meta = pyreadstat.read_sav(tmp_path / "spss" / "analysis.sav")
    labels = meta.variable_value_labels["relapse_course"]
    assert set(labels.values()) == {
        "Steroid-dependent",
        "Frequently relapsing",
        "Infrequently relapsing",
        "No relapse",
    }
    assert labels[frame.loc[0, "relapse_course"]] == "Frequently relapsing"
    assert set(meta.variable_value_labels["cni_response"].values()) == {
        "CNI-responsive",
        "CNI-resistant",
    }
    assert meta.column_names_to_labels["multidrug_resistant_srns"] == "Multidrug-resistant SRNS"
    assert "secondary_steroid_resistance" in frame.columns

    export_tables(tables, to="stata", out=tmp_path / "stata", identifiable=True)
    stata, stata_meta = pyreadstat.read_dta(tmp_path / "stata" / "analysis.dta")
    stata_labels = stata_meta.variable_value_labels["relapse_course"]
    assert stata_labels[stata.loc[0, "relapse_course"]] == "Frequently relapsing"

    export_tables(tables, to="csv", out=tmp_path / "csv", identifiable=True)
    csv = pd.read_csv(tmp_path / "csv" / "analysis.csv")
    assert csv.loc[0, "relapse_course"] == "frequently_relapsing"
    assert {"cni_response", "multidrug_resistant_srns", "secondary_steroid_resistance"} <= set(
        csv.columns
    )


def test_analysis_csv_round_trip_keeps_the_course_columns_typed(tmp_path):
    from nephrocohort.cohort.analysis_csv import read_analysis_csv, write_analysis_csv
    from nephrocohort.report import build_results
    from nephrocohort.report._tables import build_tables

    cohort, analysis = _analysis()
    write_analysis_csv(analysis, tmp_path / "analysis.csv")
    back = read_analysis_csv(tmp_path / "analysis.csv")
    assert back.loc[0, "relapse_course"] == "frequently_relapsing"
    assert str(back["secondary_steroid_resistance"].dtype) == "boolean"
    # A report from the file counts the course. The child is steroid-sensitive, so not
    # eligible for the SRNS study; marked eligible here so that the report analyses it.
    back["eligible"] = pd.array([True], dtype="boolean")
    results = build_results(back, rule_set="ipna2020", source="analysis_file")
    item = results["course.relapse_course.frequently_relapsing"]
    assert (item.n, item.denominator) == (1, 1)
    assert any(table.id == "course" for table in build_tables(results))


def test_xlsx_export_has_the_course_columns(tmp_path):
    import openpyxl

    cohort, analysis = _analysis()
    export_tables(
        {**cohort.tables, "analysis": analysis},
        to="xlsx",
        out=tmp_path / "x.xlsx",
        identifiable=True,
    )
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["analysis"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert {"relapse_course", "cni_response", "multidrug_resistant_srns"} <= set(header)
