"""A foreign, longitudinal REDCap project: a mapping drafted from its dictionary, then applied.

The data (tests/interop/data/redcap/foreign, synthetic) is in REDCap's own
layouts: the data dictionary with REDCap's 18 column headers, and a raw
records export of a project with two arms and events (``redcap_event_name``
inclusion_arm_1, mes_6_arm_1, inclusion_arm_2), a repeating lab instrument
(``redcap_repeat_instrument``/``redcap_repeat_instance``), a checkbox
(``sintomas___1``) and ``<form>_complete`` columns.
"""

import shutil
import sys
from pathlib import Path

import pytest
import yaml

from nephrocohort.cohort import load_bundle
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import (
    REDCAP_DICTIONARY_HEADERS,
    FileFormatError,
    MappingError,
    import_redcap,
    write_suggested_redcap_mapping,
)

DATA = Path(__file__).parent / "data" / "redcap" / "foreign"
RECORDS = DATA / "registro_sn_records.csv"
DICTIONARY = DATA / "registro_sn_dictionary.csv"


@pytest.fixture
def mapping(tmp_path):
    path, _, _ = write_suggested_redcap_mapping(DICTIONARY, tmp_path / "mapping.yaml")
    return path


def _edit(path, field, spec):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["fields"][field] = spec
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


class TestSuggestedMapping:
    def test_the_dictionary_is_redcaps_own(self):
        header = DICTIONARY.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert len(REDCAP_DICTIONARY_HEADERS) == 18
        assert tuple(h.strip('"') for h in header[:4]) == REDCAP_DICTIONARY_HEADERS[:4]

    def test_fields_are_proposed_from_labels_validation_and_choices(self, tmp_path):
        path, proposed, ignored = write_suggested_redcap_mapping(DICTIONARY, tmp_path / "m.yaml")
        fields = yaml.safe_load(path.read_text(encoding="utf-8"))["fields"]
        assert (proposed, ignored) == (11, 2)
        # The first field is the record ID; "1, Masculino | 2, Femenino" becomes codes.
        assert fields["id_paciente"] == {"table": "patients", "column": "patient_id"}
        assert fields["sexo"] == {
            "table": "patients",
            "column": "sex",
            "codes": {"1": "M", "2": "F"},
        }
        # date_dmy validation: a date column ("Fecha de diagnóstico del síndrome nefrótico").
        assert fields["fecha_debut"] == {"table": "patients", "column": "onset_date"}
        assert fields["peso"] == {"table": "visits", "column": "weight_kg"}
        # A yesno field gets REDCap's 1/0 codes.
        assert fields["edema"]["codes"] == {"1": "yes", "0": "no"}
        # A lab: its unit from the field note, dated by the visit date of the same event.
        assert fields["creatinina"] == {
            "table": "labs",
            "test": "serum_creatinine",
            "unit": "mg/dL",
            "date_field": "fecha_visita",
        }
        assert fields["upcr"]["test"] == "upcr"  # not creatinine: the ratio's words first
        # Free text and a checkbox are not guessed.
        assert fields["antecedentes"] == {"ignore": True}
        assert fields["sintomas"] == {"ignore": True}
        assert "check every line" in path.read_text(encoding="utf-8")

    def test_a_file_that_is_not_a_dictionary_is_refused(self, tmp_path):
        with pytest.raises(MappingError) as caught:
            write_suggested_redcap_mapping(RECORDS, tmp_path / "m.yaml")
        assert caught.value.code == "redcap.map.not_a_dictionary"
        assert "REDCap's 18 columns" in str(caught.value)
        assert not (tmp_path / "m.yaml").exists()


