"""A patient's audit trail: every create, update and delete of it and its records.

Clinical dates in the old and new values are shown as the user may see them
(days since onset for a de-identified role, ``relative_dates``); the times
the rows were saved are shown as they are.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from nephrocohort.cohort.spreadsheet_cells import safe_csv_writer
from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.audit import patient_audit_trail, shown_changes
from nephrocohort.registry.relative_dates import date_shown_for
from nephrocohort.registry.views._common import registry_view, visible_patient


@registry_view("audit")
def audit_page(request, pk: int):
    patient = visible_patient(request, pk)
    dates = date_shown_for(request.user, patient)
    entries = [(entry, shown_changes(entry, dates)) for entry in patient_audit_trail(patient)]
    context = {"patient": patient, "entries": entries, "dates": dates}
    return render(request, "registry/audit.html", context)


@registry_view("audit")
def audit_csv(request, pk: int):
    patient = visible_patient(request, pk)
    dates = date_shown_for(request.user, patient)
    record_event(
        request,
        "audit_download",
        what=f"audit trail of patient #{patient.pk}",
        identifiable=dates.identifiable,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{patient.pk}.csv"'
    writer = safe_csv_writer(response)
    writer.writerow(["when_utc", "user", "action", "record", "record_id", "field", "old", "new"])
    for entry in patient_audit_trail(patient):
        changes = shown_changes(entry, dates) or [("", "", "")]
        for field, old, new in changes:
            writer.writerow(
                [
                    entry.when.strftime("%Y-%m-%d %H:%M:%S"),
                    entry.user,
                    entry.action,
                    entry.record,
                    entry.record_id,
                    field,
                    old,
                    new,
                ]
            )
    return response
