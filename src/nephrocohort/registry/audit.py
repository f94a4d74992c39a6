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
from nephrocohort.registry.models._history import acting_username
from nephrocohort.registry.validation import CONFIRMED_COLUMN

__all__ = ["AuditEntry", "patient_audit_trail", "shown_changes"]

_ACTIONS = {"+": "created", "~": "changed", "-": "removed"}
# Shown as a change when a user confirmed values flagged as implausible (columns listed).
_CONFIRMED_LABEL = "confirmed as correct although implausible"


@dataclass(frozen=True)
class AuditEntry:
    """One saved version: who, when, what kind of record, and each field's old and new value."""

    when: datetime
    user: str
    action: str
    record: str
    record_id: int
    changes: tuple[tuple[str, str, str], ...]
    # Fields whose values are times of the registry (when a signature was given or voided), not
    # of the patient's care: shown as they are to every role, like ``when``.
    registry_times: frozenset[str] = frozenset()


def shown_changes(entry: AuditEntry, dates) -> list[tuple[str, str, str]]:
    """``entry``'s changes with clinical dates shown as ``dates`` (a ``DateShown``) shows them.

    A de-identified role reads days since onset in clinical values; the registry's own times
    (``registry_times``) stay as they are: "day 5852 03:24:10" for the time a signature was
    given said nothing a monitor could use, and the patient page shows that time anyway.
    """
    return [
        (field, old, new)
        if field in entry.registry_times
        else (field, dates.text(old), dates.text(new))
        for field, old, new in entry.changes
    ]


def _text(value) -> str:
    return "" if value is None else str(value)


def _labelled(name: str, value, cache: dict) -> str:
    """A value as the user knows it: a center's code and a patient's study ID, not database ids."""
    if value in (None, ""):
        return ""
    if name in ("center", "patient"):
        key = (name, value)
        if key not in cache:
            cache[key] = _looked_up(name, value)
        return cache[key]
    return _text(value)


def _looked_up(name: str, value) -> str:
    if name == "center":
        from nephrocohort.registry.models import Center

        code = Center.objects.filter(pk=value).values_list("code", flat=True).first()
        return code or _text(value)
    if name == "patient":
        found = Patient.all_objects.filter(pk=value).values_list("patient_id", flat=True).first()
        return found or _text(value)


def _confirmed(historical) -> str:
    return str((historical.extra or {}).get(CONFIRMED_COLUMN, ""))


def _entry(historical, kind: str, cache: dict) -> AuditEntry:
    tracked = [
        field.name
        for field in historical.instance_type._meta.fields
        if field.name not in BOOKKEEPING_FIELDS
    ]
    action = _ACTIONS.get(historical.history_type, historical.history_type)
    previous = historical.prev_record if historical.history_type == "~" else None
    if previous is None:
        changes = tuple(
            (name, "", _labelled(name, getattr(historical, _attname(historical, name)), cache))
            for name in tracked
            if getattr(historical, _attname(historical, name)) not in (None, "")
        )
        if _confirmed(historical):
            changes += ((_CONFIRMED_LABEL, "", _confirmed(historical)),)
    else:
        delta = historical.diff_against(previous)
        changes = tuple(
            (
                change.field,
                _labelled(change.field, change.old, cache),
                _labelled(change.field, change.new, cache),
            )
            for change in delta.changes
            if change.field not in BOOKKEEPING_FIELDS
        )
        if _confirmed(historical) != _confirmed(previous):
            changes += ((_CONFIRMED_LABEL, _confirmed(previous), _confirmed(historical)),)
        if historical.is_deleted and not previous.is_deleted:
            action = "deleted"
        elif previous.is_deleted and not historical.is_deleted:
            action = "restored"
    return AuditEntry(
        when=historical.history_date,
        user=acting_username(historical),
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
    # Database ids of centers and patients -> codes, looked up once per trail.
    cache: dict = {("patient", patient.pk): patient.patient_id}
    entries = [_entry(row, "patient", cache) for row in Patient.history.filter(id=patient.pk)]
    for model in CHILD_MODELS.values():
        kind = str(model._meta.verbose_name)
        for row in model.history.filter(patient_id=patient.pk).select_related("history_user"):
            entries.append(_entry(row, kind, cache))
    entries.extend(_signature_entries(patient))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


# The columns of a signature shown in the trail (21 CFR 11.50(a): name, time, meaning).
_SIGNED = ("signer_name", "signer_username", "meaning", "signed_at")
_VOIDED = ("voided_by_username", "voided_at", "void_reason")
_SIGNATURE_TIMES = frozenset({"signed_at", "voided_at"})


def _signature_entries(patient: Patient) -> list[AuditEntry]:
    """Each signing ("signed and locked") and unlocking ("unlocked, signature voided")."""
    from nephrocohort.registry.models import PatientSignature

    entries = []
    rows = PatientSignature.history.filter(patient_id=patient.pk).order_by("history_id")
    for row in rows:
        if row.history_type == "+":
            action, names = "signed and locked", _SIGNED
        elif row.voided_at is not None and (
            row.prev_record is None or not row.prev_record.voided_at
        ):
            action, names = "unlocked (signature voided)", _VOIDED
        else:
            continue
        changes = tuple((name, "", _text(getattr(row, name))) for name in names)
        entries.append(
            AuditEntry(
                when=row.history_date,
                user=acting_username(row),
                action=action,
                record="signature",
                record_id=row.id,
                changes=changes,
                registry_times=_SIGNATURE_TIMES,
            )
        )
    return entries