class TestImportWithTheMapping:
    def test_events_and_repeated_labs_become_tables(self, mapping, tmp_path):
        result = import_redcap(RECORDS, tmp_path / "out", mapping=mapping)
        cohort = load_bundle(tmp_path / "out")
        patients = cohort.patients.set_index("patient_id")
        assert patients.loc["101", "sex"] == "F" and patients.loc["202", "sex"] == "M"
        assert str(patients.loc["101", "onset_date"])[:10] == "2016-02-20"
        visits = cohort.visits
        assert len(visits) == 3  # inclusion_arm_1, mes_6_arm_1, inclusion_arm_2
        assert visits["edema"].tolist() == ["yes", "no", "yes"]
        labs = cohort.labs
        # The repeated lab instances take the date of their event's visit.
        first = labs[(labs.patient_id == "101") & (labs.test == "upcr")]
        assert [str(d)[:10] for d in first["date"]] == ["2016-02-22", "2016-08-24"]
        assert len(labs[labs.patient_id == "202"]) == 5  # instance 2 has no upcr
        assert any(
            "events: inclusion_arm_1, mes_6_arm_1, inclusion_arm_2" in str(n) for n in result.notes
        )

    def test_without_a_mapping_the_refusal_names_the_mapping_path(self, tmp_path):
        with pytest.raises(FileFormatError) as caught:
            import_redcap(RECORDS, tmp_path / "out")
        assert "--suggest-mapping mapping.yaml" in str(caught.value)
        assert "--mapping mapping.yaml" in str(caught.value)

    def test_a_column_the_mapping_does_not_list_is_an_error(self, mapping, tmp_path):
        data = yaml.safe_load(mapping.read_text(encoding="utf-8"))
        del data["fields"]["antecedentes"]
        mapping.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(MappingError) as caught:
            import_redcap(RECORDS, tmp_path / "out", mapping=mapping)
        assert caught.value.params["columns"] == "antecedentes"
        assert not (tmp_path / "out").exists()

    def test_a_lab_without_its_unit_is_named(self, mapping, tmp_path):
        _edit(
            mapping,
            "albumina",
            {"table": "labs", "test": "serum_albumin", "date_field": "fecha_visita"},
        )
        with pytest.raises(MappingError) as caught:
            import_redcap(RECORDS, tmp_path / "out", mapping=mapping)
        message = str(caught.value)
        assert message.startswith("mapping.yaml, field albumina: a lab needs unit")
        assert "g/dL, g/L" in message

    def test_two_values_of_a_patient_field_are_an_error_naming_both_rows(self, mapping, tmp_path):
        text = RECORDS.read_text(encoding="utf-8").splitlines()
        # The mes_6 event (row 4) repeats the sex field with another value.
        cells = text[3].split(",")
        cells[4] = "1"
        text[3] = ",".join(cells)
        records = tmp_path / "records.csv"
        records.write_text("\n".join(text) + "\n", encoding="utf-8")
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(records, tmp_path / "out", mapping=mapping)
        (problem,) = caught.value.problems
        assert (problem.code, problem.row, problem.params["other_row"]) == (
            "redcap.map.conflict",
            4,
            2,
        )
        assert (problem.source, problem.table, problem.column, problem.value) == (
            "records.csv",
            "patients",
            "sex",
            "M",
        )
        assert not (tmp_path / "out").exists()

    def test_a_bad_value_names_its_row_in_the_export(self, mapping, tmp_path):
        text = RECORDS.read_text(encoding="utf-8").replace("19.9", "1990")
        records = tmp_path / "records.csv"
        records.write_text(text, encoding="utf-8")
        with pytest.raises(CohortValidationError) as caught:
            import_redcap(records, tmp_path / "out", mapping=mapping)
        (problem,) = caught.value.problems
        assert (problem.code, problem.row, problem.column) == ("implausible", 4, "weight_kg")
        assert (problem.source, problem.table) == ("records.csv", "visits")


def test_cli_suggests_then_imports(tmp_path, monkeypatch, capsys):
    from nephrocohort.cli import main

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["nephrocohort", *args])
        with pytest.raises(SystemExit) as done:
            main()
        return done.value.code, capsys.readouterr()

    records = tmp_path / RECORDS.name
    shutil.copy(RECORDS, records)
    mapping = tmp_path / "mapping.yaml"
    code, shown = run(
        "import-redcap",
        str(records),
        "--dictionary",
        str(DICTIONARY),
        "--suggest-mapping",
        str(mapping),
    )
    assert code in (0, None), shown.err
    assert "11 of 13 fields proposed" in shown.out
    code, shown = run(
        "import-redcap", str(records), "--mapping", str(mapping), "--out", str(tmp_path / "b")
    )
    assert code in (0, None), shown.err
    assert "patients: 2" in shown.out and "labs: 11" in shown.out
    code, shown = run("import-redcap", str(records), "--suggest-mapping", str(tmp_path / "x.yaml"))
    assert code not in (0, None)
    assert "needs --dictionary" in shown.out + shown.err


def test_a_folder_given_as_the_mapping_file_is_a_clear_error(tmp_path):
    with pytest.raises(MappingError) as caught:
        import_redcap(RECORDS, tmp_path / "out", mapping=tmp_path)
    assert "is a folder; give the mapping's .yaml file" in str(caught.value)
