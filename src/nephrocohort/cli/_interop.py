"""Commands of the interop layer: export, REDCap, legacy sheets and FHIR import.

Each command parses its options, calls one function of
:mod:`nephrocohort.interop` and prints what was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

redcap_app = typer.Typer(help="REDCap data dictionary.", no_args_is_help=True)


def _say(message: str) -> None:
    typer.echo(message)


def export(
    data: Annotated[
        Path,
        typer.Option(
            "--data", help="A bundle (folder of CSVs or .xlsx) or an analysis-dataset CSV."
        ),
    ],
    format: Annotated[
        str, typer.Option("--format", help="spss, stata, csv, xlsx, redcap or bundle.")
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
) -> None:
    """Export the raw tables and the analysis dataset, de-identified unless --identifiable."""
    from nephrocohort.interop import export_tables, read_export_tables

    tables = read_export_tables(data, rule_set=rule_set, include_analysis=analysis)
    summary = export_tables(
        tables,
        to=format.lower(),
        out=out,
        identifiable=identifiable,
        key_file=key_file,
        seed=seed,
        date_mode=dates.replace("-", "_"),
    )
    _say(f"Wrote {len(summary.files)} file(s) to {summary.output}: {', '.join(summary.files)}")
    if summary.identifiable:
        _say("IDENTIFIABLE export: real ids, dates and free text are included. Store it securely.")
    else:
        _say(f"De-identified. Key (keep it apart, it re-identifies patients): {summary.key_file}")
        if summary.dropped_columns:
            _say(f"Dropped free-text or unknown columns: {', '.join(summary.dropped_columns)}")


@redcap_app.command("dictionary")
def redcap_dictionary(
    out: Annotated[Path, typer.Option("--out", help="The data dictionary CSV to write.")],
) -> None:
    """Write a REDCap data dictionary for the cohort data model."""
    from nephrocohort.interop import write_redcap_dictionary

    path = write_redcap_dictionary(out)
    _say(f"Wrote the REDCap data dictionary to {path}.")
    _say("In REDCap, enable every instrument except 'patients' as a repeating instrument.")


def register(app) -> None:
    """Add this layer's commands to ``app``."""
    app.command("export")(export)
    app.add_typer(redcap_app, name="redcap")
