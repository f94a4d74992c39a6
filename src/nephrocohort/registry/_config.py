"""Where the registry keeps its files, which database it uses and its secret key.

Read from the environment so that ``nephrocohort serve``, ``manage.py`` and the
tests configure the same settings module the same way:

- ``NEPHROCOHORT_DATA_DIR``: folder for the SQLite database, the secret key
  file and temporary uploads (default: ``./nephrocohort-data``);
- ``NEPHROCOHORT_DATABASE_URL``: ``postgresql://user:password@host:port/name``
  to use PostgreSQL instead of SQLite;
- ``NEPHROCOHORT_SECRET_KEY``: the secret key; without it one is generated
  once into ``<data dir>/secret_key`` with owner-only permissions (0600).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from nephrocohort.exceptions import NephroCohortError

__all__ = ["data_dir", "database_settings", "secret_key", "RegistryConfigurationError"]

_SECRET_FILE_NAME = "secret_key"


class RegistryConfigurationError(NephroCohortError):
    """The registry's environment (data folder, database URL, secret key) is unusable."""


def data_dir() -> Path:
    """The registry's data folder, created with owner-only permissions if missing."""
    path = Path(os.environ.get("NEPHROCOHORT_DATA_DIR", "nephrocohort-data")).expanduser()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path.resolve()


def secret_key(folder: Path) -> str:
    """The secret key from the environment, else from a private file made once.

    The file is created with ``O_EXCL`` and mode 0600 so that two processes
    starting at once cannot write different keys and no other user can read it.
    """
    from_env = os.environ.get("NEPHROCOHORT_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = folder / _SECRET_FILE_NAME
    if not key_file.exists():
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it between our check and open
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(64))
    key = key_file.read_text(encoding="utf-8").strip()
    if len(key) < 50:
        raise RegistryConfigurationError("registry.secret_key_short", path=str(key_file))
    return key


def database_settings(folder: Path) -> dict:
    """Django's ``DATABASES['default']`` from ``NEPHROCOHORT_DATABASE_URL`` or SQLite in ``folder``."""
    url = os.environ.get("NEPHROCOHORT_DATABASE_URL", "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(folder / "registry.sqlite3"),
            # Wait for a concurrent writer instead of failing at once; a transaction takes the
            # write lock when it begins, so it never has to upgrade a read lock (which SQLite
            # refuses at once when another writer waits).
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise RegistryConfigurationError(
            "registry.database_scheme", scheme=parsed.scheme or "nothing"
        )
    name = parsed.path.lstrip("/")
    if not name:
        raise RegistryConfigurationError("registry.database_no_name")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(name),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
