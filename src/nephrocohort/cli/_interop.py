"""Commands of the interop layer: export, REDCap, legacy sheets and FHIR import.

Each command parses its options, calls one function of
:mod:`nephrocohort.interop` and prints what was written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.cli._consent import AssentAgeOption, IncludeWithdrawnOption, consent_policy
from nephrocohort.i18n import format_integer, ngettext
from nephrocohort.i18n import gettext as _
from nephrocohort.messages import render_text

redcap_app = typer.Typer(help="REDCap data dictionary.", no_args_is_help=True)


def _say(message: str) -> None:
    typer.echo(message)


@contextlib.contextmanager
def _progress(label: str) -> Iterator:
    """A rich progress bar fed with (bytes done, bytes total); silent for small files."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _report_import(result) -> None:
    counts = ", ".join(
        f"{name}: {format_integer(count)}" for name, count in result.row_counts.items()
    )
    _say(_("Wrote {path} ({counts}).").format(path=result.output, counts=counts))
    for note in result.notes:
        _say(_("Note: {note}").format(note=note))
    if result.not_imported:
        _say(
            render_text("cli.interop.not_imported", count=sum(i.count for i in result.not_imported))
        )
        for group in ("model", "kidney", "status", "outside"):
            items = [item for item in result.not_imported if item.group == group]
            if items:
                count = sum(item.count for item in items)
                _say("  " + render_text(f"cli.interop.group.{group}", count=count))
                for item in items:
                    _say(f"    - {item}")
    elif result.skipped:
        _say(render_text("cli.interop.not_imported", count=len(result.skipped)))
        for item in result.skipped:
            _say(f"  - {item}")


def import_table(
    file: Annotated[
        Path | None, typer.Argument(help="The legacy sheet (.xlsx, .csv or .sav).")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="The mapping YAML (column -> variable).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The analysis-dataset CSV to write (or the draft mapping)."),
    ] = None,
    suggest: Annotated[
        Path | None,
        typer.Option(
            "--suggest-mapping", help="Write a draft mapping for this sheet instead of importing."
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Sheet name (xlsx) for --suggest-mapping.")
    ] = None,
    header_row: Annotated[
        int | None,
        typer.Option(
            "--header-row",
            min=1,
            help="The row that holds the column names (1 = first row); default: found and said.",
        ),
    ] = None,
) -> None:
    """Import a one-row-per-patient legacy sheet as an analysis dataset (or draft its mapping)."""
    from nephrocohort.interop import InteropError, suggest_mapping, write_suggested_mapping
    from nephrocohort.interop import import_table as run_import

    if suggest is not None:
        if out is None:
            typer.echo(suggest_mapping(suggest, sheet=sheet, header_row=header_row), nl=False)
        else:
            write_suggested_mapping(suggest, out, sheet=sheet, header_row=header_row)
            _say(
                _("Wrote a draft mapping to {path}. Check every line before importing.").format(
                    path=out
                )
            )
        return
    if file is None or mapping is None or out is None:
        raise InteropError("cli.interop.import_table_arguments")
    with _progress(_("Reading {file}").format(file=file.name)) as progress:
        result = run_import(
            file, mapping=mapping, out=out, progress=progress, header_row=header_row
        )
    _report_import(result)
    _say(_("Run the report on it with: nephrocohort report --data {path}").format(path=out))


def import_redcap(
    file: Annotated[Path, typer.Argument(help="REDCap records export (CSV, raw or labels).")],
    out: Annotated[Path | None, typer.Option("--out", help="The bundle folder to create.")] = None,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format",
            help='How dates not written YYYY-MM-DD are written, e.g. "%d/%m/%Y" for 30/11/2009 '
            "(as date_format in an import-table mapping; never guessed).",
        ),
    ] = None,
    decimal: Annotated[
        str | None,
        typer.Option("--decimal", help='The decimal separator of the numbers: "." or ",".'),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="Mapping file of another REDCap project's fields (YAML)."),
    ] = None,
    dictionary: Annotated[
        Path | None,
        typer.Option("--dictionary", help="That project's data dictionary (REDCap CSV)."),
    ] = None,
    suggest: Annotated[
        Path | None,
        typer.Option("--suggest-mapping", help="Draft a mapping from --dictionary into this file."),
    ] = None,
) -> None:
    """Import REDCap records (flat CSV) into a validated cohort bundle folder.

    Records of another project (its own fields, events and arms): draft a
    mapping with --dictionary and --suggest-mapping, check it, then import
    with --mapping.
    """
    from nephrocohort.interop import import_redcap as run_import
    from nephrocohort.interop import write_suggested_redcap_mapping

    if suggest is not None:
        if dictionary is None:
            raise typer.BadParameter(render_text("cli.interop.suggest_needs_dictionary"))
        path, proposed, ignored = write_suggested_redcap_mapping(dictionary, suggest)
        params = {"path": path, "proposed": proposed, "count": proposed + ignored}
        _say(render_text("redcap.map.suggested", {**params, "ignored": ignored}))
        return
    if out is None:
        raise typer.BadParameter(render_text("cli.interop.redcap_needs_out"))
    with _progress(_("Reading {file}").format(file=file.name)) as progress:
        result = run_import(
            file,
            out,
            date_format=date_format,
            decimal=decimal,
            mapping=mapping,
            progress=progress,
        )
    _report_import(result)


