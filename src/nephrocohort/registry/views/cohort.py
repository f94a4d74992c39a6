"""The cohort report, live from the database, and the data-quality list."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render as render_page

from nephrocohort.clinical.rules import list_rule_sets
from nephrocohort.exceptions import NephroCohortError
from nephrocohort.registry.conversion import cohort_from_db
from nephrocohort.registry.models import Patient
from nephrocohort.registry.quality import quality_findings
from nephrocohort.registry.views._common import ReasonedNotFound, chosen_rule_set, registry_view

_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _rule_set_name(request) -> str:
    return chosen_rule_set(request)


@registry_view("report")
def cohort_page(request):
    patients = Patient.objects.visible_to(request.user)
    context = {
        "n_patients": patients.count(),
        "rule_sets": list_rule_sets(),
        "rule_set": _rule_set_name(request),
        "formats": list(_CONTENT_TYPES),
    }
    return render_page(request, "registry/cohort.html", context)


@registry_view("report")
def cohort_report_download(request, fmt: str):
    """The study report for the user's centers, by the same code as ``nephrocohort report``.

    Rendered in memory by the pipeline and sent as it is: nothing is written to disk.
    """
    from nephrocohort.pipeline import compute_results, render

    if fmt not in _CONTENT_TYPES:
        raise ReasonedNotFound(
            f"There is no report format '{fmt}'; choose one of: {', '.join(_CONTENT_TYPES)}."
        )
    cohort = cohort_from_db(Patient.objects.visible_to(request.user))
    rule_set = _rule_set_name(request)
    try:
        content = render(compute_results(cohort, rule_set=rule_set), [fmt])[fmt]
    except NephroCohortError as error:
        context = {
            "error": str(error),
            "rule_sets": list_rule_sets(),
            "rule_set": rule_set,
            "n_patients": cohort.n_patients,
            "formats": list(_CONTENT_TYPES),
        }
        return render_page(request, "registry/cohort.html", context, status=422)
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="report-{rule_set}.{fmt}"'
    return response


@registry_view("view")
def quality_page(request):
    findings = quality_findings(Patient.objects.visible_to(request.user))
    patients = sorted({(f.patient_id, f.patient_pk) for f in findings})
    by_patient = [
        (patient_id, pk, [f for f in findings if f.patient_pk == pk]) for patient_id, pk in patients
    ]
    return render_page(
        request, "registry/quality.html", {"by_patient": by_patient, "count": len(findings)}
    )
