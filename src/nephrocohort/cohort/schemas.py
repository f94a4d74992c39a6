"""pandera schemas of the tables of a valid ``Cohort``, generated from the contract.

A schema describes a table as it is *inside* a cohort: typed columns, labs in
canonical units. Loading parses the files into that shape and then runs these
schemas (lazily, so every failure is collected); ``validate_cohort`` runs the
same schemas on a cohort built in code. Each check carries the stable problem
code it reports as its ``name``.
"""

import datetime as dt

import numpy as np
import pandas as pd

try:
    import pandera.pandas as pa
except ImportError:  # pandera before 0.24 has the pandas API at the top level
    import pandera as pa
import pyarrow.compute as pc

from nephrocohort.cohort._fast import as_arrow, lookup_floats, lookup_text
from nephrocohort.cohort.contract import LAB_DERIVED_COLUMNS, SOURCE_ROW, TABLES
from nephrocohort.cohort.model import column_dtype
from nephrocohort.cohort.vocabulary import COLUMN_RANGES, LAB_TESTS

__all__ = ["table_schema", "lab_ranges", "NON_NEGATIVE_COLUMNS"]

# Numbers that have no upper limit worth checking but cannot be negative.
NON_NEGATIVE_COLUMNS = {("medications", "dose")}


def lab_ranges(tests: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Plausible low and high (canonical unit) for each lab row; NaN where a test has none."""
    lows = {name: test.plausible.low for name, test in LAB_TESTS.items() if test.plausible}
    highs = {name: test.plausible.high for name, test in LAB_TESTS.items() if test.plausible}
    low, high = lookup_floats(tests, lows, highs)
    return low, high


def _lab_value_plausible(frame: pd.DataFrame) -> pd.Series:
    low, high = lab_ranges(frame["test"])
    value = frame["value"].to_numpy(dtype="float64", na_value=np.nan)
    outside = (value < low) | (value > high)
    return pd.Series(~outside, index=frame.index)


def _lab_unit_canonical(frame: pd.DataFrame) -> pd.Series:
    canonical = lookup_text(
        frame["test"], {name: t.canonical_unit for name, t in LAB_TESTS.items()}
    )
    units = as_arrow(frame["unit"])
    same = pc.equal(units, as_arrow(canonical).cast(units.type))
    # Missing test or unit is reported by the not-null checks, not here.
    agrees = same.fill_null(True).to_numpy(zero_copy_only=False)
    return pd.Series(agrees, index=frame.index)


def _column_checks(table: str, column, as_of: dt.date | None) -> list[pa.Check]:
    checks = []
    if column.kind == "code":
        checks.append(pa.Check.isin(list(column.codes), name="unknown_code"))
    if column.kind == "date" and as_of is not None:
        checks.append(pa.Check.le(pd.Timestamp(as_of), name="future_date"))
    if (table, column.name) in COLUMN_RANGES:
        plausible = COLUMN_RANGES[(table, column.name)]
        checks.append(pa.Check.in_range(plausible.low, plausible.high, name="implausible"))
    if (table, column.name) in NON_NEGATIVE_COLUMNS:
        checks.append(pa.Check.ge(0, name="negative_value"))
    return checks


def table_schema(table: str, *, as_of: dt.date | None = None) -> pa.DataFrameSchema:
    """The schema of one cohort table; dates after ``as_of`` fail when it is given.

    Required columns must exist and may not be empty; optional columns may be
    absent. Extra columns are allowed (they are carried along).
    """
    spec = TABLES[table]
    columns = {}
    for column in spec.columns:
        columns[column.name] = pa.Column(
            column_dtype(table, column.name),
            checks=_column_checks(table, column, as_of),
            nullable=not column.required,
            required=column.required,
            unique=(table == "patients" and column.name == "patient_id"),
            description=column.description,
        )
    if table == "labs":
        for name in LAB_DERIVED_COLUMNS:
            columns[name] = pa.Column(column_dtype(table, name), nullable=True, required=False)
    columns[SOURCE_ROW] = pa.Column(column_dtype(table, SOURCE_ROW), nullable=True, required=False)
    checks = []
    if table == "labs":
        checks = [
            pa.Check(_lab_unit_canonical, name="unit_not_canonical"),
            pa.Check(_lab_value_plausible, name="implausible_lab"),
        ]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, name=table)
