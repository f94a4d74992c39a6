"""The swimmer plot at cohort scale (issue 15 item 5, a step that grew with the cohort): at
most SWIMMER_MAX_PATIENTS lines, evenly spaced over the follow-up order, the title saying how
many of how many; a small cohort keeps every patient and its title.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from nephrocohort.report._figures import SWIMMER_MAX_PATIENTS, figure_swimmer
from nephrocohort.report._timelines import Timelines


def _results(n: int):
    ids = [f"P{i:05d}" for i in range(n)]
    patients = pd.DataFrame({"patient_id": ids, "end_month": [float(i % 48) for i in range(n)]})
    bars = pd.DataFrame({"patient_id": ids, "drug": "MMF", "start_month": 0.0, "end_month": 12.0})
    markers = pd.DataFrame({"patient_id": ids[::3], "event": "relapse", "month": 3.0})
    return SimpleNamespace(timelines=Timelines(bars=bars, markers=markers, patients=patients))


def _labels(figure):
    return [tick.get_text() for tick in figure.axes[0].get_yticklabels()]


def test_a_large_cohort_shows_an_even_sample_and_says_so():
    n = 1000
    figure = figure_swimmer(_results(n))
    labels = _labels(figure)
    assert len(labels) == SWIMMER_MAX_PATIENTS
    # first and last of the order are kept; the rest evenly spaced (numpy.linspace, by hand:
    # step (n - 1) / (60 - 1) = 16.93..., so the second line is patient 17)
    assert labels[0] == "P00000" and labels[1] == "P00017" and labels[-1] == "P00999"
    title = figure.axes[0].get_title()
    assert f"{SWIMMER_MAX_PATIENTS} of {n} patients" in title
    # 0.28 inch a line plus 1.6 for axes and title; 1,000 lines would have been 281.6 inches
    assert figure.get_figheight() == 0.28 * SWIMMER_MAX_PATIENTS + 1.6


def test_a_small_cohort_keeps_every_patient():
    figure = figure_swimmer(_results(26))
    assert len(_labels(figure)) == 26
    assert figure.axes[0].get_title() == "Treatment course per patient"
