"""Normality tests: Kolmogorov-Smirnov with Lilliefors correction (as SPSS EXAMINE) and Shapiro-Wilk."""

from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats
from statsmodels.stats.diagnostic import lilliefors

from nephrocohort.messages import Message
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._lilliefors_p import lilliefors_p
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import as_float_array

__all__ = ["normality", "NormalityResult", "NORMALITY_TESTS", "SPSS_LILLIEFORS_P_CEILING"]

NORMALITY_TESTS = ("lilliefors", "shapiro")

# SPSS EXAMINE's Lilliefors table stops at 0.200: larger significances are printed
# ".200*" with the footnote "This is a lower bound of the true significance."
SPSS_LILLIEFORS_P_CEILING = 0.2

_MIN_N = {"lilliefors": 4, "shapiro": 3}
_TEST_NAMES = {
    "lilliefors": "Kolmogorov-Smirnov (Lilliefors correction)",
    "shapiro": "Shapiro-Wilk",
}


@dataclass(frozen=True, repr=False)
class NormalityResult(StatResult):
    """The outcome of a normality test.

    ``normal`` is True when ``p > alpha`` (normality not rejected). For Lilliefors,
    ``spss_lower_bound`` is True when SPSS would print ``.200*`` (``p >= 0.2``); ``p``
    itself is the unrounded estimate, not floored.
    """

    test: str
    test_name: str
    statistic: float
    p: float
    normal: bool
    alpha: float
    n: int
    missing: int
    spss_lower_bound: bool

    _repr_fields = ("test", "statistic", "p", "normal", "n")


def normality(values, test: str = "lilliefors", *, alpha: float = 0.05) -> NormalityResult:
    """Test whether ``values`` (missing ignored) could come from a normal distribution.

    Parameters
    ----------
    values : sequence of numbers
        One value per patient; missing values are ignored and counted.
    test : {"lilliefors", "shapiro"}
        ``"lilliefors"`` (default): the Kolmogorov-Smirnov statistic against a normal
        distribution with the sample's mean and SD, with Lilliefors' significance, which
        is what SPSS EXAMINE prints as "Kolmogorov-Smirnov(a) ... a. Lilliefors
        Significance Correction". ``"shapiro"``: Shapiro-Wilk (Royston's algorithm, as
        SPSS EXAMINE and R ``shapiro.test``).
    alpha : float
        The significance level of the decision ``normal = p > alpha``.

    Notes
    -----
    The statistic D is max |F_n(x) - Phi((x - mean) / sd)| with the sample SD (n - 1);
    it equals SPSS's and R ``nortest::lillie.test``'s D (computed by statsmodels). The
    p-value is the Dallal-Wilkinson (1986) approximation where that gives p <= 0.1 (the
    formula SPSS and nortest use, so p is theirs), else read from the null distribution
    of D simulated with 1,000,000 normal samples per sample size and interpolated in D
    and n (``stats._lilliefors_p``); it agrees with a 200,000-sample Monte Carlo within
    0.01 over the whole range (docs/statistics.md). Where SPSS prints ``.200*`` (a lower
    bound) this result carries the estimated p and ``spss_lower_bound=True``; a renderer
    that wants SPSS's look prints ``> 0.2``. The decision at alpha = 0.05 is the same either way.
    Lilliefors needs at least 4 values, Shapiro-Wilk at least 3; values that are all
    equal cannot be tested.

    References
    ----------
    Lilliefors HW. On the Kolmogorov-Smirnov test for normality with mean and variance
    unknown. J Am Stat Assoc. 1967;62(318):399-402. doi:10.1080/01621459.1967.10482916
    Dallal GE, Wilkinson L. An analytic approximation to the distribution of
    Lilliefors's test statistic for normality. Am Stat. 1986;40(4):294-296.
    doi:10.1080/00031305.1986.10475419
    Royston P. Remark AS R94. Appl Stat. 1995;44(4):547-551. doi:10.2307/2986146
    IBM SPSS Statistics Algorithms, EXAMINE, "Tests of normality".
    """
    if test not in NORMALITY_TESTS:
        raise StatisticsInputError(
            "stats.unknown_normality_test", test=test, known=", ".join(NORMALITY_TESTS)
        )
    if not 0 < alpha < 1:
        raise StatisticsInputError("stats.alpha_range", value=alpha)
    numbers = as_float_array(values)
    present = numbers[~np.isnan(numbers)]
    n = int(present.size)
    if n < _MIN_N[test]:
        raise StatisticsInputError(
            "stats.normality.too_few",
            test=Message(f"stats.test_name.{test}"),
            minimum=_MIN_N[test],
            n=n,
        )
    if np.ptp(present) == 0:
        raise StatisticsInputError("stats.normality.all_equal", n=n)
    if test == "lilliefors":
        statistic, _ = lilliefors(present, dist="norm", pvalmethod="approx")
        p = lilliefors_p(float(statistic), n)
    else:
        statistic, p = scipy_stats.shapiro(present)
    statistic, p = float(statistic), float(p)
    return NormalityResult(
        test=test,
        test_name=_TEST_NAMES[test],
        statistic=statistic,
        p=p,
        normal=bool(p > alpha),
        alpha=float(alpha),
        n=n,
        missing=int(numbers.size - n),
        spss_lower_bound=bool(test == "lilliefors" and p >= SPSS_LILLIEFORS_P_CEILING),
    )
