"""The access log (logins, failed logins, downloads), for administrators: a page and a CSV."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from nephrocohort.cohort.spreadsheet_cells import safe_csv_writer
from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.audit_chain import verify_chain
from nephrocohort.registry.models import AccessEvent
from nephrocohort.registry.views._common import registry_view

_SHOWN = 500
_COLUMNS = ["when_utc", "user", "action", "what", "identifiable", "ip_address"]


def _events(request):
    events = AccessEvent.objects.all()
    action = request.GET.get("action", "")
    if action in AccessEvent.Action.values:
        events = events.filter(action=action)
    return events, action


@registry_view("access_log")
def access_log_page(request):
    events, action = _events(request)
    context = {
        "events": events[:_SHOWN],
        "shown": _SHOWN,
        "actions": AccessEvent.Action.choices,
        "action": action,
        "chain": verify_chain(first_only=True),
    }
    return render(request, "registry/access_log.html", context)


@registry_view("access_log")
def access_log_csv(request):
    events, action = _events(request)
    record_event(request, "access_log_download", what=f"access log ({action or 'all'})")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    writer = safe_csv_writer(response)
    writer.writerow(_COLUMNS)
    for event in events.iterator():
        writer.writerow(
            [
                event.when.strftime("%Y-%m-%d %H:%M:%S"),
                event.username,
                event.action,
                event.what,
                "yes" if event.identifiable else "no",
                event.ip_address or "",
            ]
        )
    return response
