"""``nephrocohort audit verify``: recompute the audit's hash chain and name the first broken row."""

from __future__ import annotations

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


def register(app) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(audit_app, name="audit")
