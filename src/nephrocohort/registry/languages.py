"""Each user's language: stored on their profile, applied to every page once they log in.

A user who chose a language in the header's chooser (Django's ``set_language``,
wrapped here so the choice is also saved on their profile) gets it on every
page from their next login on, from any browser. Before login, and for a
user who never chose, Django's ``LocaleMiddleware`` decides (the language
cookie, else the browser's Accept-Language). The cookie is set to the
profile's language too, so the login page after a logout stays in it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

__all__ = ["UserLanguageMiddleware", "preferred_language", "set_language"]


def preferred_language(user) -> str:
    """The language saved on the user's profile ("" when they never chose one)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    profile = getattr(user, "registry_profile", None)
    return getattr(profile, "language", "") or ""


class UserLanguageMiddleware:
    """After AuthenticationMiddleware and LocaleMiddleware: the user's own language wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = preferred_language(getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language and request.COOKIES.get(cookie) != language:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


@require_POST
def set_language(request):
    """Django's set_language (cookie, redirect to ``next``), and the choice saved on the profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    profile = getattr(request.user, "registry_profile", None)
    if (
        profile is not None
        and language in dict(settings.LANGUAGES)
        and profile.language != language
    ):
        profile.language = language
        profile.save(update_fields=["language"])
    return response
