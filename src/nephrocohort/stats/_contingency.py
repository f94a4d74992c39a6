"""Cross-tabulations: Pearson chi-square and Fisher's exact test (2 x 2 and R x C)."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from scipy.special import gammaln

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats._errors import StatisticsInputError
from nephrocohort.stats._result import StatResult
from nephrocohort.stats._values import is_missing

__all__ = [
    "contingency_table",
    "chi_square",
    "fisher_exact",
    "ChiSquareResult",
    "FisherResult",
    "FISHER_MAX_TABLES",
    "fisher_tables_bound",
]

# Exact enumeration grows fast with the size of the table. This caps the work (the
# number of partial-table probabilities handled); past it the user is asked to choose
# the Monte Carlo estimate or the chi-square test instead of waiting.
FISHER_MAX_TABLES = 5_000_000

# R's fisher.test counts tables whose probability is within a relative 1e-7 of the
# observed one as "as extreme", so that floating-point noise does not drop ties.
_RELATIVE_TOLERANCE = 1e-7


@dataclass(frozen=True, repr=False)
class ChiSquareResult(StatResult):
    """Pearson chi-square for an R x C table, expected counts and the small-expected check.

    For 2 x 2 tables ``yates_statistic``/``yates_p`` hold SPSS's "Continuity
    Correction" row (None otherwise).
    """

    test: str
    statistic: float
    df: int
    p: float
    n: int
    expected: tuple
    min_expected: float
    cells_expected_below_5: int
    percent_expected_below_5: float
    expected_warning: bool
    yates_statistic: float | None
    yates_p: float | None
    cramers_v: float

    _repr_fields = ("statistic", "df", "p", "n", "percent_expected_below_5")


@dataclass(frozen=True, repr=False)
class FisherResult(StatResult):
    """Fisher's exact test; for 2 x 2 tables also the conditional odds ratio with its CI."""

    test: str
    p: float
    n: int
    shape: tuple
    method: str
    odds_ratio: float | None
    odds_ratio_ci_low: float | None
    odds_ratio_ci_high: float | None

    _repr_fields = ("p", "n", "shape", "method", "odds_ratio")


def contingency_table(rows, columns, *, row_categories=None, column_categories=None):
    """Count patients by two per-patient variables; patients missing either are left out.

    Parameters
    ----------
    rows, columns : sequences
        One value per patient each, in the same order (e.g. histology and CRF).
    row_categories, column_categories : sequences, optional
        The categories and their order. Listed categories appear even with zero
        patients; a value outside the list is an error naming it. Without a list, the
        values found are sorted.

    Returns
    -------
    pandas.DataFrame of counts (rows x columns), as :func:`chi_square` and
    :func:`fisher_exact` accept.
    """
    first, second = list(rows), list(columns)
    if len(first) != len(second):
        raise StatisticsInputError(
            "stats.contingency.lengths", rows=len(first), columns=len(second)
        )
    kept = [
        (x, y) for x, y in zip(first, second, strict=True) if not (is_missing(x) or is_missing(y))
    ]
    row_order = _categories([x for x, _ in kept], row_categories, "rows")
    column_order = _categories([y for _, y in kept], column_categories, "columns")
    counts = pd.DataFrame(0, index=pd.Index(row_order), columns=pd.Index(column_order))
    for x, y in kept:
        counts.loc[x, y] += 1
    return counts


def _categories(values, listed, name):
    if listed is None:
        found = list(dict.fromkeys(values))
        try:
            return sorted(found)
        except TypeError:
            return found
    unexpected = sorted({repr(value) for value in values if value not in listed})
    if unexpected:
        raise StatisticsInputError(
            "stats.contingency.unexpected",
            name=name,
            found=", ".join(unexpected),
            expected=list(listed),
        )
    return list(listed)


def _counts(table) -> np.ndarray:
    values = table.to_numpy() if isinstance(table, pd.DataFrame) else table
    try:
        counts = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise StatisticsInputError("stats.contingency.not_counts", table=table) from None
    if counts.ndim != 2 or counts.shape[0] < 2 or counts.shape[1] < 2:
        raise StatisticsInputError("stats.contingency.shape", shape=counts.shape)
    if np.isnan(counts).any() or (counts < 0).any() or (counts != np.round(counts)).any():
        raise StatisticsInputError("stats.contingency.whole_counts")
    counts = counts.astype(np.int64)
    for axis, code in ((1, "stats.contingency.empty_row"), (0, "stats.contingency.empty_column")):
        totals = counts.sum(axis=axis)
        if (totals == 0).any():
            raise StatisticsInputError(code, index=int(np.flatnonzero(totals == 0)[0]) + 1)
    return counts


