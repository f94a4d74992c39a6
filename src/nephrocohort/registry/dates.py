"""Dates as the user writes them: dd/mm/yyyy in Spanish and Portuguese, ISO in English.

Stored and exported dates stay ISO (``date`` objects); only the page shows and
reads the user's format. A plain text input is used, not the browser's date
input, which follows the browser's own locale (mm/dd/yyyy in many installs) and
not the registry's language. ISO is accepted in every language, so a pasted
``2016-03-01`` still works.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nephrocohort.i18n import active_language

__all__ = [
    "DATE_FORMATS",
    "date_format",
    "date_pattern",
    "format_date",
    "parse_date",
    "DateInput",
    "DateField",
]

ISO = "%Y-%m-%d"

#: How each language writes a date (strftime pattern).
DATE_FORMATS = {"en": ISO, "es": "%d/%m/%Y", "pt-BR": "%d/%m/%Y"}

# What the user is shown as the pattern, in the words of the language ("aaaa": año / ano).
_PATTERNS = {"%d/%m/%Y": _("dd/mm/yyyy"), ISO: _("yyyy-mm-dd")}


def date_format() -> str:
    """The strftime pattern of the active language."""
    return DATE_FORMATS.get(active_language(), ISO)


def date_pattern() -> str:
    """How the active language's dates are written, for the user ("dd/mm/aaaa" in es)."""
    return str(_PATTERNS[date_format()])


def format_date(value) -> str:
    """``value`` (a date, or None) written in the active language's format."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return value.strftime(date_format())


def parse_date(text: str) -> dt.date:
    """The date ``text`` names, in the active language's format or ISO.

    Raises ``ValidationError`` (code ``invalid_date``) saying how to write it.
    """
    text = (text or "").strip()
    pattern = date_format()
    for candidate in dict.fromkeys((pattern, ISO)):
        try:
            parsed = dt.datetime.strptime(text, candidate).date()
        except ValueError:
            continue
        if parsed.year >= 1000:  # strptime takes "1/3/16" as year 16
            return parsed
    example = dt.date(2016, 3, 1).strftime(pattern)
    raise ValidationError(
        _(
            "'%(value)s' is not a date; write it as %(pattern)s (day, month, year), e.g. %(example)s."
        )
        if pattern != ISO
        else _("'%(value)s' is not a date; write it as %(pattern)s, e.g. %(example)s."),
        code="invalid_date",
        params={"value": text[:40], "pattern": _PATTERNS[pattern], "example": example},
    )


class DateInput(forms.TextInput):
    """A text box showing the date in the user's format, with the pattern as placeholder."""

    def __init__(self, attrs=None):
        super().__init__({"size": 10, "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        return format_date(value) or None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_pattern())
        return context


class DateField(forms.DateField):
    """A date typed in the user's format (or ISO); the cleaned value is a ``date``."""

    widget = DateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_date(str(value))
