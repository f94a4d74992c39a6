"""The cohort: data model, validated bundles, derivation and synthetic cohorts."""

from nephrocohort.cohort.analysis import ANALYSIS_COLUMNS, ANALYSIS_VARIABLES, Variable
from nephrocohort.cohort.analysis_csv import read_analysis_csv, write_analysis_csv
from nephrocohort.cohort.bundle import load_bundle, save_bundle
from nephrocohort.cohort.demo import demo_cohort, generate_demo_bundle
from nephrocohort.cohort.derive import derive
from nephrocohort.cohort.explain import (
    Evidence,
    ExplainedValue,
    Explanation,
    UnknownPatientError,
    explain,
    format_explanation,
)
from nephrocohort.cohort.model import Cohort
from nephrocohort.cohort.problems import Problem
from nephrocohort.cohort.schemas import table_schema
from nephrocohort.cohort.synthetic import generate_synthetic
from nephrocohort.cohort.template import write_template
from nephrocohort.cohort.validation import validate_bundle, validate_cohort, validate_tables

__all__ = [
    "Cohort",
    "load_bundle",
    "save_bundle",
    "validate_bundle",
    "validate_cohort",
    "validate_tables",
    "Problem",
    "table_schema",
    "write_template",
    "ANALYSIS_COLUMNS",
    "ANALYSIS_VARIABLES",
    "Variable",
    "read_analysis_csv",
    "derive",
    "write_analysis_csv",
    "explain",
    "Explanation",
    "ExplainedValue",
    "Evidence",
    "UnknownPatientError",
    "format_explanation",
    "demo_cohort",
    "generate_demo_bundle",
    "generate_synthetic",
]
