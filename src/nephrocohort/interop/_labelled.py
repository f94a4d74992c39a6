"""Turn a table into what SPSS and Stata users expect: numeric codes with labels.

Categories become 1..k in the order of the vocabulary (so ordinal scales sort
correctly), booleans 0/1, dates real dates. The same description drives the
variable labels, value labels, SPSS measurement levels and the codes declared
missing.

Every column is typed here, from its declaration (``_variables``), never from
its values: writers that guess a type from the first rows mistype a date
column whose first hundred values are empty (deaths, withdrawn consent), so
the frame handed on holds only ``float64`` numbers and ``str`` text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._variables import Variable, variable_for
from nephrocohort.messages import render_text

__all__ = ["LabelledFrame", "labelled_frame", "column_label", "DAYS_SUFFIX", "MISSING_CODES"]

DAYS_SUFFIX = "_days"
_BOOLEAN_LABELS = {0: "No", 1: "Yes"}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_EPOCH = np.datetime64("1970-01-01", "D")

#: Codes the derivation and the report read as "not recorded" (yes/no/unknown
#: becomes True/False/NA, cohort._derive_common.yes_no_to_bool; a serology of
#: "unknown" is no result). The export declares them missing, so that SPSS
#: FREQUENCIES and Stata ``tab`` give the report's denominators.
MISSING_CODES = frozenset({"unknown"})

#: How each column is stored: ``date`` (days since 1970-01-01), ``code`` (a
#: whole number with value labels), ``integer``, ``number`` or ``text``.
KINDS = ("date", "code", "integer", "number", "text")


@dataclass(frozen=True)
class LabelledFrame:
    """A frame of plain numbers and strings plus the labels that explain them.

    ``frame`` holds ``float64`` columns (dates as days since 1970-01-01) and
    ``str`` columns (empty string = not recorded); ``kinds`` says which is
    which. ``missing_codes`` lists, per coded column, the codes to declare
    missing.
    """

    frame: pd.DataFrame
    column_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]
    measures: dict[str, str]
    kinds: dict[str, str]
    missing_codes: dict[str, tuple[int, ...]]


def _row(series: pd.Series, bad: pd.Series) -> tuple[int, object]:
    """The first offending row (1-based, as a spreadsheet shows it) and its value."""
    position = int(np.flatnonzero(bad.to_numpy(dtype=bool))[0])
    return position + 1, series.iloc[position]


def _blank(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return (text.isna() | (text == "")).fillna(True).astype(bool)


def _dates(table: str, column: str, series: pd.Series) -> pd.Series:
    """Days since 1970-01-01 as float64 (NaN = no date); unreadable values are an error."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series
    else:
        values = pd.to_datetime(series.where(~_blank(series)), errors="coerce", format="ISO8601")
        bad = values.isna() & ~_blank(series)
        if bad.any():
            row, value = _row(series, bad)
            raise InteropError(
                "labelled.not_a_date", table=table, column=column, row=row, value=value
            )
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    out = (days - _EPOCH).astype("float64")
    out[np.isnat(days)] = np.nan
    return pd.Series(out, index=series.index, dtype="float64")


