"""Loading and saving bundles: types, canonical units, row numbers, lossless round trips."""

import datetime as dt
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from nephrocohort.cohort import Cohort, load_bundle, save_bundle
from nephrocohort.exceptions import CohortValidationError

AS_OF = dt.date(2025, 1, 1)

FULL_BUNDLE = {
    "patients": """\
        patient_id,center,sex,birth_date,onset_date,hbv,edema_at_onset,last_followup_date,study_arm,flagged
        P1,ZAG,F,2012-03-14,2015-06-02,negative,yes,2024-09-30,A,true
        P2,ZAG,M,2010-01-02,2013-02-01,unknown,no,2024-01-15,B,false
    """,
    "biopsies": """\
        patient_id,biopsy_date,histology
        P1,2015-09-21,FSGS
    """,
    "genetics": """\
        patient_id,test_date,gene,variant,classification
        P1,2016-02-01,NPHS2,c.413G>A,pathogenic
    """,
    "visits": """\
        patient_id,date,weight_kg,height_cm,sbp_mmhg,dbp_mmhg,edema
        P1,2016-03-01,24.5,121.0,104,66,no
    """,
    "labs": """\
        patient_id,date,test,value,unit
        P1,2016-03-01,serum_albumin,25,g/L
        P1,2016-03-01,serum_creatinine,88.4,umol/L
        P1,2016-03-01,upcr,226.24,mg/mmol
        P2,2016-04-01,dipstick_protein,2+,mg/dL
        P2,2016-04-01,dipstick_protein,trace,mg/dL
        P2,2016-04-01,serum_cholesterol,5,mmol/L
        P2,2016-04-01,leukocytes,7200,/uL
        P2,2016-04-01,urine_protein_timed,52,mg/m2/h
    """,
    "medications": """\
        patient_id,drug,start_date,end_date,dose,dose_unit,schedule,stop_reason
        P1,mmf,2016-03-01,2017-09-01,600,mg/m2/dose,bid,"remission, stable"
        P1,prednisolone,2016-03-01,,40,mg/m2/day,alternate_day,
    """,
    "events": """\
        patient_id,date,event,detail
        P1,2016-05-14,relapse,
    """,
}


