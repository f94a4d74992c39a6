"""Checks of an analysis dataset that comes from a file rather than from the derivation.

An analysis-dataset CSV (``import-table`` output, an export, or a file a
colleague edited by hand) and a legacy sheet are checked like a bundle: every
cell against its variable (codes, dates, whole numbers, plausible ranges from
:mod:`nephrocohort.cohort.analysis`), then the order of each patient's
dates with the bundle validator's rules and sentences
(:data:`nephrocohort.messages.CATALOGUE`). Every problem is collected;
the caller raises one :class:`~nephrocohort.exceptions.CohortValidationError`.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from nephrocohort.cohort.analysis import Variable, analysis_variable
from nephrocohort.cohort.problems import Problem, RowList, make_problem
from nephrocohort.messages import Message

__all__ = ["BOOLEAN_WORDS", "DATE_ORDER_RULES", "analysis_cell_problems", "date_order_problems"]

#: (earlier, later): the later date may not be before the earlier one. The first and
#: third are the bundle's own rules (patients onset/last follow-up, a drug course's
#: start/end); the others follow from what the dates mean.
DATE_ORDER_RULES: tuple[tuple[str, str], ...] = (
    ("onset_date", "last_followup_date"),
    ("onset_date", "mmf_start_date"),
    ("mmf_start_date", "mmf_stop_date"),
    ("mmf_start_date", "last_followup_date"),
    ("onset_date", "crf_date"),
)
_COURSES = {("mmf_start_date", "mmf_stop_date")}


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BOOLEAN_WORDS = {"true": True, "false": False, "1": True, "0": False}


def _cell_problem(variable: Variable, text: str, *, as_of: dt.date) -> tuple[str, dict] | None:
    """``(code, params)`` of the catalogue for a cell that is not valid, else None."""
    kind = variable.kind
    if kind == "date":
        if not _ISO_DATE.match(text):
            return "bad_date", {"example": "2016-03-01", "hint": _DATE_HINT}
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            return "bad_date", {"example": "2016-03-01", "hint": _DATE_HINT}
        if date > as_of:
            return "future_date", {"as_of": as_of.isoformat()}
        return None
    if kind == "category":
        if text not in variable.codes:
            matches = [code for code in variable.codes if code.casefold() == text.casefold()]
            hint = f"Did you mean '{matches[0]}'? Codes are case-sensitive." if matches else ""
            return "unknown_code", {"allowed": ", ".join(variable.codes), "hint": hint}
        return None
    if kind == "boolean":
        if text.strip().casefold() not in BOOLEAN_WORDS:
            return "unknown_code", {"allowed": "true, false", "hint": ""}
        return None
    if kind in ("integer", "number"):
        expected = _expected(variable)
        if not _NUMBER.match(text.strip()):
            return "not_a_number", {"expected": expected, "hint": ""}
        value = float(text)
        if kind == "integer" and not value.is_integer():
            return "not_a_number", {"expected": expected, "hint": "Counts are whole numbers."}
        low, high = variable.minimum, variable.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            unit = variable.unit or ""
            return "implausible", {
                "subject": f"'{variable.name}'",
                "unit": unit,
                "low": low if low is not None else float("-inf"),
                "high": high if high is not None else float("inf"),
                "range_unit": unit,
                "hint": Message("slip.check"),
            }
    return None


_DATE_HINT = "Write dates as year-month-day with four-digit years; check that the day exists."


def _expected(variable: Variable) -> str:
    whole = "a whole number" if variable.kind == "integer" else "a number"
    unit = f" in {variable.unit}" if variable.unit else ""
    if variable.minimum is not None and variable.maximum is not None:
        return f"{whole}{unit} from {variable.minimum:g} to {variable.maximum:g}"
    return f"{whole}{unit}"


def analysis_cell_problems(
    frame: pd.DataFrame, *, where: str, table: str, as_of: dt.date
) -> list[Problem]:
    """Every cell of an analysis dataset read as text (NA = empty) that its variable rejects.

    ``frame`` is indexed by the row number the user sees (header = row 1).
    Also reports an empty or repeated ``patient_id``.
    """
    problems: list[Problem] = []
    for column in frame.columns:
        variable = analysis_variable(column)
        if variable is None or variable.kind in ("id", "text", "free_text"):
            continue
        values = frame[column]
        present = values[values.notna()].astype(str)
        verdicts = {text: _cell_problem(variable, text, as_of=as_of) for text in present.unique()}
        for row, text in present.items():
            verdict = verdicts[text]
            if verdict is None:
                continue
            code, params = verdict
            problems.append(
                make_problem(
                    code, table=table, row=row, column=column, value=text, source=where, **params
                )
            )
    problems.extend(_id_problems(frame, where=where, table=table))
    return problems


def _id_problems(frame: pd.DataFrame, *, where: str, table: str) -> list[Problem]:
    ids = frame["patient_id"]
    problems = [
        make_problem(
            "missing_value",
            table=table,
            row=row,
            column="patient_id",
            source=where,
            description="the pseudonymous patient identifier, one row per patient",
        )
        for row in ids.index[ids.isna()]
    ]
    repeated = ids[ids.notna() & ids.duplicated(keep=False)]
    for value, rows in repeated.groupby(repeated).groups.items():
        listed = RowList(int(row) for row in rows)
        for row in list(rows)[1:]:
            problems.append(
                make_problem(
                    "duplicate_patient",
                    table=table,
                    row=row,
                    column="patient_id",
                    value=value,
                    source=where,
                    rows=listed,
                )
            )
    return problems


def date_order_problems(
    dates: dict[str, pd.Series],
    *,
    where: str,
    table: str,
    columns: dict[str, str] | None = None,
) -> list[Problem]:
    """Dates out of order, with the bundle validator's ``end_before_start`` sentence.

    ``dates`` maps analysis variable names to date Series indexed by the row
    the user sees; ``columns`` gives the name the user sees for each variable
    (a legacy sheet's own header), default the variable name.
    """
    columns = columns or {}
    problems: list[Problem] = []
    for earlier, later in DATE_ORDER_RULES:
        if earlier not in dates or later not in dates:
            continue
        first = pd.to_datetime(dates[earlier], errors="coerce")
        second = pd.to_datetime(dates[later], errors="coerce")
        wrong = first.notna() & second.notna() & (second < first)
        for row in first.index[wrong.to_numpy(dtype=bool)]:
            hint = (
                Message("hint.course_dates")
                if (earlier, later) in _COURSES
                else Message("analysis.date_order", {"later": later, "earlier": earlier})
            )
            problems.append(
                make_problem(
                    "end_before_start",
                    table=table,
                    row=row,
                    column=columns.get(later, later),
                    value=second[row].date().isoformat(),
                    source=where,
                    start_column=columns.get(earlier, earlier),
                    start=first[row].date().isoformat(),
                    hint=hint,
                )
            )
    return problems
