"""Template filters that show a clinical date as the user may see it (``relative_dates``)."""

from __future__ import annotations

from django import template

from nephrocohort.registry.dates import format_date
from nephrocohort.registry.labels import LABELS_BY_KIND
from nephrocohort.registry.latest import shown_number

register = template.Library()


@register.filter
def shown_date(value, dates):
    """``{{ row.date|shown_date:dates }}``: ``YYYY-MM-DD``, or ``day N`` since onset."""
    return dates.date(value)


@register.filter
def shown_age(value, dates):
    """``{{ row.date|shown_age:dates }}``: the patient's age on that date ("" without a birth date)."""
    return dates.age(value)


@register.filter
def shown_text(value, dates):
    """Generated text with its ISO dates shown as ``shown_date`` shows them."""
    return dates.text(value)


@register.filter
def local_date(value) -> str:
    """``{{ value|local_date }}``: a date in the user's format (dd/mm/yyyy in es and pt-BR)."""
    return format_date(value)


@register.filter
def localize_number(value) -> str:
    """``{{ number|localize_number }}``: the locale's decimal sign (``16,5`` in es and pt-BR)."""
    return "" if value is None else shown_number(value)


@register.filter
def label(code, kind: str) -> str:
    """``{{ code|label:"drug" }}``: the human label of a stored code (the code without one)."""
    if code in (None, ""):
        return ""
    return str(LABELS_BY_KIND[kind].get(code, code))
