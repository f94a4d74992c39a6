"""The analysis dataset as a CSV file: written by ``derive --out``, read by ``report --data``.

Both directions follow the declarations in :mod:`nephrocohort.cohort.analysis`:
dates as ``YYYY-MM-DD``, booleans as ``true``/``false``, missing as an empty
cell, numbers unrounded; reading types each declared column by its dtype and
checks every cell like a bundle's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nephrocohort.cohort._analysis_checks import (
    BOOLEAN_WORDS,
    analysis_cell_problems,
    date_order_problems,
)
from nephrocohort.cohort.analysis import ANALYSIS_VARIABLES, Variable
from nephrocohort.cohort.problems import make_problem
from nephrocohort.cohort.spreadsheet_cells import neutralise_frame, restore_frame
from nephrocohort.cohort.validation import resolve_as_of
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.messages import library_detail

__all__ = ["read_analysis_csv", "write_analysis_csv", "typed_column"]


def write_analysis_csv(dataset: pd.DataFrame, path) -> None:
    """Write the analysis dataset as UTF-8 CSV that scripts and spreadsheets read alike.

    Dates as ``YYYY-MM-DD``, booleans as ``true``/``false``, missing values as
    empty cells; numbers unrounded (round only for display). ``path`` is a
    path or a text stream.
    """
    out = dataset.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.BooleanDtype):
            out[column] = series.map({True: "true", False: "false"}).astype("string")
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d").astype("string")
    neutralise_frame(out).to_csv(path, index=False, encoding="utf-8")


def read_analysis_csv(path: Path | str, *, as_of=None) -> pd.DataFrame:
    """An analysis dataset written as CSV (by ``derive``, ``import-table`` or an export), typed.

    Every cell is checked like a bundle's (codes, ISO dates not after
    ``as_of`` (default today), whole numbers, plausible ranges), then each
    patient's dates are checked for order. Raises
    :class:`~nephrocohort.exceptions.CohortValidationError` listing every
    problem with its row, column, value and what was expected; a file that is
    not UTF-8 CSV or has no ``patient_id`` column is one such problem.
    """
    path = Path(path)
    where = path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        detail = library_detail(error)
        problem = make_problem(
            "unreadable_file", table=where, where=where, detail=detail, kind="UTF-8 CSV"
        )
        raise CohortValidationError([problem], source=where) from None
    if "patient_id" not in frame.columns:
        problem = make_problem(
            "missing_column",
            table=where,
            column="patient_id",
            where=where,
            hint="An analysis dataset has one row per patient with a patient_id column; "
            "for the longitudinal records point --data at a bundle instead.",
        )
        raise CohortValidationError([problem], source=where)
    frame = restore_frame(frame).replace("", pd.NA)
    frame.index = range(2, len(frame) + 2)  # the row numbers the user sees (header = 1)
    as_of = resolve_as_of(as_of)
    problems = analysis_cell_problems(frame, where=where, table=where, as_of=as_of)
    bad_cells = {(problem.row, problem.column) for problem in problems}
    dates = {}
    for variable in ANALYSIS_VARIABLES:
        if variable.name not in frame.columns:
            continue
        column = frame[variable.name].copy()
        rejected = [row for row in column.index if (row, variable.name) in bad_cells]
        column.loc[rejected] = pd.NA
        frame[variable.name] = typed_column(variable, column)
        if variable.kind == "date":
            dates[variable.name] = frame[variable.name]
    problems.extend(date_order_problems(dates, where=where, table=where))
    if problems:
        order = {name: rank for rank, name in enumerate(frame.columns)}
        problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
        raise CohortValidationError(problems, source=where)
    return frame.reset_index(drop=True)


def typed_column(variable: Variable, column: pd.Series) -> pd.Series:
    """Checked cell texts (NA = empty) as the variable's declared dtype."""
    if variable.dtype == "datetime64[ns]":
        return pd.to_datetime(column, format="ISO8601").astype("datetime64[ns]")
    if variable.dtype == "boolean":
        mapped = column.map(lambda v: v if pd.isna(v) else BOOLEAN_WORDS[str(v).strip().lower()])
        return mapped.astype("boolean")
    if variable.dtype in ("Int64", "float64"):
        return pd.to_numeric(column).astype(variable.dtype)
    return column.astype(variable.dtype)
