"""One page per encounter: the visit's measurements, its lab results and medication changes.

The date is entered once and given to every row. Each row is checked by the
form of its own table (``forms.VisitForm``, ``LabForm``, ``MedicationForm``),
that is, by the bundle loader's rules, so this page accepts exactly what the
one-record forms and a bundle file accept. Everything is saved in one
transaction, or nothing: a refused row, an edit conflict on a course being
stopped, or the same form sent twice (its one-time token is already stored)
leaves the database as it was and the page shows what the user typed.
"""

from __future__ import annotations

import re
import secrets

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from nephrocohort.cohort.vocabulary import DOSE_UNITS, LAB_TESTS
from nephrocohort.registry.conflicts import last_change
from nephrocohort.registry.dates import DateField, DateInput, format_date
from nephrocohort.registry.forms import LabForm, MedicationForm, VisitForm
from nephrocohort.registry.labels import (
    DRUG_LABELS,
    SCHEDULE_LABELS,
    TEST_LABELS,
    YES_NO_LABELS,
    choices,
)
from nephrocohort.registry.models import FormSubmission, Medication

__all__ = ["EncounterForm", "LabRowForm", "StartForm", "StopForm", "Encounter", "AlreadySavedError"]

# The lab rows a follow-up visit usually has, offered filled in (the user types the values).
USUAL_TESTS = ("upcr", "serum_albumin", "serum_creatinine")
EXTRA_LAB_ROWS = 3
# Tests whose results are words or grades ("2+"), typed with a text keyboard.
TEXT_VALUE_TESTS = ("dipstick_protein",)
STOP_KEY = re.compile(r"stop(\d+)-stop")
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
START_ROWS = 2


class AlreadySavedError(Exception):
    """This form's token is stored: the same form was sent again (a double click, a retry)."""


class NumberField(forms.FloatField):
    """A number typed with a decimal point or comma (``16,5`` in es and pt-BR).

    A text box with the decimal keyboard (``inputmode``), not ``type=number``:
    Chromium's number input in a Spanish page drops a typed comma, so "16,5" kg
    reached the server as 165 (measured by tests/registry/test_browser_encounter.py).
    """

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if DECIMAL_COMMA.fullmatch(text):
            value = text.replace(",", ".")
        return super().to_python(value)


def _number(label, unit: str) -> NumberField:
    attrs = {"inputmode": "decimal", "size": 6, "autocomplete": "off", "data-unit": unit}
    return NumberField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


class EncounterForm(forms.Form):
    date = DateField(
        label=_("Date of the visit"),
        widget=DateInput(attrs={"autofocus": True, "aria-required": "true"}),
    )
    weight_kg = _number(_("Weight"), "kg")
    height_cm = _number(_("Height"), "cm")
    sbp_mmhg = _number(_("Systolic blood pressure"), "mmHg")
    dbp_mmhg = _number(_("Diastolic blood pressure"), "mmHg")
    edema = forms.ChoiceField(label=_("Edema"), required=False, choices=choices(YES_NO_LABELS))
    confirm_unusual_values = forms.BooleanField(
        required=False,
        label=_("I confirm these values"),
        help_text=_("Tick only after checking the values flagged above."),
    )
    submission = forms.CharField(widget=forms.HiddenInput)

    VISIT_FIELDS = ("weight_kg", "height_cm", "sbp_mmhg", "dbp_mmhg", "edema")


class LabRowForm(forms.Form):
    test = forms.ChoiceField(label=_("Test"), required=False, choices=choices(TEST_LABELS))
    # Text, not type=number: a dipstick grade is "2+" (the page's script sets the
    # keyboard to text for those tests, decimal for the others).
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"size": 8, "inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("", "---------")]
        + [(u, u) for u in dict.fromkeys(u for t in LAB_TESTS.values() for u in t.units)],
    )

    def clean_value(self) -> str:
        """A decimal comma (``0,15``, as typed in es and pt-BR) is the decimal point stored."""
        value = (self.cleaned_data.get("value") or "").strip()
        if DECIMAL_COMMA.fullmatch(value):
            value = value.replace(",", ".")
        return value

    @property
    def is_filled(self) -> bool:
        return bool((self.cleaned_data.get("value") or "").strip())


