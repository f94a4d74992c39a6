"""`nephrocohort validate` and `nephrocohort template` from the command line."""

import json
import re
import textwrap

from tests.entry_point import run_main
from typer.testing import CliRunner

from nephrocohort.cli import app

PATIENTS = """\
    patient_id,sex,birth_date
    P1,F,2012-03-14
    P2,M,2010-01-02
"""
LABS = """\
    patient_id,date,test,value,unit
    P1,2016-03-01,serum_albumin,25,g/L
"""


def write_csvs(folder, **tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def run(*args):
    return CliRunner().invoke(app, [*args])


class TestValidate:
    def test_valid_bundle_prints_a_summary_and_exits_0(self, tmp_path):
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS, labs=LABS)
        result = run("validate", str(bundle), "--as-of", "2025-01-01")
        assert result.exit_code == 0, result.output
        assert "valid cohort bundle: 2 patients" in result.output
        # English grammar: one row, zero or several rows (ngettext, not "1 rows").
        assert re.search(r"^  labs +1 row$", result.output, re.MULTILINE), result.output
        assert re.search(r"^  events +0 rows$", result.output, re.MULTILINE), result.output

    def test_broken_bundle_lists_every_problem_and_exits_1(self, tmp_path):
        patients = PATIENTS + "    P2,X,2010-13-01\n"
        labs = LABS + "    P9,2016-03-01,serum_albumin,25,g/dL\n"
        bundle = write_csvs(tmp_path / "b", patients=patients, labs=labs)
        result = run("validate", str(bundle), "--as-of", "2025-01-01")
        assert result.exit_code == 1
        output = result.output
        assert "6 problems found" in output
        assert "patients.csv row 4: 'sex' is 'X'. Allowed values: M, F." in output
        assert "patients.csv row 4: 'birth_date' is '2010-13-01'" in output
        assert "labs.csv row 3: patient_id 'P9' is not in the patients table." in output
        assert "labs.csv row 3: serum_albumin is 25 g/dL." in output
        assert "Was it measured in g/L?" in output
        assert "Traceback" not in output

    def test_long_report_starts_with_counts_by_kind(self, tmp_path):
        rows = "".join(f"    P{i},X,2010-01-02\n" for i in range(3, 15))
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS + rows)
        result = run("validate", str(bundle), "--as-of", "2025-01-01")
        assert result.exit_code == 1
        assert "12 problems found" in result.output
        assert "By table and kind:" in result.output
        assert "patients     unknown_code             12" in result.output

    def test_a_mistake_repeated_on_many_rows_is_one_entry_with_its_rows(self, tmp_path):
        # P2 entered twice, so the chart of a third patient (P3) has no patient row.
        patients = PATIENTS + "    P2,M,2010-01-02\n"
        labs = "    patient_id,date,test,value,unit\n" + "".join(
            f"    {pid},2016-03-01,serum_albumin,2.5,g/dL\n"
            for pid in ["P3", "P3", "P3", "P3", "P3", "P1", "P3", "P9"]
        )
        bundle = write_csvs(tmp_path / "b", patients=patients, labs=labs)
        result = run("validate", str(bundle), "--as-of", "2025-01-01")
        assert result.exit_code == 1
        output = result.output
        assert "9 problems found" in output
        # The counts by kind still count every row.
        assert "labs         unknown_patient           7" in output
        assert "Listed as 3 entries" in output
        assert (
            "2. labs.csv rows 2-6, 8 (6 rows): patient_id 'P3' is not in the patients table."
            in output
        )
        assert "3. labs.csv row 9: patient_id 'P9' is not in the patients table." in output
        assert output.count("Add the patient to patients, or correct the ID.") == 2
        assert "patients.csv rows 3-4 (2 rows): patient_id 'P2' appears more than once" in output

    def test_json_keeps_every_repeated_problem_separately(self, tmp_path):
        labs = "    patient_id,date,test,value,unit\n" + "".join(
            "    P3,2016-03-01,serum_albumin,2.5,g/dL\n" for _ in range(4)
        )
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS, labs=labs)
        result = run("validate", str(bundle), "--json", "--as-of", "2025-01-01")
        rows = [(p["code"], p["row"]) for p in json.loads(result.output)["problems"]]
        assert rows == [("unknown_patient", row) for row in (2, 3, 4, 5)]

    def test_every_command_groups_repeated_problems(self, tmp_path, monkeypatch, capsys):
        labs = "    patient_id,date,test,value,unit\n" + "".join(
            "    P3,2016-03-01,serum_albumin,2.5,g/dL\n" for _ in range(4)
        )
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS, labs=labs)
        out = tmp_path / "report"
        code, _, err = run_main(
            monkeypatch, capsys, "report", "--data", str(bundle), "--out", str(out)
        )
        assert code == 1
        assert "labs.csv rows 2-5 (4 rows): patient_id 'P3' is not in the patients table." in err
        assert "Traceback" not in err

    def test_json_output_for_programs(self, tmp_path):
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS + "    P3,F,2012-03-14\n    P3,F,x\n")
        result = run("validate", str(bundle), "--json", "--as-of", "2025-01-01")
        assert result.exit_code == 1
        outcome = json.loads(result.output)
        assert outcome["valid"] is False
        codes = [(p["code"], p["row"], p["column"]) for p in outcome["problems"]]
        assert codes == [
            ("duplicate_patient", 4, "patient_id"),
            ("duplicate_patient", 5, "patient_id"),
            ("bad_date", 5, "birth_date"),
        ]
        assert outcome["problems"][0]["params"] == {"rows": [4, 5]}
        assert outcome["problems"][0]["source"] == "patients.csv"

    def test_overlapping_courses_of_one_drug_fail_validation(self, tmp_path):
        # Two prednisolone renewals entered without ends (issue 11): P2's courses hand over
        # on 2016-04-01 (the old one ends the day the new one starts), which is no overlap.
        medications = """\
            patient_id,drug,start_date,end_date,dose,dose_unit,schedule
            P1,prednisolone,2016-03-01,,60,mg/m2/day,daily
            P1,prednisolone,2016-03-29,,40,mg/m2/day,alternate_day
            P2,prednisolone,2016-03-01,2016-04-01,60,mg/m2/day,daily
            P2,prednisolone,2016-04-01,,40,mg/m2/day,alternate_day
        """
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS, medications=medications)
        result = run("validate", str(bundle), "--json", "--as-of", "2025-01-01")
        assert result.exit_code == 1
        (problem,) = json.loads(result.output)["problems"]
        assert (problem["code"], problem["row"], problem["column"]) == (
            "overlapping_course",
            3,
            "start_date",
        )
        assert problem["severity"] == "error"
        assert problem["params"]["other_row"] == 2 and problem["params"]["other_end"] is None

    def test_json_output_of_a_valid_bundle(self, tmp_path):
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS)
        result = run("validate", str(bundle), "--json")
        assert result.exit_code == 0
        outcome = json.loads(result.output)
        assert outcome["valid"] is True
        assert outcome["patients"] == 2 and outcome["rows"]["labs"] == 0

    def test_path_that_does_not_exist(self, tmp_path):
        result = run("validate", str(tmp_path / "missing"))
        assert result.exit_code == 1
        assert "does not exist" in result.output

    def test_bad_as_of_date(self, tmp_path):
        bundle = write_csvs(tmp_path / "b", patients=PATIENTS)
        result = run("validate", str(bundle), "--as-of", "01/01/2025")
        assert result.exit_code != 0
        assert "YYYY-MM-DD" in result.output

    def test_entry_point_exits_1_without_traceback(self, tmp_path, monkeypatch, capsys):
        bundle = write_csvs(tmp_path / "b", patients="patient_id,sex\nP1,F\n")
        code, out, err = run_main(monkeypatch, capsys, "validate", str(bundle))
        assert code == 1
        assert "has no column 'birth_date'" in out
        assert "Traceback" not in err


