"""Which form submissions have been stored, so that a form sent twice is stored once."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["FormSubmission"]


class FormSubmission(models.Model):
    """The one-time token of a form that was saved (inserted in the same transaction)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
