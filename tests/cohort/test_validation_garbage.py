"""Random garbage never crashes the loader: a bundle loads or gives CohortValidationError."""

import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nephrocohort.cohort import load_bundle
from nephrocohort.cohort.contract import TABLES
from nephrocohort.cohort.vocabulary import LAB_TESTS
from nephrocohort.exceptions import CohortValidationError

AS_OF = dt.date(2025, 1, 1)

# Cells that are valid somewhere, mixed with text that is valid nowhere.
plausible_cells = st.sampled_from(
    ["P1", "P2", "F", "M", "2012-03-14", "2016-02-30", "1.45", "121", "25", "g/L", "g/dL",
     "upcr", "mg/mmol", "dipstick_protein", "2+", "trace", "mmf", "relapse", "NA", "", " ",
     "yes", "unknown", "-1", "1e309", "nan", "inf", "0x10", "1,5", '"', "\n", "P1 "]
)  # fmt: skip
garbage_cells = st.text(max_size=12)
cells = st.one_of(plausible_cells, garbage_cells)


def rows_for(table: str):
    width = len(TABLES[table].columns)
    return st.lists(st.lists(cells, min_size=width, max_size=width), max_size=6)


def write_table(folder: Path, table: str, rows, *, drop_column: int | None):
    header = list(TABLES[table].column_names)
    if drop_column is not None and drop_column < len(header):
        header.pop(drop_column)
        rows = [row[:drop_column] + row[drop_column + 1 :] for row in rows]
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def load_or_report(folder: Path) -> None:
    try:
        cohort = load_bundle(folder, as_of=AS_OF)
    except CohortValidationError as error:
        assert error.problems, "an error must list its problems"
        for problem in error.problems:
            assert problem.message
    else:
        assert set(cohort.labs["test"].dropna()) <= set(LAB_TESTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    patients=rows_for("patients"),
    labs=rows_for("labs"),
    medications=rows_for("medications"),
    drop_column=st.one_of(st.none(), st.integers(min_value=0, max_value=8)),
)
def test_random_cells_load_or_give_a_validation_error(patients, labs, medications, drop_column):
    folder = Path(tempfile.mkdtemp())
    try:
        write_table(folder, "patients", patients, drop_column=None)
        write_table(folder, "labs", labs, drop_column=drop_column)
        write_table(folder, "medications", medications, drop_column=None)
        load_or_report(folder)
    finally:
        shutil.rmtree(folder)


@settings(max_examples=30, deadline=None)
@given(content=st.binary(max_size=200))
def test_random_bytes_as_a_table_give_a_validation_error(content):
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / "patients.csv").write_bytes(b"patient_id,sex,birth_date\nP1,F,2012-03-14\n")
        (folder / "events.csv").write_bytes(content)
        load_or_report(folder)
    finally:
        shutil.rmtree(folder)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                plausible_cells,
                st.integers(min_value=-(10**12), max_value=10**12),
                st.floats(allow_nan=True, allow_infinity=False),
                st.datetimes(min_value=dt.datetime(1900, 1, 1)),
                st.booleans(),
                st.none(),
            ),
            min_size=3,
            max_size=5,
        ),
        max_size=5,
    )
)
def test_random_excel_cells_load_or_give_a_validation_error(rows):
    from openpyxl import Workbook

    folder = Path(tempfile.mkdtemp())
    try:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "patients"
        sheet.append(["patient_id", "sex", "birth_date"])
        for row in rows:
            sheet.append([_excel_safe(cell) for cell in row])
        workbook.save(folder / "cohort.xlsx")
        load_or_report(folder / "cohort.xlsx")
    finally:
        shutil.rmtree(folder)


def _excel_safe(cell):
    # openpyxl itself refuses control characters; a user's file cannot contain them either.
    if isinstance(cell, str):
        return "".join(ch for ch in cell if ch >= " " or ch in "\t\n")
    return cell
