"""A long Word table (one row per patient not analysed) is written by copying a row's XML:
the document must hold exactly the elements python-docx's own cell-by-cell calls write."""

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt
from lxml import etree

from nephrocohort.report._docx import _add_table, _column_widths
from nephrocohort.report._tables import Table


def _python_docx_table(table: Table) -> bytes:
    """The table as python-docx writes it with one call per cell (the method before the copy)."""
    document = Document()
    document.add_paragraph(table.title, style="Heading 3")
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.autofit = False
    for index, (cell, text) in enumerate(zip(grid.rows[0].cells, table.columns, strict=True)):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
        if index:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in table.rows:
        for index, (cell, text) in enumerate(zip(grid.add_row().cells, row, strict=True)):
            cell.text = str(text)
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    widths = _column_widths(table)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Inches(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Inches(width)
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    return etree.tostring(grid._tbl)


def _rows_of(document) -> list[bytes]:
    return [etree.tostring(row._tr) for row in document.tables[0].rows]


def test_a_long_table_holds_the_rows_python_docx_writes_cell_by_cell():
    rows = [(f"SYN-{n:07d}", "Hepatitis C positive.") for n in range(40)]
    # cells a copied row cannot hold: empty, a tab, a line break, outer spaces, markup
    rows[3] = ("SYN-0000003", "")
    rows[10] = ("SYN-0000010", "HIV positive.\tFamily history of nephrotic syndrome.")
    rows[17] = ("SYN-0000017", "first line\nsecond line")
    rows[25] = (" SYN-0000025", "ends with a space ")
    rows[30] = ("SYN-0000030", "<b>&amp; \u00e9 \u00b9")
    table = Table(
        id="not_analysed",
        title="Patients not analysed and why",
        columns=("Patient", "Reasons"),
        rows=tuple(rows),
    )
    document = Document()
    _add_table(document, table)
    expected_tbl = etree.fromstring(_python_docx_table(table))
    written = _rows_of(document)
    reference = [etree.tostring(row) for row in expected_tbl.iterchildren("{*}tr")]
    assert len(written) == 41
    assert written[1:] == reference[1:]
    assert [cell.text for cell in document.tables[0].rows[31].cells] == [
        "SYN-0000030",
        "<b>&amp; \u00e9 \u00b9",
    ]


def test_a_short_table_keeps_its_rows_with_the_title():
    table = Table(
        id="short",
        title="Short",
        columns=("Patient", "Reasons"),
        rows=tuple((f"SYN-{n:07d}", "HIV positive.") for n in range(3)),
    )
    document = Document()
    _add_table(document, table)
    rows = document.tables[0].rows
    assert all(row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in rows[:-1])
    assert not rows[-1].cells[0].paragraphs[0].paragraph_format.keep_with_next
