"""``nephrocohort serve``, ``createuser``, ``setrole``, ``deactivate``, ``restorepatient``.

Thin shells over :mod:`nephrocohort.registry.server`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.i18n import format_integer, ngettext
from nephrocohort.i18n import gettext as _

_DATA_DIR_HELP = "Folder for the SQLite database, the secret key and uploads."
_DATABASE_HELP = "postgresql://user:password@host:port/name to use PostgreSQL instead of SQLite."

DataDirOption = Annotated[Path, typer.Option("--data-dir", help=_DATA_DIR_HELP)]
DatabaseUrlOption = Annotated[str | None, typer.Option("--database-url", help=_DATABASE_HELP)]
_DEFAULT_DATA_DIR = Path("nephrocohort-data")
# The registry's roles (registry.models.Role, not imported here: Django is not set up yet).
RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        help="admin, investigator, data_entry, monitor or pi (principal investigator: signs "
        "and unlocks patient records).",
    ),
]


def _registry(data_dir: Path, database_url: str | None):
    """The configured, migrated registry server module, for the account commands."""
    from nephrocohort.registry import server

    server.configure(data_dir=data_dir, database_url=database_url)
    server.prepare(load_demo=False)
    return server


def _on_terminal() -> bool:
    """Whether standard output is an interactive terminal (not a pipe, file or service log)."""
    return sys.stdout.isatty()


def _announce_demo(demo, login_file: Path) -> None:
    """Say how to log in to the demo without writing its password into a log.

    The password is printed only on an interactive terminal; otherwise only the
    owner-only (0600) file that holds it is named (issue 14).
    """
    where = ngettext(
        "user {username}, {count} demo patient", "user {username}, {count} demo patients",
        demo.patients_loaded,
    ).format(username=demo.username, count=format_integer(demo.patients_loaded))  # fmt: skip
    if _on_terminal():
        typer.echo(
            _("Demo login: {where}, password {password} (also in {path})").format(
                where=where, password=demo.password, path=login_file
            )
        )
    else:
        typer.echo(
            _("Demo login: {where}; the password is in {path} (readable by you only)").format(
                where=where, path=login_file
            )
        )


def serve(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only)."),
    ] = "127.0.0.1",
    trusted_proxy: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of the HTTPS reverse proxy; its X-Forwarded-Proto and "
            "X-Forwarded-For headers are believed (from no one else).",
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the demo cohort and a demo administrator into an empty registry "
            "(never on a real deployment).",
        ),
    ] = False,
) -> None:
    """Start the web registry (migrations run first; the demo cohort only with --demo)."""
    from nephrocohort.registry import server

    folder = server.configure(data_dir=data_dir, database_url=database_url)
    login = server.prepare(load_demo=demo)
    typer.echo(_("Data folder: {path}").format(path=folder))
    if login is not None:
        _announce_demo(login, folder / server.DEMO_LOGIN_FILE)
    elif demo:
        typer.echo(_("The demo was not loaded: this registry already has centers."))
    if not server.has_users():
        typer.echo(
            _(
                "No registry user yet: make an administrator with "
                "'nephrocohort createuser NAME --role admin' (or start with --demo to try it)."
            )
        )
    server.serve(host=host, port=port, trusted_proxy=trusted_proxy, announce=typer.echo)


def createuser(
    username: Annotated[str, typer.Argument(help="Login name of the new user.")],
    role: RoleOption,
    center: Annotated[
        list[str] | None,
        typer.Option("--center", help="Center code (repeat for several centers)."),
    ] = None,
    name: Annotated[
        str,
        typer.Option(
            "--name",
            help="Full name, printed with the user's signatures (e.g. 'Ana María Lima Gómez').",
        ),
    ] = "",
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Make a registry user. The password comes from standard input or NEPHROCOHORT_PASSWORD."""
    from nephrocohort.registry import server

    password = server.read_password()
    server = _registry(data_dir, database_url)
    user = server.create_user(
        username, role=role, centers=list(center or []), password=password, full_name=name
    )
    typer.echo(
        _("User {username} created ({role}; centers: {centers}).").format(
            username=user.get_username(),
            role=role,
            centers=", ".join(center or []) or _("no center"),
        )
    )


def setrole(
    username: Annotated[str, typer.Argument(help="Login name of the user.")],
    role: RoleOption,
    center: Annotated[
        list[str] | None,
        typer.Option("--center", help="Center code (repeat; replaces the user's centers)."),
    ] = None,
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Change a user's role (and centers, when --center is given)."""
    server = _registry(data_dir, database_url)
    profile = server.set_role(username, role=role, centers=list(center or []))
    codes = ", ".join(profile.centers.values_list("code", flat=True)) or _("no center")
    typer.echo(
        _("User {username} is now {role} (centers: {centers}).").format(
            username=username, role=role, centers=codes
        )
    )


def deactivate(
    username: Annotated[str, typer.Argument(help="Login name of the user.")],
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Stop a user from logging in (the account and its history are kept)."""
    server = _registry(data_dir, database_url)
    server.deactivate_user(username)
    typer.echo(_("User {username} can no longer log in.").format(username=username))


def restorepatient(
    patient_id: Annotated[str, typer.Argument(help="Pseudonymous ID of the deleted patient.")],
    data_dir: DataDirOption = _DEFAULT_DATA_DIR,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Undo the deletion of a patient (recorded in the audit trail)."""
    server = _registry(data_dir, database_url)
    server.restore_patient(patient_id)
    typer.echo(_("Patient {patient_id} restored.").format(patient_id=patient_id))


def register(app) -> None:
    """Add this layer's commands to ``app``."""
    app.command("serve")(serve)
    app.command("createuser")(createuser)
    app.command("setrole")(setrole)
    app.command("deactivate")(deactivate)
    app.command("restorepatient")(restorepatient)
