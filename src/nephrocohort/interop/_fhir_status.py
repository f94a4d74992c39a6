"""Which FHIR resources describe something that did not happen, by their status.

A resource whose ``status`` says it was recorded in error, cancelled or not
done (or a Condition whose ``verificationStatus`` says the diagnosis was
ruled out) must not become data: an entered-in-error albumin is not a lab and
a refuted nephrotic syndrome is not an onset. The value sets are those of
FHIR R4 (4.0.1): ObservationStatus, MedicationRequest status,
MedicationStatementStatusCodes, EventStatus (Procedure) and
ConditionVerificationStatus (http://hl7.org/fhir/R4/valueset-*.html).
"""

from __future__ import annotations

__all__ = ["not_happened", "STOPPED", "VERIFICATION_SYSTEM"]

#: resource type -> status codes that mean "this did not happen (as recorded)".
NOT_HAPPENED: dict[str, frozenset[str]] = {
    # registered: ordered, no result yet; cancelled: "the observation is unavailable
    # because the measurement was not started or not completed".
    "Observation": frozenset({"entered-in-error", "cancelled", "registered"}),
    # draft: "not yet actionable"; cancelled: "withdrawn before any administrations occurred".
    "MedicationRequest": frozenset({"entered-in-error", "cancelled", "draft"}),
    # not-taken: "the medication was not consumed"; intended: "will be taken in the future".
    "MedicationStatement": frozenset({"entered-in-error", "not-taken", "intended"}),
    # not-done: "not started"; preparation: "not yet begun".
    "Procedure": frozenset({"entered-in-error", "not-done", "preparation"}),
    "DiagnosticReport": frozenset({"entered-in-error", "cancelled", "registered"}),
    "Condition": frozenset(),
}
#: Condition.verificationStatus codes that mean the condition is not present.
NOT_PRESENT = frozenset({"refuted", "entered-in-error"})
VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
#: Medication statuses that end a course (its end date must come from elsewhere).
STOPPED = frozenset({"stopped", "completed"})


def not_happened(kind: str, resource) -> tuple[str, dict] | None:
    """``(reason code, params)`` when the resource must not be imported, else None."""
    status = getattr(resource, "status", None)
    if status in NOT_HAPPENED.get(kind, ()):
        return "status", {"kind": kind, "status": status}
    if kind == "Condition":
        concept = getattr(resource, "verificationStatus", None)
        for coding in getattr(concept, "coding", None) or []:
            if coding.code in NOT_PRESENT:
                return "verification", {"kind": kind, "verification": coding.code}
    return None
