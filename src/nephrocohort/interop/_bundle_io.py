"""Write tables as a cohort bundle folder, validated before anything is written.

Importers (REDCap, FHIR, OMOP) build plain tables and hand them here: the
tables are validated in memory as the text of the bundle's files, with the
same validator as any user bundle (so an imported value is checked exactly
like a typed one), and only tables that load are written, to a staging folder
moved to its final place (nothing half-written, nothing written on error).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from nephrocohort.cohort.contract import LAB_DERIVED_COLUMNS, SOURCE_ROW, TABLES
from nephrocohort.cohort.problems import Origin, Problem, RowList
from nephrocohort.cohort.spreadsheet_cells import neutralise_frame
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop._output import refuse_existing, staged_directory
from nephrocohort.messages import Message

__all__ = [
    "bundle_csv_texts",
    "bundle_text_frames",
    "write_bundle_folder",
    "labs_as_entered",
    "validated_cohort",
    "write_validated_bundle",
]

_DIPSTICK_WORDS = ("negative", "trace", "30", "100", "300", "1000")


def _dipstick_grade_by_mg_dl() -> dict[float, str]:
    from nephrocohort.clinical.units import dipstick_to_mg_dl

    return {float(dipstick_to_mg_dl(word)): word for word in _DIPSTICK_WORDS}


def labs_as_entered(labs: pd.DataFrame) -> pd.DataFrame:
    """``labs`` with ``value``/``unit`` as measured, dipstick results as grade words.

    A loaded cohort keeps the measured value next to the canonical one; writing
    the measured one back means a re-import converts it exactly as the first
    load did.
    """
    out = labs.copy()
    if "measured_value" not in out.columns:
        return out
    out["value"] = out["measured_value"].astype("object")
    out["unit"] = out["measured_unit"]
    dipstick = out["test"].astype("string").eq("dipstick_protein").fillna(False).to_numpy()
    if dipstick.any():
        grades = _dipstick_grade_by_mg_dl()
        values = pd.to_numeric(out.loc[dipstick, "measured_value"], errors="coerce")
        out.loc[dipstick, "value"] = [grades.get(float(v), v) for v in values]
        out.loc[dipstick, "unit"] = "mg/dL"
    # Derived on load (and derived again on re-import): never written, as save_bundle does.
    return out.drop(columns=[c for c in LAB_DERIVED_COLUMNS if c in out.columns])


def _text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_float_dtype(series):
        return series.map(
            lambda v: (
                "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v)))
            )
        )
    return series


def bundle_text_frames(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table as the cells of its ``<table>.csv`` (ISO dates, labs as entered), by table.

    Contract columns come first in contract order; extra columns follow;
    ``source_row`` (a position in some earlier file) is left out.
    """
    frames = {}
    for name, frame in tables.items():
        if name == "labs":
            frame = labs_as_entered(frame)
        contract = [c for c in TABLES[name].column_names if c in frame.columns]
        extra = [c for c in frame.columns if c not in contract and c != SOURCE_ROW]
        frames[name] = frame[contract + extra].apply(_text)
    return frames


