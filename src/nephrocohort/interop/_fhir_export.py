"""FHIR R4 export: the cohort as a Bundle of Patient, Condition, Procedure, Observation,
MedicationStatement and DiagnosticReport, using the same code tables as the
importer (so an exported bundle imports back to the same records).

What FHIR cannot carry with the verified codes is left out and listed:
events other than chronic kidney disease, dialysis and transplant, genetics, the patient's
questionnaire fields (consent, serology, onset features), histology
``other`` and drug ``other``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nephrocohort.cohort.spreadsheet_cells import neutralise_frame
from nephrocohort.interop import _fhir_codes as codes

__all__ = ["fhir_bundle", "write_fhir_bundle"]

_UCUM = "http://unitsofmeasure.org"
_LAB_LOINC = {
    "upcr": "2890-2",
    "dipstick_protein": "20454-5",
    "serum_albumin": "1751-7",
    "serum_creatinine": "2160-0",
    "serum_cholesterol": "2093-3",
    "cystatin_c": "33863-2",
    "leukocytes": "6690-2",
    "urine_protein_timed": codes.TIMED_PROTEIN,
}
_UNIT_TO_UCUM = {unit: ucum for ucum, unit in reversed(list(codes.LAB_UNITS.items()))}
_DOSE_TO_UCUM = {unit: ucum for ucum, unit in codes.DOSE_UNITS.items()}
_DRUG_CODES = {
    "prednisolone": (codes.ATC, "H02AB06"),
    "prednisone": (codes.ATC, "H02AB07"),
    "methylprednisolone_pulse": (codes.ATC, "H02AB04"),
    "mmf": (codes.RXNORM, "68149"),
    "mycophenolate_sodium": (codes.ATC, "L04AA06"),
    "cyclosporine": (codes.ATC, "L04AD01"),
    "tacrolimus": (codes.ATC, "L04AD02"),
    "cyclophosphamide": (codes.ATC, "L01AA01"),
    "rituximab": (codes.ATC, "L01FA01"),
    "enalapril": (codes.ATC, "C09AA02"),
    "losartan": (codes.ATC, "C09CA01"),
}
_DRUG_TEXT = {"mycophenolate_sodium": "mycophenolate sodium"}
_HISTOLOGY_SNOMED = {}
for _code, _histology in codes.HISTOLOGY_CODES.items():
    _HISTOLOGY_SNOMED.setdefault(_histology, _code)
_TIMING = {
    "daily": {"frequency": 1, "period": 1, "periodUnit": "d"},
    "bid": {"frequency": 2, "period": 1, "periodUnit": "d"},
    "alternate_day": {"frequency": 1, "period": 2, "periodUnit": "d"},
    "single": {"count": 1},
}
_DIPSTICK_WORDS = {
    0.0: "negative",
    15.0: "trace",
    30.0: "30",
    100.0: "100",
    300.0: "300",
    1000.0: "1000",
}


def _present(value) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _concept(system: str, code: str, text: str | None = None) -> dict:
    concept = {"coding": [{"system": system, "code": code}]}
    if text:
        concept["text"] = text
    return concept


def _quantity(value: float, ucum: str) -> dict:
    return {"value": float(value), "unit": ucum, "system": _UCUM, "code": ucum}


class _Writer:
    def __init__(self):
        self.entries: list[dict] = []
        self.left_out: dict[str, int] = {}

    def add(self, resource: dict) -> None:
        resource.setdefault("id", f"{resource['resourceType'].lower()}-{len(self.entries) + 1}")
        self.entries.append(
            {"fullUrl": f"{resource['resourceType']}/{resource['id']}", "resource": resource}
        )

    def leave_out(self, what: str) -> None:
        self.left_out[what] = self.left_out.get(what, 0) + 1


def _subject(patient_id) -> dict:
    return {"reference": f"Patient/{patient_id}"}


def _patients(frame: pd.DataFrame, writer: _Writer) -> None:
    for row in frame.to_dict("records"):
        patient = {"resourceType": "Patient", "id": str(row["patient_id"])}
        if _present(row.get("sex")):
            patient["gender"] = {"M": "male", "F": "female"}[row["sex"]]
        if _present(row.get("birth_date")):
            patient["birthDate"] = _day(row["birth_date"])
        if _present(row.get("death_date")):
            patient["deceasedDateTime"] = _day(row["death_date"])
        if _present(row.get("center")):
            patient["managingOrganization"] = {"display": str(row["center"])}
        writer.add(patient)
        if _present(row.get("onset_date")):
            writer.add(
                {
                    "resourceType": "Condition",
                    "subject": _subject(row["patient_id"]),
                    "code": _concept(codes.SNOMED, "52254009", "Nephrotic syndrome"),
                    "onsetDateTime": _day(row["onset_date"]),
                }
            )


def _labs(frame: pd.DataFrame, writer: _Writer) -> None:
    value_column = "measured_value" if "measured_value" in frame.columns else "value"
    unit_column = "measured_unit" if "measured_unit" in frame.columns else "unit"
    for row in frame.to_dict("records"):
        test, value, unit = row["test"], row[value_column], row[unit_column]
        observation = {
            "resourceType": "Observation",
            "status": "final",
            "code": _concept(codes.LOINC, _LAB_LOINC[test]),
            "subject": _subject(row["patient_id"]),
            "effectiveDateTime": _day(row["date"]),
        }
        if test == "dipstick_protein":
            observation["valueString"] = _DIPSTICK_WORDS.get(float(value), str(value))
        elif unit in _UNIT_TO_UCUM:
            observation["valueQuantity"] = _quantity(value, _UNIT_TO_UCUM[unit])
        else:
            writer.leave_out(f"labs in unit {unit}")
            continue
        writer.add(observation)


def _visits(frame: pd.DataFrame, writer: _Writer) -> None:
    for row in frame.to_dict("records"):
        base = {
            "resourceType": "Observation",
            "status": "final",
            "subject": _subject(row["patient_id"]),
            "effectiveDateTime": _day(row["date"]),
        }
        if _present(row.get("weight_kg")):
            writer.add(
                {
                    **base,
                    "code": _concept(codes.LOINC, "29463-7"),
                    "valueQuantity": _quantity(row["weight_kg"], "kg"),
                }
            )
        if _present(row.get("height_cm")):
            writer.add(
                {
                    **base,
                    "code": _concept(codes.LOINC, "8302-2"),
                    "valueQuantity": _quantity(row["height_cm"], "cm"),
                }
            )
        components = [
            {
                "code": _concept(codes.LOINC, loinc),
                "valueQuantity": _quantity(row[column], "mm[Hg]"),
            }
            for loinc, column in ((codes.SBP, "sbp_mmhg"), (codes.DBP, "dbp_mmhg"))
            if _present(row.get(column))
        ]
        if components:
            writer.add(
                {**base, "code": _concept(codes.LOINC, codes.BP_PANEL), "component": components}
            )
        if _present(row.get("edema")):
            writer.leave_out("visits.edema")


def _medications(frame: pd.DataFrame, writer: _Writer) -> None:
    for row in frame.to_dict("records"):
        drug = row["drug"]
        if drug not in _DRUG_CODES:
            writer.leave_out(f"medications with drug {drug}")
            continue
        system, code = _DRUG_CODES[drug]
        period = {"start": _day(row["start_date"])}
        if _present(row.get("end_date")):
            period["end"] = _day(row["end_date"])
        statement = {
            "resourceType": "MedicationStatement",
            "status": "completed" if "end" in period else "active",
            "subject": _subject(row["patient_id"]),
            "medicationCodeableConcept": _concept(system, code, _DRUG_TEXT.get(drug)),
            "effectivePeriod": period,
        }
        dosage = {}
        if _present(row.get("schedule")):
            dosage["timing"] = {"repeat": _TIMING[row["schedule"]]}
        if _present(row.get("dose")) and _present(row.get("dose_unit")):
            dosage["doseAndRate"] = [
                {"doseQuantity": _quantity(row["dose"], _DOSE_TO_UCUM[row["dose_unit"]])}
            ]
        if dosage:
            statement["dosage"] = [dosage]
        writer.add(statement)


def _biopsies(frame: pd.DataFrame, writer: _Writer) -> None:
    for row in frame.to_dict("records"):
        code = _HISTOLOGY_SNOMED.get(row["histology"])
        if code is None:
            writer.leave_out(f"biopsies with histology {row['histology']}")
            continue
        writer.add(
            {
                "resourceType": "DiagnosticReport",
                "status": "final",
                "code": {"text": "Kidney biopsy histology"},
                "subject": _subject(row["patient_id"]),
                "effectiveDateTime": _day(row["biopsy_date"]),
                "conclusionCode": [_concept(codes.SNOMED, code)],
            }
        )


#: events.event -> (resource type, SNOMED CT code, display), codes the importer reads back.
_EVENT_CODES = {
    "ckd": ("Condition", "709044004", "Chronic kidney disease"),
    "dialysis": ("Procedure", "265764009", "Renal dialysis (procedure)"),
    "transplant": ("Procedure", "70536003", "Transplant of kidney (procedure)"),
}


def _events(frame: pd.DataFrame, writer: _Writer) -> None:
    for row in frame.to_dict("records"):
        if row["event"] not in _EVENT_CODES:
            writer.leave_out(f"events {row['event']}")
            continue
        kind, code, display = _EVENT_CODES[row["event"]]
        date_field = "onsetDateTime" if kind == "Condition" else "performedDateTime"
        resource = {
            "resourceType": kind,
            "subject": _subject(row["patient_id"]),
            "code": _concept(codes.SNOMED, code, display),
            date_field: _day(row["date"]),
        }
        if kind == "Procedure":
            resource["status"] = "completed"
        writer.add(resource)


_PATIENT_FIELDS_LEFT_OUT = (
    "family_history_ns",
    "consanguinity",
    "consent_date",
    "assent_date",
    "consent_withdrawn_date",
    "hbv",
    "hcv",
    "syphilis",
    "hiv",
    "edema_at_onset",
    "hypertension_at_onset",
    "aki_at_onset",
    "hematuria_at_onset",
    "last_followup_date",
)


def fhir_bundle(tables: dict[str, pd.DataFrame]) -> tuple[dict, dict[str, int]]:
    """``(bundle, left_out)``: a FHIR R4 collection Bundle and a count of what it cannot carry."""
    writer = _Writer()
    _patients(tables.get("patients", pd.DataFrame(columns=["patient_id"])), writer)
    for name, convert in (
        ("biopsies", _biopsies),
        ("visits", _visits),
        ("labs", _labs),
        ("medications", _medications),
        ("events", _events),
    ):
        frame = tables.get(name)
        if frame is not None and not frame.empty:
            convert(frame, writer)
    patients = tables.get("patients")
    if patients is not None:
        for column in _PATIENT_FIELDS_LEFT_OUT:
            count = int(patients[column].notna().sum()) if column in patients.columns else 0
            if count:
                writer.left_out[f"patients.{column}"] = count
    if tables.get("genetics") is not None and not tables["genetics"].empty:
        writer.left_out["genetics"] = len(tables["genetics"])
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": writer.entries}
    return bundle, writer.left_out


def write_fhir_bundle(tables: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    """Write ``cohort.fhir.json`` (and ``not_in_fhir.csv`` if anything was left out)."""
    bundle, left_out = fhir_bundle({k: v for k, v in tables.items() if k != "analysis"})
    (Path(folder) / "cohort.fhir.json").write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    files = ["cohort.fhir.json"]
    if left_out:
        left = pd.DataFrame({"not_exported": list(left_out), "rows": list(left_out.values())})
        neutralise_frame(left).to_csv(Path(folder) / "not_in_fhir.csv", index=False)
        files.append("not_in_fhir.csv")
    return files
