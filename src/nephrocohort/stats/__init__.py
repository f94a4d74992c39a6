"""Descriptive statistics and tests with SPSS-compatible definitions.

Every function takes plain sequences (lists, NumPy arrays, pandas Series) with one value
per patient, ignores and counts missing values, and returns a small frozen result with
unrounded numbers, a readable repr and ``as_dict()`` for ``results.json``. Where a
definition differs from SciPy's or R's default, the docstring says so; docs/statistics.md
collects the definitions.
"""

from nephrocohort.stats._describe import DEFAULT_SMALL_N, SUMMARY_KINDS, Description, describe
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._frequencies import FrequencyRow, FrequencyTable, frequencies
from nephrocohort.stats._normality import NORMALITY_TESTS, NormalityResult, normality
from nephrocohort.stats._percentiles import PERCENTILE_METHODS, percentiles
from nephrocohort.stats._wilcoxon import (
    WILCOXON_EXACT_MAX_N,
    WilcoxonResult,
    wilcoxon_signed_rank,
)

__all__ = [
    "DEFAULT_SMALL_N",
    "NORMALITY_TESTS",
    "PERCENTILE_METHODS",
    "SUMMARY_KINDS",
    "WILCOXON_EXACT_MAX_N",
    "Description",
    "FrequencyRow",
    "FrequencyTable",
    "NormalityResult",
    "StatisticsInputError",
    "WilcoxonResult",
    "describe",
    "frequencies",
    "normality",
    "percentiles",
    "wilcoxon_signed_rank",
]
