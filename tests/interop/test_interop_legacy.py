"""Legacy per-patient sheets: mapped, validated and turned into an analysis dataset the report reads."""

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import nephrocohort
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import (
    FileFormatError,
    InteropError,
    MappingError,
    import_table,
    read_analysis_csv,
    suggest_mapping,
    write_suggested_mapping,
)

EXAMPLES = Path(nephrocohort.__file__).parent / "data" / "examples"
SHEET = EXAMPLES / "legacy_sheet.csv"
MAPPING = EXAMPLES / "legacy_mapping.yaml"


def _sheet(tmp_path, text, name="sheet.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _mapping(**columns):
    return {"columns": {"ID": {"variable": "patient_id"}, **columns}}


class TestExampleSheet:
    def test_example_imports_to_every_analysis_column(self, tmp_path):
        result = import_table(SHEET, mapping=MAPPING, out=tmp_path / "analysis.csv")
        analysis = read_analysis_csv(result.output)
        from nephrocohort.cohort.analysis import ANALYSIS_COLUMNS

        assert tuple(analysis.columns) == ANALYSIS_COLUMNS
        assert len(analysis) == 14
        first = analysis.iloc[0]
        # the first row of legacy_sheet.csv: LEG-001;Masculino;GEFS;Grupo 1;22/12/2005;...;8,7
        assert first["patient_id"] == "LEG-001"
        assert first["sex"] == "M"
        assert first["histology"] == "FSGS"
        assert first["group"] == 1
        assert first["onset_date"] == pd.Timestamp("2005-12-22")
        assert first["age_at_assessment_years"] == pytest.approx(8.7)
        assert bool(first["eligible"]) is True

    def test_the_report_runs_on_the_imported_sheet(self, tmp_path):
        from nephrocohort.clinical.rules import load_rule_set
        from nephrocohort.report import build_results

        import_table(SHEET, mapping=MAPPING, out=tmp_path / "analysis.csv")
        analysis = read_analysis_csv(tmp_path / "analysis.csv")
        results = build_results(analysis, rule_set=load_rule_set("study"))
        assert results["cohort.n"].n == 14
        males = (analysis["sex"] == "M").sum()
        assert results["sex.male"].n == males


class TestValidation:
    def test_every_bad_value_is_reported_with_row_and_column(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Sexo,Recaidas antes\nA1,Masculino,2\nA2,Otro,x\nA3,F,-1\n")
        mapping = _mapping(
            Sexo={"variable": "sex", "codes": {"Masculino": "M"}},
            **{"Recaidas antes": {"variable": "relapses_before"}},
        )
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        found = {(p.row, p.column, p.value) for p in caught.value.problems}
        assert found == {
            (3, "Sexo", "Otro"),
            (3, "Recaidas antes", "x"),
            (4, "Recaidas antes", "-1"),
        }
        other = next(p for p in caught.value.problems if p.value == "Otro")
        assert (other.source, other.row, other.column) == ("sheet.csv", 3, "Sexo")
        assert not (tmp_path / "out.csv").exists()

    def test_day_first_dates_need_a_stated_format(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Inicio\nA1,25/12/2011\nA2,03/04/2012\n")
        mapping = _mapping(Inicio={"variable": "onset_date"})
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        (problem,) = caught.value.problems
        assert problem.code == "legacy.date_format_needed"
        assert 'date_format: "%d/%m/%Y"' in problem.hint
        assert "25/12/2011" in problem.hint
        assert not (tmp_path / "out.csv").exists()

    def test_ambiguous_dates_are_never_guessed(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Inicio\nA1,01/02/2011\nA2,03/04/2012\n")
        mapping = _mapping(Inicio={"variable": "onset_date"})
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert "cannot be told" in caught.value.problems[0].hint

    def test_stated_format_reads_day_first_and_iso_dates(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Inicio\nA1,03/04/2012\nA2,2012-05-06\n")
        mapping = {**_mapping(Inicio={"variable": "onset_date"}), "date_format": "%d/%m/%Y"}
        import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        dates = read_analysis_csv(tmp_path / "out.csv")["onset_date"].tolist()
        assert dates == [pd.Timestamp("2012-04-03"), pd.Timestamp("2012-05-06")]

    def test_a_date_not_in_the_stated_format_is_reported(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Inicio\nA1,03/04/2012\nA2,April 5\n")
        mapping = {**_mapping(Inicio={"variable": "onset_date"}), "date_format": "%d/%m/%Y"}
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert [(p.row, p.value) for p in caught.value.problems] == [(3, "April 5")]

    def test_decimal_commas_are_detected_and_stated(self, tmp_path):
        sheet = _sheet(tmp_path, "ID;Dosis\nA1;0,5\nA2;1\n")
        mapping = _mapping(Dosis={"variable": "steroid_mg_kg_day_before"})
        result = import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert read_analysis_csv(result.output)["steroid_mg_kg_day_before"].tolist() == [0.5, 1.0]
        assert any("decimal commas" in str(note) for note in result.notes)

    def test_a_comma_that_may_be_a_thousands_separator_is_refused(self, tmp_path):
        sheet = _sheet(tmp_path, 'ID,TFG\nA1,"1,250"\n')
        mapping = _mapping(TFG={"variable": "egfr_mmf_start"})
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert "thousands separator" in caught.value.problems[0].message

    def test_units_are_converted_and_ranges_checked_after_conversion(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Edad dx\nA1,2.5\nA2,30\n")
        mapping = _mapping(**{"Edad dx": {"variable": "age_at_diagnosis_months", "unit": "años"}})
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        (problem,) = caught.value.problems
        assert problem.row == 3 and "(= 360 months)" in problem.message

    def test_years_become_months(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Edad dx\nA1,2.5\n")
        mapping = _mapping(**{"Edad dx": {"variable": "age_at_diagnosis_months", "unit": "years"}})
        import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert read_analysis_csv(tmp_path / "out.csv")["age_at_diagnosis_months"][0] == 30.0

    def test_duplicate_patients_are_reported(self, tmp_path):
        sheet = _sheet(tmp_path, "ID\nA1\nA2\nA1\n")
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=_mapping(), out=tmp_path / "out.csv")
        assert "rows 2, 4" in caught.value.problems[0].message

    def test_renamed_column_names_the_closest_header(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Sexo paciente\nA1,M\n")
        with pytest.raises(MappingError) as caught:
            import_table(sheet, mapping=_mapping(Sexo={"variable": "sex"}), out=tmp_path / "o.csv")
        assert (caught.value.code, caught.value.params["source"]) == (
            "legacy.columns_not_found",
            "sheet.csv",
        )
        # The missing column and the header it may have become, a message of its own.
        ((code, params),) = [(m.code, m.params) for m in caught.value.params["columns"].items]
        assert (code, params) == (
            "legacy.renamed_column",
            {"column": "Sexo", "close": "Sexo paciente"},
        )

    def test_missing_columns_are_listed_in_the_language_they_are_shown_in(self, tmp_path):
        from nephrocohort.i18n import use_language

        sheet = _sheet(tmp_path, "ID,Sexo paciente\nA1,M\n")
        mapping = _mapping(Sexo={"variable": "sex"}, Peso={"variable": "age_at_diagnosis_months"})
        with pytest.raises(MappingError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "o.csv")
        parts = caught.value.params["columns"].items
        assert [(m.code, m.params["column"]) for m in parts] == [
            ("legacy.renamed_column", "Sexo"),
            ("legacy.absent_column", "Peso"),
        ]
        # es catalogue: "'Sexo' (¿pasó a ser 'Sexo paciente'?); 'Peso'", written when shown.
        with use_language("es"):
            assert "'Sexo' (¿pasó a ser 'Sexo paciente'?); 'Peso'" in str(caught.value)
        assert "'Sexo' (did it become 'Sexo paciente'?); 'Peso'" in str(caught.value)

    def test_the_hint_never_names_a_header_another_column_already_uses(self, tmp_path):
        sheet = _sheet(
            tmp_path,
            "ID,Fecha inicio,Fecha de inicio del MMF\nA1,2010-01-05,2011-02-01\n",
        )
        mapping = _mapping(
            **{
                "Fecha inicio": {"variable": "onset_date"},
                "Fecha inicio MMF": {"variable": "mmf_start_date"},
            }
        )
        with pytest.raises(MappingError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "o.csv")
        assert [(m.code, m.params) for m in caught.value.params["columns"].items] == [
            (
                "legacy.renamed_column",
                {"column": "Fecha inicio MMF", "close": "Fecha de inicio del MMF"},
            )
        ]

    def test_extra_columns_are_left_out_and_said(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Nombre\nA1,Juan\n")
        result = import_table(sheet, mapping=_mapping(), out=tmp_path / "out.csv")
        assert any("Nombre" in str(note) for note in result.notes)
        assert "Nombre" not in pd.read_csv(tmp_path / "out.csv").columns

    def test_unknown_variable_in_mapping_is_refused(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,X\nA1,1\n")
        with pytest.raises(MappingError) as caught:
            import_table(sheet, mapping=_mapping(X={"variable": "weight"}), out=tmp_path / "o.csv")
        assert caught.value.code == "mapping.unknown_variable"
        assert (caught.value.params["column"], caught.value.params["name"]) == ("X", "weight")

    def test_existing_output_is_not_overwritten(self, tmp_path):
        sheet = _sheet(tmp_path, "ID\nA1\n")
        (tmp_path / "out.csv").write_text("precious")
        with pytest.raises(InteropError) as caught:
            import_table(sheet, mapping=_mapping(), out=tmp_path / "out.csv")
        assert caught.value.code == "output.exists"
        assert caught.value.params["path"] == tmp_path / "out.csv"
        assert (tmp_path / "out.csv").read_text() == "precious"


class TestFileKinds:
    def test_latin1_csv_is_detected_and_stated(self, tmp_path):
        sheet = _sheet(tmp_path, "ID;Histología\nA1;Cambios mínimos\n", encoding="cp1252")
        mapping = _mapping(
            **{"Histología": {"variable": "histology", "codes": {"Cambios mínimos": "MCD"}}}
        )
        result = import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert read_analysis_csv(result.output)["histology"].tolist() == ["MCD"]
        assert any("Windows-1252" in str(note) for note in result.notes)

    def test_xlsx_with_real_date_cells(self, tmp_path):
        frame = pd.DataFrame({"ID": ["A1"], "Inicio": [pd.Timestamp("2011-12-25")]})
        frame.to_excel(tmp_path / "sheet.xlsx", index=False)
        import_table(
            tmp_path / "sheet.xlsx",
            mapping=_mapping(Inicio={"variable": "onset_date"}),
            out=tmp_path / "out.csv",
        )
        assert read_analysis_csv(tmp_path / "out.csv")["onset_date"][0] == pd.Timestamp(
            "2011-12-25"
        )

    def test_spss_file_with_value_labels(self, tmp_path):
        frame = pd.DataFrame({"ID": ["A1", "A2"], "sexo": [1.0, 2.0]})
        pyreadstat.write_sav(
            frame,
            tmp_path / "old.sav",
            variable_value_labels={"sexo": {1.0: "Masculino", 2.0: "Femenino"}},
        )
        mapping = _mapping(sexo={"variable": "sex", "codes": {"Masculino": "M", "Femenino": "F"}})
        import_table(tmp_path / "old.sav", mapping=mapping, out=tmp_path / "out.csv")
        assert read_analysis_csv(tmp_path / "out.csv")["sex"].tolist() == ["M", "F"]


class TestSuggestMapping:
    def test_spanish_headers_are_matched(self, tmp_path):
        sheet = _sheet(
            tmp_path, "Código;Sexo;Histología;Recaídas antes;Comentario\nA1;Femenino;GEFS;3;x\n"
        )
        draft = suggest_mapping(sheet)
        assert '"Sexo":\n    variable: sex' in draft
        assert '"Histología":\n    variable: histology' in draft
        assert '"Recaídas antes":\n    variable: relapses_before' in draft
        assert '"Código":\n    variable: patient_id' in draft
        assert '"GEFS": "FSGS"' in draft
        assert '"Comentario":\n    ignore: true' in draft

    def test_draft_of_the_example_reproduces_the_shipped_mapping_columns(self, tmp_path):
        from nephrocohort.interop import load_mapping

        draft = tmp_path / "draft.yaml"
        text = suggest_mapping(SHEET)
        draft.write_text(
            text.replace("date_format_confirmed: false", "date_format_confirmed: true")
        )
        shipped = load_mapping(MAPPING)
        drafted = load_mapping(draft)
        assert [(c.column, c.variable.name) for c in drafted.columns] == [
            (c.column, c.variable.name) for c in shipped.columns
        ]
        assert drafted.date_format == "%d/%m/%Y"
        assert drafted.decimal == ","

    def test_a_detected_date_order_must_be_confirmed_before_importing(self, tmp_path):
        draft = tmp_path / "draft.yaml"
        write_suggested_mapping(SHEET, draft)
        lines = draft.read_text(encoding="utf-8").splitlines()
        number = next(
            i for i, line in enumerate(lines, 1) if line.startswith("date_format_confirmed:")
        )
        with pytest.raises(MappingError) as caught:
            import_table(SHEET, mapping=draft, out=tmp_path / "out.csv")
        message = str(caught.value)
        assert "'%d/%m/%Y' was detected by --suggest-mapping and is not confirmed yet" in message
        assert f"edit line {number}, `date_format_confirmed: false`" in message
        assert not (tmp_path / "out.csv").exists()
        lines[number - 1] = "date_format_confirmed: true"
        draft.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = import_table(SHEET, mapping=draft, out=tmp_path / "out.csv")
        assert result.row_counts == {"analysis": 14}

    def test_undecided_date_order_is_left_for_the_user(self, tmp_path):
        sheet = _sheet(tmp_path, "ID,Fecha inicio\nA1,01/02/2011\n")
        draft = suggest_mapping(sheet)
        assert "UNDECIDED" in draft
        assert "\ndate_format:" not in draft


def _fault(error):
    """The fault itself: a header read at a detected row names it inside a hint about that row."""
    return error.params["problem"] if error.code == "readers.header_row_hint" else error


class TestHostileFiles:
    @pytest.mark.parametrize(
        ("name", "content", "code", "params"),
        [
            ("empty.csv", b"", "empty_file", {"where": "empty.csv"}),
            ("header.csv", b"ID,Sexo\n", "legacy.no_patient_rows", {}),
            # The same codes as a bundle file with the same fault (one header check).
            ("dup.csv", b"ID,ID\nA1,A2\n", "duplicate_column", {"column": "ID"}),
            (
                "ragged.csv",
                b"ID,Sexo\nA1,M\nA2,F,extra\n",
                "ragged_row",
                {"row": 3, "actual": 3, "expected": 2},
            ),
            ("blank.csv", b"ID,,X\nA1,2,3\n", "blank_column_name", {"position": 2}),
            ("broken.xlsx", b"not a workbook", "readers.not_a_workbook", {}),
            ("broken.sav", b"garbage", "readers.not_spss", {}),
            ("notes.pdf", b"%PDF", "readers.unsupported", {"suffix": ".pdf"}),
            ("binary.csv", b"ID\x00\x01\x02", "readers.binary", {}),
        ],
    )
    def test_each_malformed_file_gets_a_plain_error(self, tmp_path, name, content, code, params):
        from nephrocohort.interop import FileFormatError

        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(FileFormatError) as caught:
            import_table(path, mapping=_mapping(), out=tmp_path / "out.csv")
        fault = _fault(caught.value)
        assert fault.code == code
        assert {key: fault.params[key] for key in params} == params
        assert not (tmp_path / "out.csv").exists()

    @pytest.mark.parametrize(
        ("header", "code"), [("ID,ID", "duplicate_column"), ("ID,,X", "blank_column_name")]
    )
    def test_a_header_fault_has_the_bundle_readers_code(self, tmp_path, header, code):
        from nephrocohort.cohort import validate_bundle
        from nephrocohort.interop import FileFormatError

        sheet = tmp_path / "sheet.csv"
        sheet.write_text(f"{header}\nA1,2,3\n")
        with pytest.raises(FileFormatError) as caught:
            import_table(sheet, mapping=_mapping(), out=tmp_path / "out.csv")
        bundle = tmp_path / "bundle"
        bundle.mkdir()
        (bundle / "patients.csv").write_text(f"{header}\nA1,2,3\n")
        bundle_codes = {problem.code for problem in validate_bundle(bundle, as_of="2025-01-01")}
        assert _fault(caught.value).code == code
        assert code in bundle_codes

    def test_an_empty_or_missing_file_has_the_bundle_readers_code(self, tmp_path):
        """One code per fault, whichever reader finds it (issue 9)."""
        from nephrocohort.cohort import validate_bundle
        from nephrocohort.interop import FileFormatError

        (tmp_path / "sheet.csv").write_bytes(b"")
        bundle = tmp_path / "bundle"
        bundle.mkdir()
        (bundle / "patients.csv").write_bytes(b"")
        for path, place in ((tmp_path / "sheet.csv", "sheet.csv"), (tmp_path / "none.csv", None)):
            with pytest.raises(FileFormatError) as caught:
                import_table(path, mapping=_mapping(), out=tmp_path / "out.csv")
            expected = "empty_file" if place else "path_not_found"
            assert caught.value.code == expected
            assert caught.value.params.get("where") == place
            if place is None:  # the hint names what to give: a table file, not a bundle
                assert caught.value.params["hint"].code == "hint.table_file_path"
        (empty,) = validate_bundle(bundle, as_of="2025-01-01")
        (missing,) = validate_bundle(tmp_path / "no-bundle", as_of="2025-01-01")
        assert (empty.code, empty.source, missing.code) == (
            "empty_file",
            "patients.csv",
            "path_not_found",
        )
        assert missing.params["hint"].code == "hint.bundle_path"
        assert not (tmp_path / "out.csv").exists()

    @pytest.mark.parametrize(
        ("text", "code", "params"),
        [
            ("columns: [a, b", "mapping.not_yaml", {"name": "map.yaml", "where": " at line 1"}),
            ("- just a list\n", "mapping.not_a_dictionary", {"source": "map.yaml"}),
            (
                "columns:\n  ID: {variable: patient_id}\nsheets: 2\n",
                "mapping.unknown_keys",
                {"keys": "sheets"},
            ),
            (
                "columns:\n  Sexo: {variable: sex}\n",
                "mapping.no_patient_id",
                {"source": "map.yaml"},
            ),
            (
                "columns:\n  ID: {variable: patient_id}\n  S: {variable: sex, codes: {Masc: Male}}\n",
                "mapping.code_not_allowed",
                {"column": "S", "raw": "Masc", "code": "Male", "name": "sex"},
            ),
            (
                "columns:\n  ID: {variable: patient_id}\ndate_format: dd/mm/yyyy\n",
                "mapping.not_a_format",
                {"where": "date_format", "value": "dd/mm/yyyy"},
            ),
            (
                "columns:\n  ID: {variable: patient_id}\n  E: {variable: age_at_diagnosis_months,"
                " unit: kg}\n",
                "mapping.unit_not_convertible",
                {"column": "E", "unit": "kg", "target": "months"},
            ),
        ],
    )
    def test_malformed_mapping_is_explained(self, tmp_path, text, code, params):
        sheet = _sheet(tmp_path, "ID,Sexo,S,E\nA1,M,M,3\n")
        mapping = tmp_path / "map.yaml"
        mapping.write_text(text, encoding="utf-8")
        with pytest.raises(MappingError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        assert caught.value.code == code
        assert {key: caught.value.params[key] for key in params} == params


def test_xlsx_sheet_named_in_the_mapping(tmp_path):
    with pd.ExcelWriter(tmp_path / "book.xlsx") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notas", index=False)
        pd.DataFrame({"ID": ["A1", "A2"], "Sexo": ["F", "M"]}).to_excel(
            writer, sheet_name="Pacientes", index=False
        )
    mapping = {**_mapping(Sexo={"variable": "sex"}), "sheet": "Pacientes"}
    import_table(tmp_path / "book.xlsx", mapping=mapping, out=tmp_path / "out.csv")
    assert read_analysis_csv(tmp_path / "out.csv")["sex"].tolist() == ["F", "M"]
    with pytest.raises(FileFormatError) as caught:
        import_table(
            tmp_path / "book.xlsx",
            mapping={**mapping, "sheet": "Pacientes2"},
            out=tmp_path / "out2.csv",
        )
    assert caught.value.code == "readers.no_sheet"
    assert caught.value.params == {
        "name": "book.xlsx",
        "sheet": "Pacientes2",
        "sheets": "Notas, Pacientes",
    }


class TestDateOrder:
    """The bundle validator's order rules and sentence (end_before_start), on the sheet's columns."""

    def test_dates_out_of_order_are_reported_like_a_bundle(self, tmp_path):
        sheet = _sheet(
            tmp_path,
            "ID,Debut,Inicio MMF,Fin MMF,Ultimo control\n"
            "A1,2010-01-05,2011-02-01,2012-02-01,2015-06-01\n"
            "A2,2012-01-05,2011-02-01,2010-02-01,2009-06-01\n",
        )
        mapping = _mapping(
            Debut={"variable": "onset_date"},
            **{
                "Inicio MMF": {"variable": "mmf_start_date"},
                "Fin MMF": {"variable": "mmf_stop_date"},
                "Ultimo control": {"variable": "last_followup_date"},
            },
        )
        with pytest.raises(CohortValidationError) as caught:
            import_table(sheet, mapping=mapping, out=tmp_path / "out.csv")
        problems = caught.value.problems
        assert {p.code for p in problems} == {"end_before_start"}
        assert {(p.row, p.column, p.params["start_column"]) for p in problems} == {
            (3, "Ultimo control", "Debut"),
            (3, "Inicio MMF", "Debut"),
            (3, "Fin MMF", "Inicio MMF"),
            (3, "Ultimo control", "Inicio MMF"),
        }
        stop = next(p for p in problems if p.column == "Fin MMF")
        assert (
            stop.message
            == "sheet.csv row 3: 'Fin MMF' 2010-02-01 is before 'Inicio MMF' 2011-02-01."
        )
        assert not (tmp_path / "out.csv").exists()


def test_a_folder_given_as_the_mapping_file_is_a_clear_error(tmp_path):
    with pytest.raises(MappingError) as caught:
        import_table(SHEET, mapping=tmp_path, out=tmp_path / "analysis.csv")
    assert (caught.value.code, caught.value.params) == ("mapping.is_folder", {"path": tmp_path})
    assert not (tmp_path / "analysis.csv").exists()
