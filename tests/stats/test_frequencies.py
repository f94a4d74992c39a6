"""frequencies(): SPSS FREQUENCIES' frequency, percent, valid percent and missing."""

import math

import numpy as np
import pandas as pd
import pytest

from nephrocohort.stats import StatisticsInputError, frequencies


def test_seed_sex_counts_give_the_published_percentages():
    # Seed: 18 male (69.2%) and 8 female (30.8%) of 26.
    table = frequencies(["M"] * 18 + ["F"] * 8, categories=["M", "F"])
    assert (table["M"].n, table["F"].n, table.denominator) == (18, 8, 26)
    assert round(table["M"].percent, 1) == 69.2
    assert round(table["F"].percent, 1) == 30.8


def test_valid_percent_uses_patients_with_data():
    # Seed: acute kidney injury at onset 17.7% -- 3 of the 17 with data (17.6%), not of 26.
    values = [True] * 3 + [False] * 14 + [None] * 9
    table = frequencies(values, categories=[True, False])
    row = table[True]
    assert (row.n, row.denominator, table.missing, table.total) == (3, 17, 9, 26)
    assert row.percent == pytest.approx(100 * 3 / 17)
    assert row.percent_of_total == pytest.approx(100 * 3 / 26)


def test_missing_kinds_are_all_counted():
    values = pd.Series(["MCD", None, np.nan, pd.NA, "", "  ", "FSGS"], dtype=object)
    table = frequencies(values)
    assert (table.denominator, table.missing) == (2, 5)


def test_listed_categories_keep_order_and_zero_rows():
    table = frequencies(["FSGS", "MCD", "FSGS"], categories=["MCD", "FSGS", "MN", "DMS"])
    assert table.categories == ("MCD", "FSGS", "MN", "DMS")
    assert table["DMS"].n == 0 and table["DMS"].percent == 0.0
    assert [row.cumulative_percent for row in table] == pytest.approx(
        [100 / 3, 100.0, 100.0, 100.0]
    )


def test_found_categories_are_sorted_without_a_list():
    assert frequencies(["partial", "complete", "none", "complete"]).categories == (
        "complete",
        "none",
        "partial",
    )


def test_numpy_booleans_count_with_python_booleans():
    table = frequencies(np.array([True, False, True]))
    assert table[True].n == 2


def test_unexpected_category_is_an_error_that_names_it():
    with pytest.raises(StatisticsInputError) as caught:
        frequencies(["FSGS", "fsgs"], categories=["FSGS", "MCD"])
    assert (caught.value.code, caught.value.params) == (
        "stats.frequencies.unexpected",
        {"found": "'fsgs'", "patients": 1, "expected": ["FSGS", "MCD"]},
    )


def test_duplicate_categories_are_refused():
    with pytest.raises(StatisticsInputError) as caught:
        frequencies(["a"], categories=["a", "a"])
    assert (caught.value.code, caught.value.params) == (
        "stats.frequencies.duplicates",
        {"categories": ["a", "a"]},
    )


def test_single_text_is_refused():
    with pytest.raises(StatisticsInputError) as caught:
        frequencies("MCD")
    assert (caught.value.code, caught.value.params) == (
        "stats.frequencies.single_value",
        {"value": "MCD"},
    )


def test_no_data_gives_nan_percentages():
    table = frequencies([None, None], categories=["yes", "no"])
    assert table.denominator == 0 and table.missing == 2
    assert math.isnan(table["yes"].percent)
    assert table.as_dict()["rows"][0]["percent"] is None


def test_unknown_category_lookup_lists_the_known_ones():
    with pytest.raises(KeyError, match="categories are: 'M', 'F'"):
        frequencies(["M", "F"], categories=["M", "F"])["X"]


def test_repr_and_dict():
    table = frequencies(["M", "F", "M", None], categories=["M", "F"])
    assert repr(table) == "FrequencyTable({'M': 2, 'F': 1}, denominator=3, missing=1)"
    data = table.as_dict()
    assert data["rows"][0] == {
        "category": "M",
        "n": 2,
        "denominator": 3,
        "percent": pytest.approx(200 / 3),
        "percent_of_total": 50.0,
        "cumulative_percent": pytest.approx(200 / 3),
    }
