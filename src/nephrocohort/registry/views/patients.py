"""Patient list, patient page, and creating, editing and deleting patients."""

from __future__ import annotations

import pandas as pd
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from nephrocohort.clinical.rules import list_rule_sets, load_rule_set
from nephrocohort.cohort.analysis import ANALYSIS_VARIABLES, SHOWN_FIRST_COLUMNS
from nephrocohort.i18n import active_language
from nephrocohort.i18n import gettext as i18n_gettext
from nephrocohort.registry.caching import cached_for_patient
from nephrocohort.registry.conflicts import saved_meanwhile, with_current_version
from nephrocohort.registry.conversion import cohort_from_db
from nephrocohort.registry.forms import PatientForm
from nephrocohort.registry.labels import COLUMN_HEADERS, SEX_LABELS, TABLE_LABELS
from nephrocohort.registry.latest import latest_values, ongoing_medications
from nephrocohort.registry.models import (
    CHILD_MODELS,
    EditConflictError,
    Patient,
    PatientSignature,
    user_can,
)
from nephrocohort.registry.patient_summary import explain_patient
from nephrocohort.registry.relative_dates import DateShown, date_shown_for, sees_identifiable_dates
from nephrocohort.registry.signatures import locking_signature
from nephrocohort.registry.views._common import (
    chosen_rule_set,
    posted_version,
    registry_view,
    visible_patient,
)

PAGE_SIZE = 50


