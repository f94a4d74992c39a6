"""The audit trail of one patient, read from django-simple-history.

Every clinical model records its history through the same mechanism; this
module only gathers a patient's entries (the patient row and all its
records, deleted ones included) and says what changed in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nephrocohort.registry.models import CHILD_MODELS, Patient
from nephrocohort.registry.models._base import BOOKKEEPING_FIELDS

__all__ = ["AuditEntry", "patient_audit_trail"]

_ACTIONS = {"+": "created", "~": "changed", "-": "removed"}


@dataclass(frozen=True)
class AuditEntry:
    """One saved version: who, when, what kind of record, and each field's old and new value."""

    when: datetime
    user: str
    action: str
    record: str
    record_id: int
    changes: tuple[tuple[str, str, str], ...]


def _text(value) -> str:
    return "" if value is None else str(value)


def _entry(historical, kind: str) -> AuditEntry:
    tracked = [
        field.name
        for field in historical.instance_type._meta.fields
        if field.name not in BOOKKEEPING_FIELDS
    ]
    action = _ACTIONS.get(historical.history_type, historical.history_type)
    previous = historical.prev_record if historical.history_type == "~" else None
    if previous is None:
        changes = tuple(
            (name, "", _text(getattr(historical, _attname(historical, name))))
            for name in tracked
            if getattr(historical, _attname(historical, name)) not in (None, "")
        )
    else:
        delta = historical.diff_against(previous)
        changes = tuple(
            (change.field, _text(change.old), _text(change.new))
            for change in delta.changes
            if change.field not in BOOKKEEPING_FIELDS
        )
        if historical.is_deleted and not previous.is_deleted:
            action = "deleted"
        elif previous.is_deleted and not historical.is_deleted:
            action = "restored"
    user = historical.history_user
    return AuditEntry(
        when=historical.history_date,
        user=user.get_username() if user else "(system)",
        action=action,
        record=kind,
        record_id=historical.id,
        changes=changes,
    )


def _attname(historical, name: str) -> str:
    field = historical.instance_type._meta.get_field(name)
    return field.attname


def patient_audit_trail(patient: Patient) -> list[AuditEntry]:
    """Every saved version of the patient and its records, newest first."""
    entries = [_entry(row, "patient") for row in Patient.history.filter(id=patient.pk)]
    for model in CHILD_MODELS.values():
        kind = str(model._meta.verbose_name)
        for row in model.history.filter(patient_id=patient.pk).select_related("history_user"):
            entries.append(_entry(row, kind))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
