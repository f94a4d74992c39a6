"""Adding, editing and deleting a patient's biopsies, genetics, visits, labs, medications, events."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nephrocohort.registry.conflicts import deleted_sentence, saved_meanwhile, with_current_version
from nephrocohort.registry.forms import RECORD_FORMS
from nephrocohort.registry.models import EditConflictError
from nephrocohort.registry.views._common import (
    RecordGone,
    posted_version,
    record_model,
    registry_view,
    visible_patient,
    visible_record,
)


def _render(request, form, patient, table, record, saved=None):
    model = record_model(table)
    context = {
        "form": form,
        "patient": patient,
        "table": table,
        "record": record,
        "kind": model._meta.verbose_name,
        "saved_meanwhile": saved or {},
    }
    return render(request, "registry/record_form.html", context)


@registry_view("edit")
def record_create(request, pk: int, table: str):
    patient = visible_patient(request, pk)
    record_model(table)
    form = RECORD_FORMS[table](request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(
            request, _("{kind} added.").format(kind=capfirst(record._meta.verbose_name))
        )
        return redirect("registry:patient_detail", pk=patient.pk)
    return _render(request, form, patient, table, None)


@registry_view("edit")
def record_edit(request, pk: int, table: str, record_pk: int):
    patient = visible_patient(request, pk)
    record = visible_record(request, patient, table, record_pk)
    form = RECORD_FORMS[table](request.POST or None, instance=record, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except EditConflictError as conflict:
            if conflict.record.is_deleted:
                raise RecordGone(deleted_sentence(conflict.record)) from None
            messages.error(request, str(conflict))
            # The typed values stay; the values saved meanwhile are shown beside them.
            current = visible_record(request, patient, table, record_pk)
            data = with_current_version(request.POST, current)
            form = RECORD_FORMS[table](data, instance=current, patient=patient)
            return _render(request, form, patient, table, current, saved_meanwhile(form, current))
        else:
            messages.success(
                request, _("{kind} saved.").format(kind=capfirst(record._meta.verbose_name))
            )
            return redirect("registry:patient_detail", pk=patient.pk)
    return _render(request, form, patient, table, record)


@registry_view("edit")
def record_delete(request, pk: int, table: str, record_pk: int):
    patient = visible_patient(request, pk)
    record = visible_record(request, patient, table, record_pk)
    if request.method != "POST":
        context = {"patient": patient, "record": record, "kind": record._meta.verbose_name}
        return render(request, "registry/confirm_delete.html", context)
    try:
        record.soft_delete(expected_version=posted_version(request, record.version))
    except EditConflictError as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(
            request,
            _("{kind} marked deleted (kept in history).").format(
                kind=capfirst(record._meta.verbose_name)
            ),
        )
    return redirect("registry:patient_detail", pk=patient.pk)
