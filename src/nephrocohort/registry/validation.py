"""Checks of one row entered in a form, by the bundle loader's own code.

The row (with its patient's row, for checks such as "before the birth date")
is written as a tiny bundle and validated by
``nephrocohort.cohort.validate_bundle``, so a form accepts exactly what a
bundle file would, and says so in the same sentences (without the file and
row number, which mean nothing in a form).

Two kinds of finding: an *error* (the row cannot be stored: a missing value,
an unknown code, a unit the test does not have, a date before birth) and a
*warning* (a value outside the plausible range, which is an error in a file
but in a form may be confirmed by the user who checked it). A negative
measurement is always an error.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nephrocohort.cohort import validate_bundle
from nephrocohort.cohort.contract import TABLES

__all__ = ["RowFindings", "check_row"]

_WHERE = re.compile(r"^\S+ row \d+: ")
_CONFIRMABLE = frozenset({"implausible"})


@dataclass
class RowFindings:
    """Errors by column (cannot be saved) and warnings (can be confirmed)."""

    errors: dict[str | None, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _write(folder: Path, table: str, row: dict) -> None:
    columns = [name for name in TABLES[table].column_names if name in row]
    frame = pd.DataFrame([{name: _as_text(row[name]) for name in columns}], columns=columns)
    frame.to_csv(folder / f"{table}.csv", index=False)


def _sentence(problem) -> str:
    return f"{_WHERE.sub('', problem.message)} {problem.hint}".strip()


def check_row(table: str, row: dict, *, patient_row: dict | None = None, as_of=None) -> RowFindings:
    """Check one row of ``table`` (column -> value as entered in the form).

    For a child table, ``patient_row`` is the patient's own row (at least
    ``patient_id``, ``sex`` and ``birth_date``); problems of that row are not
    this form's and are left out.
    """
    findings = RowFindings()
    with tempfile.TemporaryDirectory(prefix="nephrocohort-row-") as name:
        folder = Path(name)
        if table == "patients":
            _write(folder, "patients", row)
        else:
            _write(folder, "patients", patient_row or {})
            _write(folder, table, {"patient_id": (patient_row or {}).get("patient_id"), **row})
        problems = validate_bundle(folder, as_of=as_of)
    for problem in problems:
        if problem.table != table:
            continue
        sentence = _sentence(problem)
        negative = (problem.value or "").lstrip().startswith("-")
        if problem.code in _CONFIRMABLE and not negative:
            findings.warnings.append(sentence)
        else:
            findings.errors.setdefault(problem.column, []).append(sentence)
    return findings
