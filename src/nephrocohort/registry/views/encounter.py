"""The encounter page: one visit with its labs and medication changes, saved at once."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nephrocohort.registry.dates import date_pattern
from nephrocohort.registry.encounter import (
    TEXT_VALUE_TESTS,
    AlreadySavedError,
    Encounter,
    units_by_test,
)
from nephrocohort.registry.models import EditConflictError, Patient
from nephrocohort.registry.views._common import registry_view, visible_patient


@registry_view("edit")
def encounter_create(request, pk: int):
    patient = visible_patient(request, pk)
    encounter = Encounter(patient, request.POST if request.method == "POST" else None)
    # The token first: a form sent again is answered "already saved", not checked again
    # (its rows now exist, so checking them would report them as duplicates).
    if request.method == "POST" and encounter.already_saved:
        return _already_saved(request, patient)
    if request.method == "POST" and encounter.is_valid():
        try:
            count = encounter.save(request.user)
        except AlreadySavedError:
            # Sent twice at once: the other request stored the token between our check and save.
            return _already_saved(request, patient)
        except EditConflictError as conflict:
            # Nothing was stored; the page keeps every value the user typed.
            messages.error(request, str(conflict))
            data = Encounter(patient).with_current_versions(request.POST)
            encounter = Encounter(patient, data, conflict=conflict)
            encounter.is_valid()
        else:
            messages.success(
                request,
                ngettext("Visit saved: %(count)d record.", "Visit saved: %(count)d records.", count)
                % {"count": count},
            )
            return _after_save(request, patient)
    context = {
        "patient": patient,
        "encounter": encounter,
        "units_json": json.dumps(units_by_test()),
        "text_tests_json": json.dumps(list(TEXT_VALUE_TESTS)),
        "date_pattern": date_pattern(),
    }
    return render(request, "registry/encounter_form.html", context)


def _already_saved(request, patient):
    messages.info(
        request, _("This visit was already saved (the form was sent twice); it is stored once.")
    )
    return redirect("registry:patient_detail", pk=patient.pk)


def _after_save(request, patient):
    """Where the page's buttons go after saving: another visit, the next patient, or back."""
    step = request.POST.get("then", "patient")
    if step == "another":
        return redirect("registry:encounter_create", pk=patient.pk)
    if step == "next_patient":
        following = (
            Patient.objects.visible_to(request.user)
            .filter(patient_id__gt=patient.patient_id)
            .order_by("patient_id")
            .first()
        )
        if following is None:
            messages.info(request, _("That was the last patient of the list."))
            return redirect("registry:patient_list")
        return redirect("registry:encounter_create", pk=following.pk)
    return redirect("registry:patient_detail", pk=patient.pk)
