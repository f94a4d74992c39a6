"""An empty XLSX workbook a clinic can start filling in: one sheet per table.

Each sheet has the header row (required columns in bold on a tinted fill),
a note on every header cell (what, unit, allowed values, example), drop-down
lists of the allowed codes, date-formatted date columns, and the workbook
opens on a README sheet that explains the conventions. It is generated from
the same contract as the validator, so a filled template loads as a bundle.
"""

from pathlib import Path

from nephrocohort.cohort.contract import REQUIRED_TABLES, TABLES
from nephrocohort.cohort.dictionary import (
    column_allowed_label,
    column_type_label,
    column_unit_label,
    dipstick_notation_lines,
)
from nephrocohort.cohort.vocabulary import LAB_TESTS
from nephrocohort.exceptions import NephroCohortError

__all__ = ["write_template", "TemplateError", "TEMPLATE_ROWS"]

# Drop-down lists cover this many data rows.
TEMPLATE_ROWS = 5000
# Excel refuses inline drop-down lists longer than 255 characters.
_EXCEL_LIST_LIMIT = 255


class TemplateError(NephroCohortError, ValueError):
    """The template cannot be written where the user asked."""


def write_template(path) -> Path:
    """Write the empty cohort workbook to ``path`` (.xlsx) and return the path."""
    from openpyxl import Workbook

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise TemplateError("template.not_xlsx", path=str(path))
    if path.parent and not path.parent.exists():
        raise TemplateError("template.no_folder", folder=str(path.parent))
    workbook = Workbook()
    _readme(workbook.active)
    for spec in TABLES.values():
        _table_sheet(workbook.create_sheet(spec.name), spec)
    workbook.save(path)
    return path


def _readme(sheet) -> None:
    from openpyxl.styles import Font

    sheet.title = "README"
    lines = [
        ("NephroCohort cohort template", True),
        ("", False),
        ("Fill in one sheet per table; do not rename the sheets or the header cells.", False),
        (f"Required sheet: {', '.join(REQUIRED_TABLES)}. Other sheets may stay empty.", False),
        ("Required columns have a bold, tinted header; hover a header cell for its note.", False),
        ("Dates: YYYY-MM-DD (e.g. 2016-03-01) or Excel date cells.", False),
        ("Codes come from the drop-down lists and are case-sensitive.", False),
        ("Units are in the column names (height_cm) or in the labs 'unit' column.", False),
        ("Use pseudonymous patient IDs only: never names or hospital numbers.", False),
        ("Check the filled workbook with: nephrocohort validate cohort.xlsx", False),
        ("", False),
        ("Tables", True),
    ]
    lines += [(f"{spec.name}: {spec.description}", False) for spec in TABLES.values()]
    lines += [("", False), ("Lab tests (labs.test) and accepted units (labs.unit)", True)]
    for test in LAB_TESTS.values():
        lines.append((f"{test.name}: {', '.join(test.units)} ({test.description})", False))
    lines += [(text, False) for text in dipstick_notation_lines()]
    for row, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        if bold:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 110


def _table_sheet(sheet, spec) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    required_fill = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")
    last = TEMPLATE_ROWS + 1
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.name)
        cell.comment = Comment(_note(spec.name, column), "NephroCohort", width=320, height=160)
        if column.required:
            cell.font = Font(bold=True)
            cell.fill = required_fill
        sheet.column_dimensions[letter].width = max(12, len(column.name) + 4)
        choices = _choices(spec.name, column)
        if choices:
            formula = '"' + ",".join(choices) + '"'
            if len(formula) - 2 > _EXCEL_LIST_LIMIT:
                raise AssertionError(f"Drop-down list of {column.name} is too long for Excel.")
            validation = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=f"{column.name}: not an allowed value",
                error=f"Allowed: {', '.join(choices)}",
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
        if column.kind == "date":
            # A column style: typed dates show as YYYY-MM-DD without creating empty cells.
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"


def _choices(table: str, column) -> tuple[str, ...]:
    if column.codes:
        return column.codes
    if (table, column.name) == ("labs", "unit"):
        return tuple(dict.fromkeys(unit for test in LAB_TESTS.values() for unit in test.units))
    return ()


def _note(table: str, column) -> str:
    parts = [column.description + ".", f"Type: {column_type_label(column)}."]
    unit = column_unit_label(table, column)
    if unit:
        parts.append(f"Unit: {unit}.")
    allowed = column_allowed_label(table, column).replace("`", "")
    if allowed:
        parts.append(f"Allowed: {allowed}.")
    parts.append("Required." if column.required else "Optional.")
    if column.example:
        parts.append(f"Example: {column.example}")
    return " ".join(parts)
