"""The Wilcoxon signed-rank test for paired data, as SPSS NPAR TESTS reports it."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats._effect_sizes import effect_size_r
from nephrocohort.stats._paired import pair_values
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._signed_rank_exact import SIGNED_RANK_EXACT_MAX_N, signed_rank_exact_p

__all__ = ["wilcoxon_signed_rank", "WilcoxonResult", "WILCOXON_EXACT_MAX_N", "EXACT_METHOD"]

# The exact conditional p is computed up to this many non-zero pairs (the shift
# algorithm's work grows as n^3; beyond it the normal approximation is excellent).
WILCOXON_EXACT_MAX_N = SIGNED_RANK_EXACT_MAX_N

EXACT_METHOD = (
    "exact conditional signed-rank distribution given the tied mid-ranks (shift algorithm "
    "on doubled mid-ranks; zero differences dropped, Wilcoxon's convention, as SPSS)"
)


@dataclass(frozen=True, repr=False)
class WilcoxonResult(StatResult):
    """The Wilcoxon signed-rank test of ``after - before``.

    ``statistic`` is the sum of the ranks of positive differences (after > before),
    which is R's ``V`` for ``wilcox.test(after, before, paired = TRUE)``. ``z`` follows
    SPSS: computed from the smaller of the two rank sums, so it is never positive, and
    ``z_based_on`` names that sum as SPSS's footnote does ("positive ranks" or
    "negative ranks"). ``p`` is the two-sided asymptotic p-value; ``p_exact`` is the
    two-sided exact conditional p-value (valid with tied and zero differences), or None
    where not computed (more than WILCOXON_EXACT_MAX_N non-zero pairs, or none);
    ``p_exact_method`` says how it was computed.
    """

    test: str
    statistic: float
    z: float
    z_based_on: str
    p: float
    p_exact: float | None
    p_exact_method: str | None
    n: int
    n_positive: int
    n_negative: int
    n_ties: int
    n_missing_pairs: int
    mean_rank_positive: float
    mean_rank_negative: float
    sum_ranks_positive: float
    sum_ranks_negative: float
    tied_ranks: bool
    decimals: int
    effect_size_r: float
    rank_biserial: float

    _repr_fields = ("statistic", "z", "p", "p_exact", "n", "n_positive", "n_negative", "n_ties")


def wilcoxon_signed_rank(before, after, *, decimals: int | None = None) -> WilcoxonResult:
    """Wilcoxon signed-rank test comparing ``after`` with ``before`` in the same patients.

    Parameters
    ----------
    before, after : sequences of numbers
        One value per patient, in the same order. A pair with either side missing is
        dropped and counted in ``n_missing_pairs``.
    decimals : int, optional
        Decimal places at which differences are compared; by default the largest number
        of decimal places in the data (counting at most 11 significant digits of each
        value, so 1e-12 keeps 12 places), so 0.8 - 0.2 ties with 0.6 - 0.0 while
        differences of 1e-12 stay non-zero, as in R.

    Notes
    -----
    Differences ``d = after - before``. Zero differences are dropped (``n_ties`` counts
    them; ``n`` is the number of non-zero pairs), |d| are ranked with average ranks for
    ties, and ``W+``/``W-`` are the sums of ranks of positive/negative differences.

    Asymptotic (as SPSS NPAR TESTS /WILCOXON): ``Z = (min(W+, W-) - n(n+1)/4) /
    sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48)`` where ``t`` runs over groups of tied |d|;
    no continuity correction; ``p = 2 Phi(Z)``. SPSS prints the same Z with the
    footnote "Based on positive ranks" or "Based on negative ranks" naming the smaller
    sum; ``z_based_on`` carries that footnote. R's ``wilcox.test(after, before, paired =
    TRUE, exact = FALSE, correct = FALSE)`` gives the same p; R's default adds a
    continuity correction and SciPy's default (``method="auto"``) may switch to the exact
    distribution, which is why their defaults differ from SPSS.

    Exact: for up to WILCOXON_EXACT_MAX_N (500) non-zero pairs, the two-sided exact
    conditional p: the null distribution of W+ given the observed mid-ranks (each sign
    + or - with probability 1/2), built by the Streitberg-Roehmel shift algorithm on
    doubled mid-ranks (whole numbers), not by enumerating 2^n signs. Without ties this
    is the classical exact distribution (R ``wilcox.test(exact = TRUE)``); with ties it
    is R ``exactRankTests::wilcox.exact`` and ``coin::wilcoxsign_test(zero.method =
    "Wilcoxon", distribution = "exact")``. Zero differences are dropped before ranking
    (Wilcoxon's convention), as SPSS NPAR TESTS and its Exact Tests option do and as the
    asymptotic Z here; coin's default, Pratt's convention, ranks the zeros with the
    others and then drops them, which gives other ranks and another p.

    Effect sizes: ``effect_size_r = |Z| / sqrt(n)`` (Rosenthal), with n the non-zero
    pairs; ``rank_biserial = (W+ - W-) / (W+ + W-)`` (matched-pairs rank-biserial,
    Kerby 2014), positive when values went up.

    With no non-zero difference the test is undefined: Z and p are NaN and a
    StatisticalWarning says so.

    Examples
    --------
    Relapses per year in six patients before and on MMF (tests/stats/r dataset
    ``relapses_6``; R ``wilcox.test(d, exact = FALSE, correct = FALSE)`` gives
    p = 0.0463994618709046 and the exact test p = 0.0625):

    >>> result = wilcoxon_signed_rank([3, 4, 2.5, 5, 6, 3.5], [1, 2.75, 2, 1.5, 2, 3.75])
    >>> result.n, result.statistic, result.z_based_on
    (6, 1.0, 'positive ranks')
    >>> round(result.p, 4), result.p_exact
    (0.0464, 0.0625)

    References
    ----------
    Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bull.
    1945;1(6):80-83. doi:10.2307/3001968
    IBM SPSS Statistics Algorithms, NPAR TESTS, "Wilcoxon Matched-Pairs Signed-Rank Test".
    Rosenthal R. Meta-analytic procedures for social research. Sage; 1991.
    Kerby DS. The simple difference formula. Compr Psychol. 2014;3:11.IT.3.1.
    doi:10.2466/11.IT.3.1
    Streitberg B, Roehmel J. Exact distributions for permutation and rank tests. Stat
    Software Newsl. 1986;12(1):10-17 (the shift algorithm).
    IBM SPSS Exact Tests manual, "Wilcoxon Signed-Ranks Test" (zeros discarded).
    """
    paired = pair_values(before, after, decimals=decimals)
    differences = paired.differences
    n_ties = int((differences == 0).sum())
    nonzero = differences[differences != 0]
    n = int(nonzero.size)
    ranks = scipy_stats.rankdata(np.abs(nonzero), method="average")
    positive = nonzero > 0
    sum_positive = float(ranks[positive].sum())
    sum_negative = float(ranks[~positive].sum())
    n_positive = int(positive.sum())
    n_negative = n - n_positive
    _, tie_sizes = np.unique(np.abs(nonzero), return_counts=True)
    tied = bool((tie_sizes > 1).any())

    if n == 0:
        warnings.warn(
            "Every pair has the same value before and after (or no complete pair), so the "
            "Wilcoxon test cannot be computed; Z and p are NaN.",
            StatisticalWarning,
            stacklevel=2,
        )
        z = p = math.nan
        p_exact = None
    else:
        mean = n * (n + 1) / 4.0
        variance = n * (n + 1) * (2 * n + 1) / 24.0 - float((tie_sizes**3 - tie_sizes).sum()) / 48.0
        z = (min(sum_positive, sum_negative) - mean) / math.sqrt(variance)
        p = float(min(1.0, 2.0 * scipy_stats.norm.cdf(z)))
        p_exact = None
        if n <= WILCOXON_EXACT_MAX_N:
            p_exact = signed_rank_exact_p(ranks, positive)

    return WilcoxonResult(
        test="Wilcoxon signed-rank",
        statistic=sum_positive,
        z=float(z),
        z_based_on="positive ranks" if sum_positive <= sum_negative else "negative ranks",
        p=float(p),
        p_exact=p_exact,
        p_exact_method=None if p_exact is None else EXACT_METHOD,
        n=n,
        n_positive=n_positive,
        n_negative=n_negative,
        n_ties=n_ties,
        n_missing_pairs=paired.n_missing_pairs,
        mean_rank_positive=sum_positive / n_positive if n_positive else math.nan,
        mean_rank_negative=sum_negative / n_negative if n_negative else math.nan,
        sum_ranks_positive=sum_positive,
        sum_ranks_negative=sum_negative,
        tied_ranks=tied,
        decimals=paired.decimals,
        effect_size_r=effect_size_r(z, n=n) if n else math.nan,
        rank_biserial=(sum_positive - sum_negative) / (sum_positive + sum_negative)
        if n
        else math.nan,
    )
