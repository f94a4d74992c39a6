"""Every CSV/XLSX the package writes is safe to open in a spreadsheet (issue 14, formula injection).

OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection):
"Ensure that no cells begin with any of the following characters: Equals to (=),
Plus (+), Minus (-), At (@), Tab (0x09), Carriage return (0x0D)". A cohort whose
patient IDs, stop reasons and free-text details are formulas goes through every
exporter and the report; every cell written is checked against that sentence,
and the project's own readers give the original text back.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from nephrocohort.cohort import demo_cohort, load_bundle, read_analysis_csv, save_bundle
from nephrocohort.cohort.model import Cohort
from nephrocohort.cohort.spreadsheet_cells import (
    neutralise_frame,
    neutralise_text,
    restore_text,
)
from nephrocohort.interop import EXPORT_FORMATS, export_tables
from nephrocohort.pipeline import compute_results, derive_dataset, render

PAYLOADS = ['=HYPERLINK("http://x","y")', "@SUM(1,2)", "+1", "-1+2"]
# The OWASP sentence above, also after leading blanks (spreadsheets skip them).
_RUNS_AS_FORMULA = re.compile(r"\s*[=+\-@]|[\t\r]")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def unsafe_csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    return [c for c in cells if _RUNS_AS_FORMULA.match(c) and not _is_number(c)]


def formula_cells(workbook_bytes: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


@pytest.fixture(scope="module")
def poisoned() -> Cohort:
    """The demo cohort with four patients renamed to formulas and formula free text."""
    tables = {name: frame.copy() for name, frame in demo_cohort().tables.items()}
    first = tables["patients"]["patient_id"].iloc[0]
    meds = tables["medications"]
    # Without MMF the first patient is excluded, so the report lists its ID.
    tables["medications"] = meds[~(meds["patient_id"].eq(first) & meds["drug"].eq("mmf"))].copy()
    renamed = dict(zip(tables["patients"]["patient_id"][: len(PAYLOADS)], PAYLOADS, strict=True))
    for frame in tables.values():
        frame["patient_id"] = frame["patient_id"].replace(renamed)
    meds = tables["medications"]
    meds["stop_reason"] = meds["stop_reason"].astype("object")
    meds.loc[meds.index[: len(PAYLOADS)], "stop_reason"] = PAYLOADS
    events = tables["events"]
    events["detail"] = events["detail"].astype("object")
    events.loc[events.index[: len(PAYLOADS)], "detail"] = PAYLOADS
    return Cohort.from_tables(tables)


class TestHelper:
    @pytest.mark.parametrize("text", [*PAYLOADS, "  =1+1", "\tx", "\rx", "'=x", "''@x"])
    def test_risky_text_gets_a_quote_and_comes_back(self, text):
        written = neutralise_text(text)
        assert written == "'" + text
        assert restore_text(written) == text

    @pytest.mark.parametrize("text", ["HOSP-001", "it's fine", "'quoted'", "", "a=b"])
    def test_plain_text_is_left_alone(self, text):
        assert neutralise_text(text) == text
        assert restore_text(text) == text

    def test_numbers_stay_numbers(self):
        frame = pd.DataFrame({"dose": [-1.5, 2.0], "note": ["-1", "ok"]})
        written = neutralise_frame(frame)
        assert written["dose"].tolist() == [-1.5, 2.0]
        assert written["note"].tolist() == ["'-1", "ok"]


class TestEveryWriter:
    def test_bundle_csv_folder_is_safe_and_reads_back(self, poisoned, tmp_path):
        save_bundle(poisoned, tmp_path / "bundle")
        for path in sorted((tmp_path / "bundle").glob("*.csv")):
            assert unsafe_csv_cells(path) == [], path.name
        assert "'@SUM(1,2)" in (tmp_path / "bundle" / "patients.csv").read_text()
        back = load_bundle(tmp_path / "bundle")
        assert set(PAYLOADS) <= set(back.patients["patient_id"])
        assert set(PAYLOADS) <= set(back.medications["stop_reason"].dropna())
        assert set(PAYLOADS) <= set(back.events["detail"].dropna())

    def test_bundle_workbook_has_no_formulas_and_reads_back(self, poisoned, tmp_path):
        save_bundle(poisoned, tmp_path / "bundle.xlsx")
        assert formula_cells((tmp_path / "bundle.xlsx").read_bytes()) == []
        back = load_bundle(tmp_path / "bundle.xlsx")
        assert set(PAYLOADS) <= set(back.patients["patient_id"])
        assert set(PAYLOADS) <= set(back.medications["stop_reason"].dropna())

    def test_analysis_csv_is_safe_and_reads_back(self, poisoned, tmp_path):
        from nephrocohort.cohort import write_analysis_csv

        write_analysis_csv(derive_dataset(poisoned), tmp_path / "analysis.csv")
        assert unsafe_csv_cells(tmp_path / "analysis.csv") == []
        back = read_analysis_csv(tmp_path / "analysis.csv", as_of="2030-01-01")
        assert set(PAYLOADS) <= set(back["patient_id"])

    @pytest.mark.parametrize("to", EXPORT_FORMATS)
    @pytest.mark.parametrize("identifiable", [True, False])
    def test_every_export_format(self, poisoned, tmp_path, to, identifiable):
        tables = dict(poisoned.tables)
        tables["analysis"] = derive_dataset(poisoned)
        out = tmp_path / ("export.xlsx" if to == "xlsx" else "export")
        summary = export_tables(tables, to=to, out=out, identifiable=identifiable, seed=3)
        written = [out] if to == "xlsx" else sorted(out.iterdir())
        if summary.key_file is not None:
            written.append(Path(summary.key_file))
        checked = 0
        for path in written:
            if path.suffix == ".csv":
                assert unsafe_csv_cells(path) == [], path.name
                checked += 1
            elif path.suffix == ".xlsx":
                assert formula_cells(path.read_bytes()) == [], path.name
                checked += 1
        if to in ("csv", "xlsx", "redcap", "bundle") or not identifiable:
            assert checked, f"no spreadsheet file among {[p.name for p in written]}"

    def test_report_workbook_has_no_formulas(self, poisoned):
        results = compute_results(poisoned)
        assert PAYLOADS[0] in set(results.excluded_patients["patient_id"])
        workbook = render(results, ["xlsx"])["xlsx"]
        assert formula_cells(workbook) == []
        sheet = load_workbook(io.BytesIO(workbook))["Excluded patients"]
        assert PAYLOADS[0] in [cell.value for row in sheet.iter_rows() for cell in row]
