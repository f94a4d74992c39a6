"""An analysis-dataset CSV given to --data is checked like a bundle: every bad cell, with its row."""

import subprocess
import sys

import pandas as pd
import pytest

from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop import read_analysis_csv

HEADER = "patient_id,sex,histology,response_month1,egfr_mmf_start,relapses_before,eligible,onset_date,mmf_start_date,last_followup_date\n"
GOOD = "P1,M,FSGS,complete,95.5,2,true,2010-01-05,2011-02-01,2015-06-01\n"


def _csv(tmp_path, *rows, name="analysis.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _problems(path) -> dict:
    with pytest.raises(CohortValidationError) as caught:
        read_analysis_csv(path, as_of="2026-01-01")
    return {(p.row, p.column): p for p in caught.value.problems}


class TestAnalysisCsvCells:
    def test_a_valid_file_is_read_with_types(self, tmp_path):
        frame = read_analysis_csv(_csv(tmp_path, GOOD), as_of="2026-01-01")
        assert frame["egfr_mmf_start"].tolist() == [95.5]
        assert frame["onset_date"].tolist() == [pd.Timestamp("2010-01-05")]
        assert frame["relapses_before"].dtype == "Int64"

    def test_every_bad_value_is_reported_with_row_column_value_and_expectation(self, tmp_path):
        path = _csv(
            tmp_path,
            GOOD,
            "P2,X,Banana,maybe,9999,1.5,perhaps,2010-01-05,2011-02-01,2015-06-01\n",
            "P3,F,MCD,none,abc,1,false,05/01/2010,2011-02-01,2015-06-01\n",
        )
        found = _problems(path)
        assert set(found) == {
            (3, "sex"),
            (3, "histology"),
            (3, "response_month1"),
            (3, "egfr_mmf_start"),
            (3, "relapses_before"),
            (3, "eligible"),
            (4, "egfr_mmf_start"),
            (4, "onset_date"),
        }
        assert found[(3, "histology")].message == (
            "analysis.csv row 3: 'histology' is 'Banana'. "
            "Allowed values: MCD, FSGS, MN, DMS, MesPGN, C3G, IgAN, other."
        )
        assert found[(3, "sex")].value == "X"
        assert found[(3, "response_month1")].code == "unknown_code"
        assert found[(3, "egfr_mmf_start")].code == "implausible"
        assert "Expected 1-400 mL/min/1.73m2" in found[(3, "egfr_mmf_start")].message
        assert found[(4, "egfr_mmf_start")].message == (
            "analysis.csv row 4: 'egfr_mmf_start' is 'abc', which is not a number. "
            "Expected a number in mL/min/1.73m2 from 1 to 400."
        )
        assert found[(3, "relapses_before")].params["expected"].startswith("a whole number")
        assert found[(4, "onset_date")].code == "bad_date"

    def test_future_dates_and_dates_out_of_order_are_reported(self, tmp_path):
        path = _csv(
            tmp_path,
            "P1,M,FSGS,complete,95.5,2,true,2012-01-05,2011-02-01,2027-06-01\n",
        )
        found = _problems(path)
        assert found[(2, "last_followup_date")].code == "future_date"
        order = found[(2, "mmf_start_date")]
        assert order.code == "end_before_start"
        assert order.message == (
            "analysis.csv row 2: 'mmf_start_date' 2011-02-01 is before 'onset_date' 2012-01-05."
        )

    def test_empty_and_repeated_patient_ids_are_reported(self, tmp_path):
        found = _problems(_csv(tmp_path, GOOD, GOOD, GOOD.replace("P1", "", 1)))
        assert found[(3, "patient_id")].code == "duplicate_patient"
        assert "rows 2, 3" in found[(3, "patient_id")].message
        assert found[(4, "patient_id")].code == "missing_value"


def test_report_prints_every_problem_and_exits_1(tmp_path):
    path = _csv(tmp_path, GOOD, "P2,X,Banana,maybe,9999,1,true,2010-01-05,2011-02-01,2015-06-01\n")
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from nephrocohort.cli import main; main()",
            "report",
            "--data",
            str(path),
            "--out",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    for text in ("'Banana'", "'X'", "'maybe'", "9999"):
        assert text in completed.stderr
    assert "Traceback" not in completed.stderr
