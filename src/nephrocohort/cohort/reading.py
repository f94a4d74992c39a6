"""Reading a bundle from disk into raw text tables, before any validation.

A bundle is a folder of CSV or Parquet files (one file per table) or one XLSX
workbook. Every cell is read as
text (whitespace trimmed; empty cells and NA/N/A/NULL/NaN as missing) and
every row keeps the row number the user sees in the file or sheet (header =
row 1), so each later finding can point at it. File-level trouble (wrong kind
of file, encoding, empty file, unknown or missing tables, rows with too many
values) is collected as problems here.

CSV files are parsed with pyarrow (fast, multi-threaded); if a file has rows
of the wrong width it is re-read with the csv module, whose record numbers
are exact, so the report can name each row.

Parquet files (``nephrocohort demo --patients N`` writes them for large
cohorts) have typed columns: they are turned into the text a CSV of the same
table would hold (dates YYYY-MM-DD, numbers as written, labs as measured), so
exactly the same checks run on them. Their rows are numbered as in that CSV
(the first record is row 2). A table present both as CSV and as Parquet is
refused: which one is meant is not guessed.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from nephrocohort.clinical.units import DIPSTICK_GRADES_MG_DL
from nephrocohort.cohort.contract import REQUIRED_TABLES, TABLE_NAMES, TABLES
from nephrocohort.cohort.problems import Problem, make_problem
from nephrocohort.cohort.spreadsheet_cells import QUOTE, RESTORE_PATTERN
from nephrocohort.messages import Message, library_detail

__all__ = [
    "RawTable",
    "RawBundle",
    "read_raw_bundle",
    "raw_table_of",
    "header_problems",
    "MISSING_TOKENS",
]

# Cell contents that mean "no value" (after trimming), as R, SPSS and Excel write them.
MISSING_TOKENS = ("", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_FOLDER_SUFFIXES = (".csv", ".parquet")
_README_SHEETS = ("readme", "read me", "instructions")
_TEXT = pd.StringDtype("pyarrow")
_BLANK_PREFIX = "\x00blank column "


@dataclass
class RawTable:
    """One table as text: ``frame`` has the file's header, ``source_row`` the user's row numbers."""

    name: str
    where: str
    frame: pd.DataFrame
    source_row: np.ndarray


@dataclass
class RawBundle:
    """Every table read from a bundle, plus the problems found while reading."""

    source: str
    kind: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_raw_bundle(path) -> RawBundle:
    """Read a folder of CSV files or one XLSX workbook as text tables (no validation)."""
    path = Path(path)
    if not path.exists():
        bundle = RawBundle(str(path), "missing")
        hint = Message("hint.bundle_path")
        bundle.problems.append(make_problem("path_not_found", path=path, hint=hint))
        return bundle
    if path.is_dir():
        bundle = _read_folder(path)
    elif path.suffix.lower() in _XLSX_SUFFIXES:
        bundle = _read_workbook(path)
    else:
        bundle = RawBundle(str(path), "file")
        suffix = path.suffix or "extension-less"
        bundle.problems.append(make_problem("not_a_bundle", path=path, suffix=suffix))
        return bundle
    for table in REQUIRED_TABLES:
        if table not in bundle.tables and not _already_reported(bundle.problems, table):
            expected = {"csv": f"{table}.csv", "parquet": f"{table}.parquet"}.get(
                bundle.kind, f"a sheet named {table}"
            )
            bundle.problems.append(
                make_problem("missing_table", table=table, expected=expected, path=path)
            )
    return bundle


def _already_reported(problems: list[Problem], table: str) -> bool:
    """The table itself had a problem, or the whole bundle could not be read."""
    unreadable = {"unreadable_file", "no_tables"}
    return any(
        problem.table == table
        or (problem.table is None and problem.code in unreadable)
        or (problem.code == "table_twice" and table in problem.params["tables"].split(", "))
        for problem in problems
    )


def _read_folder(folder: Path) -> RawBundle:
    bundle = RawBundle(str(folder), "csv")
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _FOLDER_SUFFIXES
    )
    if not files:
        workbooks = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in _XLSX_SUFFIXES)
        hint = (
            f"The folder holds {workbooks[0]}: give the path of that workbook instead."
            if workbooks
            else f"The tables are: {', '.join(TABLE_NAMES)}."
        )
        bundle.problems.append(make_problem("no_tables", path=folder, hint=hint))
        return bundle
    by_table: dict[str, list[Path]] = {}
    for file in files:
        name = file.stem.strip().lower()
        if name not in TABLES:
            bundle.problems.append(
                make_problem("unknown_table", source=file.name, tables=", ".join(TABLE_NAMES))
            )
            continue
        by_table.setdefault(name, []).append(file)
    twice = [name for name in TABLE_NAMES if len(by_table.get(name, ())) > 1]
    if twice:
        bundle.problems.append(
            make_problem(
                "table_twice",
                table=twice[0] if len(twice) == 1 else None,
                source=str(folder),
                tables=", ".join(twice),
                count=len(twice),
            )
        )
    for name, found in by_table.items():
        if len(found) > 1:
            continue
        (file,) = found
        if file.suffix.lower() == ".parquet":
            table, problems = _read_parquet(file, name)
        else:
            table, problems = _read_csv(file, name)
        bundle.problems.extend(problems)
        if table is not None:
            bundle.tables[name] = table
    if bundle.tables and all(
        file.suffix.lower() == ".parquet" for found in by_table.values() for file in found
    ):
        bundle.kind = "parquet"
    return bundle


def _example_header(table: str) -> str:
    return ",".join(TABLES[table].required_columns)


def _empty_file(table: str, where: str) -> Problem:
    example = _example_header(table)
    hint = Message("hint.header_example", {"example": example})
    return make_problem("empty_file", table=table, source=where, example=example, hint=hint)


def _read_csv(file: Path, table: str) -> tuple[RawTable | None, list[Problem]]:
    where = file.name
    with file.open("rb") as handle:
        head = handle.read(1 << 16)
    if not head.strip() and not file.read_bytes().strip():
        return None, [_empty_file(table, where)]
    first_line = head.split(b"\n", 1)[0]
    try:
        header_text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_encoding_problem(file.read_bytes(), table, where)]
    lines = header_text.splitlines() or [""]
    try:
        header = [name.strip() for name in next(csv.reader([lines[0]]), [])]
    except csv.Error as error:
        detail = f"the header row cannot be read ({error})"
        return None, [
            make_problem("unreadable_file", table=table, source=where, detail=detail, kind="CSV")
        ]
    # Excel often saves empty columns after the last one ("a,b,,"): harmless while they stay empty.
    named = len(header)
    while named > 1 and not header[named - 1]:
        named -= 1
    blanks = [f"{_BLANK_PREFIX}{position}" for position in range(named + 1, len(header) + 1)]
    problems = header_problems(header[:named], table, where)
    if problems:
        return None, problems
    header = header[:named] + blanks
    try:
        arrow_table, invalid_rows = _parse_with_arrow(file, header)
    except pa.ArrowInvalid:
        # Not UTF-8 is said as such; any other fault is found by the exact reader.
        problem = _encoding_problem(file.read_bytes(), table, where)
        if problem.code == "not_utf8":
            return None, [problem]
        invalid_rows = 1
    if invalid_rows:
        raw, problems = _read_csv_exactly(file, header, table, where)
    else:
        columns = {name: arrow_table.column(index) for index, name in enumerate(header)}
        rows = np.arange(arrow_table.num_rows, dtype="int64") + 2
        raw, problems = _raw_table(table, where, columns, rows, tokens_are_null=True), []
    if raw is not None and blanks:
        filled = [name for name in blanks if raw.frame[name].notna().any()]
        if filled:
            positions = [int(name[len(_BLANK_PREFIX) :]) for name in filled]
            return None, problems + [
                make_problem("blank_column_name", table=table, source=where, position=position)
                for position in positions
            ]
        raw.frame = raw.frame.drop(columns=blanks)
    return raw, problems


def _encoding_problem(data: bytes, table: str, where: str) -> Problem:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        byte = f"{data[error.start]:02X}"
        return make_problem("not_utf8", table=table, row=row, source=where, byte=byte)
    return make_problem(
        "unreadable_file",
        table=table,
        source=where,
        detail="the text could not be decoded",
        kind="CSV",
    )


def header_problems(
    header: list[str], table: str, where: str, *, delimiters: bool = True
) -> list[Problem]:
    """A header's faults (a blank name, a repeated name, another separator), in order.

    The one header check: the bundle reader and the interop readers (a legacy
    sheet, a REDCap export) give a fault the same code.
    """
    problems = []
    if delimiters and len(header) == 1:
        for delimiter in (";", "\t", "|"):
            if delimiter in header[0]:
                shown = "tab" if delimiter == "\t" else delimiter
                return [make_problem("wrong_delimiter", table=table, source=where, delimiter=shown)]
    seen = set()
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(
                make_problem("blank_column_name", table=table, source=where, position=position)
            )
        elif name in seen:
            problems.append(
                make_problem("duplicate_column", table=table, column=name, source=where)
            )
        seen.add(name)
    return problems


def _parse_with_arrow(file: Path, header: list[str]) -> tuple[pa.Table, int]:
    invalid = []

    def on_invalid_row(row):
        invalid.append(row)
        return "skip"

    table = pa_csv.read_csv(
        str(file),
        read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
        parse_options=pa_csv.ParseOptions(
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid_row,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            null_values=list(MISSING_TOKENS),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return table, len(invalid)


def _read_csv_exactly(
    file: Path, header: list[str], table: str, where: str
) -> tuple[RawTable | None, list[Problem]]:
    """Slow path with exact record numbers, for files with rows of the wrong width."""
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [_encoding_problem(data, table, where)]
    problems: list[Problem] = []
    width = len(header)
    values: list[list[str]] = [[] for _ in header]
    rows: list[int] = []
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        detail = str(error)
        return None, [
            make_problem("unreadable_file", table=table, source=where, detail=detail, kind="CSV")
        ]
    for number, record in enumerate(records[1:], start=2):
        if not record:
            record = [""] * width
        if len(record) != width:
            if len(record) > width and not any(cell.strip() for cell in record[width:]):
                record = record[:width]
            else:
                problems.append(
                    make_problem(
                        "ragged_row",
                        table=table,
                        row=number,
                        source=where,
                        actual=len(record),
                        expected=width,
                    )
                )
                continue
        for column, cell in zip(values, record, strict=True):
            column.append(cell)
        rows.append(number)
    return _text_table(table, where, header, values, rows), problems


def _clean(column, *, tokens_are_null: bool) -> pa.ChunkedArray | pa.Array:
    """Trim whitespace; empty cells and missing tokens become null.

    ``tokens_are_null``: the reader already turned exact tokens into nulls, so
    only cells that trimming changed can still be a token.
    """
    trimmed = pc.utf8_trim_whitespace(column)
    if tokens_are_null and pc.all(pc.equal(trimmed, column)).as_py() in (True, None):
        return column
    missing = pc.is_in(trimmed, value_set=pa.array(MISSING_TOKENS, type=pa.string()))
    return pc.if_else(missing, pa.scalar(None, type=pa.string()), trimmed)


def _text_table(table: str, where: str, header, values, rows) -> RawTable:
    """A raw table from cell texts gathered row by row (one list per column)."""
    columns = {
        name: pa.array(column, type=pa.string())
        for name, column in zip(header, values, strict=True)
    }
    return _raw_table(table, where, columns, np.asarray(rows, dtype="int64"))


def _raw_table(
    table: str,
    where: str,
    columns: dict,
    rows: np.ndarray,
    *,
    tokens_are_null: bool = False,
    cleaned: bool = False,
) -> RawTable:
    """``cleaned``: the columns are already trimmed, with missing-value words as nulls.

    A quote this project's writers put before text a spreadsheet would run as a
    formula (:mod:`nephrocohort.cohort.spreadsheet_cells`) is taken off again.
    """
    if not cleaned:
        columns = {
            name: _clean(column, tokens_are_null=tokens_are_null)
            for name, column in columns.items()
        }
    columns = {name: _unquoted(column) for name, column in columns.items()}
    frame = pd.DataFrame(
        {
            name: pd.Series(pd.arrays.ArrowStringArray(_as_chunked(col)))
            for name, col in columns.items()
        }
    )
    if len(frame.columns):
        blank = frame.isna().all(axis=1).to_numpy()
        if blank.any():
            frame = frame.loc[~blank].reset_index(drop=True)
            rows = rows[~blank]
    return RawTable(table, where, frame, rows)


def _unquoted(column):
    """The column with the formula-guard quote taken off the cells that carry one."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        return column
    quoted = pc.starts_with(column, QUOTE)
    if not pc.any(quoted).as_py():
        return column
    marked = pc.and_kleene(quoted, pc.match_substring_regex(column, RESTORE_PATTERN))
    if not pc.any(marked).as_py():
        return column
    return pc.if_else(marked, pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(column, 1)), column)


