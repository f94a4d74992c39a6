"""The Cohort dataclass: partial construction, types and repr."""

import dataclasses
import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from nephrocohort.cohort import Cohort
from nephrocohort.cohort.contract import TABLE_NAMES, TABLES


def _patients():
    return pd.DataFrame(
        {"patient_id": ["P1", "P2"], "sex": ["F", "M"], "birth_date": ["2012-03-14", "2010-01-02"]}
    )


class TestCohortConstruction:
    def test_missing_tables_are_empty_with_every_contract_column(self):
        cohort = Cohort(patients=_patients())
        for name in TABLE_NAMES:
            frame = getattr(cohort, name)
            for column in TABLES[name].column_names:
                assert column in frame.columns, (name, column)
            assert "source_row" in frame.columns
        assert len(cohort.labs) == 0
        assert {"measured_value", "measured_unit"} <= set(cohort.labs.columns)

    def test_columns_get_contract_types(self):
        cohort = Cohort(patients=_patients())
        patients = cohort.patients
        assert patients["birth_date"].dtype == "datetime64[ns]"
        assert patients["onset_date"].dtype == "datetime64[ns]"
        assert patients["onset_date"].isna().all()
        assert patients["sex"].dtype == "string"
        assert patients["source_row"].dtype == "Int64"
        assert cohort.visits["height_cm"].dtype == "float64"
        assert cohort.events["date"].dtype == "datetime64[ns]"

    @pytest.mark.parametrize(
        "birth_dates",
        [
            pd.Series([pd.Timestamp("2012-03-14")] * 2).astype("datetime64[us]"),
            pd.Series(["2012-03-14"] * 2, dtype=pd.ArrowDtype(pa.string())),
            pd.Series([dt.date(2012, 3, 14)] * 2),
        ],
        ids=["datetime64[us]", "arrow-text", "date-objects"],
    )
    def test_dates_in_other_forms_become_datetime64_ns(self, birth_dates):
        cohort = Cohort(patients=_patients().assign(birth_date=birth_dates))
        assert cohort.patients["birth_date"].dtype == "datetime64[ns]"
        assert cohort.patients.loc[0, "birth_date"] == pd.Timestamp("2012-03-14")

    def test_extra_columns_are_carried_along(self):
        frame = _patients().assign(study_arm=["a", "b"])
        cohort = Cohort(patients=frame)
        assert list(cohort.patients["study_arm"]) == ["a", "b"]

    def test_labs_without_measured_columns_are_taken_as_canonical(self):
        labs = pd.DataFrame(
            {
                "patient_id": ["P1"],
                "date": ["2020-01-01"],
                "test": ["serum_albumin"],
                "value": [2.1],
                "unit": ["g/dL"],
            }
        )
        cohort = Cohort(patients=_patients(), labs=labs)
        assert cohort.labs.loc[0, "measured_value"] == 2.1
        assert cohort.labs.loc[0, "measured_unit"] == "g/dL"

    def test_caller_frame_is_not_modified(self):
        frame = _patients()
        Cohort(patients=frame)
        assert list(frame.columns) == ["patient_id", "sex", "birth_date"]
        assert frame["birth_date"].dtype == object

    def test_from_tables_rejects_unknown_table_names(self):
        with pytest.raises(KeyError, match="lab_results"):
            Cohort.from_tables({"patients": _patients(), "lab_results": pd.DataFrame()})

    def test_is_frozen(self):
        cohort = Cohort(patients=_patients())
        with pytest.raises(dataclasses.FrozenInstanceError):
            cohort.patients = _patients()


def test_repr_counts_patients_and_rows():
    cohort = Cohort(patients=_patients())
    assert repr(cohort) == (
        "Cohort(2 patients; biopsies=0, genetics=0, visits=0, labs=0, medications=0, events=0)"
    )
