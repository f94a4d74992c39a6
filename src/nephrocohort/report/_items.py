"""The result items of a report: small frozen objects with unrounded numbers.

Each item has a stable dotted ``id`` (scripts and the acceptance test rely on
it), a human ``label`` and the numbers of its kind. ``to_dict`` gives the
shape of ``results.json`` described in DESIGN.md; rounding is left to the
renderers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import pandas as pd

from nephrocohort.i18n import gettext

__all__ = [
    "CountItem",
    "FindingItem",
    "SummaryItem",
    "HypothesisTestItem",
    "SurvivalItem",
    "Item",
    "count_true",
    "count_levels",
]


def _clean(value):
    """JSON-friendly value: NaN becomes None, numpy scalars become Python numbers."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {key: _clean(v) for key, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _as_dict(item) -> dict:
    data = {"id": item.id, "label": item.label, "kind": item.kind}
    for f in fields(item):
        if f.name in ("id", "label"):
            continue
        data[f.name] = _clean(getattr(item, f.name))
    return data


@dataclass(frozen=True)
class CountItem:
    """A number of patients out of those with data (SPSS's valid percent).

    ``denominator`` counts the patients with data for this variable and
    ``missing`` those without, so ``percent`` is never diluted by gaps in
    the records (the seed: "the denominator of the different percentages
    varies according to the availability of data").
    """

    id: str
    label: str
    n: int
    denominator: int
    missing: int = 0
    reasons: tuple = ()  # (reason, n) pairs, for eligibility exclusions

    kind = "count"

    @property
    def percent(self) -> float | None:
        """Unrounded percentage of the denominator; None when nobody has data."""
        if self.denominator == 0:
            return None
        return 100.0 * self.n / self.denominator

    def to_dict(self) -> dict:
        data = _as_dict(self)
        data["percent"] = self.percent
        data["reasons"] = [{"reason": r, "n": n} for r, n in self.reasons]
        return data

    def __repr__(self) -> str:
        pct = "NA" if self.percent is None else f"{self.percent:.1f}%"
        return f"CountItem({self.id!r}: {self.n}/{self.denominator} = {pct})"


@dataclass(frozen=True)
class FindingItem(CountItem):
    """A data-quality finding: the patients it concerns, out of those that could be checked.

    A count (``n`` of ``denominator``, ``missing`` not checkable) with the
    ``patient_ids`` it concerns, so a data manager can find each one; the
    values themselves are never part of it.
    """

    patient_ids: tuple = ()

    def __repr__(self) -> str:
        return f"FindingItem({self.id!r}: {self.n}/{self.denominator})"


@dataclass(frozen=True)
class SummaryItem:
    """Descriptive statistics of one quantitative variable, with the display chosen.

    ``summary`` is the display nephrocohort.stats.describe chose (``mean_sd``,
    ``median_quartiles``, ``min_max``, or ``none`` without values) and
    ``reason`` says why, in a sentence for the reader.
    """

    id: str
    label: str
    unit: str
    n: int
    missing: int
    mean: float | None
    sd: float | None
    median: float | None
    p25: float | None
    p75: float | None
    min: float | None
    max: float | None
    normal: bool | None
    normality_test: str | None
    normality_statistic: float | None
    normality_p: float | None
    summary: str
    reason: str
    percentile_method: str

    kind = "summary"

    def to_dict(self) -> dict:
        return _as_dict(self)

    def __repr__(self) -> str:
        return f"SummaryItem({self.id!r}: n={self.n}, {self.summary})"


@dataclass(frozen=True)
class HypothesisTestItem:
    """A statistical test: which one, its statistic, z, p and the n it used.

    For a paired comparison, ``normality_of_differences`` holds the normality
    test of ``after - before`` (``test``, ``test_name``, ``statistic``, ``p``,
    ``normal``, ``n``, ``reason``) and ``paired_t`` the paired t test
    (``statistic``, ``df``, ``p``, ``mean_difference``, ``ci_low``,
    ``ci_high``, ``n``, ``role``), given as a secondary test when the
    differences are normal; ``test`` stays the primary one.
    """

    id: str
    label: str
    test: str
    statistic: float | None
    z: float | None
    p: float | None
    n: int
    p_exact: float | None = None
    note: str = ""
    normality_of_differences: dict | None = field(default=None, hash=False)
    paired_t: dict | None = field(default=None, hash=False)
    #: How the p-value was computed, where a test has a choice: Fisher's "exact" or
    #: "monte_carlo"; ``method_detail`` the budget and bound that chose it (and the seed).
    method: str | None = None
    method_detail: dict | None = field(default=None, hash=False)

    kind = "test"

    def to_dict(self) -> dict:
        return _as_dict(self)

    def __repr__(self) -> str:
        p = "NA" if self.p is None else f"{self.p:.4g}"
        return f"HypothesisTestItem({self.id!r}: {self.test}, n={self.n}, p={p})"


@dataclass(frozen=True)
class SurvivalItem:
    """A Kaplan-Meier estimate: counts, median time and the curve itself.

    Times are in days from MMF start; the median follows R's rule and the
    pointwise interval Greenwood's exponential formula ("log-log" in R), as
    nephrocohort.stats.kaplan_meier computes them. The curve starts at day 0.
    """

    id: str
    label: str
    n: int
    events: int
    censored: int
    median_days: float | None
    median_ci_low_days: float | None = None
    median_ci_high_days: float | None = None
    timeline_days: tuple = field(default=())
    survival: tuple = field(default=())
    ci_lower: tuple = field(default=())
    ci_upper: tuple = field(default=())
    at_risk: tuple = field(default=())
    censored_days: tuple = field(default=())  # times at which patients were censored

    kind = "survival"

    def to_dict(self) -> dict:
        return _as_dict(self)

    def __repr__(self) -> str:
        return f"SurvivalItem({self.id!r}: n={self.n}, events={self.events})"


Item = CountItem | SummaryItem | HypothesisTestItem | SurvivalItem


# Count items of one column (the study sections and the course section build them alike).
def count_true(item_id: str, label: str, series: pd.Series) -> CountItem:
    """Patients with True among those with a recorded value."""
    values = series.astype("boolean")
    known = values.dropna()
    return CountItem(
        id=item_id,
        label=label,
        n=int(known.sum()),
        denominator=int(len(known)),
        missing=int(len(values) - len(known)),
    )


def count_levels(prefix: str, series: pd.Series, labels: dict, *, keys=None) -> list[CountItem]:
    """One item per level, each out of the patients with a recorded value."""
    known = series.dropna().astype(str)
    missing = int(len(series) - len(known))
    keys = keys or {level: level for level in labels}
    return [
        CountItem(
            id=f"{prefix}.{keys[level]}",
            label=gettext(label),
            n=int((known == level).sum()),
            denominator=int(len(known)),
            missing=missing,
        )
        for level, label in labels.items()
    ]
