"""Kruskal-Wallis H test for several independent groups."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import as_float_array

__all__ = ["kruskal_wallis", "KruskalWallisResult"]


@dataclass(frozen=True, repr=False)
class KruskalWallisResult(StatResult):
    """Kruskal-Wallis H (tie-corrected), its degrees of freedom and p, per-group n and mean rank."""

    test: str
    statistic: float
    df: int
    p: float
    n: int
    group_n: dict
    group_missing: dict
    mean_ranks: dict
    epsilon_squared: float

    _repr_fields = ("statistic", "df", "p", "n")


def kruskal_wallis(groups) -> KruskalWallisResult:
    """Compare two or more independent groups with the Kruskal-Wallis H test.

    Parameters
    ----------
    groups : mapping of label -> values, or sequence of value lists
        Each group's values (one per patient); missing values are dropped and counted.
        A sequence is labelled 1, 2, 3 ... in order. Groups with no values are refused.

    Notes
    -----
    ``H = (12 / (N (N + 1)) sum(R_i^2 / n_i) - 3 (N + 1)) / (1 - sum(t^3 - t) / (N^3 - N))``
    (average ranks, tie correction), referred to chi-square with ``k - 1`` df, as SPSS
    NPAR TESTS /K-W and R ``kruskal.test``. ``epsilon_squared = H (N + 1) / (N^2 - 1)``
    (Tomczak & Tomczak 2014).

    References
    ----------
    Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. J Am Stat
    Assoc. 1952;47(260):583-621. doi:10.1080/01621459.1952.10483441
    Tomczak M, Tomczak E. The need to report effect size estimates revisited. Trends
    Sport Sci. 2014;1(21):19-25.
    """
    if isinstance(groups, Mapping):
        labelled = list(groups.items())
    elif isinstance(groups, (str, bytes)):
        raise StatisticsInputError("stats.kruskal.groups_text")
    else:
        labelled = [(index + 1, values) for index, values in enumerate(groups)]
    if len(labelled) < 2:
        raise StatisticsInputError("stats.kruskal.too_few_groups", n=len(labelled))
    cleaned, missing = {}, {}
    for label, values in labelled:
        numbers = as_float_array(values, name=f"group {label!r}")
        present = numbers[~np.isnan(numbers)]
        if present.size == 0:
            raise StatisticsInputError("stats.kruskal.empty_group", group=label)
        cleaned[label] = present
        missing[label] = int(numbers.size - present.size)
    arrays = list(cleaned.values())
    pooled = np.concatenate(arrays)
    if np.ptp(pooled) == 0:
        raise StatisticsInputError("stats.kruskal.all_equal")
    statistic, p = scipy_stats.kruskal(*arrays)
    ranks = scipy_stats.rankdata(pooled, method="average")
    mean_ranks, start = {}, 0
    for label, values in cleaned.items():
        mean_ranks[label] = float(ranks[start : start + values.size].mean())
        start += values.size
    n = int(pooled.size)
    return KruskalWallisResult(
        test="Kruskal-Wallis H",
        statistic=float(statistic),
        df=len(arrays) - 1,
        p=float(p),
        n=n,
        group_n={label: int(values.size) for label, values in cleaned.items()},
        group_missing=missing,
        mean_ranks=mean_ranks,
        epsilon_squared=float(statistic) * (n + 1) / (n**2 - 1) if n > 1 else math.nan,
    )
