"""What the FHIR importer gathers while reading: rows per table, and what it did not import.

Every item not imported is a reason code with parameters, counted; the
sentence is written from its template (``fhir.skip.<code>`` in
:data:`nephrocohort.messages.CATALOGUE`) only when shown. Each code belongs to a
group, so the summary can put what the data model could have used (a kidney
outcome without a date, a lab in a unit without a conversion) apart from
what it does not record at all (an employment status, a vaccine).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from nephrocohort.interop._results import NotImported
from nephrocohort.messages import CATALOGUE, render_text

__all__ = ["Collector", "GROUPS", "ORIGIN"]

ORIGIN = "_origin"

#: The reason codes; each has the template ``fhir.skip.<code>``.
_CODES = tuple(
    code.removeprefix("fhir.skip.") for code in CATALOGUE if code.startswith("fhir.skip.")
)
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
    for code in _CODES
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
        """Count one item not imported, described by the template ``fhir.skip.<code>``."""
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
                message=render_text(f"fhir.skip.{code}", dict(params)),
            )
            for (code, params), count in self.skipped.items()
        ]
        return tuple(sorted(items, key=lambda item: (_GROUP_ORDER[item.group], item.message)))
