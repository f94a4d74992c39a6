"""report.docx: journal-style tables (Table 1, Table 2, ...) and figures for co-authors."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt

from nephrocohort.report._figures import RenderedFigure, render_figures
from nephrocohort.report._results import Results
from nephrocohort.report._tables import Table, build_tables

__all__ = ["write_docx"]

_TITLE = "Steroid-resistant nephrotic syndrome treated with MMF: study report"


def _add_table(document, table: Table) -> None:
    document.add_paragraph(table.title, style="Heading 3")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = str(text)
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    if table.note:
        note = document.add_paragraph(table.note)
        note.runs[0].font.size = Pt(8)
    for footnote in table.footnotes:
        line = document.add_paragraph(footnote)
        line.paragraph_format.space_after = Pt(0)
        line.runs[0].font.size = Pt(8)


def write_docx(results: Results, path, *, figures: list[RenderedFigure] | None = None) -> Path:
    """Write report.docx (methods, tables, figures with captions) and return its path."""
    path = Path(path)
    figures = render_figures(results) if figures is None else figures
    document = Document()
    document.core_properties.title = _TITLE
    document.add_heading(_TITLE, level=1)
    cohort_n = results.get("cohort.n")
    document.add_paragraph(
        f"Rule set: {results.rule_set_name}"
        + (f" ({results.rule_set_title})" if results.rule_set_title else "")
        + f". Patients analysed: {cohort_n.n if cohort_n is not None else 0}."
    )
    for note in results.notes:
        document.add_paragraph(note).runs[0].italic = True
    document.add_heading("Methods", level=2)
    document.add_paragraph(results.methods)
    document.add_heading("Results", level=2)
    for table in build_tables(results):
        _add_table(document, table)
    document.add_heading("Figures", level=2)
    for figure in figures:
        document.add_picture(io.BytesIO(figure.png), width=Inches(6))
        caption = document.add_paragraph()
        caption.add_run(f"{figure.title}. ").bold = True
        caption.add_run(figure.caption)
    document.add_heading("Software", level=2)
    document.add_paragraph(
        ", ".join(f"{name} {version}" for name, version in results.software) + "."
    )
    document.save(path)
    return path
