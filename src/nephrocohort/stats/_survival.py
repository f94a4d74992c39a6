"""Kaplan-Meier estimates through lifelines, as a small result with the table and the median."""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import as_float_array, is_missing

__all__ = ["kaplan_meier", "KaplanMeierResult", "SurvivalRow"]


@dataclass(frozen=True, repr=False)
class SurvivalRow(StatResult):
    """One time in the Kaplan-Meier table, after the events and censorings at that time."""

    time: float
    at_risk: int
    events: int
    censored: int
    survival: float
    ci_low: float
    ci_high: float

    _repr_fields = ("time", "at_risk", "events", "censored", "survival")


@dataclass(frozen=True, repr=False)
class KaplanMeierResult(StatResult):
    """Kaplan-Meier survival table (one row per distinct time) and the median with its CI.

    ``median`` is NaN when the curve never reaches 0.5 ("not reached"); the CI limits
    likewise. ``survival_at(t)`` reads the step function.
    """

    label: str
    n: int
    n_events: int
    n_censored: int
    n_missing: int
    median: float
    median_ci_low: float
    median_ci_high: float
    alpha: float
    ci_method: str
    table: tuple[SurvivalRow, ...]

    _repr_fields = ("label", "n", "n_events", "median", "median_ci_low", "median_ci_high")

    def survival_at(self, time: float) -> float:
        """Estimated probability of no event up to and including ``time``."""
        value = 1.0
        for row in self.table:
            if row.time > time:
                break
            value = row.survival
        return value

    def to_frame(self) -> pd.DataFrame:
        """The survival table as a DataFrame (one row per time)."""
        return pd.DataFrame([row.as_dict() for row in self.table])


def kaplan_meier(
    durations, observed, *, label: str = "Kaplan-Meier", alpha: float = 0.05
) -> KaplanMeierResult:
    """Kaplan-Meier estimate of the time to an event (e.g. days from MMF start to remission).

    Parameters
    ----------
    durations : sequence of numbers
        Time from the start (e.g. MMF start) to the event or to the last observation, in
        the unit the caller chose (name it in ``label``, e.g. "days to remission"). Must
        be 0 or more.
    observed : sequence of yes/no
        True (or 1) when the event happened at that time, False (0) when the patient was
        censored. Patients with either value missing are left out and counted.
    label : str
        Name shown in the repr and reports.
    alpha : float
        1 - confidence level of the pointwise and median intervals.

    Notes
    -----
    The product-limit estimate comes from lifelines' ``KaplanMeierFitter``. Pointwise
    intervals use Greenwood's variance on the log(-log S) scale ("exponential
    Greenwood"), computed by R's formula for ``survfit(..., conf.type = "log-log")``;
    where S is 0 or 1 the limits are NaN (R's NA). R's default is ``"log"`` and SPSS
    prints only standard errors, so state the choice. The median and its limits follow
    R's ``quantile.survfit``: the first time a curve is at or below 0.5; where it is
    exactly 0.5 over an interval, the midpoint of that interval (or of the time it
    reached 0.5 and the last time observed). lifelines' own ``median_survival_time_``
    takes the end of such an interval instead.

    References
    ----------
    Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat
    Assoc. 1958;53(282):457-481. doi:10.1080/01621459.1958.10501452
    Kalbfleisch JD, Prentice RL. The Statistical Analysis of Failure Time Data. 2nd ed.
    Wiley; 2002 (log-log interval).
    Therneau TM. survival: Survival Analysis. R package 3.5-3 (survfit_confint,
    quantile.survfit).
    Davidson-Pilon C. lifelines: survival analysis in Python. J Open Source Softw.
    2019;4(40):1317. doi:10.21105/joss.01317
    """
    from lifelines import KaplanMeierFitter  # import here: lifelines is slow to import

    if not 0 < alpha < 1:
        raise StatisticsInputError("stats.alpha_range", value=alpha)
    times = as_float_array(durations, name="durations")
    flags = list(observed.tolist() if isinstance(observed, (np.ndarray, pd.Series)) else observed)
    if len(flags) != times.size:
        raise StatisticsInputError(
            "stats.survival.lengths", durations=int(times.size), observed=len(flags)
        )
    events = np.zeros(times.size, dtype=bool)
    keep = ~np.isnan(times)
    for position, flag in enumerate(flags):
        if is_missing(flag):
            keep[position] = False
            continue
        value = flag.item() if isinstance(flag, np.generic) else flag
        if value not in (True, False, 0, 1):
            raise StatisticsInputError("stats.survival.not_event", item=position + 1, value=flag)
        events[position] = bool(value)
    negative = np.flatnonzero(keep & (times < 0))
    if negative.size:
        first = int(negative[0])
        raise StatisticsInputError(
            "stats.survival.negative_time", item=int(first) + 1, value=float(times[first])
        )
    times, events = times[keep], events[keep]
    if times.size == 0:
        raise StatisticsInputError("stats.survival.no_patient")

    fitter = KaplanMeierFitter(alpha=alpha, label=label)
    fitter.fit(times, event_observed=events)
    survival = fitter.survival_function_[label]
    events_table = fitter.event_table
    # One row per distinct time (lifelines' event table has a unique index), read as
    # columns: a lookup per time took seconds at 100,000 patients.
    table_times = events_table.index.to_numpy()
    at_risk_column = events_table["at_risk"].to_numpy()
    observed_column = events_table["observed"].to_numpy()
    censored_column = events_table["censored"].to_numpy()
    # lifelines' artificial start row
    row_kept = ~((table_times == 0) & (observed_column == 0) & (censored_column == 0))
    kept = events_table.index[row_kept].tolist()
    at_risk = at_risk_column[row_kept].astype(float)
    n_events = observed_column[row_kept].astype(float)
    curve = survival.loc[kept].to_numpy(dtype=float)
    ci_low, ci_high = _log_log_interval(curve, at_risk, n_events, alpha)
    rows = [
        SurvivalRow(
            time=float(time),
            at_risk=int(risk),
            events=int(happened),
            censored=int(left),
            survival=float(curve[index]),
            ci_low=float(ci_low[index]),
            ci_high=float(ci_high[index]),
        )
        for index, (time, risk, happened, left) in enumerate(
            zip(
                kept,
                at_risk_column[row_kept].tolist(),
                observed_column[row_kept].tolist(),
                censored_column[row_kept].tolist(),
                strict=True,
            )
        )
    ]
    times_seen = np.array([row.time for row in rows])
    median = _median_time(times_seen, curve)
    # R's quantile.survfit reads the lower limit of the median from the lower curve
    # (1 - lower crosses 0.5 first) and the upper limit from the upper curve.
    median_low = _median_time(times_seen, ci_low)
    median_high = _median_time(times_seen, ci_high)
    return KaplanMeierResult(
        label=label,
        n=int(times.size),
        n_events=int(events.sum()),
        n_censored=int((~events).sum()),
        n_missing=int((~keep).sum()),
        median=median,
        median_ci_low=median_low,
        median_ci_high=median_high,
        alpha=float(alpha),
        ci_method="log-log (exponential Greenwood)",
        table=tuple(rows),
    )


