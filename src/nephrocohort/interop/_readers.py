"""Read the files people actually have: any encoding Excel writes, ; or , separators, big files.

Nothing is guessed silently: a file that is not UTF-8 is read as
Windows-1252 (Excel's Latin-1 on Windows) and the result says so; a file
that is neither is refused. Large CSVs are read in chunks so a progress bar
can follow them.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nephrocohort.interop._errors import FileFormatError
from nephrocohort.messages import Message, library_detail, render_text

__all__ = ["TextTable", "read_table_file", "detect_encoding", "ProgressCallback"]

#: Called with (bytes done, bytes in total) while a file is read.
ProgressCallback = Callable[[int, int], None]


def _error(code: str, **params) -> FileFormatError:
    """The error of code ``readers.<code>``."""
    return FileFormatError(f"readers.{code}", **params)


_CHUNK_ROWS = 50_000
_SNIFF_BYTES = 64 * 1024
_WHOLE_FILE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class TextTable:
    """A table read as text (every cell a string, empty = missing) and how it was read."""

    frame: pd.DataFrame
    source: str
    encoding: str
    notes: tuple[str, ...] = field(default=())
    #: The file row (as a spreadsheet shows it) of each frame row; empty means header = row 1.
    row_numbers: tuple[int, ...] = field(default=())
    #: The row that holds the column names (1 unless a title is above it or it was stated).
    header_row: int = 1

    def file_rows(self) -> list[int]:
        """The row number the user sees for each row of ``frame`` (the header is its own row)."""
        if self.row_numbers:
            return list(self.row_numbers)
        return list(range(2, len(self.frame) + 2))


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """``(encoding, note)``: UTF-8 (with or without BOM), else Windows-1252 with a note saying so."""
    raw = _sample(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", render_text("readers.utf16_note", name=path.name)
    if b"\x00" in raw:
        raise _error("binary", name=path.name)
    try:
        raw.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", render_text("readers.latin1_note", name=path.name)
    return "cp1252", render_text("readers.cp1252_note", name=path.name)


def _sample(path: Path) -> bytes:
    """The whole file, or for a very large one its first lines (cut at a line end)."""
    if path.stat().st_size <= _WHOLE_FILE_BYTES:
        return path.read_bytes()
    with path.open("rb") as handle:
        head = handle.read(4 * 2**20)
    return head[: head.rfind(b"\n") + 1] or head


def _delimiter(sample: str, source: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=counts.get)
        if counts[best] == 0 and len(sample.splitlines()) > 1:
            return ","
        return best


class _CountingReader(io.RawIOBase):
    """Counts bytes as pandas pulls them, to drive a progress bar."""

    def __init__(self, raw, total: int, progress: ProgressCallback | None):
        self._raw, self._total, self._progress, self.done = raw, total, progress, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        self.done += count or 0
        if self._progress is not None:
            self._progress(self.done, self._total)
        return count


def _read_csv(
    path: Path,
    encoding: str,
    progress: ProgressCallback | None,
    *,
    raw: bool = False,
    duplicate_columns: bool = False,
) -> pd.DataFrame:
    """The table, or with ``raw`` every row as data (no header), for locating the header."""
    with path.open("r", encoding=encoding, errors="strict", newline="") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if not sample.strip():
        raise FileFormatError("empty_file", where=path.name)
    delimiter = _delimiter(sample, path.name)
    try:
        header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    except csv.Error as error:
        raise _error("bad_header", name=path.name, error=error) from None
    if raw:
        return _read_csv_raw(path, encoding, delimiter)
    if not duplicate_columns:
        _check_header(pd.DataFrame(columns=range(len(header))).set_axis(header, axis=1), path.name)
    total = path.stat().st_size
    with path.open("rb") as binary:
        counting = _CountingReader(binary, total, progress)
        text = io.TextIOWrapper(io.BufferedReader(counting), encoding=encoding, newline="")
        try:
            with warnings.catch_warnings():
                # A row with more cells than the header would silently lose cells.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                chunks = pd.read_csv(
                    text,
                    sep=delimiter,
                    dtype=str,
                    keep_default_na=False,
                    chunksize=_CHUNK_ROWS,
                    index_col=False,
                )
                frames = list(chunks)
        except (pd.errors.ParserWarning, pd.errors.ParserError) as error:
            ragged = _first_ragged_row(path, encoding, delimiter, len(header))
            if ragged is None:
                raise _error("malformed", name=path.name, error=library_detail(error)) from None
            row, actual = ragged
            raise FileFormatError(
                "ragged_row", where=path.name, row=row, actual=actual, expected=len(header)
            ) from None
        except UnicodeDecodeError as error:
            raise _error(
                "undecodable", name=path.name, encoding=encoding, byte=error.start
            ) from None
    if not frames:
        raise _error("no_rows", name=path.name)
    frame = pd.concat(frames, ignore_index=True)
    if duplicate_columns:
        frame.columns = [name.strip() for name in header]  # pandas renamed repeats "X.1"
    return frame


def _read_csv_raw(path: Path, encoding: str, delimiter: str) -> pd.DataFrame:
    with path.open("r", encoding=encoding, errors="strict", newline="") as handle:
        try:
            rows = list(csv.reader(handle, delimiter=delimiter))
        except csv.Error as error:
            raise _error("malformed", name=path.name, error=error) from None
    width = max((len(row) for row in rows), default=0)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=str)


def _first_ragged_row(
    path: Path, encoding: str, delimiter: str, width: int
) -> tuple[int, int] | None:
    """``(row, values on it)`` of the first row longer than the header, as the file counts rows."""
    with path.open("r", encoding=encoding, newline="") as handle:
        try:
            for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                if len(row) > width:
                    return number, len(row)
        except csv.Error:
            return None
    return None


def _check_header(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The bundle reader's header check, so a fault has one code (a blank or repeated name)."""
    from nephrocohort.cohort.reading import header_problems

    names = [str(c).strip() for c in frame.columns]
    # pandas names a blank header cell "Unnamed: 3"
    shown = ["" if name.startswith("Unnamed:") else name for name in names]
    problems = header_problems(shown, table=source, where=source, delimiters=False)
    if problems:
        # A blank name first: it says most often that the header is not on this row.
        first = min(problems, key=lambda problem: problem.code != "blank_column_name")
        raise FileFormatError(first.code, where=source, column=first.column, **first.params)
    frame.columns = names
    return frame


