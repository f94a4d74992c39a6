"""``nephrocohort audit verify`` (recompute the audit's hash chain), ``backup`` and ``restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.cli._registry import _DEFAULT_DATA_DIR, DatabaseUrlOption, DataDirOption

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
    typer.echo(f"Backup written to {written} (readable by you only).")


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
    typer.echo(f"Restored {backup_file}.")
    if report.ok:
        typer.echo(render_text("audit.ok", {"count": report.checked, "head": report.head_hash}))
        return
    typer.echo(report.problems[0], err=True)
    raise typer.Exit(1)


def register(app) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(audit_app, name="audit")
    app.command("backup")(backup)
    app.command("restore")(restore)
