"""``build_results``: the analysis dataset in, every study result out."""

from __future__ import annotations

import pandas as pd

from nephrocohort.exceptions import ReportError
from nephrocohort.report._columns import check_analysis
from nephrocohort.report._methods import methods_paragraph, software_versions
from nephrocohort.report._options import ReportOptions
from nephrocohort.report._results import Results
from nephrocohort.report._study import (
    consent_items,
    data_quality_items,
    eligibility_items,
    eligible_rows,
    excluded_patients,
    selection_items,
    study_items,
)
from nephrocohort.report._timelines import build_timelines

__all__ = ["build_results", "rule_set_identity"]

_SOURCES = ("records", "analysis_file")


def rule_set_identity(rule_set) -> tuple[str, str]:
    """(name, title) of a RuleSet object or of a rule-set name or path.

    A name is loaded with nephrocohort.clinical.rules.load_rule_set, so an
    unknown one fails here with the list of known rule sets.
    """
    if isinstance(rule_set, str):
        from nephrocohort.clinical.rules import load_rule_set

        rule_set = load_rule_set(rule_set)
    name = getattr(rule_set, "name", None)
    if not name:
        raise ReportError("report.no_rule_set", value=rule_set)
    return str(name), str(getattr(rule_set, "title", "") or "")


def build_results(
    analysis: pd.DataFrame,
    *,
    rule_set,
    cohort=None,
    options: ReportOptions | None = None,
    source: str = "records",
    notes=(),
    attrition=(),
    consent=None,
) -> Results:
    """Compute every result of the study report from the analysis dataset.

    Parameters
    ----------
    analysis:
        The per-patient analysis dataset of ``nephrocohort.cohort.derive``
        (columns in docs/architecture.md). Patients with ``eligible`` True
        are analysed; all patients enter the eligibility flow.
    rule_set:
        The RuleSet used by derive (or its name); the report names it.
    cohort:
        The Cohort the dataset came from; needed only for the swimmer plot.
    options:
        Statistical conventions (ReportOptions); SPSS's by default.
    source:
        ``"records"`` when derive built the dataset from the cohort's records,
        ``"analysis_file"`` when it was read from an analysis-dataset file
        (e.g. a legacy sheet imported with ``nephrocohort import-table``);
        the methods paragraph says which.
    notes:
        Sentences about the input shown with the report (absent variables).
    attrition:
        The OMOP phenotype's steps (``AttritionStep``: step, label, persons) when the
        cohort was selected from an OMOP CDM database; they head the eligibility flow.
    consent:
        The :class:`~nephrocohort.cohort.consent.ConsentSelection` the cohort
        went through (``nephrocohort.pipeline`` gives it): the flow then starts
        at the registered patients and counts those left out for consent.

    Returns
    -------
    Results, with unrounded numbers; renderers round for display.

    Raises
    ------
    ReportError when columns are missing or no patient is eligible.

    Examples
    --------
    >>> from nephrocohort.clinical import load_rule_set
    >>> from nephrocohort.cohort import demo_cohort, derive
    >>> cohort, study = demo_cohort(), load_rule_set("study")
    >>> results = build_results(derive(cohort, study), rule_set=study, cohort=cohort)
    >>> round(results["sex.male"].percent, 1)  # the seed: 69.2% (n = 18)
    69.2
    """
    options = options or ReportOptions()
    if source not in _SOURCES:
        raise ReportError("report.source_choice", allowed=", ".join(_SOURCES), value=source)
    check_analysis(analysis)
    name, title = rule_set_identity(rule_set)
    analysis = analysis.reset_index(drop=True)
    flow = [*selection_items(attrition), *consent_items(consent), *eligibility_items(analysis)]
    study = eligible_rows(analysis)
    if study.empty:
        assessed = len(analysis)
        raise ReportError("report.none_eligible", rule_set=name, assessed=assessed)
    items = [*flow, *study_items(study, options), *data_quality_items(analysis)]
    software = software_versions()
    methods = methods_paragraph(
        items,
        rule_set_name=name,
        rule_set_title=title,
        options=options,
        software=software,
        source=source,
        notes=tuple(notes),
        rule_set=rule_set,
    )
    return Results(
        items=tuple(items),
        rule_set_name=name,
        rule_set_title=title,
        options=options,
        software=software,
        methods=methods,
        excluded_patients=excluded_patients(analysis),
        timelines=build_timelines(study, cohort),
        notes=tuple(notes),
    )
