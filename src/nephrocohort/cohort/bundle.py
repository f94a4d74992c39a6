"""Loading and saving a cohort bundle (a folder of CSV or Parquet files, or one XLSX workbook).

Loading never half-succeeds: either every table is valid and a ``Cohort``
comes back, or ``CohortValidationError`` carries the complete list of
problems. Saving writes what was measured (``measured_value`` and
``measured_unit`` as ``value`` and ``unit``), dates as YYYY-MM-DD, so that
loading the saved bundle gives the same cohort back.
"""

from pathlib import Path

import pandas as pd

from nephrocohort.clinical.units import DIPSTICK_GRADES_MG_DL
from nephrocohort.cohort.contract import LAB_DERIVED_COLUMNS, SOURCE_ROW, TABLE_NAMES, TABLES
from nephrocohort.cohort.model import Cohort
from nephrocohort.cohort.spreadsheet_cells import neutralise_frame, text_cells_as_strings
from nephrocohort.cohort.validation import parse_bundle, parse_tables
from nephrocohort.exceptions import CohortValidationError, NephroCohortError

__all__ = [
    "load_bundle",
    "load_bundle_checked",
    "load_tables_checked",
    "save_bundle",
    "BundleWriteError",
]

# An Excel sheet holds 1,048,576 rows, one of them the header.
_EXCEL_MAX_DATA_ROWS = 1_048_575


class BundleWriteError(NephroCohortError, ValueError):
    """A bundle cannot be written where or in the form the user asked."""


_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def load_bundle(path, *, as_of=None) -> Cohort:
    """Load and validate the bundle at ``path`` (a folder of CSV or Parquet files, or a .xlsx).

    A table may be a CSV or a Parquet file, not both (that is reported).

    Labs come back in canonical units (``value``, ``unit``) with the value as
    measured next to them (``measured_value``, ``measured_unit``); every table
    has ``source_row``, the row the user sees in the file. ``as_of`` (default:
    today, when called) is the latest date a value may have.

    Raises ``CohortValidationError`` listing every problem; nothing is loaded then.
    Warnings (contradictions to check) do not stop the load; see
    :func:`load_bundle_checked` for them.
    """
    return load_bundle_checked(path, as_of=as_of)[0]


def load_bundle_checked(path, *, as_of=None) -> tuple[Cohort, list]:
    """:func:`load_bundle`, and the warnings found (problems of severity ``warning``)."""
    problems, tables = parse_bundle(path, as_of=as_of)
    if tables is None:
        raise CohortValidationError(problems, source=str(path))
    return _cohort_of(tables), problems


def load_tables_checked(
    tables: dict, *, as_of=None, source: str = "tables", where: dict[str, str] | None = None
) -> tuple[Cohort, list]:
    """:func:`load_bundle_checked` for tables held in memory (nothing read or written on disk).

    ``tables``, ``source`` and ``where`` are as in
    :func:`~nephrocohort.cohort.validation.parse_tables`: the same values in
    files and in memory load to the same cohort, with the same problems.
    Raises ``CohortValidationError`` (``source`` named) listing every problem.
    """
    problems, typed = parse_tables(tables, as_of=as_of, source=source, where=where)
    if typed is None:
        raise CohortValidationError(problems, source=source)
    return _cohort_of(typed), problems


def _cohort_of(tables: dict[str, pd.DataFrame]) -> Cohort:
    return Cohort(**{name: _with_typed_extras(frame, name) for name, frame in tables.items()})


def _with_typed_extras(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Extra columns holding only true/false or only YYYY-MM-DD dates get that type back."""
    known = set(TABLES[table].column_names) | set(LAB_DERIVED_COLUMNS) | {SOURCE_ROW}
    for name in frame.columns:
        if name in known:
            continue
        values = frame[name]
        present = values.dropna()
        if present.empty:
            continue
        lowered = present.str.lower()
        if lowered.isin(["true", "false"]).all():
            frame[name] = values.str.lower().map({"true": True, "false": False}).astype("boolean")
        elif present.str.fullmatch(_DATE_PATTERN).all():
            dates = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
            if dates.notna().sum() == len(present):
                frame[name] = dates.astype("datetime64[ns]")
    return frame


def save_bundle(cohort: Cohort, path) -> Path:
    """Write ``cohort`` as a folder of CSV files, or as one workbook if ``path`` ends in .xlsx.

    Returns the path written. Existing table files at ``path`` are replaced.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        for name, frame in cohort.tables.items():
            if len(frame) > _EXCEL_MAX_DATA_ROWS:
                raise BundleWriteError(
                    "bundle.too_many_rows_for_excel",
                    table=name,
                    rows=len(frame),
                    maximum=_EXCEL_MAX_DATA_ROWS,
                )
    elif path.exists() and not path.is_dir():
        raise BundleWriteError("bundle.path_is_file", path=str(path))
    tables = {name: _for_disk(name, frame) for name, frame in cohort.tables.items()}
    if path.suffix.lower() == ".xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(
            path, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD"
        ) as writer:
            for name in TABLE_NAMES:
                tables[name].to_excel(writer, sheet_name=name, index=False)
                text_cells_as_strings(writer.sheets[name])
        return path
    path.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        neutralise_frame(tables[name]).to_csv(
            path / f"{name}.csv", index=False, date_format="%Y-%m-%d", na_rep="", encoding="utf-8"
        )
    return path


def _lab_values_as_entered(labs: pd.DataFrame) -> pd.Series:
    """Measured values; dipstick results back as the grade they were converted from."""
    values = labs["measured_value"].astype("object").where(labs["measured_value"].notna(), None)
    dipstick = (labs["test"] == "dipstick_protein").to_numpy(dtype=bool, na_value=False)
    if dipstick.any():
        grade_of = {}
        for grade, mg_dl in DIPSTICK_GRADES_MG_DL.items():
            grade_of.setdefault(mg_dl, grade)
        values[dipstick] = labs.loc[dipstick, "measured_value"].map(grade_of).to_numpy()
    return values


def _for_disk(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table as the user would have typed it: measured lab values, no bookkeeping columns."""
    out = frame.drop(columns=[SOURCE_ROW], errors="ignore").copy()
    if name == "labs":
        out["value"] = _lab_values_as_entered(out)
        out["unit"] = out["measured_unit"]
        out = out.drop(columns=list(LAB_DERIVED_COLUMNS))
    for column in out.columns:
        if out[column].dtype == "boolean" or out[column].dtype == bool:
            texts = out[column].map({True: "true", False: "false"})
            out[column] = texts.astype("object").where(out[column].notna(), None)
    return out
