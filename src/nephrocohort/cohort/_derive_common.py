"""Vectorised building blocks shared by the derivation modules.

Every derivation step works on plain numpy arrays: a patient code (the row of
the patient in the ``patients`` table) and a day number (days since
1970-01-01, ``NaN`` when the date is missing). Working on integers and floats
instead of strings and timestamps is what lets 100,000 patients derive in
seconds; all selection rules (nearest measurement, tie-breaks) live here once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Days in a month and a year (365.25/12, 365.25) as the analysis-dataset contract defines
# them (docs/architecture.md): owned by clinical.anthropometry, re-exported for derive.
from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH as DAYS_PER_MONTH
from nephrocohort.clinical.anthropometry import DAYS_PER_YEAR as DAYS_PER_YEAR
from nephrocohort.exceptions import ClinicalInputError

_DAY_SHIFT = 2**19  # keeps day numbers positive inside combined keys (covers years 535-3405)
_KEY_STRIDE = 2**20


_NS_PER_DAY = 86_400_000_000_000


def day_numbers(values) -> np.ndarray:
    """Days since 1970-01-01 as float, ``NaN`` for a missing date."""
    raw = np.asarray(pd.to_datetime(values), dtype="datetime64[ns]")
    missing = np.isnat(raw)
    out = (raw.view(np.int64) // _NS_PER_DAY).astype(np.float64)
    out[missing] = np.nan
    return out


def _year_month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calendar year, month (1-12) and day of month of known day numbers."""
    dates = days.astype(np.int64).astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (dates - months).astype(np.int64) + 1
    return year, month, day


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day of the month ``months`` calendar months later (NaN stays NaN).

    "12 months after 2012-01-01" is 2013-01-01 (the anniversary). A day that
    the target month lacks falls on that month's last day (2012-01-31 + 1
    month = 2012-02-29), the usual calendar rule (Python's dateutil
    ``relativedelta``, SPSS ``DATESUM`` with "closest").
    """
    days = np.asarray(days, dtype=np.float64)
    out = np.full(days.shape, np.nan)
    known = ~np.isnan(days)
    if not known.any():
        return out
    year, month, day = _year_month_day(days[known])
    total = (year * 12 + (month - 1)) + int(months)
    first_of_month = (total - 1970 * 12).astype("datetime64[M]")
    month_length = (
        (first_of_month + 1).astype("datetime64[D]") - first_of_month.astype("datetime64[D]")
    ).astype(np.int64)
    target = first_of_month.astype("datetime64[D]") + (np.minimum(day, month_length) - 1)
    out[known] = target.astype(np.int64).astype(np.float64)
    return out


def completed_years(birth_day: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Age in completed years on ``day`` (the birthday rule), NaN if either date is unknown.

    A child is N years old from the N-th birthday on: born 1992-03-01, on
    2010-03-01 the age is 18, the day before 17. Age cut-offs (eligibility
    < 18, the adolescent k of the original Schwartz equation from the 13th
    birthday) use this; the decimal age (days / 365.25) drifts by a day
    around birthdays because of leap years. Someone born on 29 February
    has the birthday on 1 March in common years.
    """
    birth_day = np.asarray(birth_day, dtype=np.float64)
    day = np.asarray(day, dtype=np.float64)
    birth_day, day = np.broadcast_arrays(birth_day, day)
    out = np.full(day.shape, np.nan)
    known = ~np.isnan(birth_day) & ~np.isnan(day)
    if not known.any():
        return out
    by, bm, bd = _year_month_day(birth_day[known])
    y, m, d = _year_month_day(day[known])
    before_birthday = (m < bm) | ((m == bm) & (d < bd))
    out[known] = (y - by - before_birthday).astype(np.float64)
    return out