def _as_chunked(column) -> pa.ChunkedArray:
    # One chunk per column: later steps then work on it without copying it again.
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 1:
            return column
        column = column.combine_chunks()
    return pa.chunked_array([column], type=pa.string())


def raw_table_of(table: str, frame: pd.DataFrame, *, where: str) -> RawTable:
    """A table held in memory as the text its CSV would hold (dates YYYY-MM-DD), rows from 2."""
    columns = {
        str(name).strip(): pa.array(
            [_cell_text(value) for value in frame[name].tolist()], type=pa.string()
        )
        for name in frame.columns
    }
    rows = np.arange(len(frame), dtype="int64") + 2
    return _raw_table(table, where, columns, rows)


# --- Parquet -----------------------------------------------------------------------------------

# Columns a Cohort adds that are not data a user entered (labs as measured replace them).
_BOOKKEEPING = ("source_row",)
_MEASURED = {"measured_value": "value", "measured_unit": "unit"}


def _read_parquet(file: Path, table: str) -> tuple[RawTable | None, list[Problem]]:
    """A Parquet table as the text its CSV would hold, rows numbered as in that CSV."""
    import pyarrow.parquet as pq

    where = file.name
    try:
        # Text columns come dictionary-encoded, as Parquet stores them: no hashing to find
        # their distinct values.
        schema = pq.read_schema(file)
        text_columns = [field.name for field in schema if _is_text(field.type)]
        arrow_table = pq.read_table(file, read_dictionary=text_columns)
    except (pa.ArrowException, OSError) as error:
        detail = library_detail(error)
        return None, [
            make_problem(
                "unreadable_file", table=table, source=where, detail=detail, kind="Parquet"
            )
        ]
    header = [name.strip() for name in arrow_table.column_names]
    problems = header_problems(header, table, where, delimiters=False)
    if problems:
        return None, problems
    as_measured = table == "labs" and all(name in arrow_table.column_names for name in _MEASURED)
    # Labs saved from a Cohort are checked as measured: their converted value and unit are
    # replaced below, so only their type is checked here (text for 10 million rows is not
    # made to be dropped).
    replaced = set(_MEASURED.values()) if as_measured else set()
    columns: dict = {}
    for name, column in zip(header, arrow_table.columns, strict=True):
        if name in _BOOKKEEPING:
            continue
        if name in replaced:
            text = _as_text(column[:0])
            columns[name] = text
            if text is not None:
                continue
        text = _as_text(column)
        if text is None:
            detail = f"column '{name}' holds {column.type} values, not text, numbers or dates"
            return None, [
                make_problem(
                    "unreadable_file", table=table, source=where, detail=detail, kind="Parquet"
                )
            ]
        columns[name] = text
    if as_measured:
        columns = _labs_as_measured(columns, arrow_table)
    rows = np.arange(arrow_table.num_rows, dtype="int64") + 2
    return _raw_table(table, where, columns, rows, cleaned=True), []


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _as_text(column) -> pa.ChunkedArray | None:
    """Typed values as a CSV would hold them; None for a type no table column can have.

    The text is made once per distinct value (a table repeats its dates, codes and
    IDs many times), then spread to the rows; text columns are trimmed and
    missing-value words ("NA") made missing, as in a CSV.
    """
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_null(array.type):
        return pa.chunked_array([pa.nulls(len(array), pa.string())])
    if not pa.types.is_dictionary(array.type):
        try:
            array = pc.dictionary_encode(array)
        except pa.ArrowNotImplementedError:  # lists, structs: not a cell's value
            return None
    texts = _distinct_as_text(array.dictionary)
    if texts is None:
        return None
    return pa.chunked_array([pc.take(texts, array.indices)])


