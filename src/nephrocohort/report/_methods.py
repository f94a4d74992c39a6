"""The methods paragraph, written from what the run actually did.

Each sentence is added only when its part of the analysis ran (a test only
if a test item exists, Kaplan-Meier only if curves were estimated), and the
conventions (normality test, percentile definition, rule set, software
versions) are read from the run's options, so the text can be pasted into a
paper without editing what it claims.
"""

from __future__ import annotations

import platform
from importlib import metadata

from nephrocohort.report._items import HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.report._options import ReportOptions
from nephrocohort.stats import DEFAULT_SMALL_N

__all__ = ["software_versions", "methods_paragraph"]

_SOFTWARE = ("nephrocohort", "pandas", "numpy", "scipy", "statsmodels", "lifelines", "matplotlib")

_NORMALITY_TEXT = {
    "lilliefors": "the Kolmogorov-Smirnov test with Lilliefors correction (as SPSS EXAMINE reports it)",
    "shapiro": "the Shapiro-Wilk test",
}
_LILLIEFORS_P_TEXT = (
    "Lilliefors p-values follow Dallal and Wilkinson's approximation up to 0.1 (as SPSS and "
    "R nortest) and, above 0.1, the null distribution of the statistic simulated from "
    "1,000,000 normal samples per sample size."
)
_PERCENTILE_TEXT = {
    "spss": "SPSS's definition (HAVERAGE, a weighted average at (n + 1)p; Hyndman and Fan type 6)",
    "linear": "linear interpolation at 1 + (n - 1)p (Hyndman and Fan type 7, R's default)",
}

_PAIRED_NAMES = {
    "relapses_per_year.test": "relapses per year",
    "steroid_dose.test": "steroid dose",
    "egfr.test": "eGFR",
}


def software_versions() -> tuple[tuple[str, str], ...]:
    """(name, version) of Python and the packages whose numbers the report shows."""
    versions = [("Python", platform.python_version())]
    for name in _SOFTWARE:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return tuple(versions)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def methods_paragraph(
    items,
    *,
    rule_set_name: str,
    rule_set_title: str,
    options: ReportOptions,
    software,
    source: str = "records",
    notes: tuple = (),
    rule_set=None,
) -> str:
    """A methods paragraph describing this run, ready to paste into a manuscript.

    ``rule_set`` (a RuleSet or a name/path) adds its origin and fingerprint, so
    an edited copy of a shipped rule set is never reported as the original.
    """
    by_id = {item.id: item for item in items}
    included, assessed = by_id["eligibility.included"], by_id["eligibility.assessed"]
    sentences = []
    title = f" ({rule_set_title})" if rule_set_title and rule_set_title != rule_set_name else ""
    if rule_set is not None and not hasattr(rule_set, "provenance"):
        from nephrocohort.clinical.rules import load_rule_set

        rule_set = load_rule_set(rule_set)
    described = getattr(rule_set, "provenance", None) or f"the rule set '{rule_set_name}'{title}"
    if source == "analysis_file":
        sentences.append(
            f"Of {assessed.n} patients in the analysis-dataset file, {included.n} were marked "
            "eligible and analysed."
        )
    else:
        sentences.append(
            f"Of {assessed.n} patients assessed, {included.n} met the eligibility criteria of "
            f"{described} and were analysed."
        )
    if source == "records":
        sentences.append(
            "Proteinuria categories, response, relapses, steroid doses, eGFR and outcomes were "
            "derived from the recorded measurements, medications and events with the "
            "definitions and time windows of that rule set."
        )
    else:
        sentences.append(
            "Per-patient values (proteinuria categories, response, relapses, steroid doses, "
            "eGFR, outcomes) were read as recorded in an analysis-dataset file, not derived "
            "from individual measurements."
        )
        sentences.extend(notes)
    summaries = [item for item in items if isinstance(item, SummaryItem)]
    if summaries:
        chosen = {item.summary for item in summaries}
        sentence = (
            "Quantitative variables were described as mean (SD) when "
            f"{_NORMALITY_TEXT[options.normality_test]} did not reject normality at "
            f"alpha = {options.alpha:g}, and as median (p25-p75) otherwise"
        )
        if "min_max" in chosen:
            sentence += (
                "; groups with fewer than "
                f"{DEFAULT_SMALL_N} patients were described by their minimum and maximum"
            )
        sentences.append(sentence + ".")
        if options.normality_test == "lilliefors":
            sentences.append(_LILLIEFORS_P_TEXT)
        sentences.append(f"Percentiles follow {_PERCENTILE_TEXT[options.percentile_method]}.")
    sentences.append(
        "Qualitative variables are given as counts and percentages; the denominator of each "
        "percentage is the number of patients with data for that variable."
    )
    tests = sorted({item.test for item in items if isinstance(item, HypothesisTestItem)})
    if tests:
        described = []
        for test in tests:
            if test == "Wilcoxon signed-rank":
                described.append(
                    "the Wilcoxon signed-rank test for paired before-after comparisons (zero "
                    "differences dropped, average ranks for ties, normal approximation with tie "
                    "correction; beside it the exact conditional p given the ties, computed by "
                    "the shift algorithm, as SPSS Exact Tests and R exactRankTests::wilcox.exact)"
                )
            elif test == "Fisher exact":
                described.append("Fisher's exact test for the one-month response by group")
            else:
                described.append(test)
        sentences.append(f"Comparisons used {_join(described)}; p-values are two-sided.")
    paired = [
        item
        for item in items
        if isinstance(item, HypothesisTestItem) and item.normality_of_differences is not None
    ]
    if paired:
        with_t = [item for item in paired if item.paired_t is not None]
        sentence = (
            "For each paired comparison the differences were tested for normality with "
            f"{_NORMALITY_TEXT[options.normality_test]}, except with fewer than "
            f"{DEFAULT_SMALL_N} pairs; the Wilcoxon signed-rank test is the primary test, as in "
            "the seed study"
        )
        if with_t:
            names = _join([_PAIRED_NAMES.get(item.id, item.label) for item in with_t])
            sentence += (
                ", and where the differences were normal the paired t test is reported as well "
                f"({names})"
            )
        sentences.append(sentence + ".")
    if any(isinstance(item, SurvivalItem) and item.n > 0 for item in items):
        sentences.append(
            "Times from MMF start to complete remission and to chronic renal failure were "
            "estimated with the Kaplan-Meier method, censoring at the last follow-up."
        )
    names = dict(software)
    packages = [
        f"{name} {version}" for name, version in software if name not in ("Python", "nephrocohort")
    ]
    sentences.append(
        f"Analyses were run with NephroCohort {names.get('nephrocohort', '')} "
        f"(Python {names.get('Python', '')}; {', '.join(packages)})."
    )
    return " ".join(sentences)
