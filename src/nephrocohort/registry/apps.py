"""The registry's Django application."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "nephrocohort.registry"
    label = "registry"
    verbose_name = "NephroCohort registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Audit rows are sealed into the hash chain as they are written; logins are logged.
        from nephrocohort.registry import access_log, audit_chain_signals

        audit_chain_signals.connect()
        access_log.connect()
