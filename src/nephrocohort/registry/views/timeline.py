"""The patient timeline image."""

from __future__ import annotations

from django.http import HttpResponse

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.registry.caching import cached_for_patient
from nephrocohort.registry.conversion import cohort_from_db
from nephrocohort.registry.models import Patient
from nephrocohort.registry.patient_summary import egfr_points
from nephrocohort.registry.relative_dates import date_shown_for
from nephrocohort.registry.timeline import figure_png, timeline_figure
from nephrocohort.registry.views._common import chosen_rule_set, registry_view, visible_patient


def _draw(patient, rule_set_name: str, *, since_onset: bool) -> bytes:
    cohort = cohort_from_db(Patient.objects.filter(pk=patient.pk))
    rule_set = load_rule_set(rule_set_name)
    points = egfr_points(cohort, equation=rule_set.derivation.egfr_equation)
    figure = timeline_figure(cohort, rule_set=rule_set, egfr=points, since_onset=since_onset)
    return figure_png(figure)


@registry_view("view")
def timeline_png(request, pk: int):
    patient = visible_patient(request, pk)
    name = chosen_rule_set(request)
    dates = date_shown_for(request.user, patient)
    png = cached_for_patient(
        patient,
        f"timeline:{name}:{dates.cache_key}",
        lambda: _draw(patient, name, since_onset=not dates.identifiable),
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response
