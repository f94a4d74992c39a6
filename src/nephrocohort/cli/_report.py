"""``nephrocohort report``: the study report (HTML, Word, Excel, results.json).

A thin shell over :func:`nephrocohort.pipeline.run_report`: parse the options,
call it with a progress printer, list the files written.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.cli._consent import AssentAgeOption, IncludeWithdrawnOption, consent_policy


def report(
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            help="Cohort bundle (a folder of CSV files or one .xlsx workbook), an "
            "analysis-dataset .csv from `nephrocohort import-table`, or an OMOP CDM database "
            "(duckdb:///cdm.duckdb, postgresql://user@host/db?cdm_schema=cdm). "
            "Leave out to use the embedded demo cohort.",
        ),
    ] = None,
    rule_set: Annotated[
        str,
        typer.Option(
            "--rule-set", help="Rule set: study, ipna2020, kdigo2021, or a path to a YAML file."
        ),
    ] = "study",
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for the report files. They replace those of an earlier run: report "
            "files this run does not write are removed, other files are left alone.",
        ),
    ] = Path("report"),
    formats: Annotated[
        str,
        typer.Option("--format", help="Comma-separated formats out of html, docx, xlsx, json."),
    ] = "html,docx,xlsx,json",
    percentile_method: Annotated[
        str,
        typer.Option(
            "--percentile-method",
            help="spss (HAVERAGE, as the seed study's SPSS) or linear (R type 7).",
        ),
    ] = "spss",
    normality: Annotated[
        str,
        typer.Option(
            "--normality",
            help="Test choosing mean (SD) or median (p25-p75): lilliefors (SPSS) or shapiro.",
        ),
    ] = "lilliefors",
    compare_rule_sets: Annotated[
        str,
        typer.Option(
            "--compare-rule-sets",
            help="Comma-separated rule sets (names or YAML paths), e.g. study,ipna2020,kdigo2021: "
            "adds one table of the key results under each, derived again from the same records.",
        ),
    ] = "",
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=(
                "Language of the report: en, es (Spanish) or pt-BR (Brazilian Portuguese); "
                "default NEPHROCOHORT_LANG, else English."
            ),
        ),
    ] = None,
    include_withdrawn_consent: IncludeWithdrawnOption = False,
    assent_age: AssentAgeOption = None,
) -> None:
    """Run the study analysis and write report.html, report.docx, report.xlsx and results.json."""
    # Imported here: the report pulls in matplotlib, scipy and statsmodels, which
    # would slow the start-up of every other command.
    from nephrocohort.i18n import (
        active_language,
        format_integer,
        ngettext,
        normalize_language,
        use_language,
    )
    from nephrocohort.pipeline import run_report
    from nephrocohort.report import ReportOptions

    try:
        language = normalize_language(lang) if lang else active_language()
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--lang") from error
    options = ReportOptions(percentile_method=percentile_method, normality_test=normality)
    policy = consent_policy(assent_age)
    with use_language(language), _errors_in(language):  # labels, texts and errors
        run = run_report(
            data=data,
            rule_set=rule_set,
            out_dir=out,
            formats=formats,
            options=options,
            progress=lambda message: typer.echo(f"  {message}...", err=True),
            compare_rule_sets=compare_rule_sets,
            consent=policy,
            include_withdrawn_consent=include_withdrawn_consent,
        )
        patients = run.results["cohort.n"].n
        typer.echo(
            ngettext(
                "Report of {patients} patient (rule set '{rule_set}'):",
                "Report of {patients} patients (rule set '{rule_set}'):",
                patients,
            ).format(patients=format_integer(patients), rule_set=run.results.rule_set_name)
        )
    for path in run.files.values():
        typer.echo(f"  {path}")


@contextmanager
def _errors_in(language: str):
    """An expected error of the report is shown in the report's language (``--lang``)."""
    from nephrocohort.exceptions import NephroCohortError

    try:
        yield
    except NephroCohortError as error:
        error.language = language
        raise


def register(app) -> None:
    """Add ``nephrocohort report`` to ``app``."""
    app.command("report")(report)
