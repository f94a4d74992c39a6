"""Descriptive statistics that choose their own summary, the way the seed study did."""

from dataclasses import dataclass

import numpy as np

from nephrocohort.messages import Message
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._normality import NORMALITY_TESTS, NormalityResult, normality
from nephrocohort.stats._percentiles import PERCENTILE_METHODS, percentiles
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import as_float_array

__all__ = ["describe", "Description", "SUMMARY_KINDS", "DEFAULT_SMALL_N"]

SUMMARY_KINDS = ("mean_sd", "median_quartiles", "min_max", "none")

# Below 5 values a normality test has almost no power (with 4 values Lilliefors
# rejects only grossly skewed data) and p25/p75 are interpolations between one or two
# observations, so min-max is the honest summary. The seed study's Table 1 used single
# values / min-max for histologies with 1 patient and mean (SD) from 9 patients up.
DEFAULT_SMALL_N = 5


@dataclass(frozen=True, repr=False)
class Description(StatResult):
    """All summaries of one variable, plus which one to print and why.

    ``summary_kind`` is one of ``"mean_sd"``, ``"median_quartiles"``, ``"min_max"`` or
    ``"none"`` (no values); ``reason`` is a sentence for the methods text or a tooltip.
    Every number is present whatever the choice (NaN where undefined, e.g. the SD of
    one value), so a reader can ask for another summary.
    """

    n: int
    missing: int
    mean: float
    sd: float
    median: float
    p25: float
    p75: float
    min: float
    max: float
    normal: bool | None
    summary_kind: str
    reason: str
    normality: NormalityResult | None
    percentile_method: str

    _repr_fields = ("summary_kind", "n", "mean", "sd", "median", "p25", "p75", "min", "max")


def describe(
    values,
    *,
    normality_test: str = "lilliefors",
    small_n: int = DEFAULT_SMALL_N,
    alpha: float = 0.05,
    percentile_method: str = "spss",
) -> Description:
    """Summarise ``values`` and choose mean (SD), median (p25-p75) or min-max.

    Parameters
    ----------
    values : sequence of numbers
        One value per patient; missing values are ignored and counted in ``missing``.
    normality_test : {"lilliefors", "shapiro"}
        The test that decides between mean (SD) and median (p25-p75); see
        :func:`normality`. For a paired comparison, test the differences instead.
    small_n : int
        Groups with fewer values than this are summarised by minimum and maximum
        without a normality test (default 5; see the module comment for why).
    alpha : float
        Normality is rejected when the test's p <= alpha.
    percentile_method : str
        How p25, median and p75 are computed; default SPSS HAVERAGE (see
        :func:`percentiles`).

    Notes
    -----
    The rule follows the seed study's methods: "Quantitative variables were described
    through averages or medians with their corresponding standard deviation or
    percentiles depending on the distribution of the data as evaluated through the
    Kolmogorov-Smirnov test. When there were very few patients, the variables were
    described using minimum and maximum values." The SD uses n - 1, as SPSS. Values
    that are all equal cannot be tested for normality and get the median.

    Examples
    --------
    One patient with data is summarised by minimum and maximum:

    >>> describe([13.0, None]).summary_kind
    'min_max'

    Seed-like relapses per year (tests/stats/r dataset ``relapses_26``; nortest
    ``lillie.test`` p = 0.0083, R ``quantile(type = 6)`` 2.75, 3, 4):

    >>> values = [3, 2.75, 4, 1, 0, 3, 4, 3, 2.75, 5, 3, 4, 2, 3.25, 4, 3, 2.75, 6, 3, 1,
    ...           4, 3, 2.5, 3, 4.5, 2.75]
    >>> result = describe(values)
    >>> result.summary_kind, result.p25, result.median, result.p75
    ('median_quartiles', 2.75, 3.0, 4.0)

    References
    ----------
    "Immunosuppressive therapy in children with steroid-resistant nephrotic syndrome:
    single center experience" (the seed study, /work/shared/seed), Methods: statistical
    analysis.
    IBM SPSS Statistics Algorithms, EXAMINE (descriptives, percentiles, tests of
    normality).
    """
    if normality_test not in NORMALITY_TESTS:
        raise StatisticsInputError(
            "stats.unknown_normality_test", test=normality_test, known=", ".join(NORMALITY_TESTS)
        )
    if (
        not isinstance(percentile_method, str)
        or percentile_method.lower() not in PERCENTILE_METHODS
    ):
        raise StatisticsInputError(
            "stats.unknown_percentile_method",
            method=percentile_method,
            known=", ".join(PERCENTILE_METHODS),
        )
    if isinstance(small_n, bool) or not isinstance(small_n, int) or small_n < 4:
        raise StatisticsInputError("stats.describe.small_n", value=small_n)
    numbers = as_float_array(values)
    present = numbers[~np.isnan(numbers)]
    n = int(present.size)
    missing = int(numbers.size - n)
    if n == 0:
        return Description(
            n=0,
            missing=missing,
            mean=np.nan,
            sd=np.nan,
            median=np.nan,
            p25=np.nan,
            p75=np.nan,
            min=np.nan,
            max=np.nan,
            normal=None,
            summary_kind="none",
            reason=Message("stats.describe.no_value").text,
            normality=None,
            percentile_method=percentile_method,
        )
    p25, median, p75 = percentiles(present, [25, 50, 75], method=percentile_method)
    numbers_summary = {
        "mean": float(np.mean(present)),
        "sd": float(np.std(present, ddof=1)) if n > 1 else np.nan,
        "median": median,
        "p25": p25,
        "p75": p75,
        "min": float(np.min(present)),
        "max": float(np.max(present)),
    }
    tested = None
    if n < small_n:
        kind = "min_max"
        code = "stats.describe.few_one" if n == 1 else "stats.describe.few"
        reason = Message(code, {"n": n, "small_n": small_n}).text
    elif np.ptp(present) == 0:
        kind = "median_quartiles"
        reason = Message("stats.describe.all_equal").text
    else:
        tested = normality(present, test=normality_test, alpha=alpha)
        shown_p = "> 0.2" if tested.spss_lower_bound else f"= {tested.p:.3f}"
        if tested.normal:
            kind = "mean_sd"
            reason = Message(
                "stats.describe.normal",
                {"test": tested.test_name, "p": shown_p, "alpha": alpha},
            ).text
        else:
            kind = "median_quartiles"
            reason = Message(
                "stats.describe.not_normal",
                {"test": tested.test_name, "p": shown_p, "alpha": alpha},
            ).text
    return Description(
        n=n,
        missing=missing,
        **numbers_summary,
        normal=None if tested is None else tested.normal,
        summary_kind=kind,
        reason=reason,
        normality=tested,
        percentile_method=percentile_method,
    )
