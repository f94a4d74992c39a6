"""Small readers of FHIR datatypes shared by the importer's modules: dates and codings."""

from __future__ import annotations

__all__ = ["raw_date", "day", "precision", "codings", "label", "first_label"]


def raw_date(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def day(value) -> str | None:
    """The YYYY-MM-DD day of a FHIR date or dateTime, or None for none or a partial date."""
    text = raw_date(value)
    if text is None:
        return None
    return text[:10] if len(text) >= 10 else None


def precision(value) -> str | None:
    """``"year"`` or ``"year and month"`` for a FHIR partial date ("2014", "2014-03"), else None."""
    text = raw_date(value)
    if text is None or len(text) >= 10:
        return None
    return "year" if len(text) == 4 else "year and month"


def codings(concept) -> list:
    return list(getattr(concept, "coding", None) or []) if concept is not None else []


def label(coding) -> str:
    display = f" ({coding.display})" if getattr(coding, "display", None) else ""
    return f"{coding.system or 'no system'}|{coding.code}{display}"


def first_label(concept) -> str:
    """The first coding of a concept as "system|code (display)", or its text."""
    found = codings(concept)
    if found:
        return label(found[0])
    return getattr(concept, "text", None) or "without a code"
