"""The paired t test, for differences that are roughly normal (e.g. eGFR at start and one year)."""

import math
import warnings
from dataclasses import dataclass

from scipy import stats as scipy_stats

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._paired import pair_values
from nephrocohort.stats._result import StatResult

__all__ = ["paired_t", "PairedTResult"]


@dataclass(frozen=True, repr=False)
class PairedTResult(StatResult):
    """Paired t test of ``after - before``: t, df, p, mean difference and its confidence interval."""

    test: str
    statistic: float
    df: int
    p: float
    n: int
    n_missing_pairs: int
    mean_difference: float
    sd_difference: float
    ci_low: float
    ci_high: float
    confidence: float
    cohens_dz: float

    _repr_fields = ("statistic", "df", "p", "mean_difference", "ci_low", "ci_high", "n")


def paired_t(before, after, *, confidence: float = 0.95) -> PairedTResult:
    """Paired t test comparing ``after`` with ``before`` in the same patients.

    Parameters
    ----------
    before, after : sequences of numbers
        One value per patient in the same order; pairs with a missing side are dropped.
    confidence : float
        Level of the confidence interval of the mean difference.

    Notes
    -----
    ``d = after - before``; ``t = mean(d) / (sd(d) / sqrt(n))`` with ``n - 1`` df, as R
    ``t.test(after, before, paired = TRUE)``. SPSS's Paired Samples Test subtracts the
    second variable from the first ("before - after" when entered in that order): t
    and the interval change sign, p is the same. ``cohens_dz = mean(d) / sd(d)``.

    References
    ----------
    Student. The probable error of a mean. Biometrika. 1908;6(1):1-25.
    doi:10.2307/2331554
    Lakens D. Calculating and reporting effect sizes. Front Psychol. 2013;4:863.
    doi:10.3389/fpsyg.2013.00863
    """
    if not 0 < confidence < 1:
        raise StatisticsInputError("stats.confidence_range", value=confidence)
    paired = pair_values(before, after)
    differences = paired.after - paired.before
    n = int(differences.size)
    if n < 2:
        raise StatisticsInputError("stats.paired_t.too_few", n=n)
    mean = float(differences.mean())
    sd = float(differences.std(ddof=1))
    if sd == 0:
        warnings.warn(
            "Every pair changed by the same amount, so t is undefined; t and p are NaN.",
            StatisticalWarning,
            stacklevel=2,
        )
        t = p = low = high = math.nan
    else:
        result = scipy_stats.ttest_rel(paired.after, paired.before)
        t, p = float(result.statistic), float(result.pvalue)
        interval = result.confidence_interval(confidence_level=confidence)
        low, high = float(interval.low), float(interval.high)
    return PairedTResult(
        test="Paired t",
        statistic=t,
        df=n - 1,
        p=p,
        n=n,
        n_missing_pairs=paired.n_missing_pairs,
        mean_difference=mean,
        sd_difference=sd,
        ci_low=low,
        ci_high=high,
        confidence=float(confidence),
        cohens_dz=mean / sd if sd else math.nan,
    )