class StartForm(forms.Form):
    drug = forms.ChoiceField(label=_("Drug"), required=False, choices=choices(DRUG_LABELS))
    dose = _number(_("Dose"), "")
    dose_unit = forms.ChoiceField(
        label=_("Dose unit"),
        required=False,
        choices=[("", "---------")] + [(u, u) for u in DOSE_UNITS],
    )
    schedule = forms.ChoiceField(
        label=_("Schedule"), required=False, choices=choices(SCHEDULE_LABELS)
    )

    @property
    def is_filled(self) -> bool:
        return bool(self.cleaned_data.get("drug"))


class StopForm(forms.Form):
    """Stop one ongoing course on the visit's date."""

    course = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    stop = forms.BooleanField(label=_("Stop on this date"), required=False)
    stop_reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


def units_by_test() -> dict[str, list[str]]:
    """The units each test accepts, canonical first (the page narrows the unit list with it)."""
    return {name: list(test.units) for name, test in LAB_TESTS.items()}


class Encounter:
    """The bound page: its parts, their checks, and the one-transaction save."""

    def __init__(self, patient, data=None, *, conflict=None):
        self.patient = patient
        # The refused save's conflict: its changes are shown on the course's row.
        self.conflict = conflict
        self.ongoing = list(
            Medication.objects.filter(patient=patient, end_date__isnull=True).order_by("start_date")
        )
        prefix_data = data if data is not None else None
        initial = {"submission": secrets.token_urlsafe(24)}
        self.main = EncounterForm(prefix_data, initial=initial)
        lab_initial = [{"test": test, "unit": LAB_TESTS[test].units[0]} for test in USUAL_TESTS] + [
            {} for _ in range(EXTRA_LAB_ROWS)
        ]
        self.labs = [
            LabRowForm(prefix_data, prefix=f"lab{i}", initial=row)
            for i, row in enumerate(lab_initial)
        ]
        self.starts = [StartForm(prefix_data, prefix=f"start{i}") for i in range(START_ROWS)]
        self.stops = [
            StopForm(
                prefix_data,
                prefix=f"stop{course.pk}",
                initial={"course": course.pk, "version": course.version},
            )
            for course in self.ongoing
        ]
        self.warnings: list[str] = []
        self._rows: list = []  # (kind, part form, contract form)

    @property
    def already_saved(self) -> bool:
        """The posted one-time token is stored: this exact form was saved before."""
        token = self.main.data.get("submission") if self.main.is_bound else None
        return bool(token) and FormSubmission.objects.filter(token=token).exists()

    @property
    def visit_rows(self) -> list:
        """(bound field, unit) of the visit's measurements, in the page's order."""
        units = {"weight_kg": "kg", "height_cm": "cm", "sbp_mmhg": "mmHg", "dbp_mmhg": "mmHg"}
        return [(self.main[name], units.get(name, "")) for name in EncounterForm.VISIT_FIELDS]

    @property
    def stop_rows(self) -> list:
        """(stop form, course, drug's label, changes saved meanwhile) of each ongoing course."""
        conflict = self.conflict
        return [
            (
                stop,
                course,
                DRUG_LABELS.get(course.drug, course.drug),
                "; ".join(str(c) for c in conflict.changes)
                if conflict is not None and conflict.record.pk == course.pk
                else "",
            )
            for stop, course in zip(self.stops, self.ongoing, strict=True)
        ]

    def with_current_versions(self, data):
        """``data`` with each ongoing course's current version (after a conflict the user has
        seen the newer values, so saving again is deliberate)."""
        data = data.copy()
        for course in self.ongoing:
            data[f"stop{course.pk}-version"] = str(course.version)
        return data

    def _courses_gone(self) -> list[str]:
        """Sentences for courses the user ticked to stop that were deleted or stopped meanwhile."""
        ongoing = {course.pk for course in self.ongoing}
        ticked = [
            int(match.group(1))
            for key in self.main.data
            if (match := STOP_KEY.fullmatch(key)) and self.main.data.get(key)
        ]
        sentences = []
        for pk in ticked:
            if pk in ongoing:
                continue
            course = Medication.all_objects.filter(pk=pk, patient=self.patient).first()
            if course is None:
                continue
            label = DRUG_LABELS.get(course.drug, course.drug)
            who, when = last_change(course)
            if course.is_deleted:
                text = _(
                    "The %(drug)s course you marked to stop was deleted by %(who)s on %(when)s "
                    "while this page was open; nothing was saved. Check the page and save again."
                )
            else:
                text = _(
                    "The %(drug)s course you marked to stop was already stopped (on %(end)s) by "
                    "%(who)s on %(when)s while this page was open; nothing was saved. Check the "
                    "page and save again."
                )
            sentences.append(
                text
                % {
                    "drug": label,
                    "who": who or _("another user"),
                    "when": when,
                    "end": format_date(course.end_date),
                }
            )
        return sentences

    @property
    def parts(self) -> list:
        return [self.main, *self.labs, *self.starts, *self.stops]

    def is_valid(self) -> bool:
        if not all(part.is_valid() for part in self.parts):
            return False
        gone = self._courses_gone()
        for sentence in gone:
            self.main.add_error(None, sentence)
        if gone:
            return False
        main = self.main.cleaned_data
        date = main["date"].isoformat()
        confirm = "on" if main.get("confirm_unusual_values") else ""
        rows = []
        visit = {name: main.get(name) for name in EncounterForm.VISIT_FIELDS}
        if any(value not in (None, "") for value in visit.values()):
            data = {"date": date, **_texts(visit), "confirm_unusual_values": confirm}
            rows.append((self.main, VisitForm(data, patient=self.patient)))
        for lab in self.labs:
            if lab.is_filled:
                data = {"date": date, **_texts(lab.cleaned_data), "confirm_unusual_values": confirm}
                rows.append((lab, LabForm(data, patient=self.patient)))
        for start in self.starts:
            if start.is_filled:
                data = {"start_date": date, **_texts(start.cleaned_data)}
                data["confirm_unusual_values"] = confirm
                rows.append((start, MedicationForm(data, patient=self.patient)))
        courses = {course.pk: course for course in self.ongoing}
        for stop in self.stops:
            course = courses.get(stop.cleaned_data["course"])
            if course is None or not stop.cleaned_data["stop"]:
                continue
            data = {
                **_texts(_course_row(course)),
                "end_date": date,
                "stop_reason": stop.cleaned_data["stop_reason"],
                "version": stop.cleaned_data["version"],
                "confirm_unusual_values": confirm,
            }
            rows.append((stop, MedicationForm(data, instance=course, patient=self.patient)))
        valid = True
        for part, contract in rows:
            if not contract.is_valid():
                valid = False
                _copy_errors(contract, part)
            self.warnings += [w for w in contract.warnings if w not in self.warnings]
        if self.warnings and not main.get("confirm_unusual_values"):
            self.main.add_error(
                "confirm_unusual_values",
                _(
                    "Some values are outside the plausible range (see above). "
                    "Correct them, or tick this box to confirm they are right."
                ),
            )
            valid = False
        if not rows:
            self.main.add_error(
                None, _("Nothing to save: enter a measurement, a lab value or a medication change.")
            )
            valid = False
        self._rows = rows
        return valid

    def save(self, user) -> int:
        """Store every row, all or nothing; the number of rows stored."""
        token = self.main.cleaned_data["submission"]
        # An edit conflict (``EditConflictError``) raised by a save rolls all of it back.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    FormSubmission.objects.create(token=token, user=user)
            except IntegrityError:
                raise AlreadySavedError from None
            for _part, contract in self._rows:
                contract.save()
        return len(self._rows)


def _texts(values: dict) -> dict:
    return {key: "" if value is None else value for key, value in values.items()}


def _course_row(course) -> dict:
    return {
        "drug": course.drug,
        "start_date": course.start_date.isoformat(),
        "dose": course.dose,
        "dose_unit": course.dose_unit,
        "schedule": course.schedule,
    }


def _copy_errors(contract, part) -> None:
    """Show a row's refusal next to the row the user typed it in."""
    for field, errors in contract.errors.items():
        if field == "confirm_unusual_values":
            continue
        target = field if field in part.fields else None
        for error in errors:
            part.add_error(target, error)
