"""Read one sheet cell as a typed value, or say exactly why it cannot be read.

Used by the legacy-sheet importer. Each reader returns ``(value, None)`` or
``(None, reason)``; the caller adds file, row and column to the reason.
"""

from __future__ import annotations

import datetime as dt
import re

from nephrocohort.messages import Message

__all__ = [
    "MISSING_WORDS",
    "is_missing",
    "read_number",
    "read_date",
    "read_boolean",
    "detect_date_format",
    "looks_like_decimal_comma",
]

#: Cells that mean "not recorded" (documented in docs/interop.md).
MISSING_WORDS = frozenset({"", "na", "n/a", "nd", "n/d", "s/d", "sd", "sin dato", "-", "--", "."})
_TRUE = frozenset({"yes", "y", "si", "sí", "s", "true", "verdadero", "1", "x"})
_FALSE = frozenset({"no", "n", "false", "falso", "0"})
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_NUMERIC = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")


# Reasons are messages of the catalogue ("values.*"): each completes a sentence that the
# caller starts with the file, row, column and value.
_BY_MAPPING = Message("values.stated_by_mapping")


def _reason(code: str, **params) -> Message:
    return Message(f"values.{code}", params)


def is_missing(text: str) -> bool:
    return text.strip().casefold() in MISSING_WORDS


def looks_like_decimal_comma(text: str) -> bool | None:
    """True for ``1,5``; None for ``1,250`` (thousands or decimals?); False otherwise."""
    match = re.fullmatch(r"[+-]?\d+,(\d+)", text.strip())
    if not match:
        return False
    return None if len(match.group(1)) == 3 else True


def read_number(text: str, *, decimal: str | None) -> tuple[float | None, Message | None, bool]:
    """``(value, reason, used_decimal_comma)`` for a cell meant to hold a number."""
    cleaned = text.strip().replace(" ", "")
    if not _NUMERIC.match(cleaned):
        return None, _reason("not_a_number"), False
    if "," in cleaned:
        if decimal == ".":
            return None, _reason("comma_but_point_stated", stated=_BY_MAPPING), False
        if decimal is None and looks_like_decimal_comma(cleaned) is None:
            return None, _reason("thousands_or_decimal"), False
        return float(cleaned.replace(",", ".")), None, True
    if "." in cleaned and decimal == ",":
        return None, _reason("point_but_comma_stated", stated=_BY_MAPPING), False
    return float(cleaned), None, False


def read_date(text: str, *, date_format: str | None) -> tuple[dt.date | None, Message | None]:
    """A date written YYYY-MM-DD, or in the stated ``date_format``; never guessed."""
    cleaned = text.strip()
    iso = _ISO.match(cleaned)
    if iso:
        try:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))), None
        except ValueError:
            return None, _reason("not_a_real_date")
    if date_format is None:
        return None, _reason("no_date_format")
    try:
        return dt.datetime.strptime(cleaned, date_format).date(), None
    except ValueError:
        return None, _reason("not_in_date_format", date_format=date_format)


def read_boolean(text: str) -> bool | None:
    word = text.strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def detect_date_format(values) -> tuple[str | None, str]:
    """The day/month order of non-ISO dates, only when the values prove it.

    Returns ``(format, explanation)``. A first number above 12 proves
    day-first; a second number above 12 proves month-first; both at once, or
    neither, leaves the format undecided (``None``) with the reason.
    """
    day_first = month_first = False
    separator = year_digits = None
    example = None
    seen = 0
    for value in values:
        match = _DMY.match(str(value).strip())
        if not match:
            continue
        seen += 1
        first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
        separator = separator or re.search(r"[/.-]", str(value).strip()).group(0)
        year_digits = year_digits or len(year)
        if first > 12 and not day_first:
            day_first, example = True, str(value).strip()
        if second > 12 and not month_first:
            month_first = True
            example = example or str(value).strip()
    if not seen:
        return None, "no dates written as day/month/year or month/day/year"
    year_code = "%Y" if year_digits == 4 else "%y"
    if day_first and month_first:
        return None, "some dates are day-first and others month-first"
    if day_first:
        return f"%d{separator}%m{separator}{year_code}", f"day first: {example} has a day above 12"
    if month_first:
        return (
            f"%m{separator}%d{separator}{year_code}",
            f"month first: {example} has a day above 12 in second place",
        )
    return None, "every day and month is 12 or less, so the order cannot be told from the values"
