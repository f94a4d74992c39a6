"""Folders of Parquet files load with the same checks as CSV folders."""

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nephrocohort.cohort import Cohort, load_bundle, validate_bundle
from nephrocohort.exceptions import CohortValidationError

AS_OF = dt.date(2025, 1, 1)


def write_parquet(folder, **tables):
    """Each DataFrame as ``<table>.parquet``, with the column types pandas gives it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet"
        )
    return folder


def patients_frame():
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2"],
            "sex": ["F", "M"],
            "birth_date": pd.to_datetime(["2012-03-14", "2010-01-02"]),
            "onset_date": pd.to_datetime(["2015-06-02", None]),
            "study_arm": ["A", "B"],
        }
    )


def labs_frame():
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P2"],
            "date": pd.to_datetime(["2016-03-01", "2016-03-02", "2016-04-01"]),
            "test": ["serum_albumin", "serum_creatinine", "dipstick_protein"],
            "value": ["25", "88.4", "2+"],
            "unit": ["g/L", "umol/L", "grade"],
        }
    )


class TestParquetFolder:
    def test_typed_columns_load_like_the_same_csv(self, tmp_path):
        visits = pd.DataFrame(
            {
                "patient_id": ["P1"],
                "date": pd.to_datetime(["2016-03-01"]),
                "weight_kg": [24.5],
                "height_cm": [121],
            }
        )
        folder = write_parquet(
            tmp_path / "b", patients=patients_frame(), labs=labs_frame(), visits=visits
        )
        cohort = load_bundle(folder, as_of=AS_OF)
        assert cohort.n_patients == 2
        assert cohort.patients.loc[0, "birth_date"] == pd.Timestamp("2012-03-14")
        assert pd.isna(cohort.patients.loc[1, "onset_date"])
        assert list(cohort.patients["study_arm"]) == ["A", "B"]
        assert cohort.visits.loc[0, "height_cm"] == 121.0
        # 25 g/L = 2.5 g/dL; 88.4 umol/L = 1 mg/dL; 2+ = 100 mg/dL (clinical-reference.md 4, 1c).
        labs = cohort.labs.set_index("test")
        assert labs.loc["serum_albumin", "value"] == pytest.approx(2.5)
        assert labs.loc["serum_creatinine", "value"] == pytest.approx(1.0)
        assert labs.loc["serum_creatinine", "measured_unit"] == "umol/L"
        assert labs.loc["dipstick_protein", "value"] == 100.0
        # Rows are numbered as in the CSV of the same table (the first record is row 2).
        assert list(cohort.labs["source_row"]) == [2, 3, 4]

    def test_the_same_checks_with_rows_and_columns(self, tmp_path):
        patients = patients_frame()
        patients.loc[1, "sex"] = "X"
        labs = labs_frame()
        labs.loc[0, "unit"] = "g/dL"
        labs.loc[2, "patient_id"] = "P9"
        visits = pd.DataFrame(
            {
                "patient_id": ["P1"],
                "date": pd.to_datetime(["2016-03-01 10:30"]),
                "height_cm": [1.45],
            }
        )
        folder = write_parquet(tmp_path / "b", patients=patients, labs=labs, visits=visits)
        with pytest.raises(CohortValidationError) as raised:
            load_bundle(folder, as_of=AS_OF)
        found = {(p.code, p.table, p.row, p.column) for p in raised.value.problems}
        assert found == {
            ("unknown_code", "patients", 3, "sex"),
            ("implausible", "labs", 2, "value"),
            ("unknown_patient", "labs", 4, "patient_id"),
            ("bad_date", "visits", 2, "date"),
            ("implausible", "visits", 2, "height_cm"),
        }
        messages = [p.message for p in raised.value.problems]
        assert "labs.parquet row 2: serum_albumin is 25 g/dL. Expected 0.3-6.5 g/dL." in messages
        # A time of day is shown, not dropped.
        assert any("'2016-03-01T10:30:00" in message for message in messages)

    def test_text_is_trimmed_and_missing_words_are_missing_as_in_csv(self, tmp_path):
        patients = patients_frame()
        patients["sex"] = [" F ", "M"]
        patients["hbv"] = ["NA", "negative"]
        cohort = load_bundle(write_parquet(tmp_path / "b", patients=patients), as_of=AS_OF)
        assert list(cohort.patients["sex"]) == ["F", "M"]
        assert pd.isna(cohort.patients.loc[0, "hbv"])

    def test_a_table_as_csv_and_as_parquet_is_refused(self, tmp_path):
        folder = write_parquet(tmp_path / "b", patients=patients_frame(), labs=labs_frame())
        labs_frame().to_csv(folder / "labs.csv", index=False)
        (problem,) = validate_bundle(folder, as_of=AS_OF)
        assert (problem.code, problem.table) == ("table_twice", "labs")
        assert problem.message == (
            f"{folder}: the labs table is in the folder twice, as .csv and as .parquet; "
            "which one to check is not guessed."
        )
        assert "Keep one file per table" in problem.hint

    def test_csv_and_parquet_of_different_tables_mix(self, tmp_path):
        folder = write_parquet(tmp_path / "b", labs=labs_frame())
        patients_frame().to_csv(folder / "patients.csv", index=False, date_format="%Y-%m-%d")
        assert len(load_bundle(folder, as_of=AS_OF).labs) == 3

    def test_damaged_parquet_file(self, tmp_path):
        folder = write_parquet(tmp_path / "b", patients=patients_frame())
        (folder / "labs.parquet").write_bytes(b"PAR1 this is not parquet")
        (problem,) = validate_bundle(folder, as_of=AS_OF)
        assert (problem.code, problem.table) == ("unreadable_file", "labs")
        assert (problem.source, problem.params["kind"]) == ("labs.parquet", "Parquet")

    def test_missing_patients_table_names_the_parquet_file(self, tmp_path):
        folder = write_parquet(tmp_path / "b", labs=labs_frame())
        problems = validate_bundle(folder, as_of=AS_OF)
        assert [p.code for p in problems] == ["missing_table"]
        assert "patients.parquet" in problems[0].message


class TestCohortWrittenAsParquet:
    """A ``Cohort``'s own tables (canonical and measured lab values) as Parquet, as the
    synthetic generator writes them: the values as measured are checked and kept."""

    def test_round_trip_keeps_what_was_measured(self, tmp_path):
        source = tmp_path / "csv"
        source.mkdir()
        patients_frame().to_csv(source / "patients.csv", index=False, date_format="%Y-%m-%d")
        labs = labs_frame()
        labs.loc[len(labs)] = [
            "P2",
            pd.Timestamp("2016-04-02"),
            "dipstick_protein",
            "trace",
            "mg/dL",
        ]
        labs.to_csv(source / "labs.csv", index=False, date_format="%Y-%m-%d")
        cohort = load_bundle(source, as_of=AS_OF)
        folder = tmp_path / "parquet"
        folder.mkdir()
        for name, frame in cohort.tables.items():
            table = pa.Table.from_pandas(frame.drop(columns=["source_row"]), preserve_index=False)
            pq.write_table(table, folder / f"{name}.parquet")
        again = load_bundle(folder, as_of=AS_OF)
        for name, frame in cohort.tables.items():
            pd.testing.assert_frame_equal(again.tables[name], frame, check_like=True)

    def test_cohort_tables_with_a_mistake_are_reported(self, tmp_path):
        cohort = Cohort(patients=patients_frame())
        folder = tmp_path / "parquet"
        folder.mkdir()
        patients = cohort.patients.drop(columns=["source_row"])
        patients.loc[1, "birth_date"] = pd.Timestamp("2030-01-01")
        pq.write_table(
            pa.Table.from_pandas(patients, preserve_index=False), folder / "patients.parquet"
        )
        (problem,) = validate_bundle(folder, as_of=AS_OF)
        assert (problem.code, problem.row, problem.value) == ("future_date", 3, "2030-01-01")

    def test_a_replaced_value_column_of_another_type_is_still_refused(self, tmp_path):
        # The converted 'value' of a Cohort's labs is replaced by 'measured_value', so it is
        # not turned into text; a column no table can hold (here lists) is still named.
        labs = labs_frame().assign(measured_value=[25.0, 88.4, 15.0], measured_unit="g/L")
        labs["value"] = [[1.0], [2.0], [3.0]]
        folder = write_parquet(tmp_path / "b", patients=patients_frame(), labs=labs)
        (problem,) = validate_bundle(folder, as_of=AS_OF)
        assert (problem.code, problem.table) == ("unreadable_file", "labs")
        assert "column 'value' holds list<element: double> values" in problem.message
