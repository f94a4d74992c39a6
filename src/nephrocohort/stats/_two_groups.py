"""Mann-Whitney U test for two independent groups, as SPSS NPAR TESTS /M-W reports it."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats._effect_sizes import effect_size_r
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import as_float_array

__all__ = ["mann_whitney", "MannWhitneyResult", "MANN_WHITNEY_EXACT_MAX_N"]

# R's wilcox.test uses the exact distribution when both groups have fewer than 50
# values and there are no ties; we follow it so that the two agree by default.
MANN_WHITNEY_EXACT_MAX_N = 49


@dataclass(frozen=True, repr=False)
class MannWhitneyResult(StatResult):
    """Mann-Whitney U test of group ``a`` against group ``b``.

    ``statistic`` is U for group a (pairs with a > b, ties counting one half), R's
    ``W`` for ``wilcox.test(a, b)``; ``u_min`` is the smaller U that SPSS prints;
    ``z`` is SPSS's (from ``u_min``, never positive); ``p`` asymptotic two-sided with
    tie correction, no continuity correction; ``p_exact`` or None.
    """

    test: str
    statistic: float
    u_min: float
    z: float
    p: float
    p_exact: float | None
    n_a: int
    n_b: int
    missing_a: int
    missing_b: int
    mean_rank_a: float
    mean_rank_b: float
    sum_ranks_a: float
    sum_ranks_b: float
    tied_ranks: bool
    effect_size_r: float
    rank_biserial: float

    _repr_fields = ("statistic", "z", "p", "p_exact", "n_a", "n_b")


def mann_whitney(group_a, group_b) -> MannWhitneyResult:
    """Compare two independent groups with the Mann-Whitney U (Wilcoxon rank-sum) test.

    Parameters
    ----------
    group_a, group_b : sequences of numbers
        The values of each group's patients; missing values are dropped and counted.

    Notes
    -----
    All values are ranked together (average ranks for ties). ``U_a = R_a - n_a(n_a +
    1)/2``. Asymptotic: ``Z = (min(U_a, U_b) - n_a n_b / 2) / sqrt(n_a n_b / (N (N - 1))
    ((N^3 - N) / 12 - sum(t^3 - t) / 12))`` with ``t`` the sizes of tied groups, no
    continuity correction, as SPSS; R's default adds a continuity correction (use
    ``correct = FALSE`` to compare). Exact: when both groups have at most 49 values and
    no value is tied, the two-sided exact p of U (SciPy ``mannwhitneyu(method="exact")``,
    R ``wilcox.test(exact = TRUE)``), else None. SPSS's "Exact Sig. [2*(1-tailed Sig.)]"
    is the same number when there are no ties.

    When every value is equal the test is undefined: Z and p are NaN and a
    StatisticalWarning says so.

    Effect sizes: ``effect_size_r = |Z| / sqrt(N)``; ``rank_biserial = 2 U_a / (n_a
    n_b) - 1`` (Glass; Kerby 2014), positive when group a tends to have larger values.

    References
    ----------
    Mann HB, Whitney DR. On a test of whether one of two random variables is
    stochastically larger than the other. Ann Math Stat. 1947;18(1):50-60.
    doi:10.1214/aoms/1177730491
    IBM SPSS Statistics Algorithms, NPAR TESTS, "Mann-Whitney U Test".
    Kerby DS. The simple difference formula. Compr Psychol. 2014;3:11.IT.3.1.
    """
    first = as_float_array(group_a, name="group_a")
    second = as_float_array(group_b, name="group_b")
    a = first[~np.isnan(first)]
    b = second[~np.isnan(second)]
    if a.size == 0 or b.size == 0:
        empty = "group_a" if a.size == 0 else "group_b"
        raise StatisticsInputError("stats.mann_whitney.empty_group", group=empty)
    n_a, n_b = int(a.size), int(b.size)
    total = n_a + n_b
    ranks = scipy_stats.rankdata(np.concatenate([a, b]), method="average")
    sum_a, sum_b = float(ranks[:n_a].sum()), float(ranks[n_a:].sum())
    u_a = sum_a - n_a * (n_a + 1) / 2.0
    u_b = n_a * n_b - u_a
    _, tie_sizes = np.unique(np.concatenate([a, b]), return_counts=True)
    tied = bool((tie_sizes > 1).any())
    tie_term = float((tie_sizes**3 - tie_sizes).sum()) / 12.0
    variance = n_a * n_b / (total * (total - 1)) * ((total**3 - total) / 12.0 - tie_term)
    if variance > 0:
        z = (min(u_a, u_b) - n_a * n_b / 2.0) / math.sqrt(variance)
        p = float(min(1.0, 2.0 * scipy_stats.norm.cdf(z)))
    else:  # every value equal: no ordering to test
        warnings.warn(
            f"All {total} values are equal in both groups, so the Mann-Whitney test cannot "
            "be computed; Z and p are NaN.",
            StatisticalWarning,
            stacklevel=2,
        )
        z, p = math.nan, math.nan
    p_exact = None
    if not tied and max(n_a, n_b) <= MANN_WHITNEY_EXACT_MAX_N:
        exact = scipy_stats.mannwhitneyu(a, b, alternative="two-sided", method="exact")
        p_exact = float(exact.pvalue)
    return MannWhitneyResult(
        test="Mann-Whitney U",
        statistic=u_a,
        u_min=min(u_a, u_b),
        z=float(z),
        p=p,
        p_exact=p_exact,
        n_a=n_a,
        n_b=n_b,
        missing_a=int(first.size - n_a),
        missing_b=int(second.size - n_b),
        mean_rank_a=sum_a / n_a,
        mean_rank_b=sum_b / n_b,
        sum_ranks_a=sum_a,
        sum_ranks_b=sum_b,
        tied_ranks=tied,
        effect_size_r=effect_size_r(z, n=total) if not math.isnan(z) else math.nan,
        rank_biserial=2.0 * u_a / (n_a * n_b) - 1.0,
    )