class TestTemplate:
    def test_template_command_writes_a_workbook_that_validates(self, tmp_path):
        out = tmp_path / "cohort.xlsx"
        result = run("template", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert out.exists()
        assert run("validate", str(out)).exit_code == 0

    def test_template_needs_an_xlsx_name(self, tmp_path, monkeypatch, capsys):
        out = str(tmp_path / "cohort.csv")
        code, _, err = run_main(monkeypatch, capsys, "template", "--out", out)
        assert code == 2
        assert "should end in .xlsx" in err


def test_the_rows_and_the_unit_hints_of_a_problem_follow_the_language(tmp_path, monkeypatch):
    """NEPHROCOHORT_LANG=es: the place of a problem ('fila 3', 'filas 4-15') and the unit-slip
    hint are Spanish like its sentence (they were 'labs.csv row 3' and 'Was it measured in
    g/L?' around Spanish sentences)."""
    rows = "".join(f"    P{i},X,2010-01-02\n" for i in range(3, 15))
    labs = LABS + "    P1,2016-03-02,serum_albumin,25,g/dL\n"
    bundle = write_csvs(tmp_path / "b", patients=PATIENTS + rows, labs=labs)
    monkeypatch.setenv("NEPHROCOHORT_LANG", "es")
    result = run("validate", str(bundle), "--as-of", "2025-01-01")
    assert result.exit_code == 1
    output = result.output
    assert "patients.csv filas 4-15 (" in output
    assert "labs.csv fila 3: serum_albumin es 25 g/dL." in output
    assert "¿Se midió en g/L? Entonces escriba g/L en la columna unit." in output
    for english in (" row ", " rows ", "Was it", "Check the value"):
        assert english not in output, english
    monkeypatch.setenv("NEPHROCOHORT_LANG", "pt-BR")
    heights = "    patient_id,date,height_cm\n    P1,2016-03-01,1.2\n"
    bundle = write_csvs(tmp_path / "h", patients=PATIENTS, visits=heights)
    output = run("validate", str(bundle), "--as-of", "2025-01-01").output
    assert "visits.csv linha 2:" in output
    assert "Foi digitado em metros?" in output


def test_validate_and_derive_list_the_onset_hypertension_disagreements(tmp_path):
    """AAP 2017 (Flynn et al.) Table 3: 90/55 at 6 years is normal, 142/92 at 14 years stage 2
    hypertension; the hand-built bundle records 'yes' for the first (P02) and 'no' for the
    second (P10): a data-quality warning each, in validate and in derive, nothing changed."""
    from pathlib import Path

    bundle = Path(__file__).parents[1] / "cohort" / "data" / "i10_diaries"
    result = run("validate", str(bundle), "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert "2 warnings to check" in result.output
    assert "patient P02 has 'hypertension_at_onset' yes" in result.output
    assert "is normal by the AAP 2017 guideline" in result.output
    assert "patient P10 has 'hypertension_at_onset' no" in result.output
    assert "is stage 2 hypertension by the AAP 2017 guideline" in result.output
    as_json = json.loads(run("validate", str(bundle), "--as-of", "2026-01-01", "--json").output)
    codes = [problem["code"] for problem in as_json["problems"]]
    assert codes.count("onset_hypertension_disagrees") == 2
    derived = CliRunner().invoke(
        app, ["derive", "--data", str(bundle), "--out", str(tmp_path / "d.csv")]
    )
    assert derived.exit_code == 0, derived.output
    assert "2 warnings to check (the dataset was written" in derived.output
    assert (tmp_path / "d.csv").exists()
