"""De-identification for export: pseudonyms, shifted dates, no free text.

Why each step: patient ids from the hospital are direct identifiers, so they
are replaced by random pseudonyms; exact dates are quasi-identifiers, so each
patient's dates move by one random number of days (intervals between that
patient's dates, and so every derived duration, stay exact) or become days
since onset; free-text columns can hold names and are dropped, as are
columns this tool does not know (it cannot know what is in them). The
mapping back lives only in a separate key file.
"""

from __future__ import annotations

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
            raise InteropError(
                f"Table {name} has no patient_id column; it cannot be de-identified."
            )
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
    raise InteropError(
        "Dates cannot be replaced by days since onset: no onset_date column was found "
        "in the patients table or the analysis dataset. Use date shifting instead."
    )


def _is_date_column(table: str, column: str, series: pd.Series) -> bool:
    variable = variable_for(table, column)
    if variable is not None:
        return variable.kind == "date"
    return pd.api.types.is_datetime64_any_dtype(series)


def deidentify(
    tables: dict[str, pd.DataFrame],
    *,
    seed: int | None = None,
    date_mode: str = "shift",
    max_shift_days: int = 365,
) -> DeidentifiedData:
    """Replace ids by pseudonyms, move or relativise dates and drop free text.

    ``tables`` maps a table name (the data-contract names, or ``"analysis"``)
    to its DataFrame. Each patient gets one random pseudonym and one random
    shift of 1 to ``max_shift_days`` days, earlier or later, used for every
    table, so records still join and intervals are unchanged. ``seed`` makes
    the draw reproducible; leave it ``None`` for real exports, since anyone
    who knows a fixed seed could undo the shift.
    """
    if date_mode not in DATE_MODES:
        raise InteropError(
            f"Date mode {date_mode!r} is unknown; use one of {', '.join(DATE_MODES)}."
        )
    if max_shift_days < 1:
        raise InteropError(f"max_shift_days must be at least 1 day; got {max_shift_days}.")
    rng = np.random.default_rng(seed)
    ids = _patient_ids(tables)
    numbers = rng.choice(900_000, size=len(ids), replace=False) + 100_000
    pseudonyms = {pid: f"P{number:06d}" for pid, number in zip(ids, numbers, strict=True)}
    magnitudes = rng.integers(1, max_shift_days + 1, size=len(ids))
    signs = rng.choice(np.array([-1, 1]), size=len(ids))
    shifts = {pid: int(m * s) for pid, m, s in zip(ids, magnitudes, signs, strict=True)}
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
            elif variable is None or variable.kind == "free_text":
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
