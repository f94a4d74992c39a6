"""Seal each audit row into the hash chain in the transaction that writes it."""

from __future__ import annotations

from django.db.models.signals import post_save
from simple_history.signals import post_create_historical_m2m_records, post_create_historical_record

from nephrocohort.registry.audit_chain import seal_rows

__all__ = ["connect"]


def _in_registry(model) -> bool:
    return model._meta.app_label == "registry"


def _history_written(sender, history_instance, using=None, **kwargs) -> None:
    model = type(history_instance)
    if _in_registry(model):
        seal_rows(model, [history_instance.pk], using=using or history_instance._state.db)


def _m2m_history_written(sender, created_rows, **kwargs) -> None:
    if _in_registry(sender) and created_rows:
        seal_rows(sender, [row.pk for row in created_rows], using=created_rows[0]._state.db)


def _event_written(sender, instance, created, using=None, **kwargs) -> None:
    if created:
        seal_rows(sender, [instance.pk], using=using)


def connect() -> None:
    from nephrocohort.registry.models import AccessEvent

    post_create_historical_record.connect(_history_written, dispatch_uid="audit_chain_history")
    post_create_historical_m2m_records.connect(_m2m_history_written, dispatch_uid="audit_chain_m2m")
    post_save.connect(_event_written, sender=AccessEvent, dispatch_uid="audit_chain_event")
