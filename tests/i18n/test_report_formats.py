"""The study report in es and pt-BR: methods paragraph, row labels, percentages, every format.

Expected figures are the seed study's (Results: 18 of 26 boys, 69.2%), not the code's.
Percent spacing is CLDR's (Babel ``format_percent``): "69,2 %" with a no-break space in
Spanish, "69,2%" in Brazilian Portuguese.
"""

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from nephrocohort.clinical import load_rule_set
from nephrocohort.cohort import demo_cohort, derive
from nephrocohort.i18n import use_language
from nephrocohort.report import build_results, render_docx, render_html, render_xlsx

LANGUAGES = {
    "en": {
        "percent": "18 (69.2%)",
        "label": "Minimal change disease",
        "methods": "Qualitative variables are given as counts and percentages",
        "when": "Nephrotic-range proteinuria, 3 months on MMF",
    },
    "es": {
        "percent": "18 (69,2\u00a0%)",
        "label": "Enfermedad de cambios mínimos",
        "methods": "Las variables cualitativas se presentan como frecuencias y porcentajes",
        "when": "Proteinuria en rango nefrótico, 3 meses con MMF",
    },
    "pt-BR": {
        "percent": "18 (69,2%)",
        "label": "Doença de lesões mínimas",
        "methods": "As variáveis qualitativas são apresentadas como frequências e porcentagens",
        "when": "Proteinúria nefrótica, 3 meses com MMF",
    },
}
ENGLISH_METHODS = ("Of 26 patients assessed", "were analysed", "Percentiles follow", " and ")


@pytest.fixture(scope="module")
def demo():
    cohort, study = demo_cohort(), load_rule_set("study")
    return derive(cohort, study), study, cohort


def _results(demo, language):
    analysis, study, cohort = demo
    with use_language(language):
        return build_results(analysis, rule_set=study, cohort=cohort)


@pytest.mark.parametrize("language", ["es", "pt-BR"])
def test_the_methods_paragraph_is_written_in_the_language(demo, language):
    results = _results(demo, language)
    assert LANGUAGES[language]["methods"] in results.methods
    for english in ENGLISH_METHODS:
        assert english not in results.methods
    assert "alfa = 0,05" in results.methods  # the locale's decimal sign inside the sentence


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_composed_labels_are_written_in_the_language(demo, language):
    results = _results(demo, language)
    assert results["proteinuria.month3.nephrotic"].label == LANGUAGES[language]["when"]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_row_labels_and_percentages_in_html(demo, language):
    results = _results(demo, language)
    with use_language(language):
        html = render_html(results, figures=[])
    text = re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))  # keep no-break spaces
    expected = LANGUAGES[language]
    assert expected["percent"] in text
    assert expected["label"] in text
    assert expected["methods"] in text


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_word_report_in_the_language(demo, language):
    results = _results(demo, language)
    with use_language(language):
        document = Document(io.BytesIO(render_docx(results, figures=[])))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    expected = LANGUAGES[language]
    assert expected["methods"] in paragraphs
    assert expected["percent"] in cells
    assert expected["label"] in cells


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_excel_report_in_the_language(demo, language):
    results = _results(demo, language)
    with use_language(language):
        workbook = load_workbook(io.BytesIO(render_xlsx(results)))
    values = {
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    expected = LANGUAGES[language]
    assert expected["percent"] in values
    assert expected["label"] in values
    assert any(expected["methods"] in value for value in values)
    # Every sheet is named in the language: none keeps a table id (the course sheet was "course").
    from nephrocohort.report._tables import build_tables

    with use_language(language):
        ids = {table.id for table in build_tables(results)}
    assert not ids & set(workbook.sheetnames)
