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
from nephrocohort.messages import Message


class Range(NamedTuple):
    """Inclusive accepted range of one input, with its unit and an optional hint.

    ``hint`` is the code of a catalogue message (``clinical.hint.*``): what
    the likely slip is, shown after the refusal in the user's language.
    """

    low: float
    high: float
    unit: str
    hint: str = ""


def is_scalar(value) -> bool:
    return np.ndim(value) == 0


def as_numbers(name: str, value):
    """Return ``value`` as a float or a float array; refuse text and booleans."""
    if value is None:
        raise ClinicalInputError("clinical.required", name=name)
    if isinstance(value, bool | np.bool_):
        raise ClinicalInputError("clinical.not_a_number", name=name, value=value)
    try:
        numbers = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ClinicalInputError("clinical.not_a_number", name=name, value=value) from None
    return float(numbers) if numbers.ndim == 0 else numbers


def _expected(accepted: Range, context: str) -> Message:
    """The accepted range as the refusal shows it; ``context`` a ``clinical.for.*`` code."""
    bounds = {"low": accepted.low, "high": accepted.high, "unit": accepted.unit}
    if context:
        return Message("clinical.range_for", {**bounds, "context": Message(context)})
    return Message("clinical.range", bounds)


def check_range(name: str, value, accepted: Range, *, context: str = ""):
    """Return ``value`` as numbers after checking every non-missing element lies in ``accepted``.

    A single NaN or infinite number is refused; in an array, NaN elements pass
    (NaN in, NaN out) and infinite ones are refused. ``context`` is the code
    of the catalogue message naming what the range is for (``clinical.for.*``).
    Each refusal is a :class:`ClinicalInputError` with code ``clinical.missing``,
    ``clinical.infinite(_at)`` or ``clinical.out_of_range(_at)`` and params
    ``name``, ``value``, ``position`` (in an array), ``expected`` and ``hint``.
    """
    numbers = as_numbers(name, value)
    expected = _expected(accepted, context)
    if np.ndim(numbers) == 0 and np.isnan(numbers):
        raise ClinicalInputError("clinical.missing", name=name, expected=expected)
    array = np.atleast_1d(numbers)
    infinite = np.flatnonzero(np.isinf(array))
    if infinite.size:
        if np.ndim(numbers) == 0:
            raise ClinicalInputError("clinical.infinite", name=name, expected=expected)
        raise ClinicalInputError(
            "clinical.infinite_at", name=name, position=int(infinite[0]), expected=expected
        )
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isnan(array) & ((array < accepted.low) | (array > accepted.high)))
    if bad.size:
        first = int(bad[0])
        params = {
            "name": name,
            "value": float(array[first]),
            "expected": expected,
            "hint": Message(accepted.hint) if accepted.hint else "",
        }
        if np.ndim(numbers) == 0:
            raise ClinicalInputError("clinical.out_of_range", **params)
        raise ClinicalInputError("clinical.out_of_range_at", position=first, **params)
    return numbers


def check_sex(sex):
    """Return sex as 'M'/'F' (a string or an object array); refuse anything else."""
    allowed = {"M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}

    def one(item, position=None):
        key = str(item).strip().upper() if item is not None else ""
        if key not in allowed:
            if position is None:
                raise ClinicalInputError("clinical.sex", value=item)
            raise ClinicalInputError("clinical.sex_at", value=item, position=position)
        return allowed[key]

    if is_scalar(sex):
        return one(sex)
    return np.array(
        [one(item, i) for i, item in enumerate(np.asarray(sex, dtype=object))], dtype=object
    )
