"""The Word and Excel files open in their libraries and hold the tables; HTML is self-contained."""

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from nephrocohort.report import render_docx, render_figures, render_html, render_xlsx


@pytest.fixture(scope="module")
def results(fixture_results):
    return fixture_results


@pytest.fixture(scope="module")
def figures(results):
    return render_figures(results)


def _docx_tables(path):
    document = Document(path)
    return document, [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]


def test_docx_has_table1_by_histology(results, figures, tmp_path):
    document, tables = _docx_tables(io.BytesIO(render_docx(results, figures=figures)))
    headings = [p.text for p in document.paragraphs]
    assert "Table 1. Baseline characteristics by histology" in headings
    table1 = next(t for t in tables if t[0][1:] == ["MCD", "FSGS", "MN"])
    rows = {row[0]: row[1:] for row in table1}
    assert rows["N"] == ["2", "3", "1"]
    assert rows["Sex (M:F)"] == ["1:1", "2:0", "0:1"]
    # mean (SD) as the seed's Table 1: MCD 8, 10 -> 9 (SD sqrt(2)); FSGS 4, 6 -> 5 (sqrt(2)),
    # two decimals throughout; each cell points to the note saying why it was not tested
    assert rows["Current age (years), mean (SD)"] == [
        "9.00 (1.41)\u00b9",
        "5.00 (1.41)\u00b2",
        "12.00\u00b3",
    ]
    notes = [p.text for p in document.paragraphs]
    assert "\u00b9 Fewer than 5 values: not tested; min\u2013max 8.00\u201310.00." in notes
    assert "\u00b3 Fewer than 5 values: not tested." in notes
    assert rows["High blood pressure at onset, n (%)"] == ["1 (50.0%)", "2 (66.7%)", "\u2014"]


def test_docx_has_table2_with_crf_per_histology(results, figures, tmp_path):
    _, tables = _docx_tables(io.BytesIO(render_docx(results, figures=figures)))
    table2 = next(
        t for t in tables if t[0] == ["Finding in the renal biopsy", "n (%)", "CRF n (%)"]
    )
    assert table2[1:] == [
        ["Minimal change disease", "2 (33.3%)", "0 (0.0%)"],
        ["Focal segmental glomerulosclerosis", "3 (50.0%)", "1 (33.3%)"],
        ["Membranous nephropathy", "1 (16.7%)", "0 (0.0%)"],
    ]


def test_docx_before_after_table_and_figures(results, figures, tmp_path):
    document, tables = _docx_tables(io.BytesIO(render_docx(results, figures=figures)))
    before_after = next(t for t in tables if t[0][0] == "Variable" and "Wilcoxon p" in t[0])
    relapses = dict(zip(before_after[0], before_after[1], strict=True))
    # before 3, 4, 2, 5, 1, 2: mean 2.83 (SD 1.47), normal by Lilliefors (D = 0.21) -> note 1;
    # Wilcoxon p = 0.041 and paired t -1.83 (-3.06 to -0.61), p = 0.012 are R's
    # (see test_summaries_and_tests.py)
    assert relapses["Variable"] == "Relapses per year"
    assert relapses["Before / at MMF start"] == "2.83 (SD 1.47)\u00b9"
    assert relapses["Normality of the differences"] == "Lilliefors D = 0.22, p > 0.2: normal"
    assert relapses["Wilcoxon p"] == "0.041" and relapses["Pairs"] == "5"
    assert relapses["Paired t"] == "-1.83 (-3.06 to -0.61), p = 0.012"
    steroid = dict(zip(before_after[0], before_after[2], strict=True))
    assert steroid["Paired t"] == "\u2014"  # not given: the differences are not normal
    notes = [p.text for p in document.paragraphs]
    assert "\u00b9 Lilliefors D = 0.21, p > 0.2: normal." in notes
    assert len(document.inline_shapes) == len(figures) == 5