def _filled(row) -> int:
    return sum(1 for cell in row if str(cell).strip())


def _title_rows(first_rows: list[list]) -> int:
    """How many rows at the top are a title (one filled cell, e.g. a merged title) above a header.

    A row counts as a title only when a later row has at least two filled cells,
    so a one-column sheet is never cut.
    """
    for index, row in enumerate(first_rows):
        if _filled(row) >= 2:
            return index
    return 0


def _locate_header(raw: pd.DataFrame, name: str, header_row: int | None):
    """``(frame, file row numbers, notes)`` for a table read without a header.

    The header is ``header_row`` (1-based, as a spreadsheet numbers rows) or,
    if not stated, the first row with two or more filled cells once title
    rows are passed (and said). Empty rows are skipped and single-cell rows
    after the last empty row are a footer note; both are said, never silent.
    """
    cells = raw.map(_cell_text)
    notes: list[str] = []
    if header_row is not None:
        if header_row > len(cells):
            raise _error("header_row_beyond", name=name, row=header_row, rows=len(cells))
        start = header_row - 1
        notes.append(render_text("readers.header_row_stated", name=name, row=header_row))
    else:
        start = _title_rows(cells.head(20).values.tolist())
        if start:
            notes.append(render_text("readers.header_row_detected", name=name, row=start + 1))
    header = [str(c).strip() for c in cells.iloc[start]]
    while (
        header and not header[-1] and not cells.iloc[start + 1 :, len(header) - 1].str.strip().any()
    ):
        header.pop()  # trailing columns Excel keeps after the table
    body = cells.iloc[start + 1 :, : len(header)]
    numbers = [start + 2 + i for i in range(len(body))]
    filled = [_filled(row) for row in body.values.tolist()]
    blank = [n for n, count in zip(numbers, filled, strict=True) if count == 0]
    footer: list[int] = []
    if blank:
        after = [(n, c) for n, c in zip(numbers, filled, strict=True) if n > blank[-1] and c]
        if after and all(count == 1 for _, count in after) and len(header) > 1:
            footer = [n for n, _ in after]
    keep = [
        position
        for position, (n, count) in enumerate(zip(numbers, filled, strict=True))
        if count and n not in footer
    ]
    # Only blank rows inside or at the end of the table are worth saying.
    if blank:
        notes.append(render_text("readers.blank_rows_skipped", name=name, rows=_rows_text(blank)))
    if footer:
        notes.append(render_text("readers.footer_skipped", name=name, rows=_rows_text(footer)))
    frame = body.iloc[keep].reset_index(drop=True)
    frame.columns = header
    return frame, (start + 1, tuple(numbers[p] for p in keep)), notes


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:10]))
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")


