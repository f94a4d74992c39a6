"""The OMOP phenotype's inclusion-attrition table in the report (issue 15 item 3): its steps
head the eligibility table and the flow diagram, and results.json carries them as
``selection.<step>`` counts. Without an OMOP source nothing changes.

The counts are invented (a database of 5,000 persons, 900 with a code, ...), and the
fixture dataset's 8 patients are the last step's persons.
"""

from __future__ import annotations

from collections import namedtuple

import pytest

from nephrocohort.report import build_results
from nephrocohort.report._figures import figure_eligibility
from nephrocohort.report._json import render_json
from nephrocohort.report._tables import build_tables

Step = namedtuple("Step", "step label persons")  # the shape of interop's AttritionStep
STEPS = (
    Step("persons", "Persons in the database", 5000),
    Step("qualifying_any", "With a nephrotic-syndrome diagnosis or a kidney biopsy", 900),
    Step("qualifying_dates", "On at least 2 different dates", 40),
    Step("age", "Aged 0 to under 18 years on the first date", 9),
    Step("transplant", "No kidney transplant before the first date", 8),
)


@pytest.fixture
def with_steps(analysis, cohort):
    return build_results(analysis, rule_set="study", cohort=cohort, attrition=STEPS)


def test_steps_are_counts_out_of_the_persons_in_the_database(with_steps):
    items = with_steps.with_prefix("selection.")
    assert [(item.id, item.n, item.denominator) for item in items] == [
        ("selection.persons", 5000, 5000),
        ("selection.qualifying_any", 900, 5000),
        ("selection.qualifying_dates", 40, 5000),
        ("selection.age", 9, 5000),
        ("selection.transplant", 8, 5000),
    ]
    assert with_steps["selection.qualifying_any"].percent == pytest.approx(18.0)
    # They come before the eligibility flow, whose first box is the last step's persons.
    ids = with_steps.ids()
    assert ids.index("selection.transplant") < ids.index("eligibility.assessed")
    assert with_steps["eligibility.assessed"].n == 8


def test_steps_head_the_eligibility_table(with_steps):
    table = next(t for t in build_tables(with_steps) if t.id == "eligibility")
    assert table.rows[:6] == (
        ("Persons in the database", "5,000"),
        ("With a nephrotic-syndrome diagnosis or a kidney biopsy", "900"),
        ("On at least 2 different dates", "40"),
        ("Aged 0 to under 18 years on the first date", "9"),
        ("No kidney transplant before the first date", "8"),
        ("Patients assessed for eligibility", "8"),
    )


def test_steps_are_drawn_in_the_flow_diagram(with_steps):
    figure = figure_eligibility(with_steps)
    text = " ".join(t.get_text() for t in figure.axes[0].texts).replace("\n", " ")
    assert "Computable phenotype (OMOP CDM)" in text
    assert "Persons in the database: 5,000" in text
    assert "On at least 2 different dates: 40" in text


def test_steps_are_in_results_json(with_steps):
    import json

    items = {item["id"]: item for item in json.loads(render_json(with_steps))}
    assert items["selection.persons"]["n"] == 5000
    assert items["selection.age"]["label"] == "Aged 0 to under 18 years on the first date"


def test_without_an_omop_source_the_report_has_no_selection_rows(fixture_results):
    assert fixture_results.with_prefix("selection.") == []
    table = next(t for t in build_tables(fixture_results) if t.id == "eligibility")
    assert table.rows[0] == ("Patients assessed for eligibility", "8")
    figure = figure_eligibility(fixture_results)
    assert not any("phenotype" in t.get_text() for t in figure.axes[0].texts)


def test_omop_steps_are_written_in_the_report_language(analysis, cohort):
    """The phenotype's steps are catalogue messages (interop's AttritionStep), so a Spanish or
    Portuguese report names them in its language, with the locale's digit grouping (CLDR:
    12.000 in both; Spanish groups from five digits on)."""
    from nephrocohort.i18n import use_language
    from nephrocohort.messages import Message

    steps = (
        Step("persons", Message("omop.step.persons"), 12000),
        Step("qualifying_dates", Message("omop.step.qualifying_dates", {"dates": 2}), 40),
        Step("transplant", Message("omop.step.transplant"), 8),
    )
    for language, persons, dates in (
        ("es", "Personas en la base de datos: 12.000", "En al menos 2 fechas distintas: 40"),
        ("pt-BR", "Pessoas no banco de dados: 12.000", "Em pelo menos 2 datas diferentes: 40"),
    ):
        with use_language(language):
            results = build_results(analysis, rule_set="study", cohort=cohort, attrition=steps)
            figure = figure_eligibility(results)
            table = next(t for t in build_tables(results) if t.id == "eligibility")
        text = " ".join(t.get_text() for t in figure.axes[0].texts).replace("\n", " ")
        assert persons in text and dates in text
        assert table.rows[0] == (persons.split(":")[0], "12.000")


class _Flow:
    """The few results figure_eligibility reads: 40 assessed, 12 excluded for 9 long reasons."""

    def __init__(self):
        from types import SimpleNamespace

        reasons = [
            (f"Reason {k}: a criterion that could not be checked at MMF start", 1) for k in range(9)
        ]
        self.items = {
            "eligibility.assessed": SimpleNamespace(n=40),
            "eligibility.included": SimpleNamespace(n=28),
            "eligibility.excluded": SimpleNamespace(n=12, reasons=reasons),
        }

    def get(self, key):
        return self.items.get(key)

    def with_prefix(self, prefix):
        return []


@pytest.mark.parametrize("language, more", [("en", "more reasons"), ("es", "motivos más")])
def test_the_excluded_box_holds_its_text(language, more):
    """Many long reasons: the box shows what fits, says how many more (in the language) and
    stays below "Patients assessed" (the text ran over both borders of the box)."""
    from nephrocohort.i18n import use_language
    from nephrocohort.report._figures import _EXCLUDED_LINES

    with use_language(language):
        figure = figure_eligibility(_Flow())
    axis = figure.axes[0]
    excluded = next(t.get_text() for t in axis.texts if "n = 12" in t.get_text())
    assert len(excluded.splitlines()) <= _EXCLUDED_LINES
    shown = excluded.count("Reason ")
    assert 0 < shown < 9 and f"{9 - shown} {more}" in excluded
    boxes = sorted(axis.patches, key=lambda p: p.get_y())  # analysed, excluded, assessed
    assert boxes[1].get_y() + boxes[1].get_height() < boxes[2].get_y()


@pytest.mark.parametrize(
    ("language", "persons", "included"),
    # CLDR: en groups with ","; es with "." from five digits on (minimumGroupingDigits 2,
    # so 5000 stays 5000); pt with "." from four digits on.
    [("en", "5,000", "900"), ("es", "5000", "900"), ("pt-BR", "5.000", "900")],
)
def test_eligibility_counts_are_grouped_by_language(with_steps, language, persons, included):
    from nephrocohort.i18n import use_language

    with use_language(language):
        table = next(t for t in build_tables(with_steps) if t.id == "eligibility")
    assert table.rows[0][1] == persons and table.rows[1][1] == included
