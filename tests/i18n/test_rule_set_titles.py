"""The shipped rule sets' titles: translated where a reader sees them, English as data."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest
import yaml
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.clinical.rules.display import SHIPPED_TITLES, title_text
from nephrocohort.i18n import use_language

SEED_TITLE = "Seed study: SRNS treated with MMF, single centre, 2005-2011"  # study.yaml


def test_the_marked_titles_are_the_titles_of_the_shipped_files():
    folder = files("nephrocohort") / "clinical" / "rulesets"
    titles = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            spec = yaml.safe_load(entry.read_text(encoding="utf-8"))
            titles[spec["name"]] = spec["title"]
    assert titles == SHIPPED_TITLES


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("es", "Estudio original: SNCR tratado con MMF, un solo centro, 2005-2011"),
        ("pt-BR", "Estudo original: SNCR tratada com MMF, centro único, 2005-2011"),
        ("en", SEED_TITLE),
    ],
)
def test_a_shipped_title_is_shown_in_the_language(language, title):
    with use_language(language):
        assert title_text(SEED_TITLE) == title


def test_a_title_of_a_users_file_is_shown_as_written():
    with use_language("es"):
        assert title_text("My centre's rules, 2024") == "My centre's rules, 2024"


def test_the_spanish_report_names_the_rule_set_in_spanish_and_results_json_in_english(tmp_path):
    result = CliRunner().invoke(
        app, ["report", "--lang", "es", "--out", str(tmp_path), "--format", "html,json"]
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    # The heading line and the methods paragraph.
    assert html.count("Estudio original: SNCR tratado con MMF, un solo centro, 2005-2011") == 2
    assert "Seed study" not in html
    items = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    run = next(item for item in items if item["id"] == "report.run")
    assert run["rule_set_title"] == SEED_TITLE
