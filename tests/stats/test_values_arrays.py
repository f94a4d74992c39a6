"""Numeric arrays and Series become floats without a per-item loop; the answers and the
errors are those of the documented rules (missing -> NaN, infinite and yes/no refused)."""

import numpy as np
import pandas as pd
import pytest

from nephrocohort.stats import StatisticsInputError
from nephrocohort.stats._values import as_float_array, decimal_places


def test_a_float_series_keeps_its_gaps_as_nan():
    numbers = as_float_array(pd.Series([1.5, None, 3.0]))
    assert numbers[0] == 1.5 and np.isnan(numbers[1]) and numbers[2] == 3.0


def test_a_nullable_integer_series_with_na_gives_nan():
    numbers = as_float_array(pd.Series([1, pd.NA, 3], dtype="Int64"))
    assert numbers.dtype == float
    assert numbers[0] == 1.0 and np.isnan(numbers[1]) and numbers[2] == 3.0


def test_an_integer_array_becomes_floats():
    assert as_float_array(np.array([2, 4, 6], dtype=np.int64)).tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize(
    "values",
    [
        np.array([1.0, 2.0, np.inf]),
        pd.Series([1.0, 2.0, -np.inf]),
        pd.Series([1.0, 2.0, np.inf], dtype="Float64"),
    ],
)
def test_an_infinite_item_is_named_by_position(values):
    with pytest.raises(StatisticsInputError) as caught:
        as_float_array(values)
    error = caught.value
    assert (error.code, error.params["name"], error.params["item"]) == (
        "stats.values.not_finite",
        "values",
        3,
    )
    assert np.isinf(error.params["value"])


def test_a_boolean_array_is_still_refused_as_yes_no():
    with pytest.raises(StatisticsInputError) as caught:
        as_float_array(np.array([True, False]))
    error = caught.value
    assert (error.code, error.params["item"], bool(error.params["value"])) == (
        "stats.values.yes_no",
        1,
        True,
    )


def test_text_in_an_object_series_is_still_named():
    with pytest.raises(StatisticsInputError) as caught:
        as_float_array(pd.Series([1.0, "1,5"], dtype=object))
    assert (caught.value.code, caught.value.params["item"], caught.value.params["value"]) == (
        "stats.values.not_a_number",
        2,
        "1,5",
    )


def test_decimal_places_of_many_repeated_values():
    # 0.75 has 2 places, 3.0 none, 0.125 three (written decimals, not computed ones)
    values = np.array([0.75] * 1000 + [3.0] * 1000 + [np.nan])
    assert decimal_places(values) == 2
    assert decimal_places(values, np.array([0.125, 0.125])) == 3
    assert decimal_places(np.array([np.nan, np.inf])) == 0
