"""REDCap: the data dictionary follows REDCap's format; records round-trip to the same cohort."""

import pandas as pd
import pytest
from interop_synthetic import synthetic_tables

from nephrocohort.cohort import Cohort
from nephrocohort.interop import (
    REDCAP_DICTIONARY_HEADERS,
    FileFormatError,
    import_redcap,
    redcap_dictionary,
    redcap_records,
    tables_from_redcap_records,
)
from nephrocohort.interop._bundle_io import write_bundle_folder


class TestDictionary:
    def test_headers_are_redcaps_own(self):
        assert tuple(redcap_dictionary().columns) == REDCAP_DICTIONARY_HEADERS
        assert REDCAP_DICTIONARY_HEADERS[:3] == (
            "Variable / Field Name",
            "Form Name",
            "Section Header",
        )

    def test_one_instrument_per_table(self):
        forms = redcap_dictionary()["Form Name"].unique().tolist()
        assert forms == [
            "patients",
            "biopsies",
            "genetics",
            "visits",
            "labs",
            "medications",
            "events",
        ]

    def test_first_field_is_record_id(self):
        assert redcap_dictionary().iloc[0]["Variable / Field Name"] == "record_id"

    def test_field_names_are_unique_and_redcap_safe(self):
        names = redcap_dictionary()["Variable / Field Name"]
        assert names.is_unique
        assert names.str.fullmatch(r"[a-z][a-z0-9_]*").all()

    def test_dates_validate_as_date_ymd_and_ranges_are_given(self):
        dd = redcap_dictionary().set_index("Variable / Field Name")
        assert dd.loc["birth_date", "Text Validation Type OR Show Slider Number"] == "date_ymd"
        assert dd.loc["height_cm", "Text Validation Type OR Show Slider Number"] == "number"
        assert dd.loc["height_cm", "Text Validation Min"] == "30"
        assert dd.loc["height_cm", "Text Validation Max"] == "220"
        assert dd.loc["sbp_mmhg", "Text Validation Type OR Show Slider Number"] == "integer"

    def test_choices_use_redcap_syntax_with_safe_codes(self):
        dd = redcap_dictionary().set_index("Variable / Field Name")
        assert dd.loc["sex", "Choices, Calculations, OR Slider Labels"] == "M, Male | F, Female"
        assert dd.loc["sex", "Field Type"] == "radio"
        units = dd.loc["med_dose_unit", "Choices, Calculations, OR Slider Labels"]
        assert units.startswith("mg_day, mg/day | mg_kg_day, mg/kg/day")
        for choices in dd["Choices, Calculations, OR Slider Labels"].dropna():
            for pair in filter(None, choices.split(" | ")):
                code = pair.split(",")[0]
                assert code.replace("_", "").isalnum(), code

    def test_free_text_fields_are_flagged_as_identifiers(self):
        dd = redcap_dictionary().set_index("Variable / Field Name")
        assert dd.loc["event_detail", "Identifier?"] == "y"
        assert dd.loc["med_stop_reason", "Identifier?"] == "y"


class TestRecords:
    def test_layout_is_redcaps_flat_csv(self):
        records = redcap_records(synthetic_tables())
        assert list(records.columns[:3]) == [
            "record_id",
            "redcap_repeat_instrument",
            "redcap_repeat_instance",
        ]
        first = records[records.record_id == "HOSP-001"]
        assert first.iloc[0]["redcap_repeat_instrument"] == ""
        visits = first[first.redcap_repeat_instrument == "visits"]
        assert visits["redcap_repeat_instance"].tolist() == ["1", "2"]
        meds = records[records.redcap_repeat_instrument == "medications"]
        assert set(meds["med_dose_unit"]) == {"mg_m2_day", "mg_kg_day"}

    def test_tables_come_back_from_the_records(self, tmp_path):
        tables = synthetic_tables()
        back = tables_from_redcap_records(redcap_records(tables))
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        write_bundle_folder(Cohort.from_tables(tables).tables, tmp_path / "a")
        write_bundle_folder(Cohort.from_tables(back).tables, tmp_path / "b")
        for name in tables:
            before = pd.read_csv(tmp_path / "a" / f"{name}.csv", dtype=str)
            after = pd.read_csv(tmp_path / "b" / f"{name}.csv", dtype=str)
            before = before.drop(columns=["nickname"], errors="ignore")
            pd.testing.assert_frame_equal(before, after, check_like=False)

    def test_label_export_is_understood(self):
        records = redcap_records(synthetic_tables())
        records.loc[records.sex == "M", "sex"] = "Male"
        records.loc[records.sex == "F", "sex"] = "Female"
        back = tables_from_redcap_records(records)
        assert back["patients"]["sex"].tolist() == ["M", "F", "M"]

    def test_a_foreign_file_is_refused_clearly(self):
        with pytest.raises(FileFormatError) as caught:
            tables_from_redcap_records(pd.DataFrame({"name": ["x"], "age": ["3"]}))
        assert caught.value.code == "redcap.not_records"
        assert (caught.value.params["first"], caught.value.params["expected"]) == (
            "name",
            "record_id",
        )

    def test_an_unknown_instrument_names_its_row(self):
        records = redcap_records(synthetic_tables())
        records.loc[3, "redcap_repeat_instrument"] = "dialysis_sessions"
        with pytest.raises(FileFormatError) as caught:
            tables_from_redcap_records(records)
        params = caught.value.params
        assert caught.value.code == "redcap.unknown_instrument"
        # records.loc[3] is row 5 of the file (header = row 1).
        assert (params["row"], params["column"], params["value"]) == (
            5,
            "redcap_repeat_instrument",
            "dialysis_sessions",
        )


