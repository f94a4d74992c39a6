"""What the FHIR importer gathers while reading: rows per table, and what it did not import.

Every item not imported is a reason code with parameters, counted; the
sentence is written from ``MESSAGES`` only when shown. Each code belongs to a
group, so the summary can put what the data model could have used (a kidney
outcome without a date, a lab in a unit without a conversion) apart from
what it does not record at all (an employment status, a vaccine).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from nephrocohort.interop._results import NotImported

__all__ = ["Collector", "MESSAGES", "GROUPS", "ORIGIN"]

ORIGIN = "_origin"

# code -> sentence (STYLE.md 2.6): what was not imported, and why.
MESSAGES: dict[str, str] = {
    "status": "{kind} with status '{status}' (it did not happen as recorded)",
    "verification": "Condition with verificationStatus '{verification}'",
    "gender": "Patient gender '{gender}' has no code in the data model (M/F)",
    "dipstick_grade": "Dipstick protein (LOINC {loinc}) result not a known grade",
    "no_value": "Observation LOINC {loinc} without a numeric value",
    "censored": (
        "Observation LOINC {loinc} ({test}) with a censored value ('{comparator}' before the "
        "number): the data model stores exact values only, so it is not imported"
    ),
    "lab_unit": "Observation LOINC {loinc} ({test}) in unit '{unit}', which has no conversion",
    "pressure_unit": "Blood pressure (LOINC {loinc}) in unit '{unit}' instead of mm[Hg]",
    "vital_unit": "{column} (LOINC {loinc}) in unit '{unit}', which has no conversion",
    "vital_same_day": (
        "A second {column} on the same day with a different value ({resource}); the first "
        "one of the day ({kept}) is kept"
    ),
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
    "course_end_unknown": (
        "{kind} for {drug} with status '{status}' but no end date, no later renewal and no "
        "supply duration: the course ended on a day the record does not give"
    ),
    "dose_unit": "Dose of {drug} in unit '{unit}' (dose left empty)",
    "nephrotic_without_onset": "Nephrotic syndrome condition without an onset date",
    "event_without_date": "{kind} for the event '{event}' without a date",
    "deceased_without_date": (
        "Patient marked deceased (deceasedBoolean) without a date of death; "
        "the data model needs the date"
    ),
    "histology_condition": (
        "Histology given as a Condition without a biopsy report (record it on the biopsy)"
    ),
    "kidney_waiting": (
        "{kind} {shown}: a place on the kidney transplant waiting list, not a transplant "
        "(the transplant is an event when its Procedure or 'History of renal transplant' "
        "is in the export)"
    ),
    "kidney_rejection": (
        "{kind} {shown}: a transplant rejection; the data model records the transplant "
        "(its Procedure), and has no event for a rejection"
    ),
    "kidney_regime": (
        "{kind} {shown}: the care after a kidney transplant, not the transplant (the "
        "transplant is its own Procedure)"
    ),
    "kidney_disorder": (
        "{kind} {shown}: a kidney disorder the data model has no event for (CKD is an "
        "event from its stage codes, proteinuria is read from lab values)"
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
_STATUS = ("status", "verification")
_OUTSIDE = (
    "observation_unknown",
    "drug_unknown",
    "condition_unknown",
    "procedure_unknown",
    "report_without_histology",
)
_KIDNEY = ("kidney_waiting", "kidney_rejection", "kidney_regime", "kidney_disorder")
#: code -> "status" | "model" | "kidney" | "outside" (see NotImported.group).
GROUPS: dict[str, str] = {
    code: (
        "status"
        if code in _STATUS
        else "outside"
        if code in _OUTSIDE
        else "kidney"
        if code in _KIDNEY
        else "model"
    )
    for code in MESSAGES
}
_GROUP_ORDER = {"model": 0, "kidney": 1, "status": 2, "outside": 3}


class Collector:
    """Rows per table, plus what could not be used and why."""

    def __init__(self, source: str = "FHIR resources"):
        #: The file name, for messages.
        self.source = source
        self.patients: dict[str, dict] = {}
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.visits: dict[tuple[str, str], dict] = {}
        #: Per visit, which resource carries each value (so a problem names it).
        self.visit_origins: dict[tuple[str, str], dict[str, str]] = {}
        self.skipped: Counter = Counter()
        self.notes: Counter = Counter()
        self.onsets: dict[str, list[str]] = defaultdict(list)
        self.biopsy_dates: dict[str, set[str]] = defaultdict(set)
        self.prescriptions: list = []
        #: Per table, the resource each row came from (filled when the tables are built).
        self.origins: dict[str, list] = {}
        #: Problems found while reading, and the cells they are about (table, origin, column).
        self.problems: list = []
        self.flagged: set[tuple[str, str, str]] = set()
        self.copies: dict[str, list[dict]] = defaultdict(list)
        #: Where the resource being read sits in the file ("Observation/obs-12").
        self.current = ""

    def skip(self, code: str, **params) -> None:
        """Count one item not imported, described by ``MESSAGES[code]``."""
        self.skipped[(code, tuple(sorted(params.items())))] += 1

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append({**row, ORIGIN: self.current})

    def set_vital(self, patient: str, date: str, column: str, value: float) -> None:
        """Put a vital on the visit of that day; a different second value is reported."""
        key = (patient, date)
        visit = self.visits.setdefault(
            key, {"patient_id": patient, "date": date, ORIGIN: self.current}
        )
        origins = self.visit_origins.setdefault(key, {})
        if column in visit and visit[column] is not None:
            if visit[column] != value:
                self.skip(
                    "vital_same_day", column=column, resource=self.current, kept=origins[column]
                )
            return
        visit[column] = value
        origins[column] = self.current

    def not_imported(self) -> tuple[NotImported, ...]:
        """Every item not imported, grouped (usable by the data model first), then by text."""
        items = [
            NotImported(
                code=code,
                group=GROUPS[code],
                params=dict(params),
                count=count,
                message=MESSAGES[code].format(**dict(params)),
            )
            for (code, params), count in self.skipped.items()
        ]
        return tuple(sorted(items, key=lambda item: (_GROUP_ORDER[item.group], item.message)))
