"""Validation of bad bundles: every kind of mistake gets its own clear problem.

Each test writes a small bundle into tmp_path, so the row numbers below are the
rows a user sees in the file (the header is row 1).
"""

import datetime as dt
import textwrap

import pandas as pd
import pytest

from nephrocohort.cohort import (
    Cohort,
    load_bundle,
    validate_bundle,
    validate_cohort,
    validate_tables,
)
from nephrocohort.cohort import validation as validation_module
from nephrocohort.cohort.problems import Problem, make_problem
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.messages import CATALOGUE

AS_OF = dt.date(2025, 1, 1)

PATIENTS = """\
    patient_id,sex,birth_date,onset_date
    P1,F,2012-03-14,2015-06-02
    P2,M,2010-01-02,2013-02-01
"""


def write_csvs(folder, **tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def problems_of(folder, **kwargs):
    return validate_bundle(folder, as_of=kwargs.pop("as_of", AS_OF))


def only(problems, code):
    found = [problem for problem in problems if problem.code == code]
    assert found, f"no {code} among {[p.code for p in problems]}"
    return found


class TestWholeFiles:
    def test_path_that_does_not_exist(self, tmp_path):
        (problem,) = problems_of(tmp_path / "nowhere")
        assert problem.code == "path_not_found"
        assert "nowhere" in problem.message

    @pytest.mark.parametrize("name", ["cohort.txt", "cohort.xls", "cohort.pdf", "patients.csv"])
    def test_a_file_that_is_not_a_folder_or_xlsx(self, tmp_path, name):
        path = tmp_path / name
        path.write_text("patient_id\nP1\n")
        (problem,) = problems_of(path)
        assert problem.code == "not_a_bundle"
        assert "folder of CSV files or one .xlsx workbook" in problem.message

    def test_a_damaged_xlsx(self, tmp_path):
        path = tmp_path / "cohort.xlsx"
        path.write_bytes(b"%PDF-1.4 this is not a workbook")
        (problem,) = problems_of(path)
        assert problem.code == "unreadable_file"
        assert "cohort.xlsx" in problem.message

    def test_folder_without_csv_files(self, tmp_path):
        (tmp_path / "notes.txt").write_text("hello")
        (problem,) = problems_of(tmp_path)
        assert problem.code == "no_tables"

    def test_folder_with_a_workbook_points_at_it(self, tmp_path):
        (tmp_path / "cohort.xlsx").write_bytes(b"")
        (problem,) = problems_of(tmp_path)
        assert problem.code == "no_tables"
        assert "cohort.xlsx" in problem.hint

    def test_patients_table_is_required(self, tmp_path):
        write_csvs(tmp_path, labs="patient_id,date,test,value,unit\n")
        problem = only(problems_of(tmp_path), "missing_table")[0]
        assert problem.table == "patients"
        assert "patients.csv" in problem.message

    def test_unknown_table_file_is_reported_not_ignored(self, tmp_path):
        write_csvs(tmp_path, patients=PATIENTS, lab_results="patient_id\nP1\n")
        (problem,) = problems_of(tmp_path)
        assert problem.code == "unknown_table"
        assert "lab_results.csv" in problem.message
        assert "labs" in problem.hint

    def test_empty_file(self, tmp_path):
        write_csvs(tmp_path, patients=PATIENTS)
        (tmp_path / "visits.csv").write_bytes(b"")
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.table) == ("empty_file", "visits")
        assert "visits.csv is empty" in problem.message
        assert "patient_id,date" in problem.hint

    def test_file_in_another_encoding_says_so(self, tmp_path):
        write_csvs(tmp_path, patients=PATIENTS)
        text = "patient_id,date,event,detail\nP1,2016-05-14,other,fièvre\n"
        (tmp_path / "events.csv").write_bytes(text.encode("latin-1"))
        (problem,) = problems_of(tmp_path)
        assert problem.code == "not_utf8"
        assert problem.row == 2
        assert "UTF-8" in problem.message and "0xE8" in problem.message
        assert "CSV UTF-8" in problem.hint

    def test_utf8_with_byte_order_mark_is_fine(self, tmp_path):
        write_csvs(tmp_path, patients=PATIENTS)
        text = "patient_id,date,event,detail\nP1,2016-05-14,other,fièvre\n"
        (tmp_path / "events.csv").write_bytes(text.encode("utf-8-sig"))
        cohort = load_bundle(tmp_path, as_of=AS_OF)
        assert cohort.events.loc[0, "detail"] == "fièvre"

    def test_semicolon_separated_file(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id;sex;birth_date\nP1;F;2012-03-14\n")
        problem = only(problems_of(tmp_path), "wrong_delimiter")[0]
        assert "';'" in problem.message

    def test_row_with_too_many_values_names_its_row(self, tmp_path):
        visits = """\
            patient_id,date,height_cm
            P1,2016-01-01,121
            P1,2016-02-01,1,22
        """
        write_csvs(tmp_path, patients=PATIENTS, visits=visits)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row) == ("ragged_row", 3)
        assert "3 columns" in problem.message and "4 values" in problem.message

    def test_value_under_a_header_without_a_name(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date,\nP1,F,2012-03-14,note\n")
        (problem,) = problems_of(tmp_path)
        assert problem.code == "blank_column_name"
        assert "column 4 of the header has no name" in problem.message

    def test_duplicate_column_in_header(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,sex,birth_date\nP1,F,F,2012-03-14\n")
        problem = only(problems_of(tmp_path), "duplicate_column")[0]
        assert problem.column == "sex"


class TestColumnsAndCells:
    def test_missing_required_column(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex\nP1,F\n")
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column, problem.row) == ("missing_column", "birth_date", None)
        assert "patients.csv has no column 'birth_date'" in problem.message

    def test_missing_column_with_other_capitalisation_gets_a_hint(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,Birth_Date\nP1,F,2012-03-14\n")
        (problem,) = problems_of(tmp_path)
        assert problem.code == "missing_column"
        assert "Birth_Date" in problem.hint and "case-sensitive" in problem.hint

    def test_empty_required_value(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,,2012-03-14\n")
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row, problem.column) == ("missing_value", 2, "sex")

    @pytest.mark.parametrize("written", ["14/03/2012", "2012-3-14", "2012-02-30", "March 2012"])
    def test_bad_date_names_the_expected_form(self, tmp_path, written):
        write_csvs(tmp_path, patients=f"patient_id,sex,birth_date\nP1,F,{written}\n")
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row, problem.column) == ("bad_date", 2, "birth_date")
        assert problem.value == written
        assert "YYYY-MM-DD" in problem.message

    @pytest.mark.parametrize(
        ("written", "hint"),
        [
            ("14/03/2012", "If this is 14 March 2012, write 2012-03-14."),
            ("03/04/2012", "'03/04/2012' could be 3 April or 4 March: write it as YYYY-MM-DD."),
        ],
    )
    def test_day_month_year_dates_get_the_iso_form_only_when_unambiguous(
        self, tmp_path, written, hint
    ):
        write_csvs(tmp_path, patients=f"patient_id,sex,birth_date\nP1,F,{written}\n")
        (problem,) = problems_of(tmp_path)
        assert problem.code == "bad_date"
        assert problem.hint == hint

    @pytest.mark.parametrize("written", ["2263-01-01", "0999-12-31"])
    def test_year_outside_any_clinical_record(self, tmp_path, written):
        write_csvs(tmp_path, patients=f"patient_id,sex,birth_date\nP1,F,{written}\n")
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.value) == ("date_out_of_range", written)
        assert "between 1850 and 2200" in problem.message

    def test_date_in_the_future(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,F,2025-01-02\n")
        (problem,) = problems_of(tmp_path, as_of=dt.date(2025, 1, 1))
        assert (problem.code, problem.value) == ("future_date", "2025-01-02")
        assert "after 2025-01-01" in problem.message

    def test_the_day_itself_is_not_the_future(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,F,2025-01-01\n")
        assert problems_of(tmp_path, as_of=dt.date(2025, 1, 1)) == []

    def test_default_reference_date_is_taken_when_called(self, tmp_path, monkeypatch):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,F,2030-06-01\n")

        class FrozenDate(dt.date):
            @classmethod
            def today(cls):
                return dt.date(2031, 1, 1)

        assert validate_bundle(tmp_path) != []  # today (the real one) is before 2030
        monkeypatch.setattr(validation_module.dt, "date", FrozenDate)
        assert validate_bundle(tmp_path) == []

    def test_date_before_birth(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2011-12-31,serum_albumin,2.1,g/dL\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.table, problem.row) == ("before_birth", "labs", 2)
        assert "2012-03-14" in problem.message and "P1" in problem.message

    def test_unknown_code_lists_the_allowed_ones(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,X,2012-03-14\n")
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column, problem.value) == ("unknown_code", "sex", "X")
        assert "Allowed values: M, F" in problem.message

    def test_code_in_the_wrong_case_suggests_the_right_one(self, tmp_path):
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,f,2012-03-14\n")
        (problem,) = problems_of(tmp_path)
        assert "Did you mean 'F'?" in problem.hint

    def test_unknown_lab_test(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,albumin,2.1,g/dL\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column) == ("unknown_code", "test")
        assert "serum_albumin" in problem.message

    def test_unknown_unit_lists_the_accepted_ones(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,serum_creatinine,0.5,mmol/L\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column, problem.value) == ("unknown_unit", "unit", "mmol/L")
        assert problem.params["test"] == "serum_creatinine"
        assert problem.params["allowed"] == "mg/dL, umol/L"
        assert "serum_creatinine" in problem.message
        assert "mg/dL, umol/L" in problem.message

    def test_albumin_25_g_dl_is_implausible_and_hints_at_g_l(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,serum_albumin,25,g/dL\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row, problem.column, problem.value) == (
            "implausible",
            2,
            "value",
            "25",
        )
        assert "serum_albumin is 25 g/dL" in problem.message
        assert "g/L" in problem.hint

    def test_albumin_25_g_l_is_plausible(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,serum_albumin,25,g/L\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        assert problems_of(tmp_path) == []

    def test_implausible_value_in_another_unit_gives_the_range_in_that_unit(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,serum_albumin,250,g/L\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert problem.message == (
            "labs.csv row 2: serum_albumin is 250 g/L. Expected 0.3-6.5 g/dL (3-65 g/L)."
        )

    def test_height_in_metres(self, tmp_path):
        visits = "patient_id,date,height_cm\nP1,2016-01-01,1.45\n"
        write_csvs(tmp_path, patients=PATIENTS, visits=visits)
        (problem,) = problems_of(tmp_path)
        assert problem.code == "implausible"
        assert problem.message == ("visits.csv row 2: 'height_cm' is 1.45 cm. Expected 30-220 cm.")
        assert problem.hint == "Was it entered in metres?"

    def test_number_with_decimal_comma(self, tmp_path):
        visits = 'patient_id,date,weight_kg\nP1,2016-01-01,"24,5"\n'
        write_csvs(tmp_path, patients=PATIENTS, visits=visits)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.value) == ("not_a_number", "24,5")
        assert "24.5" in problem.hint

    def test_lab_value_that_is_not_a_number(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,upcr,high,mg/mg\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column, problem.value) == ("not_a_number", "value", "high")

    def test_unknown_dipstick_grade(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,5+,mg/dL\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.value) == ("bad_dipstick", "5+")
        assert "1+" in problem.message

    def test_empty_unit_of_a_lab_value_is_reported_not_dropped(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,serum_albumin,2.1,\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row, problem.column) == ("missing_value", 2, "unit")

    def test_negative_dose(self, tmp_path):
        medications = "patient_id,drug,start_date,dose,dose_unit\nP1,mmf,2016-01-01,-600,mg/day\n"
        write_csvs(tmp_path, patients=PATIENTS, medications=medications)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column) == ("negative_value", "dose")


class TestDipstickUnits:
    """Unit ``grade`` for 0, +/-, 1+ ... 4+; ``mg/dL`` for negative, trace, 30 ... 1000.

    mg/dL equivalents: KDIGO 2025 Figure 1 bands (clinical-reference.md section 1c).
    """

    @pytest.mark.parametrize(
        ("grade", "unit", "mg_dl"),
        [
            ("2+", "grade", 100.0),
            ("4+", "Grade", 1000.0),
            ("+/-", "grade", 15.0),
            ("0", "grade", 0.0),
            ("trace", "grade", 15.0),
            ("negative", "grade", 0.0),
            ("300", "mg/dL", 300.0),
            ("trace", "mg/dL", 15.0),
            # A plus grade is an mg/dL band, so mg/dL is accepted with it (as it always was).
            ("2+", "mg/dL", 100.0),
        ],
    )
    def test_grade_and_its_notation_load_as_mg_dl(self, tmp_path, grade, unit, mg_dl):
        labs = f"patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,{grade},{unit}\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        cohort = load_bundle(tmp_path, as_of=AS_OF)
        row = cohort.labs.iloc[0]
        assert (row["value"], row["unit"]) == (mg_dl, "mg/dL")
        assert (row["measured_value"], row["measured_unit"]) == (mg_dl, "mg/dL")

    def test_a_concentration_with_unit_grade_is_refused(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,300,grade\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row, problem.column, problem.value) == (
            "dipstick_unit_mismatch",
            2,
            "unit",
            "grade",
        )
        assert problem.message == (
            "labs.csv row 2: dipstick result '300' is a concentration in mg/dL, but its unit is "
            "'grade'. Expected unit mg/dL for negative, trace, 30, 100, 300, 1000; grade for "
            "0, +/-, 1+, 2+, 3+, 4+."
        )
        assert problem.hint == (
            "Write mg/dL in the unit column, or write the result as the grade 3+ (300 mg/dL is 3+)."
        )

    @pytest.mark.parametrize(
        ("written", "mg_dl", "named"),
        [
            # Issue 10 item 6: "negative, trace, 30, 100, 300, 1000 are mg/dL; 0, +/-, 1+ to
            # 4+ are grades". mg/dL: the lower edge of each KDIGO 2025 Figure 1 band
            # ("trace 15 to < 30, 1+ 30 to < 100, 2+ 100 to < 300, 3+ 300 to < 1000, 4+ >= 1000").
            ("negative", 0.0, "mg/dL"),
            ("trace", 15.0, "mg/dL"),
            ("30", 30.0, "mg/dL"),
            ("100", 100.0, "mg/dL"),
            ("300", 300.0, "mg/dL"),
            ("1000", 1000.0, "mg/dL"),
            ("0", 0.0, "grade"),
            ("+/-", 15.0, "grade"),
            ("1+", 30.0, "grade"),
            ("2+", 100.0, "grade"),
            ("3+", 300.0, "grade"),
            ("4+", 1000.0, "grade"),
            # Common spellings, each of one grade only.
            ("Neg", 0.0, "mg/dL"),
            ("tr", 15.0, "mg/dL"),
            ("negativo", 0.0, "mg/dL"),
            ("trazas", 15.0, "mg/dL"),
            ("++", 100.0, "grade"),
            ("++++", 1000.0, "grade"),
            ("+3", 300.0, "grade"),
        ],
    )
    def test_an_empty_unit_is_read_from_the_notation_and_recorded(
        self, tmp_path, written, mg_dl, named
    ):
        labs = f"patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,{written},\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        row = load_bundle(tmp_path, as_of=AS_OF).labs.iloc[0]
        assert (row["value"], row["unit"], row["measured_unit"]) == (mg_dl, "mg/dL", "mg/dL")
        assert row["unit_from_notation"] == named

    def test_a_written_unit_is_not_marked_as_read_from_the_notation(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,2+,grade\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        import pandas as pd

        assert pd.isna(load_bundle(tmp_path, as_of=AS_OF).labs.loc[0, "unit_from_notation"])

    def test_saving_writes_the_unit_the_notation_named(self, tmp_path):
        from nephrocohort.cohort import save_bundle

        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,++,\n"
        write_csvs(tmp_path / "in", patients=PATIENTS, labs=labs)
        save_bundle(load_bundle(tmp_path / "in", as_of=AS_OF), tmp_path / "out")
        assert (tmp_path / "out" / "labs.csv").read_text().splitlines()[1].endswith(",100,mg/dL")

    @pytest.mark.parametrize("unit", ["", "grade", "mg/dL"])
    def test_a_bare_number_off_the_strip_is_refused_with_or_without_a_unit(self, tmp_path, unit):
        # "2" could be 2+ or 2 mg/dL: nothing is guessed.
        labs = f"patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,2,{unit}\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.row, problem.column, problem.value) == (
            "bad_dipstick",
            2,
            "value",
            "2",
        )
        assert problem.message == (
            "labs.csv row 2: 'value' is '2', which is not a dipstick protein result. Expected "
            "one of negative, trace, 30, 100, 300, 1000, 0, +/-, 1+, 2+, 3+, 4+ (also written "
            "neg, tr, +, ++, +++, ++++, negativo, trazas)."
        )
        assert "1+ to 4+" in problem.hint and "30, 100, 300 or 1000" in problem.hint

    def test_a_word_naming_no_grade_is_refused(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,positivo,\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.value) == ("bad_dipstick", "positivo")
        with pytest.raises(CohortValidationError):
            load_bundle(tmp_path, as_of=AS_OF)

    def test_another_unit_lists_both_notations(self, tmp_path):
        labs = "patient_id,date,test,value,unit\nP1,2016-01-01,dipstick_protein,3+,g/L\n"
        write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.params["allowed"]) == ("unknown_unit", "mg/dL, grade")

    def test_vocabulary_validator_and_template_agree(self):
        from nephrocohort.cohort.vocabulary import DIPSTICK_NOTATIONS, LAB_TESTS

        assert LAB_TESTS["dipstick_protein"].units == ("mg/dL", "grade")
        assert set(DIPSTICK_NOTATIONS) == {"mg/dL", "grade"}


class TestAcrossRowsAndTables:
    def test_duplicate_patient_ids_name_both_rows(self, tmp_path):
        patients = "patient_id,sex,birth_date\nP1,F,2012-03-14\nP2,M,2010-01-02\nP1,M,2011-01-01\n"
        write_csvs(tmp_path, patients=patients)
        problems = problems_of(tmp_path)
        assert [(p.code, p.row) for p in problems] == [
            ("duplicate_patient", 2),
            ("duplicate_patient", 4),
        ]
        assert "rows 2, 4" in problems[0].message

    def test_duplicate_rows_are_the_rows_of_the_file_not_positions(self, tmp_path):
        # A blank line (row 3) and a ragged row (row 5) are not data: positions shift, rows do not.
        patients = (
            "patient_id,sex,birth_date\nP1,F,2012-03-14\n\nP2,M,2010-01-02\n"
            "P3,M,2010-01-02,extra\nP1,M,2011-01-01\n"
        )
        labs = "patient_id,date,test,value,unit\n\n\nP9,2016-03-01,serum_albumin,2,g/dL\n"
        write_csvs(tmp_path, patients=patients, labs=labs)
        problems = problems_of(tmp_path)
        duplicates = only(problems, "duplicate_patient")
        assert [p.row for p in duplicates] == [2, 6]
        assert all(p.params["rows"] == (2, 6) for p in duplicates)
        assert "(rows 2, 6)" in duplicates[0].message
        assert [p.row for p in only(problems, "unknown_patient")] == [4]

    def test_duplicates_in_a_cohort_built_in_code_cite_source_row(self):
        import pandas as pd

        patients = pd.DataFrame(
            {
                "patient_id": ["P1", "P2", "P1"],
                "sex": ["F", "M", "F"],
                "birth_date": ["2012-03-14"] * 3,
                "source_row": [10, 7, 3],
            }
        )
        problems = validate_cohort(Cohort(patients=patients), as_of=AS_OF)
        assert [(p.code, p.row) for p in problems] == [
            ("duplicate_patient", 3),
            ("duplicate_patient", 10),
        ]
        assert "row 3: patient_id 'P1' appears more than once (rows 3, 10)." in problems[0].message

    def test_rows_without_source_row_are_not_called_row_none(self):
        import pandas as pd

        patients = pd.DataFrame(
            {"patient_id": ["P1", "P1"], "sex": ["F", "F"], "birth_date": ["2012-03-14"] * 2}
        )
        problems = validate_cohort(Cohort(patients=patients), as_of=AS_OF)
        assert [(p.code, p.row) for p in problems] == [("duplicate_patient", None)] * 2
        assert "None" not in problems[0].message
        assert problems[0].message == (
            "Table 'patients', a row without source_row: patient_id 'P1' appears more than "
            "once (rows without source_row)."
        )

    def test_row_whose_patient_does_not_exist(self, tmp_path):
        events = "patient_id,date,event\nP1,2016-05-14,relapse\nP9,2016-05-14,relapse\n"
        write_csvs(tmp_path, patients=PATIENTS, events=events)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.table, problem.row, problem.value) == (
            "unknown_patient",
            "events",
            3,
            "P9",
        )

    def test_end_before_start(self, tmp_path):
        medications = "patient_id,drug,start_date,end_date\nP1,mmf,2016-03-01,2016-02-01\n"
        write_csvs(tmp_path, patients=PATIENTS, medications=medications)
        (problem,) = problems_of(tmp_path)
        assert (problem.code, problem.column, problem.value) == (
            "end_before_start",
            "end_date",
            "2016-02-01",
        )
        assert "start_date" in problem.message and "2016-03-01" in problem.message

    def test_overlapping_courses_of_one_drug_are_reported(self, tmp_path):
        # Three prednisolone prescriptions written as an EHR renews them, without ends
        # (issue 11: "three prednisolone renewals (60, 40, 20 mg/m2/day) must not add up"):
        # row 3 starts inside the ongoing course of row 2, row 4 inside those of rows 2 and 3
        # (the one ending last, row 3, is cited). Row 6 starts the day row 5 ends (a
        # hand-over, not an overlap). Row 8 starts inside row 7, which has an end. Row 9 is
        # another patient, row 10 starts after row 7 ended.
        medications = (
            "patient_id,drug,start_date,end_date,dose,dose_unit,schedule\n"
            "P1,prednisolone,2014-01-10,,60,mg/m2/day,daily\n"
            "P1,prednisolone,2014-02-07,,40,mg/m2/day,daily\n"
            "P1,prednisolone,2014-03-07,,20,mg/m2/day,daily\n"
            "P1,mmf,2014-03-20,2014-06-01,600,mg/m2/dose,bid\n"
            "P1,mmf,2014-06-01,,500,mg/m2/dose,bid\n"
            "P1,enalapril,2014-03-20,2014-04-30,5,mg/day,daily\n"
            "P1,enalapril,2014-04-15,2014-04-20,2.5,mg/day,daily\n"
            "P2,prednisolone,2014-02-07,,60,mg/m2/day,daily\n"
            "P1,enalapril,2014-05-01,,5,mg/day,daily\n"
        )
        write_csvs(tmp_path, patients=PATIENTS, medications=medications)
        problems = problems_of(tmp_path)
        found = [(p.code, p.row, p.value, p.params["other_row"]) for p in problems]
        assert found == [
            ("overlapping_course", 3, "2014-02-07", 2),
            ("overlapping_course", 4, "2014-03-07", 3),
            ("overlapping_course", 8, "2014-04-15", 7),
        ]
        assert {p.severity for p in problems} == {"error"}
        assert problems[0].params["other_end"] is None
        assert (problems[0].source, problems[0].table, problems[0].value) == (
            "medications.csv",
            "medications",
            "2014-02-07",
        )
        assert problems[0].params["other_start"] == "2014-01-10"
        assert (problems[2].params["other_start"], problems[2].params["other_end"]) == (
            "2014-03-20",
            "2014-04-30",
        )
        # The bundle is refused: derive would otherwise add the doses up.
        with pytest.raises(CohortValidationError):
            load_bundle(tmp_path, as_of=AS_OF)


class TestEveryProblemAtOnce:
    def test_all_problems_are_reported_and_nothing_is_loaded(self, tmp_path):
        patients = """\
            patient_id,sex,birth_date
            P1,X,2012-03-14
            P1,F,14/03/2012

            P3,M,2030-01-01
        """
        labs = """\
            patient_id,date,test,value,unit
            P1,2016-01-01,serum_albumin,25,g/dL
            P9,2016-01-01,serum_creatinine,0.4,mg/dL
            P1,2016-01-01,cystatin_c,0.8,mg/dl/h
        """
        write_csvs(tmp_path, patients=patients, labs=labs)
        expected = [
            ("patients", 2, "duplicate_patient"),
            ("patients", 2, "unknown_code"),
            ("patients", 3, "duplicate_patient"),
            ("patients", 3, "bad_date"),
            ("patients", 5, "future_date"),  # the blank line 4 still counts as a row
            ("labs", 2, "implausible"),
            ("labs", 3, "unknown_patient"),
            ("labs", 4, "unknown_unit"),
        ]
        problems = problems_of(tmp_path)
        assert [(p.table, p.row, p.code) for p in problems] == expected
        with pytest.raises(CohortValidationError) as raised:
            load_bundle(tmp_path, as_of=AS_OF)
        assert raised.value.problems == problems
        assert str(tmp_path) in str(raised.value)
        assert "nothing was loaded" in str(raised.value)

    def test_a_systematic_mistake_is_listed_up_to_the_limit_then_counted(
        self, tmp_path, monkeypatch
    ):
        monkeypatch.setattr(validation_module, "PROBLEMS_PER_KIND", 3)
        rows = "".join(f"P1,2016-01-{day:02d},serum_creatinine,40,mmol/l\n" for day in range(1, 8))
        write_csvs(tmp_path, patients=PATIENTS, labs="patient_id,date,test,value,unit\n" + rows)
        problems = problems_of(tmp_path)
        assert [(p.code, p.row) for p in problems] == [
            ("unknown_unit", 2),
            ("unknown_unit", 3),
            ("unknown_unit", 4),
            ("more_problems", None),
        ]
        assert problems[-1].message == (
            "labs.csv: 4 more rows have the same problem (unknown_unit) in 'unit'; "
            "only the first 3 are listed."
        )

    def test_a_cell_is_reported_once(self, tmp_path):
        # a bad birth date is not also "missing" or "before birth"
        write_csvs(tmp_path, patients="patient_id,sex,birth_date\nP1,F,yesterday\n")
        assert [p.code for p in problems_of(tmp_path)] == ["bad_date"]


class TestProblems:
    def test_problem_is_frozen_and_reads_as_a_sentence_only_when_shown(self):
        problem = make_problem(
            "missing_value",
            source="patients.csv",
            table="patients",
            row=2,
            column="sex",
            description="sex at birth",
        )
        with pytest.raises(AttributeError):
            problem.row = 3
        assert isinstance(problem, Problem) and problem.severity == "error"
        assert (problem.source, problem.table, problem.row, problem.column) == (
            "patients.csv",
            "patients",
            2,
            "sex",
        )
        assert str(problem) == (
            "patients.csv row 2: 'sex' is empty, but it is required. sex: sex at birth."
        )
        assert problem.sentence(located=False) == (
            "'sex' is empty, but it is required. sex: sex at birth."
        )

    def test_an_unknown_code_is_refused(self):
        with pytest.raises(KeyError):
            make_problem("no_such_code", table="patients")

    def test_every_bundle_message_names_where(self):
        for code, template in CATALOGUE.items():
            if "." in code or code in (
                "unspecified",
                "validation_failed",
                "validation_failed_here",
            ):
                continue
            text = template.text
            assert (
                template.at_row
                or "{where}" in text
                or "{path}" in text
                or code in ("missing_table",)
            ), code


class TestValidateCohort:
    def test_cohort_built_in_code_is_checked_with_the_same_rules(self):
        import pandas as pd

        patients = pd.DataFrame(
            {"patient_id": ["P1", "P1"], "sex": ["F", "W"], "birth_date": ["2012-03-14"] * 2}
        )
        labs = pd.DataFrame(
            {
                "patient_id": ["P2"],
                "date": ["2016-01-01"],
                "test": ["serum_albumin"],
                "value": [25.0],
                "unit": ["g/dL"],
            }
        )
        problems = validate_cohort(Cohort(patients=patients, labs=labs), as_of=AS_OF)
        codes = sorted(p.code for p in problems)
        assert codes == [
            "duplicate_patient",
            "duplicate_patient",
            "implausible",
            "unknown_code",
            "unknown_patient",
        ]
        # In-memory tables have no file: each problem names its table, and no row.
        assert sorted((p.code, p.table, p.row) for p in problems) == [
            ("duplicate_patient", "patients", None),
            ("duplicate_patient", "patients", None),
            ("implausible", "labs", None),
            ("unknown_code", "patients", None),
            ("unknown_patient", "labs", None),
        ]


class TestReportRendering:
    """The human report groups repeated problems; numbers below are written by hand."""

    @pytest.mark.parametrize(
        ("rows", "text"),
        [
            ([7], "7"),
            ([3, 4, 5, 9], "3-5, 9"),
            ([2, 4, 6], "2, 4, 6"),
            ([10, 11], "10-11"),
        ],
    )
    def test_rows_are_written_as_runs(self, rows, text):
        from nephrocohort.cohort.rendering import row_ranges

        assert row_ranges(rows) == text

    def test_a_very_scattered_list_ends_with_dots(self):
        from nephrocohort.cohort.rendering import row_ranges

        text = row_ranges(list(range(2, 200, 2)))
        assert text.startswith("2, 4, 6") and text.endswith(", ...")

    def test_problems_that_differ_beyond_the_row_stay_apart(self, tmp_path):
        from nephrocohort.cohort.rendering import format_problems

        labs = """\
            patient_id,date,test,value,unit
            P1,2016-03-01,serum_albumin,25,g/dL
            P1,2016-03-02,serum_albumin,25,g/dL
            P1,2016-03-03,serum_albumin,30,g/dL
        """
        folder = write_csvs(tmp_path, patients=PATIENTS, labs=labs)
        report = format_problems(problems_of(folder), source="b")
        assert "labs.csv rows 2-3 (2 rows): serum_albumin is 25 g/dL." in report
        assert "labs.csv row 4: serum_albumin is 30 g/dL." in report


class TestValidateTables:
    """Tables held in memory are checked exactly as the same tables in files, without a disk."""

    def test_the_same_problems_as_the_files(self, tmp_path):
        import pandas as pd

        from nephrocohort.cohort import validate_tables

        patients = "patient_id,sex,birth_date\nP1,F,2012-03-14\nP2,X,2010-01-02\n"
        visits = "patient_id,date,weight_kg\nP1,2011-01-01,20\nP9,2016-03-01,21\n"
        write_csvs(tmp_path, patients=patients, visits=visits)
        from_files = problems_of(tmp_path)
        tables = {
            "patients": pd.DataFrame(
                {
                    "patient_id": ["P1", "P2"],
                    "sex": ["F", "X"],
                    "birth_date": ["2012-03-14", "2010-01-02"],
                }
            ),
            "visits": pd.DataFrame(
                {
                    "patient_id": ["P1", "P9"],
                    "date": ["2011-01-01", "2016-03-01"],
                    "weight_kg": [20, 21],
                }
            ),
        }
        in_memory = validate_tables(tables, as_of="2025-01-01")
        place = [(p.code, p.table, p.row, p.column, p.value) for p in in_memory]
        assert place == [(p.code, p.table, p.row, p.column, p.value) for p in from_files]
        assert {p.code for p in in_memory} == {"unknown_code", "before_birth", "unknown_patient"}

    def test_a_missing_patients_table_is_a_problem(self):
        import pandas as pd

        from nephrocohort.cohort import validate_tables

        problems = validate_tables({"visits": pd.DataFrame({"patient_id": ["P1"]})})
        assert "missing_table" in [p.code for p in problems]


class TestDeathAndFollowUp:
    """Contradictions the registry's data-quality page listed alone (issue 9): now warnings here."""

    def _tables(self, **patient):
        base = {
            "patient_id": "P1",
            "sex": "F",
            "birth_date": "2010-01-01",
            "onset_date": "2012-01-01",
            "last_followup_date": "2018-06-30",
        }
        return {
            "patients": pd.DataFrame([{**base, **patient}]),
            "visits": pd.DataFrame(
                [{"patient_id": "P1", "date": "2019-02-01", "weight_kg": "20", "height_cm": "110"}]
            ),
            "events": pd.DataFrame(
                [{"patient_id": "P1", "date": "2018-01-01", "event": "relapse"}]
            ),
        }

    def test_record_after_last_followup(self):
        problems = validate_tables(self._tables(), as_of="2026-01-01")
        assert [(p.code, p.table, p.row, p.column, p.severity) for p in problems] == [
            ("after_last_followup", "visits", 2, "date", "warning")
        ]

    def test_death_without_event_and_record_after_death(self):
        problems = validate_tables(self._tables(death_date="2018-06-30"), as_of="2026-01-01")
        assert [(p.code, p.table, p.row, p.column) for p in problems] == [
            ("death_without_event", "patients", 2, "death_date"),
            ("after_death", "visits", 2, "date"),
        ]

    def test_death_event_without_date(self):
        tables = self._tables()
        tables["events"].loc[0, "event"] = "death"
        codes = [p.code for p in validate_tables(tables, as_of="2026-01-01")]
        assert codes == ["death_event_without_date", "after_last_followup"]

    def test_warnings_do_not_stop_loading(self, tmp_path):
        from nephrocohort.cohort.bundle import load_bundle_checked

        for name, frame in self._tables().items():
            frame.to_csv(tmp_path / f"{name}.csv", index=False)
        cohort, warnings = load_bundle_checked(tmp_path, as_of="2026-01-01")
        assert cohort.n_patients == 1
        assert [w.code for w in warnings] == ["after_last_followup"]
