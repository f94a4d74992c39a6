"""Text cells that a spreadsheet cannot run as formulas (CSV and formula injection).

A cell of a CSV file that begins with ``=``, ``+``, ``-`` or ``@`` is taken for
a formula by Excel, LibreOffice and Google Sheets when the file is opened, so
a patient ID or a free-text note such as ``=HYPERLINK("http://x","y")`` would
run in the reader's spreadsheet. OWASP's rule ("CSV Injection", OWASP
Foundation, https://owasp.org/www-community/attacks/CSV_Injection): "Ensure
that no cells begin with any of the following characters: Equals to (=),
Plus (+), Minus (-), At (@), Tab (0x09), Carriage return (0x0D)", and, since
spreadsheets skip leading blanks, also after leading whitespace; such cells are
"prepended with a single quote" so they are read as text.

Only text is changed: numbers (a float ``-1.5`` in a numeric column) stay
numbers. In XLSX files text cells are written with the string type, never as
formulas (:func:`text_cells_as_strings`), so no prefix is needed there.

The project's own readers take the prefix off again (:func:`restore_text`), so
writing and reading back gives the original text: a value that itself starts
with quotes followed by a risky character gets one more quote on writing, and
exactly one is removed on reading.
"""

from __future__ import annotations

import csv
import re

import pandas as pd

__all__ = [
    "QUOTE",
    "needs_quote",
    "neutralise_text",
    "neutralise_frame",
    "restore_text",
    "restore_frame",
    "text_cells_as_strings",
    "safe_csv_writer",
    "RESTORE_PATTERN",
]

QUOTE = "'"

# Leading quotes are allowed before the risky start, so a prefixed value read by
# an older reader and written again stays recognisable (and reading is lossless).
_RISKY = re.compile(r"'*(?:\s*[=+\-@]|[\t\r])")
#: The pattern (for Arrow's regex kernels) of a cell this module prefixed.
RESTORE_PATTERN = r"^''*(\s*[=+\-@]|[\t\r])"


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (OWASP's characters)."""
    return bool(_RISKY.match(text))


def neutralise_text(value):
    """``value`` with a quote prefix if it is text a spreadsheet would run; anything else as is."""
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def restore_text(value):
    """The text :func:`neutralise_text` was given: one quote prefix taken off, if it added one."""
    if isinstance(value, str) and value.startswith(QUOTE) and needs_quote(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    return [
        column
        for column in frame.columns
        if pd.api.types.is_object_dtype(frame[column])
        or pd.api.types.is_string_dtype(frame[column])
    ]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised; numbers untouched."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = out[column].map(neutralise_text, na_action="ignore")
    out.columns = [neutralise_text(column) for column in out.columns]
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the prefixes :func:`neutralise_frame` added taken off (in place, returned)."""
    for column in _text_columns(frame):
        values = frame[column]
        if values.map(lambda v: isinstance(v, str) and v.startswith(QUOTE)).any():
            frame[column] = values.map(restore_text, na_action="ignore")
    return frame


def text_cells_as_strings(worksheet) -> None:
    """Mark every text cell of an openpyxl worksheet as a string, never a formula.

    openpyxl stores any text starting with ``=`` as a formula; this sets such
    cells back to the string type, so Excel shows the text and runs nothing.
    """
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.data_type = "s"


class _NeutralisingWriter:
    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row) -> None:
        self._writer.writerow([neutralise_text(value) for value in row])


def safe_csv_writer(stream, **options) -> _NeutralisingWriter:
    """A :func:`csv.writer` whose text cells are neutralised (for rows written one by one)."""
    return _NeutralisingWriter(stream, **options)
