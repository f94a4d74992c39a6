"""What every clinical row shares: soft delete, optimistic locking and history.

Clinical rows are never removed from the database: deleting marks them
deleted, and the history (django-simple-history) keeps every version with
who changed it and when. Each row carries a ``version`` number; a save made
from a form states which version the user started from, and is refused if
someone else saved in between (``EditConflictError``), so no update is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from nephrocohort.exceptions import NephroCohortError
from nephrocohort.messages import Message, MessageList
from nephrocohort.registry.models._history import acting_username
from nephrocohort.registry.models._locking import (
    active_signatures,
    hold_patients,
    locked_error,
    locking_signature,
)

__all__ = ["ClinicalRecord", "EditConflictError", "FieldChange", "HardDeleteRefusedError"]

# Bookkeeping fields a user never edits; left out of "what changed" messages.
BOOKKEEPING_FIELDS = frozenset(
    {"id", "version", "created_at", "updated_at", "is_deleted", "deleted_at", "extra"}
)


class HardDeleteRefusedError(NephroCohortError):
    """Clinical rows are soft-deleted only; a hard delete was attempted."""


@dataclass(frozen=True)
class FieldChange:
    """One field that another user changed: its label, the value before and after."""

    field: str
    label: str
    old: object
    new: object

    def __str__(self) -> str:
        return self.message.text

    @property
    def message(self) -> Message:
        """The change as the conflict sentence lists it, written in the language it is shown in."""
        return Message(
            "registry.conflict.field_change",
            {"label": self.label, "old": _shown(self.old), "new": _shown(self.new)},
        )


def _shown(value):
    return Message("registry.conflict.empty") if value in (None, "") else str(value)


class EditConflictError(NephroCohortError):
    """Someone else saved the record after the user opened it; the save was refused."""

    def __init__(self, *, record, changes, changed_by, changed_at, deleting: bool = False):
        self.record = record
        self.changes = tuple(changes)
        self.changed_by = changed_by
        self.changed_at = changed_at
        at = f"{changed_at:%Y-%m-%d %H:%M}" if changed_at else None
        super().__init__(
            "registry.delete_conflict" if deleting else "registry.edit_conflict",
            kind=record._meta.verbose_name,  # lazy: translated when the sentence is written
            who=changed_by or Message("registry.conflict.another_user"),
            when=Message("registry.conflict.at", {"time": at}) if at else "",
            what=(
                MessageList(tuple(change.message for change in self.changes))
                if self.changes
                else Message("registry.conflict.no_visible_change")
            ),
        )


class LiveQuerySet(models.QuerySet):
    """Rows not marked deleted; refuses bulk hard deletes, and updates of locked patients."""

    def delete(self):
        raise HardDeleteRefusedError("registry.no_hard_delete_rows")

    def update(self, **kwargs):
        """``QuerySet.update``, refused (``RecordLockedError``) if a row's patient is locked."""
        with transaction.atomic():
            hold_patients(self._patient_pks())
            locking = active_signatures().filter(patient__in=self._patient_pks())
            signature = locking.select_related("patient").first()
            if signature is not None:
                raise locked_error(signature)
            return super().update(**kwargs)

    def _patient_pks(self):
        """The database ids of the patients these rows belong to (a subquery)."""
        return self.values("pk")


class ClinicalRecord(models.Model):
    """Abstract base of every clinical table (patients and their records)."""

    version = models.PositiveIntegerField(default=1, editable=False)
    is_deleted = models.BooleanField(default=False, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    # Columns of an imported bundle that the data contract does not list, kept as given.
    extra = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise HardDeleteRefusedError("registry.no_hard_delete", record=str(self._meta.verbose_name))

    def save(self, *args, **kwargs):
        """Save, unless the patient is locked by a signature (``RecordLockedError``).

        Every way of changing a clinical row -- forms, the encounter page,
        deleting, imports, scripts -- ends here or in ``LiveQuerySet.update``,
        so a locked patient refuses them all (``registry/models/_locking.py``).
        """
        with transaction.atomic():
            if not self._lock_checked:
                self._refuse_if_locked()
            super().save(*args, **kwargs)

    # True only inside save_checked, which has held the patient and checked it already.
    _lock_checked = False

    def _refuse_if_locked(self) -> None:
        """Hold the row's patient (``hold_patients``) and refuse if a signature locks it."""
        patient_pk = self.locking_patient_pk()
        if patient_pk is not None:
            hold_patients([patient_pk])
        signature = locking_signature(patient_pk)
        if signature is not None:
            raise locked_error(signature)

    def locking_patient_pk(self):
        """The database id of the patient whose signature locks this row (None: a new patient)."""
        return self.pk

    def soft_delete(self, *, expected_version: int) -> None:
        """Mark the row deleted (kept in the database and in its history)."""
        self.is_deleted = True
        self.deleted_at = timezone.now()
        self.save_checked(expected_version=expected_version, deleting=True)

    def save_checked(self, *, expected_version: int, deleting: bool = False) -> None:
        """Save only if the stored row is still at ``expected_version``.

        The version is bumped by one conditional UPDATE inside the
        transaction: on PostgreSQL the row lock makes a concurrent second save
        wait and then find the version changed; on SQLite the database write
        lock does the same. Either way exactly one of two concurrent saves wins.
        """
        model = type(self)
        with transaction.atomic():
            # The patient first, as every change takes it, then the row; checked once
            # for the version bump and the save (each would hold and check again).
            self._refuse_if_locked()
            stored = model.all_objects.filter(pk=self.pk, version=expected_version)
            bumped = models.QuerySet.update(stored, version=F("version") + 1)
            if bumped != 1:
                raise self._conflict(expected_version, deleting=deleting)
            self.version = expected_version + 1
            self._lock_checked = True
            try:
                self.save()
            finally:
                del self._lock_checked

    def _conflict(self, expected_version: int, *, deleting: bool = False) -> EditConflictError:
        current = type(self).all_objects.get(pk=self.pk)
        newest = current.history.order_by("-history_date", "-history_id").first()
        base = current.history.filter(version=expected_version).order_by("-history_id").first()
        changes: list[FieldChange] = []
        if newest is not None and base is not None:
            delta = newest.diff_against(base)
            for change in delta.changes:
                if change.field in BOOKKEEPING_FIELDS:
                    continue
                label = str(current._meta.get_field(change.field).verbose_name)
                changes.append(FieldChange(change.field, label, change.old, change.new))
        if current.is_deleted:
            changes.append(
                FieldChange("is_deleted", gettext("deleted"), gettext("no"), gettext("yes"))
            )
        changed_by = (acting_username(newest, unknown="") or None) if newest else None
        changed_at: datetime | None = getattr(newest, "history_date", None) if newest else None
        return EditConflictError(
            record=current,
            changes=changes,
            changed_by=changed_by,
            changed_at=changed_at,
            deleting=deleting,
        )
