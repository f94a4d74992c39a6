"""The in-memory cohort: one pandas DataFrame per table of the data contract.

A ``Cohort`` is what every later step reads (derivation, report, registry
export), whichever store it came from. Construction is forgiving about what
is *absent* (missing tables or columns become correctly typed empty ones) and
strict about types: dates become ``datetime64[ns]``, numbers ``float64``,
text and codes pandas ``string`` (pyarrow storage), ``source_row`` nullable ``Int64``. It does
not validate clinical content; ``load_bundle`` does that before building one.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields

import pandas as pd

from nephrocohort.cohort.contract import LAB_DERIVED_COLUMNS, SOURCE_ROW, TABLE_NAMES, TABLES

__all__ = ["Cohort", "column_dtype", "empty_table", "typed_table"]

# Text is stored by pyarrow: compact and fast for ten million lab rows; it
# behaves as pandas "string" (``dtype == "string"`` is True).
TEXT = pd.StringDtype("pyarrow")
_KIND_DTYPES = {
    "text": TEXT,
    "code": TEXT,
    "date": "datetime64[ns]",
    "number": "float64",
    "lab_value": "float64",
}
_EXTRA_DTYPES = {
    ("labs", "measured_value"): "float64",
    ("labs", "measured_unit"): TEXT,
    ("labs", "unit_from_notation"): TEXT,
}


# Labs built in code without the measured columns: where each is taken from.
_AS_MEASURED = {"measured_value": "value", "measured_unit": "unit"}


def column_dtype(table: str, column: str):
    """The pandas dtype a contract column has inside a ``Cohort`` (None for extra columns)."""
    if column == SOURCE_ROW:
        return "Int64"
    if (table, column) in _EXTRA_DTYPES:
        return _EXTRA_DTYPES[(table, column)]
    spec = TABLES[table]
    if column in spec.column_names:
        return _KIND_DTYPES[spec.column(column).kind]
    return None


def _model_columns(table: str) -> list[str]:
    columns = list(TABLES[table].column_names)
    if table == "labs":
        columns += list(LAB_DERIVED_COLUMNS)
    return columns + [SOURCE_ROW]


def empty_table(table: str) -> pd.DataFrame:
    """A table with no rows and every contract column, correctly typed."""
    return pd.DataFrame(
        {column: pd.Series(dtype=column_dtype(table, column)) for column in _model_columns(table)}
    )


def _coerce(series: pd.Series, dtype) -> pd.Series:
    if series.dtype == dtype:
        return series
    if dtype == "datetime64[ns]":
        return pd.to_datetime(series, format="ISO8601").astype("datetime64[ns]")
    if dtype == "float64":
        return pd.to_numeric(series).astype("float64")
    if dtype == "Int64":
        return pd.to_numeric(series).astype("Int64")
    return series.astype(dtype)


def _positional(series: pd.Series) -> pd.Series:
    """The series on a 0..n-1 index (without copying when it already has one)."""
    index = series.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return series
    return series.reset_index(drop=True)


def typed_table(table: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` with every contract column of ``table`` present and typed (None: empty table)."""
    if frame is None:
        return empty_table(table)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"The {table} table must be a pandas DataFrame, got {type(frame).__name__}."
        )
    length = len(frame)
    index = pd.RangeIndex(length)
    data: dict[str, pd.Series] = {}
    for column in _model_columns(table):
        dtype = column_dtype(table, column)
        if column in frame.columns:
            data[column] = _coerce(_positional(frame[column]), dtype)
        elif table == "labs" and column in _AS_MEASURED and _has_lab_values(frame):
            # Labs given without the measured columns are taken as already canonical.
            source = _AS_MEASURED[column]
            data[column] = _coerce(_positional(frame[source]), dtype)
        else:
            data[column] = pd.Series(None, index=index, dtype=dtype)
    for column in frame.columns:
        if column not in data:
            data[column] = _positional(frame[column])
    return pd.DataFrame(data, index=index, copy=False)


def _has_lab_values(frame: pd.DataFrame) -> bool:
    return "value" in frame.columns and "unit" in frame.columns


@dataclass(frozen=True, eq=False)
class Cohort:
    """A cohort: one DataFrame per table of the data contract.

    Pass any subset of tables; missing tables and missing contract columns are
    filled with empty, correctly typed ones, and extra columns are carried
    along. ``labs`` given without ``measured_value``/``measured_unit`` is
    taken to be in canonical units already. The DataFrames are shared, not
    copied defensively: treat them as read-only.

    Example
    -------
    >>> import pandas as pd
    >>> Cohort(patients=pd.DataFrame({"patient_id": ["P1"], "sex": ["F"],
    ...                               "birth_date": ["2012-03-14"]}))
    Cohort(1 patient; biopsies=0, genetics=0, visits=0, labs=0, medications=0, events=0)
    """

    patients: pd.DataFrame | None = None
    biopsies: pd.DataFrame | None = None
    genetics: pd.DataFrame | None = None
    visits: pd.DataFrame | None = None
    labs: pd.DataFrame | None = None
    medications: pd.DataFrame | None = None
    events: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            object.__setattr__(self, field.name, typed_table(field.name, getattr(self, field.name)))

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> "Cohort":
        """Build a cohort from a mapping of table name to DataFrame (any subset)."""
        unknown = sorted(set(tables) - set(TABLE_NAMES))
        if unknown:
            raise KeyError(
                f"Unknown table(s) {', '.join(unknown)}; the tables are {', '.join(TABLE_NAMES)}."
            )
        return cls(**dict(tables))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in the order of the data contract."""
        return {name: getattr(self, name) for name in TABLE_NAMES}

    @property
    def n_patients(self) -> int:
        """Number of rows in ``patients``."""
        return int(len(self.patients))

    def row_counts(self) -> dict[str, int]:
        """Rows per table, in the order of the data contract."""
        return {name: int(len(frame)) for name, frame in self.tables.items()}

    def __repr__(self) -> str:
        counts = self.row_counts()
        patients = counts.pop("patients")
        noun = "patient" if patients == 1 else "patients"
        rest = ", ".join(f"{name}={count:,}" for name, count in counts.items())
        return f"Cohort({patients:,} {noun}; {rest})"
