"""FHIR import on real-shaped inputs: HL7's R4 examples, a Synthea bulk export, EHR prescriptions.

The files under tests/interop/data/fhir/ are HL7 FHIR R4 (4.0.1) example
resources and Synthea output (see the README there for sources and
licences). The hand-written resources below follow the same shapes.
"""

import json
from pathlib import Path

import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive, load_bundle
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import FileFormatError, import_fhir

DATA = Path(__file__).parent / "data" / "fhir"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"


def _patient(pid="P1", **extra):
    return {
        "resourceType": "Patient",
        "id": pid,
        "gender": "female",
        "birthDate": "2008-03-04",
        **extra,
    }


def _lab(rid, loinc, value, unit, date="2014-01-10", status="final", comparator=None):
    quantity = {"value": value, "unit": unit, "system": UCUM, "code": unit}
    if comparator:
        quantity["comparator"] = comparator
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"reference": "Patient/P1"},
        "effectiveDateTime": f"{date}T09:30:00+01:00",
        "valueQuantity": quantity,
    }


def _condition(rid, code, onset, verification="confirmed"):
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        },
        "code": {"coding": [{"system": SNOMED, "code": code}]},
        "subject": {"reference": "Patient/P1"},
        "onsetDateTime": onset,
    }


def _prescription(rid, atc, authored, dose=None, unit=None, status="active", **extra):
    dosage = {"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}}}
    if dose is not None:
        dosage["doseAndRate"] = [
            {"doseQuantity": {"value": dose, "unit": unit, "system": UCUM, "code": unit}}
        ]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": ATC, "code": atc}]},
        "subject": {"reference": "Patient/P1"},
        "authoredOn": authored,
        "dosageInstruction": [{**dosage, **extra.pop("dosage", {})}],
        **extra,
    }


def _vitals(rid, date, weight_kg=None, height_cm=None):
    out = []
    for loinc, value, unit in (("29463-7", weight_kg, "kg"), ("8302-2", height_cm, "cm")):
        if value is not None:
            out.append({**_lab(f"{rid}-{loinc}", loinc, value, unit, date=date)})
    return out