def bundle_csv_texts(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each table as the text of its ``<table>.csv`` (see :func:`bundle_text_frames`).

    Text a spreadsheet would run as a formula is quoted (the readers take the
    quote off again). The command line's bundle export and the registry's zip
    both write these texts.
    """
    return {
        f"{name}.csv": neutralise_frame(frame).to_csv(index=False)
        for name, frame in bundle_text_frames(tables).items()
    }


def write_bundle_folder(tables: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    """Write each table as ``<table>.csv`` (UTF-8, see :func:`bundle_csv_texts`) in ``folder``."""
    files = []
    for file_name, text in bundle_csv_texts(tables).items():
        (Path(folder) / file_name).write_text(text, encoding="utf-8", newline="")
        files.append(file_name)
    return files


def _traced(problem: Problem, origins: dict[str, list] | None) -> Problem:
    """The problem, placed where its row came from in the user's file (not the converted table).

    Both the row the problem is on and the rows it cites (the ``rows`` of a
    duplicate patient, the ``other_row`` of an overlapping course) are mapped
    back, so "appears more than once (rows 2, 20)" names rows of the user's
    file (or the FHIR resources), not of the converted table.
    """
    rows = (origins or {}).get(problem.table or "")
    if not rows or problem.row is None or not 2 <= problem.row < len(rows) + 2:
        return problem
    origin = _as_origin(rows[problem.row - 2], problem.column)
    params = dict(problem.params)
    cited = params.get("rows")
    if (
        isinstance(cited, RowList)
        and cited
        and all(row is not None and 2 <= row < len(rows) + 2 for row in cited)
    ):
        places = [_as_origin(rows[row - 2], problem.column) for row in cited]
        if all(place.row is not None for place in places):
            params["rows"] = RowList(place.row for place in places)
        else:
            params["rows"] = "; ".join(_shown(place) for place in places)
    other = params.get("other_row")
    if isinstance(other, int) and 2 <= other < len(rows) + 2:
        # The row another row is compared with (the earlier of overlapping courses).
        place = _as_origin(rows[other - 2], problem.column)
        params["other_row"] = place.row
        params["other_source"] = place.source
        params["other"] = (
            place.source
            if place.row is None
            else Message("location.source_row", {"source": place.source, "row": place.row})
        )
    return dataclasses.replace(problem, source=origin.source, row=origin.row, params=params)


def _as_origin(origin, column: str | None) -> Origin:
    if isinstance(origin, dict):
        # A row built from several records (a FHIR visit): the one carrying the column.
        origin = origin.get(column) or origin[None]
    return Origin(origin) if isinstance(origin, str) else origin  # a str: a resource's name


def _shown(origin: Origin) -> str:
    return origin.source if origin.row is None else f"{origin.source} row {origin.row}"


def validated_cohort(
    tables: dict[str, pd.DataFrame],
    *,
    source: str,
    origins: dict[str, list] | None = None,
    as_of=None,
):
    """(cohort, warnings): ``tables`` loaded in memory exactly as their bundle's files would be.

    Nothing is read or written on disk. Raises
    :class:`~nephrocohort.exceptions.CohortValidationError` (every problem,
    ``source`` named) when the tables do not validate; each problem is placed
    by ``origins`` (see :func:`write_validated_bundle`). A problem of no row
    names the table's file (``labs.csv``), as when the files are loaded.
    """
    from nephrocohort.cohort.bundle import load_tables_checked

    frames = bundle_text_frames(tables)
    try:
        return load_tables_checked(
            frames, as_of=as_of, source=source, where={name: f"{name}.csv" for name in frames}
        )
    except CohortValidationError as error:
        problems = [_traced(problem, origins) for problem in error.problems]
        raise CohortValidationError(problems, source=source) from None


def write_validated_bundle(
    tables: dict[str, pd.DataFrame],
    out: Path | str,
    *,
    source: str,
    origins: dict[str, list] | None = None,
):
    """Write ``tables`` as a bundle at ``out`` only if it loads; return the loaded cohort.

    The tables are validated in memory (:func:`validated_cohort`) before
    anything is written. Raises
    :class:`~nephrocohort.exceptions.CohortValidationError` (every problem,
    nothing written) if the bundle does not validate. ``origins`` gives, per
    table, where each row came from in the user's file (for example
    ``Origin("records.csv", 7)``, a FHIR resource's name, or per column for a
    row merged from several records, with the key None for the row as a
    whole), so a problem names that place instead of a row of the converted
    table the user never saw.
    """
    out = Path(out)
    refuse_existing(out, what="Output bundle")
    cohort, _warnings = validated_cohort(tables, source=source, origins=origins)
    with staged_directory(out, what="Output bundle") as staging:
        write_bundle_folder(tables, staging)
    return cohort
