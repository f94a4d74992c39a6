"""The XLSX template and the data dictionary are generated from the contract and stay usable."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from nephrocohort.cohort import load_bundle
from nephrocohort.cohort.contract import TABLES
from nephrocohort.cohort.dictionary import data_dictionary_markdown
from nephrocohort.cohort.template import TemplateError, write_template
from nephrocohort.exceptions import CohortValidationError

AS_OF = dt.date(2025, 1, 1)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_template(tmp_path_factory.mktemp("template") / "cohort.xlsx")


def test_one_sheet_per_table_after_a_readme(template):
    workbook = load_workbook(template)
    assert workbook.sheetnames == ["README", *TABLES]
    for name, spec in TABLES.items():
        header = [cell.value for cell in workbook[name][1]]
        assert header == list(spec.column_names)


def test_headers_explain_unit_allowed_values_and_requirement(template):
    sheet = load_workbook(template)["visits"]
    notes = {cell.value: cell.comment.text for cell in sheet[1]}
    assert "Unit: kg." in notes["weight_kg"]
    assert "Required." in notes["date"]
    assert "Allowed: yes, no." in notes["edema"]


def test_codes_have_drop_down_lists(template):
    sheet = load_workbook(template)["patients"]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["C2:C5001"] == '"M,F"'
    labs = load_workbook(template)["labs"]
    units = [
        v.formula1 for v in labs.data_validations.dataValidation if str(v.sqref).startswith("E")
    ]
    assert "umol/L" in units[0] and "mg/mmol" in units[0]


def test_readme_lists_the_lab_units(template):
    text = "\n".join(str(row[0]) for row in load_workbook(template)["README"].values if row[0])
    assert "serum_albumin: g/dL, g/L" in text
    assert "nephrocohort validate" in text


def test_filled_template_loads(template, tmp_path):
    workbook = load_workbook(template)
    workbook["patients"].append(["P001", "ZAG", "F", dt.datetime(2012, 3, 14), "2015-06-02"])
    workbook["labs"].append(["P001", dt.datetime(2016, 3, 1), "serum_albumin", 19, "g/L"])
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    cohort = load_bundle(filled, as_of=AS_OF)
    assert cohort.n_patients == 1
    assert cohort.patients.loc[0, "onset_date"] == pd.Timestamp("2015-06-02")
    assert cohort.labs.loc[0, "value"] == pytest.approx(1.9)
    assert cohort.labs.loc[0, "source_row"] == 2


def test_filled_template_with_a_mistake_is_reported_by_sheet_and_row(template, tmp_path):
    workbook = load_workbook(template)
    workbook["patients"].append(["P001", "ZAG", "female", dt.datetime(2012, 3, 14)])
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    with pytest.raises(CohortValidationError) as raised:
        load_bundle(filled, as_of=AS_OF)
    (problem,) = raised.value.problems
    assert (problem.code, problem.source, problem.row, problem.column, problem.value) == (
        "unknown_code",
        "Sheet 'patients' of filled.xlsx",
        2,
        "sex",
        "female",
    )


def test_template_path_must_end_in_xlsx(tmp_path):
    with pytest.raises(TemplateError) as caught:
        write_template(tmp_path / "cohort.csv")
    assert (caught.value.code, caught.value.params) == (
        "template.not_xlsx",
        {"path": str(tmp_path / "cohort.csv")},
    )


def test_template_folder_must_exist(tmp_path):
    with pytest.raises(TemplateError) as caught:
        write_template(tmp_path / "absent" / "cohort.xlsx")
    assert (caught.value.code, caught.value.params) == (
        "template.no_folder",
        {"folder": str(tmp_path / "absent")},
    )


def test_data_dictionary_document_matches_the_contract():
    assert DOCS.read_text(encoding="utf-8") == data_dictionary_markdown(), (
        "Regenerate with: python -m nephrocohort.cohort.dictionary > docs/data-dictionary.md"
    )


def test_data_dictionary_covers_every_column():
    text = data_dictionary_markdown()
    for spec in TABLES.values():
        for column in spec.columns:
            assert f"| `{column.name}` |" in text


def test_dipstick_units_in_the_template_are_the_ones_the_validator_accepts(template, tmp_path):
    workbook = load_workbook(template)
    text = "\n".join(str(row[0]) for row in workbook["README"].values if row[0])
    assert "dipstick_protein: mg/dL, grade" in text
    assert "or 0, +/-, 1+, 2+, 3+, 4+ with unit grade" in text
    labs = workbook["labs"]
    (units,) = [
        v.formula1 for v in labs.data_validations.dataValidation if str(v.sqref).startswith("E")
    ]
    assert "grade" in units.strip('"').split(",")
    # A result written as the README says loads (2+ is the 100 mg/dL band, KDIGO 2025 Fig. 1).
    workbook["patients"].append(["P001", "ZAG", "F", dt.datetime(2012, 3, 14)])
    workbook["labs"].append(["P001", dt.datetime(2016, 3, 1), "dipstick_protein", "2+", "grade"])
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    assert load_bundle(filled, as_of=AS_OF).labs.loc[0, "value"] == 100.0
