"""Trust commands: ``audit verify`` (the audit's hash chain), ``backup``, ``restore``, ``resetotp``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.cli._registry import _DEFAULT_DATA_DIR, DatabaseUrlOption, DataDirOption
from nephrocohort.i18n import format_integer, ngettext
from nephrocohort.i18n import gettext as _

audit_app = typer.Typer(help="Check the registry's audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every broken row, not only the first.")
    ] = False,
) -> None:
    """Recompute every audit row's hash and the chain; exit 1 naming the first broken row."""
    from nephrocohort.messages import render_text
    from nephrocohort.registry import server
    from nephrocohort.registry.audit_chain import verify_chain

    server.configure(data_dir=data_dir, database_url=database_url)
    server.migrate_only()
    report = verify_chain(first_only=not show_all)
    if report.ok:
        typer.echo(render_text("audit.ok", {"count": report.checked, "head": report.head_hash}))
        return
    for problem in report.problems:
        typer.echo(problem, err=True)
    raise typer.Exit(1)


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (must be new).")],
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Copy the registry's database (SQLite online backup, or pg_dump) into one file."""
    from nephrocohort.registry import backup as backups
    from nephrocohort.registry import server

    server.configure(data_dir=data_dir, database_url=database_url)
    written = backups.backup(out)
    typer.echo(_("Backup written to {path} (readable by you only).").format(path=written))


def restore(
    backup_file: Annotated[Path, typer.Argument(help="A file written by 'nephrocohort backup'.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a registry that already holds data.")
    ] = False,
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Restore a backup into the registry's database, then check its audit chain."""
    from nephrocohort.messages import render_text
    from nephrocohort.registry import backup as backups
    from nephrocohort.registry import server
    from nephrocohort.registry.audit_chain import verify_chain

    server.configure(data_dir=data_dir, database_url=database_url)
    backups.restore(backup_file, force=force)
    server.migrate_only()
    report = verify_chain(first_only=True)
    typer.echo(_("Restored {path}.").format(path=backup_file))
    if report.ok:
        typer.echo(render_text("audit.ok", {"count": report.checked, "head": report.head_hash}))
        return
    typer.echo(report.problems[0], err=True)
    raise typer.Exit(1)


def resetotp(
    username: Annotated[str, typer.Argument(help="Login name of the user who lost their phone.")],
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Remove a user's authenticator and recovery codes; they set up a new one at next login."""
    from django.contrib.auth import get_user_model

    from nephrocohort.registry import server

    server.configure(data_dir=data_dir, database_url=database_url)
    server.migrate_only()
    from nephrocohort.registry.access_log import record_event
    from nephrocohort.registry.two_factor import reset_devices

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise server.RegistryError(f"There is no user '{username}'.")
    removed = reset_devices(user)
    record_event(None, "second_factor_reset", user=user, what="by the command line")
    typer.echo(
        ngettext(
            "Two-factor login of {username} reset ({count} device removed).",
            "Two-factor login of {username} reset ({count} devices removed).",
            removed,
        ).format(username=username, count=format_integer(removed))
    )


def register(app) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(audit_app, name="audit")
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("resetotp")(resetotp)
