"""The p-value of the Lilliefors statistic, accurate over the whole range.

Up to 0.1 the Dallal-Wilkinson approximation, which SPSS EXAMINE and R
``nortest::lillie.test`` use, so those p-values are theirs. Above 0.1 that formula
does not hold (it was fitted to the upper tail only), so p is read from
the null distribution of D simulated with 1,000,000 normal samples per sample size
(``data/reference/lilliefors_null_quantiles.csv``, made by
``scripts/lilliefors_simulation.py table``, seed 20261207).
"""

from __future__ import annotations

import functools
import math
from importlib import resources

import numpy as np

__all__ = ["lilliefors_p", "DALLAL_WILKINSON_UP_TO"]

# Dallal and Wilkinson fitted their formula to the upper tail; nortest's documentation:
# "claimed to be only reliable when the p-value is smaller than 0.1". Used up to 0.1
# inclusive, as nortest (which switches when it "turns out to be greater than 0.1").
DALLAL_WILKINSON_UP_TO = 0.1
_TABLE_FILE = "lilliefors_null_quantiles.csv"


def dallal_wilkinson_p(d: float, n: int) -> float:
    """Dallal and Wilkinson's (1986) p for D, with their rescaling above n = 100.

    The formula as in R nortest::lillie.test and SPSS: for n > 100, D is multiplied by
    (n / 100) ** 0.49 and n set to 100.
    """
    if n > 100:
        d, n = d * (n / 100) ** 0.49, 100
    root = math.sqrt(n + 2.78019)
    return math.exp(
        -7.01256 * d * d * (n + 2.78019)
        + 2.99587 * d * root
        - 0.122119
        + 0.974598 / math.sqrt(n)
        + 1.67997 / n
    )


def _stephens(n: float) -> float:
    """Stephens' (1974) factor: D times it has nearly the same distribution for every n."""
    root = math.sqrt(n)
    return root - 0.01 + 0.85 / root


@functools.cache
def _table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sizes, upper-tail probabilities increasing, D quantiles per size increasing in D)."""
    resource = resources.files("nephrocohort") / "data" / "reference" / _TABLE_FILE
    with resource.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
        rows = np.loadtxt(handle, delimiter=",", ndmin=2)
    probabilities = np.array([float(p) for p in header[1:]])
    # The file lists p increasing, so D decreasing; reversed for np.interp.
    return rows[:, 0].astype(int), probabilities[::-1], rows[:, 1:][:, ::-1]


def _table_p(d: float, row: int) -> float:
    _, probabilities, quantiles = _table()
    return float(np.interp(d, quantiles[row], probabilities))


def simulated_p(d: float, n: int) -> float:
    """P(D >= d) from the simulated table, interpolated in D and in 1 / sqrt(n).

    Between two tabulated sizes D is carried over on Stephens' scale and the two
    p-values are weighted by 1 / sqrt(n); beyond the largest size (2,000) the largest
    is used on Stephens' scale. Outside the tabulated probabilities p is clamped to
    their ends (0.05 and 0.999).
    """
    sizes = _table()[0]
    scaled = d * _stephens(n)
    if n >= sizes[-1]:
        return _table_p(scaled / _stephens(sizes[-1]), len(sizes) - 1)
    upper = int(np.searchsorted(sizes, n))
    if sizes[upper] == n:
        return _table_p(d, upper)
    n_low, n_high = sizes[upper - 1], sizes[upper]
    p_low = _table_p(scaled / _stephens(n_low), upper - 1)
    p_high = _table_p(scaled / _stephens(n_high), upper)
    weight = (n_low**-0.5 - n**-0.5) / (n_low**-0.5 - n_high**-0.5)
    return (1 - weight) * p_low + weight * p_high


def lilliefors_p(d: float, n: int) -> float:
    """The p-value of Lilliefors' D for ``n`` values (n >= 4).

    Dallal-Wilkinson where it gives p <= 0.1 (identical to SPSS and nortest there),
    else the simulated null distribution (nortest uses Stephens' 1974 formula there,
    which is off by up to a few hundredths).

    References
    ----------
    Dallal GE, Wilkinson L. An analytic approximation to the distribution of
    Lilliefors's test statistic for normality. Am Stat. 1986;40(4):294-296.
    doi:10.1080/00031305.1986.10475419
    Stephens MA. EDF statistics for goodness of fit and some comparisons. J Am Stat
    Assoc. 1974;69(347):730-737. doi:10.1080/01621459.1974.10480196
    """
    p = dallal_wilkinson_p(d, n)
    if p <= DALLAL_WILKINSON_UP_TO:
        return p
    return simulated_p(d, n)
