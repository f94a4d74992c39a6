"""The cohort: data model, validated bundles, derivation and synthetic cohorts."""

from nephrocohort.cohort.model import Cohort

__all__ = [
    "Cohort",
]
