"""Turn a table into what SPSS and Stata users expect: numeric codes with labels.

Categories become 1..k in the order of the vocabulary (so ordinal scales sort
correctly), booleans 0/1, dates real dates. The same description drives the
variable labels, value labels and SPSS measurement levels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._variables import Variable, variable_for

__all__ = ["LabelledFrame", "labelled_frame", "DAYS_SUFFIX"]

DAYS_SUFFIX = "_days"
_BOOLEAN_LABELS = {0: "No", 1: "Yes"}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


@dataclass(frozen=True)
class LabelledFrame:
    """A frame of plain numbers, dates and strings plus the labels that explain them."""

    frame: pd.DataFrame
    column_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]
    measures: dict[str, str]
    #: Date columns with no value at all: written as numeric dates, not empty text.
    empty_dates: tuple[str, ...] = ()


# code -> sentence (STYLE.md 2.6: user-facing sentences in one dict, keyed by a stable code).
MESSAGES: dict[str, str] = {
    "not_boolean": (
        "Table {table}, column {column}: value {value!r} is not a yes/no value; "
        "expected true/false (or 1/0)."
    ),
    "unknown_code": (
        "Table {table}, column {column}: value {value!r} is not one of the "
        "known codes ({codes}); it cannot be given a value label."
    ),
}


def _dates(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, errors="coerce")
    if values.isna().all():
        return pd.Series(float("nan"), index=series.index, dtype="float64")
    return pd.Series(
        [None if pd.isna(v) else dt.date(v.year, v.month, v.day) for v in values],
        index=series.index,
        dtype="object",
    )


def _booleans(table: str, column: str, series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(float("nan"), index=series.index, dtype="float64")
    out[text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = 1.0
    out[text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = 0.0
    bad = text.notna() & ~text.isin(_TRUE | _FALSE)
    if bad.any():
        value = series[bad.fillna(False).to_numpy(dtype=bool)].iloc[0]
        raise InteropError(MESSAGES["not_boolean"].format(table=table, column=column, value=value))
    return out


def _categories(table: str, variable: Variable, series: pd.Series) -> pd.Series:
    """Codes 1..k in vocabulary order; vectorised, since lab tables run to millions of rows."""
    text = series.astype("string").str.strip()
    # group 1/2 may arrive as numbers (1.0) from a typed dataset
    text = text.str.replace(r"\.0$", "", regex=True)
    codes = pd.Categorical(text, categories=list(variable.codes)).codes.astype("float64")
    out = pd.Series(codes, index=series.index).where(codes >= 0) + 1
    unknown = text.notna() & (codes < 0)
    if unknown.any():
        value = series[unknown.fillna(False).to_numpy(dtype=bool)].iloc[0]
        raise InteropError(
            MESSAGES["unknown_code"].format(
                table=table, column=variable.name, value=value, codes=", ".join(variable.codes)
            )
        )
    return out.astype("float64")


def _describe(table: str, column: str) -> tuple[Variable | None, str]:
    variable = variable_for(table, column)
    if variable is not None:
        return variable, variable.label
    if column.endswith(DAYS_SUFFIX):
        base = variable_for(table, column[: -len(DAYS_SUFFIX)])
        if base is not None and base.kind == "date":
            return Variable(column, f"{base.label}, days since onset", "integer"), ""
    return None, column


def labelled_frame(table: str, frame: pd.DataFrame) -> LabelledFrame:
    """Encode ``frame`` (a raw table, or ``"analysis"``) for SPSS or Stata."""
    columns: dict[str, pd.Series] = {}
    column_labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    measures: dict[str, str] = {}
    for column in frame.columns:
        series = frame[column]
        variable, label = _describe(table, column)
        if variable is None:
            if pd.api.types.is_datetime64_any_dtype(series):
                columns[column], measures[column] = _dates(series), "scale"
            elif pd.api.types.is_bool_dtype(series):
                columns[column], measures[column] = _booleans(table, column, series), "nominal"
                value_labels[column] = dict(_BOOLEAN_LABELS)
            elif pd.api.types.is_numeric_dtype(series):
                columns[column], measures[column] = series.astype("float64"), "scale"
            else:
                columns[column] = series.astype("string").fillna("").astype(str)
                measures[column] = "nominal"
            column_labels[column] = label
            continue
        column_labels[column] = variable.label
        measures[column] = variable.measure
        if variable.kind == "date":
            columns[column] = _dates(series)
        elif variable.kind == "boolean":
            columns[column] = _booleans(table, column, series)
            value_labels[column] = dict(_BOOLEAN_LABELS)
        elif variable.kind == "category":
            columns[column] = _categories(table, variable, series)
            value_labels[column] = {i + 1: text for i, (_, text) in enumerate(variable.choices)}
        elif variable.kind in ("integer", "number"):
            columns[column] = pd.to_numeric(series, errors="raise").astype("float64")
        else:
            columns[column] = series.astype("string").fillna("").astype(str)
    out = pd.DataFrame(columns, index=frame.index).reset_index(drop=True)
    empty_dates = tuple(
        name
        for name in out.columns
        if measures.get(name) == "scale"
        and out[name].dtype == "float64"
        and (
            pd.api.types.is_datetime64_any_dtype(frame[name])
            or getattr(variable_for(table, name), "kind", None) == "date"
        )
    )
    return LabelledFrame(out, column_labels, value_labels, measures, empty_dates)
