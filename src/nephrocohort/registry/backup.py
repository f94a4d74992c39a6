"""Backing up and restoring the registry's database, history and audit chain included.

SQLite is copied with its online backup API (``sqlite3.Connection.backup``),
which gives a consistent snapshot while the server keeps running. PostgreSQL
is dumped with its own ``pg_dump`` (custom format) and restored with
``pg_restore``. A restore never overwrites a registry that holds data unless
asked to (``force``), and checks the audit chain of what it restored.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from nephrocohort.exceptions import NephroCohortError

__all__ = ["BackupError", "backup", "restore", "database_is_empty"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_MAGIC = b"PGDMP"
# Tables whose rows make a registry "not empty".
_CONTENT_TABLES = ("registry_center", "registry_patient", "auth_user", "registry_auditseal")


class BackupError(NephroCohortError):
    """A backup or restore cannot be done as asked (missing tool, wrong file, data in the way)."""


def _settings() -> dict:
    from django.db import connection

    return connection.settings_dict


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError("backup.tool_missing", tool=name)
    return path


def _pg_arguments(settings: dict) -> tuple[list[str], dict]:
    arguments = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        arguments += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        arguments += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        arguments += ["--username", settings["USER"]]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]  # never on the command line
    return arguments, env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            "backup.tool_failed", tool=what, detail=result.stderr.strip() or result.returncode
        )


def backup(out: Path) -> Path:
    """Write a consistent copy of the configured database to ``out``; nothing else is touched."""
    out = Path(out)
    if out.exists():
        raise BackupError("backup.exists", path=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = _settings()
    partial = out.with_name(out.name + ".partial")
    try:
        if _vendor() == "sqlite":
            source = sqlite3.connect(settings["NAME"])
            target = sqlite3.connect(partial)
            with target:
                source.backup(target)
            source.close()
            target.close()
        elif _vendor() == "postgresql":
            arguments, env = _pg_arguments(settings)
            command = [_pg_tool("pg_dump"), "--format=custom", "--file", str(partial)]
            _run(command + arguments, env, "pg_dump")
        else:
            raise BackupError("backup.unsupported_vendor", vendor=_vendor())
        os.chmod(partial, 0o600)  # it holds every patient: owner only
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def database_is_empty() -> bool:
    """True when the configured database has no registry tables, or none with a row."""
    from django.db import connection

    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in _CONTENT_TABLES:
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return False
    return True


def _kind(path: Path) -> str:
    with open(path, "rb") as handle:
        start = handle.read(16)
    if start.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(_PG_MAGIC):
        return "postgresql"
    raise BackupError("backup.unknown_kind", path=str(path))


def restore(path: Path, *, force: bool = False) -> None:
    """Replace the configured database's content with the backup ``path``.

    Refused when the database already holds data, unless ``force``.
    """
    from django.db import connections

    path = Path(path)
    if not path.is_file():
        raise BackupError("backup.not_found", path=str(path))
    kind, vendor = _kind(path), _vendor()
    if kind != vendor:
        raise BackupError("backup.wrong_vendor", path=str(path), kind=kind, vendor=vendor)
    if not force and not database_is_empty():
        raise BackupError("backup.database_not_empty")
    settings = _settings()
    connections.close_all()
    if vendor == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(settings["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        arguments, env = _pg_arguments(settings)
        command = [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
        ]
        _run(command + arguments + [str(path)], env, "pg_restore")