def _numbers(table: str, column: str, series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    values = pd.to_numeric(series.where(~_blank(series)), errors="coerce")
    bad = values.isna() & ~_blank(series)
    if bad.any():
        row, value = _row(series, bad)
        raise InteropError(
            "labelled.not_a_number", table=table, column=column, row=row, value=value
        )
    return pd.Series(values.astype("float64").to_numpy(), index=series.index, dtype="float64")


def _booleans(table: str, column: str, series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(float("nan"), index=series.index, dtype="float64")
    out[text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = 1.0
    out[text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = 0.0
    bad = (text.notna() & (text != "") & ~text.isin(_TRUE | _FALSE)).fillna(False)
    if bad.any():
        row, value = _row(series, bad)
        raise InteropError("labelled.not_boolean", table=table, column=column, row=row, value=value)
    return out


def _categories(table: str, variable: Variable, series: pd.Series) -> pd.Series:
    """Codes 1..k in vocabulary order; vectorised, since lab tables run to millions of rows."""
    text = series.astype("string").str.strip()
    # group 1/2 may arrive as numbers (1.0) from a typed dataset
    text = text.str.replace(r"\.0$", "", regex=True).replace("", pd.NA)
    codes = pd.Categorical(text, categories=list(variable.codes)).codes.astype("float64")
    out = pd.Series(codes, index=series.index).where(codes >= 0) + 1
    unknown = (text.notna() & (codes < 0)).fillna(False)
    if unknown.any():
        row, value = _row(series, unknown)
        raise InteropError(
            "labelled.unknown_code",
            table=table,
            column=variable.name,
            row=row,
            value=value,
            codes=", ".join(variable.codes),
        )
    return out.astype("float64")


def _texts(series: pd.Series) -> pd.Series:
    return pd.Series(
        ["" if pd.isna(v) else str(v) for v in series], index=series.index, dtype=object
    )


def _describe(table: str, column: str) -> Variable | None:
    variable = variable_for(table, column)
    if variable is not None:
        return variable
    if column.endswith(DAYS_SUFFIX):
        base = variable_for(table, column[: -len(DAYS_SUFFIX)])
        if base is not None and base.kind == "date":
            return Variable(column, f"{base.label}, days since onset", "integer")
    return None


def _undeclared(series: pd.Series) -> str:
    """The kind of a column the data model does not declare (identifiable exports keep it)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    present = series.dropna()
    if len(present) and all(isinstance(v, dt.date) for v in present):
        return "date"
    return "text"


def column_label(table: str, column: str, *, pseudonymous: bool = True) -> str:
    """The variable label of ``column``: its declared label, or its name if undeclared."""
    if column == "patient_id":
        return render_text(
            "labelled.patient_id." + ("pseudonym" if pseudonymous else "identifiable")
        )
    variable = _describe(table, column)
    return variable.label if variable is not None else column


def labelled_frame(table: str, frame: pd.DataFrame, *, pseudonymous: bool = True) -> LabelledFrame:
    """Encode ``frame`` (a raw table, or ``"analysis"``) for SPSS or Stata.

    ``pseudonymous`` says whether ``patient_id`` holds pseudonyms (a
    de-identified export) or the real identifiers; its label says which.
    """
    columns: dict[str, pd.Series] = {}
    value_labels: dict[str, dict[int, str]] = {}
    measures: dict[str, str] = {}
    kinds: dict[str, str] = {}
    missing: dict[str, tuple[int, ...]] = {}
    for column in frame.columns:
        series = frame[column]
        variable = _describe(table, column)
        kind = variable.kind if variable is not None else _undeclared(series)
        if kind == "date":
            columns[column], kinds[column] = _dates(table, column, series), "date"
        elif kind == "boolean":
            columns[column], kinds[column] = _booleans(table, column, series), "code"
            value_labels[column] = dict(_BOOLEAN_LABELS)
        elif kind == "category":
            columns[column], kinds[column] = _categories(table, variable, series), "code"
            value_labels[column] = {i + 1: text for i, (_, text) in enumerate(variable.choices)}
            declared = tuple(
                i + 1 for i, code in enumerate(variable.codes) if code in MISSING_CODES
            )
            if declared:
                missing[column] = declared
        elif kind in ("integer", "number"):
            columns[column], kinds[column] = _numbers(table, column, series), kind
        else:
            columns[column], kinds[column] = _texts(series), "text"
        if variable is not None:
            measures[column] = variable.measure
        else:
            measures[column] = "scale" if kind in ("date", "number") else "nominal"
    labels = {c: column_label(table, c, pseudonymous=pseudonymous) for c in frame.columns}
    out = pd.DataFrame(columns, index=frame.index).reset_index(drop=True)
    return LabelledFrame(out, labels, value_labels, measures, kinds, missing)
