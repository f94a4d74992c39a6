"""Medication courses from FHIR prescriptions: when each one ends, and its dose per day.

An EHR (and Synthea) writes a MedicationRequest when a drug is prescribed or
renewed: ``authoredOn`` and no end. Read as a course without an end, three
prednisolone renewals (60, 40, 20 mg/m2/day) would be three courses taken at
once. So, per patient and drug, each prescription ends at the earliest of:

- its own end (``dosageInstruction.timing.repeat.boundsPeriod.end``);
- the day before the next renewal of the same drug starts (a renewal
  supersedes the prescription before it);
- the end of ``dispenseRequest.validityPeriod`` or the last day covered by
  ``dispenseRequest.expectedSupplyDuration`` (start + duration - 1 day).

A stopped or completed prescription with none of these has ended on a day
nobody recorded; it is reported, not imported as ongoing. An active one is
imported as ongoing and counted as open-ended. MedicationStatements are
reports of what was taken over ``effectivePeriod``; they do not supersede
one another.

FHIR R4 (4.0.1) MedicationRequest: "authoredOn: the date (and perhaps time)
when the prescription was initially written or authored on";
"dispenseRequest.validityPeriod: this indicates the validity period of a
prescription (stale dating the Prescription)"; "expectedSupplyDuration:
identifies the period time over which the supplied product is expected to be
used, or the length of time the dispense is expected to last".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["Prescription", "courses", "duration_days"]

#: UCUM time units of a Duration -> days (UCUM: d = 24 h, wk = 7 d; mo and a are not
#: fixed lengths and are refused).
DAYS_PER_UNIT = {"d": 1.0, "wk": 7.0, "h": 1 / 24, "min": 1 / 1440}


@dataclass(frozen=True)
class Prescription:
    """One MedicationRequest or MedicationStatement for a drug of the data model."""

    kind: str
    patient: str
    drug: str
    start: dt.date
    origin: str
    #: The row's dose columns (dose, dose_unit, schedule), possibly empty.
    dose: dict = field(default_factory=dict)
    end: dt.date | None = None
    supply_end: dt.date | None = None
    stopped: bool = False
    status: str | None = None


def duration_days(duration) -> float | None:
    """Days in a FHIR Duration, or None when its unit is not a fixed length."""
    if duration is None or duration.value is None:
        return None
    factor = DAYS_PER_UNIT.get(duration.code or duration.unit or "")
    return None if factor is None else float(duration.value) * factor


def courses(prescriptions: list[Prescription]) -> tuple[list[tuple[str, dict]], list]:
    """Medication rows ``(origin, row)`` and what could not be a course ``(code, params)``.

    The reported items are ``("course_end_unknown", {...})`` for a stopped
    prescription without an end, and ``("course_open_ended", {...})`` for an
    active one imported as ongoing.
    """
    by_drug: dict[tuple[str, str], list[Prescription]] = defaultdict(list)
    rows: list[tuple[str, dict]] = []
    reports: list[tuple[str, dict]] = []
    for item in prescriptions:
        if item.kind == "MedicationRequest":
            by_drug[(item.patient, item.drug)].append(item)
        else:
            _add(item, item.end, rows, reports)
    for group in by_drug.values():
        group.sort(key=lambda item: item.start)
        starts = sorted({item.start for item in group})
        for item in group:
            later = [start for start in starts if start > item.start]
            ends = [item.end, item.supply_end]
            if later:
                ends.append(later[0] - dt.timedelta(days=1))
            known = [end for end in ends if end is not None]
            _add(item, min(known) if known else None, rows, reports)
    return rows, reports


def _add(item: Prescription, end, rows: list, reports: list) -> None:
    params = {"kind": item.kind, "drug": item.drug, "status": item.status or "unknown"}
    if end is None and item.stopped:
        reports.append(("course_end_unknown", params))
        return
    if end is None:
        reports.append(("course_open_ended", params))
    row = {
        "patient_id": item.patient,
        "drug": item.drug,
        "start_date": item.start.isoformat(),
        "end_date": None if end is None else end.isoformat(),
        **item.dose,
    }
    rows.append((item.origin, row))