def chi_square(table) -> ChiSquareResult:
    """Pearson's chi-square test of independence for an R x C table of counts.

    Parameters
    ----------
    table : 2-D counts (list of lists, NumPy array or DataFrame from
        :func:`contingency_table`), rows and columns each with at least one patient.

    Notes
    -----
    ``chi2 = sum((O - E)^2 / E)`` with ``E = row total x column total / N`` and
    ``(R - 1)(C - 1)`` df, without continuity correction: SPSS CROSSTABS' "Pearson
    Chi-Square" and R ``chisq.test(correct = FALSE)``. R's default applies Yates'
    correction to 2 x 2 tables; that value is in ``yates_statistic``/``yates_p`` (SPSS's
    "Continuity Correction" row). When more than 20% of cells expect fewer than 5
    patients (SPSS's footnote "b. n cells (x%) have expected count less than 5") a
    StatisticalWarning suggests :func:`fisher_exact`. ``cramers_v = sqrt(chi2 / (N
    (min(R, C) - 1)))``.

    References
    ----------
    Pearson K. On the criterion that a given system of deviations... Philos Mag.
    1900;50(302):157-175. doi:10.1080/14786440009463897
    Cochran WG. Some methods for strengthening the common chi-square tests. Biometrics.
    1954;10(4):417-451. doi:10.2307/3001616 (the 20% / expected < 5 rule)
    IBM SPSS Statistics Algorithms, CROSSTABS.
    """
    counts = _counts(table)
    statistic, p, df, expected = scipy_stats.chi2_contingency(counts, correction=False)
    below = int((expected < 5).sum())
    percent_below = 100.0 * below / expected.size
    warn = percent_below > 20.0
    if warn:
        warnings.warn(
            f"{below} of {expected.size} cells ({percent_below:.0f}%) expect fewer than 5 "
            "patients, so the chi-square p-value is unreliable. Use fisher_exact() for this "
            "table.",
            StatisticalWarning,
            stacklevel=2,
        )
    yates_statistic = yates_p = None
    if counts.shape == (2, 2):
        yates = scipy_stats.chi2_contingency(counts, correction=True)
        yates_statistic, yates_p = float(yates.statistic), float(yates.pvalue)
    n = int(counts.sum())
    return ChiSquareResult(
        test="Pearson chi-square",
        statistic=float(statistic),
        df=int(df),
        p=float(p),
        n=n,
        expected=tuple(tuple(float(value) for value in row) for row in expected),
        min_expected=float(expected.min()),
        cells_expected_below_5=below,
        percent_expected_below_5=percent_below,
        expected_warning=warn,
        yates_statistic=yates_statistic,
        yates_p=yates_p,
        cramers_v=math.sqrt(statistic / (n * (min(counts.shape) - 1))),
    )


def fisher_exact(
    table, *, method: str = "exact", seed: int | None = None, max_tables: int = FISHER_MAX_TABLES
) -> FisherResult:
    """Fisher's exact test for a 2 x 2 or R x C table of counts (two-sided).

    Parameters
    ----------
    table : 2-D counts
        As for :func:`chi_square`.
    method : {"exact", "monte_carlo"}
        ``"exact"`` enumerates every table with the observed margins. ``"monte_carlo"``
        estimates the p-value from 100,000 random tables (SciPy); give ``seed`` for a
        reproducible result.
    seed : int, optional
        Random seed for ``"monte_carlo"``.
    max_tables : int
        Refuse exact enumeration beyond this much work (partial tables handled) and
        suggest Monte Carlo instead.

    Notes
    -----
    The p-value is the total probability (multivariate hypergeometric, margins fixed)
    of the tables no more probable than the observed one, within a relative 1e-7 as in
    R ``fisher.test``; SPSS CROSSTABS' "Fisher's Exact Test" and, for R x C, its Exact
    option report the same. SciPy's ``fisher_exact`` computes this exactly only for
    2 x 2; for larger tables its default is a Monte Carlo estimate, which is why R x C
    tables are enumerated here. For 2 x 2 tables ``odds_ratio`` is the conditional
    maximum-likelihood estimate with its exact 95% interval, as R ``fisher.test``
    (SciPy's ``fisher_exact`` returns the sample odds ratio instead).

    References
    ----------
    Fisher RA. On the interpretation of chi-square from contingency tables, and the
    calculation of P. J R Stat Soc. 1922;85(1):87-94. doi:10.2307/2340521
    Freeman GH, Halton JH. Note on an exact treatment of contingency, goodness of fit
    and other problems of significance. Biometrika. 1951;38(1-2):141-149.
    doi:10.1093/biomet/38.1-2.141
    """
    if method not in ("exact", "monte_carlo"):
        raise StatisticsInputError("stats.fisher.unknown_method", method=method)
    counts = _counts(table)
    odds = low = high = None
    if counts.shape == (2, 2):
        conditional = scipy_stats.contingency.odds_ratio(counts, kind="conditional")
        interval = conditional.confidence_interval(confidence_level=0.95)
        odds, low, high = float(conditional.statistic), float(interval.low), float(interval.high)
    if method == "monte_carlo":
        rng = np.random.default_rng(seed)
        result = scipy_stats.fisher_exact(
            counts, method=scipy_stats.MonteCarloMethod(n_resamples=100_000, rng=rng)
        )
        p = float(result.pvalue)
    elif counts.shape == (2, 2):
        p = float(scipy_stats.fisher_exact(counts).pvalue)
    else:
        p = _fisher_exact_enumerated(counts, max_tables)
    return FisherResult(
        test="Fisher's exact",
        p=min(1.0, p),
        n=int(counts.sum()),
        shape=tuple(int(size) for size in counts.shape),
        method=method,
        odds_ratio=odds,
        odds_ratio_ci_low=low,
        odds_ratio_ci_high=high,
    )


