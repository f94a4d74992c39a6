"""The clinical tables, mirroring the cohort bundle's data contract (DESIGN.md).

Field names are the bundle's column names, so converting between the
database and a ``Cohort`` is a rename-free copy. Coded values (sex, histology,
drug, ...) are validated by the forms and the bundle loader against
``nephrocohort.cohort.vocabulary``; the database stores them as text.
Lab values are stored as entered (a number, or a dipstick grade) with the
unit as entered; conversion to canonical units is the cohort layer's job.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from nephrocohort.registry.models._access import Center, PatientQuerySet, RecordQuerySet
from nephrocohort.registry.models._base import ClinicalRecord
from nephrocohort.registry.models._history import audited_history

__all__ = ["Patient", "Biopsy", "Genetics", "Visit", "Lab", "Medication", "Event", "CHILD_MODELS"]


class _LiveManager(models.Manager):
    """Default manager: rows not marked deleted."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


PatientManager = _LiveManager.from_queryset(PatientQuerySet)
RecordManager = _LiveManager.from_queryset(RecordQuerySet)


def _code(verbose_name: str, *, max_length: int = 40) -> models.CharField:
    return models.CharField(verbose_name, max_length=max_length, blank=True, default="")


class Patient(ClinicalRecord):
    patient_id = models.CharField(
        _("patient ID"),
        max_length=64,
        unique=True,
        help_text=_("Pseudonymous study ID. Never a name, record number or national ID."),
    )
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="patients")
    sex = _code(_("sex"), max_length=1)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    onset_date = models.DateField(
        _("onset date"), null=True, blank=True, help_text=_("First nephrotic episode.")
    )
    family_history_ns = _code(_("family history of nephrotic syndrome"))
    consanguinity = _code(_("consanguinity"))
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    assent_date = models.DateField(_("assent date"), null=True, blank=True)
    consent_withdrawn_date = models.DateField(_("consent withdrawn"), null=True, blank=True)
    hbv = _code(_("hepatitis B"))
    hcv = _code(_("hepatitis C"))
    syphilis = _code(_("syphilis"))
    hiv = _code(_("HIV"))
    edema_at_onset = _code(_("edema at onset"))
    hypertension_at_onset = _code(_("hypertension at onset"))
    aki_at_onset = _code(_("acute kidney injury at onset"))
    hematuria_at_onset = _code(_("hematuria at onset"))
    last_followup_date = models.DateField(_("last follow-up"), null=True, blank=True)
    death_date = models.DateField(_("date of death"), null=True, blank=True)

    objects = PatientManager()
    all_objects = PatientQuerySet.as_manager()
    history = audited_history()

    class Meta:
        ordering = ["patient_id"]

    def __str__(self) -> str:
        return self.patient_id


class _PatientRecord(ClinicalRecord):
    """A row of a child table: it belongs to one patient."""

    objects = RecordManager()
    all_objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def locking_patient_pk(self):
        return self.patient_id


class Biopsy(_PatientRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="biopsies")
    biopsy_date = models.DateField(_("biopsy date"))
    histology = _code(_("histology"))
    history = audited_history()

    class Meta:
        ordering = ["biopsy_date", "id"]
        verbose_name = _("biopsy")
        verbose_name_plural = _("biopsies")

    def __str__(self) -> str:
        return f"biopsy {self.biopsy_date}"


class Genetics(_PatientRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="genetics")
    test_date = models.DateField(_("test date"), null=True, blank=True)
    gene = _code(_("gene"))
    variant = models.CharField(_("variant"), max_length=200, blank=True, default="")
    classification = _code(_("classification"))
    history = audited_history()

    class Meta:
        ordering = ["test_date", "id"]
        verbose_name = _("genetic test")
        verbose_name_plural = _("genetic tests")

    def __str__(self) -> str:
        return f"genetic test {self.gene}"


class Visit(_PatientRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    date = models.DateField(_("date"))
    weight_kg = models.FloatField(_("weight (kg)"), null=True, blank=True)
    height_cm = models.FloatField(_("height (cm)"), null=True, blank=True)
    sbp_mmhg = models.FloatField(_("systolic BP (mmHg)"), null=True, blank=True)
    dbp_mmhg = models.FloatField(_("diastolic BP (mmHg)"), null=True, blank=True)
    edema = _code(_("edema"))
    history = audited_history()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"visit {self.date}"


class Lab(_PatientRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="labs")
    date = models.DateField(_("date"))
    test = _code(_("test"))
    value = models.CharField(
        _("value"), max_length=40, help_text=_("As measured; a dipstick grade is written as read.")
    )
    unit = _code(_("unit"))
    history = audited_history()

    class Meta:
        ordering = ["date", "test", "id"]
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")

    def __str__(self) -> str:
        return f"{self.test} {self.date}"


class Medication(_PatientRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    drug = _code(_("drug"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Empty = ongoing.")
    )
    dose = models.FloatField(_("dose"), null=True, blank=True)
    dose_unit = _code(_("dose unit"))
    schedule = _code(_("schedule"))
    stop_reason = models.CharField(_("stop reason"), max_length=200, blank=True, default="")
    history = audited_history()

    class Meta:
        ordering = ["start_date", "drug", "id"]
        verbose_name = _("medication")
        verbose_name_plural = _("medications")

    def __str__(self) -> str:
        return f"{self.drug} from {self.start_date}"


class Event(_PatientRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="events")
    date = models.DateField(_("date"))
    event = _code(_("event"))
    detail = models.CharField(_("detail"), max_length=500, blank=True, default="")
    history = audited_history()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.event} {self.date}"


# Child tables in the bundle's order, keyed by their bundle table name.
CHILD_MODELS = {
    "biopsies": Biopsy,
    "genetics": Genetics,
    "visits": Visit,
    "labs": Lab,
    "medications": Medication,
    "events": Event,
}
