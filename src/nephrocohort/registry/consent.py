"""The registry's consent policy: which centers require assent, and who may override it.

The rule itself is ``nephrocohort.cohort.consent`` and is applied by the
pipeline (the report job and the export call it), so the registry, the
command line and notebooks leave out the same patients. Here: the centers'
settings as a ``ConsentPolicy``, and the administrator's explicit override,
which is written to the access log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.models import Center, user_can

__all__ = [
    "OVERRIDE_FIELD",
    "center_consent_policy",
    "centers_consent_stamp",
    "asked_to_include_withdrawn",
    "log_override",
]

OVERRIDE_FIELD = "include_withdrawn_consent"
_REFUSED = "Only administrators may include patients whose consent was withdrawn."


def center_consent_policy():
    """A ``ConsentPolicy`` of every center that requires assent, with its age threshold."""
    from nephrocohort.cohort.consent import ConsentPolicy

    ages = Center.objects.filter(assent_required=True).values_list("code", "assent_from_age_years")
    return ConsentPolicy({code: float(age) for code, age in ages})


def centers_consent_stamp() -> str:
    """Changes when any center's assent setting does (part of the report's data stamp)."""
    ages = Center.objects.filter(assent_required=True).order_by("code")
    return ",".join(
        f"{code}>={age}" for code, age in ages.values_list("code", "assent_from_age_years")
    )


def asked_to_include_withdrawn(request, data) -> bool:
    """Whether the request asks for the override (``data``: request.GET or POST); admins only."""
    asked = str(data.get(OVERRIDE_FIELD, "")).lower() in ("1", "on", "true", "yes")
    if asked and not user_can(request.user, "consent_override"):
        raise PermissionDenied(_REFUSED)
    return asked


def log_override(request, what: str) -> None:
    """One access event for an override: who included withdrawn consent, for what."""
    record_event(request, "consent_override", what=what, identifiable=False)
