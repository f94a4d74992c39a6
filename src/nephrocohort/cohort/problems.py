"""Validation findings as values: a code, a place, the value and the params, no sentence.

A ``Problem`` says *what* is wrong (``code``), *where* (``source``: the file
or sheet the user has; ``table``; ``row`` as the user counts it, header =
row 1; ``column``), the ``value`` found, the ``params`` of its sentence and
its ``severity``. The sentence is written only when it is shown, from the
code's template in :data:`nephrocohort.messages.CATALOGUE`; programs and
tests use the fields, never the words. :func:`make_problem` is the one way
to build one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from nephrocohort.messages import CATALOGUE, render

__all__ = [
    "Problem",
    "Origin",
    "RowList",
    "make_problem",
    "CATALOGUE",
    "ERROR",
    "WARNING",
]

ERROR = "error"
WARNING = "warning"


class Origin(NamedTuple):
    """Where a converted row came from: the user's file (or resource) and its row there."""

    source: str
    row: int | None = None


class RowList(tuple):
    """Row numbers cited by a problem (``None`` for a row without ``source_row``); shown "3, 10"."""

    def __str__(self) -> str:
        known = sorted(row for row in self if row is not None)
        text = ", ".join(str(row) for row in known)
        unknown = len(self) - len(known)
        if unknown:
            text = f"{text} and {unknown} without source_row" if text else "without source_row"
        return text

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731


@dataclass(frozen=True)
class Problem:
    """One finding. ``row`` is None for a problem of a whole table or file."""

    code: str
    source: str | None = None
    table: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: Mapping = field(default_factory=dict, compare=False, repr=False)
    severity: str = ERROR

    @property
    def message(self) -> str:
        """The sentence, with its place (rendered now, from the catalogue)."""
        return self.sentence(located=True)

    @property
    def hint(self) -> str:
        """What to do about it (rendered now, from the catalogue)."""
        return self._rendered()[1]

    @property
    def at_row(self) -> bool:
        """The sentence is about one row and is shown after its place ("x.csv row 3: ...")."""
        return CATALOGUE[self.code].at_row

    def _rendered(self) -> tuple[str, str]:
        return render(self.code, self._values())

    def sentence(self, *, located: bool = True) -> str:
        """The sentence; ``located=False`` leaves out the file and row (a form has neither)."""
        text = self._rendered()[0]
        if not self.at_row:
            return text
        if not located:
            return text
        return f"{self.location()}: {text}"

    def location(self, *, rows: str | None = None) -> str:
        """ "patients.csv row 3", "records.csv row 7 (visits)", "Table 'labs', a row without ...".

        ``rows`` replaces the row by a list of rows ("3-5, 9"), for a group of problems.
        The table is named when the source does not (a REDCap export, a FHIR resource).
        """
        place = self.source or self.table or "bundle"
        foreign = self.table is not None and self.table not in place
        if rows is not None:
            place = render("location.at_rows", {"place": place, "rows": rows})[0]
        elif self.row is not None:
            place = render("location.at_row", {"place": place, "row": self.row})[0]
        elif not foreign:
            return render("location.no_row", {"where": place})[0]
        return f"{place} ({self.table})" if foreign else place

    def _values(self) -> dict:
        return {
            "where": self.source or self.table or "bundle",
            "source": self.source,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "hint": "",
            **self.params,
        }

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def to_dict(self) -> dict:
        """The problem as plain JSON-ready data (the sentence rendered for reading)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "source": self.source,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
            "params": {key: _json_safe(value) for key, value in self.params.items()},
        }


def _json_safe(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, RowList):
        return [row for row in value]
    return str(value)


def make_problem(
    code: str,
    *,
    source: str | None = None,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value=None,
    severity: str = ERROR,
    **params,
) -> Problem:
    """The one way to build a ``Problem``; ``params`` fill the template of ``code``."""
    if code not in CATALOGUE:
        raise KeyError(f"no message template for problem code {code!r}")
    if severity not in (ERROR, WARNING):
        raise ValueError(f"severity must be {ERROR!r} or {WARNING!r}, not {severity!r}")
    return Problem(
        code=code,
        source=source,
        table=table,
        row=None if row is None else int(row),
        column=column,
        value=None if value is None else str(value),
        params=dict(params),
        severity=severity,
    )
