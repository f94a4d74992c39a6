"""The NephroCohort web registry (a Django project and app).

Importing this package does not configure Django; ``nephrocohort serve``
(``nephrocohort.registry.server``) and ``manage.py`` do. Models mirror the
cohort data contract; ``Patient.objects.visible_to(user)`` scopes all access.
"""

__all__: list[str] = []
