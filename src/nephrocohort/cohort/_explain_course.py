"""explain for the course columns: the rule with the rule set's thresholds, the reason, the records.

The reason is the clinical core's own verdict message (catalogue code and
params, ``nephrocohort.messages``), written in the active language; the
records are those ``_derive_course`` used (relapse readings and events,
steroid and steroid-sparing courses with their doses, the deciding readings).
"""

from __future__ import annotations

from nephrocohort.cohort._explain_proteinuria import rule_text

__all__ = ["course_values", "COURSE_COLUMNS"]

COURSE_COLUMNS = (
    "relapse_course",
    "secondary_steroid_resistance",
    "cni_response",
    "multidrug_resistant_srns",
)


def course_values(records, row, trace, rule_set, add) -> None:
    """Add the four course columns of the one patient of ``trace``."""
    course = trace.course
    builders = {"labs": records.lab, "events": records.event, "medications": records.medication}
    for column in COURSE_COLUMNS:
        reasons = course.reasons[0].get(column, ())
        evidence = [
            builders[table](position, note)
            for table, position, note in course.evidence[0].get(column, [])
        ]
        add(
            column,
            rule_text(column, rule_set),
            " ".join(reason.text for reason in reasons) or None,
            evidence,
        )
