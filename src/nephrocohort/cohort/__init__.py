"""The cohort: data model, validated bundles, derivation and synthetic cohorts."""

from nephrocohort.cohort.derive import ANALYSIS_COLUMNS, derive
from nephrocohort.cohort.explain import (
    Evidence,
    ExplainedValue,
    Explanation,
    UnknownPatientError,
    explain,
    format_explanation,
)
from nephrocohort.cohort.model import Cohort

__all__ = [
    "Cohort",
    "ANALYSIS_COLUMNS",
    "derive",
    "explain",
    "Explanation",
    "ExplainedValue",
    "Evidence",
    "UnknownPatientError",
    "format_explanation",
]
