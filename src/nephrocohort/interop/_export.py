"""Export a cohort and its analysis dataset for other software, de-identified by default.

Formats: SPSS ``.sav`` and Stata ``.dta`` (with variable labels, value labels
and, for SPSS, measurement levels), CSV, one XLSX workbook, a REDCap data
dictionary with records, or a cohort bundle. Without ``identifiable=True``
the export goes through :func:`nephrocohort.interop.deidentify` and the key
that links pseudonyms back is written to a separate file, never inside the
export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nephrocohort.cohort.spreadsheet_cells import neutralise_frame, text_cells_as_strings
from nephrocohort.interop._deidentify import deidentify
from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._labelled import column_label
from nephrocohort.interop._output import refuse_existing, staged_directory, staged_file
from nephrocohort.interop._stat_files import (
    DEFAULT_STATA_VERSION,
    stata_release,
    write_spss,
    write_stata,
)
from nephrocohort.interop._variables import TABLE_ORDER, variable_for

__all__ = ["EXPORT_FORMATS", "ExportSummary", "export_tables", "default_key_path", "codebook"]

EXPORT_FORMATS = ("spss", "stata", "csv", "xlsx", "redcap", "bundle", "fhir")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote, and what it left out."""

    format: str
    output: Path
    files: tuple[str, ...]
    key_file: Path | None
    identifiable: bool
    dropped_columns: tuple[str, ...] = ()
    #: Sentences on what a format could not hold as given (long texts in old Stata files).
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        mode = "identifiable" if self.identifiable else "de-identified"
        return f"ExportSummary({self.format}, {mode}, {len(self.files)} files in {self.output})"


def default_key_path(out: Path) -> Path:
    """Where the key goes if not told: beside the export, never inside it."""
    out = Path(out)
    return out.with_name(f"{out.stem}-KEY.csv")


def codebook(tables: Mapping[str, pd.DataFrame], *, pseudonymous: bool = True) -> pd.DataFrame:
    """One row per exported column: table, column, label, unit, codes."""
    rows = []
    for table, frame in tables.items():
        for column in frame.columns:
            variable = variable_for(table, column)
            rows.append(
                {
                    "table": table,
                    "column": column,
                    "label": column_label(table, column, pseudonymous=pseudonymous)
                    if variable
                    else "",
                    "unit": (variable.unit or "") if variable else "",
                    "codes": " | ".join(f"{c} = {t}" for c, t in variable.choices)
                    if variable
                    else "",
                }
            )
    return pd.DataFrame(rows, columns=["table", "column", "label", "unit", "codes"])


