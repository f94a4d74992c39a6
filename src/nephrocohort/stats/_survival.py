"""Kaplan-Meier estimates through lifelines, as a small result with the table and the median."""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    Computed with lifelines' ``KaplanMeierFitter``. Pointwise intervals use Greenwood's
    variance on the log(-log S) scale ("exponential Greenwood"), which is R
    ``survfit(..., conf.type = "log-log")``; R's default is ``"log"`` and SPSS prints
    only standard errors, so state the choice. The median is the first time at which
    S(t) <= 0.5 and its interval the times at which the interval limits first reach 0.5;
    where a curve is exactly 0.5 over an interval, the midpoint of that interval. This is
    R's rule (``quantile.survfit``); lifelines' own ``median_survival_time_`` takes the end
    of such an interval instead, so the two differ in that case only.

    References
    ----------
    Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat
    Assoc. 1958;53(282):457-481. doi:10.1080/01621459.1958.10501452
    Kalbfleisch JD, Prentice RL. The Statistical Analysis of Failure Time Data. 2nd ed.
    Wiley; 2002 (log-log interval).
    Davidson-Pilon C. lifelines: survival analysis in Python. J Open Source Softw.
    2019;4(40):1317. doi:10.21105/joss.01317
    """
    from lifelines import KaplanMeierFitter  # import here: lifelines is slow to import

    if not 0 < alpha < 1:
        raise StatisticsInputError(f"alpha must be between 0 and 1; got {alpha!r}.")
    times = as_float_array(durations, name="durations")
    flags = list(observed.tolist() if isinstance(observed, (np.ndarray, pd.Series)) else observed)
    if len(flags) != times.size:
        raise StatisticsInputError(
            f"durations has {times.size} values and observed has {len(flags)}; both need "
            "one value per patient, in the same order."
        )
    events = np.zeros(times.size, dtype=bool)
    keep = ~np.isnan(times)
    for position, flag in enumerate(flags):
        if is_missing(flag):
            keep[position] = False
            continue
        value = flag.item() if isinstance(flag, np.generic) else flag
        if value not in (True, False, 0, 1):
            raise StatisticsInputError(
                f"observed: item {position + 1} is {flag!r}. Expected True/1 (event) or "
                "False/0 (censored)."
            )
        events[position] = bool(value)
    negative = np.flatnonzero(keep & (times < 0))
    if negative.size:
        first = int(negative[0])
        raise StatisticsInputError(
            f"durations: item {first + 1} is {times[first]:g}, a negative time. Check that "
            "the event date is not before the start date."
        )
    times, events = times[keep], events[keep]
    if times.size == 0:
        raise StatisticsInputError("No patient has both a duration and an event status.")

    fitter = KaplanMeierFitter(alpha=alpha, label=label)
    fitter.fit(times, event_observed=events)
    survival = fitter.survival_function_[label]
    interval = fitter.confidence_interval_survival_function_
    lower_column, upper_column = interval.columns[0], interval.columns[1]
    events_table = fitter.event_table
    rows = []
    for time, entry in events_table.iterrows():
        if time == 0 and entry["observed"] == 0 and entry["censored"] == 0:
            continue  # lifelines' artificial start row
        rows.append(
            SurvivalRow(
                time=float(time),
                at_risk=int(entry["at_risk"]),
                events=int(entry["observed"]),
                censored=int(entry["censored"]),
                survival=float(survival.loc[time]),
                ci_low=float(interval.loc[time, lower_column]),
                ci_high=float(interval.loc[time, upper_column]),
            )
        )
    times_seen = np.array([row.time for row in rows])
    median = _median_time(times_seen, np.array([row.survival for row in rows]))
    median_low = _median_time(times_seen, np.array([row.ci_low for row in rows]))
    median_high = _median_time(times_seen, np.array([row.ci_high for row in rows]))
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
_EQUAL_TOLERANCE = 1.5e-8


def _median_time(times: np.ndarray, curve: np.ndarray) -> float:
    """First time the curve is at or below 0.5; the midpoint to the next drop if exactly 0.5.

    This is R's rule (``quantile.survfit``): where the estimate equals 0.5 over an interval
    the median is the middle of that interval. NaN when the curve never reaches 0.5.
    """
    reached = np.flatnonzero(curve <= 0.5 + _EQUAL_TOLERANCE)
    if reached.size == 0:
        return math.nan
    first = int(reached[0])
    if abs(curve[first] - 0.5) > _EQUAL_TOLERANCE:
        return float(times[first])
    later_drops = np.flatnonzero(curve[first + 1 :] < curve[first] - _EQUAL_TOLERANCE)
    if later_drops.size == 0:
        return float(times[first])
    return (float(times[first]) + float(times[first + 1 + int(later_drops[0])])) / 2.0
