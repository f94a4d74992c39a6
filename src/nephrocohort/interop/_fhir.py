"""FHIR R4 import: a Bundle (JSON) or NDJSON of clinical resources -> a validated cohort bundle.

Resources are parsed with ``fhir.resources`` (its R4B models, the technical
correction of R4 with the same Patient, Observation, MedicationStatement,
MedicationRequest, Condition, Procedure and DiagnosticReport structure), then
mapped through the code tables of :mod:`nephrocohort.interop._fhir_codes`.
UCUM units are translated to the data contract's units, and the bundle
loader converts them to canonical units exactly as for a typed bundle.
Anything that cannot be mapped (an unknown code, a unit without a
conversion, a dose without a unit) is listed in ``ImportResult.skipped``
with how many times it occurred; nothing is guessed.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import _fhir_codes as codes
from nephrocohort.interop._bundle_io import write_validated_bundle
from nephrocohort.interop._errors import FileFormatError
from nephrocohort.interop._fhir_read import read_fhir_resources
from nephrocohort.interop._readers import ProgressCallback
from nephrocohort.interop._results import ImportResult

__all__ = ["MESSAGES", "SKIPPED", "import_fhir", "tables_from_fhir"]

_ORIGIN = "_origin"
_GRADE_NOTATION = {"0", "+/-", "1+", "2+", "3+", "4+"}
_MG_DL_NOTATION = {"negative", "trace", "30", "100", "300", "1000"}


# code -> (sentence, hint) for problems found before the bundle is validated, and
# code -> sentence for what is listed as not imported (STYLE.md 2.6: one dict per module).
MESSAGES: dict[str, tuple[str, str]] = {
    "partial_date": (
        "{where}: '{column}' is '{value}', a partial date ({precision} only). "
        "The data model needs a full date written YYYY-MM-DD.",
        "Record the full date in the source system, or enter it by hand in the imported bundle.",
    ),
    "conflicting_patient": (
        "{where}: Patient/{patient_id} appears {count} times with different content "
        "({fields} differ), so it is not known which one is right.",
        "Keep one Patient resource per id in the file (identical copies are merged), "
        "or give the other patient a different id.",
    ),
    "no_patients": ("{name} holds no Patient resources; nothing was imported.", ""),
}
SKIPPED: dict[str, str] = {
    "gender": "Patient gender '{gender}' has no code in the data model (M/F)",
    "dipstick_grade": "Dipstick protein (LOINC {loinc}) result not a known grade",
    "no_value": "Observation LOINC {loinc} without a numeric value",
    "lab_unit": "Observation LOINC {loinc} ({test}) in unit '{unit}', which has no conversion",
    "pressure_unit": "Blood pressure (LOINC {loinc}) in unit '{unit}' instead of mm[Hg]",
    "vital_unit": "{column} (LOINC {loinc}) in unit '{unit}', which has no conversion",
    "protein_24h": (
        "24-hour urine protein (LOINC {loinc}) in '{unit}': it needs the body surface area "
        "to become mg/m2/h, which the importer does not assume"
    ),
    "observation_unknown": "Observation {shown}: not a measurement of the data model",
    "mycophenolic_acid": (
        "Medication {shown}: mycophenolic acid without saying mofetil or sodium; "
        "add an RxNorm code or the product name"
    ),
    "drug_unknown": "Medication {shown}: not a drug of the data model",
    "medication_reference": "{kind} with a Medication reference instead of a code (not read)",
    "medication_without_start": "{kind} for {drug} without a start date",
    "dose_unit": "Dose of {drug} in unit '{unit}' (dose left empty)",
    "nephrotic_without_onset": "Nephrotic syndrome condition without an onset date",
    "ckd_without_date": "Chronic kidney disease condition without a date",
    "histology_condition": (
        "Histology given as a Condition without a biopsy report (record it on the biopsy)"
    ),
    "condition_unknown": "Condition {shown}: not a condition the data model records",
    "procedure_unknown": "Procedure {shown}: not a procedure the data model records",
    "report_without_histology": (
        "DiagnosticReport without a known histology code in conclusionCode"
    ),
    "report_without_date": "Histology report without a date",
    "unknown_subject": "{kind} whose subject is not a Patient in the file",
    "biopsy_without_histology": "Kidney biopsy without a histology result on the same date",
    "observation_without_date": "Observation without an effective date",
    "observation_partial_date": (
        "Observation with a partial effective date ({precision} only, e.g. '{value}'); "
        "a full date YYYY-MM-DD is needed"
    ),
    "histology_without_date": "Histology observation without a date",
    "histology_partial_date": (
        "Histology observation with a partial date ({precision} only, e.g. '{value}'); "
        "a full date YYYY-MM-DD is needed"
    ),
}


def _make_problem(code: str, *, column: str | None, value, **params):
    from nephrocohort.cohort.problems import Problem

    message, hint = MESSAGES[code]
    values = {"column": column, "value": value, **params}
    return Problem(
        code=code,
        table="patients",
        row=None,
        column=column,
        value=None if value is None else str(value),
        message=message.format(**values),
        hint=hint.format(**values),
        params=params,
    )


def _raw_date(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _date(value) -> str | None:
    text = _raw_date(value)
    if text is None:
        return None
    return text[:10] if len(text) >= 10 else None


def _precision(value) -> str | None:
    """``"year"`` or ``"year and month"`` for a FHIR partial date ("2014", "2014-03"), else None."""
    text = _raw_date(value)
    if text is None or len(text) >= 10:
        return None
    return "year" if len(text) == 4 else "year and month"


def _codings(concept) -> list:
    return list(getattr(concept, "coding", None) or []) if concept is not None else []


def _label(coding) -> str:
    display = f" ({coding.display})" if getattr(coding, "display", None) else ""
    return f"{coding.system or 'no system'}|{coding.code}{display}"


class _Collector:
    """Rows per table, plus what could not be used and why."""

    def __init__(self, source: str = "FHIR resources"):
        #: The file name, for messages.
        self.source = source
        self.patients: dict[str, dict] = {}
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.visits: dict[tuple[str, str], dict] = {}
        self.skipped: Counter = Counter()
        self.onsets: dict[str, list[str]] = defaultdict(list)
        self.biopsy_dates: dict[str, set[str]] = defaultdict(set)
        #: Problems found while reading, and the cells they are about (table, origin, column).
        self.problems: list = []
        self.flagged: set[tuple[str, str, str]] = set()
        self.copies: dict[str, list[dict]] = defaultdict(list)

        #: Where the resource being read sits in the file ("Observation/obs-12").
        self.current = ""

    def skip(self, code: str, **params) -> None:
        """Count one item not imported, described by ``SKIPPED[code]``."""
        self.skipped[SKIPPED[code].format(**params)] += 1

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append({**row, _ORIGIN: self.current})

    def visit(self, patient: str, date: str) -> dict:
        return self.visits.setdefault(
            (patient, date), {"patient_id": patient, "date": date, _ORIGIN: self.current}
        )


def _patient_ref(resource, aliases: dict[str, str]) -> str | None:
    subject = getattr(resource, "subject", None) or getattr(resource, "patient", None)
    reference = getattr(subject, "reference", None) if subject is not None else None
    if not reference:
        return None
    if reference in aliases:
        return aliases[reference]
    # Relative ("Patient/123") or absolute ("https://ehr.example/fhir/Patient/123") references.
    if "Patient/" in reference:
        return reference.rsplit("Patient/", 1)[1].split("/_history", 1)[0]
    return None


def _patient(resource, found: _Collector, center: str | None) -> None:
    sex = {"male": "M", "female": "F"}.get(resource.gender or "")
    if resource.gender and sex is None:
        found.skip("gender", gender=resource.gender)
    organisation = (
        getattr(resource.managingOrganization, "display", None)
        if resource.managingOrganization
        else None
    )
    row = {
        _ORIGIN: found.current,
        "patient_id": resource.id,
        "center": center or organisation,
        "sex": sex,
        "birth_date": _date(resource.birthDate),
        "death_date": _date(getattr(resource, "deceasedDateTime", None)),
    }
    found.copies[resource.id].append(row)
    if resource.id in found.patients:
        return  # the first copy is kept; conflicting copies are reported after reading
    found.patients[resource.id] = row
    for column, value in (
        ("birth_date", resource.birthDate),
        ("death_date", getattr(resource, "deceasedDateTime", None)),
    ):
        precision = _precision(value)
        if precision:
            found.flagged.add(("patients", found.current, column))
            found.problems.append(
                _make_problem(
                    "partial_date",
                    column=column,
                    value=_raw_date(value),
                    where=f"{found.source}, {found.current}",
                    precision=precision,
                )
            )


def _conflicting_patients(found: _Collector) -> None:
    """Report ids whose Patient copies differ; identical copies are one patient."""
    for patient_id, copies in found.copies.items():
        if len(copies) < 2:
            continue
        fields = sorted(
            {
                column
                for copy in copies[1:]
                for column, value in copy.items()
                if column != _ORIGIN and value != copies[0].get(column)
            }
        )
        if fields:
            found.problems.append(
                _make_problem(
                    "conflicting_patient",
                    column="patient_id",
                    value=patient_id,
                    where=found.source,
                    patient_id=patient_id,
                    count=len(copies),
                    fields=", ".join(fields),
                )
            )


def _observation_date(resource) -> str | None:
    if resource.effectiveDateTime is not None:
        return _date(resource.effectiveDateTime)
    if resource.effectivePeriod is not None:
        return _date(resource.effectivePeriod.start)
    return None


def _histology(concept) -> str | None:
    for coding in _codings(concept):
        if coding.system == codes.SNOMED and coding.code in codes.HISTOLOGY_CODES:
            return codes.HISTOLOGY_CODES[coding.code]
    return None


def _dipstick_text(resource) -> str | None:
    if resource.valueString:
        return resource.valueString.strip().lower()
    concept = resource.valueCodeableConcept
    if concept is not None:
        texts = [concept.text] + [c.display for c in _codings(concept)]
        for text in texts:
            if text and (text.strip().lower() in _GRADE_NOTATION | _MG_DL_NOTATION):
                return text.strip().lower()
    return None


def _lab(resource, test: str, patient: str, date: str, found: _Collector, loinc: str) -> None:
    if test == "dipstick_protein" and resource.valueQuantity is None:
        grade = _dipstick_text(resource)
        if grade is None:
            found.skip("dipstick_grade", loinc=loinc)
            return
        # The bundle loader reads both notations (negative ... 1000 and 0, +/-, 1+ ... 4+) with mg/dL.
        found.add(
            "labs",
            {"patient_id": patient, "date": date, "test": test, "value": grade, "unit": "mg/dL"},
        )
        return
    quantity = resource.valueQuantity
    if quantity is None or quantity.value is None:
        found.skip("no_value", loinc=loinc)
        return
    ucum = quantity.code or quantity.unit
    unit = codes.LAB_UNITS.get(ucum or "")
    if unit is None:
        found.skip("lab_unit", loinc=loinc, test=test, unit=ucum)
        return
    found.add(
        "labs",
        {
            "patient_id": patient,
            "date": date,
            "test": test,
            "value": float(quantity.value),
            "unit": unit,
        },
    )


def _vital(column: str, quantity, patient: str, date: str, found: _Collector, loinc: str) -> None:
    if quantity is None or quantity.value is None:
        found.skip("no_value", loinc=loinc)
        return
    ucum = quantity.code or quantity.unit or ""
    factors = {"weight_kg": codes.WEIGHT_KG_FACTORS, "height_cm": codes.HEIGHT_CM_FACTORS}.get(
        column
    )
    if factors is None:  # blood pressure
        if ucum != "mm[Hg]":
            found.skip("pressure_unit", loinc=loinc, unit=ucum)
            return
        factor = 1.0
    elif ucum not in factors:
        found.skip("vital_unit", column=column, loinc=loinc, unit=ucum)
        return
    else:
        factor = factors[ucum]
    found.visit(patient, date)[column] = float(quantity.value) * factor


def _undated(resource, found: _Collector, what: str) -> None:
    """Skip an observation without a usable date, saying when the date is only partial."""
    value = resource.effectiveDateTime
    if value is None and resource.effectivePeriod is not None:
        value = resource.effectivePeriod.start
    precision = _precision(value)
    if precision:
        found.skip(f"{what}_partial_date", precision=precision, value=_raw_date(value))
    else:
        found.skip(f"{what}_without_date")


def _observation(resource, patient: str, found: _Collector) -> None:
    date = _observation_date(resource)
    histology = _histology(resource.valueCodeableConcept)
    if histology:
        if date is None:
            _undated(resource, found, "histology")
            return
        found.add("biopsies", {"patient_id": patient, "biopsy_date": date, "histology": histology})
        return
    loincs = [c.code for c in _codings(resource.code) if c.system == codes.LOINC]
    if date is None:
        _undated(resource, found, "observation")
        return
    for loinc in loincs:
        if loinc in codes.LAB_CODES:
            _lab(resource, codes.LAB_CODES[loinc], patient, date, found, loinc)
            return
        if loinc in codes.VITAL_CODES:
            _vital(codes.VITAL_CODES[loinc], resource.valueQuantity, patient, date, found, loinc)
            return
        if loinc in (codes.SBP, codes.DBP):
            column = "sbp_mmhg" if loinc == codes.SBP else "dbp_mmhg"
            _vital(column, resource.valueQuantity, patient, date, found, loinc)
            return
        if loinc == codes.BP_PANEL:
            for component in resource.component or []:
                parts = [c.code for c in _codings(component.code) if c.system == codes.LOINC]
                if codes.SBP in parts:
                    _vital("sbp_mmhg", component.valueQuantity, patient, date, found, codes.SBP)
                elif codes.DBP in parts:
                    _vital("dbp_mmhg", component.valueQuantity, patient, date, found, codes.DBP)
            return
        if loinc == codes.TIMED_PROTEIN:
            quantity = resource.valueQuantity
            ucum = (quantity.code or quantity.unit) if quantity is not None else None
            unit = codes.LAB_UNITS.get(ucum or "")
            if unit in ("mg/m2/h", "mg/m2/day"):
                found.add(
                    "labs",
                    {
                        "patient_id": patient,
                        "date": date,
                        "test": "urine_protein_timed",
                        "value": float(quantity.value),
                        "unit": unit,
                    },
                )
            else:
                found.skip("protein_24h", loinc=loinc, unit=ucum)
            return
    shown = _label(_codings(resource.code)[0]) if _codings(resource.code) else "without a code"
    found.skip("observation_unknown", shown=shown)


def _drug(concept, found: _Collector) -> str | None:
    known = [c for c in _codings(concept)]
    for coding in known:
        drug = codes.DRUG_CODES.get((coding.system, coding.code))
        if drug:
            return drug
    for coding in known:
        if (coding.system, coding.code) in codes.MYCOPHENOLIC_ACID_CODES:
            text = " ".join(
                filter(None, [getattr(concept, "text", None), *[c.display for c in known]])
            ).lower()
            if "mofetil" in text:
                return "mmf"
            if "sodium" in text or "sódico" in text or "sodico" in text:
                return "mycophenolate_sodium"
            found.skip("mycophenolic_acid", shown=_label(coding))
            return None
    shown = _label(known[0]) if known else (getattr(concept, "text", None) or "without a code")
    found.skip("drug_unknown", shown=shown)
    return None


def _schedule(timing) -> str | None:
    repeat = getattr(timing, "repeat", None) if timing is not None else None
    if repeat is None:
        return None
    if repeat.count == 1:
        return "single"
    frequency, period, unit = repeat.frequency or 1, repeat.period, repeat.periodUnit
    if unit == "d" and period in (1, 1.0):
        return {1: "daily", 2: "bid"}.get(int(frequency))
    if unit == "d" and period in (2, 2.0) and frequency == 1:
        return "alternate_day"
    return None


def _medication(resource, kind: str, patient: str, found: _Collector) -> None:
    concept = resource.medicationCodeableConcept
    if concept is None:
        found.skip("medication_reference", kind=kind)
        return
    drug = _drug(concept, found)
    if drug is None:
        return
    dosages = (
        resource.dosage if kind == "MedicationStatement" else resource.dosageInstruction
    ) or []
    start = end = None
    if kind == "MedicationStatement":
        if resource.effectivePeriod is not None:
            start, end = _date(resource.effectivePeriod.start), _date(resource.effectivePeriod.end)
        else:
            start = _date(resource.effectiveDateTime)
    else:
        bounds = (
            getattr(getattr(dosages[0].timing, "repeat", None), "boundsPeriod", None)
            if dosages and dosages[0].timing
            else None
        )
        if bounds is not None:
            start, end = _date(bounds.start), _date(bounds.end)
        start = start or _date(resource.authoredOn)
    if start is None:
        found.skip("medication_without_start", kind=kind, drug=drug)
        return
    row = {"patient_id": patient, "drug": drug, "start_date": start, "end_date": end}
    if dosages:
        dosage = dosages[0]
        row["schedule"] = _schedule(dosage.timing)
        rates = dosage.doseAndRate or []
        quantity = rates[0].doseQuantity if rates else None
        if quantity is not None and quantity.value is not None:
            unit = codes.DOSE_UNITS.get(quantity.code or quantity.unit or "")
            if unit is None:
                found.skip("dose_unit", drug=drug, unit=quantity.code or quantity.unit)
            else:
                row["dose"], row["dose_unit"] = float(quantity.value), unit
    found.add("medications", row)


def _condition(resource, patient: str, found: _Collector) -> None:
    snomed = [c.code for c in _codings(resource.code) if c.system == codes.SNOMED]
    onset = _date(getattr(resource, "onsetDateTime", None)) or _date(resource.recordedDate)
    if set(snomed) & codes.NEPHROTIC_SYNDROME_CODES:
        if onset:
            found.onsets[patient].append(onset)
        else:
            found.skip("nephrotic_without_onset")
        return
    if set(snomed) & codes.CKD_CODES:
        if onset:
            found.add("events", {"patient_id": patient, "date": onset, "event": "ckd"})
        else:
            found.skip("ckd_without_date")
        return
    histology = _histology(resource.code)
    if histology:
        found.skip("histology_condition")
        return
    shown = _label(_codings(resource.code)[0]) if _codings(resource.code) else "without a code"
    found.skip("condition_unknown", shown=shown)


def _procedure(resource, patient: str, found: _Collector) -> None:
    snomed = {c.code for c in _codings(resource.code) if c.system == codes.SNOMED}
    if snomed & codes.KIDNEY_BIOPSY_CODES:
        date = _date(getattr(resource, "performedDateTime", None))
        if date is None and getattr(resource, "performedPeriod", None) is not None:
            date = _date(resource.performedPeriod.start)
        if date:
            found.biopsy_dates[patient].add(date)
        return
    shown = _label(_codings(resource.code)[0]) if _codings(resource.code) else "without a code"
    found.skip("procedure_unknown", shown=shown)


def _report(resource, patient: str, found: _Collector) -> None:
    histologies = [h for h in (_histology(c) for c in resource.conclusionCode or []) if h]
    if not histologies:
        found.skip("report_without_histology")
        return
    date = _date(resource.effectiveDateTime) or (
        _date(resource.effectivePeriod.start) if resource.effectivePeriod else None
    )
    if date is None:
        found.skip("report_without_date")
        return
    found.add("biopsies", {"patient_id": patient, "biopsy_date": date, "histology": histologies[0]})


def tables_from_fhir(
    resources, *, center: str | None = None
) -> tuple[dict[str, pd.DataFrame], tuple[str, ...]]:
    """Bundle tables (text) from parsed resources, and the list of what was not imported.

    Raises :class:`CohortValidationError` for conflicting copies of a Patient
    or a partial birth or death date.
    """
    tables, skipped, _, found = _tables_and_origins(resources, center=center)
    if found.problems:
        raise CohortValidationError(found.problems, source="FHIR resources")
    return tables, skipped


def _tables_and_origins(resources, *, center: str | None, source: str = "FHIR resources"):
    """Tables, skipped items, per table the resource each row came from, and the collector."""
    found = _Collector(source)
    aliases: dict[str, str] = {}
    items = [(None, r) if not isinstance(r, tuple) else r for r in resources]
    for full_url, resource in items:
        if resource.get_resource_type() == "Patient":
            found.current = f"Patient/{resource.id}"
            _patient(resource, found, center)
            aliases[f"Patient/{resource.id}"] = resource.id
            if full_url:
                aliases[full_url] = resource.id
    for full_url, resource in items:
        kind = resource.get_resource_type()
        if kind == "Patient":
            continue
        found.current = f"{kind}/{resource.id}" if resource.id else (full_url or kind)
        patient = _patient_ref(resource, aliases)
        if patient is None or patient not in found.patients:
            found.skip("unknown_subject", kind=kind)
            continue
        if kind == "Observation":
            _observation(resource, patient, found)
        elif kind in ("MedicationStatement", "MedicationRequest"):
            _medication(resource, kind, patient, found)
        elif kind == "Condition":
            _condition(resource, patient, found)
        elif kind == "Procedure":
            _procedure(resource, patient, found)
        elif kind == "DiagnosticReport":
            _report(resource, patient, found)
    _conflicting_patients(found)
    for patient, dates in found.onsets.items():
        found.patients[patient]["onset_date"] = min(dates)
    with_histology = {(r["patient_id"], r["biopsy_date"]) for r in found.rows["biopsies"]}
    for patient, dates in found.biopsy_dates.items():
        for date in dates:
            if (patient, date) not in with_histology:
                found.skip("biopsy_without_histology")
    tables: dict[str, pd.DataFrame] = {}
    origins: dict[str, list[str]] = {}
    groups = {"patients": list(found.patients.values()), "visits": list(found.visits.values())}
    groups.update(found.rows)
    for name, rows in groups.items():
        if not rows and name != "patients":
            continue
        frame = pd.DataFrame(rows, columns=None if rows else ["patient_id", _ORIGIN])
        frame = frame.drop_duplicates(subset=[c for c in frame.columns if c != _ORIGIN])
        origins[name] = frame[_ORIGIN].tolist()
        tables[name] = frame.drop(columns=_ORIGIN).reset_index(drop=True)
    skipped = tuple(f"{reason} (x{count})" for reason, count in sorted(found.skipped.items()))
    return tables, skipped, origins, found


def import_fhir(
    path: Path | str,
    out: Path | str,
    *,
    center: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a FHIR R4 Bundle or NDJSON file into a validated bundle folder at ``out``.

    ``center`` names the treating center for every patient (otherwise
    Patient.managingOrganization.display). Nothing is written unless the
    converted bundle validates; resources or codes that could not be used are
    listed in the result's ``skipped``.
    """
    resources, ignored = read_fhir_resources(path, progress=progress)
    name = Path(path).name
    tables, skipped, origins, found = _tables_and_origins(resources, center=center, source=name)
    if tables["patients"].empty:
        raise FileFormatError(MESSAGES["no_patients"][0].format(name=name))
    # Cells already reported (a partial date) are not reported again by the bundle validator.
    flagged = {
        (table, position + 2, column)
        for table, rows in origins.items()
        for position, origin in enumerate(rows)
        for flagged_table, flagged_origin, column in found.flagged
        if flagged_table == table and flagged_origin == origin
    }
    early = found.problems
    origins = {table: [f"{name}, {origin}" for origin in rows] for table, rows in origins.items()}
    with tempfile.TemporaryDirectory() as scratch:
        # With problems already found, the bundle is only checked (in scratch), never written.
        target = Path(scratch) / "check" if early else out
        try:
            cohort = write_validated_bundle(tables, target, source=name, origins=origins)
        except CohortValidationError as error:
            later = [
                problem
                for problem in error.problems
                if ((problem.table or "").removesuffix(".csv"), problem.row, problem.column)
                not in flagged
            ]
            raise CohortValidationError(early + later, source=name) from None
    if early:
        raise CohortValidationError(early, source=name)
    notes = tuple(
        f"{count} {kind} resource(s) are not read by this importer"
        for kind, count in sorted(ignored.items())
    )
    return ImportResult(Path(out), cohort.row_counts(), notes, skipped)
