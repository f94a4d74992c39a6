"""Descriptive statistics and tests with SPSS-compatible definitions.

Every function takes plain sequences (lists, NumPy arrays, pandas Series) with one value
per patient, ignores and counts missing values, and returns a small frozen result with
unrounded numbers, a readable repr and ``as_dict()`` for ``results.json``. Where a
definition differs from SciPy's or R's default, the docstring says so; docs/statistics.md
collects the definitions.
"""

from nephrocohort.stats._contingency import (
    FISHER_MAX_TABLES,
    ChiSquareResult,
    FisherResult,
    chi_square,
    contingency_table,
    fisher_exact,
    fisher_tables_bound,
)
from nephrocohort.stats._describe import DEFAULT_SMALL_N, SUMMARY_KINDS, Description, describe
from nephrocohort.stats._effect_sizes import effect_size_r
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._frequencies import FrequencyRow, FrequencyTable, frequencies
from nephrocohort.stats._kruskal import KruskalWallisResult, kruskal_wallis
from nephrocohort.stats._mcnemar import McNemarResult, mcnemar
from nephrocohort.stats._normality import NORMALITY_TESTS, NormalityResult, normality
from nephrocohort.stats._paired_t import PairedTResult, paired_t
from nephrocohort.stats._percentiles import PERCENTILE_METHODS, percentiles
from nephrocohort.stats._survival import KaplanMeierResult, SurvivalRow, kaplan_meier
from nephrocohort.stats._two_groups import (
    MANN_WHITNEY_EXACT_MAX_N,
    MannWhitneyResult,
    mann_whitney,
)
from nephrocohort.stats._wilcoxon import (
    WILCOXON_EXACT_MAX_N,
    WilcoxonResult,
    wilcoxon_signed_rank,
)

__all__ = [
    "DEFAULT_SMALL_N",
    "FISHER_MAX_TABLES",
    "MANN_WHITNEY_EXACT_MAX_N",
    "NORMALITY_TESTS",
    "PERCENTILE_METHODS",
    "SUMMARY_KINDS",
    "WILCOXON_EXACT_MAX_N",
    "ChiSquareResult",
    "Description",
    "FisherResult",
    "FrequencyRow",
    "FrequencyTable",
    "KaplanMeierResult",
    "KruskalWallisResult",
    "MannWhitneyResult",
    "McNemarResult",
    "NormalityResult",
    "PairedTResult",
    "StatisticsInputError",
    "SurvivalRow",
    "WilcoxonResult",
    "chi_square",
    "contingency_table",
    "describe",
    "effect_size_r",
    "fisher_exact",
    "fisher_tables_bound",
    "frequencies",
    "kaplan_meier",
    "kruskal_wallis",
    "mann_whitney",
    "mcnemar",
    "normality",
    "paired_t",
    "percentiles",
    "wilcoxon_signed_rank",
]
