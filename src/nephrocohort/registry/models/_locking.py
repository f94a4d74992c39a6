"""The lock a signature puts on a patient's records, as the model layer checks it.

Here, not in ``registry/signatures.py``, because every save asks it: the
models must not import the signing workflow that imports them. The model is
looked up through Django's app registry, so this module imports no model.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections

from nephrocohort.exceptions import NephroCohortError

__all__ = [
    "RecordLockedError",
    "locked_error",
    "locking_signature",
    "active_signatures",
    "hold_patients",
]


class RecordLockedError(NephroCohortError):
    """A save, delete or import touched a patient locked by a signature."""


def active_signatures():
    """The standing (not voided) signatures, as a queryset."""
    return apps.get_model("registry", "PatientSignature").active.all()


def hold_patients(patient_pks) -> None:
    """Take the row lock of these patients until the transaction ends.

    A signing and a change of one of the patient's records then run one after
    the other on PostgreSQL, so no edit slips in between the lock check and the
    signature. A database without row locks (SQLite, whose write lock already
    serializes the two) is not asked at all: Django would send the query without
    ``FOR UPDATE``, one wasted round trip per save. Callers are inside
    ``transaction.atomic``.
    """
    patients = apps.get_model("registry", "Patient").all_objects
    if not connections[patients.db].features.has_select_for_update:
        return
    list(patients.select_for_update().filter(pk__in=patient_pks).values_list("pk", flat=True))


def locking_signature(patient_pk):
    """The signature that locks patient ``patient_pk`` now, or None."""
    if patient_pk is None:
        return None
    return active_signatures().filter(patient_id=patient_pk).first()


def locked_error(signature) -> RecordLockedError:
    """The refusal naming who signed, when and with what meaning."""
    return RecordLockedError(
        "registry.record_locked",
        patient=signature.patient.patient_id,
        signer=signature.signer_name,
        meaning=str(signature.get_meaning_display()),
        signed_at=f"{signature.signed_at:%Y-%m-%d %H:%M}",
    )
