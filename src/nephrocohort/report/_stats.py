"""Bridges from analysis-dataset columns to nephrocohort.stats, returning report items.

The statistics themselves (normality, percentiles, the decision between
mean (SD) and median (p25-p75), Wilcoxon, Fisher) live in nephrocohort.stats;
this module only feeds them a column and copies their unrounded answer into
an item with an id and a label.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from nephrocohort import stats
from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.i18n import N_
from nephrocohort.messages import Message
from nephrocohort.report._items import HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.report._options import ReportOptions

__all__ = [
    "FISHER_EXACT_BUDGET",
    "FISHER_RESAMPLES",
    "FISHER_SEED",
    "differences_normality",
    "summary_item",
    "wilcoxon_item",
    "group_comparison_item",
    "kaplan_meier_item",
]

# Fixed so that a Monte Carlo Fisher p-value (only for tables too big to enumerate) is
# the same on every run of the same data.
FISHER_SEED = 20240101
#: Fisher's test is enumerated exactly only while the tables with the observed margins
#: number at most this many (stats.fisher_tables_bound, known before enumerating: about a
#: second on the 2-core machine); larger tables get the seeded Monte Carlo estimate, so a
#: 100,000-patient report does not spend minutes in one test.
FISHER_EXACT_BUDGET = 50_000
#: Random tables of the Monte Carlo estimate (stats.fisher_exact's, SciPy).
FISHER_RESAMPLES = 100_000


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(pd.Series(series), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _quiet(function, *args, **kwargs):
    """Call a stats function; its StatisticalWarnings (tiny groups) are reported in the item."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        return function(*args, **kwargs)


def summary_item(item_id, label, unit, series, options: ReportOptions) -> SummaryItem:
    """Describe one quantitative column with the seed's rule (stats.describe decides)."""
    values = _numbers(series)
    present = values[~np.isnan(values)]
    missing = int(len(values) - len(present))
    result = _quiet(
        stats.describe,
        present,
        normality_test=options.normality_test,
        percentile_method=options.percentile_method,
        alpha=options.alpha,
    )
    normality = result.normality
    return SummaryItem(
        id=item_id,
        label=label,
        unit=unit,
        n=int(result.n),
        missing=missing,
        mean=result.mean,
        sd=result.sd,
        median=result.median,
        p25=result.p25,
        p75=result.p75,
        min=result.min,
        max=result.max,
        normal=None if normality is None else normality.normal,
        normality_test=None if normality is None else options.normality_test,
        normality_statistic=None if normality is None else normality.statistic,
        normality_p=None if normality is None else normality.p,
        summary=result.summary_kind,
        reason=result.reason,
        percentile_method=options.percentile_method,
    )


def differences_normality(differences, options: ReportOptions) -> dict:
    """Normality of paired differences, the check that chooses between Wilcoxon and paired t.

    The issue's rule: "for paired comparisons, tested on the differences". The
    same small-group rule as the descriptive statistics applies: fewer than
    ``stats.DEFAULT_SMALL_N`` pairs are not tested.
    """
    n = int(len(differences))
    untested = {
        "test": options.normality_test,
        "test_name": None,
        "statistic": None,
        "p": None,
        "normal": None,
        "n": n,
    }
    if n < stats.DEFAULT_SMALL_N:
        few = Message("report.pairs.few", {"small_n": stats.DEFAULT_SMALL_N})
        return {**untested, "reason": few.text}
    if np.ptp(differences) == 0:
        return {**untested, "reason": Message("report.pairs.same_change").text}
    result = _quiet(stats.normality, differences, test=options.normality_test, alpha=options.alpha)
    shown_p = "> 0.2" if result.spss_lower_bound else f"= {result.p:.3f}"
    verdict = "report.pairs.normal" if result.normal else "report.pairs.not_normal"
    return {
        "test": options.normality_test,
        "test_name": result.test_name,
        "statistic": result.statistic,
        "p": result.p,
        "normal": result.normal,
        "n": n,
        "reason": Message(verdict, {"test": result.test_name, "p": shown_p}).text,
    }


def _paired_t(first, second) -> dict:
    result = _quiet(stats.paired_t, first, second)
    return {
        "test": "Paired t",
        "statistic": result.statistic,
        "df": result.df,
        "p": result.p,
        "mean_difference": result.mean_difference,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "n": int(result.n),
        "role": "secondary: the differences are normal; the Wilcoxon test stays primary",
    }


