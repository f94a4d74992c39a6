"""The access log: logins, failed logins and every download of data, as ``AccessEvent`` rows.

Each row says who, when, what (database ids and formats, never a patient
value) and whether the data was identifiable; it is sealed into the audit
chain like any history row.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import timezone

__all__ = ["record_event", "connect"]

_USERNAME_LENGTH = 150


def _address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(request, action: str, *, what: str = "", identifiable: bool = False, user=None,
                 username: str | None = None):  # fmt: skip
    """Write one access event for the request's user (or ``user``/``username`` given)."""
    from nephrocohort.registry.models import AccessEvent

    user = user if user is not None else getattr(request, "user", None)
    known = user is not None and user.is_authenticated
    name = username if username is not None else (user.get_username() if known else "")
    return AccessEvent.objects.create(
        when=timezone.now(),
        username=name[:_USERNAME_LENGTH],
        user_id_at_event=user.pk if known else None,
        action=action,
        what=what[:300],
        identifiable=identifiable,
        ip_address=_address(request),
    )


def _logged_in(sender, request, user, **kwargs) -> None:
    record_event(request, "login", user=user)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(request, "logout", user=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The name tried is kept (it may be nobody's); the password never is.
    record_event(request, "login_failed", username=str(credentials.get("username", "")))


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="access_log_login")
    user_logged_out.connect(_logged_out, dispatch_uid="access_log_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="access_log_login_failed")
