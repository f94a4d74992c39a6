"""The report lists the onset hypertension disagreements as a data-quality finding (issue 10 item 7).

"A disagreement is a data-quality finding, not silently resolved": validate and derive list
``onset_hypertension_disagrees``; the report counts the same patients, names them, in every
format and language, under a stable results.json id.

The cohort is the hand-built i10 bundle with one flag changed by hand. Expected categories come
from AAP 2017 (Flynn et al., Pediatrics 2017;140:e20171904), Table 3: in children 1-13 years
stage 2 hypertension is ">= 95th percentile + 12 mm Hg, or >= 140/90 mm Hg (whichever is
lower)"; from 13 years ">= 140/90". The onset visits (onset 2020-01-01):
- P01, boy of 6 years, 145/95: stage 2; recorded 'yes' in the bundle, set to 'no' here;
- P02, boy of 6 years, 90/55: below the 90th percentile of Table 4 at any height (normal);
  recorded 'yes';
- P10, boy of 14 years, 142/92: stage 2; recorded 'no';
- the other eight have no blood pressure at onset: not compared.
So 3 of the 3 patients compared disagree: P01, P02 and P10 (P10 analysed, P01 and P02 not).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from nephrocohort.i18n import use_language
from nephrocohort.pipeline import compute_results
from nephrocohort.report import render_docx, render_html, render_json, render_xlsx

BUNDLE = Path(__file__).parents[1] / "cohort" / "data" / "i10_diaries"
FINDING = "data_quality.onset_hypertension_disagrees"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onset_htn") / "bundle"
    shutil.copytree(BUNDLE, folder)
    patients = pd.read_csv(folder / "patients.csv", dtype=str, keep_default_na=False)
    assert patients.loc[patients["patient_id"] == "P01", "hypertension_at_onset"].item() == "yes"
    patients.loc[patients["patient_id"] == "P01", "hypertension_at_onset"] = "no"
    patients.to_csv(folder / "patients.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def results(bundle):
    return compute_results(bundle)


def test_the_finding_counts_and_names_the_patients(results):
    finding = results[FINDING]
    assert (finding.n, finding.denominator, finding.missing) == (3, 3, 8)
    assert finding.patient_ids == ("P01", "P02", "P10")
    # Nothing is resolved: the report's onset row still counts the flag as recorded
    # (P04 'no', no BP; P10 'no'): 0 of the 2 analysed patients.
    assert (results["onset.hypertension"].n, results["onset.hypertension"].denominator) == (0, 2)


def test_results_json_has_the_stable_id_and_the_ids(results):
    records = {record["id"]: record for record in json.loads(render_json(results))}
    assert records[FINDING]["n"] == 3
    assert records[FINDING]["denominator"] == 3
    assert records[FINDING]["patient_ids"] == ["P01", "P02", "P10"]


def test_html_word_and_excel_show_the_finding(results):
    html = render_html(results)
    assert 'id="data_quality"' in html
    assert "3/3 (100.0%)" in html and "P01, P02, P10" in html
    document = Document(io.BytesIO(render_docx(results)))
    rows = {
        tuple(cell.text for cell in row.cells) for table in document.tables for row in table.rows
    }
    assert any(row[1:] == ("3/3 (100.0%)", "P01, P02, P10") for row in rows)
    workbook = load_workbook(io.BytesIO(render_xlsx(results)))
    sheet = workbook["Data quality"]
    assert ("3/3 (100.0%)", "P01, P02, P10") in {
        (row[1].value, row[2].value) for row in sheet.iter_rows(min_row=3)
    }
    # The 'All results' sheet keeps the ids in one cell.
    everything = workbook["All results"]
    cells = {cell.value for row in everything.iter_rows() for cell in row}
    assert "P01, P02, P10" in cells


@pytest.mark.parametrize(
    ("lang", "title", "sheet"),
    [
        ("es", "Hallazgos de calidad de los datos", "Calidad de los datos"),
        ("pt-BR", "Achados de qualidade dos dados", "Qualidade dos dados"),
    ],
)
def test_the_finding_is_translated(bundle, lang, title, sheet):
    with use_language(lang):
        results = compute_results(bundle)
        html = render_html(results)
        workbook = load_workbook(io.BytesIO(render_xlsx(results)))
    assert title in html and "P01, P02, P10" in html
    assert "Recorded hypertension" not in html
    assert sheet in workbook.sheetnames
    assert results[FINDING].patient_ids == ("P01", "P02", "P10")


def test_the_demo_cohort_has_the_finding_at_zero():
    # The demo records agree with their onset blood pressure (tests/cohort/
    # test_derive_blood_pressure.py): the finding is there, with no patient.
    results = compute_results(None)
    finding = results[FINDING]
    assert finding.n == 0 and finding.patient_ids == ()
    assert finding.denominator > 0


def test_an_analysis_file_without_the_derived_column_has_no_finding(analysis, cohort):
    from nephrocohort.report import build_results

    results = build_results(analysis, rule_set="study", cohort=cohort)
    assert FINDING not in results
    assert "data_quality" not in render_html(results)