def _distinct_as_text(values: pa.Array) -> pa.Array | None:
    kind = values.type
    if _is_text(kind):
        return _clean(values.cast(pa.string()), tokens_are_null=False)
    if pa.types.is_floating(kind):
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, kind), values)
        return values.cast(pa.string())
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_date(kind):
        return values.cast(pa.string())
    if pa.types.is_timestamp(kind):
        # Midnight is a date; a time of day stays visible, so that it is reported, not dropped.
        day = pc.floor_temporal(values, unit="day")
        text = day.cast(pa.date32()).cast(pa.string())
        midnight = pc.fill_null(pc.equal(day, values), True)
        if pc.all(midnight).as_py():
            return text
        with_time = pc.strftime(values, format="%Y-%m-%dT%H:%M:%S")
        return pc.if_else(midnight, text, with_time)
    return None


def _labs_as_measured(columns: dict, arrow_table: pa.Table) -> dict:
    """Labs saved from a ``Cohort``: check the values as measured, not the converted ones.

    Dipstick results were stored as mg/dL; they become the grade of that band
    again (15 -> trace), as ``save_bundle`` writes them.
    """
    columns = dict(columns)
    for measured, plain in _MEASURED.items():
        columns[plain] = columns.pop(measured)
    dipstick = _equal_text(arrow_table.column("test"), "dipstick_protein")
    if dipstick.any():
        grade_of: dict[str, str] = {}
        for grade, mg_dl in DIPSTICK_GRADES_MG_DL.items():
            grade_of.setdefault(pa.scalar(mg_dl).cast(pa.string()).as_py(), grade)
        values = columns["value"]
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        # Looked up on the dipstick rows only, then put in their places.
        rows = np.flatnonzero(dipstick)
        keys = pa.array(list(grade_of), pa.string())
        found = pc.index_in(values.take(pa.array(rows)), value_set=keys)
        graded = found.is_valid().to_numpy(zero_copy_only=False)
        grades = pc.take(pa.array(list(grade_of.values()), pa.string()), found.filter(graded))
        replaced = np.zeros(len(values), dtype=bool)
        replaced[rows[graded]] = True
        columns["value"] = pa.chunked_array([pc.replace_with_mask(values, replaced, grades)])
    return columns


