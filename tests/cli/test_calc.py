"""The calculators on the command line: JSON names scripts rely on, human text, and clear errors.

Expected values come from the sources named in tests/clinical (bedside Schwartz
0.413 x 120 / 0.5 = 99.12 is the acceptance example of issue 2; CKiD vectors from
the official calculator; BSA 170 cm / 75 kg Mosteller 1.8819 from admiral's inputs).
"""

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app

runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


class TestEgfr:
    def test_acceptance_bedside_schwartz(self):
        payload = run_json(
            "calc",
            "egfr",
            "--equation",
            "schwartz-bedside",
            "--height-cm",
            "120",
            "--creatinine-mg-dl",
            "0.5",
        )
        assert payload["egfr"] == 99.12
        assert payload["equation"] == "schwartz-bedside"

    def test_ckid_u25_official_vector(self):
        payload = run_json(
            "calc",
            "egfr",
            "--equation",
            "ckid-u25",
            "--height-cm",
            "160",
            "--creatinine-mg-dl",
            "1.9",
            "--age-years",
            "15",
            "--sex",
            "F",
        )
        assert payload["egfr"] == pytest.approx(32.55, abs=0.01)

    def test_ckid_combined_official_vector(self):
        payload = run_json(
            "calc",
            "egfr",
            "--equation",
            "ckid-u25-combined",
            "--height-cm",
            "120",
            "--creatinine-mg-dl",
            "0.9",
            "--cystatin-c-mg-l",
            "1.3",
            "--age-years",
            "11",
            "--sex",
            "M",
        )
        assert payload["egfr"] == pytest.approx(57.9, abs=0.05)

    def test_creatinine_in_umol_l(self):
        # transplantr docs schwartz(64, 101) -> 57.62
        payload = run_json(
            "calc",
            "egfr",
            "--equation",
            "schwartz-bedside",
            "--height-cm",
            "101",
            "--creatinine-umol-l",
            "64",
        )
        assert payload["egfr"] == pytest.approx(57.62, abs=0.01)

    def test_default_equation_is_the_rule_sets(self):
        # study rule set: original Schwartz; 8-year-old: 0.55 x 120 / 0.6 = 110
        payload = run_json(
            "calc",
            "egfr",
            "--height-cm",
            "120",
            "--creatinine-mg-dl",
            "0.6",
            "--age-years",
            "8",
            "--sex",
            "M",
        )
        assert payload["equation"] == "schwartz-1976"
        assert payload["egfr"] == 110.0

    def test_human_output_names_equation_and_stage(self):
        result = runner.invoke(
            app,
            [
                "calc",
                "egfr",
                "--equation",
                "schwartz-bedside",
                "--height-cm",
                "120",
                "--creatinine-mg-dl",
                "0.5",
            ],
        )
        assert result.exit_code == 0
        assert (
            "eGFR 99.1 mL/min/1.73m2" in result.stdout
            and "bedside Schwartz" in result.stdout
            and "G1" in result.stdout
        )

    def test_missing_inputs_are_named_as_options(self):
        result = runner.invoke(
            app,
            [
                "calc",
                "egfr",
                "--equation",
                "ckid-u25",
                "--height-cm",
                "120",
                "--creatinine-mg-dl",
                "0.5",
            ],
        )
        assert result.exit_code == 2
        assert "needs --age-years, --sex" in result.stderr

    def test_impossible_value_is_explained(self):
        result = runner.invoke(
            app,
            [
                "calc",
                "egfr",
                "--equation",
                "schwartz-bedside",
                "--height-cm",
                "0",
                "--creatinine-mg-dl",
                "0.5",
            ],
        )
        assert result.exit_code == 2
        assert "height_cm is 0; expected 30-250 cm" in result.stderr

    def test_unknown_equation(self):
        result = runner.invoke(
            app,
            [
                "calc",
                "egfr",
                "--equation",
                "mdrd",
                "--height-cm",
                "120",
                "--creatinine-mg-dl",
                "0.5",
            ],
        )
        assert result.exit_code == 2
        assert "schwartz-bedside" in result.stderr