def days_to_dates(days: np.ndarray) -> pd.Series:
    """The inverse of :func:`day_numbers`: float days to ``datetime64[ns]`` (NaT for NaN)."""
    days = np.asarray(days, dtype=np.float64)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    known = ~np.isnan(days)
    out[known] = days[known].astype(np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return pd.Series(out)


def _arrow_strings(column) -> pa.Array:
    """A text column as one Arrow string array (zero-copy for Arrow-backed columns)."""
    array = pa.array(column.array if isinstance(column, pd.Series) else column, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    return array


def patient_codes(patient_ids: pd.Series, column: pd.Series) -> np.ndarray:
    """Row of each value's patient in ``patients`` (-1 for an id not in the cohort).

    Done with Arrow's hash lookup: the cohort keeps text in Arrow strings, and
    hashing ten million ids there takes a fraction of a second.
    """
    if len(column) == 0:
        return np.array([], dtype=np.int64)
    ids = _arrow_strings(patient_ids)
    found = pc.index_in(_arrow_strings(column), value_set=ids)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def factorize_text(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for missing) and the distinct values of a text column."""
    if len(column) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=object)
    encoded = pc.dictionary_encode(_arrow_strings(column))
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, np.array(encoded.dictionary.to_pylist(), dtype=object)


def text_values(column: pd.Series) -> np.ndarray:
    """A text column as an object array of str/None, decoded once per distinct value."""
    codes, names = factorize_text(column)
    lookup = np.append(names, None).astype(object)
    return lookup[codes]


def combined_key(pid: np.ndarray, day: np.ndarray) -> np.ndarray:
    """One sortable int64 per (patient, day); days must be known."""
    return pid.astype(np.int64) * _KEY_STRIDE + (day.astype(np.int64) + _DAY_SHIFT)


def first_per_patient(pid: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions in ``order`` (already sorted by patient first) that open each patient's block."""
    sorted_pid = pid[order]
    if sorted_pid.size == 0:
        return order[:0]
    starts = np.flatnonzero(np.r_[True, sorted_pid[1:] != sorted_pid[:-1]])
    return order[starts]


def nearest_in_window(
    pid: np.ndarray,
    day: np.ndarray,
    *,
    anchor_day: np.ndarray,
    target_offset_days: float,
    window_before_days: float,
    window_after_days: float,
) -> tuple[np.ndarray, np.ndarray]:
    """For each patient, the row nearest to ``anchor + offset`` inside the window.

    ``anchor_day`` is indexed by patient code (``NaN``: the patient has no anchor
    and gets nothing). The window is closed at both ends. At equal distance the
    earlier measurement wins: it is the one less touched by whatever happened
    after the target day, and the choice must be deterministic.

    Returns ``(patient codes, row positions)`` of the chosen rows.
    """
    relative = day - anchor_day[pid] - target_offset_days
    inside = (relative >= -window_before_days) & (relative <= window_after_days)
    rows = np.flatnonzero(inside)
    if rows.size == 0:
        return rows, rows
    rel = relative[rows]
    order = np.lexsort((rel, np.abs(rel), pid[rows]))
    chosen = first_per_patient(pid[rows], order)
    return pid[rows][chosen], rows[chosen]


def nearest_row(
    query_pid: np.ndarray,
    query_day: np.ndarray,
    ref_pid: np.ndarray,
    ref_day: np.ndarray,
) -> np.ndarray:
    """Position in the reference rows of the same patient's nearest day (-1 if none).

    Ties at equal distance go to the earlier reference row; several rows on
    the chosen day: the first in file order. Reference rows with an unknown
    day are ignored; queries with an unknown day get -1.
    """
    result = np.full(query_pid.shape, -1, dtype=np.int64)
    usable = np.flatnonzero(~np.isnan(ref_day) & (ref_pid >= 0))
    if usable.size == 0 or query_pid.size == 0:
        return result
    ref_key = combined_key(ref_pid[usable], ref_day[usable])
    order = np.argsort(ref_key, kind="stable")
    ref_key = ref_key[order]
    ref_rows = usable[order]
    ref_pid_sorted = ref_pid[ref_rows]
    ref_day_sorted = ref_day[ref_rows]

    known = ~np.isnan(query_day) & (query_pid >= 0)
    q_pid = query_pid[known]
    q_day = query_day[known]
    q_key = combined_key(q_pid, q_day)
    after = np.searchsorted(ref_key, q_key, side="right")
    before = after - 1
    n = ref_key.size
    # several reference rows on the nearest earlier day: the first in file order
    has_before = before >= 0
    before[has_before] = np.searchsorted(ref_key, ref_key[before[has_before]], side="left")

    before_ok = before >= 0
    before_ok[before_ok] &= ref_pid_sorted[before[before_ok]] == q_pid[before_ok]
    after_ok = after < n
    after_ok[after_ok] &= ref_pid_sorted[after[after_ok]] == q_pid[after_ok]

    before_dist = np.full(q_pid.shape, np.inf)
    before_dist[before_ok] = q_day[before_ok] - ref_day_sorted[before[before_ok]]
    after_dist = np.full(q_pid.shape, np.inf)
    after_dist[after_ok] = ref_day_sorted[after[after_ok]] - q_day[after_ok]

    pick_before = before_ok & (before_dist <= after_dist)
    pick_after = after_ok & ~pick_before
    chosen = np.full(q_pid.shape, -1, dtype=np.int64)
    chosen[pick_before] = ref_rows[before[pick_before]]
    chosen[pick_after] = ref_rows[after[pick_after]]
    result[known] = chosen
    return result


def any_per_patient(n_patients: int, pid: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Boolean per patient: at least one row (matching ``mask``) belongs to the patient."""
    out = np.zeros(n_patients, dtype=bool)
    chosen = pid if mask is None else pid[mask]
    out[chosen[chosen >= 0]] = True
    return out


def min_per_patient(n_patients: int, pid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Smallest known value per patient, ``NaN`` where the patient has none."""
    out = np.full(n_patients, np.inf)
    known = ~np.isnan(values) & (pid >= 0)
    np.minimum.at(out, pid[known], values[known])
    out[np.isinf(out)] = np.nan
    return out


def max_per_patient(n_patients: int, pid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Largest known value per patient, ``NaN`` where the patient has none."""
    out = np.full(n_patients, -np.inf)
    known = ~np.isnan(values) & (pid >= 0)
    np.maximum.at(out, pid[known], values[known])
    out[np.isinf(out)] = np.nan
    return out


def count_per_patient(
    n_patients: int, pid: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """Number of rows (matching ``mask``) per patient."""
    chosen = pid if mask is None else pid[mask]
    return np.bincount(chosen[chosen >= 0], minlength=n_patients).astype(np.int64)


def nullable_bool(values: np.ndarray, known: np.ndarray | None = None) -> pd.arrays.BooleanArray:
    """A pandas nullable boolean array; ``known=False`` positions become NA."""
    values = np.asarray(values, dtype=bool)
    mask = np.zeros(values.shape, dtype=bool) if known is None else ~np.asarray(known, dtype=bool)
    return pd.arrays.BooleanArray(values, mask)


def yes_no_to_bool(column: pd.Series) -> pd.arrays.BooleanArray:
    """``yes``/``no``/``unknown`` (any case) to True/False/NA."""
    text = column.astype("string").str.strip().str.lower()
    yes = (text == "yes").fillna(False).to_numpy(dtype=bool)
    no = (text == "no").fillna(False).to_numpy(dtype=bool)
    return nullable_bool(yes, yes | no)


def values_or_nan(function, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """Call a vectorised clinical function; rows it refuses become NaN.

    The clinical calculators refuse a whole array when one element is out of
    the equation's range (``ClinicalInputError``). Refused blocks are split in
    halves until the refused rows are isolated, so the cost grows with the
    number of refused rows, not with the number of rows.
    """
    n = next(iter(inputs.values())).size
    out = np.full(n, np.nan)

    def run(idx: np.ndarray) -> None:
        if idx.size == 0:
            return
        try:
            out[idx] = np.asarray(
                function(**{k: v[idx] for k, v in inputs.items()}), dtype=np.float64
            )
        except ClinicalInputError:
            if idx.size == 1:
                return
            half = idx.size // 2
            run(idx[:half])
            run(idx[half:])

    run(np.arange(n))
    return out
