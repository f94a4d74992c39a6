"""NEPHROCOHORT_LANG: the command line's messages (and the report by default) in es / pt-BR."""

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.i18n import active_language


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("es", "/no/such/folder no existe."), ("pt-BR", "/no/such/folder não existe.")],
)
def test_catalogue_messages_follow_the_language_variable(language, sentence):
    result = CliRunner().invoke(
        app, ["validate", "/no/such/folder"], env={"NEPHROCOHORT_LANG": language}
    )
    assert sentence in result.output
    assert active_language() == "en"  # nothing leaks past the command


def test_without_the_variable_the_messages_are_english():
    result = CliRunner().invoke(app, ["validate", "/no/such/folder"], env={"NEPHROCOHORT_LANG": ""})
    assert "/no/such/folder does not exist." in result.output


def test_an_unknown_language_in_the_variable_is_refused_with_the_languages():
    result = CliRunner().invoke(
        app, ["validate", "/no/such/folder"], env={"NEPHROCOHORT_LANG": "fr"}
    )
    assert result.exit_code == 2
    assert "NEPHROCOHORT_LANG" in result.output and "pt-BR" in result.output


def test_the_report_defaults_to_the_language_variable(tmp_path):
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(tmp_path), "--format", "html"],
        env={"NEPHROCOHORT_LANG": "pt-BR"},
    )
    assert result.exit_code == 0, result.output
    assert "Relatório de 26 pacientes (conjunto de regras 'study'):" in result.output
    assert '<html lang="pt-BR">' in (tmp_path / "report.html").read_text(encoding="utf-8")
