"""Read what the user points ``--data`` at: a cohort bundle or an analysis-dataset CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nephrocohort.cohort.validation import resolve_as_of
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop._analysis_checks import analysis_cell_problems, date_order_problems
from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._variables import ANALYSIS_VARIABLES

__all__ = ["MESSAGES", "read_analysis_csv", "read_export_tables"]

# code -> sentence (STYLE.md 2.6: user-facing sentences in one dict, keyed by a stable code).
MESSAGES: dict[str, str] = {
    "unreadable": "{path} is not a readable UTF-8 CSV analysis dataset ({error}).",
    "no_patient_id": (
        "{path} has no patient_id column, so it is not an analysis dataset. Point --data at a "
        "bundle (a folder of CSV files or an .xlsx workbook) or at an analysis-dataset CSV."
    ),
    "not_found": "{path} does not exist. Point --data at a bundle or an analysis CSV.",
}


def read_analysis_csv(path: Path | str, *, as_of=None) -> pd.DataFrame:
    """An analysis dataset written as CSV (by ``import-table`` or an export), with typed dates.

    Every cell is checked like a bundle's (codes, ISO dates not after
    ``as_of`` (default today), whole numbers, plausible ranges), then each
    patient's dates are checked for order. Raises
    :class:`~nephrocohort.exceptions.CohortValidationError` listing every
    problem with its row, column, value and what was expected.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InteropError(MESSAGES["unreadable"].format(path=path, error=error)) from None
    if "patient_id" not in frame.columns:
        raise InteropError(MESSAGES["no_patient_id"].format(path=path))
    frame = frame.replace("", pd.NA)
    frame.index = range(2, len(frame) + 2)  # the row numbers the user sees (header = 1)
    as_of = resolve_as_of(as_of)
    where, table = path.name, path.name
    problems = analysis_cell_problems(frame, where=where, table=table, as_of=as_of)
    bad_cells = {(problem.row, problem.column) for problem in problems}
    dates = {}
    for variable in ANALYSIS_VARIABLES:
        if variable.name not in frame.columns:
            continue
        column = frame[variable.name].copy()
        rejected = [row for row in column.index if (row, variable.name) in bad_cells]
        column.loc[rejected] = pd.NA
        frame[variable.name] = _typed(variable, column)
        if variable.kind == "date":
            dates[variable.name] = frame[variable.name]
    problems.extend(date_order_problems(dates, where=where, table=table))
    if problems:
        order = {name: rank for rank, name in enumerate(frame.columns)}
        problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
        raise CohortValidationError(problems, source=path.name)
    return frame.reset_index(drop=True)


def _typed(variable, column: pd.Series) -> pd.Series:
    if variable.kind == "date":
        return pd.to_datetime(column, format="ISO8601").astype("datetime64[ns]")
    if variable.kind == "boolean":
        words = {"true": True, "false": False, "1": True, "0": False}
        mapped = column.map(lambda v: v if pd.isna(v) else words[str(v).strip().lower()])
        return mapped.astype("boolean")
    if variable.kind == "integer" or variable.name == "group":
        return pd.to_numeric(column).astype("Int64")
    if variable.kind == "number":
        return pd.to_numeric(column).astype("float64")
    return column.astype("string")


def read_export_tables(
    path: Path | str, *, rule_set: str = "study", include_analysis: bool = True
) -> dict[str, pd.DataFrame]:
    """The tables to export from ``path``: a bundle's raw tables plus its analysis dataset.

    A single ``.csv`` file is taken to be an analysis dataset on its own. For a
    bundle, the analysis dataset is derived with ``rule_set`` unless
    ``include_analysis`` is false.
    """
    path = Path(path)
    if not path.exists():
        raise InteropError(MESSAGES["not_found"].format(path=path))
    if path.is_file() and path.suffix.lower() == ".csv":
        return {"analysis": read_analysis_csv(path)}
    from nephrocohort.cohort import load_bundle

    cohort = load_bundle(path)
    tables = dict(cohort.tables)
    if include_analysis:
        from nephrocohort.clinical.rules import load_rule_set
        from nephrocohort.cohort import derive

        tables["analysis"] = derive(cohort, load_rule_set(rule_set))
    return tables