class TestBsa:
    @pytest.mark.parametrize(
        ("formula", "expected"),
        [("mosteller", 1.8819), ("dubois", 1.8636), ("haycock", 1.8947), ("gehan-george", 1.8975)],
    )
    def test_formulas(self, formula, expected):
        payload = run_json(
            "calc", "bsa", "--height-cm", "170", "--weight-kg", "75", "--formula", formula
        )
        assert payload["bsa_m2"] == pytest.approx(expected, abs=1e-4)

    def test_height_in_metres_is_refused(self):
        result = runner.invoke(app, ["calc", "bsa", "--height-cm", "1.7", "--weight-kg", "75"])
        assert result.exit_code == 2
        assert "metres" in result.stderr


class TestCkdStage:
    def test_stage_and_suppression_under_two(self):
        assert run_json("calc", "ckd-stage", "--egfr", "59.9")["stage"] == "G3a"
        assert (
            run_json("calc", "ckd-stage", "--egfr", "59.9", "--age-years", "1.5")["stage"] is None
        )


class TestProteinuria:
    @pytest.mark.parametrize(
        ("args", "category"),
        [
            (["--upcr-mg-mg", "2.5"], "nephrotic"),
            (["--upcr-mg-mmol", "15"], "complete"),
            (["--timed-mg-m2-h", "40"], "partial"),  # seed: > 40 nephrotic, 40 is partial
            (["--dipstick", "trace"], "complete"),
            (["--dipstick", "3+"], "partial"),  # seed: 30-300 mg/dL partial
            (["--dipstick", "3+", "--rule-set", "ipna2020"], "nephrotic"),  # IPNA: >= 3+ nephrotic
        ],
    )
    def test_categories(self, args, category):
        assert run_json("calc", "proteinuria", *args)["category"] == category

    def test_exactly_one_measurement(self):
        result = runner.invoke(
            app, ["calc", "proteinuria", "--upcr-mg-mg", "1", "--dipstick", "2+"]
        )
        assert result.exit_code == 2
        assert "exactly one measurement" in result.stderr

    def test_bad_dipstick_grade(self):
        result = runner.invoke(app, ["calc", "proteinuria", "--dipstick", "5+"])
        assert result.exit_code == 2
        assert "Accepted grades" in result.stderr

    def test_unknown_rule_set(self):
        result = runner.invoke(
            app, ["calc", "proteinuria", "--upcr-mg-mg", "1", "--rule-set", "ipna2021"]
        )
        assert result.exit_code == 2
        assert "Available rule sets: ipna2020, kdigo2021, study" in result.stderr


class TestDose:
    def test_mmf_from_height_and_weight(self):
        # 120 cm / 22 kg -> Mosteller 0.8563 m2 -> 1200 mg/m2/day = 513.8 mg per dose -> 2 x 250 mg
        payload = run_json(
            "calc", "dose", "--drug", "mmf", "--height-cm", "120", "--weight-kg", "22"
        )
        assert (payload["mg_per_dose"], payload["amount_per_dose"], payload["amount_unit"]) == (
            500,
            2,
            "capsule",
        )

    def test_mmf_gi_plan(self):
        payload = run_json(
            "calc", "dose", "--drug", "mmf", "--bsa-m2", "0.8563", "--gi-onset-date", "2024-03-01"
        )
        assert [step["action"] for step in payload["gi_plan"]] == ["reduce", "restore", "withdraw"]
        assert payload["gi_plan"][1]["date"] == "2024-03-29"

    def test_prednisolone_alternate_day(self):
        payload = run_json(
            "calc",
            "dose",
            "--drug",
            "prednisolone",
            "--bsa-m2",
            "1.8819",
            "--schedule",
            "alternate-day",
        )
        assert (payload["mg_per_dose"], payload["capped"]) == (40, True)

    def test_needs_bsa_or_height_and_weight(self):
        result = runner.invoke(app, ["calc", "dose", "--drug", "mmf", "--height-cm", "120"])
        assert result.exit_code == 2
        assert "--bsa-m2" in result.stderr

    def test_unknown_drug(self):
        result = runner.invoke(app, ["calc", "dose", "--drug", "tacrolimus", "--bsa-m2", "1"])
        assert result.exit_code == 2
        assert "mmf or prednisolone" in result.stderr


def _cli(*args: str) -> subprocess.CompletedProcess:
    """Run the installed ``nephrocohort`` command as a user does (its main() if not on PATH)."""
    command = shutil.which("nephrocohort")
    if command is None:
        code = "import sys; from nephrocohort.cli import main; sys.argv = ['nephrocohort', *sys.argv[1:]]; main()"
        return subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
        )
    return subprocess.run([command, *args], capture_output=True, text=True, timeout=60)


