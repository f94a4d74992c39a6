"""Two-factor login (TOTP, with one-time recovery codes) through django-otp.

Who must use it: administrators, staff, and every role that may export
identifiable data (``ROLE_PERMISSIONS``); for the others it is optional. A user
who has a confirmed device must enter a code after the password whatever the
role. ``TwoFactorMiddleware`` sends a logged-in but unverified user to the code
page (or, when it is mandatory and no device is set up, to the set-up page)
before any other page, the admin site included.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from nephrocohort.registry.models import user_can

__all__ = ["TwoFactorMiddleware", "two_factor_required", "make_recovery_codes", "reset_devices"]

RECOVERY_CODES = 10
# Pages an unverified user may still reach: the two-factor pages themselves, logout, the
# language chooser, static files.
_OPEN_NAMES = (
    "registry:login",
    "registry:logout",
    "registry:otp_verify",
    "registry:otp_setup",
    "registry:set_language",
)


def two_factor_required(user) -> bool:
    """Whether the user may not work without a second factor."""
    if not getattr(settings, "REGISTRY_TWO_FACTOR_REQUIRED", True):
        return False
    return bool(user.is_superuser or user.is_staff or user_can(user, "export_identifiable"))


def has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware: no page for an unverified user who needs a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            open_paths = {reverse(name) for name in _OPEN_NAMES}
            if request.path not in open_paths and not request.path.startswith("/static/"):
                if has_device(user):
                    return redirect(f"{reverse('registry:otp_verify')}?next={request.path}")
                if two_factor_required(user):
                    return redirect(reverse("registry:otp_setup"))
        return self.get_response(request)


def make_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def reset_devices(user) -> int:
    """Remove the user's authenticator and recovery codes (they set up a new one at next login)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = [TOTPDevice.objects.filter(user=user), StaticDevice.objects.filter(user=user)]
    count = sum(query.count() for query in devices)
    for query in devices:
        query.delete()
    return count
