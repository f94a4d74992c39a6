"""REDCap exports as users click them: raw, labels, API labels, DAG/survey columns, Excel re-save.

The files in tests/interop/data/redcap/ are hand-made in REDCap's export
layout (see the README there). Every variant must give the same bundle.
"""

from pathlib import Path

import pandas as pd
import pytest

from nephrocohort.cohort import load_bundle
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import FileFormatError, import_redcap, redcap_dictionary

DATA = Path(__file__).parent / "data" / "redcap"


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype=str) for p in sorted(path.glob("*.csv"))}


@pytest.fixture(scope="module")
def raw_bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw") / "bundle"
    result = import_redcap(DATA / "nephro_raw.csv", out)
    return out, result


def test_the_raw_export_with_dag_and_survey_columns_imports(raw_bundle):
    out, result = raw_bundle
    cohort = load_bundle(out)
    assert cohort.patients["patient_id"].tolist() == ["NC-01", "NC-02"]
    assert cohort.patients["center"].tolist() == ["Hospital Norte", "Clínica Sur"]
    assert cohort.visits["weight_kg"].tolist() == [18.5, 14.25]
    assert sorted(cohort.labs["test"]) == ["serum_albumin", "serum_creatinine", "upcr"]
    (note,) = [str(n) for n in result.notes if "redcap_data_access_group" in str(n)]
    assert "redcap_survey_identifier, patients_timestamp" in note


@pytest.mark.parametrize("name", ["nephro_labels.csv", "nephro_api_labels.csv"])
def test_label_exports_give_the_same_bundle(raw_bundle, tmp_path, name):
    """CSV (labels): label header, "Complete?" repeated, labels as values; API: raw header."""
    result = import_redcap(DATA / name, tmp_path / "bundle")
    expected = _tables(raw_bundle[0])
    got = _tables(tmp_path / "bundle")
    assert got.keys() == expected.keys()
    for table in expected:
        pd.testing.assert_frame_equal(got[table], expected[table], obj=table)
    if name == "nephro_labels.csv":
        assert any("'CSV (labels)' export" in str(note) for note in result.notes)


def test_the_labels_header_repeats_complete_for_every_form():
    header = (DATA / "nephro_labels.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",").count("Complete?") == redcap_dictionary()["Form Name"].nunique()


def test_an_unknown_label_is_named_with_its_position(tmp_path):
    lines = (DATA / "nephro_labels.csv").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace(",Sex,", ",Gender,")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        import_redcap(tmp_path / "labels.csv", tmp_path / "bundle")
    assert str(caught.value).startswith("labels.csv: header 8 ('Gender') is not a field label")


class TestSpanishExcelResave:
    """The raw export opened and saved again by Excel in Spanish: ; dd/mm/yyyy 1,9 cp1252."""

    def test_without_options_the_error_names_the_options_that_fix_it(self, tmp_path):
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(DATA / "nephro_excel_es.csv", tmp_path / "bundle")
        problems = caught.value.problems
        summary = problems[-1]
        assert summary.code == "redcap.formats_needed"
        assert summary.message == (
            "nephro_excel_es.csv looks re-saved by a spreadsheet program in another locale; "
            "read it with: --date-format dmy --decimal ,"
        )
        weight = next(p for p in problems if p.column == "weight_kg")
        assert weight.code == "redcap.decimal_needed" and weight.row == 4 and weight.value == "18,5"
        assert '--decimal ","' in weight.hint
        # lab_date alone (06/02/2012) cannot tell the order; the file's birth dates can.
        lab_date = next(p for p in problems if p.column == "date" and p.table == "labs")
        assert "14/03/2008 has a day above 12" in lab_date.hint
        assert "--date-format dmy" in lab_date.hint
        assert not (tmp_path / "bundle").exists()

    def test_with_the_named_options_it_gives_the_same_bundle(self, raw_bundle, tmp_path):
        result = import_redcap(
            DATA / "nephro_excel_es.csv", tmp_path / "bundle", decimal=",", date_format="dmy"
        )
        expected = _tables(raw_bundle[0])
        got = _tables(tmp_path / "bundle")
        for table in expected:
            pd.testing.assert_frame_equal(got[table], expected[table], obj=table)
        assert any("Windows-1252" in str(note) for note in result.notes)


def test_dictionary_field_notes_state_the_units_the_records_carry():
    dd = redcap_dictionary().set_index("Variable / Field Name")
    notes = dd["Field Note"]
    assert notes["weight_kg"] == "Unit: kg"
    assert notes["height_cm"] == "Unit: cm"
    assert notes["sbp_mmhg"] == "Unit: mmHg"
    assert notes["birth_date"] == "YYYY-MM-DD"
    # Records carry labs as measured, in the unit of lab_unit (not the canonical unit).
    assert notes["lab_value"].startswith("In the unit given in lab_unit, as measured")
    assert dd.loc["lab_value", "Field Label"] == "Result (as measured)"
    assert notes["med_dose"] == "In the unit given in med_dose_unit"