# R's quantile.survfit treats a curve within sqrt(machine epsilon) of 0.5 as equal to it.
_EQUAL_TOLERANCE = 1.4901161193847656e-08


def _log_log_interval(
    curve: np.ndarray, at_risk: np.ndarray, events: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise log(-log S) limits with Greenwood's variance, as R survfit's "log-log".

    R (survival 3.5, ``survfit_confint``): with ``se`` the Greenwood standard error of
    the cumulative hazard, sqrt(sum d / (n (n - d))), the limits are
    ``exp(-exp(log(-log S) -/+ z se / log S))``. Where S is 1 (before the first event)
    or 0 (after the last patient's event) log(-log S) does not exist and the limits are
    NaN (R's NA), not a degenerate (1, 1) or (0, 0).
    """
    z = float(scipy_stats.norm.ppf(1 - alpha / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        increments = np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0)
        se = np.sqrt(np.cumsum(increments))
        defined = (curve > 0) & (curve < 1)
        log_s = np.log(np.where(defined, curve, np.nan))
        spread = z * se / log_s
        centre = np.log(-log_s)
        low = np.exp(-np.exp(centre - spread))
        high = np.exp(-np.exp(centre + spread))
    low[~defined] = np.nan
    high[~defined] = np.nan
    return low, high


def _median_time(times: np.ndarray, curve: np.ndarray) -> float:
    """The time the curve reaches 0.5, by R's rule (``survival:::findq``, survival 3.5).

    On the points (0, S = 1) and (time_i, curve_i), NaN points skipped and repeated
    values kept once: the median is the first time the curve is at or below 0.5; where
    the curve is exactly 0.5 (within 1.5e-8) it is the midpoint between the time it
    reached 0.5 and the time it next drops, or the last time observed if it never
    drops again. NaN when the curve never reaches 0.5 (R's "not reached", NA).
    """
    last_time = float(times[-1]) if times.size else 0.0
    x = np.concatenate([[0.0], times])
    y = np.concatenate([[0.0], 1.0 - curve])  # cumulative incidence, non-decreasing
    present = ~np.isnan(y)
    if not present.any() or y[present].max() < 0.5:
        return math.nan
    # duplicated() keeps the first of equal values (and the first NaN).
    keep = np.ones(y.size, dtype=bool)
    seen_nan = False
    for index in range(1, y.size):
        if np.isnan(y[index]):
            keep[index] = not seen_nan
            seen_nan = True
        elif np.any(y[:index][present[:index]] == y[index]):
            keep[index] = False
    x, y = x[keep], y[keep]
    first = _step_index(y + _EQUAL_TOLERANCE, 0.5)
    second = _step_index(y - _EQUAL_TOLERANCE, 0.5)
    if not np.isnan(y[-1]) and abs(0.5 - y[-1]) < _EQUAL_TOLERANCE:
        return math.nan if first is None else (float(x[first]) + last_time) / 2.0
    if first is None or second is None:
        return math.nan
    return (float(x[first]) + float(x[second])) / 2.0


def _step_index(levels: np.ndarray, target: float) -> int | None:
    """R ``approx(levels, seq_along(levels), target, method = "constant", f = 1)``, 0-based.

    Among the non-NaN levels (increasing): the position of a level equal to ``target``,
    else of the first level above it; None when ``target`` lies outside their range.
    """
    positions = np.flatnonzero(~np.isnan(levels))
    values = levels[positions]
    if target < values[0] or target > values[-1]:
        return None
    exact = np.flatnonzero(values == target)
    if exact.size:
        return int(positions[exact[-1]])
    return int(positions[np.searchsorted(values, target, side="right")])