def fisher_tables_bound(table) -> int:
    """An upper bound on the number of tables with the margins of ``table``, known before
    enumerating: each cell but those of the last row and column lies in 0..min(row total,
    column total), and those cells fix the rest. Lets a caller choose exact enumeration only
    within a stated budget (the enumeration itself does far less work than this bound).

    Parameters
    ----------
    table : the observed R x C table of counts (rows x columns).

    References
    ----------
    Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r x c
    contingency tables. J Am Stat Assoc. 1983;78(382):427-434. doi:10.1080/01621459.1983.10477989
    (the tables with fixed margins that an exact test sums over).
    """
    counts = _counts(table)
    rows, columns = counts.sum(axis=1), counts.sum(axis=0)
    bound = 1
    for row in rows[:-1]:
        for column in columns[:-1]:
            bound *= int(min(row, column)) + 1
    return bound


def _fisher_exact_enumerated(counts: np.ndarray, max_tables: int) -> float:
    """Sum the probabilities of all tables with these margins that are at most as probable.

    log P(table) = constant - sum log(x_ij!), so the work is to know, for every table
    with the observed margins, the value -sum log(x_ij!). Tables are built column by
    column. What the columns from k on can contribute depends only on the row totals
    still to fill (and not on their order), so it is computed once per such state as the
    distinct values with their multiplicities, then shifted by each way to fill column
    k. Equal probabilities (common in small tables) collapse into one entry, which keeps
    the work far below one step per table.
    """
    if counts.shape[0] > counts.shape[1]:
        counts = counts.T  # fewer rows = fewer ways to fill each column
    row_totals = counts.sum(axis=1)
    column_totals = [int(total) for total in counts.sum(axis=0)]
    total = int(counts.sum())
    log_factorial = gammaln(np.arange(total + 2) + 1.0)
    constant = (
        log_factorial[row_totals].sum()
        + log_factorial[np.asarray(column_totals)].sum()
        - log_factorial[total]
    )
    observed = constant - log_factorial[counts].sum()
    threshold = observed + math.log1p(_RELATIVE_TOLERANCE)
    memo: dict = {}
    work = 0

    def completions(column: int, remaining: tuple) -> tuple[np.ndarray, np.ndarray]:
        nonlocal work
        key = (column, remaining)
        if key in memo:
            return memo[key]
        capacities = np.asarray(remaining, dtype=np.int64)
        if column == len(column_totals) - 1:
            result = (np.array([-log_factorial[capacities].sum()]), np.array([1.0]))
        else:
            values, weights = [], []
            for cells in _splits(column_totals[column], capacities):
                rest = tuple(sorted((capacities - cells).tolist()))
                child_values, child_weights = completions(column + 1, rest)
                values.append(child_values - log_factorial[cells].sum())
                weights.append(child_weights)
            merged = np.concatenate(values)
            work += merged.size
            if work > max_tables:
                raise StatisticsInputError("stats.fisher.too_many_tables", limit=max_tables)
            # Round to 1e-9 on the log scale (far inside R's 1e-7 tolerance) so that
            # equal probabilities computed along different paths share one entry.
            _, first, inverse = np.unique(
                np.round(merged, 9), return_index=True, return_inverse=True
            )
            result = (merged[first], np.bincount(inverse, weights=np.concatenate(weights)))
        memo[key] = result
        return result

    values, weights = completions(0, tuple(sorted(row_totals.tolist())))
    log_p = constant + values
    extreme = log_p <= threshold
    return float((weights[extreme] * np.exp(log_p[extreme])).sum())


def _splits(amount: int, capacities: np.ndarray):
    """Every way to put ``amount`` patients into rows without exceeding their capacities."""
    n_rows = capacities.size
    # The rows after position i can absorb at most suffix[i + 1] patients.
    suffix = np.concatenate([np.cumsum(capacities[::-1])[::-1], [0]])
    cells = np.zeros(n_rows, dtype=np.int64)

    def fill(row: int, left: int):
        if row == n_rows - 1:
            if left <= capacities[row]:
                cells[row] = left
                yield cells.copy()
            return
        low = max(0, left - int(suffix[row + 1]))
        high = min(int(capacities[row]), left)
        for value in range(low, high + 1):
            cells[row] = value
            yield from fill(row + 1, left - value)

    yield from fill(0, amount)
