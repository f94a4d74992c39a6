"""The ``nephrocohort demo`` command: write the demo cohort or a generated synthetic one.

``nephrocohort demo --out DIR`` copies the embedded demo bundle (26 synthetic
children calibrated to the seed study). ``nephrocohort demo --patients N
--seed S --out DIR [--parquet]`` writes a generated cohort of any size
(CSV, and Parquet in ``DIR/parquet`` with ``--parquet`` or from 10,000
patients on). A thin
shell: the cohorts are built in ``nephrocohort.cohort``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from nephrocohort.exceptions import NephroCohortError
from nephrocohort.i18n import format_integer, ngettext
from nephrocohort.i18n import gettext as _


class DemoOutputError(NephroCohortError):
    """The demo cohort cannot be written where the user asked."""


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise DemoOutputError("demo.out_is_file", path=str(out))
    if not out.parent.exists():
        raise DemoOutputError("demo.no_parent", path=str(out), parent=str(out.parent))


def _write_omop(out: Path, patients, seed, background) -> None:
    """``demo --format omop``: the cohort (the demo one without --patients) as an OMOP CDM."""
    if out.suffix.lower() != ".duckdb":
        raise DemoOutputError("omop.demo_out_suffix", path=str(out))
    if out.exists():
        raise DemoOutputError("omop.demo_out_exists", path=str(out))
    if not out.parent.exists():
        raise DemoOutputError("omop.demo_out_parent", path=str(out), parent=str(out.parent))
    from nephrocohort.interop import write_synthetic_omop

    if patients is None:
        from nephrocohort.cohort.demo import demo_cohort

        cohort = demo_cohort()
    else:
        from nephrocohort.cohort.synthetic import SYNTHETIC_SEED, generate_synthetic

        cohort = generate_synthetic(patients, seed=SYNTHETIC_SEED if seed is None else seed)
    counts, _persons = write_synthetic_omop(
        out, cohort, background_persons=background, seed=1 if seed is None else seed
    )
    typer.echo(
        ngettext(
            "Wrote an OMOP CDM v5.4 database ({count} patient with nephrotic syndrome, "
            "{background} background persons; measurement {rows} rows) to {path}. "
            "Next: nephrocohort report --data {url}",
            "Wrote an OMOP CDM v5.4 database ({count} patients with nephrotic syndrome, "
            "{background} background persons; measurement {rows} rows) to {path}. "
            "Next: nephrocohort report --data {url}",
            cohort.n_patients,
        ).format(
            count=format_integer(cohort.n_patients),
            background=format_integer(background),
            rows=format_integer(counts["measurement"]),
            path=out,
            url=omop_url(out),
        )
    )


def omop_url(path: Path) -> str:
    """The ``duckdb://`` URL of a database file: three slashes before an absolute path."""
    return "duckdb:///" + path.resolve().as_posix().lstrip("/")


def register(app) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command("demo")
    def demo_command(
        out: Annotated[
            Path,
            typer.Option("--out", help="Folder to write the bundle to (a .duckdb file for omop)."),
        ],
        patients: Annotated[
            int | None,
            typer.Option(
                "--patients",
                help="Generate a synthetic cohort of this many patients instead of the demo cohort.",
            ),
        ] = None,
        seed: Annotated[
            int | None,
            typer.Option("--seed", help="Seed of the generated cohort (same seed, same cohort)."),
        ] = None,
        parquet: Annotated[
            bool | None,
            typer.Option(
                "--parquet/--no-parquet",
                help="Also write Parquet files, in DIR/parquet (default: from 10,000 patients on).",
            ),
        ] = None,
        data_format: Annotated[
            str,
            typer.Option(
                "--format",
                help="bundle (a folder of CSV files) or omop (an OMOP CDM DuckDB file, FILE.duckdb).",
            ),
        ] = "bundle",
        background_persons: Annotated[
            int,
            typer.Option(
                "--background-persons",
                help="With --format omop: children without nephrotic syndrome added around the cohort.",
            ),
        ] = 1000,
    ) -> None:
        """Write the embedded demo cohort, or a generated synthetic cohort with --patients."""
        if data_format not in ("bundle", "omop"):
            raise DemoOutputError("omop.demo_format", value=data_format)
        if data_format == "omop":
            _write_omop(out, patients, seed, background_persons)
            return
        _check_out(out)
        if patients is None:
            if seed is not None or parquet is not None:
                raise DemoOutputError("demo.options_need_patients")
            from nephrocohort.cohort.demo import demo_bundle_path

            out.mkdir(exist_ok=True)
            copied = 0
            for file in sorted(demo_bundle_path().glob("*.csv")):
                shutil.copyfile(file, out / file.name)
                copied += 1
            typer.echo(
                _(
                    "Wrote the demo cohort ({patients} synthetic patients, {count} tables) to "
                    "{path}. Next: nephrocohort validate {path}"
                ).format(patients=format_integer(26), count=format_integer(copied), path=out)
            )
            return

        from nephrocohort.cohort.synthetic import SYNTHETIC_SEED, write_synthetic_bundle

        cohort, written = write_synthetic_bundle(
            out,
            n_patients=patients,
            seed=SYNTHETIC_SEED if seed is None else seed,
            parquet=parquet,
        )
        counts = ", ".join(
            f"{name} {format_integer(count)}" for name, count in cohort.row_counts().items()
        )
        typer.echo(
            _("Wrote a synthetic cohort ({counts} rows) as CSV to {path}.").format(
                counts=counts, path=out
            )
        )
        if any(path.suffix == ".parquet" for path in written):
            typer.echo(
                _("The same cohort as Parquet (faster to load) is in {path}.").format(
                    path=out / "parquet"
                )
            )
