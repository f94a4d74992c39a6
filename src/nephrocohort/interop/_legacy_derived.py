"""Analysis columns a legacy sheet implies but does not write: follow-up, time to MMF, group, CRF.

A clinic's sheet usually holds the dates and the drugs, not the durations the
report needs. Each column here is computed only when the sheet does not give
it and its inputs are in the sheet, with the definitions of
``nephrocohort derive`` (docs/derivation.md): a month is 365.25/12 days and a
year 365.25 days; ``group`` is 1 when cyclophosphamide, cyclosporine or
tacrolimus came before MMF, otherwise 2 (seed Methods); ``days_to_crf`` runs
from the MMF start to ``crf_date``, censored at the last follow-up, and is NA
for CRF that began before MMF. A sheet has no death date, so the end of
observation is the last follow-up. Nothing is guessed: a missing input leaves
the column NA, and every computed column is named in the import notes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nephrocohort.cohort._derive_common import DAYS_PER_MONTH, DAYS_PER_YEAR
from nephrocohort.cohort.derive import GROUP_1_DRUGS
from nephrocohort.messages import render_text

__all__ = ["complete_from_sheet"]


#: The prior-drug column of each drug that puts a patient in group 1.
_GROUP_1_COLUMNS = tuple(f"prior_{drug}" for drug in GROUP_1_DRUGS)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days.astype("float64")


def _group(frame: pd.DataFrame, has_mmf: pd.Series) -> pd.Series:
    """1 if any group-1 drug came before MMF, 2 if none did (all known), NA otherwise."""
    prior = frame[list(_GROUP_1_COLUMNS)].astype("boolean")
    any_true = prior.fillna(False).any(axis=1)
    all_known_false = prior.notna().all(axis=1) & ~any_true
    values = np.where(any_true, 1, np.where(all_known_false, 2, -1))
    group = pd.Series(values, index=frame.index).where(lambda s: s > 0).astype("Int64")
    return group.where(has_mmf, pd.NA).astype("Int64")


def complete_from_sheet(
    frame: pd.DataFrame, given: set[str], columns: dict[str, str]
) -> tuple[pd.DataFrame, list[str]]:
    """``(frame, notes)``: the analysis columns the sheet lacks, computed from its columns.

    ``given`` holds the variables the mapping reads from the sheet (or sets as
    defaults); ``columns`` names the sheet column of each, for the notes.
    """
    frame = frame.copy()
    notes: list[str] = []

    def has(*names: str) -> bool:
        return all(name in given for name in names)

    def computed(column: str, inputs: tuple[str, ...], values) -> None:
        frame[column] = values
        given.add(column)
        shown = " and ".join(repr(columns.get(name, name)) for name in inputs)
        notes.append(render_text("legacy.computed", column=column, inputs=shown))

    onset, last = frame["onset_date"], frame["last_followup_date"]
    start, stop = frame["mmf_start_date"], frame["mmf_stop_date"]
    if "follow_up_years" not in given and has("onset_date", "last_followup_date"):
        computed(
            "follow_up_years",
            ("onset_date", "last_followup_date"),
            _days(last, onset) / DAYS_PER_YEAR,
        )
    if "received_mmf" not in given and has("mmf_start_date"):
        received = start.notna().astype("boolean")
        computed("received_mmf", ("mmf_start_date",), received)
    has_mmf = start.notna()
    if has("onset_date", "mmf_start_date"):
        if "months_diagnosis_to_mmf" not in given:
            months = _days(start, onset) / DAYS_PER_MONTH
            computed("months_diagnosis_to_mmf", ("onset_date", "mmf_start_date"), months)
        if "years_diagnosis_to_mmf" not in given:
            years = _days(start, onset) / DAYS_PER_YEAR
            computed("years_diagnosis_to_mmf", ("onset_date", "mmf_start_date"), years)
    if (
        "mmf_duration_months" not in given
        and has("mmf_start_date")
        and ("mmf_stop_date" in given or "last_followup_date" in given)
    ):
        end = stop.fillna(last) if "mmf_stop_date" in given else last
        inputs = tuple(
            n for n in ("mmf_start_date", "mmf_stop_date", "last_followup_date") if n in given
        )
        computed("mmf_duration_months", inputs, _days(end, start) / DAYS_PER_MONTH)
    if "group" not in given and has("mmf_start_date", *_GROUP_1_COLUMNS):
        computed("group", ("mmf_start_date", *_GROUP_1_COLUMNS), _group(frame, has_mmf))
    if not {"days_to_crf", "crf_observed"} & given and has(
        "crf", "crf_date", "mmf_start_date", "last_followup_date"
    ):
        crf = frame["crf"].astype("boolean")
        crf_day = frame["crf_date"]
        before = crf.fillna(False) & (crf_day < start)
        after = crf.fillna(False) & (crf_day >= start)
        days = pd.Series(np.nan, index=frame.index)
        days[after] = _days(crf_day, start)[after]
        censored = has_mmf & (crf == False)  # noqa: E712 (nullable boolean)
        days[censored.fillna(False)] = _days(last, start)[censored.fillna(False)]
        known = has_mmf & ~before & days.notna()
        observed = pd.Series(pd.NA, index=frame.index, dtype="boolean")
        observed[known] = after[known]
        inputs = ("crf", "crf_date", "mmf_start_date", "last_followup_date")
        computed("days_to_crf", inputs, days.where(known))
        frame["crf_observed"] = observed
        given.add("crf_observed")
    return frame, notes
