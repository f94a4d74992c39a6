"""Commands of the cohort layer: ``nephrocohort validate`` and ``nephrocohort template``.

Thin shells: call ``load_bundle`` or ``write_template`` and render the outcome.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.i18n import gettext as _


def _parse_as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a date. Expected the form YYYY-MM-DD, e.g. 2025-01-31."
        ) from None


def register(app) -> None:
    """Add the ``validate`` and ``template`` commands to ``app``."""

    @app.command("validate")
    def validate_command(
        path: Annotated[
            str,
            typer.Argument(
                help="Cohort bundle: a folder of CSV (or Parquet) files or one .xlsx workbook, "
                "or an OMOP CDM database (duckdb:///cdm.duckdb, postgresql://...)."
            ),
        ],
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the outcome as JSON for programs.")
        ] = False,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of",
                help="Latest date a value may have (YYYY-MM-DD); default: today.",
            ),
        ] = None,
    ) -> None:
        """Check a cohort bundle and report every problem at once (exit code 1 if any error).

        Warnings (dates that contradict death or the last follow-up) are listed; exit code 0.
        """
        from nephrocohort.cohort.bundle import load_bundle_checked
        from nephrocohort.cohort.rendering import format_problems, format_summary, outcome_as_json
        from nephrocohort.exceptions import CohortValidationError
        from nephrocohort.interop._omop_connect import is_omop_url

        reference = _parse_as_of(as_of)
        source = str(path)
        try:
            if is_omop_url(path):
                from nephrocohort.interop._omop_read import read_omop_checked

                cohort, warnings, extract = read_omop_checked(path, as_of=reference)
                if not as_json:
                    for note in extract.notes():
                        typer.echo(_("Note: {note}").format(note=note))
            else:
                cohort, warnings = load_bundle_checked(Path(path), as_of=reference)
        except CohortValidationError as error:
            if as_json:
                outcome = outcome_as_json(source=source, problems=error.problems, cohort=None)
                typer.echo(json.dumps(outcome, indent=2))
            else:
                typer.echo(format_problems(error.problems, source=source))
            # SystemExit, not typer.Exit: in non-standalone mode click would swallow the code.
            raise SystemExit(1) from None
        from nephrocohort.cohort.derive import data_quality_warnings

        # The recorded hypertension flag against the onset visits' BP (AAP 2017): a
        # data-quality finding to check, never resolved (issue 10 item 7); one test
        # read twice on one day with different values: derive takes the higher
        # proteinuria (lower albumin), the rows are listed to check.
        warnings = [*warnings, *data_quality_warnings(cohort)]
        if as_json:
            typer.echo(
                json.dumps(
                    outcome_as_json(source=source, problems=warnings, cohort=cohort), indent=2
                )
            )
        else:
            typer.echo(format_summary(cohort, source=source, warnings=warnings))

    @app.command("template")
    def template_command(
        out: Annotated[
            Path, typer.Option("--out", help="Where to write the empty workbook (.xlsx).")
        ],
    ) -> None:
        """Write an XLSX template: one sheet per table, headers, allowed values, units, a README."""
        from nephrocohort.cohort.template import write_template

        written = write_template(out)
        typer.echo(_("Wrote the cohort template to {path}.").format(path=written))
