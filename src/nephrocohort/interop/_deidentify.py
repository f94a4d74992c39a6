"""De-identification for export: pseudonyms, shifted dates, no free text.

Why each step: patient ids from the hospital are direct identifiers, so they
are replaced by random pseudonyms; exact dates are quasi-identifiers, so each
patient's dates move by one random number of days (intervals between that
patient's dates, and so every derived duration, stay exact) or become days
since onset; free-text columns can hold names and are dropped, as are
columns this tool does not know (it cannot know what is in them). Times of
an action in the registry (``timestamp`` columns: when a record was signed)
are dropped too: shifted, they would give the patient's shift away to anyone
who knows when it happened (an audit trail, the monitor who was there). The
mapping back lives only in a separate key file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._labelled import DAYS_SUFFIX
from nephrocohort.interop._variables import variable_for

__all__ = ["DeidentifiedData", "deidentify", "DATE_MODES"]

DATE_MODES = ("shift", "days_since_onset")


@dataclass(frozen=True)
class DeidentifiedData:
    """Tables ready to share, the key that links them back, and what was removed."""

    tables: dict[str, pd.DataFrame]
    key: pd.DataFrame
    date_mode: str
    dropped_columns: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return (
            f"DeidentifiedData(patients={len(self.key)}, tables={sorted(self.tables)}, "
            f"date_mode={self.date_mode!r}, dropped={len(self.dropped_columns)} columns)"
        )


def _patient_ids(tables: dict[str, pd.DataFrame]) -> list[str]:
    ids: set[str] = set()
    for name, frame in tables.items():
        if "patient_id" not in frame.columns:
            raise InteropError("deidentify.no_patient_id", table=name)
        ids.update(str(v) for v in frame["patient_id"].dropna().unique())
    return sorted(ids)


def _onset_dates(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Timestamp]:
    for source in ("patients", "analysis"):
        frame = tables.get(source)
        if frame is not None and "onset_date" in frame.columns:
            onset = pd.to_datetime(frame["onset_date"], errors="coerce")
            return {
                str(pid): value
                for pid, value in zip(frame["patient_id"], onset, strict=True)
                if not pd.isna(value)
            }
    raise InteropError("deidentify.no_onset_date")


def _is_date_column(table: str, column: str, series: pd.Series) -> bool:
    variable = variable_for(table, column)
    if variable is not None:
        return variable.kind == "date"
    return pd.api.types.is_datetime64_any_dtype(series)


def _latest_dates(tables: dict[str, pd.DataFrame]) -> dict[str, pd.Timestamp]:
    """Each patient's latest date in any table (no entry for a patient without dates)."""
    latest: dict[str, pd.Timestamp] = {}
    for name, frame in tables.items():
        ids = frame["patient_id"].astype("string")
        for column in frame.columns:
            if column == "patient_id" or not _is_date_column(name, column, frame[column]):
                continue
            dates = pd.to_datetime(frame[column], errors="coerce")
            for pid, value in dates.groupby(ids).max().items():
                if not pd.isna(value) and (pid not in latest or value > latest[pid]):
                    latest[str(pid)] = value
    return latest


def _date_shifts(
    ids: list[str],
    tables: dict[str, pd.DataFrame],
    *,
    rng: np.random.Generator,
    max_shift_days: int,
    export_date: dt.date,
) -> dict[str, int]:
    """One random non-zero shift per patient that never moves a date past ``export_date``.

    The shift is drawn from ``-max_shift_days`` to the room the patient's
    latest date leaves before the export date (at most ``max_shift_days``), so
    a cohort whose follow-up reaches today is shifted back only and the
    shared files still validate (no date in the future).
    """
    latest = _latest_dates(tables)
    end = pd.Timestamp(export_date)
    shifts: dict[str, int] = {}
    for pid in ids:
        room = max_shift_days if pid not in latest else (end - latest[pid]).days
        high = max(min(room, max_shift_days), 0)
        # Draw from [-max, high] without 0: `high + max` values, shifted past 0.
        draw = int(rng.integers(0, max_shift_days + high))
        shifts[pid] = draw - max_shift_days if draw < max_shift_days else draw - max_shift_days + 1
    return shifts


def deidentify(
    tables: dict[str, pd.DataFrame],
    *,
    seed: int | None = None,
    date_mode: str = "shift",
    max_shift_days: int = 365,
    export_date: dt.date | str | None = None,
) -> DeidentifiedData:
    """Replace ids by pseudonyms, move or relativise dates and drop free text.

    ``tables`` maps a table name (the data-contract names, or ``"analysis"``)
    to its DataFrame. Each patient gets one random pseudonym and one random
    shift of 1 to ``max_shift_days`` days, used for every table, so records
    still join and intervals are unchanged. A shift is earlier, or later only
    as far as the patient's latest date stays on or before ``export_date``
    (default: today, taken when called), so a shared file never holds a date
    in the future. ``seed`` makes the draw reproducible; leave it ``None`` for
    real exports, since anyone who knows a fixed seed could undo the shift.
    """
    if date_mode not in DATE_MODES:
        raise InteropError(
            "deidentify.unknown_date_mode", mode=date_mode, modes=", ".join(DATE_MODES)
        )
    if max_shift_days < 1:
        raise InteropError("deidentify.bad_max_shift", days=max_shift_days)
    export_date = dt.date.today() if export_date is None else pd.Timestamp(export_date).date()
    rng = np.random.default_rng(seed)
    ids = _patient_ids(tables)
    numbers = rng.choice(900_000, size=len(ids), replace=False) + 100_000
    pseudonyms = {pid: f"P{number:06d}" for pid, number in zip(ids, numbers, strict=True)}
    shifts = (
        _date_shifts(ids, tables, rng=rng, max_shift_days=max_shift_days, export_date=export_date)
        if date_mode == "shift"
        else {}
    )
    onsets = _onset_dates(tables) if date_mode == "days_since_onset" else {}

    key = pd.DataFrame({"patient_id": ids, "pseudonym": [pseudonyms[p] for p in ids]})
    if date_mode == "shift":
        key["date_shift_days"] = [shifts[p] for p in ids]
    else:
        key["onset_date"] = [onsets.get(p, pd.NaT) for p in ids]
    key = key.sort_values("pseudonym", kind="stable").reset_index(drop=True)

    dropped: list[str] = []
    result: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        out = pd.DataFrame(index=frame.index)
        original_ids = frame["patient_id"].astype("string")
        for column in frame.columns:
            variable = variable_for(name, column)
            series = frame[column]
            if column == "patient_id":
                out[column] = original_ids.map(pseudonyms).astype("string")
            elif variable is None or variable.kind in ("free_text", "timestamp"):
                if column != "source_row":  # a position in the user's file, not data
                    dropped.append(f"{name}.{column}")
            elif _is_date_column(name, column, series):
                dates = pd.to_datetime(series, errors="coerce")
                if date_mode == "shift":
                    offsets = pd.to_timedelta(original_ids.map(shifts).astype("float"), unit="D")
                    out[column] = dates + offsets
                else:
                    onset = pd.to_datetime(original_ids.map(onsets))
                    out[f"{column}{DAYS_SUFFIX}"] = (dates - onset).dt.days.astype("Int64")
            else:
                out[column] = series
        result[name] = out.sort_values("patient_id", kind="stable").reset_index(drop=True)
    return DeidentifiedData(result, key, date_mode, tuple(dropped))
