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

__all__ = ["TextTable", "read_table_file", "detect_encoding", "ProgressCallback"]

#: Called with (bytes done, bytes in total) while a file is read.
ProgressCallback = Callable[[int, int], None]

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


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """``(encoding, note)``: UTF-8 (with or without BOM), else Windows-1252 with a note saying so."""
    raw = _sample(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", f"{path.name} is UTF-16 encoded; it was read as UTF-16."
    if b"\x00" in raw:
        raise FileFormatError(
            f"{path.name} is not a text file (it contains binary data). If it is an Excel or SPSS "
            "file, give it its real extension (.xlsx or .sav)."
        )
    try:
        raw.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", (
            f"{path.name} is not UTF-8; it was read as Latin-1 (ISO-8859-1). "
            "Check that accented letters look right."
        )
    return "cp1252", (
        f"{path.name} is not UTF-8; it was read as Windows-1252 (Latin-1, as Excel on Windows "
        "saves CSV). Check that accented letters look right, or save it as 'CSV UTF-8'."
    )


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


def _read_csv(path: Path, encoding: str, progress: ProgressCallback | None) -> pd.DataFrame:
    with path.open("r", encoding=encoding, errors="strict", newline="") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if not sample.strip():
        raise FileFormatError(f"{path.name} is empty; expected a header row and data rows.")
    delimiter = _delimiter(sample, path.name)
    try:
        header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    except csv.Error as error:
        raise FileFormatError(
            f"{path.name}: the header row cannot be read ({error}). Is it a text table?"
        ) from None
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
            row = _first_ragged_row(path, encoding, delimiter, len(header))
            if row is None:
                raise FileFormatError(
                    f"{path.name} is not a well-formed table ({str(error).strip()})."
                ) from None
            raise FileFormatError(
                f"{path.name} row {row} has more cells than the header ({len(header)} columns). "
                "A value probably contains the separator: put it in double quotes, or remove "
                "the extra cells."
            ) from None
        except UnicodeDecodeError as error:
            raise FileFormatError(
                f"{path.name} could not be decoded as {encoding} at byte {error.start}; "
                "save it as 'CSV UTF-8' and try again."
            ) from None
    if not frames:
        raise FileFormatError(f"{path.name} has a header but no way to read rows from it.")
    return pd.concat(frames, ignore_index=True)


def _first_ragged_row(path: Path, encoding: str, delimiter: str, width: int) -> int | None:
    with path.open("r", encoding=encoding, newline="") as handle:
        try:
            for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                if len(row) > width:
                    return number
        except csv.Error:
            return None
    return None


def _check_header(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    names = [str(c).strip() for c in frame.columns]
    blank = [i + 1 for i, name in enumerate(names) if not name or name.startswith("Unnamed:")]
    if blank:
        raise FileFormatError(
            f"{source}: column {blank[0]} of the header row is empty; every column needs a name."
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FileFormatError(
            f"{source}: the header names column {duplicates[0]!r} more than once; "
            "rename one of them."
        )
    frame.columns = names
    return frame


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


def read_table_file(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
) -> TextTable:
    """Read a CSV, XLSX or SPSS ``.sav`` file into a table of text cells.

    ``encoding`` forces a CSV encoding; otherwise it is detected and stated in
    ``notes``. XLSX reads ``sheet`` (default: the first sheet). SPSS value
    labels are applied, so a mapping can name the labels the user sees.
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"{path} does not exist.")
    if path.is_dir():
        raise FileFormatError(f"{path} is a folder; expected a .csv, .xlsx or .sav file.")
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix in (".csv", ".txt", ".tsv"):
        if encoding is None:
            encoding, note = detect_encoding(path)
            if note:
                notes.append(note)
        frame = _read_csv(path, encoding, progress)
    elif suffix in (".xlsx", ".xlsm"):
        encoding = "xlsx"
        try:
            frame = pd.read_excel(
                path, sheet_name=0 if sheet is None else sheet, dtype=object, engine="openpyxl"
            )
        except ValueError as error:
            if "not found" in str(error):
                raise FileFormatError(
                    f"{path.name} has no sheet {sheet!r}; its sheets are: "
                    f"{', '.join(pd.ExcelFile(path, engine='openpyxl').sheet_names)}."
                ) from None
            raise FileFormatError(f"{path.name}: {error}") from None
        except Exception as error:  # openpyxl raises many types for a damaged workbook
            raise FileFormatError(
                f"{path.name} could not be opened as an Excel workbook ({type(error).__name__}). "
                "Open it in Excel and save it again as .xlsx."
            ) from None
        frame = frame.map(_cell_text)
    elif suffix in (".sav", ".zsav"):
        import pyreadstat

        encoding = "sav"
        try:
            frame, _ = pyreadstat.read_sav(path, apply_value_formats=True)
        except Exception as error:  # pyreadstat.ReadstatError and friends
            raise FileFormatError(
                f"{path.name} could not be read as an SPSS file ({error})."
            ) from None
        frame = frame.map(_cell_text)
    else:
        raise FileFormatError(
            f"{path.name}: files ending in {suffix or '(nothing)'} are not supported; "
            "use .csv, .xlsx or .sav."
        )
    frame = _check_header(frame, path.name)
    return TextTable(frame.astype(str), path.name, encoding, tuple(notes))
