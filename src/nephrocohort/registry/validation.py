"""Checks of one row entered in a form, by the rules of the cohort data contract.

The allowed codes, required columns, lab units and plausible ranges are read
from ``nephrocohort.cohort.contract`` and ``nephrocohort.cohort.vocabulary``
(the tables the bundle loader reads), and lab values are converted with
``nephrocohort.clinical.units``, so a form and a bundle accept the same rows.

Two kinds of finding: an *error* (the row cannot be stored: an unknown code,
a unit the test does not have, an impossible date order) and a *warning* (a
value outside the plausible range: likely a unit slip, but the user may
confirm it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nephrocohort.clinical.units import to_canonical
from nephrocohort.cohort import vocabulary
from nephrocohort.cohort.contract import TABLES
from nephrocohort.exceptions import NephroCohortError

__all__ = ["RowFindings", "check_row", "MESSAGES"]

# The sentences users read, keyed by a stable code (tests check the code and params).
MESSAGES = {
    "required": "{label} is required.",
    "unknown_code": "{value!r} is not an allowed {label}. Expected one of: {allowed}.",
    "unit_not_for_test": (
        "{unit!r} is not a unit for {test}. Accepted units: {allowed}. "
        "Convert the value or pick the unit it was measured in."
    ),
    "not_a_number": "{label} must be a number (got {value!r}). Use a point as decimal separator.",
    "not_a_grade": ("{value!r} is not a dipstick grade. Write one of: {allowed} (unit mg/dL)."),
    "negative": "{label} cannot be negative (got {value}).",
    "implausible": (
        "{label} is {value:g} {unit}; the plausible range is {low:g}-{high:g} {unit}.{slips} "
        "Tick 'I confirm these values' to save it anyway."
    ),
    "before_birth": "{label} ({value}) is before the birth date ({birth}).",
    "date_order": "{later_label} ({later}) is before {earlier_label} ({earlier}).",
}


@dataclass
class RowFindings:
    """Errors by field (cannot be saved) and warnings (can be confirmed)."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, column: str, code: str, **params) -> None:
        self.errors.setdefault(column, []).append(MESSAGES[code].format(**params))

    def warn(self, code: str, **params) -> None:
        self.warnings.append(MESSAGES[code].format(**params))


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _label(table: str, column: str) -> str:
    return column.replace("_", " ")


def check_row(table: str, row: dict, *, birth_date=None) -> RowFindings:
    """Check one row of ``table`` (column -> value as entered; dates as ``date``)."""
    spec = TABLES[table]
    findings = RowFindings()
    for column in spec.columns:
        if column.name == "patient_id" and table != "patients":
            continue
        if column.name not in row:
            continue
        value = row[column.name]
        label = _label(table, column.name)
        if _empty(value):
            if column.required:
                findings.error(column.name, "required", label=label)
            continue
        is_code = column.kind == "code" and column.codes and table != "labs"
        if is_code and str(value) not in column.codes:
            findings.error(
                column.name,
                "unknown_code",
                value=value,
                label=label,
                allowed=", ".join(column.codes),
            )
        if column.kind == "number":
            _check_number(findings, table, column.name, value)
        is_later_date = column.kind == "date" and birth_date and column.name != "birth_date"
        if is_later_date and value < birth_date:
            findings.error(column.name, "before_birth", label=label, value=value, birth=birth_date)
    if table == "labs":
        _check_lab(findings, row)
    _check_date_order(findings, table, row)
    return findings


def _check_number(findings: RowFindings, table: str, column: str, value) -> None:
    label = _label(table, column)
    number = float(value)
    if number < 0:
        findings.error(column, "negative", label=label, value=value)
        return
    plausible = vocabulary.COLUMN_RANGES.get((table, column))
    if plausible and not plausible.low <= number <= plausible.high:
        findings.warn(
            "implausible",
            label=label,
            value=number,
            unit=plausible.unit,
            low=plausible.low,
            high=plausible.high,
            slips=_slip_hints(plausible, number),
        )


def _slip_hints(plausible, number: float) -> str:
    hints = [
        slip.question
        for slip in plausible.slips
        if plausible.low <= number * slip.factor <= plausible.high
    ]
    return (" " + " ".join(hints)) if hints else ""


def _check_lab(findings: RowFindings, row: dict) -> None:
    test, value, unit = row.get("test"), row.get("value"), row.get("unit")
    if _empty(test) or _empty(value) or _empty(unit):
        return
    lab = vocabulary.LAB_TESTS.get(test)
    if lab is None:
        findings.error(
            "test",
            "unknown_code",
            value=test,
            label="test",
            allowed=", ".join(vocabulary.LAB_TESTS),
        )
        return
    if unit not in lab.units:
        findings.error(
            "unit", "unit_not_for_test", unit=unit, test=test, allowed=", ".join(lab.units)
        )
        return
    text = str(value).strip()
    if test == "dipstick_protein":
        if text not in vocabulary.DIPSTICK_GRADES:
            findings.error(
                "value", "not_a_grade", value=text, allowed=", ".join(vocabulary.DIPSTICK_GRADES)
            )
        return
    try:
        number = float(text)
    except ValueError:
        findings.error("value", "not_a_number", label="value", value=text)
        return
    if not math.isfinite(number):
        findings.error("value", "not_a_number", label="value", value=text)
        return
    if number < 0:
        findings.error("value", "negative", label="value", value=text)
        return
    plausible = lab.plausible
    if plausible is None:
        return
    try:
        canonical = float(to_canonical(test, number, unit))
    except NephroCohortError as error:
        findings.error("unit", "unit_not_for_test", unit=unit, test=test, allowed=str(error))
        return
    if not plausible.low <= canonical <= plausible.high:
        findings.warn(
            "implausible",
            label=test.replace("_", " "),
            value=canonical,
            unit=plausible.unit,
            low=plausible.low,
            high=plausible.high,
            slips=_slip_hints(plausible, canonical),
        )


# Pairs of dates that must not be in reverse order, per table.
_DATE_ORDER = {
    "patients": (
        ("birth_date", "onset_date"),
        ("onset_date", "last_followup_date"),
        ("birth_date", "death_date"),
        ("consent_date", "consent_withdrawn_date"),
    ),
    "medications": (("start_date", "end_date"),),
}


def _check_date_order(findings: RowFindings, table: str, row: dict) -> None:
    for earlier, later in _DATE_ORDER.get(table, ()):
        first, second = row.get(earlier), row.get(later)
        if first and second and second < first:
            findings.error(
                later,
                "date_order",
                later_label=_label(table, later),
                later=second,
                earlier_label=_label(table, earlier),
                earlier=first,
            )
