"""Cache what is expensive to compute from a patient's records (derived values, timeline).

The key includes a stamp of the patient's data: the patient row's version and,
per record table, the number of rows and the latest change time (soft-deleted
rows included, so deleting a record changes the stamp too). Any save
therefore makes a new key; nothing stale can be served. The key also holds
the active language: a fragment rendered in Spanish is never served to a
Portuguese or English page. Django's default
cache (in-process memory) is used, so each server process has its own.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language

from nephrocohort.registry.models import CHILD_MODELS, Patient

__all__ = ["patient_stamp", "cached_for_patient", "rows_stamp"]

_TIMEOUT_SECONDS = 60 * 60


def patient_stamp(patient: Patient) -> str:
    """A string that changes whenever the patient or any of its records is saved."""
    parts = [f"{patient.pk}.{patient.version}.{patient.updated_at.timestamp()}"]
    for table, model in CHILD_MODELS.items():
        parts.append(f"{table}.{rows_stamp(model.all_objects.filter(patient=patient))}")
    return "|".join(parts)


def rows_stamp(rows) -> str:
    """Number of rows, latest change and highest version of a queryset (deleted rows included)."""
    summary = rows.aggregate(n=Count("id"), changed=Max("updated_at"), versions=Max("version"))
    changed = summary["changed"].timestamp() if summary["changed"] else 0
    return f"{summary['n']}.{changed}.{summary['versions']}"


def cached_for_patient(patient: Patient, what: str, compute):
    """``compute()`` for this patient's current data in the active language, cached."""
    key = f"nephrocohort:{what}:{get_language() or 'en'}:{patient_stamp(patient)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, _TIMEOUT_SECONDS)
    return value
