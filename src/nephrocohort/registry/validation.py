"""Checks of one row entered in a form, by the bundle loader's own code.

The row (with its patient's row, for checks such as "before the birth date")
is validated in memory by ``nephrocohort.cohort.validate_tables``, with the
same checks as a bundle file, so a form accepts exactly what a bundle file would, and says so in the same sentences (without the file and
row number, which mean nothing in a form).

Two kinds of finding: an *error* (the row cannot be stored: a missing value,
an unknown code, a unit the test does not have, a date before birth) and a
*warning* (a value outside the plausible range, which is an error in a file
but in a form may be confirmed by the user who checked it). A negative
measurement is always an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from nephrocohort.cohort import validate_tables
from nephrocohort.cohort.contract import TABLES
from nephrocohort.cohort.problems import WARNING

__all__ = ["RowFindings", "check_row", "check_patient_edit", "CONFIRMED_COLUMN"]

_CONFIRMABLE = frozenset({"implausible"})
# Extra column naming the columns whose implausible values a user confirmed (";"-separated).
CONFIRMED_COLUMN = "confirmed_implausible"
CHILD_TABLES = ("biopsies", "genetics", "visits", "labs", "medications", "events")


@dataclass
class RowFindings:
    """Errors by column (cannot be saved) and warnings (can be confirmed)."""

    errors: dict[str | None, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # The columns the warnings are about, in the order first flagged.
    warning_columns: list[str] = field(default_factory=list)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _frame(table: str, row: dict) -> pd.DataFrame:
    columns = [name for name in TABLES[table].column_names if name in row]
    return pd.DataFrame([{name: _as_text(row[name]) for name in columns}], columns=columns)


def _sentence(problem) -> str:
    """The problem as a form shows it: without the file and row, which mean nothing there."""
    return f"{problem.sentence(located=False)} {problem.hint}".strip()


def check_row(table: str, row: dict, *, patient_row: dict | None = None, as_of=None) -> RowFindings:
    """Check one row of ``table`` (column -> value as entered in the form).

    For a child table, ``patient_row`` is the patient's own row (at least
    ``patient_id``, ``sex`` and ``birth_date``); problems of that row are not
    this form's and are left out.
    """
    findings = RowFindings()
    if table == "patients":
        tables = {"patients": _frame("patients", row)}
    else:
        patient = patient_row or {}
        tables = {
            "patients": _frame("patients", patient),
            table: _frame(table, {"patient_id": patient.get("patient_id"), **row}),
        }
    problems = validate_tables(tables, as_of=as_of, source="form")
    if table == "visits":
        _check_pressure_pair(row, findings)
    for problem in problems:
        # Warnings (a date after death or the last follow-up) are the data-quality page's.
        if problem.table != table or problem.severity == WARNING:
            continue
        sentence = _sentence(problem)
        negative = (problem.value or "").lstrip().startswith("-")
        if problem.code in _CONFIRMABLE and not negative:
            findings.warnings.append(sentence)
            if problem.column and problem.column not in findings.warning_columns:
                findings.warning_columns.append(problem.column)
        else:
            findings.errors.setdefault(problem.column, []).append(sentence)
    return findings


def _check_pressure_pair(row: dict, findings: RowFindings) -> None:
    """A systolic pressure at or below the diastolic is a swapped or mistyped pair (confirmable)."""
    from nephrocohort.messages import render

    try:
        sbp, dbp = float(row.get("sbp_mmhg")), float(row.get("dbp_mmhg"))
    except (TypeError, ValueError):
        return
    if sbp <= dbp:
        text, hint = render(
            "registry.bp_systolic_not_above_diastolic", {"sbp": f"{sbp:g}", "dbp": f"{dbp:g}"}
        )
        findings.warnings.append(f"{text} {hint}")
        findings.warning_columns.append("sbp_mmhg")


def _patient_problems(tables: dict[str, pd.DataFrame], *, as_of=None) -> list:
    contract = {
        table: frame[[column for column in TABLES[table].column_names if column in frame.columns]]
        for table, frame in tables.items()
    }
    return validate_tables(contract, as_of=as_of, source="registry")


def check_patient_edit(patient, row: dict, *, as_of=None) -> list[str]:
    """Errors that editing ``patient``'s own row to ``row`` would make in its records.

    The whole patient (its row and every live record) is validated by the
    bundle loader as stored and as edited; the hard errors that only the
    edited version has (a birth date moved after a visit, a death date before
    an event) are returned. Problems the records already had are not this
    edit's; plausibility warnings of records were confirmed when they were saved.
    """
    from nephrocohort.registry.conversion import raw_tables
    from nephrocohort.registry.models import Patient

    stored = raw_tables(Patient.objects.filter(pk=patient.pk))
    edited = dict(stored)
    patients = stored["patients"].copy()
    for column, value in row.items():
        if column in patients.columns:
            patients[column] = [value]
    edited["patients"] = patients
    # The ID may change in the same edit: the records follow their patient.
    new_id = row.get("patient_id", patient.patient_id)
    for table in CHILD_TABLES:
        edited[table] = stored[table].assign(patient_id=new_id)

    def key(problem):
        return (problem.table, problem.row, problem.code, problem.column)

    before = {key(problem) for problem in _patient_problems(stored, as_of=as_of)}
    return [
        _sentence(problem)
        for problem in _patient_problems(edited, as_of=as_of)
        if problem.table != "patients"
        and problem.severity != WARNING
        and problem.code not in _CONFIRMABLE
        and key(problem) not in before
    ]
