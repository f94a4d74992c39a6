"""A Spanish clinic's sheet as clinics keep it: title row, empty row, footer, Spanish words.

tests/interop/data/legacy/ficha_pacientes.xlsx is built by make_ficha_pacientes.py
(synthetic patients). The expected figures below are read off that sheet by hand.
"""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import FileFormatError, import_table, suggest_mapping

FICHA = Path(__file__).parent / "data" / "legacy" / "ficha_pacientes.xlsx"
runner = CliRunner()


def _draft(tmp_path) -> Path:
    out = tmp_path / "map.yaml"
    result = runner.invoke(
        app, ["import-table", "--suggest-mapping", str(FICHA), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _one_edit(mapping: Path) -> None:
    """The one line a person must fill in: GNMP (membranoproliferative) is 'other' histology."""
    text = mapping.read_text(encoding="utf-8")
    assert text.count("null  # FILL IN") == 1, text
    mapping.write_text(text.replace('"GNMP": null  # FILL IN', '"GNMP": other'), encoding="utf-8")


class TestDraft:
    def test_title_row_is_passed_and_the_header_row_said(self):
        draft = suggest_mapping(FICHA)
        assert "header_row: 3" in draft
        assert "the header was taken from row 3" in draft
        assert "row(s) 15 after the last empty row" in draft

    def test_no_biopsia_is_drafted_as_missing(self):
        assert '"No biopsia": missing' in suggest_mapping(FICHA)

    def test_a_numeric_dose_column_is_never_proposed_as_codes(self):
        lines = suggest_mapping(FICHA).splitlines()
        at = lines.index('  "Dosis MMF (mg/m²/día)":')
        assert lines[at + 1].strip().startswith("ignore: true")
        assert not any(line.strip().startswith(('"600"', '"1200"')) for line in lines)

    def test_spanish_time_point_headers_are_matched(self):
        draft = suggest_mapping(FICHA)
        assert '"Estado a los 6 meses":\n    variable: state_month6' in draft
        assert '"Estado a los 12 meses":\n    variable: state_month12' in draft
        assert '"Estado al inicio MMF":\n    variable: state_month0' in draft


class TestImport:
    def test_without_the_edit_the_open_code_is_named_with_its_row(self, tmp_path):
        with pytest.raises(CohortValidationError) as caught:
            import_table(FICHA, mapping=_draft(tmp_path), out=tmp_path / "a.csv")
        (problem,) = caught.value.problems
        # NEF-005 is on sheet row 8 (title row 1, empty row 2, header row 3).
        assert problem.row == 8 and problem.column == "Biopsia" and problem.value == "GNMP"
        assert not (tmp_path / "a.csv").exists()

    def test_sin_dato_and_no_biopsia_become_missing(self, tmp_path):
        mapping = _draft(tmp_path)
        _one_edit(mapping)
        import_table(FICHA, mapping=mapping, out=tmp_path / "a.csv")
        import pandas as pd

        analysis = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
        row = analysis.set_index("patient_id")
        assert row.loc["NEF-003", "histology"] == ""
        assert row.loc["NEF-003", "state_month12"] == ""
        assert row.loc["NEF-005", "histology"] == "other"
        assert len(analysis) == 10  # the footer note is not a patient

    def test_a_stated_header_row_that_is_wrong_is_reported(self, tmp_path):
        mapping = _draft(tmp_path)
        _one_edit(mapping)
        with pytest.raises(FileFormatError) as caught:
            import_table(FICHA, mapping=mapping, out=tmp_path / "a.csv", header_row=4)
        error = caught.value
        assert (error.code, error.params["row"]) == ("readers.header_row_hint", 4)
        fault = error.params["problem"]  # the header's own fault, as a bundle file would have it
        assert (fault.code, fault.params["position"]) == ("blank_column_name", 13)


def test_spanish_sheet_gives_a_full_report_after_one_mapping_edit(tmp_path):
    """suggest-mapping, one edit, import-table, report: follow-up, time to MMF, groups, KM."""
    mapping = _draft(tmp_path)
    _one_edit(mapping)
    analysis = tmp_path / "analysis.csv"
    result = runner.invoke(
        app, ["import-table", str(FICHA), "--mapping", str(mapping), "--out", str(analysis)]
    )
    assert result.exit_code == 0, result.output
    assert "follow_up_years was computed from 'Fecha debut' and 'Fecha último control'" in (
        result.output
    )
    result = runner.invoke(
        app, ["report", "--data", str(analysis), "--out", str(tmp_path / "rep"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "rep" / "results.json").read_text())
    items = {item["id"]: item for item in (data["items"] if isinstance(data, dict) else data)}
    assert items["follow_up_years"]["n"] == 10
    assert items["mmf.years_from_diagnosis"]["n"] == 10
    assert items["mmf.duration_months"]["n"] == 10
    # Group 1: a "Sí" under Ciclofosfamida, Ciclosporina or Tacrolimus
    # (NEF-001, 002, 004, 005, 007, 009); the other four are group 2.
    assert (items["group.1"]["n"], items["group.2"]["n"]) == (6, 4)
    km = items["km.crf"]
    # IRC "Sí" after the MMF start: NEF-004, NEF-007, NEF-009.
    assert (km["n"], km["events"], km["censored"]) == (10, 3, 7)
    # NEF-004: MMF 03/10/2005, IRC 30/01/2009 = 1096 (3 years, 2008 leap) + 92 + 27 = 1215 days.
    assert 1215.0 in km["timeline_days"]


def _csv(tmp_path, text, name="hoja.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_title_row_is_passed_and_said(tmp_path):
    sheet = _csv(tmp_path, "Registro 2011;;\nCódigo;Sexo;Edad\nA1;F;3\nA2;M;4\n")
    draft = suggest_mapping(sheet)
    assert "header_row: 2" in draft
    assert '"Sexo":\n    variable: sex' in draft


def test_a_dose_column_in_mg_is_not_taken_for_a_yes_no_drug_column(tmp_path):
    sheet = _csv(tmp_path, "Código,Dosis MMF (mg/día),MMF\nA1,600,Sí\nA2,1200,No\n")
    draft = suggest_mapping(sheet)
    assert '"Dosis MMF (mg/día)":\n    ignore: true' in draft
    assert '"MMF":\n    variable: received_mmf' in draft


def test_the_mappings_missing_list_applies_to_every_column(tmp_path):
    import pandas as pd

    sheet = _csv(tmp_path, "ID,Sexo,Seguimiento (años)\nA1,F,no realizado\nA2,NR,2\n")
    mapping = {
        "missing": ["no realizado", "NR"],
        "columns": {
            "ID": {"variable": "patient_id"},
            "Sexo": {"variable": "sex", "codes": {"F": "F"}},
            "Seguimiento (años)": {"variable": "follow_up_years"},
        },
    }
    import_table(sheet, mapping=mapping, out=tmp_path / "a.csv")
    analysis = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    assert analysis["sex"].tolist() == ["F", ""]
    assert analysis["follow_up_years"].tolist() == ["", "2.0"]


def test_a_column_the_sheet_gives_is_never_recomputed(tmp_path):
    import pandas as pd

    sheet = _csv(
        tmp_path,
        "ID,Debut,Ultimo control,Seguimiento\nA1,2010-01-01,2012-01-01,1.5\n",
    )
    mapping = {
        "columns": {
            "ID": {"variable": "patient_id"},
            "Debut": {"variable": "onset_date"},
            "Ultimo control": {"variable": "last_followup_date"},
            "Seguimiento": {"variable": "follow_up_years"},
        }
    }
    result = import_table(sheet, mapping=mapping, out=tmp_path / "a.csv")
    assert pd.read_csv(tmp_path / "a.csv")["follow_up_years"].tolist() == [1.5]
    assert not any("computed" in note for note in result.notes)


def test_group_is_left_empty_when_a_prior_drug_is_not_recorded(tmp_path):
    import pandas as pd

    sheet = _csv(
        tmp_path,
        "ID,Inicio MMF,Ciclofosfamida,Ciclosporina,Tacrolimus\n"
        "A1,2010-01-01,No,No,No\nA2,2010-01-01,No,,No\nA3,2010-01-01,No,,Sí\n",
    )
    mapping = {
        "columns": {
            "ID": {"variable": "patient_id"},
            "Inicio MMF": {"variable": "mmf_start_date"},
            "Ciclofosfamida": {"variable": "prior_cyclophosphamide"},
            "Ciclosporina": {"variable": "prior_cyclosporine"},
            "Tacrolimus": {"variable": "prior_tacrolimus"},
        }
    }
    import_table(sheet, mapping=mapping, out=tmp_path / "a.csv")
    groups = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)["group"]
    assert groups.tolist() == ["2", "", "1"]


def test_cli_header_row_option(tmp_path):
    sheet = _csv(tmp_path, "Hospital X\nID,Sexo\nA1,F\n")
    result = runner.invoke(
        app, ["import-table", "--suggest-mapping", str(sheet), "--header-row", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "header_row: 2" in result.output
