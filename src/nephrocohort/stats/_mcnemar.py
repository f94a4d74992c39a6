"""McNemar's test for a yes/no outcome measured twice in the same patients."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import is_missing

__all__ = ["mcnemar", "McNemarResult"]

_YES = {True, "yes", "y", "true", "1"}
_NO = {False, "no", "n", "false", "0"}


@dataclass(frozen=True, repr=False)
class McNemarResult(StatResult):
    """McNemar's test. ``table`` is ((yes-yes, yes-no), (no-yes, no-no)), rows = before.

    ``b`` changed yes -> no and ``c`` no -> yes. ``statistic`` and ``p`` are the
    chi-square with continuity correction; ``p_exact`` the exact binomial p.
    """

    test: str
    statistic: float
    df: int
    p: float
    p_exact: float
    b: int
    c: int
    n: int
    n_missing_pairs: int
    table: tuple

    _repr_fields = ("b", "c", "statistic", "p", "p_exact", "n")


def mcnemar(before=None, after=None, *, table=None) -> McNemarResult:
    """McNemar's test of a change in a yes/no outcome (e.g. nephrotic at start vs at 12 months).

    Parameters
    ----------
    before, after : sequences of yes/no values
        One per patient in the same order: True/False, 1/0 or "yes"/"no". Pairs with a
        missing side are dropped and counted.
    table : 2 x 2 counts, optional
        Instead of ``before``/``after``: ((yes-yes, yes-no), (no-yes, no-no)), rows
        before and columns after.

    Notes
    -----
    With ``b`` and ``c`` the discordant counts: ``chi2 = max(|b - c| - 1, 0)^2 / (b + c)`` on 1
    df (Edwards' continuity correction; R ``mcnemar.test`` default; SPSS NPAR TESTS
    /MCNEMAR when b + c > 25), and the exact two-sided binomial ``p_exact = min(1, 2
    P(X <= min(b, c)))`` with X ~ Bin(b + c, 1/2) (R ``binom.test(b, b + c)``; SPSS
    CROSSTABS "Exact Sig. (2-sided)" for McNemar, and NPAR TESTS when b + c <= 25).
    Prefer ``p_exact`` for the small discordant counts of a single-center cohort.
    With no discordant pair the chi-square is undefined (NaN, with a warning) and
    ``p_exact`` is 1.

    References
    ----------
    McNemar Q. Note on the sampling error of the difference between correlated
    proportions or percentages. Psychometrika. 1947;12(2):153-157. doi:10.1007/BF02295996
    Edwards AL. Note on the "correction for continuity" in testing the significance of
    the difference between correlated proportions. Psychometrika. 1948;13(3):185-187.
    IBM SPSS Statistics Algorithms, NPAR TESTS, "McNemar's Test".
    """
    if table is not None:
        if before is not None or after is not None:
            raise StatisticsInputError("stats.mcnemar.both_inputs")
        counts = np.asarray(table)
        if counts.shape != (2, 2) or not np.issubdtype(counts.dtype, np.number):
            raise StatisticsInputError("stats.mcnemar.table_shape", table=table)
        if (counts < 0).any() or (counts != np.round(counts)).any():
            raise StatisticsInputError("stats.mcnemar.table_counts", table=table)
        counts = counts.astype(int)
        n_missing = 0
    else:
        if before is None or after is None:
            raise StatisticsInputError("stats.mcnemar.missing_input")
        counts, n_missing = _pair_table(before, after)
    b, c = int(counts[0, 1]), int(counts[1, 0])
    discordant = b + c
    if discordant == 0:
        warnings.warn(
            "No patient changed between before and after, so McNemar's chi-square is "
            "undefined (NaN); the exact p is 1.",
            StatisticalWarning,
            stacklevel=2,
        )
        statistic = p = math.nan
        p_exact = 1.0
    else:
        # The correction never pushes |b - c| below 0 (R gives 0 when b == c, not 1 / (b + c)).
        statistic = max(abs(b - c) - 1.0, 0.0) ** 2 / discordant
        p = float(scipy_stats.chi2.sf(statistic, 1))
        p_exact = float(scipy_stats.binomtest(min(b, c), discordant, 0.5).pvalue)
    return McNemarResult(
        test="McNemar",
        statistic=float(statistic),
        df=1,
        p=p,
        p_exact=p_exact,
        b=b,
        c=c,
        n=int(counts.sum()),
        n_missing_pairs=n_missing,
        table=tuple(tuple(int(value) for value in row) for row in counts),
    )


def _yes_no(value, name: str, position: int) -> bool:
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, np.generic):
        key = key.item()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise StatisticsInputError(
        "stats.mcnemar.not_yes_no", name=name, item=position + 1, value=value
    )


def _pair_table(before, after):
    first, second = list(before), list(after)
    if len(first) != len(second):
        raise StatisticsInputError("stats.paired_lengths", before=len(first), after=len(second))
    counts = np.zeros((2, 2), dtype=int)
    missing = 0
    for position, (x, y) in enumerate(zip(first, second, strict=True)):
        if is_missing(x) or is_missing(y):
            missing += 1
            continue
        row = 0 if _yes_no(x, "before", position) else 1
        column = 0 if _yes_no(y, "after", position) else 1
        counts[row, column] += 1
    return counts, missing