def write_csvs(folder, tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def cohort(tmp_path):
    return load_bundle(write_csvs(tmp_path / "bundle", FULL_BUNDLE), as_of=AS_OF)


class TestLoading:
    def test_every_table_is_loaded(self, cohort):
        assert cohort.row_counts() == {
            "patients": 2,
            "biopsies": 1,
            "genetics": 1,
            "visits": 1,
            "labs": 8,
            "medications": 2,
            "events": 1,
        }

    def test_types(self, cohort):
        assert cohort.patients["birth_date"].dtype == "datetime64[ns]"
        assert cohort.patients.loc[0, "birth_date"] == pd.Timestamp("2012-03-14")
        assert cohort.visits["height_cm"].dtype == "float64"
        assert cohort.patients["sex"].dtype == "string"
        assert cohort.labs["value"].dtype == "float64"
        assert pd.isna(cohort.medications.loc[1, "end_date"])

    def test_labs_are_converted_to_canonical_units(self, cohort):
        # Factors from clinical-reference.md section 4: albumin g/L = g/dL x 10; creatinine
        # 88.4 umol/L = 1 mg/dL; UPCR 113.12 mg/mmol = 1 mg/mg; cholesterol 1 mmol/L = 38.67
        # mg/dL; leukocytes 1000/uL = 1 x 10^9/L; dipstick 2+ = 100 mg/dL, trace = 15 mg/dL.
        labs = cohort.labs.set_index("test")
        expected = {
            "serum_albumin": (2.5, "g/dL", 25.0, "g/L"),
            "serum_creatinine": (1.0, "mg/dL", 88.4, "umol/L"),
            "upcr": (2.0, "mg/mg", 226.24, "mg/mmol"),
            "serum_cholesterol": (193.35, "mg/dL", 5.0, "mmol/L"),
            "leukocytes": (7.2, "10^9/L", 7200.0, "/uL"),
            "urine_protein_timed": (52.0, "mg/m2/h", 52.0, "mg/m2/h"),
        }
        for test, (value, unit, measured, measured_unit) in expected.items():
            row = labs.loc[test]
            assert row["value"] == pytest.approx(value), test
            assert (row["unit"], row["measured_unit"]) == (unit, measured_unit)
            assert row["measured_value"] == pytest.approx(measured)
        dipstick = labs.loc["dipstick_protein"]
        assert list(dipstick["value"]) == [100.0, 15.0]
        assert list(dipstick["measured_unit"]) == ["mg/dL", "mg/dL"]

    def test_unit_spelling_variants_are_the_same_unit(self, tmp_path):
        tables = dict(FULL_BUNDLE)
        tables["labs"] = (
            "patient_id,date,test,value,unit\nP1,2016-03-01,serum_creatinine,44.2,µmol/l\n"
        )
        cohort = load_bundle(write_csvs(tmp_path, tables), as_of=AS_OF)
        assert cohort.labs.loc[0, "value"] == pytest.approx(0.5)
        assert cohort.labs.loc[0, "measured_unit"] == "umol/L"

    def test_source_row_is_the_row_the_user_sees(self, tmp_path):
        tables = dict(FULL_BUNDLE)
        tables["events"] = (
            "patient_id,date,event\nP1,2016-05-14,relapse\n\n,,\nP2,2016-06-01,remission\n"
        )
        cohort = load_bundle(write_csvs(tmp_path, tables), as_of=AS_OF)
        assert list(cohort.events["source_row"]) == [2, 5]
        assert list(cohort.patients["source_row"]) == [2, 3]

    def test_quoted_commas_and_line_breaks_stay_in_one_cell(self, tmp_path, cohort):
        assert cohort.medications.loc[0, "stop_reason"] == "remission, stable"
        tables = dict(FULL_BUNDLE)
        tables["events"] = 'patient_id,date,event,detail\nP1,2016-05-14,other,"two\nlines"\n'
        loaded = load_bundle(write_csvs(tmp_path, tables), as_of=AS_OF)
        assert loaded.events.loc[0, "detail"] == "two\nlines"

    def test_excel_csv_with_byte_order_mark_and_windows_line_ends(self, tmp_path):
        text = "patient_id,sex,birth_date\r\nP1,F,2012-03-14\r\nP2,M,2010-01-02\r\n"
        (tmp_path / "patients.csv").write_bytes(text.encode("utf-8-sig"))
        cohort = load_bundle(tmp_path, as_of=AS_OF)
        assert list(cohort.patients["patient_id"]) == ["P1", "P2"]
        assert list(cohort.patients["sex"]) == ["F", "M"]

    def test_empty_columns_after_the_last_header_are_ignored(self, tmp_path):
        (tmp_path / "patients.csv").write_text("patient_id,sex,birth_date,,\nP1,F,2012-03-14,,\n")
        cohort = load_bundle(tmp_path, as_of=AS_OF)
        assert cohort.n_patients == 1
        assert "" not in cohort.patients.columns

    def test_whitespace_and_missing_tokens(self, tmp_path):
        tables = {"patients": "patient_id,sex,birth_date,hbv\n P1 , F ,2012-03-14,NA\n"}
        cohort = load_bundle(write_csvs(tmp_path, tables), as_of=AS_OF)
        assert cohort.patients.loc[0, "patient_id"] == "P1"
        assert cohort.patients.loc[0, "sex"] == "F"
        assert pd.isna(cohort.patients.loc[0, "hbv"])

    def test_optional_tables_may_be_absent(self, tmp_path):
        tables = {"patients": FULL_BUNDLE["patients"]}
        cohort = load_bundle(write_csvs(tmp_path, tables), as_of=AS_OF)
        assert cohort.row_counts()["labs"] == 0
        assert "measured_value" in cohort.labs.columns

    def test_extra_columns_are_carried_along(self, cohort):
        assert list(cohort.patients["study_arm"]) == ["A", "B"]
        assert cohort.patients["flagged"].dtype == "boolean"
        assert list(cohort.patients["flagged"]) == [True, False]

    def test_invalid_bundle_raises_with_every_problem(self, tmp_path):
        tables = dict(FULL_BUNDLE)
        tables["visits"] = "patient_id,date,height_cm\nP1,2016-03-01,1.21\nP7,2016-03-01,121\n"
        with pytest.raises(CohortValidationError) as raised:
            load_bundle(write_csvs(tmp_path, tables), as_of=AS_OF)
        assert [p.code for p in raised.value.problems] == ["implausible", "unknown_patient"]


class TestXlsx:
    def test_sheet_rows_and_excel_cells(self, tmp_path):
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "patients"
        sheet.append(["patient_id", "sex", "birth_date"])
        sheet.append([101, "F", dt.datetime(2012, 3, 14)])
        sheet.append([None, None, None])
        sheet.append(["P2", "M", "2010-01-02"])
        visits = workbook.create_sheet("visits")
        visits.append(["patient_id", "date", "height_cm"])
        visits.append(["P2", dt.date(2016, 3, 1), 1.45])
        readme = workbook.create_sheet("README")
        readme.append(["anything at all"])
        path = tmp_path / "cohort.xlsx"
        workbook.save(path)
        with pytest.raises(CohortValidationError) as raised:
            load_bundle(path, as_of=AS_OF)
        (problem,) = raised.value.problems
        assert (problem.code, problem.row) == ("implausible", 2)
        assert (problem.source, problem.table, problem.column) == (
            "Sheet 'visits' of cohort.xlsx",
            "visits",
            "height_cm",
        )
        visits.delete_rows(2)
        workbook.save(path)
        cohort = load_bundle(path, as_of=AS_OF)
        assert list(cohort.patients["patient_id"]) == ["101", "P2"]
        assert list(cohort.patients["source_row"]) == [2, 4]
        assert cohort.patients.loc[0, "birth_date"] == pd.Timestamp("2012-03-14")

    def test_unknown_sheet_is_reported(self, tmp_path):
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.active.title = "patients"
        workbook.active.append(["patient_id", "sex", "birth_date"])
        workbook.create_sheet("Sheet2").append(["x"])
        workbook.save(tmp_path / "c.xlsx")
        with pytest.raises(CohortValidationError) as raised:
            load_bundle(tmp_path / "c.xlsx", as_of=AS_OF)
        assert [p.code for p in raised.value.problems] == ["unknown_table"]


class TestRoundTrip:
    @pytest.mark.parametrize("target", ["saved", "saved.xlsx"])
    def test_save_then_load_gives_the_same_cohort(self, tmp_path, cohort, target):
        path = save_bundle(cohort, tmp_path / target)
        again = load_bundle(path, as_of=AS_OF)
        for name, frame in cohort.tables.items():
            pd.testing.assert_frame_equal(again.tables[name], frame, check_exact=False, rtol=1e-12)

    def test_saved_labs_hold_what_was_measured(self, tmp_path, cohort):
        save_bundle(cohort, tmp_path / "saved")
        saved = pd.read_csv(tmp_path / "saved" / "labs.csv", dtype=str)
        assert list(saved["unit"]) == [
            "g/L",
            "umol/L",
            "mg/mmol",
            "mg/dL",
            "mg/dL",
            "mmol/L",
            "/uL",
            "mg/m2/h",
        ]
        assert list(saved["value"])[3:5] == ["100", "trace"]
        assert "source_row" not in saved.columns

    def test_cohort_built_in_code_can_be_saved_and_loaded(self, tmp_path):
        patients = pd.DataFrame(
            {"patient_id": ["P1"], "sex": ["F"], "birth_date": [pd.Timestamp("2012-03-14")]}
        )
        path = save_bundle(Cohort(patients=patients), tmp_path / "built")
        assert load_bundle(path, as_of=AS_OF).n_patients == 1


class TestSavingErrors:
    def test_saving_over_a_file_asks_for_a_folder(self, tmp_path, cohort):
        from nephrocohort.cohort.bundle import BundleWriteError

        target = tmp_path / "cohort.csv"
        target.write_text("x")
        with pytest.raises(BundleWriteError) as caught:
            save_bundle(cohort, target)
        assert (caught.value.code, caught.value.params) == (
            "bundle.path_is_file",
            {"path": str(target)},
        )

    def test_too_many_rows_for_excel(self, tmp_path, monkeypatch, cohort):
        from nephrocohort.cohort import bundle
        from nephrocohort.cohort.bundle import BundleWriteError

        monkeypatch.setattr(bundle, "_EXCEL_MAX_DATA_ROWS", 5)
        with pytest.raises(BundleWriteError) as caught:
            save_bundle(cohort, tmp_path / "cohort.xlsx")
        assert (caught.value.code, caught.value.params) == (
            "bundle.too_many_rows_for_excel",
            {"table": "labs", "rows": 8, "maximum": 5},
        )


class TestShippedDemoBundle:
    """The demo bundle shipped in the package is a realistic round-trip case."""

    @pytest.mark.parametrize("target", ["csv-folder", "demo.xlsx"])
    def test_demo_bundle_round_trips(self, tmp_path, target):
        from importlib.resources import files

        demo = Path(str(files("nephrocohort") / "data" / "demo"))
        cohort = load_bundle(demo)
        again = load_bundle(save_bundle(cohort, tmp_path / target))
        for name, frame in cohort.tables.items():
            pd.testing.assert_frame_equal(again.tables[name], frame, check_exact=False, rtol=1e-12)
