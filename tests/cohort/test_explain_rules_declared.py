"""explain shows each column's declared rule: the text lives in cohort/analysis.py, once.

Changing how a column is derived means editing its ``Variable.rule`` and
derive, not a second prose copy in explain (issue 9). The tests: every value
explain shows has a declared rule, a changed declaration is what explain
shows, and explain's own source passes no rule text of its own.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest
from test_derive import MMF_START, make_cohort, med, patient, timed

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import explain
from nephrocohort.cohort.analysis import analysis_variable

explain_module = importlib.import_module("nephrocohort.cohort.explain")


@pytest.fixture(scope="module")
def explained():
    cohort = make_cohort(
        patients=[patient("P1")],
        labs=[timed("2015-12-28", 60), timed("2016-01-31", 2)],
        medications=[med("mmf", MMF_START, None, 600, "mg/m2/day", "bid")],
    )
    return cohort, explain(cohort, load_rule_set("study"), "P1")


def test_every_value_explain_shows_has_a_declared_rule(explained):
    _, explanation = explained
    undeclared = [v.column for v in explanation.values if not analysis_variable(v.column).rule]
    assert undeclared == []


def test_a_changed_declaration_is_what_explain_shows(explained, monkeypatch):
    cohort, _ = explained
    original = analysis_variable

    def changed(column):
        variable = original(column)
        if column == "follow_up_years":
            return dataclasses.replace(variable, rule="A new rule over {days_per_year} days.")
        return variable

    monkeypatch.setattr(explain_module, "analysis_variable", changed)
    (item,) = [
        v
        for v in explain(cohort, load_rule_set("study"), "P1").values
        if v.column == "follow_up_years"
    ]
    # DAYS_PER_YEAR, the mean Gregorian year (cohort/_derive_common.py).
    assert item.rule == "A new rule over 365.25 days."


def _rule_texts_written_in(path: Path) -> list[str]:
    """The ``add(column, <text>, ...)`` calls whose rule is a string written in place."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "add"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant | ast.JoinedStr)
        ):
            found.append(ast.unparse(node)[:80])
    return found


@pytest.mark.parametrize("name", ["explain.py", "_explain_proteinuria.py", "_explain_course.py"])
def test_explain_writes_no_rule_of_its_own(name):
    assert _rule_texts_written_in(Path(explain_module.__file__).with_name(name)) == []


def test_the_sweep_finds_a_rule_written_in_place(tmp_path):
    path = tmp_path / "x.py"
    path.write_text('add("crf", f"eGFR < {low}", None, [])\nadd("rrt", RULE)\n')
    assert _rule_texts_written_in(path) == ["add('crf', f'eGFR < {low}', None, [])"]
