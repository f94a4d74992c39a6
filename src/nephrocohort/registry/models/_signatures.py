"""A principal investigator's signature that locks a reviewed patient record.

As 21 CFR Part 11 asks (texts read through the project's ``search`` tool,
secondary copies of the eCFR: law.lawstack.com/cfr/21/11.50, self-law.org
§ 11.200, lexbuild.dev § 11.70):

- § 11.50(a): "Signed electronic records shall contain information associated
  with the signing that clearly indicates all of the following: (1) The
  printed name of the signer; (2) The date and time when the signature was
  executed; and (3) The meaning (such as review, approval, responsibility, or
  authorship) associated with the signature." (b): these items "shall be
  included as part of any human readable form of the electronic record (such
  as electronic display or printout)" -- the patient page and the audit trail
  show them.
- § 11.200(a)(1): non-biometric signatures "Employ at least two distinct
  identification components such as an identification code and password";
  (ii) a signing outside one continuous session "shall be executed using all
  of the electronic signature components" -- the password is asked again at
  each signing (and the TOTP code, for a user with an authenticator).
- § 11.70: signatures "shall be linked to their respective electronic records
  to ensure that the signatures cannot be excised, copied, or otherwise
  transferred" -- a signature is a row of its own, never deleted, pointing at
  its patient, with its history sealed into the audit chain.

REDCap's record locking (its Locking Customization page): "Once a form is
locked for a record, the form will display (for all users) the time it was
locked and the user who locked it, and all fields on the form will be
disabled/read-only until someone with Lock/Unlock privileges unlocks the
form"; and unlocking "will negate the e-signature" (University of Utah CCTS,
REDCap validated projects, part 4). Here one signature locks the patient and
every record of it; unlocking voids the signature (kept, with the reason).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nephrocohort.registry.models._clinical import Patient
from nephrocohort.registry.models._history import audited_history

__all__ = ["ATTESTATIONS", "PatientSignature", "SignatureMeaning"]


class SignatureMeaning(models.TextChoices):
    """What the signer attests (§ 11.50(a)(3) names review, approval, responsibility)."""

    REVIEWED = "reviewed", _("reviewed")
    APPROVED = "approved", _("approved")
    RESPONSIBLE = "responsible", _("responsibility")


#: What the signer attests with each meaning, shown next to the choice on the signing page.
ATTESTATIONS = {
    SignatureMeaning.REVIEWED: _("I have reviewed this patient's record and its data."),
    SignatureMeaning.APPROVED: _("I approve this patient's record as complete and correct."),
    SignatureMeaning.RESPONSIBLE: _("I take responsibility for this patient's record."),
}


class ActiveSignatures(models.Manager):
    """Signatures not voided: each locks its patient."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class PatientSignature(models.Model):
    """One signing of a patient record; while not voided, the patient and its records are locked.

    The signer's printed name and user name are kept as text, as they were at
    signing, so the record still names the person if the account changes.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    signer_username = models.CharField("signer's user name", max_length=150)
    signer_name = models.CharField("signer's printed name", max_length=300)
    meaning = models.CharField("meaning", max_length=20, choices=SignatureMeaning.choices)
    signed_at = models.DateTimeField("signed at")
    voided_at = models.DateTimeField("unlocked at", null=True, blank=True)
    voided_by_username = models.CharField("unlocked by", max_length=150, blank=True, default="")
    void_reason = models.CharField("reason for unlocking", max_length=500, blank=True, default="")

    objects = models.Manager()
    active = ActiveSignatures()
    history = audited_history()

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(voided_at__isnull=True),
                name="one_active_signature_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} signed by {self.signer_username} ({self.meaning})"

    def delete(self, *args, **kwargs):
        from nephrocohort.registry.models._base import HardDeleteRefusedError

        raise HardDeleteRefusedError(
            "A signature is never deleted; unlocking voids it and keeps it with the reason."
        )