def import_fhir(
    file: Annotated[Path, typer.Argument(help="FHIR R4 Bundle (.json) or NDJSON (.ndjson).")],
    out: Annotated[Path, typer.Option("--out", help="The bundle folder to create.")],
    center: Annotated[
        str | None, typer.Option("--center", help="Center to record for every patient.")
    ] = None,
) -> None:
    """Import FHIR R4 resources into a validated cohort bundle; unknown codes are listed."""
    from nephrocohort.interop import import_fhir as run_import

    with _progress(_("Reading {file}").format(file=file.name)) as progress:
        result = run_import(file, out, center=center, progress=progress)
    _report_import(result)


def export(
    data: Annotated[
        str,
        typer.Option(
            "--data",
            help="A bundle (folder of CSVs or .xlsx), an analysis-dataset CSV, or an OMOP CDM "
            "database (duckdb:///cdm.duckdb, postgresql://...).",
        ),
    ],
    format: Annotated[
        str, typer.Option("--format", help="spss, stata, csv, xlsx, redcap, bundle or fhir.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (a .xlsx file for --format xlsx).")
    ],
    identifiable: Annotated[
        bool,
        typer.Option(
            "--identifiable", help="Keep real ids, dates and free text. Only on explicit request."
        ),
    ] = False,
    dates: Annotated[
        str,
        typer.Option(
            "--dates",
            help="De-identified dates: 'shift' (per-patient offset) or 'days_since_onset'.",
        ),
    ] = "shift",
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file", help="Where to write the re-identification key (default: <out>-KEY.csv)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Seed for pseudonyms and date shifts (reproducible tests only)."
        ),
    ] = None,
    rule_set: Annotated[
        str, typer.Option("--rule-set", help="Rule set for the analysis dataset.")
    ] = "study",
    analysis: Annotated[
        bool,
        typer.Option("--analysis/--no-analysis", help="Include the derived analysis dataset."),
    ] = True,
    stata_version: Annotated[
        int,
        typer.Option(
            "--stata-version",
            help=(
                "Stata release (12, 13, 14, 15) or file format (115, 117, 118, 119) of .dta "
                "files. The default, 12 (format 115), opens in Stata 12 and later, R foreign "
                "and haven; 14 and later store text as UTF-8."
            ),
        ),
    ] = 12,  # interop._stat_files.DEFAULT_STATA_VERSION (kept literal: a light CLI import)
    include_withdrawn_consent: IncludeWithdrawnOption = False,
    assent_age: AssentAgeOption = None,
) -> None:
    """Export the raw tables and the analysis dataset, de-identified unless --identifiable."""
    from nephrocohort.pipeline import export_data

    summary = export_data(
        data,
        rule_set=rule_set,
        include_analysis=analysis,
        to=format.lower(),
        out=out,
        identifiable=identifiable,
        key_file=key_file,
        seed=seed,
        date_mode=dates.replace("-", "_"),
        stata_version=stata_version,
        consent=consent_policy(assent_age),
        include_withdrawn_consent=include_withdrawn_consent,
    )
    _say(
        ngettext(
            "Wrote {count} file to {path}: {files}",
            "Wrote {count} files to {path}: {files}",
            len(summary.files),
        ).format(
            count=format_integer(len(summary.files)),
            path=summary.output,
            files=", ".join(summary.files),
        )
    )
    for note in summary.notes:
        _say(note)
    if summary.identifiable:
        _say(
            _("IDENTIFIABLE export: real ids, dates and free text are included. Store it securely.")
        )
    else:
        _say(
            _("De-identified. Key (keep it apart, it re-identifies patients): {path}").format(
                path=summary.key_file
            )
        )
        if summary.dropped_columns:
            _say(
                _("Dropped free-text or unknown columns: {columns}").format(
                    columns=", ".join(summary.dropped_columns)
                )
            )


def import_omop(
    database: Annotated[
        str,
        typer.Option(
            "--database",
            help="The OMOP CDM v5.4 database: duckdb:///cdm.duckdb, a folder of Parquet or CSV "
            "files (one per table), or postgresql://user@host/db.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The bundle folder to create.")],
    cdm_schema: Annotated[
        str | None,
        typer.Option(
            "--cdm-schema", help="The schema holding the CDM tables (default: the URL's)."
        ),
    ] = None,
    phenotype: Annotated[
        str,
        typer.Option(
            "--phenotype", help="Computable phenotype: a shipped name or a path to a YAML file."
        ),
    ] = "pedsnet-ns",
) -> None:
    """Import the phenotype's patients of an OMOP CDM database into a validated cohort bundle."""
    from nephrocohort.interop import import_omop as run_import

    result = run_import(database, out, cdm_schema=cdm_schema, phenotype=phenotype)
    _report_import(result)
    _say(_("Run the report on it with: nephrocohort report --data {path}").format(path=out))


@redcap_app.command("dictionary")
def redcap_dictionary(
    out: Annotated[Path, typer.Option("--out", help="The data dictionary CSV to write.")],
) -> None:
    """Write a REDCap data dictionary for the cohort data model."""
    from nephrocohort.interop import write_redcap_dictionary

    path = write_redcap_dictionary(out)
    _say(_("Wrote the REDCap data dictionary to {path}.").format(path=path))
    _say(_("In REDCap, enable every instrument except 'patients' as a repeating instrument."))


def register(app) -> None:
    """Add this layer's commands to ``app``."""
    app.command("export")(export)
    app.command("import-table")(import_table)
    app.command("import-redcap")(import_redcap)
    app.command("import-fhir")(import_fhir)
    app.command("import-omop")(import_omop)
    app.add_typer(redcap_app, name="redcap")
