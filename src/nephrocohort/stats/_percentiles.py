"""Percentiles with SPSS's definition by default, and R's nine types as options."""

import warnings
from numbers import Real

import numpy as np

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._values import as_float_array

__all__ = ["percentiles", "PERCENTILE_METHODS"]

# Method name -> the numpy.quantile method that computes it. Hyndman & Fan (1996)
# number the sample-quantile definitions 1-9; R's quantile(type=) uses those numbers
# and numpy.quantile names the same nine definitions.
PERCENTILE_METHODS = {
    "spss": "weibull",  # SPSS HAVERAGE = Hyndman-Fan / R type 6
    "haverage": "weibull",
    "linear": "linear",  # R's and numpy's default, Excel PERCENTILE.INC = type 7
    "type1": "inverted_cdf",
    "type2": "averaged_inverted_cdf",
    "type3": "closest_observation",
    "type4": "interpolated_inverted_cdf",
    "type5": "hazen",
    "type6": "weibull",
    "type7": "linear",
    "type8": "median_unbiased",
    "type9": "normal_unbiased",
}


def percentiles(values, q, method: str = "spss"):
    """Percentiles of ``values`` (missing values ignored), ``q`` in percent (0-100).

    Parameters
    ----------
    values : sequence of numbers
        One value per patient; None, NaN and empty cells are missing and ignored.
    q : number or sequence of numbers
        The percentile(s) wanted, in percent: ``25``, or ``[25, 50, 75]``.
    method : str
        ``"spss"`` (default; also ``"haverage"``): SPSS's weighted average at
        ``(n + 1) p``, the definition of SPSS EXAMINE and FREQUENCIES. ``"linear"``:
        R's default, weighted average at ``1 + (n - 1) p``. ``"type1"`` ... ``"type9"``:
        the nine definitions of Hyndman & Fan, numbered as R's ``quantile(type=)``.

    Returns
    -------
    float for a single ``q``, tuple of floats for a sequence. NaN (with a
    StatisticalWarning) when there are no values.

    Notes
    -----
    SPSS HAVERAGE: with the values sorted ``x(1) <= ... <= x(n)``, let ``(n + 1) p =
    i + f`` (``i`` whole, ``0 <= f < 1``). The percentile is ``(1 - f) x(i) + f x(i+1)``;
    when ``i < 1`` it is ``x(1)`` and when ``i >= n`` it is ``x(n)``. This is exactly
    Hyndman & Fan's definition 6 (R ``quantile(type = 6)``), which is why SPSS's
    quartiles differ from R's and NumPy's defaults (type 7) on small samples.

    References
    ----------
    IBM SPSS Statistics Algorithms, EXAMINE / FREQUENCIES, "Percentiles" (HAVERAGE).
    Hyndman RJ, Fan Y. Sample quantiles in statistical packages. Am Stat.
    1996;50(4):361-365. doi:10.1080/00031305.1996.10473566

    Examples
    --------
    >>> percentiles([1, 2, 3, 4], [25, 75])
    (1.25, 3.75)
    >>> percentiles([1, 2, 3, 4], [25, 75], method="linear")
    (1.75, 3.25)
    """
    if not isinstance(method, str) or method.lower() not in PERCENTILE_METHODS:
        raise StatisticsInputError(
            "stats.unknown_percentile_method", method=method, known=", ".join(PERCENTILE_METHODS)
        )
    scalar = isinstance(q, Real)
    wanted = np.atleast_1d(np.asarray(q, dtype=float)) if _all_real(q) else None
    if wanted is None or wanted.ndim != 1 or np.isnan(wanted).any():
        raise StatisticsInputError("stats.percentiles.not_numbers", q=q)
    if ((wanted < 0) | (wanted > 100)).any():
        raise StatisticsInputError("stats.percentiles.range", q=q)
    numbers = as_float_array(values)
    numbers = numbers[~np.isnan(numbers)]
    if numbers.size == 0:
        warnings.warn(
            "No values to compute percentiles from; returning NaN.",
            StatisticalWarning,
            stacklevel=2,
        )
        result = np.full(wanted.shape, np.nan)
    else:
        result = np.quantile(numbers, wanted / 100.0, method=PERCENTILE_METHODS[method.lower()])
    if scalar:
        return float(result[0])
    return tuple(float(value) for value in result)


def _all_real(q) -> bool:
    if isinstance(q, Real) and not isinstance(q, bool):
        return True
    if isinstance(q, (str, bytes)):
        return False
    try:
        return all(isinstance(item, Real) and not isinstance(item, bool) for item in q)
    except TypeError:
        return False