class TestRoundTrip:
    def test_bundle_to_redcap_to_bundle_gives_the_same_cohort(self, tmp_path):
        from nephrocohort.cohort import load_bundle

        tables = synthetic_tables()
        tables["patients"] = tables["patients"].drop(columns="nickname")
        (tmp_path / "bundle").mkdir()
        write_bundle_folder(Cohort.from_tables(tables).tables, tmp_path / "bundle")
        original = load_bundle(tmp_path / "bundle")
        redcap_records(original.tables).to_csv(tmp_path / "records.csv", index=False)

        import_redcap(tmp_path / "records.csv", tmp_path / "back")
        again = load_bundle(tmp_path / "back")
        for name, frame in original.tables.items():
            pd.testing.assert_frame_equal(frame, again.tables[name], obj=name)

    def test_a_bad_value_writes_nothing_and_names_the_problem(self, tmp_path):
        from nephrocohort.exceptions import CohortValidationError

        records = redcap_records(synthetic_tables())
        records.loc[records.record_id == "HOSP-002", "birth_date"] = "30/06/2012"
        records.to_csv(tmp_path / "records.csv", index=False)
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(tmp_path / "records.csv", tmp_path / "back")
        (problem,) = [p for p in caught.value.problems if p.value == "30/06/2012"][:1]
        line = (
            records.index[
                (records.record_id == "HOSP-002") & (records.redcap_repeat_instrument == "")
            ][0]
            + 2
        )
        assert (problem.source, problem.table, problem.row) == ("records.csv", "patients", line)
        assert not (tmp_path / "back").exists()
        assert [p.name for p in tmp_path.iterdir()] == ["records.csv"]


def test_latin1_records_are_read_and_the_encoding_is_stated(tmp_path):
    tables = synthetic_tables()
    tables["patients"] = (
        tables["patients"].drop(columns="nickname").assign(center=["Clínica Niño", "A", "B"])
    )
    records = redcap_records(tables)
    (tmp_path / "records.csv").write_bytes(records.to_csv(index=False).encode("cp1252"))
    result = import_redcap(tmp_path / "records.csv", tmp_path / "bundle")
    from nephrocohort.cohort import load_bundle

    assert load_bundle(tmp_path / "bundle").patients["center"].iloc[0] == "Clínica Niño"
    assert any("Windows-1252" in str(note) for note in result.notes)


def test_a_repeated_record_names_the_rows_of_the_users_file(tmp_path):
    from nephrocohort.exceptions import CohortValidationError

    tables = synthetic_tables()
    tables["patients"] = tables["patients"].drop(columns="nickname")
    records = redcap_records(tables)
    first = records[(records.record_id == "HOSP-001") & (records.redcap_repeat_instrument == "")]
    records = pd.concat([records, first], ignore_index=True)  # the patient row again, at the end
    records.to_csv(tmp_path / "records.csv", index=False)
    lines = [i + 2 for i in first.index] + [len(records) + 1]  # header = row 1
    assert records.loc[5 - 2, "redcap_repeat_instrument"] != ""  # row 5 is not a patient row
    with pytest.raises(CohortValidationError) as caught:
        import_redcap(tmp_path / "records.csv", tmp_path / "back")
    duplicates = [p for p in caught.value.problems if p.code == "duplicate_patient"]
    assert duplicates, caught.value.problems
    for problem in duplicates:
        assert problem.params["rows"] == (lines[0], lines[1])
        assert problem.row in lines
    last = duplicates[-1]
    assert (last.source, last.table, last.row) == ("records.csv", "patients", lines[1])


