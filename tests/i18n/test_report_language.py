"""``nephrocohort report --lang``: the report in Spanish and Brazilian Portuguese."""

import re

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app


def _text(html: str) -> str:
    html = re.sub(r"<style.*?</style>|<img[^>]*>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        (
            "es",
            [
                "Síndrome nefrótico corticorresistente tratado con MMF",
                "Remisión completa",
                "Remisión parcial",
                "Tabla 1. Características basales según la histología",
            ],
        ),
        (
            "pt-BR",
            [
                "Síndrome nefrótica corticorresistente tratada com MMF",
                "Remissão completa",
                "Remissão parcial",
                "Tabela 1. Características basais por histologia",
            ],
        ),
    ],
)
def test_the_demo_report_is_written_in_the_asked_language(tmp_path, lang, phrases):
    result = CliRunner().invoke(
        app, ["report", "--lang", lang, "--out", str(tmp_path), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    text = _text(html)
    assert f'<html lang="{lang}">' in html
    for phrase in phrases:
        assert phrase in text
    # Decimal comma: a table summary such as "25,00 (SD 4,98)" / p-values "0,080".
    assert re.search(r"\b\d+,\d{2}\b", text)
    assert not re.search(r"\(\d+\.\d{2}[\u2013)]", text)


def test_an_unknown_language_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["report", "--lang", "fr", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "pt-BR" in result.output
