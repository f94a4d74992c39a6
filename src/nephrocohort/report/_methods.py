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

from nephrocohort.clinical.rules.display import title_text
from nephrocohort.i18n import N_, format_integer, localize_number, ngettext
from nephrocohort.i18n import gettext as _
from nephrocohort.report._items import HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.report._options import ReportOptions
from nephrocohort.stats import DEFAULT_SMALL_N

__all__ = ["software_versions", "methods_paragraph"]

_SOFTWARE = ("nephrocohort", "pandas", "numpy", "scipy", "statsmodels", "lifelines", "matplotlib")

_NORMALITY_TEXT = {
    "lilliefors": N_(
        "the Kolmogorov-Smirnov test with Lilliefors correction (as SPSS EXAMINE reports it)"
    ),
    "shapiro": N_("the Shapiro-Wilk test"),
}
_LILLIEFORS_P_TEXT = N_(
    "Lilliefors p-values follow Dallal and Wilkinson's approximation up to 0.1 (as SPSS and "
    "R nortest) and, above 0.1, the null distribution of the statistic simulated from "
    "1,000,000 normal samples per sample size."
)
_PERCENTILE_TEXT = {
    "spss": N_(
        "SPSS's definition (HAVERAGE, a weighted average at (n + 1)p; Hyndman and Fan type 6)"
    ),
    "linear": N_("linear interpolation at 1 + (n - 1)p (Hyndman and Fan type 7, R's default)"),
}

_PAIRED_NAMES = {
    "relapses_per_year.test": N_("relapses per year"),
    "steroid_dose.test": N_("steroid dose"),
    "egfr.test": "eGFR",
}


def software_versions() -> tuple[tuple[str, str], ...]:
    """(name, version) of Python and the packages whose numbers the report shows."""
    versions = [("Python", platform.python_version())]
    for name in _SOFTWARE:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, _("not installed")))
    return tuple(versions)


def confirmation_sentence(values, patients, confirmation: str | None) -> str:
    """How many values rest on a single reading, in the active language.

    ``values`` and ``patients`` are the ``confirmation.*`` count items. Under a
    rule set that confirms on consecutive days (IPNA 2020, KDIGO 2021) the
    sentence gives the count; under one where a reading stands unless
    contradicted (the seed's), no value can be marked and the sentence says why.
    """
    if values.n == 0 and confirmation != "consecutive_days":
        return _(
            "Under this rule set a reading stands unless a different state follows within its "
            "confirmation days (confirmation: {confirmation}), so no value rests on an "
            "unconfirmed reading."
        ).format(confirmation=confirmation or "not_contradicted_within_days")
    return ngettext(
        "{n} value rests on a single reading (a proteinuria state recorded on fewer "
        "consecutive days than the rule set's confirmation needs, with nothing against it); it "
        "is used, marked unconfirmed and counted, in {patients} of {analysed} patients "
        "analysed.",
        "{n} values rest on a single reading (a proteinuria state recorded on fewer "
        "consecutive days than the rule set's confirmation needs, with nothing against it); "
        "they are used, marked unconfirmed and counted, in {patients} of {analysed} patients "
        "analysed.",
        values.n,
    ).format(n=values.n, patients=patients.n, analysed=patients.denominator)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("{items} and {last}").format(items=", ".join(parts[:-1]), last=parts[-1])


