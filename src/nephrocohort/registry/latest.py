"""The latest values a clinician looks for first: growth, blood pressure, each lab, drugs taken now.

Read from the registry's rows (not the analysis tables), so the values are shown
as entered, with the date they were measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from nephrocohort.i18n import localize_number
from nephrocohort.registry.labels import DRUG_LABELS, SCHEDULE_LABELS, TEST_LABELS

__all__ = ["LatestValue", "latest_values", "ongoing_medications", "shown_number"]


NUMBER = re.compile(r"-?\d+(\.\d+)?")


@dataclass(frozen=True)
class LatestValue:
    label: str
    value: str
    unit: str
    date: object


_VISIT_MEASURES = (("weight_kg", _("Weight"), "kg"), ("height_cm", _("Height"), "cm"))


def latest_values(patient) -> list[LatestValue]:
    """Weight, height, blood pressure and each lab test's newest result, in the page's order."""
    rows = []
    visits = list(patient.visits.order_by("-date", "-pk"))
    for field, label, unit in _VISIT_MEASURES:
        visit = next((v for v in visits if getattr(v, field) is not None), None)
        if visit is not None:
            rows.append(
                LatestValue(str(label), shown_number(getattr(visit, field)), unit, visit.date)
            )
    bp = next((v for v in visits if v.sbp_mmhg is not None and v.dbp_mmhg is not None), None)
    if bp is not None:
        value = f"{shown_number(bp.sbp_mmhg)}/{shown_number(bp.dbp_mmhg)}"
        rows.append(LatestValue(str(_("Blood pressure")), value, "mmHg", bp.date))
    newest = {}
    for lab in patient.labs.order_by("-date", "-pk"):
        newest.setdefault(lab.test, lab)
    for test, label in TEST_LABELS.items():
        if test in newest:
            lab = newest[test]
            rows.append(LatestValue(str(label), shown_number(lab.value), lab.unit, lab.date))
    return rows


def ongoing_medications(patient) -> list[dict]:
    """The courses without an end date: drug, dose and schedule as labels, since when."""
    return [
        {
            "drug": DRUG_LABELS.get(course.drug, course.drug),
            "dose": "" if course.dose is None else shown_number(course.dose),
            "dose_unit": course.dose_unit,
            "schedule": SCHEDULE_LABELS.get(course.schedule, course.schedule),
            "start_date": course.start_date,
        }
        for course in patient.medications.filter(end_date__isnull=True).order_by("start_date")
    ]


def shown_number(value) -> str:
    """A number as the user's language writes it (``16,5`` in es and pt-BR)."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return localize_number(text) if NUMBER.fullmatch(text) else text
