"""Forms for patients and their records, validating as the bundle loader does.

Coded fields offer exactly the contract's codes; ``validation.check_row``
applies the contract's rules. Plausibility warnings block the save until the
user ticks "I confirm these values"; errors block it for good. Editing an
existing row carries the version the user started from, so a save made
after someone else's is refused (see ``ClinicalRecord.save_checked``).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nephrocohort.cohort.contract import TABLES
from nephrocohort.cohort.vocabulary import LAB_TESTS
from nephrocohort.registry.dates import DateField
from nephrocohort.registry.models import (
    Biopsy,
    Event,
    Genetics,
    Lab,
    Medication,
    Patient,
    Visit,
    centers_visible_to,
)
from nephrocohort.registry.validation import CONFIRMED_COLUMN, check_patient_edit, check_row

__all__ = [
    "PatientForm",
    "BiopsyForm",
    "GeneticsForm",
    "VisitForm",
    "LabForm",
    "MedicationForm",
    "EventForm",
    "RECORD_FORMS",
    "BundleUploadForm",
    "ExportForm",
]


_LOST_VERSION = _(
    "This form lost track of which version of the record it edits. "
    "Open the record again and re-enter your changes."
)


class ContractForm(forms.ModelForm):
    """A form for one row of a bundle table (``table``), checked by the contract's rules."""

    table: str = ""

    # Hidden: a malformed value (a tampered or truncated form) gets the same sentence as a lost
    # one, shown above the fields (_form_fields.html shows hidden fields' errors).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={"invalid": _LOST_VERSION, "min_value": _LOST_VERSION},
    )
    confirm_unusual_values = forms.BooleanField(
        required=False,
        label=_("I confirm these values"),
        help_text=_("Tick only after checking values flagged as implausible."),
    )

    def __init__(self, *args, patient: Patient | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.warnings: list[str] = []
        spec = TABLES[self.table]
        for column in spec.columns:
            if column.name not in self.fields:
                continue
            current = self.fields[column.name]
            if column.kind == "code" and column.codes:
                choices = [("", "---------")] + [(code, code) for code in column.codes]
                self.fields[column.name] = forms.ChoiceField(
                    choices=choices,
                    required=column.required,
                    label=current.label,
                    help_text=column.description,
                )
            else:
                current.required = column.required
                current.help_text = current.help_text or column.description
            if column.kind == "date":
                # Typed and shown in the user's format (dd/mm/yyyy in es and pt-BR), stored ISO.
                current = self.fields[column.name]
                self.fields[column.name] = DateField(
                    required=current.required, label=current.label, help_text=current.help_text
                )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and version is None:
            raise ValidationError(_LOST_VERSION, code="missing_version")
        return version

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            # Fields Django could not parse (a date, a number) already say what is wrong.
            return cleaned
        row = {name: cleaned.get(name) for name in TABLES[self.table].column_names}
        row = {name: value for name, value in row.items() if name in self.fields}
        if self.table == "patients" and cleaned.get("center") is not None:
            row["center"] = cleaned["center"].code
        findings = check_row(self.table, row, patient_row=_patient_row(self.patient))
        for column, messages in findings.errors.items():
            for message in messages:
                self.add_error(column if column in self.fields else None, message)
        self.warnings = findings.warnings
        self.confirmed_columns = findings.warning_columns
        if self.table == "patients" and self.instance.pk and not findings.errors:
            for message in check_patient_edit(self.instance, row):
                self.add_error(None, message)
        if findings.warnings and not cleaned.get("confirm_unusual_values"):
            self.add_error(
                "confirm_unusual_values",
                _(
                    "Some values are outside the plausible range (see above). "
                    "Correct them, or tick this box to confirm they are right."
                ),
            )
        return cleaned

    def save(self, commit: bool = True):
        """Create the row, or save an edit only if nobody saved it in between."""
        record = super().save(commit=False)
        if not commit:
            return record
        if self.patient is not None and hasattr(record, "patient_id") and self.table != "patients":
            record.patient = self.patient
        _note_confirmation(record, getattr(self, "confirmed_columns", []))
        if record.pk is None:
            record.save()
        else:
            record.save_checked(expected_version=self.cleaned_data["version"])
        return record


def _note_confirmation(record, columns: list[str]) -> None:
    """Keep which implausible values a user confirmed with the row (history, export, import).

    Stored as the extra column ``confirmed_implausible`` (columns separated by
    ``;``), which an export carries and the registry's import honours.
    """
    extra = dict(record.extra or {})
    if columns:
        extra[CONFIRMED_COLUMN] = ";".join(columns)
    else:
        extra.pop(CONFIRMED_COLUMN, None)
    record.extra = extra


def _patient_row(patient: Patient | None) -> dict | None:
    if patient is None:
        return None
    return {"patient_id": patient.patient_id, "sex": patient.sex, "birth_date": patient.birth_date}


class PatientForm(ContractForm):
    table = "patients"

    class Meta:
        model = Patient
        fields = [name for name in TABLES["patients"].column_names]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        centers = centers_visible_to(user)
        self.fields["center"].queryset = centers
        self.fields["center"].required = True
        if centers.count() == 1 and not self.instance.pk:
            self.fields["center"].initial = centers.first()

    error_messages = {
        "id_taken": "A patient with the ID %(patient_id)s is already in the registry "
        "(IDs that differ only in upper/lower case count as the same ID). Choose another ID.",
        "id_of_deleted_patient": "The ID %(patient_id)s belongs to a deleted patient, whose "
        "records and history are kept under it. Choose another ID, or ask an administrator "
        "to restore that patient (nephrocohort restorepatient).",
        "id_unusable": "This ID cannot be used; choose another.",
    }

    def clean_patient_id(self):
        value = (self.cleaned_data.get("patient_id") or "").strip()
        if not value:
            raise ValidationError(_("patient ID is required."), code="required")
        self._refuse_taken_id(value)
        return value

    def _refuse_taken_id(self, value: str) -> None:
        """Refuse an ID already stored, whatever its case, including deleted patients' IDs.

        The database's own unique constraint is case-sensitive and Django's
        uniqueness check sees live rows only, so a deleted patient's ID used to
        reach the database and fail there. A patient the user cannot see (another
        center's) is not confirmed to exist: the message is the same for any such ID.
        """
        same = Patient.all_objects.filter(patient_id__iexact=value)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        taken = same.first()
        if taken is None:
            return
        visible = Patient.all_objects.filter(pk=taken.pk, center__in=centers_visible_to(self.user))
        if not visible.exists():
            raise ValidationError(self.error_messages["id_unusable"], code="id_unusable")
        code = "id_of_deleted_patient" if taken.is_deleted else "id_taken"
        raise ValidationError(
            self.error_messages[code], code=code, params={"patient_id": taken.patient_id}
        )


def _record_form(model, table: str, *, widgets=None):
    columns = [name for name in TABLES[table].column_names if name != "patient_id"]
    meta = type("Meta", (), {"model": model, "fields": columns, "widgets": widgets or {}})
    return type(f"{model.__name__}Form", (ContractForm,), {"table": table, "Meta": meta})


BiopsyForm = _record_form(Biopsy, "biopsies")
GeneticsForm = _record_form(Genetics, "genetics")
VisitForm = _record_form(Visit, "visits")


class LabForm(_record_form(Lab, "labs")):
    """A lab result; the unit is picked from the units the data contract accepts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = dict.fromkeys(unit for test in LAB_TESTS.values() for unit in test.units)
        accepted = "; ".join(f"{name}: {', '.join(test.units)}" for name, test in LAB_TESTS.items())
        self.fields["unit"] = forms.ChoiceField(
            choices=[("", "---------")] + [(unit, unit) for unit in units],
            label=_("unit"),
            help_text=_("Accepted units per test. {accepted}.").format(accepted=accepted),
        )


MedicationForm = _record_form(Medication, "medications")
EventForm = _record_form(Event, "events")

# Bundle table name -> form for one of its rows.
RECORD_FORMS = {
    "biopsies": BiopsyForm,
    "genetics": GeneticsForm,
    "visits": VisitForm,
    "labs": LabForm,
    "medications": MedicationForm,
    "events": EventForm,
}


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("Bundle file"),
        help_text=_(
            "A .zip of the CSV folder (patients.csv, visits.csv, ...) or one .xlsx workbook."
        ),
    )

    def clean_bundle(self):
        upload = self.cleaned_data["bundle"]
        name = upload.name.lower()
        if not (name.endswith(".zip") or name.endswith(".xlsx")):
            raise ValidationError(
                _("The file must be a .zip of CSV files or an .xlsx workbook (got %(name)s)."),
                code="bad_extension",
                params={"name": upload.name},
            )
        return upload


class ExportForm(forms.Form):
    identifiable = forms.BooleanField(
        required=False,
        label=_("Include real IDs and dates (identifiable export)"),
        help_text=_(
            "Only administrators may export real IDs and dates. "
            "Otherwise patients get pseudonyms and dates are shifted."
        ),
    )
    include_withdrawn_consent = forms.BooleanField(
        required=False,
        label=_("Include patients whose consent was withdrawn or whose required assent is missing"),
        help_text=_(
            "Left out by default. Only administrators may include them; the choice is "
            "written to the access log."
        ),
    )
