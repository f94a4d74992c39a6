"""The NephroCohort web registry (a Django project and app).

Importing this package does not configure Django: ``configure`` does (as
``nephrocohort serve`` and ``manage.py`` do), after which the models,
views and ``conversion.cohort_from_db`` can be used. Models mirror the cohort
data contract; ``Patient.objects.visible_to(user)`` scopes all access.
"""

from nephrocohort.registry.server import (
    DemoLogin,
    RegistryError,
    configure,
    create_user,
    deactivate_user,
    prepare,
    read_password,
    restore_patient,
    serve,
    set_role,
)

__all__ = [
    "DemoLogin",
    "RegistryError",
    "configure",
    "create_user",
    "deactivate_user",
    "prepare",
    "read_password",
    "restore_patient",
    "serve",
    "set_role",
]
