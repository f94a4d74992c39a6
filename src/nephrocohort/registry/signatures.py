"""Locking a patient record with a signature, and unlocking it with a reason.

The rules (21 CFR Part 11 §§ 11.50, 11.200, 11.70 and REDCap's record
locking, quoted in ``models/_signatures.py``):

- only a role with the ``lock`` permission signs or unlocks (the principal
  investigator);
- each signing asks for the signer's password again, and the TOTP code when
  the signer has an authenticator (§ 11.200(a)(1)(ii): every component at a
  signing that is not part of one continuous signing session);
- the signature keeps the signer's printed name, the time and the meaning
  (§ 11.50(a)); while it stands, the patient and every record of it refuse
  any save, delete or import (``ClinicalRecord`` asks ``locking_signature``);
- unlocking needs a reason and voids the signature, which is kept.

Every signing and unlocking is a history row (sealed into the audit chain)
and an access event; a refused password or code is an access event too.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from nephrocohort.exceptions import NephroCohortError
from nephrocohort.registry.models._locking import (
    RecordLockedError,
    hold_patients,
    locked_error,
    locking_signature,
)

__all__ = [
    "RecordLockedError",
    "SignatureRefusedError",
    "locking_signature",
    "locked_error",
    "printed_name",
    "sign_and_lock",
    "unlock",
    "needs_code",
]


class SignatureRefusedError(NephroCohortError):
    """A signing or unlocking was refused (wrong password or code, no reason, wrong state)."""


def printed_name(user) -> str:
    """The signer's name as § 11.50(a)(1) asks: the full name, with the user name if it differs."""
    full = user.get_full_name().strip()
    username = user.get_username()
    return f"{full} ({username})" if full else username


def needs_code(user) -> bool:
    """A user with a confirmed authenticator signs with its code as well as the password."""
    from nephrocohort.registry.two_factor import has_device

    return has_device(user)


def _check_credentials(request, user, password: str, code: str, *, action: str) -> None:
    from django_otp import match_token

    from nephrocohort.registry.access_log import record_event

    if not user.check_password(password or ""):
        record_event(request, "signature_refused", what=f"{action}: password", user=user)
        raise SignatureRefusedError("registry.signature_password_wrong")
    if needs_code(user) and match_token(user, (code or "").strip()) is None:
        record_event(request, "signature_refused", what=f"{action}: code", user=user)
        raise SignatureRefusedError("registry.signature_code_wrong")


def sign_and_lock(request, patient, *, password: str, code: str = "", meaning: str):
    """Sign ``patient`` as the request's user and lock it; the new ``PatientSignature``.

    The caller has checked the ``lock`` permission and that the patient is visible.
    """
    from nephrocohort.registry.access_log import record_event
    from nephrocohort.registry.models import PatientSignature, SignatureMeaning

    user = request.user
    if meaning not in SignatureMeaning.values:
        raise SignatureRefusedError(
            "signature.unknown_meaning", meaning=meaning, known=", ".join(SignatureMeaning.values)
        )
    if locking_signature(patient.pk) is not None:
        raise SignatureRefusedError("registry.already_locked", patient=patient.patient_id)
    _check_credentials(request, user, password, code, action="lock")
    try:
        with transaction.atomic():
            # Edits of this patient's records wait for the signature, and it for them.
            hold_patients([patient.pk])
            signature = PatientSignature.objects.create(
                patient=patient,
                signer=user,
                signer_username=user.get_username(),
                signer_name=printed_name(user),
                meaning=meaning,
                signed_at=timezone.now(),
            )
            record_event(
                request, "record_locked", what=f"patient #{patient.pk}; signature #{signature.pk}"
            )
    except IntegrityError:
        # Another signer locked it between the check and this insert (one active signature).
        raise SignatureRefusedError("registry.already_locked", patient=patient.patient_id) from None
    return signature


def unlock(request, patient, *, password: str, code: str = "", reason: str):
    """Void the signature that locks ``patient``, keeping it with the reason; the signature."""
    from nephrocohort.registry.access_log import record_event
    from nephrocohort.registry.models import PatientSignature

    reason = (reason or "").strip()
    if not reason:
        raise SignatureRefusedError("registry.unlock_reason_missing")
    # Kept whole in the audit trail or refused: never cut short without a word (the form's
    # field has the same limit; a caller outside the form gets this refusal).
    limit = PatientSignature._meta.get_field("void_reason").max_length
    if len(reason) > limit:
        raise SignatureRefusedError(
            "registry.unlock_reason_too_long", length=len(reason), limit=limit
        )
    signature = locking_signature(patient.pk)
    if signature is None:
        raise SignatureRefusedError("registry.not_locked", patient=patient.patient_id)
    _check_credentials(request, request.user, password, code, action="unlock")
    with transaction.atomic():
        signature.voided_at = timezone.now()
        signature.voided_by_username = request.user.get_username()
        signature.void_reason = reason
        signature.save()
        record_event(
            request, "record_unlocked", what=f"patient #{patient.pk}; signature #{signature.pk}"
        )
    return signature