def _ndjson(tmp_path, resources, name="export.ndjson"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    return path


def _codes(result, group=None):
    return {item.code for item in result.not_imported if group in (None, item.group)}


class TestHl7R4Examples:
    """A representative subset of HL7's own R4 examples (CC0), read as a folder of resources."""

    @pytest.fixture(scope="class")
    def imported(self, tmp_path_factory):
        out = tmp_path_factory.mktemp("hl7") / "bundle"
        return import_fhir(DATA / "hl7-r4", out), load_bundle(out)

    def test_imports_without_traceback_and_keeps_what_happened(self, imported):
        _, cohort = imported
        assert sorted(cohort.patients["patient_id"]) == ["example", "f201"]
        visits = cohort.visits.set_index("date")
        # observation-example-bloodpressure.json: systolic 107, diastolic 60 mm[Hg] on 2012-09-17.
        assert visits.loc["2012-09-17", ["sbp_mmhg", "dbp_mmhg"]].tolist() == [107.0, 60.0]
        # observation-example-body-height.json: 66.899999 [in_i]; the inch is 2.54 cm exactly.
        assert visits.loc["1999-07-02", "height_cm"] == pytest.approx(66.9 * 2.54)
        # observation-example.json: 185 [lb_av]; the pound is 0.45359237 kg exactly.
        assert visits.loc["2016-03-28", "weight_kg"] == pytest.approx(185 * 0.45359237)

    def test_what_did_not_happen_is_listed_by_status_with_its_params(self, imported):
        result, _ = imported
        status = {
            (item.params["kind"], item.params["status"]): item.count
            for item in result.not_imported
            if item.code == "status"
        }
        # bloodpressure-cancel and unsat are cancelled; f202 temperature and medication
        # statement example005 are entered-in-error; procedure "ambulation" is not-done.
        assert status == {
            ("Observation", "cancelled"): 2,
            ("Observation", "entered-in-error"): 1,
            ("MedicationStatement", "entered-in-error"): 1,
            ("Procedure", "not-done"): 1,
        }
        assert all(item.group == "status" for item in result.not_imported if item.code == "status")

    def test_every_resource_is_accounted_for(self, imported):
        result, cohort = imported
        # 15 files: 2 patients, 3 visits built from 4 observations (the DAR panel adds the
        # same systolic to the same day), and each other resource is listed once.
        listed = sum(item.count for item in result.not_imported)
        assert listed == 10
        assert "no_value" in _codes(result, "model")  # the diastolic with dataAbsentReason
        assert "unknown_subject" in _codes(result, "model")  # medicationrequest0302 (pat1)


class TestStatus:
    def test_entered_in_error_albumin_is_not_a_lab(self, tmp_path):
        wrong = _lab("alb-1", "1751-7", 1.1, "g/dL", status="entered-in-error")
        right = _lab("alb-2", "1751-7", 3.1, "g/dL", status="final")
        result = import_fhir(_ndjson(tmp_path, [_patient(), wrong, right]), tmp_path / "out")
        labs = load_bundle(tmp_path / "out").labs
        assert labs["value"].tolist() == [3.1]
        (item,) = [i for i in result.not_imported if i.code == "status"]
        assert item.params == {"kind": "Observation", "status": "entered-in-error"}

    def test_refuted_nephrotic_syndrome_is_not_the_onset(self, tmp_path):
        refuted = _condition("ns-1", "52254009", "2012-02-01", verification="refuted")
        confirmed = _condition("ns-2", "52254009", "2013-05-10")
        error = _condition("ns-3", "52254009", "2011-01-01", verification="entered-in-error")
        path = _ndjson(tmp_path, [_patient(), refuted, confirmed, error])
        result = import_fhir(path, tmp_path / "out")
        onset = load_bundle(tmp_path / "out").patients["onset_date"].iloc[0]
        assert str(onset)[:10] == "2013-05-10"
        verification = {i.params["verification"]: i.count for i in result.not_imported}
        assert verification == {"refuted": 1, "entered-in-error": 1}

    def test_not_taken_and_not_done_are_skipped(self, tmp_path):
        not_taken = {
            "resourceType": "MedicationStatement",
            "id": "ms-1",
            "status": "not-taken",
            "medicationCodeableConcept": {"coding": [{"system": ATC, "code": "H02AB06"}]},
            "subject": {"reference": "Patient/P1"},
            "effectiveDateTime": "2014-01-01",
        }
        biopsy = {
            "resourceType": "Procedure",
            "id": "bx-1",
            "status": "not-done",
            "code": {"coding": [{"system": SNOMED, "code": "48426002"}]},
            "subject": {"reference": "Patient/P1"},
            "performedDateTime": "2014-01-02",
        }
        result = import_fhir(_ndjson(tmp_path, [_patient(), not_taken, biopsy]), tmp_path / "out")
        cohort = load_bundle(tmp_path / "out")
        assert cohort.medications.empty
        # A biopsy that was not done is not "a biopsy without histology".
        assert _codes(result) == {"status"}

    def test_a_cancelled_or_erroneous_renewal_neither_imports_nor_ends_the_course(self, tmp_path):
        given = _prescription("rx-1", "H02AB06", "2014-01-10", 60, "mg/m2/d")
        cancelled = _prescription(
            "rx-2", "H02AB06", "2014-02-07", 40, "mg/m2/d", status="cancelled"
        )
        wrong = _prescription(
            "rx-3", "H02AB06", "2014-03-07", 20, "mg/m2/d", status="entered-in-error"
        )
        path = _ndjson(tmp_path, [_patient(), given, cancelled, wrong])
        result = import_fhir(path, tmp_path / "out")
        meds = load_bundle(tmp_path / "out").medications
        # Only the given prescription, still open: the withdrawn ones did not supersede it.
        assert meds["dose"].tolist() == [60.0]
        assert str(meds["end_date"].iloc[0]) == "NaT"
        status = {i.params["status"]: i.count for i in result.not_imported if i.code == "status"}
        assert status == {"cancelled": 1, "entered-in-error": 1}


class TestPrescriptions:
    """EHR and Synthea write a MedicationRequest per prescription: authoredOn, no end."""

    def _renewals(self):
        return [
            _prescription("rx-1", "H02AB06", "2014-01-10", 60, "mg/m2/d", status="stopped"),
            _prescription("rx-2", "H02AB06", "2014-02-07", 40, "mg/m2/d", status="stopped"),
            _prescription("rx-3", "H02AB06", "2014-03-07", 20, "mg/m2/d"),
        ]

    def test_renewals_supersede_one_another(self, tmp_path):
        path = _ndjson(tmp_path, [_patient(), *self._renewals()])
        result = import_fhir(path, tmp_path / "out")
        meds = load_bundle(tmp_path / "out").medications.sort_values("start_date")
        dates = [
            (str(s)[:10], None if e is None or str(e) == "NaT" else str(e)[:10])
            for s, e in zip(meds["start_date"], meds["end_date"], strict=True)
        ]
        assert dates == [
            ("2014-01-10", "2014-02-06"),
            ("2014-02-07", "2014-03-06"),
            ("2014-03-07", None),
        ]
        assert meds["dose"].tolist() == [60.0, 40.0, 20.0]
        assert any("imported as ongoing" in note for note in result.notes)

    def test_three_renewals_derive_the_dose_of_the_last_one(self, tmp_path):
        mmf = _prescription("rx-mmf", "L04AA06", "2014-03-20", 600, "mg/m2", status="active")
        mmf["medicationCodeableConcept"]["text"] = "mycophenolate mofetil 250 mg capsule"
        mmf["dosageInstruction"][0]["timing"]["repeat"]["frequency"] = 2
        resources = [
            _patient(),
            _condition("ns", "52254009", "2013-12-01"),
            *self._renewals(),
            mmf,
            *_vitals("v", "2014-03-20", weight_kg=20.0, height_cm=115.2),
        ]
        import_fhir(_ndjson(tmp_path, resources), tmp_path / "out")
        dataset = derive(load_bundle(tmp_path / "out"), load_rule_set("study"))
        # Mosteller (N Engl J Med 1987;317:1098): BSA = sqrt(height cm x weight kg / 3600)
        # = sqrt(115.2 x 20 / 3600) = 0.8 m2. On the MMF start day only the third
        # prescription (20 mg/m2/day) is current: 20 x 0.8 / 20 kg = 0.8 mg/kg/day.
        # Summed as three open courses it would be 120 x 0.8 / 20 = 4.8 mg/kg/day.
        assert dataset["steroid_mg_kg_day_before"].iloc[0] == pytest.approx(0.8)

    def test_supply_duration_and_validity_end_a_prescription(self, tmp_path):
        supply = _prescription(
            "rx-1",
            "C09AA02",
            "2014-01-10",
            5,
            "mg",
            dispenseRequest={
                "expectedSupplyDuration": {"value": 30, "unit": "days", "system": UCUM, "code": "d"}
            },
        )
        valid = _prescription(
            "rx-2",
            "C09CA01",
            "2014-01-10",
            25,
            "mg",
            dispenseRequest={"validityPeriod": {"start": "2014-01-10", "end": "2014-04-09"}},
        )
        import_fhir(_ndjson(tmp_path, [_patient(), supply, valid]), tmp_path / "out")
        meds = load_bundle(tmp_path / "out").medications.set_index("drug")
        # 30 days from 2014-01-10 (day 1) cover up to 2014-02-08.
        assert str(meds.loc["enalapril", "end_date"])[:10] == "2014-02-08"
        assert str(meds.loc["losartan", "end_date"])[:10] == "2014-04-09"

    def test_a_stopped_prescription_without_an_end_is_reported(self, tmp_path):
        stopped = _prescription("rx-1", "L04AD02", "2014-01-10", 2, "mg", status="stopped")
        result = import_fhir(_ndjson(tmp_path, [_patient(), stopped]), tmp_path / "out")
        assert load_bundle(tmp_path / "out").medications.empty
        (item,) = result.not_imported
        assert (item.code, item.group) == ("course_end_unknown", "model")
        assert item.params == {
            "kind": "MedicationRequest",
            "drug": "tacrolimus",
            "status": "stopped",
        }

    def test_overlapping_statements_of_one_drug_name_both_resources(self, tmp_path):
        def statement(rid, start, end=None):
            period = {"start": start, **({"end": end} if end else {})}
            return {
                "resourceType": "MedicationStatement",
                "id": rid,
                "status": "active",
                "medicationCodeableConcept": {"coding": [{"system": ATC, "code": "H02AB06"}]},
                "subject": {"reference": "Patient/P1"},
                "effectivePeriod": period,
            }

        path = _ndjson(
            tmp_path, [_patient(), statement("ms-1", "2014-01-10"), statement("ms-2", "2014-02-07")]
        )
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(path, tmp_path / "out")
        (problem,) = caught.value.problems
        assert problem.code == "overlapping_course"
        assert (problem.source, problem.table) == (
            "export.ndjson, MedicationStatement/ms-2",
            "medications",
        )
        assert (problem.params["other_start"], problem.params["other_end"]) == ("2014-01-10", None)
        assert problem.params["other_source"] == "export.ndjson, MedicationStatement/ms-1"

    def test_doses_per_day_from_frequency_and_units(self, tmp_path):
        tid = _prescription(
            "rx-1",
            "L04AD01",
            "2014-01-10",
            0.05,
            "g",
            dosage={"timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}}},
        )
        every_12_h = _prescription(
            "rx-2",
            "L04AD02",
            "2014-01-10",
            1.5,
            "mg",
            dosage={"timing": {"repeat": {"frequency": 1, "period": 12, "periodUnit": "h"}}},
        )
        import_fhir(_ndjson(tmp_path, [_patient(), tid, every_12_h]), tmp_path / "out")
        meds = load_bundle(tmp_path / "out").medications.set_index("drug")
        # 0.05 g = 50 mg, three times a day: 150 mg per day.
        assert meds.loc["cyclosporine", ["dose", "dose_unit", "schedule"]].tolist() == [
            150.0,
            "mg/day",
            "daily",
        ]
        # Every 12 hours is twice a day, a schedule of the data model: kept per dose.
        assert meds.loc["tacrolimus", ["dose", "dose_unit", "schedule"]].tolist() == [
            1.5,
            "mg",
            "bid",
        ]


class TestValues:
    def test_a_censored_value_is_refused_with_its_comparator(self, tmp_path):
        censored = _lab("cr-1", "2160-0", 0.2, "mg/dL", comparator="<")
        result = import_fhir(_ndjson(tmp_path, [_patient(), censored]), tmp_path / "out")
        assert load_bundle(tmp_path / "out").labs.empty
        (item,) = result.not_imported
        assert item.code == "censored"
        assert item.params == {"loinc": "2160-0", "test": "serum_creatinine", "comparator": "<"}

    def test_censored_vitals_and_ratios_are_refused_never_stripped(self, tmp_path, capsys):
        # "<0.2 mg/dL" and ">20" (issue 11): a urine protein/creatinine ratio above the
        # assay's range, and HL7's own R4 blood-pressure panel (CC0) with its systolic
        # component censored. The diastolic of the same panel is exact and imported.
        panel = json.loads((DATA / "hl7-r4" / "observation-example-bloodpressure.json").read_text())
        panel["subject"] = {"reference": "Patient/P1"}
        (systolic,) = [c for c in panel["component"] if c["code"]["coding"][0]["code"] == "8480-6"]
        systolic["valueQuantity"]["comparator"] = ">"
        upcr = _lab("upcr-1", "2890-2", 20, "mg/mg", comparator=">")
        creatinine = _lab("cr-1", "14682-9", 18, "umol/L", comparator="<")
        path = _ndjson(tmp_path, [_patient(), panel, upcr, creatinine])
        result = import_fhir(path, tmp_path / "out")
        cohort = load_bundle(tmp_path / "out")
        assert cohort.labs.empty
        assert cohort.visits["sbp_mmhg"].isna().all()
        assert cohort.visits["dbp_mmhg"].tolist() == [60.0]  # the example's diastolic ("value": 60)
        censored = {
            (i.params["loinc"], i.params["comparator"])
            for i in result.not_imported
            if i.code == "censored"
        }
        assert censored == {("8480-6", ">"), ("2890-2", ">"), ("14682-9", "<")}
        # Listed first, among what the data model could have used.
        assert all(i.group == "model" for i in result.not_imported if i.code == "censored")

    def test_the_cli_says_why_a_censored_value_was_not_imported(
        self, tmp_path, monkeypatch, capsys
    ):
        import sys

        from nephrocohort.cli import main

        path = _ndjson(tmp_path, [_patient(), _lab("cr-1", "2160-0", 0.2, "mg/dL", comparator="<")])
        monkeypatch.setattr(
            sys, "argv", ["nephrocohort", "import-fhir", str(path), "--out", str(tmp_path / "o")]
        )
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code in (0, None)
        shown = capsys.readouterr()
        assert (
            "Observation LOINC 2160-0 (serum_creatinine) with a censored value ('<' before the "
            "number): the data model stores exact values only, so it is not imported"
        ) in shown.out + shown.err

    def test_deceased_date_time_becomes_the_death_date(self, tmp_path):
        out = tmp_path / "out"
        import_fhir(DATA / "synthea-bulk", out)
        patients = load_bundle(out).patients.set_index("patient_id")
        # Synthea wrote "deceasedDateTime":"1994-11-11T22:58:16-05:00" for this patient.
        death = patients.loc["79a66c97-6131-3213-f3c9-4606946ab056", "death_date"]
        assert str(death)[:10] == "1994-11-11"

    def test_deceased_boolean_without_a_date_is_reported(self, tmp_path):
        path = _ndjson(tmp_path, [_patient(deceasedBoolean=True)])
        result = import_fhir(path, tmp_path / "out")
        assert _codes(result) == {"deceased_without_date"}

    def test_a_second_different_weight_on_the_same_day_is_reported(self, tmp_path):
        first = _lab("w-1", "29463-7", 20.0, "kg", date="2014-01-10")
        second = _lab("w-2", "29463-7", 22.0, "kg", date="2014-01-10")
        result = import_fhir(_ndjson(tmp_path, [_patient(), first, second]), tmp_path / "out")
        assert load_bundle(tmp_path / "out").visits["weight_kg"].tolist() == [20.0]
        (item,) = result.not_imported
        assert item.code == "vital_same_day"
        assert item.params == {
            "column": "weight_kg",
            "resource": "Observation/w-2",
            "kept": "Observation/w-1",
        }

    def test_an_implausible_height_names_the_observation_that_carries_it(self, tmp_path):
        weight = _lab("w-1", "29463-7", 20.0, "kg")
        height = _lab("h-9", "8302-2", 1150, "cm")  # 115.0 cm written in mm as cm
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(_ndjson(tmp_path, [_patient(), weight, height]), tmp_path / "out")
        (problem,) = caught.value.problems
        assert problem.column == "height_cm"
        assert (problem.source, problem.table) == ("export.ndjson, Observation/h-9", "visits")


class TestCodes:
    def test_the_blood_pressure_panel_55284_4_is_read(self, tmp_path):
        panel = _lab("bp-1", "55284-4", None, "mm[Hg]")
        del panel["valueQuantity"]
        panel["component"] = [
            {
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "valueQuantity": {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
            }
            for code, value in (("8480-6", 104), ("8462-4", 66))
        ]
        import_fhir(_ndjson(tmp_path, [_patient(), panel]), tmp_path / "out")
        visit = load_bundle(tmp_path / "out").visits.iloc[0]
        assert (visit["sbp_mmhg"], visit["dbp_mmhg"]) == (104.0, 66.0)

    @pytest.mark.parametrize(
        ("loinc", "value", "unit", "test"),
        [
            ("2160-0", 0.4, "mg/dL", "serum_creatinine"),
            ("38483-4", 0.4, "mg/dL", "serum_creatinine"),  # in Blood, as Synthea writes it
            ("1751-7", 2.1, "g/dL", "serum_albumin"),
            ("61151-7", 2.1, "g/dL", "serum_albumin"),  # BCG dye binding
            ("61152-5", 21, "g/L", "serum_albumin"),  # BCP dye binding
            ("2093-3", 320, "mg/dL", "serum_cholesterol"),
            ("14647-2", 8.3, "mmol/L", "serum_cholesterol"),
            ("2890-2", 3.5, "mg/mg", "upcr"),
            ("33863-2", 0.9, "mg/L", "cystatin_c"),
            ("6690-2", 7.2, "10*3/uL", "leukocytes"),
            ("26464-8", 7.2, "10*9/L", "leukocytes"),
        ],
    )
    def test_the_common_loinc_variants_become_their_test(self, tmp_path, loinc, value, unit, test):
        import_fhir(
            _ndjson(tmp_path, [_patient(), _lab("l-1", loinc, value, unit)]), tmp_path / "o"
        )
        (lab,) = load_bundle(tmp_path / "o").labs.to_dict("records")
        assert (lab["test"], lab["measured_value"]) == (test, value)

    def test_creatinine_in_umol_per_litre_14682_9(self, tmp_path):
        creatinine = _lab("cr-1", "14682-9", 35.4, "umol/L")
        import_fhir(_ndjson(tmp_path, [_patient(), creatinine]), tmp_path / "out")
        lab = load_bundle(tmp_path / "out").labs.iloc[0]
        # clinical-reference.md section 4: creatinine umol/L / 88.4 = mg/dL.
        assert lab["test"] == "serum_creatinine"
        assert lab["value"] == pytest.approx(35.4 / 88.4)

    def test_synthea_kidney_outcomes_become_events(self, tmp_path):
        out = tmp_path / "out"
        result = import_fhir(DATA / "synthea-bulk", out)
        events = load_bundle(out).events
        by_kind = events.groupby("event")["date"].min().astype(str).str[:10].to_dict()
        # Synthea: CKD stage 1 (431855005), transplant of kidney (70536003) and renal
        # dialysis (265764009) for patient 79a66c97 in the shipped export.
        assert set(by_kind) == {"ckd", "dialysis", "transplant"}
        outside = {item.params.get("shown", "") for item in result.not_imported}
        assert any("Full-time employment" in shown for shown in outside)
        employment = [i for i in result.not_imported if "employment" in i.params.get("shown", "")]
        assert {item.group for item in employment} == {"outside"}
        # The export's other kidney codes are listed apart, each with its reason.
        kidney = {(i.code, i.params["shown"]) for i in result.not_imported if i.group == "kidney"}
        assert kidney == {
            (
                "kidney_waiting",
                "http://snomed.info/sct|698306007 (Awaiting transplantation of kidney (situation))",
            ),
            (
                "kidney_disorder",
                "http://snomed.info/sct|127013003 (Disorder of kidney due to diabetes mellitus "
                "(disorder))",
            ),
        }

    def test_synthea_transplant_rejection_and_aftercare_are_not_transplants(self, tmp_path):
        # The kidney_transplant module's other codes, in the shape Synthea writes them (the
        # shipped export's transplant Procedure and History-of-transplant Condition, with
        # the module's "Kidney transplant failure and rejection" and "Transplantation of
        # kidney regime" codes): one transplant, on the Procedure's day.
        lines = {
            name: (DATA / "synthea-bulk" / f"{name}.000.ndjson").read_text().splitlines()
            for name in ("Patient", "Procedure", "Condition")
        }
        patient = json.loads(lines["Patient"][0])
        (transplant,) = [json.loads(x) for x in lines["Procedure"] if '"70536003"' in x]
        (history,) = [json.loads(x) for x in lines["Condition"] if '"161665007"' in x]

        def recoded(resource, rid, code, display, when):
            copy = json.loads(json.dumps(resource))
            copy["id"] = rid
            copy["code"] = {
                "coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}],
                "text": display,
            }
            if "performedPeriod" in copy:
                copy["performedPeriod"] = {"start": when, "end": when}
            else:
                copy["onsetDateTime"] = copy["recordedDate"] = when
            return copy

        regime = recoded(
            transplant,
            "regime-1",
            "711446003",
            "Transplantation of kidney regime (regime/therapy)",
            "1990-10-29T09:00:00-05:00",
        )
        rejection = recoded(
            history,
            "rejection-1",
            "213150003",
            "Kidney transplant failure and rejection (disorder)",
            "1991-02-11T10:00:00-05:00",
        )
        path = _ndjson(tmp_path, [patient, transplant, history, regime, rejection])
        result = import_fhir(path, tmp_path / "out")
        events = load_bundle(tmp_path / "out").events
        # The Procedure and the History-of-transplant Condition of the same day: one event.
        assert events["event"].tolist() == ["transplant"]
        assert str(events["date"].iloc[0])[:10] == "1990-10-28"
        kidney = {i.code: i.params["kind"] for i in result.not_imported if i.group == "kidney"}
        assert kidney == {"kidney_regime": "Procedure", "kidney_rejection": "Condition"}


class TestBulk:
    def test_a_synthea_bulk_export_folder_imports(self, tmp_path):
        result = import_fhir(DATA / "synthea-bulk", tmp_path / "out")
        cohort = load_bundle(tmp_path / "out")
        assert cohort.n_patients == 2
        assert set(cohort.medications["drug"]) == {"tacrolimus"}
        assert any(note.startswith("log.ndjson is not named after") for note in result.notes)
        assert any("Encounter" in note for note in result.notes)

    def test_every_synthea_condition_procedure_and_prescription_is_accounted_for(self, tmp_path):
        # The shipped export: 21 Conditions, 11 Procedures, 27 MedicationRequests.
        result = import_fhir(DATA / "synthea-bulk", tmp_path / "out")
        cohort = load_bundle(tmp_path / "out")

        def listed(kind):
            unknown = f"{kind.lower()}_unknown"
            return sum(
                i.count
                for i in result.not_imported
                if i.code == unknown or (i.group == "kidney" and i.params["kind"] == kind)
            )

        # Conditions: CKD 1-4, ESRD and the history of transplant are 6 events; the
        # other 15 are listed (2 as kidney findings, 13 outside the data model).
        assert listed("Condition") == 15
        # Procedures: 4 dialysis sessions and the transplant (the same day as the
        # history Condition: one event) are events; the other 6 are listed.
        assert listed("Procedure") == 6
        assert cohort.events["event"].value_counts().to_dict() == {
            "dialysis": 4,
            "ckd": 5,
            "transplant": 1,
        }
        # MedicationRequests: 4 of drugs outside the model (epoetin x3, lisinopril) are
        # listed; 23 tacrolimus prescriptions are 22 courses (1990-11-09: the last
        # injection and the first tablet, no dose in either, are one course from that day).
        assert sum(i.count for i in result.not_imported if i.code == "drug_unknown") == 4
        assert len(cohort.medications) == 22
        # Nothing in it says it did not happen, and nothing was imported that did not.
        assert not [i for i in result.not_imported if i.group == "status"]

    def test_a_patient_without_id_is_a_clear_error(self, tmp_path):
        # HL7's bundle-transaction.json POSTs Patients without an id.
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(DATA / "hl7-r4-refused" / "bundle-transaction.json", tmp_path / "out")
        codes = {problem.code for problem in caught.value.problems}
        assert "fhir.patient_without_id" in codes
        assert not (tmp_path / "out").exists()

    def test_an_animal_is_a_clear_error(self, tmp_path):
        with pytest.raises(CohortValidationError) as caught:
            import_fhir(DATA / "hl7-r4-refused" / "patient-example-animal.json", tmp_path / "out")
        (problem,) = caught.value.problems
        assert problem.code == "fhir.animal_patient"
        assert problem.message == (
            "patient-example-animal.json, Patient/animal: Patient/animal is an animal "
            "(extension patient-animal, species Dog); NephroCohort records children with "
            "nephrotic syndrome."
        )

    @staticmethod
    def _deep_patient(levels=3000) -> str:
        """A Patient with extensions nested ``levels`` deep (json.dumps cannot write it)."""
        head = '{"resourceType": "Patient", "id": "P1", "gender": "female", "extension": ['
        nest = '{"url": "http://example.org/x", "extension": ['
        return head + nest * levels + '{"url": "http://example.org/x"}' + "]}" * (levels + 1)

    def test_deeply_nested_json_is_a_clear_error(self, tmp_path):
        path = tmp_path / "deep.ndjson"
        path.write_text(self._deep_patient() + "\n", encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            import_fhir(path, tmp_path / "out")
        assert caught.value.code == "fhir.read.too_deep"
        assert caught.value.params["where"] == "deep.ndjson, line 1"

    def test_a_deeply_nested_bundle_is_a_clear_error(self, tmp_path):
        path = tmp_path / "deep.json"
        bundle = '{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
        path.write_text(bundle + self._deep_patient() + "}]}", encoding="utf-8")
        with pytest.raises(FileFormatError) as caught:
            import_fhir(path, tmp_path / "out")
        assert caught.value.code == "fhir.read.too_deep"
        assert caught.value.params["where"] == "deep.json, entry 1"

    def test_a_folder_without_fhir_files_is_a_clear_error(self, tmp_path):
        (tmp_path / "export").mkdir()
        (tmp_path / "export" / "notes.txt").write_text("hello")
        with pytest.raises(FileFormatError) as caught:
            import_fhir(tmp_path / "export", tmp_path / "out")
        assert caught.value.code == "fhir.read.empty_folder"
        assert caught.value.params["path"] == tmp_path / "export"
