"""Figures: what they draw, from results worked out by hand on the fixture."""

import pytest

from nephrocohort.report import build_results, render_figures
from nephrocohort.report._figures import figure_proteinuria

DAYS_PER_MONTH = 365.25 / 12


@pytest.fixture
def results(fixture_results):
    return fixture_results  # built once per module (conftest.py)


def test_every_figure_renders_as_png(results):
    figures = render_figures(results)
    assert [f.id for f in figures] == [
        "figure.eligibility",
        "figure.proteinuria",
        "figure.km_remission",
        "figure.km_crf",
        "figure.swimmer",
    ]
    for figure in figures:
        assert figure.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert figure.caption


def test_figure1_stacks_shares_and_labels_n_per_time_point(results):
    fig = figure_proteinuria(results)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["Baseline", "Month 1", "Month 3", "Month 6", "Month 12"]
    texts = {t.get_text() for t in ax.texts}
    assert {"n = 6", "n = 5", "n = 4"} <= texts
    nephrotic = ax.containers[0]  # first stacked series: nephrotic range
    heights = [bar.get_height() for bar in nephrotic]
    assert heights == pytest.approx([400 / 6, 20, 100 / 6, 0, 0])  # 4/6, 1/5, 1/6, 0/5, 0/4
    for i in range(5):  # each bar sums to 100%
        assert sum(c[i].get_height() for c in ax.containers) == pytest.approx(100)


def test_swimmer_timelines_align_drugs_and_events_on_mmf_start(results):
    timelines = results.timelines
    bars = timelines.bars.set_index(["patient_id", "drug"])
    # cyclosporine 2019-01-01 to 2020-01-01 (365 days) before MMF start 2020-01-01
    assert bars.loc[("P1", "Cyclosporine"), "start_month"] == pytest.approx(-365 / DAYS_PER_MONTH)
    assert bars.loc[("P1", "Cyclosporine"), "end_month"] == pytest.approx(0)
    # ongoing MMF runs to last follow-up 2021-01-01 (366 days, leap year)
    assert bars.loc[("P1", "MMF"), "end_month"] == pytest.approx(366 / DAYS_PER_MONTH)
    relapse = timelines.markers.set_index("patient_id").loc["P1"]
    assert relapse["event"] == "Relapse"
    assert relapse["month"] == pytest.approx(152 / DAYS_PER_MONTH)  # 2020-06-01
    assert set(timelines.patients["patient_id"]) == {"P1", "P2", "P3", "P4", "P5", "P6"}


def test_without_a_cohort_there_is_no_swimmer_plot(analysis):
    results = build_results(analysis, rule_set="study")
    assert results.timelines is None
    assert "figure.swimmer" not in [f.id for f in render_figures(results)]


def test_kaplan_meier_prints_numbers_at_risk_under_the_axis(results):
    from nephrocohort.report._figures import figure_kaplan_meier

    fig = figure_kaplan_meier(results, "km.complete_remission", cumulative=True)
    ax = fig.axes[0]
    # fixture times (days): P1 30, P3 25, P5 31 remission; P2 200, P6 400 censored; last at
    # 400 d = 13.1 months, so ticks every 3 months. Still followed at 0, 3, 6, 9, 12 months
    # (91.3, 182.6, 273.9, 365.25 days), counted by hand: 5, 2, 2, 1, 1.
    assert list(ax.get_xticks()) == [0, 3, 6, 9, 12]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["Number at risk", "5", "2", "2", "1", "1"]
