"""Vectorised proteinuria classification: millions of measurements per call, refusals by position.

A rule set's ``classify_proteinuria_array`` calls ``classify_array`` with its
own ``criterion_for``, so the thresholds stay in the model and the array
bookkeeping (text grades, missing values, one pass per distinct test and unit)
lives here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from nephrocohort.clinical.rules.vocabulary import PROTEINURIA_CATEGORIES
from nephrocohort.clinical.units import dipstick_to_mg_dl
from nephrocohort.exceptions import ClinicalInputError
from nephrocohort.messages import Message

__all__ = ["classify_array"]

_CATEGORY_OR_NONE = np.array([None, *PROTEINURIA_CATEGORIES], dtype=object)


def classify_array(criterion_for: Callable, tests, values, units):
    """Category per measurement (object array; None where the value is missing).

    ``criterion_for(test, unit)`` returns the criterion and the exact factor
    to its unit (``RuleSet.criterion_for``).

    References
    ----------
    The rule set's thresholds and their sources (``rules show NAME``).
    """
    numbers, dipstick_grade = _measured_numbers(values, tests)
    count = numbers.size
    test_codes, test_names = _codes(tests, count)
    unit_codes, unit_names = _codes(units, count)
    # A dipstick grade given as text is in mg/dL whatever the unit column says.
    if dipstick_grade.any():
        unit_codes = np.where(dipstick_grade, len(unit_names), unit_codes)
        unit_names = [*unit_names, "mg/dL"]
    known = ~np.isnan(numbers)
    for condition, code in (
        (known & (numbers < 0), "rules.array_negative"),
        (np.isinf(numbers), "rules.array_infinite"),
    ):
        bad = np.flatnonzero(condition)
        if bad.size:
            position = int(bad[0])
            raise ClinicalInputError(code, value=float(numbers[position]), position=position)
    state = np.full(count, -1, dtype=np.int8)  # -1 missing; else index in PROTEINURIA_CATEGORIES
    width = len(unit_names)
    pair = np.where(known, test_codes * width + unit_codes, -1)
    for key in np.flatnonzero(np.bincount(pair[known], minlength=1)):
        test_code, unit_code = divmod(int(key), width)
        mask = pair == key
        try:
            criterion, factor = criterion_for(test_names[test_code], unit_names[unit_code])
        except ClinicalInputError as error:
            raise ClinicalInputError(
                "rules.array_at",
                position=int(np.argmax(mask)),
                error=Message(error.code, error.params),
            ) from None
        in_unit = numbers[mask] * factor
        state[mask] = np.where(
            criterion.nephrotic.applies(in_unit),
            0,
            np.where(criterion.complete.applies(in_unit), 2, 1),
        )
    return _CATEGORY_OR_NONE[state + 1]


def _codes(labels, count: int) -> tuple[np.ndarray, list]:
    """Integer code per row and the distinct labels (a missing label is the label None)."""
    if labels is None or isinstance(labels, str) or np.ndim(labels) == 0:
        return np.zeros(count, dtype=np.int64), [labels]
    if not isinstance(labels, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        labels = np.asarray(labels, dtype=object).reshape(-1)
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    if len(codes) == 1 and count != 1:
        codes = np.repeat(codes, count)
    if len(codes) != count:
        raise ClinicalInputError("rules.array_lengths", given=len(codes), values=count)
    names = [str(name) for name in uniques] + [None]
    return np.where(codes < 0, len(names) - 1, codes).astype(np.int64), names


def _measured_numbers(values, tests) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats (NaN for missing) and the rows where a dipstick grade was given as text.

    Numbers are converted by numpy in one pass; text is converted once per
    distinct text, not once per row.
    """
    if isinstance(values, pd.Series | pd.Index):
        values = values.to_numpy()
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.dtype.kind in "fiu":
        numbers = array.astype(float).reshape(-1)
        return numbers, np.zeros(numbers.size, dtype=bool)
    values = np.asarray(values, dtype=object).reshape(-1)
    text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=values.size)
    numbers = np.full(values.size, np.nan)
    others = np.flatnonzero(~text)
    try:
        numbers[others] = values[others].astype(float)  # None becomes NaN
    except (TypeError, ValueError):
        for position in others:
            if not _is_number(values[position]):
                raise ClinicalInputError(
                    "rules.array_not_a_number", value=values[position], position=int(position)
                ) from None
    grade_rows = np.zeros(values.size, dtype=bool)
    text_rows = np.flatnonzero(text)
    if text_rows.size == 0:
        return numbers, grade_rows
    if isinstance(tests, str) or np.ndim(tests) == 0:
        dipstick = np.full(text_rows.size, tests == "dipstick_protein", dtype=bool)
    else:
        test_array = np.asarray(tests, dtype=object).reshape(-1)
        dipstick = np.broadcast_to(test_array, values.shape)[text_rows] == "dipstick_protein"
    grade_rows[text_rows[dipstick]] = True
    codes, uniques = pd.factorize(values[text_rows])
    for index, unique in enumerate(uniques):
        rows = codes == index
        as_grade, as_number = rows & dipstick, rows & ~dipstick
        if as_grade.any():
            numbers[text_rows[as_grade]] = dipstick_to_mg_dl(unique)
        if as_number.any():
            try:
                numbers[text_rows[as_number]] = float(unique)
            except ValueError:
                first = int(text_rows[as_number][0])
                raise ClinicalInputError(
                    "rules.array_not_a_number", value=unique, position=first
                ) from None
    return numbers, grade_rows


def _is_number(value) -> bool:
    try:
        float(value if value is not None else "nan")
    except (TypeError, ValueError):
        return False
    return True