class TestStatedFormats:
    """A DMY export with decimal commas is read when (and only when) the user states both."""

    @pytest.fixture
    def dmy_records(self, tmp_path):
        tables = synthetic_tables()
        tables["patients"] = tables["patients"].drop(columns="nickname")
        records = redcap_records(tables)
        for field in ("birth_date", "onset_date", "last_followup_date", "visit_date", "lab_date"):
            iso = records[field] != ""
            records.loc[iso, field] = pd.to_datetime(records.loc[iso, field]).dt.strftime(
                "%d/%m/%Y"
            )
        decimals = records["weight_kg"].str.contains(".", regex=False)
        for field in ("weight_kg", "height_cm", "lab_value"):
            records[field] = records[field].str.replace(".", ",", regex=False)
        assert records["birth_date"].str.contains("30/06/2012").any()
        assert decimals.any()
        path = tmp_path / "records.csv"
        records.to_csv(path, index=False)
        return tables, path

    def test_stated_day_first_dates_and_decimal_commas_are_read(self, dmy_records, tmp_path):
        from nephrocohort.cohort import load_bundle

        tables, path = dmy_records
        result = import_redcap(path, tmp_path / "back", date_format="%d/%m/%Y", decimal=",")
        cohort = load_bundle(tmp_path / "back")
        expected = Cohort.from_tables(tables)
        assert cohort.patients["birth_date"].tolist() == expected.patients["birth_date"].tolist()
        assert cohort.visits["weight_kg"].tolist() == expected.visits["weight_kg"].tolist()
        assert any("--date-format" in str(note) for note in result.notes)

    def test_without_a_stated_format_one_problem_per_field_names_the_option(
        self, dmy_records, tmp_path
    ):
        from nephrocohort.exceptions import CohortValidationError

        _, path = dmy_records
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(path, tmp_path / "back", decimal=",")
        problems = caught.value.problems
        birth = [p for p in problems if p.column == "birth_date"]
        assert [p.code for p in birth] == ["redcap.date_format_needed"]
        assert birth[0].params["count"] == 3
        assert '--date-format "%d/%m/%Y"' in birth[0].hint
        *fields, summary = problems
        assert all(p.code == "redcap.date_format_needed" for p in fields), problems
        assert summary.code == "redcap.formats_needed" and "--date-format dmy" in summary.message
        assert not (tmp_path / "back").exists()

    def test_a_decimal_point_when_commas_are_stated_is_reported_with_its_row(self, tmp_path):
        from nephrocohort.exceptions import CohortValidationError

        tables = synthetic_tables()
        tables["patients"] = tables["patients"].drop(columns="nickname")
        records = redcap_records(tables)
        for field in ("weight_kg", "height_cm", "lab_value"):
            records[field] = records[field].str.replace(".", ",", regex=False)
        line = records.index[records["weight_kg"] != ""][0]
        records.loc[line, "weight_kg"] = "12.5"
        records.to_csv(tmp_path / "records.csv", index=False)
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(tmp_path / "records.csv", tmp_path / "back", decimal=",")
        (problem,) = caught.value.problems
        assert problem.code == "redcap.bad_number" and problem.row == line + 2
        assert problem.message == (
            f"records.csv row {line + 2} (visits): field weight_kg is '12.5', which has a "
            'decimal point, but --decimal is ",".'
        )

    def test_an_impossible_format_option_is_refused(self, tmp_path):
        from nephrocohort.interop import InteropError

        with pytest.raises(InteropError) as caught:
            import_redcap(tmp_path / "r.csv", tmp_path / "b", date_format="dd/mm/yyyy")
        assert (caught.value.code, caught.value.params) == (
            "redcap.bad_format_option",
            {"date_format": "dd/mm/yyyy"},
        )


def test_cli_import_redcap_takes_date_format_and_decimal(tmp_path):
    from typer.testing import CliRunner

    from nephrocohort.cli import app

    tables = synthetic_tables()
    tables["patients"] = tables["patients"].drop(columns="nickname")
    records = redcap_records(tables)
    iso = records["birth_date"] != ""
    records.loc[iso, "birth_date"] = pd.to_datetime(records.loc[iso, "birth_date"]).dt.strftime(
        "%d/%m/%Y"
    )
    for field in ("weight_kg", "height_cm", "lab_value"):
        records[field] = records[field].str.replace(".", ",", regex=False)
    records.to_csv(tmp_path / "records.csv", index=False)
    result = CliRunner().invoke(
        app,
        [
            "import-redcap",
            str(tmp_path / "records.csv"),
            "--out",
            str(tmp_path / "back"),
            "--date-format",
            "%d/%m/%Y",
            "--decimal",
            ",",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "back" / "patients.csv").exists()


def test_overlapping_courses_name_both_rows_of_the_users_file(tmp_path):
    # A prednisolone renewal entered in REDCap without ending the course it replaced
    # (issue 11: validation flags overlapping courses of one drug in any source).
    from nephrocohort.exceptions import CohortValidationError

    tables = synthetic_tables()
    tables["patients"] = tables["patients"].drop(columns="nickname")
    renewal = tables["medications"].iloc[[1]].assign(start_date="2014-03-10", dose=1.0)
    tables["medications"] = pd.concat([tables["medications"], renewal], ignore_index=True)
    records = redcap_records(tables)
    records.to_csv(tmp_path / "records.csv", index=False)
    steroid = records.index[records.med_drug == "prednisolone"]
    first, second = (int(i) + 2 for i in steroid)  # header = row 1
    with pytest.raises(CohortValidationError) as caught:
        import_redcap(tmp_path / "records.csv", tmp_path / "back")
    (problem,) = caught.value.problems
    assert (problem.code, problem.row, problem.params["other_row"]) == (
        "overlapping_course",
        second,
        first,
    )
    assert (problem.source, problem.table) == ("records.csv", "medications")
    assert (problem.params["other_start"], problem.params["other_end"]) == (
        "2014-02-10",
        "2014-05-01",
    )
    assert not (tmp_path / "back").exists()
