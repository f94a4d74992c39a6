"""One validator for the numeric inputs of the clinical calculators.

Accepted ranges are declared next to each equation (as data) and checked
here, so every refusal reads the same: which input, which value, what range,
and a hint when a unit mix-up is the likely cause.

Missing values: a single number must be a real, finite number (a calculator
given NaN or infinity has nothing to calculate, and must not return a number
that looks like a result). In an array, which the vectorised derivation
passes, NaN elements mean "not recorded" and pass through, so that the
calculation returns NaN for those rows; infinite elements are refused.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nephrocohort.exceptions import ClinicalInputError


class Range(NamedTuple):
    """Inclusive accepted range of one input, with its unit and an optional hint."""

    low: float
    high: float
    unit: str
    hint: str = ""


def is_scalar(value) -> bool:
    return np.ndim(value) == 0


def as_numbers(name: str, value):
    """Return ``value`` as a float or a float array; refuse text and booleans."""
    if value is None:
        raise ClinicalInputError(f"{name} is required but was not given.")
    if isinstance(value, bool | np.bool_):
        raise ClinicalInputError(f"{name} must be a number; got {value!r}.")
    try:
        numbers = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ClinicalInputError(f"{name} must be a number; got {value!r}.") from None
    return float(numbers) if numbers.ndim == 0 else numbers


def check_range(name: str, value, accepted: Range, *, context: str = ""):
    """Return ``value`` as numbers after checking every non-missing element lies in ``accepted``.

    A single NaN or infinite number is refused; in an array, NaN elements pass
    (NaN in, NaN out) and infinite ones are refused.
    """
    numbers = as_numbers(name, value)
    context_text = f" for {context}" if context else ""
    expected = (
        f"expected a number in {accepted.low:g}-{accepted.high:g} {accepted.unit}{context_text}"
    )
    if np.ndim(numbers) == 0 and np.isnan(numbers):
        raise ClinicalInputError(f"{name} is missing (not a number); {expected}.")
    array = np.atleast_1d(numbers)
    infinite = np.flatnonzero(np.isinf(array))
    if infinite.size:
        where = "" if np.ndim(numbers) == 0 else f" (position {infinite[0]})"
        raise ClinicalInputError(f"{name} is infinite{where}; {expected}.")
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isnan(array) & ((array < accepted.low) | (array > accepted.high)))
    if bad.size:
        first = bad[0]
        where = "" if np.ndim(numbers) == 0 else f" (position {first})"
        hint = f" {accepted.hint}" if accepted.hint else ""
        raise ClinicalInputError(
            f"{name} is {array[first]:g}{where}; expected {accepted.low:g}-{accepted.high:g} "
            f"{accepted.unit}{context_text}.{hint}"
        )
    return numbers


def check_sex(sex):
    """Return sex as 'M'/'F' (a string or an object array); refuse anything else."""
    allowed = {"M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}

    def one(item, position=None):
        key = str(item).strip().upper() if item is not None else ""
        if key not in allowed:
            where = "" if position is None else f" (position {position})"
            raise ClinicalInputError(f"sex is {item!r}{where}; expected M or F.")
        return allowed[key]

    if is_scalar(sex):
        return one(sex)
    return np.array(
        [one(item, i) for i, item in enumerate(np.asarray(sex, dtype=object))], dtype=object
    )
