"""Template filters that show a clinical date as the user may see it (``relative_dates``)."""

from __future__ import annotations

from django import template

from nephrocohort.registry.dates import format_date

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
