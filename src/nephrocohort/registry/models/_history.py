"""History rows keep the acting user's name, not only a link to their account.

django-simple-history links each saved version to the user who made it
(``history_user``, set to NULL if the account row is ever removed). The
audit trail must still say who did it, so every history row also stores the
user name as it was when the row was written (``history_username``); the
``pre_create_historical_record`` signal fills it in (issue 14).
"""

from __future__ import annotations

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

__all__ = ["HistoryUsername", "audited_history", "acting_username", "SYSTEM_USER"]

#: Shown as the actor of a version saved with no logged-in user (import scripts, migrations).
SYSTEM_USER = "(system)"


class HistoryUsername(models.Model):
    """Base of every history model: the acting user's name, kept with the row."""

    history_username = models.CharField(max_length=150, blank=True, default="", editable=False)

    class Meta:
        abstract = True


def audited_history(**options) -> HistoricalRecords:
    """``HistoricalRecords`` whose rows keep the acting user's name."""
    return HistoricalRecords(bases=[HistoryUsername], **options)


@receiver(pre_create_historical_record)
def _keep_username(sender, history_instance, history_user=None, **kwargs):
    if history_user is not None and hasattr(history_instance, "history_username"):
        history_instance.history_username = history_user.get_username()


def acting_username(historical, *, unknown: str = SYSTEM_USER) -> str:
    """Who saved this version: the account's name, else the name kept with the row."""
    user = historical.history_user
    if user is not None:
        return user.get_username()
    return getattr(historical, "history_username", "") or unknown
