"""A patient's audit trail: every create, update and delete of it and its records."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from nephrocohort.cohort.spreadsheet_cells import safe_csv_writer
from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.audit import patient_audit_trail
from nephrocohort.registry.views._common import registry_view, visible_patient


@registry_view("audit")
def audit_page(request, pk: int):
    patient = visible_patient(request, pk)
    entries = patient_audit_trail(patient)
    return render(request, "registry/audit.html", {"patient": patient, "entries": entries})


@registry_view("audit")
def audit_csv(request, pk: int):
    patient = visible_patient(request, pk)
    record_event(
        request, "audit_download", what=f"audit trail of patient #{patient.pk}", identifiable=True
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{patient.pk}.csv"'
    writer = safe_csv_writer(response)
    writer.writerow(["when_utc", "user", "action", "record", "record_id", "field", "old", "new"])
    for entry in patient_audit_trail(patient):
        changes = entry.changes or [("", "", "")]
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