def wilcoxon_item(item_id, label, before, after, options: ReportOptions) -> HypothesisTestItem:
    """Wilcoxon signed-rank test of paired columns (patients with both values).

    The Wilcoxon test is the primary test, as in the seed study. The paired
    differences are tested for normality; when they are normal the paired t
    test is reported as well (``paired_t``), so a reader sees both.
    """
    first, second = _numbers(before), _numbers(after)
    both = ~np.isnan(first) & ~np.isnan(second)
    result = _quiet(stats.wilcoxon_signed_rank, first[both], second[both])
    checked = differences_normality(second[both] - first[both], options)
    paired_t = _paired_t(first[both], second[both]) if checked["normal"] else None
    return HypothesisTestItem(
        id=item_id,
        label=label,
        test=N_("Wilcoxon signed-rank"),
        statistic=result.statistic,
        z=result.z,
        p=result.p,
        n=int(result.n),
        p_exact=result.p_exact,
        note=(
            f"{int(both.sum())} patients with both values; {result.n_ties} with no change "
            f"left out; Z based on {result.z_based_on}"
        ),
        normality_of_differences=checked,
        paired_t=paired_t,
    )


def group_comparison_item(item_id, label, groups, outcome, *, levels) -> HypothesisTestItem | None:
    """Fisher's exact test of an outcome across groups 1 and 2 (R x C), or None without data."""
    frame = pd.DataFrame(
        {"group": pd.Series(groups).to_numpy(), "outcome": pd.Series(outcome).to_numpy()}
    )
    frame = frame.dropna()
    if frame.empty or frame["group"].nunique() < 2:
        return None
    table = pd.crosstab(frame["group"], frame["outcome"]).reindex(
        columns=list(levels), fill_value=0
    )
    table = table.loc[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return None
    counts = table.to_numpy()
    bound = stats.fisher_tables_bound(counts)
    detail = {"tables_bound": bound, "budget": FISHER_EXACT_BUDGET}
    result = None
    if bound <= FISHER_EXACT_BUDGET:
        try:
            result = _quiet(stats.fisher_exact, counts)
            method, how = "exact", "exact"
        except stats.StatisticsInputError:  # the enumeration's own cap: estimate instead
            result = None
    if result is None:  # too many tables to enumerate: a seeded estimate
        result = _quiet(stats.fisher_exact, counts, method="monte_carlo", seed=FISHER_SEED)
        method, how = "monte_carlo", f"Monte Carlo estimate, seed {FISHER_SEED}"
        detail.update(seed=FISHER_SEED, resamples=FISHER_RESAMPLES)
    cells = "; ".join(
        f"group {group}: " + ", ".join(f"{level} {int(n)}" for level, n in row.items())
        for group, row in table.iterrows()
    )
    return HypothesisTestItem(
        id=item_id,
        label=label,
        test=N_("Fisher exact"),
        statistic=None,
        z=None,
        p=result.p,
        n=int(result.n),
        note=f"{table.shape[0]} x {table.shape[1]} table ({how}); {cells}",
        method=method,
        method_detail=detail,
    )


def kaplan_meier_item(item_id, label, durations_days, observed) -> SurvivalItem:
    """Kaplan-Meier estimate (stats.kaplan_meier, lifelines) of time from MMF start to an event.

    Patients without a duration or an event flag are left out (stats counts
    them). The curve starts at day 0 with survival 1 so it can be drawn as is.
    """
    durations = _numbers(durations_days)
    flags = pd.Series(observed).astype("boolean").to_numpy(dtype=object, na_value=None)
    known = ~np.isnan(durations) & np.array([flag is not None for flag in flags], dtype=bool)
    if not known.any():
        return SurvivalItem(item_id, label, 0, 0, 0, None)
    result = _quiet(stats.kaplan_meier, durations, list(flags), label=label)
    rows = [row for row in result.table if row.time > 0]
    start = [row for row in result.table if row.time == 0]
    first = start[0] if start else None
    median = result.median
    return SurvivalItem(
        id=item_id,
        label=label,
        n=int(result.n),
        events=int(result.n_events),
        censored=int(result.n_censored),
        median_days=None if np.isnan(median) else float(median),
        median_ci_low_days=None if np.isnan(result.median_ci_low) else float(result.median_ci_low),
        median_ci_high_days=(
            None if np.isnan(result.median_ci_high) else float(result.median_ci_high)
        ),
        timeline_days=(0.0, *(float(row.time) for row in rows)),
        survival=(first.survival if first else 1.0, *(float(row.survival) for row in rows)),
        # S = 1 at day 0: the log-log limits are undefined there (R's NA), not (1, 1).
        ci_lower=(first.ci_low if first else math.nan, *(float(row.ci_low) for row in rows)),
        ci_upper=(first.ci_high if first else math.nan, *(float(row.ci_high) for row in rows)),
        at_risk=(int(result.n), *(int(row.at_risk) for row in rows)),
        censored_days=tuple(float(row.time) for row in result.table if row.censored > 0),
    )
