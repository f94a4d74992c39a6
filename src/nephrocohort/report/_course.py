"""The report's course-of-disease table: relapse course, secondary, CNI and multidrug resistance.

Counts of the analysis dataset's course columns (issue 10 item 5) among the
analysed patients, each out of the patients with a value; a column the rule
set does not define (the seed study) or that does not apply (the relapse
course of a steroid-resistant child) is NA and counted as without data.
"""

from __future__ import annotations

import pandas as pd

from nephrocohort.cohort.analysis import CNI_RESPONSES, RELAPSE_COURSES
from nephrocohort.i18n import N_
from nephrocohort.report._items import count_levels, count_true

__all__ = ["course_items", "COURSE_PREFIX"]

COURSE_PREFIX = "course."
_LABELS = {
    "steroid_dependent": N_("Steroid-dependent"),
    "frequently_relapsing": N_("Frequently relapsing"),
    "infrequently_relapsing": N_("Infrequently relapsing"),
    "no_relapse": N_("No relapse"),
    "responsive": N_("CNI-responsive"),
    "resistant": N_("CNI-resistant"),
}
if set(_LABELS) != {code for code, _label in (*RELAPSE_COURSES, *CNI_RESPONSES)}:
    raise ValueError("every course code of cohort.analysis needs a report label")


def course_items(study: pd.DataFrame) -> list:
    """Count items of the course columns present in ``study`` (older datasets lack them)."""
    items = []
    if "relapse_course" in study:
        labels = {code: _LABELS[code] for code, _label in RELAPSE_COURSES}
        items += count_levels("course.relapse_course", study["relapse_course"], labels)
    if "secondary_steroid_resistance" in study:
        items.append(
            count_true(
                "course.secondary_steroid_resistance",
                N_("Secondary steroid resistance"),
                study["secondary_steroid_resistance"],
            )
        )
    if "cni_response" in study:
        labels = {code: _LABELS[code] for code, _label in CNI_RESPONSES}
        items += count_levels("course.cni_response", study["cni_response"], labels)
    if "multidrug_resistant_srns" in study:
        items.append(
            count_true(
                "course.multidrug_resistant_srns",
                N_("Multidrug-resistant SRNS"),
                study["multidrug_resistant_srns"],
            )
        )
    return items
