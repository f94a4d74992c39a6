"""``explain`` in es / pt-BR: the columns' declared rules and the frame in the language asked for."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.cohort.analysis import ANALYSIS_VARIABLES

# DEMO-01 takes MMF with no end date (medications.csv row 9): mmf_stop_date is NA.
DEMO = str(files("nephrocohort") / "data" / "demo")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _explain(language: str, patient_id: str = "DEMO-01") -> str:
    result = CliRunner().invoke(
        app, ["explain", patient_id, "--data", DEMO], env={"NEPHROCOHORT_LANG": language}
    )
    assert result.exit_code == 0, result.output
    return result.output


def _english_rule_sentences() -> set[str]:
    """The English text of every declared rule, between its placeholders (20 characters or more)."""
    found = set()
    for variable in ANALYSIS_VARIABLES:
        parts = (variable.rule,) if isinstance(variable.rule, str) else variable.rule
        for part in parts:
            found.update(t.strip() for t in _PLACEHOLDER.split(part) if len(t.strip()) >= 20)
    return found


@pytest.mark.parametrize(
    ("language", "heading", "rule_line"),
    [
        (
            "es",
            "Paciente DEMO-01 (conjunto de reglas: study)",
            "mmf_stop_date = NA\n    regla: La end_date más tardía de las filas de MMF; "
            "NA mientras alguna fila de MMF no tenga fecha de fin (en curso).\n",
        ),
        (
            "pt-BR",
            "Paciente DEMO-01 (conjunto de regras: study)",
            "mmf_stop_date = NA\n    regra: A end_date mais recente das linhas de MMF; "
            "NA enquanto alguma linha de MMF não tiver data de fim (em curso).\n",
        ),
    ],
)
def test_explain_writes_the_rules_in_the_language(language, heading, rule_line):
    output = _explain(language)
    assert output.startswith(heading + "\n")
    assert rule_line in output
    english = sorted(s for s in _english_rule_sentences() if s in output)
    assert english == []
    assert "\n    rule: " not in output


def test_the_english_sentences_are_found_in_english_output():
    """The sweep above can fail: in English every column's rule sentence is there."""
    output = _explain("en")
    assert output.startswith("Patient DEMO-01 (rule set: study)\n")
    assert (
        "    rule: Latest end_date of the MMF rows; NA while any MMF row has no end date "
        "(ongoing).\n" in output
    )
    assert len([s for s in _english_rule_sentences() if s in output]) > 50


# study.yaml: steroid_trial_days 28, measurement_priority [urine_protein_timed, upcr,
# dipstick_protein], no frequent-relapse definition (frequent_relapse_first_min empty).
@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "es",
            [
                "remisión completa dentro de 28 días de la dosis estándar = corticosensible",
                "(proteína en orina minutada, luego UPCR, luego proteína en tira reactiva)",
                "al menos no definido por este conjunto de reglas recaídas",
            ],
        ),
        (
            "pt-BR",
            [
                "remissão completa dentro de 28 dias da dose padrão = corticossensível",
                "(proteína em urina de tempo marcado, depois UPCR, depois proteína na fita "
                "reagente)",
                "pelo menos não definido por este conjunto de regras recidivas",
            ],
        ),
    ],
)
def test_the_rule_sets_values_inside_a_rule_are_in_the_language(language, phrases):
    output = _explain(language)
    for phrase in phrases:
        assert phrase in output
    for english in ("days of the standard dose", ", then ", "not defined by this rule set"):
        assert english not in output


def test_rules_show_keeps_its_values_in_english_under_another_language():
    """``rules show`` is not translated (its frame is English), so its values stay English too."""
    result = CliRunner().invoke(app, ["rules", "show", "study"], env={"NEPHROCOHORT_LANG": "es"})
    assert result.exit_code == 0, result.output
    assert "28 days of the standard dose" in result.output
    assert "timed urine protein, then UPCR, then dipstick protein" in result.output
