"""The ``nephrocohort`` command: a thin shell over the public API.

Each command group lives in its own module with a ``register(app)`` function;
this module only assembles them and turns expected errors into a plain
message and a non-zero exit code instead of a traceback.
"""

import sys

import typer

from nephrocohort import __version__
from nephrocohort.exceptions import CohortValidationError, NephroCohortError
from nephrocohort.i18n import environment_language, use_language
from nephrocohort.i18n import gettext as _

app = typer.Typer(
    name="nephrocohort",
    help="Registry and outcomes analysis for children with steroid-resistant nephrotic syndrome.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"nephrocohort {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """NephroCohort command line (NEPHROCOHORT_LANG=es or pt-BR: messages in that language)."""
    try:
        language = environment_language()
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    if language:
        # Until the command ends: its messages, errors and (by default) the report.
        ctx.with_resource(use_language(language))


def _register_commands() -> None:
    # One module per command group; each owns its commands and their options.
    from nephrocohort.cli import (
        _audit,
        _calc,
        _cohort,
        _demo,
        _derive,
        _interop,
        _registry,
        _report,
    )

    for module in (_calc, _cohort, _demo, _derive, _report, _registry, _audit, _interop):
        module.register(app)


_register_commands()


def _language_or_english() -> str:
    try:
        return environment_language() or "en"
    except ValueError:
        return "en"


def main() -> None:
    """Entry point: run the app, printing expected errors without a traceback.

    Click's standalone mode handles usage errors (message, exit 2) and exit codes;
    our own errors pass through it and are turned into a sentence here.
    """
    try:
        app()
    except CohortValidationError as error:
        # Any command that loads a bundle shows the whole report, as `validate` does.
        from nephrocohort.cohort.rendering import format_problems

        with use_language(getattr(error, "language", None) or _language_or_english()):
            report = format_problems(error.problems, source=str(error.source or "the bundle"))
            typer.echo(_("Error: {error}").format(error=report), err=True)
        sys.exit(1)
    except NephroCohortError as error:
        # The language the command asked for (report --lang), else NEPHROCOHORT_LANG.
        with use_language(getattr(error, "language", None) or _language_or_english()):
            typer.echo(_("Error: {error}").format(error=error), err=True)
            # What to do (the catalogue's hint), under the sentence, as validate shows it.
            if error.hint:
                typer.echo(f"  {error.hint}", err=True)
        sys.exit(2)
