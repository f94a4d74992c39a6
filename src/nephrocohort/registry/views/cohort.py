"""The cohort report, computed in the background from the database, and the data-quality list."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from nephrocohort.clinical.rules import list_rule_sets
from nephrocohort.i18n import active_language
from nephrocohort.registry import jobs
from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.consent import OVERRIDE_FIELD, asked_to_include_withdrawn, log_override
from nephrocohort.registry.models import BackgroundJob, JobFile, Patient
from nephrocohort.registry.quality import quality_findings
from nephrocohort.registry.relative_dates import DateShown, date_shown_for, sees_identifiable_dates
from nephrocohort.registry.views._common import ReasonedNotFound, chosen_rule_set, registry_view

_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
_STEP_LABELS = {
    "": _("Waiting for the worker"),
    "reading": _("Reading the records from the database"),
    "computing": _("Deriving the analysis dataset and computing the results"),
    "rendering": _("Writing the report (HTML, Word, Excel, JSON)"),
}
# How often the page asks again while the report is being computed.
_REFRESH_SECONDS = 2


# The HTML report is one self-contained page: its style inline, its figures
# data: images, and no script at all, so nothing else may load or run in it.
REPORT_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
}


def _report_request(request) -> tuple[dict, str, str, bool]:
    scope = jobs.cohort_scope(request.user)
    rule_set = chosen_rule_set(request)
    include = asked_to_include_withdrawn(request, request.GET)
    key = jobs.report_key(scope, rule_set, active_language(), include_withdrawn=include)
    return scope, rule_set, key, include


def _report_query(rule_set: str, include: bool) -> str:
    query = {"rule_set": rule_set, **({OVERRIDE_FIELD: "1"} if include else {})}
    return urlencode(query)


@registry_view("report")
def cohort_page(request):
    """The report's state for the user's centers: compute it, watch it progress, download it."""
    scope, rule_set, key, include = _report_request(request)
    job = jobs.latest_job(key)
    if job is not None:
        jobs.keep_queue_moving(job)
    done = jobs.latest_done_job(key)
    current = done is not None and done.data_stamp == jobs.cohort_stamp(scope)
    context = {
        "n_patients": jobs.scope_patients(scope).count(),
        "rule_sets": list_rule_sets(),
        "rule_set": rule_set,
        "include_withdrawn": include,
        "report_query": _report_query(rule_set, include),
        "formats": list(_CONTENT_TYPES),
        "job": job,
        "done": done,
        "current": current,
        "step_label": _STEP_LABELS.get(job.step, job.step) if job else "",
        "error_text": jobs.failure_text(job) if job else "",
        "refresh_seconds": _REFRESH_SECONDS if job is not None and not job.is_finished else None,
    }
    return render_page(request, "registry/cohort.html", context)


@require_POST
@registry_view("report")
def cohort_report_start(request):
    """Ask for the report; the request returns at once and the page shows the progress."""
    scope, rule_set, key, include = _report_request(request)
    params = {"scope": scope, "rule_set": rule_set, "lang": active_language()}
    if include:
        params[OVERRIDE_FIELD] = True
        log_override(request, f"cohort report ({rule_set})")
    jobs.submit(
        BackgroundJob.Kind.REPORT, key, params, request.user, data_stamp=jobs.cohort_stamp(scope)
    )
    return redirect(f"{reverse('registry:cohort')}?{_report_query(rule_set, include)}")


@registry_view("report")
def cohort_report_download(request, fmt: str):
    """The newest computed report for the user's centers, as it was stored by the worker."""
    if fmt not in _CONTENT_TYPES:
        raise ReasonedNotFound(
            f"There is no report format '{fmt}'; choose one of: {', '.join(_CONTENT_TYPES)}."
        )
    _scope, rule_set, key, include = _report_request(request)
    done = jobs.latest_done_job(key)
    stored = JobFile.objects.filter(job=done, name=fmt).first() if done else None
    if stored is None:
        raise ReasonedNotFound(
            "This report has not been computed yet for your centers and this rule set: "
            "open the Cohort report page and choose 'Compute the report'."
        )
    # The report lists patients by their study IDs: counted as identifiable.
    withdrawn = ", withdrawn consent included" if include else ""
    what = f"report.{fmt} ({rule_set}{withdrawn})"
    record_event(request, "report_download", what=what, identifiable=True)
    response = HttpResponse(bytes(stored.content), content_type=_CONTENT_TYPES[fmt])
    if fmt == "html":
        # django-csp's per-response replacement (what its csp_replace decorator sets).
        response._csp_replace = REPORT_POLICY
    else:
        response["Content-Disposition"] = f'attachment; filename="report-{rule_set}.{fmt}"'
    return response


# Up to this many patients the data-quality list is computed in the request (under a
# second); a larger center's list comes from a background job, like the report.
QUALITY_INLINE_MAX_PATIENTS = 200


@registry_view("view")
def quality_page(request):
    scope = jobs.cohort_scope(request.user)
    patients = Patient.objects.visible_to(request.user)
    context = {"job": None, "refresh_seconds": None}
    if patients.count() <= QUALITY_INLINE_MAX_PATIENTS:
        findings = quality_findings(patients)
    else:
        findings, context = _background_findings(request, scope)
    findings = _dates_as_user_sees_them(request.user, findings)
    patients = sorted({(f.patient_id, f.patient_pk) for f in findings})
    by_patient = [
        (patient_id, pk, [f for f in findings if f.patient_pk == pk]) for patient_id, pk in patients
    ]
    context.update(by_patient=by_patient, count=len(findings))
    return render_page(request, "registry/quality.html", context)


def _dates_as_user_sees_them(user, findings) -> list:
    """Findings whose sentences name dates, as a de-identified role may read them (day N)."""
    if sees_identifiable_dates(user):
        return findings
    patients = Patient.objects.visible_to(user).filter(pk__in={f.patient_pk for f in findings})
    shown = {patient.pk: date_shown_for(user, patient) for patient in patients}
    return [
        dataclasses.replace(f, message=shown[f.patient_pk].text(f.message))
        if f.patient_pk in shown
        else dataclasses.replace(f, message=DateShown(identifiable=False).text(f.message))
        for f in findings
    ]


def _background_findings(request, scope) -> tuple[list, dict]:
    """The newest computed list (asking for a new one when the data changed since)."""
    from nephrocohort.registry.quality import Finding

    key, stamp = jobs.quality_key(scope), jobs.cohort_stamp(scope)
    job = jobs.submit(
        BackgroundJob.Kind.QUALITY, key, {"scope": scope}, request.user, data_stamp=stamp
    )
    jobs.keep_queue_moving(job)
    done = jobs.latest_done_job(key)
    findings = [Finding(**data) for data in done.result["findings"]] if done else []
    context = {
        "job": job,
        "done": done,
        "refresh_seconds": None if job.is_finished else _REFRESH_SECONDS,
        "error_text": jobs.failure_text(job),
    }
    return findings, context
