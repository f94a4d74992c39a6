"""Turning what a user hands us (lists, Series, arrays with gaps) into clean numbers.

Missing values (None, NaN, pandas NA, empty text) are allowed and counted; anything
else that is not a number is an error that names the position and the value, because
a stray "n/a" or "1,5" in a spreadsheet column is the usual cause.
"""

import math
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from nephrocohort.stats._errors import StatisticsInputError

__all__ = ["as_float_array", "is_missing", "decimal_places", "MAX_SIGNIFICANT_DIGITS"]

# Beyond 11 significant digits a "precision" is floating-point noise from a division
# (a relapse rate of 3/1.0027 years = 2.99192..., kept to 10 decimal places), not how a
# person wrote the number. The cap is relative to each value's magnitude, so values of
# 1e-12 keep their 12 decimal places (R compares such differences exactly, not as 0).
MAX_SIGNIFICANT_DIGITS = 11


def is_missing(value) -> bool:
    """True for None, NaN, pandas NA/NaT and empty or blank text."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float_array(values, *, name: str = "values") -> np.ndarray:
    """Return ``values`` as a 1-D float array with NaN for every missing value.

    Raises StatisticsInputError naming the first position whose value is not a number.
    """
    if isinstance(values, (str, bytes)) or np.ndim(values) == 0:
        raise StatisticsInputError("stats.values.single_value", name=name, value=values)
    numbers = _numeric_fast_path(values, name)
    if numbers is not None:
        return numbers
    items = list(values.tolist() if isinstance(values, (np.ndarray, pd.Series)) else values)
    numbers = np.empty(len(items), dtype=float)
    for position, item in enumerate(items):
        if is_missing(item):
            numbers[position] = np.nan
        elif isinstance(item, (bool, np.bool_)):
            raise StatisticsInputError(
                "stats.values.yes_no", name=name, item=position + 1, value=item
            )
        else:
            try:
                number = float(item)
            except (TypeError, ValueError):
                raise StatisticsInputError(
                    "stats.values.not_a_number", name=name, item=position + 1, value=item
                ) from None
            if math.isinf(number):
                raise StatisticsInputError(
                    "stats.values.not_finite", name=name, item=position + 1, value=item
                )
            numbers[position] = number
    return numbers


def _numeric_fast_path(values, name: str) -> np.ndarray | None:
    """``values`` as floats without a per-item loop when it is a 1-D integer or float array
    or Series (NumPy or pandas nullable dtype); None for anything else (lists, object, bool).

    Gives what the per-item loop gives: NaN for every missing value, the same error
    naming the first infinite item.
    """
    if not isinstance(values, (np.ndarray, pd.Series)) or np.ndim(values) != 1:
        return None
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind not in "iuf":
            return None
        numbers = np.array(values, dtype=float)
    elif pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        return None
    infinite = np.flatnonzero(np.isinf(numbers))
    if infinite.size:
        position = int(infinite[0])
        raise StatisticsInputError(
            "stats.values.not_finite",
            name=name,
            item=position + 1,
            value=float(numbers[position]),
        )
    return numbers


def _places(number: float) -> int:
    """Decimal places of the shortest decimal text that reads back as ``number``.

    At most MAX_SIGNIFICANT_DIGITS significant digits count: the cap is
    ``MAX_SIGNIFICANT_DIGITS - 1 - floor(log10 |number|)`` places.
    """
    if number == 0:
        return 0
    try:
        exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    cap = MAX_SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(abs(number)))
    return max(0, min(-int(exponent), cap))


def decimal_places(*arrays: np.ndarray) -> int:
    """The largest number of decimal places in the finite values (scale-aware cap).

    ``0.75`` has 2, ``3.0`` has 0, ``1e-12`` has 12; ``0.1 + 0.2``
    (0.30000000000000004) is capped at 11 significant digits (11 places).
    """
    places = 0
    for array in arrays:
        numbers = np.asarray(array, dtype=float).ravel()
        # Each distinct value once: a cohort's columns repeat the same few values.
        for number in np.unique(numbers[np.isfinite(numbers)]).tolist():
            places = max(places, _places(number))
    return places
