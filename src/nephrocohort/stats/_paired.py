"""Pairing two measurements of the same patients: drop incomplete pairs, difference at the data's precision."""

from dataclasses import dataclass

import numpy as np

from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._values import as_float_array, decimal_places

__all__ = ["PairedValues", "pair_values"]


@dataclass(frozen=True)
class PairedValues:
    """Complete pairs and their differences ``after - before``, rounded to ``decimals``."""

    before: np.ndarray
    after: np.ndarray
    differences: np.ndarray
    decimals: int
    n_missing_pairs: int


def pair_values(before, after, *, decimals: int | None = None) -> PairedValues:
    """Line up ``before`` and ``after`` per patient, drop pairs with a missing side.

    The difference is rounded to the number of decimal places of the data (the largest
    found in either list, or ``decimals`` if given) so that 0.8 - 0.2 and 0.6 - 0.0 are
    the same difference, as a person reading the values expects; in binary floating
    point they differ (0.6000000000000001 and 0.6) and would break a tie.
    """
    first = as_float_array(before, name="before")
    second = as_float_array(after, name="after")
    if first.size != second.size:
        raise StatisticsInputError(
            "stats.paired_lengths", before=int(first.size), after=int(second.size)
        )
    if decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0
    ):
        raise StatisticsInputError("stats.decimals", value=decimals)
    complete = ~(np.isnan(first) | np.isnan(second))
    first, second = first[complete], second[complete]
    places = decimal_places(first, second) if decimals is None else decimals
    differences = np.round(second - first, places)
    # -0.0 after rounding would otherwise print oddly; it is a zero difference either way.
    differences[differences == 0] = 0.0
    return PairedValues(
        before=first,
        after=second,
        differences=differences,
        decimals=int(places),
        n_missing_pairs=int((~complete).sum()),
    )
