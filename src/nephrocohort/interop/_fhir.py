"""FHIR R4 import: a Bundle, NDJSON or a bulk-export folder -> a validated cohort bundle.

Resources are parsed with ``fhir.resources`` (its R4B models, the technical
correction of R4 with the same Patient, Observation, MedicationStatement,
MedicationRequest, Condition, Procedure and DiagnosticReport structure), then
mapped through the code tables of :mod:`nephrocohort.interop._fhir_codes`.
A resource whose status says it did not happen (entered-in-error,
cancelled, not-done, a refuted Condition) is not imported
(:mod:`~nephrocohort.interop._fhir_status`); prescriptions become courses
that end at the next renewal (:mod:`~nephrocohort.interop._fhir_courses`).
Anything that cannot be mapped is listed in ``ImportResult.not_imported``
with a reason code and how many times it occurred; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import _fhir_codes as codes
from nephrocohort.interop._bundle_io import validated_cohort, write_validated_bundle
from nephrocohort.interop._errors import FileFormatError
from nephrocohort.interop._fhir_collect import ORIGIN, Collector
from nephrocohort.interop._fhir_courses import Prescription, courses, duration_days
from nephrocohort.interop._fhir_dose import days_given, dose_of
from nephrocohort.interop._fhir_fields import codings, day, first_label, label, precision, raw_date
from nephrocohort.interop._fhir_observations import histology_of, observation
from nephrocohort.interop._fhir_read import FhirSource
from nephrocohort.interop._fhir_status import STOPPED, not_happened
from nephrocohort.interop._readers import ProgressCallback
from nephrocohort.interop._results import ImportResult
from nephrocohort.messages import render_text

__all__ = ["import_fhir", "tables_from_fhir"]

#: The FHIR R4 core extension that makes a Patient an animal ("patient-animal").
ANIMAL_EXTENSION = "http://hl7.org/fhir/StructureDefinition/patient-animal"


def _make_problem(code: str, *, column: str | None, value, **params):
    from nephrocohort.cohort.problems import make_problem

    return make_problem(
        code,
        source=params.get("where"),
        table="patients",
        column=column,
        value=value,
        **params,
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


def _animal_species(resource) -> str | None:
    """The species text when the Patient carries the patient-animal extension, else None."""
    for extension in resource.extension or []:
        if extension.url != ANIMAL_EXTENSION:
            continue
        for part in extension.extension or []:
            if part.url == "species" and part.valueCodeableConcept is not None:
                concept = part.valueCodeableConcept
                shown = [c.display or c.code for c in codings(concept)] or [concept.text]
                return f", species {shown[0]}" if shown[0] else ""
        return ""
    return None


def _patient(resource, found: Collector, center: str | None) -> bool:
    """Record one Patient; False (with a problem) when it cannot be a patient of the cohort."""
    where = f"{found.source}, {found.current}"
    if not resource.id:
        found.problems.append(
            _make_problem("fhir.patient_without_id", column="patient_id", value=None, where=where)
        )
        return False
    species = _animal_species(resource)
    if species is not None:
        found.problems.append(
            _make_problem(
                "fhir.animal_patient",
                column="patient_id",
                value=resource.id,
                where=where,
                patient_id=resource.id,
                species=species,
            )
        )
        return False
    sex = {"male": "M", "female": "F"}.get(resource.gender or "")
    if resource.gender and sex is None:
        found.skip("gender", gender=resource.gender)
    organisation = (
        getattr(resource.managingOrganization, "display", None)
        if resource.managingOrganization
        else None
    )
    deceased = getattr(resource, "deceasedDateTime", None)
    if deceased is None and getattr(resource, "deceasedBoolean", None):
        found.skip("deceased_without_date")
    row = {
        ORIGIN: found.current,
        "patient_id": resource.id,
        "center": center or organisation,
        "sex": sex,
        "birth_date": day(resource.birthDate),
        "death_date": day(deceased),
    }
    found.copies[resource.id].append(row)
    if resource.id in found.patients:
        return True  # the first copy is kept; conflicting copies are reported after reading
    found.patients[resource.id] = row
    for column, value in (("birth_date", resource.birthDate), ("death_date", deceased)):
        partial = precision(value)
        if partial:
            found.flagged.add(("patients", found.current, column))
            found.problems.append(
                _make_problem(
                    "fhir.partial_date",
                    column=column,
                    value=raw_date(value),
                    where=where,
                    precision=partial,
                )
            )
    return True


def _conflicting_patients(found: Collector) -> None:
    """Report ids whose Patient copies differ; identical copies are one patient."""
    for patient_id, copies in found.copies.items():
        if len(copies) < 2:
            continue
        fields = sorted(
            {
                column
                for copy in copies[1:]
                for column, value in copy.items()
                if column != ORIGIN and value != copies[0].get(column)
            }
        )
        if fields:
            found.problems.append(
                _make_problem(
                    "fhir.conflicting_patient",
                    column="patient_id",
                    value=patient_id,
                    where=found.source,
                    patient_id=patient_id,
                    count=len(copies),
                    fields=", ".join(fields),
                )
            )


def _drug(concept, found: Collector) -> str | None:
    known = codings(concept)
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
            found.skip("mycophenolic_acid", shown=label(coding))
            return None
    found.skip("drug_unknown", shown=first_label(concept))
    return None


def _as_date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _request_dates(resource, dosages) -> tuple[str | None, str | None, dt.date | None]:
    """(start, explicit end, end of supply) of a MedicationRequest."""
    start = end = None
    repeat = getattr(dosages[0].timing, "repeat", None) if dosages and dosages[0].timing else None
    bounds = getattr(repeat, "boundsPeriod", None) if repeat is not None else None
    if bounds is not None:
        start, end = day(bounds.start), day(bounds.end)
    start = start or day(resource.authoredOn)
    supply_end = None
    dispense = resource.dispenseRequest
    if dispense is not None and start is not None:
        first = _as_date(start)
        validity = dispense.validityPeriod
        if validity is not None and day(validity.end):
            supply_end = _as_date(day(validity.end))
        days = duration_days(dispense.expectedSupplyDuration)
        if days is not None and days >= 1:
            covered = first + dt.timedelta(days=int(days) - 1)
            supply_end = covered if supply_end is None else min(supply_end, covered)
    return start, end, supply_end


def _medication(resource, kind: str, patient: str, found: Collector) -> None:
    concept = resource.medicationCodeableConcept
    if concept is None:
        found.skip("medication_reference", kind=kind)
        return
    drug = _drug(concept, found)
    if drug is None:
        return
    if kind == "MedicationStatement":
        dosages = resource.dosage or []
        supply_end = None
        if resource.effectivePeriod is not None:
            start, end = day(resource.effectivePeriod.start), day(resource.effectivePeriod.end)
        else:
            start, end = day(resource.effectiveDateTime), None
    else:
        dosages = resource.dosageInstruction or []
        start, end, supply_end = _request_dates(resource, dosages)
    if start is None:
        found.skip("medication_without_start", kind=kind, drug=drug)
        return
    dose: dict = {}
    if dosages:
        dose, problem = dose_of(dosages[0], drug)
        if problem:
            found.skip(problem[0], **problem[1])
        days = days_given(dosages[0])
        if end is None and days is not None:
            end = (_as_date(start) + dt.timedelta(days=days - 1)).isoformat()
    found.prescriptions.append(
        Prescription(
            kind=kind,
            patient=patient,
            drug=drug,
            start=_as_date(start),
            origin=found.current,
            dose=dose,
            end=_as_date(end),
            supply_end=supply_end,
            stopped=resource.status in STOPPED,
            status=resource.status,
        )
    )


def _onset(resource) -> str | None:
    return day(getattr(resource, "onsetDateTime", None)) or day(resource.recordedDate)


def _condition(resource, patient: str, found: Collector) -> None:
    snomed = [c.code for c in codings(resource.code) if c.system == codes.SNOMED]
    if set(snomed) & codes.NEPHROTIC_SYNDROME_CODES:
        onset = _onset(resource)
        if onset:
            found.onsets[patient].append(onset)
        else:
            found.skip("nephrotic_without_onset")
        return
    events = [codes.KIDNEY_EVENT_CODES[code] for code in snomed if code in codes.KIDNEY_EVENT_CODES]
    if events:
        _event(events[0], _onset(resource), patient, found, "Condition")
        return
    if histology_of(resource.code):
        found.skip("histology_condition")
        return
    if _kidney_not_event(snomed, "Condition", resource, found):
        return
    found.skip("condition_unknown", shown=first_label(resource.code))


def _kidney_not_event(snomed: list[str], kind: str, resource, found: Collector) -> bool:
    """A kidney code that is not an event (a waiting list, a rejection): listed apart."""
    reasons = [codes.KIDNEY_NOT_EVENT_CODES[c] for c in snomed if c in codes.KIDNEY_NOT_EVENT_CODES]
    if reasons:
        found.skip(reasons[0], kind=kind, shown=first_label(resource.code))
    return bool(reasons)


def _event(event: str, date: str | None, patient: str, found: Collector, kind: str) -> None:
    if date:
        found.add("events", {"patient_id": patient, "date": date, "event": event})
    else:
        found.skip("event_without_date", kind=kind, event=event)


def _procedure(resource, patient: str, found: Collector) -> None:
    snomed = [c.code for c in codings(resource.code) if c.system == codes.SNOMED]
    date = day(getattr(resource, "performedDateTime", None))
    if date is None and getattr(resource, "performedPeriod", None) is not None:
        date = day(resource.performedPeriod.start)
    if set(snomed) & codes.KIDNEY_BIOPSY_CODES:
        if date:
            found.biopsy_dates[patient].add(date)
        return
    events = [codes.KIDNEY_EVENT_CODES[code] for code in snomed if code in codes.KIDNEY_EVENT_CODES]
    if events:
        _event(events[0], date, patient, found, "Procedure")
        return
    if _kidney_not_event(snomed, "Procedure", resource, found):
        return
    found.skip("procedure_unknown", shown=first_label(resource.code))


def _report(resource, patient: str, found: Collector) -> None:
    histologies = [h for h in (histology_of(c) for c in resource.conclusionCode or []) if h]
    if not histologies:
        found.skip("report_without_histology")
        return
    date = day(resource.effectiveDateTime) or (
        day(resource.effectivePeriod.start) if resource.effectivePeriod else None
    )
    if date is None:
        found.skip("report_without_date")
        return
    found.add("biopsies", {"patient_id": patient, "biopsy_date": date, "histology": histologies[0]})


_READERS = {
    "Observation": observation,
    "MedicationStatement": lambda r, p, f: _medication(r, "MedicationStatement", p, f),
    "MedicationRequest": lambda r, p, f: _medication(r, "MedicationRequest", p, f),
    "Condition": _condition,
    "Procedure": _procedure,
    "DiagnosticReport": _report,
}


def tables_from_fhir(
    resources, *, center: str | None = None
) -> tuple[dict[str, pd.DataFrame], tuple[str, ...]]:
    """Bundle tables (text) from parsed resources, and the list of what was not imported.

    Raises :class:`CohortValidationError` for conflicting copies of a Patient,
    a Patient without id or an animal, or a partial birth or death date.
    """
    items = list(_items(resources))
    patients = [item for item in items if item[2].get_resource_type() == "Patient"]
    others = [item for item in items if item[2].get_resource_type() != "Patient"]
    tables, _, found = _tables_and_origins(patients, others, center=center)
    if found.problems:
        raise CohortValidationError(found.problems, source="FHIR resources")
    return tables, tuple(str(item) for item in found.not_imported())


def _where(kind, resource, full_url: str | None, position: str | None, folder: bool) -> str:
    """Where a resource is, for messages: "Observation/obs-1", in a folder with its file."""
    if resource.id:
        place = f"{kind}/{resource.id}"
        if folder and position:
            place = f"{position.split(', ')[0]}, {place}"
        return place
    if position:
        # The file is named once: by the source for one file, here for a folder's files.
        place = position if folder else position.split(", ", 1)[-1]
        return f"{place} ({full_url})" if full_url else place
    return full_url or kind


def _items(resources):
    """(full_url, position, resource) from resources or (full_url, resource[, position])."""
    for item in resources:
        if not isinstance(item, tuple):
            yield None, None, item
        elif len(item) == 3:
            yield item
        else:
            yield item[0], None, item[1]


def _tables_and_origins(
    patients, others, *, center: str | None, source: str = "FHIR resources", folder: bool = False
):
    """Tables, per table the resource each row came from, and the collector.

    ``patients`` and ``others`` are iterables of (full_url, position, resource):
    the Patients first, then the resources that refer to them (each is
    mapped and dropped, so a stream stays a stream).
    """
    found = Collector(source)
    aliases: dict[str, str] = {}
    for full_url, position, resource in patients:
        kind = resource.get_resource_type()
        found.current = _where(kind, resource, full_url, position, folder)
        if _patient(resource, found, center):
            aliases[f"Patient/{resource.id}"] = resource.id
            if full_url:
                aliases[full_url] = resource.id
    for full_url, position, resource in others:
        kind = resource.get_resource_type()
        found.current = _where(kind, resource, full_url, position, folder)
        reason = not_happened(kind, resource)
        if reason is not None:
            found.skip(reason[0], **reason[1])
            continue
        patient = _patient_ref(resource, aliases)
        if patient is None or patient not in found.patients:
            found.skip("unknown_subject", kind=kind)
            continue
        _READERS[kind](resource, patient, found)
    _conflicting_patients(found)
    _finish(found)
    return _frames(found), found.origins, found


def _finish(found: Collector) -> None:
    """Onsets, medication courses and biopsies without histology, once everything is read."""
    for patient, dates in found.onsets.items():
        found.patients[patient]["onset_date"] = min(dates)
    rows, reports = courses(found.prescriptions)
    for origin, row in rows:
        found.rows["medications"].append({**row, ORIGIN: origin})
    for code, params in reports:
        if code == "course_open_ended":
            found.notes[tuple(sorted(params.items()))] += 1
        else:
            found.skip(code, **params)
    with_histology = {(r["patient_id"], r["biopsy_date"]) for r in found.rows["biopsies"]}
    for patient, dates in found.biopsy_dates.items():
        for date in dates:
            if (patient, date) not in with_histology:
                found.skip("biopsy_without_histology")


def _frames(found: Collector) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    found.origins = {}
    visits = [
        {**visit, ORIGIN: {None: visit[ORIGIN], **found.visit_origins.get(key, {})}}
        for key, visit in found.visits.items()
    ]
    groups = {"patients": list(found.patients.values()), "visits": visits}
    groups.update(found.rows)
    for name, rows in groups.items():
        if not rows and name != "patients":
            continue
        frame = pd.DataFrame(rows, columns=None if rows else ["patient_id", ORIGIN])
        if name != "visits":
            frame = frame.drop_duplicates(subset=[c for c in frame.columns if c != ORIGIN])
        found.origins[name] = frame[ORIGIN].tolist()
        tables[name] = frame.drop(columns=ORIGIN).reset_index(drop=True)
    return tables


def _notes(found: Collector, files: FhirSource) -> tuple[str, ...]:
    notes = [render_text("fhir.unread_file", name=name) for name in files.unread]
    notes += [
        render_text("fhir.not_read", count=count, kind=kind)
        for kind, count in sorted(files.ignored.items())
    ]
    if files.empty_entries:
        notes.append(render_text("fhir.empty_entries", count=files.empty_entries))
    for params, count in sorted(found.notes.items()):
        notes.append(render_text("fhir.open_ended", count=count, **dict(params)))
    return tuple(notes)


def _placed(origin, name: str):
    if isinstance(origin, dict):
        return {column: f"{name}, {place}" for column, place in origin.items()}
    return f"{name}, {origin}"


def import_fhir(
    path: Path | str,
    out: Path | str,
    *,
    center: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a FHIR R4 Bundle, NDJSON file or bulk-export folder into a bundle at ``out``.

    ``center`` names the treating center for every patient (otherwise
    Patient.managingOrganization.display). Nothing is written unless the
    converted bundle validates; resources or codes that could not be used are
    listed in the result's ``not_imported`` (and, as sentences, ``skipped``).
    """
    files = FhirSource(path, progress=progress)
    name = Path(path).name
    tables, origins, found = _tables_and_origins(
        files.patients(), files.others(), center=center, source=name, folder=files.path.is_dir()
    )
    if tables["patients"].empty and not found.problems:
        raise FileFormatError("fhir.no_patients", name=name)
    # Cells already reported (a partial date) are not reported again by the bundle validator.
    flagged = {(table, _placed(origin, name), column) for table, origin, column in found.flagged}
    early = found.problems
    if early and tables["patients"].empty:
        raise CohortValidationError(early, source=name)
    origins = {table: [_placed(origin, name) for origin in rows] for table, rows in origins.items()}
    try:
        if early:
            # With problems already found, the tables are only checked (in memory), never written.
            validated_cohort(tables, source=name, origins=origins)
        else:
            cohort = write_validated_bundle(tables, out, source=name, origins=origins)
    except CohortValidationError as error:
        later = [
            problem
            for problem in error.problems
            if (problem.table, problem.source, problem.column) not in flagged
        ]
        raise CohortValidationError(early + later, source=name) from None
    if early:
        raise CohortValidationError(early, source=name)
    not_imported = found.not_imported()
    return ImportResult(
        Path(out),
        cohort.row_counts(),
        _notes(found, files),
        tuple(str(item) for item in not_imported),
        not_imported,
    )
