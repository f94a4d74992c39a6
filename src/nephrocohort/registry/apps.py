"""The registry's Django application."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "nephrocohort.registry"
    label = "registry"
    verbose_name = "NephroCohort registry"
    default_auto_field = "django.db.models.BigAutoField"
