"""SPSS and Stata files: every column typed from its declaration, missing codes declared.

The writer used to guess a column's type from its first 100 values, so a date
column empty in its first 100 rows (deaths, withdrawn consent) crashed the
export (issue 12, item 1). These tests build such columns on purpose.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive
from nephrocohort.cohort.synthetic import generate_synthetic
from nephrocohort.interop import InteropError, export_tables

N_ROWS = 150
LATE = 120  # the first LATE rows are empty (more than the 100 a writer sniffs)


def _patients(death, aki, weight=None) -> dict[str, pd.DataFrame]:
    patients = pd.DataFrame(
        {
            "patient_id": [f"H{i:04d}" for i in range(N_ROWS)],
            "sex": ["M", "F"] * (N_ROWS // 2),
            "onset_date": pd.to_datetime(["2010-05-01"] * N_ROWS),
            "death_date": death,
            "aki_at_onset": pd.Series(aki, dtype="string"),
        }
    )
    tables = {"patients": patients}
    if weight is not None:
        tables["visits"] = pd.DataFrame(
            {
                "patient_id": patients["patient_id"],
                "date": pd.to_datetime(["2011-01-01"] * N_ROWS),
                "weight_kg": weight,
            }
        )
    return tables


def _late_dates():
    return pd.to_datetime([None] * LATE + ["2015-03-02"] * (N_ROWS - LATE))


def _export(tables, tmp_path, to, **options):
    out = tmp_path / to
    export_tables(tables, to=to, out=out, identifiable=True, **options)
    return out


def _read_sav(path):
    return pyreadstat.read_sav(path, user_missing=True)


def _read_dta(path):
    return pyreadstat.read_dta(path, user_missing=True)


class TestColumnsEmptyAtFirst:
    def test_sav_with_dates_and_codes_empty_for_the_first_120_rows(self, tmp_path):
        aki = [None] * LATE + ["yes", "no", "unknown"] * 10
        out = _export(_patients(_late_dates(), aki), tmp_path, "spss")
        frame, meta = _read_sav(out / "patients.sav")
        assert frame["death_date"].isna().sum() == LATE
        assert set(frame["death_date"].dropna()) == {dt.date(2015, 3, 2)}
        assert meta.original_variable_types["death_date"] == "DATE11"
        assert frame["aki_at_onset"].value_counts().to_dict() == {1.0: 10, 2.0: 10, 3.0: 10}

    def test_dta_with_dates_and_codes_empty_for_the_first_120_rows(self, tmp_path):
        aki = [None] * LATE + ["yes", "no", "unknown"] * 10
        out = _export(_patients(_late_dates(), aki), tmp_path, "stata")
        frame, meta = _read_dta(out / "patients.dta")
        assert set(frame["death_date"].dropna()) == {dt.date(2015, 3, 2)}
        assert meta.original_variable_types["death_date"] == "%td"
        assert frame["aki_at_onset"].value_counts().to_dict() == {1.0: 10, 2.0: 10, "a": 10}

    def test_unknown_first_then_answers_stays_numeric_in_stata(self, tmp_path):
        # 120 tagged missing values first: a type guessed from them would be text.
        aki = ["unknown"] * LATE + ["yes", "no"] * 15
        out = _export(_patients(_late_dates(), aki), tmp_path, "stata")
        frame, meta = _read_dta(out / "patients.dta")
        assert meta.readstat_variable_types["aki_at_onset"] == "double"
        assert frame["aki_at_onset"].value_counts().to_dict() == {"a": 120, 1.0: 15, 2.0: 15}

    def test_date_objects_with_120_empty_values_first(self, tmp_path):
        # Columns may also arrive as Python dates with None (an identifiable extra column).
        death = [None] * LATE + [dt.date(2015, 3, 2)] * (N_ROWS - LATE)
        tables = _patients(pd.Series(death, dtype=object), ["yes"] * N_ROWS)
        tables["patients"]["extra_date"] = pd.Series(death, dtype=object)
        for to, reader, name in (("spss", _read_sav, "sav"), ("stata", _read_dta, "dta")):
            out = _export(tables, tmp_path, to)
            frame, _ = reader(out / f"patients.{name}")
            assert frame["extra_date"].dropna().tolist() == [dt.date(2015, 3, 2)] * 30
            assert frame["death_date"].dropna().tolist() == [dt.date(2015, 3, 2)] * 30


class TestAllEmptyAndAllFilled:
    @pytest.mark.parametrize("to", ["spss", "stata"])
    def test_all_empty_columns(self, tmp_path, to):
        tables = _patients(pd.to_datetime([None] * N_ROWS), [None] * N_ROWS, [np.nan] * N_ROWS)
        out = _export(tables, tmp_path, to)
        suffix = "sav" if to == "spss" else "dta"
        frame, meta = (_read_sav if to == "spss" else _read_dta)(out / f"patients.{suffix}")
        assert frame["death_date"].isna().all()
        assert frame["aki_at_onset"].isna().all()
        assert meta.original_variable_types["death_date"] in ("DATE11", "%td")
        visits, _ = (_read_sav if to == "spss" else _read_dta)(out / f"visits.{suffix}")
        assert visits["weight_kg"].isna().all()

    @pytest.mark.parametrize("to", ["spss", "stata"])
    def test_all_filled_columns(self, tmp_path, to):
        death = pd.to_datetime(["2016-01-31"] * N_ROWS)
        tables = _patients(death, ["no"] * N_ROWS, [12.5] * N_ROWS)
        out = _export(tables, tmp_path, to)
        suffix = "sav" if to == "spss" else "dta"
        reader = _read_sav if to == "spss" else _read_dta
        frame, _ = reader(out / f"patients.{suffix}")
        assert set(frame["death_date"]) == {dt.date(2016, 1, 31)}
        assert set(frame["aki_at_onset"]) == {2.0}
        visits, _ = reader(out / f"visits.{suffix}")
        assert set(visits["weight_kg"]) == {12.5}


class TestMissingCodes:
    """Issue 12, item 2: "Unknown" is not an answer, as in the report."""

    @staticmethod
    def _twenty_six():
        # 3 yes, 14 no, 9 unknown: the report's 3/17, where counting Unknown gives 3/26.
        aki = ["yes"] * 3 + ["no"] * 14 + ["unknown"] * 9
        tables = _patients(pd.to_datetime([None] * N_ROWS), [None] * N_ROWS)
        return {"patients": tables["patients"].head(26).assign(aki_at_onset=aki)}

    def test_sav_declares_unknown_as_user_missing(self, tmp_path):
        out = _export(self._twenty_six(), tmp_path, "spss")
        _, meta = _read_sav(out / "patients.sav")
        assert meta.missing_ranges["aki_at_onset"] == [{"lo": 3.0, "hi": 3.0}]
        assert meta.variable_value_labels["aki_at_onset"][3.0] == "Unknown"
        # Without user_missing=True pyreadstat, like SPSS, drops declared missing codes.
        frame, _ = pyreadstat.read_sav(out / "patients.sav")
        valid = frame["aki_at_onset"].dropna()
        assert (len(valid), int((valid == 1).sum())) == (17, 3)

    def test_dta_uses_extended_missing_a_labelled_unknown(self, tmp_path):
        out = _export(self._twenty_six(), tmp_path, "stata")
        frame, meta = _read_dta(out / "patients.dta")
        assert meta.variable_value_labels["aki_at_onset"] == {1: "Yes", 2: "No", "a": "Unknown"}
        assert frame["aki_at_onset"].tolist().count("a") == 9
        plain, _ = pyreadstat.read_dta(out / "patients.dta")
        valid = plain["aki_at_onset"].dropna()
        assert (len(valid), int((valid == 1).sum())) == (17, 3)

    def test_answers_without_an_unknown_code_declare_nothing(self, tmp_path):
        out = _export(_patients(_late_dates(), ["yes"] * N_ROWS), tmp_path, "spss")
        _, meta = _read_sav(out / "patients.sav")
        assert "aki_at_onset" in meta.missing_ranges
        assert "sex" not in meta.missing_ranges


class TestFormatsAndLabels:
    def test_codes_are_whole_numbers_in_spss(self, tmp_path):
        out = _export(_patients(_late_dates(), ["yes"] * N_ROWS), tmp_path, "spss")
        _, meta = pyreadstat.read_sav(out / "patients.sav")
        assert meta.original_variable_types["sex"] == "F8.0"
        assert meta.original_variable_types["aki_at_onset"] == "F8.0"

    def test_identifiable_patient_id_is_not_called_pseudonymous(self, tmp_path):
        out = _export(_patients(_late_dates(), ["yes"] * N_ROWS), tmp_path, "spss")
        _, meta = pyreadstat.read_sav(out / "patients.sav")
        assert meta.column_names_to_labels["patient_id"] == "Patient identifier"

    def test_deidentified_patient_id_says_pseudonym(self, tmp_path):
        tables = _patients(_late_dates(), ["yes"] * N_ROWS)
        export_tables(tables, to="stata", out=tmp_path / "dta", seed=5)
        _, meta = pyreadstat.read_dta(tmp_path / "dta" / "patients.dta")
        assert meta.column_names_to_labels["patient_id"].startswith("Patient pseudonym")

    def test_a_date_that_is_not_a_date_names_its_row(self, tmp_path):
        tables = _patients(_late_dates(), ["yes"] * N_ROWS)
        tables["patients"]["death_date"] = pd.Series(["", "2015-01-01", "31/12/2015"] * 50)
        with pytest.raises(InteropError) as caught:
            _export(tables, tmp_path, "spss")
        assert caught.value.code == "labelled.not_a_date"
        assert caught.value.params == {
            "table": "patients",
            "column": "death_date",
            "row": 3,
            "value": "31/12/2015",
        }
        assert not (tmp_path / "spss").exists()


class TestStataVersions:
    """Issue 12, item 3: the default opens in Stata 12+, R foreign and haven."""

    @staticmethod
    def _release(path) -> str:
        head = path.read_bytes()[:40]
        if head.startswith(b"<stata_dta>"):
            return head.split(b"<release>")[1][:3].decode()
        return str(head[0])  # formats before 117 start with the release number as a byte

    @pytest.mark.parametrize(
        ("option", "release"),
        [
            (None, "115"),
            (12, "115"),
            (13, "117"),
            (117, "117"),
            (14, "118"),
            (118, "118"),
            (15, "119"),
            (119, "119"),
        ],
    )
    def test_version_option_sets_the_file_release(self, tmp_path, option, release):
        options = {} if option is None else {"stata_version": option}
        out = _export(_patients(_late_dates(), ["yes"] * N_ROWS), tmp_path, "stata", **options)
        assert self._release(out / "patients.dta") == release

    def test_unknown_version_is_refused(self, tmp_path):
        with pytest.raises(InteropError) as caught:
            _export(_patients(_late_dates(), ["yes"] * N_ROWS), tmp_path, "stata", stata_version=11)
        assert (caught.value.code, caught.value.params["version"]) == (
            "stat_files.stata_version",
            11,
        )
        assert "12" in caught.value.params["versions"].split(", ")  # Stata 12: the oldest written

    def test_text_too_long_for_a_stata_12_file_is_cut_and_reported(self, tmp_path):
        tables = _patients(_late_dates(), ["yes"] * N_ROWS)
        long = "é" * 200  # 400 bytes in UTF-8
        tables["patients"]["center"] = ["Short"] * 4 + [long] + ["Short"] * (N_ROWS - 5)
        out = tmp_path / "old"
        summary = export_tables(tables, to="stata", out=out, identifiable=True)
        frame, _ = pyreadstat.read_dta(out / "patients.dta", encoding="utf-8")
        assert frame["center"][4] == "é" * 63  # 126 of the 127 bytes: no character split
        assert frame["center"][0] == "Short"
        encoding, cut = summary.notes
        assert "column center: texts with letters outside ASCII are stored as UTF-8" in encoding
        assert "column center: 1 text(s) longer than 127 bytes (up to 400)" in cut
        new = _export(tables, tmp_path, "stata", stata_version=14)
        frame, _ = pyreadstat.read_dta(new / "patients.dta")
        assert frame["center"][4] == long


# 30 cohorts of 12-300 patients drawn with different seeds; the seeds and sizes
# are fixed so a failure can be replayed.
COHORTS = [(12 + (288 * i) // 29, 100 + 7 * i) for i in range(30)]


@pytest.mark.slow
def test_thirty_synthetic_cohorts_export_to_sav_and_dta(tmp_path):
    for n, seed in COHORTS:
        cohort = generate_synthetic(n, seed=seed)
        tables = {**cohort.tables, "analysis": derive(cohort, load_rule_set("study"))}
        for to, suffix in (("spss", "sav"), ("stata", "dta")):
            out = tmp_path / f"{to}-{n}-{seed}"
            export_tables(tables, to=to, out=out, seed=seed)
            patients, _ = (pyreadstat.read_sav if to == "spss" else pyreadstat.read_dta)(
                out / f"patients.{suffix}"
            )
            assert len(patients) == n, (n, seed, to)
        ident = tmp_path / f"ident-{n}-{seed}"
        export_tables(tables, to="stata", out=ident, identifiable=True)
        deaths, _ = pyreadstat.read_dta(ident / "patients.dta")
        expected = cohort.patients["death_date"].dropna().dt.date.tolist()
        assert sorted(deaths["death_date"].dropna()) == sorted(expected), (n, seed)