class TestBedsideSchwartzAge:
    def test_adult_age_is_refused(self):
        result = runner.invoke(
            app,
            [
                "calc",
                "egfr",
                "--equation",
                "schwartz-bedside",
                "--height-cm",
                "120",
                "--creatinine-mg-dl",
                "0.5",
                "--age-years",
                "40",
            ],
        )
        assert result.exit_code == 2
        assert "age_years is 40; expected 1-18 years for the bedside Schwartz equation" in (
            result.output
        )

    def test_child_age_is_accepted(self):
        payload = run_json(
            "calc",
            "egfr",
            "--equation",
            "schwartz-bedside",
            "--height-cm",
            "120",
            "--creatinine-mg-dl",
            "0.5",
            "--age-years",
            "9",
        )
        assert payload["egfr"] == 99.12


class TestNotANumber:
    """NaN and infinity typed on the command line are refused; JSON never carries NaN."""

    @pytest.mark.parametrize(
        ("args", "phrase"),
        [
            (
                [
                    "egfr",
                    "--equation",
                    "ckid-u25",
                    "--height-cm",
                    "120",
                    "--creatinine-mg-dl",
                    "0.5",
                    "--sex",
                    "M",
                    "--age-years",
                    "nan",
                ],
                "age_years is missing (not a number); expected a number in 1-25 years",
            ),
            (
                [
                    "egfr",
                    "--equation",
                    "schwartz-1976",
                    "--height-cm",
                    "120",
                    "--creatinine-mg-dl",
                    "0.5",
                    "--sex",
                    "M",
                    "--age-years",
                    "nan",
                ],
                "age_years is missing (not a number)",
            ),
            (["bsa", "--height-cm", "nan", "--weight-kg", "20"], "height_cm is missing"),
            (["bsa", "--height-cm", "inf", "--weight-kg", "20"], "height_cm is infinite"),
            (["ckd-stage", "--egfr", "nan"], "egfr_ml_min_1_73m2 is missing"),
            (["dose", "--drug", "mmf", "--bsa-m2", "nan"], "bsa_m2 is missing"),
            (["proteinuria", "--upcr-mg-mg", "inf"], "upcr value is infinite"),
        ],
    )
    def test_refused_with_a_message(self, args, phrase):
        result = runner.invoke(app, ["calc", *args, "--json"])
        assert result.exit_code == 2
        assert result.stdout == ""
        assert phrase in result.output

    def test_json_output_refuses_nan_rather_than_printing_it(self):
        from nephrocohort.cli._calc import _emit

        with pytest.raises(ValueError):
            _emit(True, {"bsa_m2": float("nan")}, "")


class TestDoseReadsAsAPrescription:
    def test_mg_m2_says_per_day_or_per_dose(self):
        daily = runner.invoke(app, ["calc", "dose", "--drug", "mmf", "--bsa-m2", "0.8563"])
        assert "mg/m2/day (target 1200 mg/m2/day)" in daily.stdout
        alternate = runner.invoke(
            app,
            [
                "calc",
                "dose",
                "--drug",
                "prednisolone",
                "--bsa-m2",
                "0.8563",
                "--schedule",
                "alternate-day",
            ],
        )
        assert "mg/m2 per dose (target 40 mg/m2 per dose)" in alternate.stdout
        payload = run_json(
            "calc",
            "dose",
            "--drug",
            "prednisolone",
            "--bsa-m2",
            "0.8563",
            "--schedule",
            "alternate-day",
        )
        assert payload["mg_m2_basis"] == "mg/m2 per dose"

    def test_schedule_with_mmf_is_refused_not_ignored(self):
        result = runner.invoke(
            app, ["calc", "dose", "--drug", "mmf", "--bsa-m2", "1", "--schedule", "alternate-day"]
        )
        assert result.exit_code == 2
        assert "--schedule applies to prednisolone only; MMF is given twice daily." in (
            result.output
        )

    def test_wrong_formulation_lists_the_right_ones(self):
        result = runner.invoke(
            app,
            [
                "calc",
                "dose",
                "--drug",
                "mmf",
                "--bsa-m2",
                "1",
                "--formulation",
                "prednisolone-tablet-5",
            ],
        )
        assert result.exit_code == 2
        assert "is not a formulation of MMF. Choose one of: mmf-capsule-250" in result.output


