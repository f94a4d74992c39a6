"""Lookups over an already factorized column give what the per-column lookups give."""

import numpy as np
import pandas as pd

from nephrocohort.cohort._fast import factorize, lookup_floats, lookup_text_of_codes
from nephrocohort.cohort.model import TEXT

UNITS = {"serum_albumin": "g/L", "serum_creatinine": "mg/dL"}


def _tests():
    return pd.Series(["serum_albumin", None, "serum_creatinine", "cholesterol", "serum_albumin"])


def test_text_of_codes_maps_each_row_and_leaves_missing_and_unmapped_empty():
    tests = _tests().astype(TEXT)
    codes, distinct = factorize(tests)
    units = lookup_text_of_codes(codes, distinct, UNITS, tests.index)
    assert units.dtype == TEXT
    assert units.tolist() == ["g/L", pd.NA, "mg/dL", pd.NA, "g/L"]


def test_several_float_lookups_of_one_column():
    tests = _tests().astype(TEXT)
    low, high = lookup_floats(tests, {"serum_albumin": 5.0}, {"serum_albumin": 60.0})
    assert low[0] == 5.0 and low[4] == 5.0 and np.isnan(low[1:4]).all()
    assert high[0] == 60.0 and np.isnan(high[2])
