"""report.docx: journal-style tables (Table 1, Table 2, ...) and figures for co-authors."""

from __future__ import annotations

import io
from copy import deepcopy

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from nephrocohort.clinical.rules.display import title_text
from nephrocohort.i18n import N_, active_language
from nephrocohort.i18n import gettext as _
from nephrocohort.report._figures import RenderedFigure, render_figures
from nephrocohort.report._results import Results
from nephrocohort.report._tables import Table, build_tables

__all__ = ["render_docx"]

_TITLE = N_("Steroid-resistant nephrotic syndrome treated with MMF: study report")


_AFTER_BORDERS = ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")


def _rule(parent, edge: str, size_eighths: int) -> None:
    """A horizontal rule on one edge of a table or cell (``size`` in eighths of a point)."""
    border = OxmlElement(f"w:{edge}")
    border.set(qn("w:val"), "single")
    border.set(qn("w:sz"), str(size_eighths))
    border.set(qn("w:space"), "0")
    border.set(qn("w:color"), "000000")
    parent.append(border)


def _journal_rules(grid) -> None:
    """Three horizontal rules (above and below the header, below the body), no vertical lines.

    The layout medical journals print; the header row repeats on each page.
    """
    properties = grid._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    _rule(borders, "top", 12)
    _rule(borders, "bottom", 12)
    # schema order: tblBorders comes before shd, tblLayout, tblCellMar and tblLook
    later = [child for child in properties if child.tag in {qn(f"w:{n}") for n in _AFTER_BORDERS}]
    if later:
        later[0].addprevious(borders)
    else:
        properties.append(borders)
    header = grid.rows[0]
    for cell in header.cells:
        cell_borders = OxmlElement("w:tcBorders")
        _rule(cell_borders, "bottom", 6)
        cell._tc.get_or_add_tcPr().append(cell_borders)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)


#: Text width of the page (Letter or A4 with 1-inch margins fits 6.5 inches).
_TEXT_WIDTH_IN = 6.5


#: Inches per character of 9-point text, and the cell's own left and right padding.
_INCH_PER_CHAR, _CELL_PADDING_IN = 0.075, 0.2


def _column_widths(table: Table) -> list[float]:
    """Widths in inches: each column's longest header word first, the rest by content.

    Equal widths squeeze the variable names into many lines while number
    columns stay half empty. A header may wrap between words but never
    inside one ("Wilc-oxon"), so each column first gets room for its longest
    header word; the remaining width goes to the columns whose cells are
    longer than that (labels wrap beyond 32 characters, other cells beyond 28).
    """
    floors, extras = [], []
    for index, header in enumerate(table.columns):
        word = max((len(part) for part in str(header).split()), default=0)
        longest = max([len(str(row[index])) for row in table.rows] + [word])
        floors.append(word * _INCH_PER_CHAR + _CELL_PADDING_IN)
        extras.append(max(min(longest, 32 if index == 0 else 28) - word, 0))
    spare = max(_TEXT_WIDTH_IN - sum(floors), 0)
    total = sum(extras) or 1
    return [floor + spare * extra / total for floor, extra in zip(floors, extras, strict=True)]


#: Above this many rows a table is not kept on one page with its title.
_KEEP_TOGETHER_MAX_ROWS = 20


def _plain(texts: list[str]) -> bool:
    """True when every cell text becomes one ``w:t`` of its run, as a copied row holds it.

    python-docx turns tabs and line breaks into elements of their own, writes no
    ``w:t`` for empty text, and marks text with outer spaces ``xml:space="preserve"``.
    """
    return all(
        text and text.strip() == text and not any(c in text for c in "\t\r\n") for text in texts
    )


def _format_row(row, widths: list[float]) -> None:
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = Inches(width)  # Word reads the cell widths, LibreOffice the grid
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.space_after = Pt(0)
            for run in paragraph.runs:
                run.font.size = Pt(9)


def _add_body_row(grid, texts: list[str], widths: list[float]) -> None:
    row = grid.add_row()
    for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        cell.text = text
        if index:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _format_row(row, widths)


def _add_table(document, table: Table) -> None:
    document.add_paragraph(table.title, style="Heading 3")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.autofit = False
    widths = _column_widths(table)
    for index, (cell, text) in enumerate(zip(grid.rows[0].cells, table.columns, strict=True)):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
        if index:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _format_row(grid.rows[0], widths)
    # A long table (the patients not analysed: one row per patient) copies its first
    # plain row's XML and changes the texts: the same elements python-docx writes for
    # each row, without its per-cell object work (13 s for 4,700 rows).
    template = None
    for row in table.rows:
        texts = [str(text) for text in row]
        if template is None or not _plain(texts):
            _add_body_row(grid, texts, widths)
            if len(table.rows) > _KEEP_TOGETHER_MAX_ROWS and template is None and _plain(texts):
                template = grid.rows[-1]._tr
            continue
        copy = deepcopy(template)
        for element, text in zip(copy.iter(qn("w:t")), texts, strict=True):
            element.text = text
        grid._tbl.append(copy)
    if len(table.rows) <= _KEEP_TOGETHER_MAX_ROWS:  # a short table stays on one page with its title
        for row in grid.rows[:-1]:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Inches(width)
    _journal_rules(grid)
    if table.note:
        note = document.add_paragraph(table.note)
        note.runs[0].font.size = Pt(8)
    for footnote in table.footnotes:
        line = document.add_paragraph(footnote)
        line.paragraph_format.space_after = Pt(0)
        line.runs[0].font.size = Pt(8)


def render_docx(results: Results, *, figures: list[RenderedFigure] | None = None) -> bytes:
    """report.docx (methods, tables, figures with captions) as bytes."""
    figures = render_figures(results) if figures is None else figures
    document = Document()
    for section in document.sections:  # 6.5 inches of text on Letter and on A4
        section.left_margin = section.right_margin = Inches(1)
    document.core_properties.title = _(_TITLE)
    document.core_properties.language = active_language()
    document.add_heading(_(_TITLE), level=1)
    cohort_n = results.get("cohort.n")
    rule_set = results.rule_set_name + (
        f" ({title_text(results.rule_set_title)})" if results.rule_set_title else ""
    )
    document.add_paragraph(
        _("Rule set: {rule_set}. Patients analysed: {n}.").format(
            rule_set=rule_set, n=cohort_n.n if cohort_n is not None else 0
        )
    )
    for note in results.notes:
        document.add_paragraph(note).runs[0].italic = True
    document.add_heading(_("Methods"), level=2)
    document.add_paragraph(results.methods)
    document.add_heading(_("Results"), level=2)
    for table in build_tables(results):
        _add_table(document, table)
    document.add_heading(_("Figures"), level=2)
    for figure in figures:
        document.add_picture(io.BytesIO(figure.png), width=Inches(6))
        caption = document.add_paragraph()
        caption.add_run(f"{figure.title}. ").bold = True
        caption.add_run(figure.caption)
    document.add_heading(_("Software"), level=2)
    document.add_paragraph(
        ", ".join(f"{name} {version}" for name, version in results.software) + "."
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