def _ordered(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    order = [*TABLE_ORDER, "analysis"]
    unknown = sorted(set(tables) - set(order))
    if unknown:
        raise InteropError(
            "export.unknown_tables", tables=", ".join(unknown), known=", ".join(order)
        )
    return {name: tables[name] for name in order if name in tables}


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


def _write_csv(tables, folder: Path, *, pseudonymous: bool = True) -> list[str]:
    files = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        neutralise_frame(_iso_dates(frame)).to_csv(path, index=False)
        files.append(path.name)
    book = neutralise_frame(codebook(tables, pseudonymous=pseudonymous))
    book.to_csv(folder / "codebook.csv", index=False)
    return [*files, "codebook.csv"]


def _write_xlsx(tables, path: Path, *, pseudonymous: bool = True) -> list[str]:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            _iso_dates(frame).to_excel(writer, sheet_name=name, index=False)
        codebook(tables, pseudonymous=pseudonymous).to_excel(
            writer, sheet_name="codebook", index=False
        )
        for sheet in writer.sheets.values():
            text_cells_as_strings(sheet)
    return [path.name]


def _write_redcap(tables, folder: Path) -> list[str]:
    from nephrocohort.interop._redcap import redcap_dictionary, redcap_records

    raw = {name: frame for name, frame in tables.items() if name != "analysis"}
    neutralise_frame(redcap_dictionary()).to_csv(folder / "redcap_dictionary.csv", index=False)
    neutralise_frame(redcap_records(raw)).to_csv(folder / "redcap_records.csv", index=False)
    return ["redcap_dictionary.csv", "redcap_records.csv"]


def _write_bundle(tables, folder: Path) -> list[str]:
    from nephrocohort.interop._bundle_io import write_bundle_folder

    raw = {name: frame for name, frame in tables.items() if name != "analysis"}
    return write_bundle_folder(raw, folder)


def _write_fhir(tables, folder: Path) -> list[str]:
    from nephrocohort.interop._fhir_export import write_fhir_bundle

    return write_fhir_bundle(tables, folder)


_WRITERS = {
    "fhir": _write_fhir,
    "spss": write_spss,
    "stata": write_stata,
    "csv": _write_csv,
    "redcap": _write_redcap,
    "bundle": _write_bundle,
}


def export_tables(
    tables: Mapping[str, pd.DataFrame],
    *,
    to: str,
    out: Path | str,
    identifiable: bool = False,
    key_file: Path | str | None = None,
    seed: int | None = None,
    date_mode: str = "shift",
    stata_version: int = DEFAULT_STATA_VERSION,
) -> ExportSummary:
    """Write ``tables`` (raw tables and/or ``"analysis"``) in format ``to`` at ``out``.

    ``out`` is a folder for every format except ``xlsx``, where it is the
    workbook. Unless ``identifiable`` is true the tables are de-identified
    (see :func:`~nephrocohort.interop.deidentify`; ``seed`` and ``date_mode``
    are passed on) and the key is written to ``key_file`` (default: beside
    ``out``, named ``<out>-KEY.csv``). Nothing is written unless everything
    succeeds, and nothing existing is overwritten. ``stata_version`` is the
    Stata release (12-15) or file format (115-119) of ``.dta`` files.
    """
    if to not in EXPORT_FORMATS:
        raise InteropError("export.unknown_format", format=to, formats=", ".join(EXPORT_FORMATS))
    out = Path(out)
    if to == "stata":
        stata_release(stata_version)  # refuse an unknown version before any work
    if to == "xlsx" and out.suffix.lower() != ".xlsx":
        raise InteropError("export.xlsx_out", out=out)
    if to in ("bundle", "redcap", "fhir") and date_mode != "shift" and not identifiable:
        raise InteropError("export.needs_dates", format=to)
    tables = _ordered(tables)
    dropped: tuple[str, ...] = ()
    key = None
    key_path = None
    notes: list[str] = []
    if not identifiable:
        result = deidentify(tables, seed=seed, date_mode=date_mode)
        tables, key, dropped = result.tables, result.key, result.dropped_columns
        key_path = Path(key_file) if key_file else default_key_path(out)
        if out.resolve() in key_path.resolve().parents:
            raise InteropError("export.key_inside", key=key_path, out=out)
        refuse_existing(key_path, what="Key file")

    if to == "xlsx":
        with staged_file(out, what="Export file") as staging:
            files = _write_xlsx(tables, staging, pseudonymous=not identifiable)
            if key is not None:
                _write_key(key, key_path)
        files = [out.name]
    else:
        with staged_directory(out, what="Export folder") as staging:
            files = _WRITERS[to](
                tables, staging, **_writer_options(to, identifiable, stata_version, notes)
            )
            if key is not None:
                _write_key(key, key_path)
    return ExportSummary(to, out, tuple(files), key_path, identifiable, dropped, tuple(notes))


def _writer_options(to: str, identifiable: bool, stata_version: int, notes: list) -> dict:
    """What the SPSS, Stata and CSV writers need beyond the tables."""
    if to in ("spss", "csv"):
        return {"pseudonymous": not identifiable}
    if to == "stata":
        return {"pseudonymous": not identifiable, "version": stata_version, "notes": notes}
    return {}


def _write_key(key: pd.DataFrame, path: Path) -> None:
    with staged_file(path, what="Key file") as staging:
        neutralise_frame(_iso_dates(key)).to_csv(staging, index=False)