def _equal_text(column, text: str) -> np.ndarray:
    """Rows whose cell, as text, is ``text`` (False for missing); per distinct value."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(array.type):
        equal = pc.equal(array.cast(pa.string()), text)
        return pc.fill_null(equal, False).to_numpy(zero_copy_only=False)
    matches = pc.fill_null(pc.equal(array.dictionary.cast(pa.string()), text), False)
    codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.append(matches.to_numpy(zero_copy_only=False), False)[codes]


# --- XLSX --------------------------------------------------------------------------------------


def _read_workbook(path: Path) -> RawBundle:
    from openpyxl import load_workbook

    bundle = RawBundle(str(path), "xlsx")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a damaged file
        detail = library_detail(error)
        bundle.problems.append(
            make_problem("unreadable_file", source=path.name, detail=detail, kind="Excel .xlsx")
        )
        return bundle
    try:
        for sheet in workbook.worksheets:
            name = sheet.title.strip().lower()
            if name in _README_SHEETS:
                continue
            where = f"Sheet '{sheet.title}' of {path.name}"
            if name not in TABLES:
                bundle.problems.append(
                    make_problem("unknown_table", source=where, tables=", ".join(TABLE_NAMES))
                )
                continue
            table, problems = _read_sheet(sheet, name, where)
            bundle.problems.extend(problems)
            if table is not None:
                bundle.tables[name] = table
    finally:
        workbook.close()
    return bundle


def _read_sheet(sheet, table: str, where: str) -> tuple[RawTable | None, list[Problem]]:
    iterator = sheet.iter_rows(values_only=True)
    header = None
    header_row = 0
    for number, cells in enumerate(iterator, start=1):
        if any(_cell_text(cell) for cell in cells):
            header = [_cell_text(cell) for cell in cells]
            header_row = number
            break
    if header is None:
        return None, [_empty_file(table, where)]
    while header and not header[-1]:
        header.pop()
    problems = header_problems(header, table, where)
    if problems:
        return None, problems
    width = len(header)
    values: list[list[str | None]] = [[] for _ in header]
    rows: list[int] = []
    for number, cells in enumerate(iterator, start=header_row + 1):
        texts = [_cell_text(cell) for cell in cells]
        if any(texts[width:]):
            problems.append(
                make_problem(
                    "ragged_row",
                    table=table,
                    row=number,
                    source=where,
                    actual=len([t for t in texts if t]),
                    expected=width,
                )
            )
            continue
        texts = (texts + [""] * width)[:width]
        for column, text in zip(values, texts, strict=True):
            column.append(text)
        rows.append(number)
    return _text_table(table, where, header, values, rows), problems


def _cell_text(cell) -> str:
    """A cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if cell is None or cell is pd.NaT or cell is pd.NA:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return repr(cell)
    return str(cell).strip()
