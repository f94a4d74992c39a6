"""FHIR R4 import: the shipped synthetic bundle end to end, unit conversion, unknown codes reported."""

import json
from pathlib import Path

import pytest

import nephrocohort
from nephrocohort.cohort import load_bundle
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import FileFormatError, import_fhir

EXAMPLE = Path(nephrocohort.__file__).parent / "data" / "examples" / "fhir_bundle.json"


def _patient(pid="P1", gender="female"):
    return {"resourceType": "Patient", "id": pid, "gender": gender, "birthDate": "2012-03-04"}


def _obs(loinc, value, code, date="2015-01-02", subject="Patient/P1"):
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": subject},
        "effectiveDateTime": date,
        "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": code},
    }


def _med(system, code, display, start="2015-01-01"):
    return {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": {"reference": "Patient/P1"},
        "medicationCodeableConcept": {
            "coding": [{"system": system, "code": code, "display": display}]
        },
        "effectiveDateTime": start,
    }


def _ndjson(tmp_path, resources, name="export.ndjson"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    return path


class TestExampleBundle:
    @pytest.fixture
    def cohort(self, tmp_path):
        self.result = import_fhir(EXAMPLE, tmp_path / "bundle")
        return load_bundle(tmp_path / "bundle")

    def test_every_table_is_filled(self, cohort):
        assert cohort.n_patients == 3
        assert sorted(cohort.biopsies["histology"]) == ["FSGS", "MCD", "MN"]
        assert set(cohort.medications["drug"]) == {"prednisolone", "mmf", "rituximab"}
        assert cohort.events["event"].tolist() == ["ckd"]
        assert (
            cohort.patients.set_index("patient_id").loc["SYN-001", "onset_date"].isoformat()[:10]
            == "2013-05-10"
        )

    def test_ucum_units_are_converted_to_canonical(self, cohort):
        labs = cohort.labs[cohort.labs.patient_id == "SYN-001"].set_index("test")
        # Factors from clinical-reference.md section 4: UPCR mg/mmol / 113.12, creatinine
        # umol/L / 88.4, albumin g/L / 10, cholesterol mmol/L x 38.67.
        assert labs.loc["upcr", "value"] == pytest.approx(350.0 / 113.12)
        assert labs.loc["serum_creatinine", "value"] == pytest.approx(35.4 / 88.4)
        assert labs.loc["serum_albumin", "value"] == pytest.approx(1.9)
        assert labs.loc["serum_cholesterol", "value"] == pytest.approx(8.2 * 38.67)
        assert labs.loc["leukocytes", "value"] == pytest.approx(7.8)
        assert labs.loc["dipstick_protein", "value"] == 300.0
        visit = cohort.visits[cohort.visits.patient_id == "SYN-001"].iloc[0]
        assert visit["height_cm"] == pytest.approx(106.0)  # 1.06 m
        assert (visit["sbp_mmhg"], visit["dbp_mmhg"]) == (104.0, 66.0)

    def test_doses_and_schedules(self, cohort):
        meds = cohort.medications.set_index(["patient_id", "drug"])
        mmf = meds.loc[("SYN-001", "mmf")]
        assert (mmf["dose"], mmf["dose_unit"], mmf["schedule"]) == (1200.0, "mg/m2/day", "bid")
        rtx = meds.loc[("SYN-001", "rituximab")]
        assert (rtx["dose_unit"], rtx["schedule"]) == ("mg/m2/dose", "single")

    def test_unknown_codes_are_reported_not_guessed(self, cohort):
        skipped = "\n".join(map(str, self.result.skipped))
        assert "A02BC01 (omeprazole): not a drug of the data model (x3)" in skipped
        assert "718-7" in skipped
        assert any("Encounter" in str(note) for note in self.result.notes)


class TestReporting:
    def test_mycophenolic_acid_needs_the_product(self, tmp_path):
        path = _ndjson(
            tmp_path,
            [
                _patient(),
                _med("http://www.whocc.no/atc", "L04AA06", "mycophenolic acid"),
                _med("http://www.whocc.no/atc", "L04AA06", "mycophenolate sodium 360 mg"),
            ],
        )
        result = import_fhir(path, tmp_path / "out")
        assert load_bundle(tmp_path / "out").medications["drug"].tolist() == [
            "mycophenolate_sodium"
        ]
        assert any("without saying mofetil or sodium" in str(s) for s in result.skipped)

    def test_24_hour_protein_without_surface_area_is_not_converted(self, tmp_path):
        path = _ndjson(tmp_path, [_patient(), _obs("2889-4", 1.2, "g/(24.h)")])
        result = import_fhir(path, tmp_path / "out")
        assert load_bundle(tmp_path / "out").labs.empty
        assert any("body surface area" in str(s) for s in result.skipped)

    def test_unit_without_conversion_is_reported(self, tmp_path):
        path = _ndjson(tmp_path, [_patient(), _obs("1751-7", 3.0, "mg/mL")])
        result = import_fhir(path, tmp_path / "out")
        assert any("unit 'mg/mL'" in str(s) for s in result.skipped)

    def test_weight_in_pounds_is_converted(self, tmp_path):
        path = _ndjson(tmp_path, [_patient(), _obs("29463-7", 44.0, "[lb_av]")])
        import_fhir(path, tmp_path / "out")
        weight = load_bundle(tmp_path / "out").visits["weight_kg"].iloc[0]
        assert weight == pytest.approx(44.0 * 0.45359237)


class TestHostileFiles:
    def test_malformed_ndjson_line_is_named(self, tmp_path):
        path = tmp_path / "bad.ndjson"
        path.write_text(json.dumps(_patient()) + "\n{not json\n", encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            import_fhir(path, tmp_path / "out")
        assert caught.value.code == "fhir.read.bad_json_line"
        assert (caught.value.params["name"], caught.value.params["line"]) == ("bad.ndjson", 2)
        assert not (tmp_path / "out").exists()

    def test_invalid_resource_is_named(self, tmp_path):
        path = _ndjson(
            tmp_path, [{"resourceType": "Patient", "id": "P1", "birthDate": "yesterday"}]
        )
        with pytest.raises(FileFormatError) as caught:
            import_fhir(path, tmp_path / "out")
        assert caught.value.code == "fhir.read.invalid_resource"
        params = caught.value.params
        assert (params["where"], params["kind"], params["field"]) == (
            "export.ndjson, line 1",
            "Patient",
            "birthDate",
        )

    def test_not_json_at_all(self, tmp_path):
        path = tmp_path / "bundle.json"
        path.write_text("resourceType,Bundle\n")
        with pytest.raises(FileFormatError) as caught:
            import_fhir(path, tmp_path / "out")
        assert (caught.value.code, caught.value.params) == (
            "fhir.read.not_fhir",
            {"name": "bundle.json"},
        )

    def test_a_patient_without_sex_fails_validation_and_writes_nothing(self, tmp_path):
        path = _ndjson(tmp_path, [_patient(gender="unknown")])
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(path, tmp_path / "out")
        assert caught.value.problems[0].column == "sex"
        problem = caught.value.problems[0]
        assert (problem.code, problem.source, problem.table) == (
            "missing_value",
            "export.ndjson, Patient/P1",
            "patients",
        )
        assert sorted(p.name for p in tmp_path.iterdir()) == ["export.ndjson"]


def test_an_implausible_value_names_its_resource(tmp_path):
    observation = {**_obs("1751-7", 45.0, "g/dL"), "id": "alb-7"}
    path = _ndjson(tmp_path, [_patient(), observation])
    with pytest.raises(CohortValidationError) as caught:
        import_fhir(path, tmp_path / "out")
    (problem,) = caught.value.problems
    assert (problem.code, problem.source, problem.table) == (
        "implausible",
        "export.ndjson, Observation/alb-7",
        "labs",
    )
    assert not (tmp_path / "out").exists()


class TestFhirExport:
    """Export to FHIR uses the importer's code tables, so what FHIR carries comes back unchanged."""

    def test_demo_cohort_round_trips_through_fhir(self, tmp_path):
        import pandas as pd

        from nephrocohort.cohort import demo_cohort
        from nephrocohort.interop import export_tables

        cohort = demo_cohort()
        export_tables(dict(cohort.tables), to="fhir", out=tmp_path / "fhir", identifiable=True)
        result = import_fhir(tmp_path / "fhir" / "cohort.fhir.json", tmp_path / "back")
        assert result.skipped == ()
        back = load_bundle(tmp_path / "back")
        carried = {
            "patients": ["patient_id", "center", "sex", "birth_date", "onset_date", "death_date"],
            "biopsies": ["patient_id", "biopsy_date", "histology"],
            "labs": [
                "patient_id",
                "date",
                "test",
                "value",
                "unit",
                "measured_value",
                "measured_unit",
            ],
            "medications": [
                "patient_id",
                "drug",
                "start_date",
                "end_date",
                "dose",
                "dose_unit",
                "schedule",
            ],
            "visits": ["patient_id", "date", "weight_kg", "height_cm", "sbp_mmhg", "dbp_mmhg"],
        }
        for table, columns in carried.items():
            before = cohort.tables[table][columns].sort_values(columns).reset_index(drop=True)
            after = back.tables[table][columns].sort_values(columns).reset_index(drop=True)
            pd.testing.assert_frame_equal(before, after, obj=table)
        kidney = ["ckd", "dialysis", "transplant"]
        columns = ["patient_id", "date", "event"]
        before = cohort.events[cohort.events["event"].isin(kidney)][columns]
        after = back.events[columns]
        pd.testing.assert_frame_equal(
            before.sort_values(columns).reset_index(drop=True),
            after.sort_values(columns).reset_index(drop=True),
            obj="events",
        )
        assert set(before["event"]) == set(kidney)
        left_out = pd.read_csv(tmp_path / "fhir" / "not_in_fhir.csv").set_index("not_exported")
        relapses = int((cohort.events["event"] == "relapse").sum())
        assert left_out.loc["events relapse", "rows"] == relapses
        assert left_out.loc["genetics", "rows"] == len(cohort.genetics)

    def test_fhir_export_is_deidentified_by_default(self, tmp_path):
        from nephrocohort.interop import export_tables

        import_fhir(EXAMPLE, tmp_path / "bundle")
        cohort = load_bundle(tmp_path / "bundle")
        summary = export_tables(dict(cohort.tables), to="fhir", out=tmp_path / "fhir", seed=2)
        text = (tmp_path / "fhir" / "cohort.fhir.json").read_text()
        assert "SYN-001" not in text and "2011-04-02" not in text
        assert summary.key_file.exists()


def test_absolute_and_versioned_patient_references_are_followed(tmp_path):
    observation = _obs(
        "1751-7", 2.1, "g/dL", subject="https://ehr.example/fhir/Patient/P1/_history/3"
    )
    path = _ndjson(tmp_path, [_patient(), observation])
    import_fhir(path, tmp_path / "out")
    assert load_bundle(tmp_path / "out").labs["value"].tolist() == [2.1]


class TestDuplicatePatients:
    def test_conflicting_copies_of_a_patient_are_reported(self, tmp_path):
        path = _ndjson(tmp_path, [_patient("P1", "female"), _patient("P1", "male")])
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(path, tmp_path / "bundle")
        (problem,) = caught.value.problems
        assert problem.code == "fhir.conflicting_patient"
        assert problem.params["fields"] == "sex"
        assert problem.message == (
            "export.ndjson: Patient/P1 appears 2 times with different content "
            "(sex differ), so it is not known which one is right."
        )
        assert not (tmp_path / "bundle").exists()

    def test_identical_copies_are_merged(self, tmp_path):
        path = _ndjson(tmp_path, [_patient("P1"), _patient("P1"), _patient("P2")])
        result = import_fhir(path, tmp_path / "bundle")
        assert result.row_counts["patients"] == 2


class TestPartialDates:
    def test_a_year_only_birth_date_is_called_partial_not_empty(self, tmp_path):
        patient = {**_patient("P1"), "birthDate": "2014"}
        path = _ndjson(tmp_path, [patient, _patient("P2")])
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(path, tmp_path / "bundle")
        (problem,) = caught.value.problems
        assert problem.code == "fhir.partial_date"
        assert problem.message == (
            "export.ndjson, Patient/P1: 'birth_date' is '2014', a partial date (year only). "
            "The data model needs a full date written YYYY-MM-DD."
        )
        assert "empty" not in str(problem)
        assert not (tmp_path / "bundle").exists()

    def test_a_partial_effective_date_is_named_in_what_was_not_imported(self, tmp_path):
        path = _ndjson(tmp_path, [_patient("P1"), _obs("2862-1", 2.1, "g/dL", date="2015-03")])
        result = import_fhir(path, tmp_path / "bundle")
        assert any(
            "partial effective date (year and month only, e.g. '2015-03')" in str(item)
            and "YYYY-MM-DD" in str(item)
            for item in result.skipped
        ), result.skipped
        assert not any("without an effective date" in str(item) for item in result.skipped)
