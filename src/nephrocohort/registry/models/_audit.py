"""The audit's tamper evidence, and the log of logins and downloads.

Every history row (django-simple-history) and every ``AccessEvent`` gets one
``AuditSeal``: the SHA-256 of the row's canonical form, chained to the seal
before it. ``AuditChainHead`` is the single row writers lock to append, so
two concurrent writers cannot both chain onto the same predecessor.
"""

from __future__ import annotations

from django.db import models

__all__ = ["AuditSeal", "AuditChainHead", "AccessEvent", "GENESIS_HASH"]

# The "previous hash" of the first seal of a database.
GENESIS_HASH = "0" * 64


class AuditSeal(models.Model):
    """One audit row's hash, chained to the previous seal (``seq`` gives the order)."""

    seq = models.BigAutoField(primary_key=True)
    table = models.CharField(max_length=100)
    row_id = models.BigIntegerField()
    # The columns hashed, as they were when sealed: a column added later does not break old seals.
    fields = models.TextField()
    row_hash = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["table", "row_id"], name="one_seal_per_audit_row")
        ]

    def __str__(self) -> str:
        return f"seal {self.seq}: {self.table} #{self.row_id}"


class AuditChainHead(models.Model):
    """The end of the chain: locked (by an UPDATE) by every writer that appends a seal."""

    length = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)


class AccessEvent(models.Model):
    """A login, a failed login, or a download of data: who, when, what, identifiable or not.

    ``username`` is kept as text so the entry still names the person if the
    account goes; ``what`` names database ids and formats, never patient values.
    """

    class Action(models.TextChoices):
        LOGIN = "login", "login"
        LOGIN_FAILED = "login_failed", "failed login"
        LOGOUT = "logout", "logout"
        EXPORT = "export", "data export"
        REPORT_DOWNLOAD = "report_download", "report download"
        AUDIT_DOWNLOAD = "audit_download", "audit download"
        ACCESS_LOG_DOWNLOAD = "access_log_download", "access log download"
        SECOND_FACTOR = "login_second_factor", "two-factor code accepted"
        SECOND_FACTOR_FAILED = "login_second_factor_failed", "two-factor code refused"
        SECOND_FACTOR_SET_UP = "second_factor_set_up", "two-factor login set up"
        SECOND_FACTOR_RESET = "second_factor_reset", "two-factor login reset"
        PASSWORD_CHANGED = "password_changed", "password changed"
        RECORD_LOCKED = "record_locked", "record signed and locked"
        RECORD_UNLOCKED = "record_unlocked", "record unlocked (signature voided)"
        SIGNATURE_REFUSED = "signature_refused", "signature refused (wrong password or code)"
        CONSENT_OVERRIDE = "consent_override", "withdrawn consent included (override)"

    when = models.DateTimeField(db_index=True)
    username = models.CharField(max_length=150)
    user_id_at_event = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    what = models.CharField(max_length=300, blank=True, default="")
    identifiable = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"
