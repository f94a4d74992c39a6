"""report.xlsx: one sheet per table, plus every result unrounded and the methods text."""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from nephrocohort.cohort.spreadsheet_cells import text_cells_as_strings
from nephrocohort.i18n import N_
from nephrocohort.i18n import gettext as _
from nephrocohort.report._results import Results
from nephrocohort.report._tables import build_tables

__all__ = ["render_xlsx", "SHEET_NAMES"]

#: Sheet name per table id (Excel allows 31 characters, no []:*?/\).
SHEET_NAMES = {
    "characteristics": N_("Characteristics"),
    "table1": N_("Table 1"),
    "table2": N_("Table 2"),
    "treatment": N_("Treatment"),
    "proteinuria": N_("Proteinuria"),
    "response": N_("Response"),
    "before_after": N_("Before-after MMF"),
    "prednisolone": N_("Prednisolone"),
    "outcomes": N_("Outcomes"),
    "course": N_("Course of the disease"),
    "survival": N_("Kaplan-Meier"),
    "confirmation": N_("Unconfirmed values"),
    "data_quality": N_("Data quality"),
    "comparison": N_("Rule sets compared"),
    "eligibility": N_("Eligibility"),
    "excluded_patients": N_("Excluded patients"),
}


def _sheet_name(table_id: str) -> str:
    name = _(SHEET_NAMES.get(table_id, table_id))
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


def _autosize(sheet, *, body_rows: int | None = None) -> None:
    """Fit columns to the table's cells; title, notes and footnotes may run over."""
    for column in sheet.columns:
        cells = column[1:body_rows] if body_rows else column
        width = max((len(str(cell.value or "")) for cell in cells), default=0)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 70)


def render_xlsx(results: Results) -> bytes:
    """report.xlsx as bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in build_tables(results):
        sheet = workbook.create_sheet(_sheet_name(table.id))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        if table.note or table.footnotes:
            sheet.append([])
        if table.note:
            sheet.append([table.note])
        for footnote in table.footnotes:
            sheet.append([footnote])
        _autosize(sheet, body_rows=len(table.rows) + 2)

    everything = results.to_frame().reset_index()
    sheet = workbook.create_sheet(_("All results"))
    sheet.append(list(everything.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in everything.itertuples(index=False):
        sheet.append([None if _is_na(value) else value for value in row])
    _autosize(sheet)

    sheet = workbook.create_sheet(_("Methods"))
    sheet.append([_("Methods")])
    sheet["A1"].font = Font(bold=True)
    sheet.append([results.methods])
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120
    sheet.append([])
    for name, version in results.software:
        sheet.append([name, version])
    for worksheet in workbook.worksheets:
        text_cells_as_strings(worksheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _is_na(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are not missing
        return False