def _cell_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _first_rows_csv(path: Path, encoding: str, count: int = 20) -> list[list[str]]:
    with path.open("r", encoding=encoding, errors="strict", newline="") as handle:
        sample = handle.read(_SNIFF_BYTES)
    delimiter = _delimiter(sample, path.name)
    try:
        return list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:count]
    except csv.Error:
        return []


def _has_sheet(sheets: list[str], sheet: str | int) -> bool:
    """A sheet asked for by name, or by its position (0 = the first)."""
    if isinstance(sheet, int):
        return 0 <= sheet < len(sheets)
    return sheet in sheets


def read_table_file(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    header_row: int | None = None,
    find_header: bool = False,
    duplicate_columns: bool = False,
) -> TextTable:
    """Read a CSV, XLSX or SPSS ``.sav`` file into a table of text cells.

    ``encoding`` forces a CSV encoding; otherwise it is detected and stated in
    ``notes``. XLSX reads ``sheet`` (default: the first sheet). SPSS value
    labels are applied, so a mapping can name the labels the user sees.
    ``header_row`` (1-based) states which row holds the column names;
    ``find_header`` passes title rows above the header, empty rows and a
    footer note, saying so (a clinic's sheet). ``duplicate_columns`` keeps
    repeated header names (REDCap's label export repeats "Complete?").
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError("path_not_found", path=path, hint=Message("hint.table_file_path"))
    if path.is_dir():
        raise _error("is_folder", path=path)
    suffix = path.suffix.lower()
    notes: list[str] = []
    rows: tuple[int, tuple[int, ...]] = (1, ())
    locate = header_row is not None or find_header
    if suffix in (".csv", ".txt", ".tsv"):
        if encoding is None:
            encoding, note = detect_encoding(path)
            if note:
                notes.append(note)
        if header_row is None and find_header:
            # Big exports keep the fast chunked path unless the first row is a title.
            first = _first_rows_csv(path, encoding)
            locate = bool(first) and (_title_rows(first) > 0 or _filled(first[0]) < len(first[0]))
        if locate:
            frame, rows, found = _locate_header(
                _read_csv(path, encoding, progress, raw=True), path.name, header_row
            )
            notes += found
        else:
            frame = _read_csv(path, encoding, progress, duplicate_columns=duplicate_columns)
    elif suffix in (".xlsx", ".xlsm"):
        encoding = "xlsx"
        try:
            frame = pd.read_excel(
                path,
                sheet_name=0 if sheet is None else sheet,
                dtype=object,
                engine="openpyxl",
                header=None if locate else 0,
            )
        except ValueError as error:
            if sheet is not None:
                sheets = pd.ExcelFile(path, engine="openpyxl").sheet_names
                if not _has_sheet(sheets, sheet):
                    raise _error(
                        "no_sheet", name=path.name, sheet=sheet, sheets=", ".join(sheets)
                    ) from None
            raise _error("excel_error", name=path.name, error=error) from None
        except Exception as error:  # openpyxl raises many types for a damaged workbook
            raise _error("not_a_workbook", name=path.name, error=type(error).__name__) from None
        if locate:
            frame, rows, found = _locate_header(frame, path.name, header_row)
            notes += found
        else:
            frame = frame.map(_cell_text)
    elif suffix in (".sav", ".zsav"):
        import pyreadstat

        encoding = "sav"
        try:
            frame, _ = pyreadstat.read_sav(path, apply_value_formats=True)
        except Exception as error:  # pyreadstat.ReadstatError and friends
            raise _error("not_spss", name=path.name, error=error) from None
        frame = frame.map(_cell_text)
    else:
        raise _error("unsupported", name=path.name, suffix=suffix or "(nothing)")
    if duplicate_columns:
        frame.columns = [str(c).strip() for c in frame.columns]
    elif locate:
        try:
            frame = _check_header(frame, path.name)
        except FileFormatError as error:
            raise _error(
                "header_row_hint", problem=Message(error.code, error.params), row=rows[0]
            ) from None
    else:
        frame = _check_header(frame, path.name)
    return TextTable(frame.astype(str), path.name, encoding, tuple(notes), rows[1], rows[0])