@registry_view("view")
def patient_list(request):
    patients = Patient.objects.visible_to(request.user).select_related("center")
    query = request.GET.get("q", "").strip()
    if query:
        patients = patients.filter(patient_id__icontains=query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    for patient in page:
        patient.dates = date_shown_for(request.user, patient)
    context = {
        "page": page,
        "query": query,
        "dates_identifiable": sees_identifiable_dates(request.user),
    }
    return render(request, "registry/patient_list.html", context)


@registry_view("view")
def patient_detail(request, pk: int):
    """What a clinician looks at first: summary, add buttons, timeline, latest values, records.

    The derived values and their rules are on their own tab (``patient_derived``).
    """
    patient = visible_patient(request, pk)
    # Record URLs are built from one base per table: reversing two URLs per row
    # was a large share of the page's rendering time for long records.
    sections = [
        (
            table,
            TABLE_LABELS[table][0],
            getattr(patient, _related(model)).all(),
            reverse("registry:record_create", args=[patient.pk, table]).removesuffix("new/"),
            COLUMN_HEADERS[table],
        )
        for table, model in CHILD_MODELS.items()
    ]
    # A signature locks the patient: no edit links while it stands (21 CFR 11.50: it is shown).
    signature = locking_signature(patient.pk)
    can_edit = user_can(request.user, "edit") and signature is None
    dates = date_shown_for(request.user, patient)

    def records_html() -> str:
        # Holds no per-user token (deleting goes through a confirmation page),
        # so one rendering serves every user with the same edit right, language
        # and view of dates (calendar dates or days since onset).
        context = {"sections": sections, "can_edit": can_edit, "dates": dates}
        return render_to_string("registry/_patient_records.html", context)

    key = f"records:{active_language()}:{can_edit}:{dates.cache_key}"
    html = cached_for_patient(patient, key, records_html)
    context = {
        "patient": patient,
        "dates": dates,
        "sex_label": SEX_LABELS.get(patient.sex, patient.sex or "?"),
        "add_links": [(table, labels[1]) for table, labels in TABLE_LABELS.items()],
        "latest": latest_values(patient),
        "ongoing": ongoing_medications(patient),
        "rule_set_name": chosen_rule_set(request),
        "rule_set_names": list_rule_sets(),
        "records_html": mark_safe(html),  # rendered (and escaped) by our own template
        "signature": signature,
        # Every signature, voided ones too (21 CFR 11.50 on the record; 11.10(e)), oldest first.
        "signatures": PatientSignature.objects.filter(patient=patient).order_by("signed_at", "pk"),
        "editable": can_edit,
        "can_lock": user_can(request.user, "lock"),
    }
    return render(request, "registry/patient_detail.html", context)


@registry_view("view")
def patient_derived(request, pk: int):
    """The patient's derived values under a rule set, each with its rule and its evidence."""
    patient = visible_patient(request, pk)
    name = chosen_rule_set(request)
    dates = date_shown_for(request.user, patient)

    def derived_html() -> str:
        return render_to_string("registry/_derived.html", _derived(patient, name, dates))

    key = f"derived:{name}:{active_language()}:{dates.cache_key}"
    context = {
        "patient": patient,
        "dates": dates,
        "rule_set_name": name,
        "rule_set_names": list_rule_sets(),
        # rendered (and escaped) by our own template
        "derived_html": mark_safe(cached_for_patient(patient, key, derived_html)),
    }
    return render(request, "registry/patient_derived.html", context)


# Derived values shown first on the patient page (declared in nephrocohort.cohort.analysis);
# the rest are under "all derived values".
KEY_DERIVED = SHOWN_FIRST_COLUMNS
# Each derived column's name for a reader (the column name itself is shown small, for exports).
VARIABLE_LABELS = {variable.name: variable.label for variable in ANALYSIS_VARIABLES}


def _derived(patient, rule_set_name: str, dates: DateShown) -> dict:
    cohort = cohort_from_db(Patient.objects.filter(pk=patient.pk))
    rule_set = load_rule_set(rule_set_name)
    explanation, problem = explain_patient(cohort, rule_set)
    if explanation is None:
        return {"derived_problem": problem, "rule_set": rule_set}
    rows = [_shown(item, dates) for item in explanation.values]
    key = [row for row in rows if row["column"] in KEY_DERIVED]
    rest = [row for row in rows if row["column"] not in KEY_DERIVED]
    return {"derived_key": key, "derived_rest": rest, "rule_set": rule_set}


def _shown(item, dates: DateShown) -> dict:
    """An explained value ready for a template: missing values and dates spelled out.

    Dates, also those inside the evidence's sentences, as ``dates`` shows them.
    """
    value = item.value
    if value is None or (not isinstance(value, str | tuple | list) and pd.isna(value)):
        text = _("(missing)")
    elif isinstance(value, pd.Timestamp):
        text = dates.date(value)
    elif isinstance(value, float):
        text = f"{value:.3g}"
    else:
        text = dates.text(value)
    evidence = [
        {
            "table": record.table,
            "date": dates.date(record.date),
            "description": dates.text(record.description),
        }
        for record in item.evidence
    ]
    return {
        "column": item.column,
        "label": i18n_gettext(VARIABLE_LABELS.get(item.column, item.column)),
        "value": text,
        "rule": item.rule,
        "window": dates.text(item.window or ""),
        "evidence": evidence,
    }


def _related(model) -> str:
    return model._meta.get_field("patient").remote_field.related_name


@registry_view("edit")
def patient_create(request):
    form = PatientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                patient = form.save()
        except IntegrityError:
            # Someone stored the same ID between the form's check and this save.
            form.add_error("patient_id", form.error_messages["id_unusable"])
            return render(request, "registry/patient_form.html", {"form": form, "patient": None})
        messages.success(request, _("Patient {id} created.").format(id=patient.patient_id))
        return redirect("registry:patient_detail", pk=patient.pk)
    return render(request, "registry/patient_form.html", {"form": form, "patient": None})


@registry_view("edit")
def patient_edit(request, pk: int):
    patient = visible_patient(request, pk)
    form = PatientForm(request.POST or None, instance=patient, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except EditConflictError as conflict:
            messages.error(request, str(conflict))
            # The typed values stay; the values saved meanwhile are shown beside them.
            current = visible_patient(request, pk)
            data = with_current_version(request.POST, current)
            form = PatientForm(data, instance=current, user=request.user)
            context = {
                "form": form,
                "patient": current,
                "saved_meanwhile": saved_meanwhile(form, current),
            }
            return render(request, "registry/patient_form.html", context)
        else:
            messages.success(request, _("Patient {id} saved.").format(id=patient.patient_id))
            return redirect("registry:patient_detail", pk=patient.pk)
    return render(request, "registry/patient_form.html", {"form": form, "patient": patient})


@registry_view("edit")
def patient_delete(request, pk: int):
    patient = visible_patient(request, pk)
    if request.method != "POST":
        context = {"patient": patient, "record": patient, "kind": "patient record"}
        return render(request, "registry/confirm_delete.html", context)
    try:
        patient.soft_delete(expected_version=posted_version(request, patient.version))
    except EditConflictError as conflict:
        messages.error(request, str(conflict))
        return redirect("registry:patient_detail", pk=pk)
    messages.success(
        request, _("Patient {id} marked deleted (kept in history).").format(id=patient.patient_id)
    )
    return redirect("registry:patient_list")