class TestThroughTheEntryPoint:
    def test_acceptance_command(self):
        done = _cli(
            "calc",
            "egfr",
            "--equation",
            "schwartz-bedside",
            "--height-cm",
            "120",
            "--creatinine-mg-dl",
            "0.5",
            "--json",
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["egfr"] == 99.12

    @pytest.mark.parametrize(
        ("args", "phrase"),
        [
            (["calc", "bsa", "--weight-kg", "20"], "Missing option '--height-cm'"),
            (
                ["calc", "bsa", "--height-cm", "abc", "--weight-kg", "20"],
                "Invalid value for '--height-cm'",
            ),
            (
                [
                    "calc",
                    "egfr",
                    "--equation",
                    "schwartz-bedside",
                    "--height-cm",
                    "120",
                    "--creatinine-mg-dl",
                    "-1",
                ],
                "creatinine_mg_dl is -1",
            ),
            (["rules", "show", "nope"], "Unknown rule set 'nope'"),
        ],
    )
    def test_wrong_input_gives_a_message_not_a_traceback(self, args, phrase):
        done = _cli(*args)
        assert done.returncode == 2
        assert phrase in done.stderr
        assert "Traceback" not in done.stderr


class TestBloodPressure:
    """``calc bp``: Table 4 (boys) of Flynn et al. 2017, age 9, as transcribed in pedbp: the 25th
    height column reads 90th 109/72, 95th 113/75 mmHg (95th + 12: 125/87)."""

    def test_child_from_the_issue(self):
        payload = run_json(
            "calc", "bp", "--age-years", "9", "--sex", "M", "--height-cm", "130",
            "--sbp-mmhg", "118", "--dbp-mmhg", "76",
        )  # fmt: skip
        # CDC STATAGE, boys, Agemos 108.5: P25 129.6 cm and P50 133.7 cm, so 130 cm is
        # between the 25th and the 50th percentile, nearer the 25th column.
        assert 25 < payload["height_percentile"] < 37.5
        assert payload["table"]["height_percentile_column"] == 25
        assert payload["table"]["sbp_p90_mmhg"] == 109
        assert payload["table"]["sbp_p95_mmhg"] == 113
        assert payload["table"]["sbp_p95_plus_12_mmhg"] == 125
        assert payload["table"]["dbp_p95_mmhg"] == 75
        # 118 >= 113 (95th) and < 125; 76 >= 75: stage 1 by both.
        assert payload["category"] == "stage_1_hypertension"

    def test_text_names_the_percentile_thresholds_and_category(self):
        result = runner.invoke(
            app,
            ["calc", "bp", "--age-years", "9", "--sex", "M", "--height-cm", "130",
             "--sbp-mmhg", "118", "--dbp-mmhg", "76"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Table 4 (boys), age 9 y, height column 25th" in result.stdout
        assert "95th 113/75" in result.stdout
        assert "stage 1 hypertension" in result.stdout

    def test_adolescent_needs_no_height(self):
        # Table 3, >= 13 y: "Elevated BP: 120/<80 to 129/<80 mm Hg".
        payload = run_json(
            "calc", "bp", "--age-years", "15", "--sex", "F", "--sbp-mmhg", "128",
            "--dbp-mmhg", "76",
        )  # fmt: skip
        assert payload["category"] == "elevated"
        assert payload["thresholds"]["basis"] == "fixed_adolescent"

    def test_infant_is_not_classified_and_says_why(self):
        result = runner.invoke(
            app, ["calc", "bp", "--age-years", "0.5", "--sex", "M", "--sbp-mmhg", "100",
                  "--dbp-mmhg", "60"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "begin at 1 year" in result.stdout

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--height-cm", "130", "--sbp-mmhg", "76", "--dbp-mmhg", "118"], "must be below"),
            (["--sbp-mmhg", "118", "--dbp-mmhg", "76"], "--height-cm is required"),
            (["--height-cm", "1.3", "--sbp-mmhg", "118", "--dbp-mmhg", "76"], "metres"),
        ],
    )
    def test_impossible_input(self, args, message):
        result = runner.invoke(app, ["calc", "bp", "--age-years", "9", "--sex", "M", *args])
        assert result.exit_code == 2
        assert message in result.output
        assert "Traceback" not in result.output
