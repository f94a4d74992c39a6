"""Counts and valid percentages of a categorical variable, as SPSS FREQUENCIES."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import is_missing

__all__ = ["frequencies", "FrequencyTable", "FrequencyRow"]


@dataclass(frozen=True, repr=False)
class FrequencyRow(StatResult):
    """One category: ``n`` patients, ``percent`` of the patients with data (valid percent)."""

    category: object
    n: int
    denominator: int
    percent: float
    percent_of_total: float
    cumulative_percent: float

    _repr_fields = ("category", "n", "denominator", "percent")


@dataclass(frozen=True, repr=False)
class FrequencyTable(StatResult):
    """A frequency table: one row per category, the denominator and the missing count.

    ``table[category]`` returns that category's row. ``denominator`` is the number of
    patients with data; ``total`` adds the ``missing`` ones.
    """

    rows: tuple[FrequencyRow, ...]
    denominator: int
    missing: int
    total: int

    _repr_fields = ("denominator", "missing", "total")

    def __getitem__(self, category) -> FrequencyRow:
        for row in self.rows:
            if row.category == category:
                return row
        known = ", ".join(repr(row.category) for row in self.rows)
        raise KeyError(f"No category {category!r} in this table; categories are: {known}.")

    def __iter__(self):
        return iter(self.rows)

    @property
    def categories(self) -> tuple:
        """The categories in table order."""
        return tuple(row.category for row in self.rows)

    def __repr__(self) -> str:
        counts = ", ".join(f"{row.category!r}: {row.n}" for row in self.rows)
        return (
            f"FrequencyTable({{{counts}}}, denominator={self.denominator}, missing={self.missing})"
        )


def frequencies(values, categories=None) -> FrequencyTable:
    """Count each category of ``values``; percentages use the patients with data.

    Parameters
    ----------
    values : sequence
        One value per patient (text, booleans or numbers). None, NaN, pandas NA and
        empty text are missing: counted in ``missing``, not in the denominator.
    categories : sequence, optional
        The categories and their order. Categories with no patient appear with n = 0.
        A value outside this list is an error (a typo such as "FSGS " or "fsgs" would
        otherwise silently vanish). Without it, the categories found are sorted.

    Notes
    -----
    Matches SPSS FREQUENCIES: "Frequency" is ``n``, "Valid Percent" is ``percent`` =
    100 n / denominator, "Percent" is ``percent_of_total`` = 100 n / (denominator +
    missing), "Cumulative Percent" accumulates valid percents in table order. The
    seed study's percentages are valid percents ("the denominator ... varies according
    to the availability of data"). With no patient with data, percentages are NaN.

    References
    ----------
    IBM SPSS Statistics Algorithms, FREQUENCIES.
    """
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        raise StatisticsInputError("stats.frequencies.single_value", value=values)
    items = list(values.tolist() if isinstance(values, (np.ndarray, pd.Series)) else values)
    present = [_plain_category(item) for item in items if not is_missing(item)]
    missing = len(items) - len(present)
    counts: dict = {}
    for item in present:
        counts[item] = counts.get(item, 0) + 1
    if categories is None:
        order = _sorted_categories(counts)
    else:
        if isinstance(categories, (str, bytes)):
            raise StatisticsInputError("stats.frequencies.categories_text", value=categories)
        order = [_plain_category(category) for category in categories]
        if len(set(order)) != len(order):
            raise StatisticsInputError("stats.frequencies.duplicates", categories=list(categories))
        unexpected = [category for category in counts if category not in order]
        if unexpected:
            raise StatisticsInputError(
                "stats.frequencies.unexpected",
                found=", ".join(repr(value) for value in unexpected),
                patients=sum(counts[value] for value in unexpected),
                expected=order,
            )
    denominator = len(present)
    total = len(items)
    rows = []
    cumulative = 0.0
    for category in order:
        n = counts.get(category, 0)
        percent = 100.0 * n / denominator if denominator else np.nan
        cumulative += percent if denominator else 0.0
        rows.append(
            FrequencyRow(
                category=category,
                n=n,
                denominator=denominator,
                percent=percent,
                percent_of_total=100.0 * n / total if total else np.nan,
                cumulative_percent=cumulative if denominator else np.nan,
            )
        )
    return FrequencyTable(rows=tuple(rows), denominator=denominator, missing=missing, total=total)


def _plain_category(value):
    """numpy scalars become Python values so that True, np.True_ and 1.0 count together."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _sorted_categories(counts: dict) -> list:
    try:
        return sorted(counts)
    except TypeError:  # mixed types (e.g. text and numbers): keep first-seen order
        return list(counts)
