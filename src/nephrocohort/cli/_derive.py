"""Commands of the derive step: ``nephrocohort derive`` and ``nephrocohort explain``.

Thin shells: ``derive`` runs the pipeline (``nephrocohort.pipeline.derive_to_csv``);
``explain`` loads the bundle and the rule set and prints the explanation.
Every rule lives in ``nephrocohort.cohort``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.cli._consent import AssentAgeOption, IncludeWithdrawnOption, consent_policy
from nephrocohort.i18n import format_integer, ngettext


def _load(data: str, rule_set: str):
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.pipeline import load_cohort

    # A bundle that fails validation raises CohortValidationError, which
    # nephrocohort.cli.main prints as the full (grouped) report with exit code 1.
    return load_cohort(data), load_rule_set(rule_set)


# str, not Path: a Path would fold the slashes of duckdb:///cdm.duckdb.
DataOption = Annotated[
    str,
    typer.Option(
        "--data",
        help="Cohort bundle (a folder of CSV files or one .xlsx workbook) or an OMOP CDM "
        "database (duckdb:///cdm.duckdb, postgresql://user@host/db?cdm_schema=cdm).",
    ),
]
RuleSetOption = Annotated[
    str,
    typer.Option(
        "--rule-set",
        help="Rule set name (see `nephrocohort rules list`) or a path to a rule-set YAML file.",
    ),
]


def register(app) -> None:
    """Add the ``derive`` and ``explain`` commands to ``app``."""

    @app.command("derive")
    def derive_command(
        data: DataOption,
        out: Annotated[
            Path,
            typer.Option(
                "--out", help="Where to write the analysis dataset (CSV, one row per patient)."
            ),
        ],
        rule_set: RuleSetOption = "study",
        include_withdrawn_consent: IncludeWithdrawnOption = False,
        assent_age: AssentAgeOption = None,
    ) -> None:
        """Derive the analysis dataset (one row per patient) and write it as CSV."""
        from nephrocohort.pipeline import derive_to_csv

        # A bundle that fails validation raises CohortValidationError, which
        # nephrocohort.cli.main prints as the full (grouped) report with exit code 1.
        dataset, rules = derive_to_csv(
            data,
            out,
            rule_set=rule_set,
            consent=consent_policy(assent_age),
            include_withdrawn_consent=include_withdrawn_consent,
        )
        typer.echo(
            ngettext(
                "Wrote the analysis dataset of {count} patient ({columns} columns, "
                "rule set '{rule_set}') to {path}.",
                "Wrote the analysis dataset of {count} patients ({columns} columns, "
                "rule set '{rule_set}') to {path}.",
                len(dataset),
            ).format(
                count=format_integer(len(dataset)),
                columns=format_integer(len(dataset.columns)),
                rule_set=rules.name,
                path=out,
            )
        )
        warnings = dataset.attrs.get("warnings") or []
        if warnings:
            from nephrocohort.cohort.rendering import format_warnings

            typer.echo(format_warnings(warnings), err=True)

    @app.command("explain")
    def explain_command(
        patient_id: Annotated[
            str,
            typer.Argument(help="The patient's id (the patient_id column of the patients table)."),
        ],
        data: DataOption,
        rule_set: RuleSetOption = "study",
        as_json: Annotated[
            bool, typer.Option("--json", help="Print JSON instead of text.")
        ] = False,
    ) -> None:
        """Show how each derived value of one patient was reached: records, rule and window."""
        from nephrocohort.cohort import explain, format_explanation

        cohort, rules = _load(data, rule_set)
        explanation = explain(cohort, rules, patient_id)
        if as_json:
            typer.echo(json.dumps(explanation.to_dict(), indent=2, ensure_ascii=False))
        else:
            typer.echo(format_explanation(explanation), nl=False)
