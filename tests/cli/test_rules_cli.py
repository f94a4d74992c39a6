"""``nephrocohort rules list|show``: the three shipped rule sets and their sourced thresholds."""

import json

from typer.testing import CliRunner

from nephrocohort.cli import app

runner = CliRunner()


def test_list_shows_the_three_rule_sets():
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0
    for name in ("study", "ipna2020", "kdigo2021"):
        assert name in result.stdout


def test_list_json():
    payload = json.loads(runner.invoke(app, ["rules", "list", "--json"]).stdout)
    assert [r["name"] for r in payload["rule_sets"]] == ["ipna2020", "kdigo2021", "study"]


def test_show_prints_thresholds_with_sources():
    result = runner.invoke(app, ["rules", "show", "study"])
    assert result.exit_code == 0
    assert "> 40 mg/m2/h" in result.stdout
    assert "Seed Methods" in result.stdout
    assert "schwartz-1976" in result.stdout


def test_show_json_has_a_source_for_every_parameter():
    payload = json.loads(runner.invoke(app, ["rules", "show", "ipna2020", "--json"]).stdout)
    assert payload["name"] == "ipna2020"
    assert all(row["source"] for row in payload["parameters"])


def test_show_unknown_name_lists_the_available_ones():
    result = runner.invoke(app, ["rules", "show", "kdigo2012"])
    assert result.exit_code == 2
    assert "Available rule sets: ipna2020, kdigo2021, study" in result.stderr


def test_show_a_user_file(tmp_path):
    from importlib import resources

    text = (resources.files("nephrocohort.clinical") / "rulesets" / "kdigo2021.yaml").read_text()
    path = tmp_path / "centre.yaml"
    path.write_text(text.replace("name: kdigo2021", "name: centre"))
    result = runner.invoke(app, ["rules", "show", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith("centre:")


def test_show_malformed_file_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntitle: Bad\nsources: [x]\nproteinuria: 3\n")
    result = runner.invoke(app, ["rules", "show", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr and "'proteinuria'" in result.stderr


def _modified_study(tmp_path):
    from importlib import resources

    text = (resources.files("nephrocohort.clinical") / "rulesets" / "study.yaml").read_text()
    path = tmp_path / "my.yaml"
    path.write_text(text.replace("value: 40\n", "value: 50\n", 1))
    return path


def test_show_prints_origin_and_fingerprint_of_a_shipped_rule_set():
    result = runner.invoke(app, ["rules", "show", "study"])
    lines = result.stdout.splitlines()
    assert lines[1] == "Origin: shipped with NephroCohort"
    assert lines[2].startswith("Fingerprint: ")


def test_show_flags_a_modified_copy_and_lists_the_change(tmp_path):
    path = _modified_study(tmp_path)
    result = runner.invoke(app, ["rules", "show", str(path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith("(a modified copy of 'study')")
    assert lines[1] == f"Origin: file {path}"
    assert "A modified copy of the shipped 'study'; changed:" in result.stdout
    assert (
        "  - proteinuria.urine_protein_timed[mg/m2/h].nephrotic > 40 mg/m2/h -> > 50 mg/m2/h"
        in lines
    )
    shipped = json.loads(runner.invoke(app, ["rules", "show", "study", "--json"]).stdout)
    payload = json.loads(runner.invoke(app, ["rules", "show", str(path), "--json"]).stdout)
    assert payload["origin"] == str(path) and shipped["origin"] == "built-in"
    assert payload["based_on"] == "study"
    assert payload["fingerprint"] != shipped["fingerprint"]
    assert payload["described_as"].startswith("a modified copy of 'study'")


import pytest  # noqa: E402


@pytest.mark.parametrize("name", ["study", "ipna2020", "kdigo2021"])
def test_show_reads_in_words_with_units(name):
    from nephrocohort.clinical import load_rule_set

    result = runner.invoke(app, ["rules", "show", name])
    assert result.exit_code == 0
    rule_set = load_rule_set(name)
    for parameter, _, _ in rule_set.parameter_rows():
        label = rule_set.parameter_label(parameter)
        assert label != parameter and "_" not in label, parameter
        assert f"[{parameter}]" in result.stdout
    for raw in (": True", ": False", ": None", "between the two\n"):
        assert raw not in result.stdout
    assert "Inclusion, age at MMF start: < 18 years" in result.stdout
    assert "Inclusion, eGFR before MMF: > 60 mL/min/1.73m2" in result.stdout
    assert "Chronic renal failure, eGFR: < 60 mL/min/1.73m2" in result.stdout


def test_show_study_values_say_their_comparison_and_unit():
    # Seed Methods: albumin "less than 2.5 gr/dl"; NS cholesterol >= 200 mg/dL (NHLBI 2011).
    text = runner.invoke(app, ["rules", "show", "study"]).stdout
    assert "Nephrotic syndrome, serum albumin: < 2.5 g/dL" in text
    assert "Nephrotic syndrome, total cholesterol: >= 200 mg/dL" in text
    assert "Nephrotic syndrome, edema required: yes" in text
    assert (
        "Partial remission, timed urine protein (mg/m2/h): neither > 40 mg/m2/h nor < 4 mg/m2/h"
        in text
    )
    payload = json.loads(runner.invoke(app, ["rules", "show", "study", "--json"]).stdout)
    first = payload["parameters"][0]
    assert first["label"] == "Nephrotic range, timed urine protein (mg/m2/h)"


def _run_cli(args, tmp_path, **env_extra):
    import os
    import subprocess
    import sys
    from pathlib import Path

    import nephrocohort

    env = {key: value for key, value in os.environ.items() if key != "NEPHROCOHORT_LANG"}
    env.update(PYTHONPATH=str(Path(nephrocohort.__file__).parents[1]), **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "nephrocohort", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_unknown_rule_set_error_follows_the_language_of_the_command(tmp_path):
    """The error is a catalogue message rendered when shown: in English by default, in the
    language of NEPHROCOHORT_LANG (as every other CLI error) and of `report --lang`."""
    english = _run_cli(["rules", "show", "ipna2021"], tmp_path)
    assert english.returncode == 2
    assert "Unknown rule set 'ipna2021'" in english.stderr
    portuguese = _run_cli(["rules", "show", "ipna2021"], tmp_path, NEPHROCOHORT_LANG="pt-BR")
    assert "Conjunto de regras desconhecido 'ipna2021'" in portuguese.stderr
    assert "Unknown rule set" not in portuguese.stderr
    spanish = _run_cli(
        ["report", "--rule-set", "ipna2021", "--lang", "es", "--out", str(tmp_path / "r")],
        tmp_path,
    )
    assert spanish.returncode == 2
    assert "Conjunto de reglas desconocido 'ipna2021'" in spanish.stderr
    assert "ipna2020, kdigo2021, study" in spanish.stderr
    assert "Traceback" not in spanish.stderr