def test_xlsx_has_one_sheet_per_table_and_all_results_unrounded(results, tmp_path):
    workbook = load_workbook(io.BytesIO(render_xlsx(results)))
    for name in ("Characteristics", "Table 1", "Table 2", "Proteinuria", "Response",
                 "Before-after MMF", "Outcomes", "Kaplan-Meier", "Eligibility",
                 "Excluded patients", "All results", "Methods"):  # fmt: skip
        assert name in workbook.sheetnames
    table2 = workbook["Table 2"]
    assert table2["A1"].value.startswith("Table 2.")
    assert [c.value for c in table2[4]] == [
        "Focal segmental glomerulosclerosis",
        "3 (50.0%)",
        "1 (33.3%)",
    ]
    sheet = workbook["All results"]
    header = [c.value for c in sheet[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["onset.edema"]["percent"] == pytest.approx(500 / 6, rel=1e-12)
    assert rows["relapses_per_year.test"]["p"] == pytest.approx(0.04122683, abs=1e-8)


def test_html_is_self_contained(results, figures, tmp_path):
    html = render_html(results, figures=figures)
    assert html.count('src="data:image/png;base64,') == 5
    assert not re.search(r'(src|href)="https?://', html)  # nothing fetched from the network
    assert "Table 1. Baseline characteristics by histology" in html
    assert "Of 8 patients assessed, 6 met the eligibility criteria" in html


def test_tables_are_available_as_dataframes_for_notebooks(results):
    tables = results.tables()
    assert list(tables)[:3] == ["characteristics", "table1", "table2"]
    table2 = tables["table2"].set_index("Finding in the renal biopsy")
    assert table2.loc["Focal segmental glomerulosclerosis", "CRF n (%)"] == "1 (33.3%)"
    assert "<table" in results._repr_html_()


# R 4.2.2, nortest::lillie.test: age at diagnosis 7, 20, 25, 30, 48, 192 -> D = 0.3660213,
# p = 0.01175052; age at assessment 4, 6, 8, 10, 12 -> D = 0.1364554 (p > 0.2)
def test_every_summary_row_says_why_it_is_shown_as_it_is(results):
    table = results.tables()["characteristics"].set_index("Variable")
    age = table.loc["Age at diagnosis (months)"]
    assert age["Shown as"] == "median (p25\u2013p75)"
    assert age["Normality test"] == "Lilliefors D = 0.37, p = 0.012: not normal"
    assert age["Value"] == "27.50 (16.75\u201384.00)"  # SPSS HAVERAGE quartiles, two decimals
    assessment = table.loc["Age at assessment (last follow-up) (years)"]
    assert assessment["Normality test"] == "Lilliefors D = 0.14, p > 0.2: normal"
    assert assessment["Value"] == "8.00 (SD 3.16)"
    assert table.loc["Male", "Normality test"] == ""
    assert "Normality test" not in results.tables()["outcomes"].columns  # counts only


def test_xlsx_and_html_carry_the_footnotes(results, figures, tmp_path):
    workbook = load_workbook(io.BytesIO(render_xlsx(results)))
    cells = [c.value for row in workbook["Table 1"].iter_rows() for c in row if c.value]
    assert "\u00b3 Fewer than 5 values: not tested." in cells
    header = [c.value for c in workbook["Characteristics"][2]]
    assert "Normality test" in header
    html = render_html(results, figures=figures)
    assert 'class="footnotes"' in html
    assert "Lilliefors D = 0.37, p = 0.012: not normal" in html


def test_shapiro_names_its_statistic_in_the_tables(analysis):
    from nephrocohort.report import ReportOptions, build_results

    results = build_results(
        analysis, rule_set="study", options=ReportOptions(normality_test="shapiro")
    )
    table = results.tables()["characteristics"].set_index("Variable")
    # R 4.2.2: shapiro.test(c(7, 20, 25, 30, 48, 192)): W = 0.67862, p-value = 0.003651
    assert (
        table.loc["Age at diagnosis (months)", "Normality test"]
        == "Shapiro-Wilk W = 0.68, p = 0.004: not normal"
    )


def test_html_shows_figures_near_print_size_not_at_their_pixel_width(results, figures):
    from nephrocohort.report import render_html

    html = render_html(results, figures=figures)
    widths = [
        int(w)
        for w in re.findall(
            r'<img src="data:image/png;base64,[^"]+" alt="[^"]*" width="(\d+)"', html
        )
    ]
    assert len(widths) == len(figures)
    for figure, width in zip(figures, widths, strict=True):
        pixels = int.from_bytes(figure.png[16:20], "big")  # PNG header: width in pixels
        assert width == round(pixels / 150 * 115)  # 150 dpi drawn, 1.2 x 96 px per inch shown
        assert width < pixels


def test_docx_tables_are_journal_style(results, figures, tmp_path):
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(render_docx(results, figures=figures)))
    section = document.sections[0]
    assert section.left_margin.inches == pytest.approx(1)
    for table in document.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        # three horizontal rules, no grid: only top and bottom on the table, a rule under the
        # header row, which repeats on each page
        assert [child.tag.split("}")[1] for child in borders] == ["top", "bottom"]
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        widths = [column.width.inches for column in table.columns]
        assert sum(widths) == pytest.approx(6.5, abs=0.01)
    characteristics = next(t for t in document.tables if t.cell(0, 0).text == "Variable")
    widths = [column.width for column in characteristics.columns]
    assert widths[0] > max(widths[2:])  # variable names get room, counts do not
