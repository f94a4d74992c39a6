"""Write tables as a cohort bundle folder, validated before it is moved into place.

Importers (REDCap, FHIR) build plain text tables and hand them here: the
bundle is written to a staging folder, loaded with the same validator as any
user bundle (so an imported value is checked exactly like a typed one), and
only a bundle that loads is moved to its final place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nephrocohort.cohort.contract import SOURCE_ROW, TABLES
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop._output import staged_directory

__all__ = ["write_bundle_folder", "labs_as_entered", "write_validated_bundle"]

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
    return out.drop(columns=["measured_value", "measured_unit"])


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


def write_bundle_folder(tables: dict[str, pd.DataFrame], folder: Path) -> list[str]:
    """Write each table as ``<table>.csv`` (UTF-8, ISO dates) in ``folder``.

    Contract columns come first in contract order; extra columns follow;
    ``source_row`` (a position in some earlier file) is not written.
    """
    files = []
    for name, frame in tables.items():
        if name == "labs":
            frame = labs_as_entered(frame)
        contract = [c for c in TABLES[name].column_names if c in frame.columns]
        extra = [c for c in frame.columns if c not in contract and c != SOURCE_ROW]
        out = frame[contract + extra].apply(_text)
        path = Path(folder) / f"{name}.csv"
        out.to_csv(path, index=False, encoding="utf-8")
        files.append(path.name)
    return files


_FILE_ROW = re.compile(r"^.* row (?P<row>\d+)$")


def _origin_row(origin: str) -> int | None:
    """The row number in the user's file when ``origin`` is "<file> row N", else None."""
    match = _FILE_ROW.match(origin)
    return int(match.group("row")) if match else None


def _traced(problem, origins: dict[str, list[str]] | None):
    """The problem, with the converted table's rows replaced by where the values came from.

    Both the row the problem is on and the rows it cites (the ``rows`` of a
    duplicate patient) are mapped back, so "appears more than once (rows 2,
    20)" names rows of the user's file, not of the converted table.
    """
    from nephrocohort.cohort.problems import Problem

    table = (problem.table or "").removesuffix(".csv")
    rows = (origins or {}).get(table)
    if not rows or problem.row is None or not 2 <= problem.row < len(rows) + 2:
        return problem
    origin = rows[problem.row - 2]
    if isinstance(origin, dict):
        # A row built from several records (a FHIR visit): the one carrying the column.
        origin = origin.get(problem.column) or origin[None]
    converted = f"{table}.csv row {problem.row}"
    message = (
        problem.message.replace(converted, f"{origin} ({table})", 1)
        if converted in problem.message
        else f"{origin} ({table}): {problem.message}"
    )
    params = dict(problem.params)
    cited = params.get("rows")
    if isinstance(cited, str) and cited:
        positions = [int(part) for part in cited.split(", ") if part.strip().isdigit()]
        if positions and all(2 <= row < len(rows) + 2 for row in positions):
            places = [rows[row - 2] for row in positions]
            numbers = [_origin_row(place) for place in places]
            mapped = (
                ", ".join(str(number) for number in numbers)
                if None not in numbers
                else "; ".join(places)
            )
            message = message.replace(f"(rows {cited})", f"(rows {mapped})")
            params["rows"] = mapped
    file_row = _origin_row(origin)
    return Problem(
        code=problem.code,
        table=problem.table,
        row=problem.row if file_row is None else file_row,
        column=problem.column,
        value=problem.value,
        message=message,
        hint=problem.hint,
        params=params,
    )


def write_validated_bundle(
    tables: dict[str, pd.DataFrame],
    out: Path | str,
    *,
    source: str,
    origins: dict[str, list[str]] | None = None,
):
    """Write ``tables`` as a bundle at ``out`` only if it loads; return the loaded cohort.

    Raises :class:`~nephrocohort.exceptions.CohortValidationError` (every
    problem, nothing written) if the bundle does not validate. ``origins``
    gives, per table, where each row came from in the user's file (for
    example "records.csv row 7", or per column for a row merged from several
    records, with the key None for the row as a whole), so a problem names that place instead of a
    row of the converted table the user never saw.
    """
    from nephrocohort.cohort import load_bundle

    with staged_directory(Path(out), what="Output bundle") as staging:
        write_bundle_folder(tables, staging)
        try:
            cohort = load_bundle(staging)
        except CohortValidationError as error:
            problems = [_traced(problem, origins) for problem in error.problems]
            raise CohortValidationError(problems, source=source) from None
    return cohort