def _consent_sentences(by_id: dict) -> list[str]:
    """Who was left out for consent before assessment, or included by the override."""
    registered = by_id.get("eligibility.registered")
    left_out = by_id.get("eligibility.consent_left_out")
    override = by_id.get("eligibility.consent_override")
    sentences = []
    if registered is not None and left_out is not None and left_out.n:
        sentences.append(
            _(
                "Before assessment, {left_out} of {registered} registered patients were left "
                "out because consent had been withdrawn or the assent their age required was "
                "not recorded."
            ).format(left_out=left_out.n, registered=registered.n)
        )
    if override is not None and override.n:
        sentences.append(
            _(
                "{n} patients whose consent had been withdrawn or whose assent was not "
                "recorded were included by an explicit override."
            ).format(n=override.n)
        )
    return sentences


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
    normality = _(_NORMALITY_TEXT[options.normality_test])
    if rule_set_title and rule_set_title != rule_set_name:
        named = _("the rule set '{name}' ({title})").format(
            name=rule_set_name, title=title_text(rule_set_title)
        )
    else:
        named = _("the rule set '{name}'").format(name=rule_set_name)
    if rule_set is not None and not hasattr(rule_set, "provenance"):
        from nephrocohort.clinical.rules import load_rule_set

        rule_set = load_rule_set(rule_set)
    described = getattr(rule_set, "provenance", None) or named
    if source == "analysis_file":
        sentences.append(
            _(
                "Of {assessed} patients in the analysis-dataset file, {included} were marked "
                "eligible and analysed."
            ).format(assessed=assessed.n, included=included.n)
        )
    else:
        sentences.append(
            _(
                "Of {assessed} patients assessed, {included} met the eligibility criteria of "
                "{rule_set} and were analysed."
            ).format(assessed=assessed.n, included=included.n, rule_set=described)
        )
    sentences += _consent_sentences(by_id)
    if source == "records":
        sentences.append(
            _(
                "Proteinuria categories, response, relapses, steroid doses, eGFR and outcomes were "
                "derived from the recorded measurements, medications and events with the "
                "definitions and time windows of that rule set."
            )
        )
        values = by_id.get("confirmation.unconfirmed_values")
        patients = by_id.get("confirmation.patients_with_unconfirmed")
        if values is not None and patients is not None:
            derivation = getattr(rule_set, "derivation", None)
            confirmation = getattr(derivation, "confirmation", None)
            sentences.append(confirmation_sentence(values, patients, confirmation))
    else:
        sentences.append(
            _(
                "Per-patient values (proteinuria categories, response, relapses, steroid doses, "
                "eGFR, outcomes) were read as recorded in an analysis-dataset file, not derived "
                "from individual measurements."
            )
        )
        sentences.extend(notes)
    summaries = [item for item in items if isinstance(item, SummaryItem)]
    if summaries:
        chosen = {item.summary for item in summaries}
        sentence = _(
            "Quantitative variables were described as mean (SD) when {normality_test} did not "
            "reject normality at alpha = {alpha}, and as median (p25-p75) otherwise"
        ).format(normality_test=normality, alpha=localize_number(f"{options.alpha:g}"))
        if "min_max" in chosen:
            sentence += _(
                "; groups with fewer than {small_n} patients were described by their minimum "
                "and maximum"
            ).format(small_n=DEFAULT_SMALL_N)
        sentences.append(sentence + ".")
        if options.normality_test == "lilliefors":
            sentences.append(_(_LILLIEFORS_P_TEXT))
        sentences.append(
            _("Percentiles follow {definition}.").format(
                definition=_(_PERCENTILE_TEXT[options.percentile_method])
            )
        )
    sentences.append(
        _(
            "Qualitative variables are given as counts and percentages; the denominator of each "
            "percentage is the number of patients with data for that variable."
        )
    )
    tests = sorted({item.test for item in items if isinstance(item, HypothesisTestItem)})
    if tests:
        described = []
        for test in tests:
            if test == "Wilcoxon signed-rank":
                described.append(
                    _(
                        "the Wilcoxon signed-rank test for paired before-after comparisons (zero "
                        "differences dropped, average ranks for ties, normal approximation with "
                        "tie correction; beside it the exact conditional p given the ties, "
                        "computed by the shift algorithm, as SPSS Exact Tests and R "
                        "exactRankTests::wilcox.exact)"
                    )
                )
            elif test == "Fisher exact":
                described.append(_fisher_text(items))
            else:
                described.append(_(test))
        sentences.append(
            _("Comparisons used {tests}; p-values are two-sided.").format(tests=_join(described))
        )
    paired = [
        item
        for item in items
        if isinstance(item, HypothesisTestItem) and item.normality_of_differences is not None
    ]
    if paired:
        with_t = [item for item in paired if item.paired_t is not None]
        sentence = _(
            "For each paired comparison the differences were tested for normality with "
            "{normality_test}, except with fewer than {small_n} pairs; the Wilcoxon signed-rank "
            "test is the primary test, as in the seed study"
        ).format(normality_test=normality, small_n=DEFAULT_SMALL_N)
        if with_t:
            names = _join([_(_PAIRED_NAMES.get(item.id, item.label)) for item in with_t])
            sentence += _(
                ", and where the differences were normal the paired t test is reported as well "
                "({comparisons})"
            ).format(comparisons=names)
        sentences.append(sentence + ".")
    if any(isinstance(item, SurvivalItem) and item.n > 0 for item in items):
        sentences.append(
            _(
                "Times from MMF start to complete remission and to chronic renal failure were "
                "estimated with the Kaplan-Meier method, censoring at the last follow-up."
            )
        )
    names = dict(software)
    packages = [
        f"{name} {version}" for name, version in software if name not in ("Python", "nephrocohort")
    ]
    sentences.append(
        _("Analyses were run with NephroCohort {version} (Python {python}; {packages}).").format(
            version=names.get("nephrocohort", ""),
            python=names.get("Python", ""),
            packages=", ".join(packages),
        )
    )
    return " ".join(sentences)


def _fisher_text(items) -> str:
    """Fisher's test and how its p was computed: exact within the budget, else Monte Carlo."""
    from nephrocohort.report._stats import FISHER_EXACT_BUDGET, FISHER_RESAMPLES, FISHER_SEED

    fisher = [i for i in items if isinstance(i, HypothesisTestItem) and i.test == "Fisher exact"]
    text = _("Fisher's exact test for the one-month response by group")
    rule = _(
        "enumerated exactly when the tables with the observed totals number at most "
        "{budget}, otherwise estimated from {resamples} random tables (Monte Carlo, seed "
        "{seed})"
    ).format(  # the counts digit-grouped for the language; the seed is a name, not grouped
        budget=format_integer(FISHER_EXACT_BUDGET),
        resamples=format_integer(FISHER_RESAMPLES),
        seed=FISHER_SEED,
    )
    used = {item.method for item in fisher}
    if used == {"monte_carlo"}:
        chosen = _("here the Monte Carlo estimate")
    elif used == {"exact"}:
        chosen = _("here exact")
    else:
        chosen = ""
    return f"{text} ({rule}{'; ' + chosen if chosen else ''})"
