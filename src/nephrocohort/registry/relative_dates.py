"""How a user is shown a patient's dates: as they are, or as ages and days since onset.

Roles that may export de-identified data only (investigators, monitors:
those without ``dates`` in ``ROLE_PERMISSIONS``; administrators, who may export
identifiable data, and data entry, who type the dates in, have it) must not
see calendar dates on screen either, or the de-identified export would
protect nothing. Dates of birth, onset, records and follow-up are a
patient's identifiers (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C): "All
elements of dates (except year) for dates directly related to an individual,
including birth date, admission date, discharge date, date of death");
intervals are not, so a de-identified role sees "day 267" (days since the
first nephrotic episode, ``onset_date``) and ages in years. With no onset
date nothing can be said relative to it and the date is withheld.

Times the registry itself stamps (when an audit row was saved) are not
clinical dates and are shown as they are: a monitor needs them to check who
changed what when.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _

from nephrocohort.clinical.anthropometry import DAYS_PER_YEAR
from nephrocohort.registry.dates import format_date

__all__ = ["DateShown", "date_shown_for", "sees_identifiable_dates"]

# An ISO calendar date inside generated text (derived-value evidence, audit values).
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def sees_identifiable_dates(user) -> bool:
    """Whether ``user`` is shown calendar dates (``dates`` in the role's ``ROLE_PERMISSIONS``).

    The one policy hook for dates on screen.
    """
    from nephrocohort.registry.models import user_can

    return user_can(user, "dates")


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@dataclass(frozen=True)
class DateShown:
    """One patient's dates as one user may see them.

    ``identifiable`` False: every date becomes days since ``onset`` and the
    birth date an age at onset.
    """

    identifiable: bool
    onset: dt.date | None = None
    birth: dt.date | None = None

    @property
    def cache_key(self) -> str:
        """Part of a cache key: renderings for the two kinds of user never mix."""
        return "dates" if self.identifiable else "relative"

    def days_since_onset(self, value) -> int | None:
        day = _as_date(value)
        if day is None or self.onset is None:
            return None
        return (day - self.onset).days

    def date(self, value) -> str:
        """A clinical date in the user's format, or ``day N`` since onset for a de-identified role."""
        day = _as_date(value)
        if day is None:
            return ""
        if self.identifiable:
            return format_date(day)  # as the user's language writes it (dd/mm/yyyy in es)
        days = self.days_since_onset(day)
        if days is None:
            return _("(date withheld)")
        return _("day %(days)d") % {"days": days}

    def age(self, value) -> str:
        """Age in years (one decimal) on a date, or "" without a birth date."""
        day = _as_date(value)
        if day is None or self.birth is None:
            return ""
        years = (day - self.birth).days / DAYS_PER_YEAR
        return _("%(years).1f years") % {"years": years}

    def birth_date(self) -> str:
        """The birth date, or for a de-identified role the age at onset."""
        if self.identifiable:
            return "" if self.birth is None else format_date(self.birth)
        age = self.age(self.onset)
        return _("age at onset %(age)s") % {"age": age} if age else _("(date withheld)")

    def text(self, value) -> str:
        """Generated text with every ISO date in it shown as :meth:`date` shows one."""
        text = "" if value is None else str(value)
        if self.identifiable:
            return text
        return _ISO_DATE.sub(lambda match: self.date(match.group(0)), text)


def date_shown_for(user, patient) -> DateShown:
    """How ``user`` sees the dates of ``patient`` (a registry Patient or a patients row)."""
    return DateShown(
        identifiable=sees_identifiable_dates(user),
        onset=_as_date(getattr(patient, "onset_date", None)),
        birth=_as_date(getattr(patient, "birth_date", None)),
    )
