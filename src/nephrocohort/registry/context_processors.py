"""Template context: the user's role and what it allows, for showing or hiding buttons; the
language chooser's choices."""

from django.conf import settings

from nephrocohort.registry.models import ROLE_PERMISSIONS, profile_of


def role(request):
    profile = profile_of(getattr(request, "user", None))
    allowed = ROLE_PERMISSIONS.get(profile.role, frozenset()) if profile else frozenset()
    return {"registry_profile": profile, "can": {action: True for action in allowed}}


def languages(request):
    """The chooser's languages, each in its own name (settings.LANGUAGES, not translated: a
    reader of Portuguese looks for "English", not "Inglês", to switch back)."""
    return {"language_choices": settings.LANGUAGES}
