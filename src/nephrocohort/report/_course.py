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


#: The course columns in the table's order: coded ones with their codes, yes/no ones with
#: their label.
_COLUMNS = (
    ("relapse_course", RELAPSE_COURSES),
    ("secondary_steroid_resistance", N_("Secondary steroid resistance")),
    ("cni_response", CNI_RESPONSES),
    ("multidrug_resistant_srns", N_("Multidrug-resistant SRNS")),
)


def course_items(study: pd.DataFrame) -> list:
    """Count items of the course columns present in ``study`` (older datasets lack them)."""
    items = []
    for column, levels in _COLUMNS:
        if column not in study:
            continue
        if isinstance(levels, str):
            items.append(count_true(f"{COURSE_PREFIX}{column}", levels, study[column]))
        else:
            labels = {code: _LABELS[code] for code, _label in levels}
            items += count_levels(f"{COURSE_PREFIX}{column}", study[column], labels)
    return items
