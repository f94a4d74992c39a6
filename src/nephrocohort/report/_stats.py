"""Bridges from analysis-dataset columns to nephrocohort.stats, returning report items.

The statistics themselves (normality, percentiles, the decision between
mean (SD) and median (p25-p75), Wilcoxon, Fisher) live in nephrocohort.stats;
this module only feeds them a column and copies their unrounded answer into
an item with an id and a label. Kaplan-Meier uses lifelines directly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nephrocohort import stats
from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.report._items import HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.report._options import ReportOptions

__all__ = ["summary_item", "wilcoxon_item", "group_comparison_item", "kaplan_meier_item"]


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


def wilcoxon_item(item_id, label, before, after, options: ReportOptions) -> HypothesisTestItem:
    """Wilcoxon signed-rank test of paired columns (patients with both values)."""
    first, second = _numbers(before), _numbers(after)
    both = ~np.isnan(first) & ~np.isnan(second)
    result = _quiet(stats.wilcoxon_signed_rank, first[both], second[both])
    return HypothesisTestItem(
        id=item_id,
        label=label,
        test="Wilcoxon signed-rank",
        statistic=result.statistic,
        z=result.z,
        p=result.p,
        n=int(result.n),
        p_exact=result.p_exact,
        note=(
            f"{int(both.sum())} patients with both values; {result.n_ties} with no change "
            f"left out; Z based on {result.z_based_on}"
        ),
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
    fisher_exact = getattr(stats, "fisher_exact", None)
    if fisher_exact is None:  # the R x C Fisher test is not in nephrocohort.stats yet
        return None
    result = _quiet(fisher_exact, table.to_numpy())
    return HypothesisTestItem(
        id=item_id,
        label=label,
        test="Fisher exact",
        statistic=getattr(result, "statistic", None),
        z=None,
        p=result.p,
        n=int(table.to_numpy().sum()),
        note=f"{table.shape[0]} x {table.shape[1]} table",
    )


def kaplan_meier_item(item_id, label, durations_days, observed) -> SurvivalItem:
    """Kaplan-Meier estimate (lifelines) of time from MMF start to an event.

    Patients without a duration are left out; a missing event flag counts as
    censored only if a duration exists (the derive step sets both together).
    """
    from lifelines import KaplanMeierFitter

    durations = _numbers(durations_days)
    events = pd.Series(observed).astype("boolean").fillna(False).to_numpy(dtype=bool)
    keep = ~np.isnan(durations)
    durations, events = durations[keep], events[keep]
    n, n_events = int(len(durations)), int(events.sum())
    if n == 0:
        return SurvivalItem(item_id, label, 0, 0, 0, None)
    fitter = KaplanMeierFitter(label=item_id).fit(durations, event_observed=events)
    curve = fitter.survival_function_.iloc[:, 0]
    interval = fitter.confidence_interval_survival_function_
    median = float(fitter.median_survival_time_)
    at_risk = fitter.event_table["at_risk"].reindex(curve.index)
    return SurvivalItem(
        id=item_id,
        label=label,
        n=n,
        events=n_events,
        censored=n - n_events,
        median_days=median if np.isfinite(median) else None,
        timeline_days=tuple(float(t) for t in curve.index),
        survival=tuple(float(s) for s in curve.to_numpy()),
        ci_lower=tuple(float(s) for s in interval.iloc[:, 0].to_numpy()),
        ci_upper=tuple(float(s) for s in interval.iloc[:, 1].to_numpy()),
        at_risk=tuple(int(a) for a in at_risk.fillna(0).to_numpy()),
    )
