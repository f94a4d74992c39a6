"""The timeline figure: each proteinuria test read against its own thresholds, single doses, labels."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import Cohort
from nephrocohort.registry.timeline import _POINT_COLOURS, figure_png, timeline_figure

# 117 mg/mmol in mg/mg: one mmol of creatinine weighs 113.12 mg (molar mass 113.12 g/mol).
UPCR_117_MG_MMOL_IN_MG_MG = 117 / 113.12


def _cohort():
    patients = pd.DataFrame(
        [
            {
                "patient_id": "TL-1",
                "sex": "M",
                "birth_date": "2012-01-01",
                "onset_date": "2016-01-10",
                "last_followup_date": "2020-06-01",
            }
        ]
    )

    def lab(date, test, value, unit):
        return {"patient_id": "TL-1", "date": date, "test": test, "value": value, "unit": unit}

    labs = pd.DataFrame(
        [
            lab("2016-02-01", "urine_protein_timed", 80.0, "mg/m2/h"),
            lab("2016-08-01", "upcr", 0.1, "mg/mg"),
            lab("2016-11-01", "upcr", UPCR_117_MG_MMOL_IN_MG_MG, "mg/mg"),
            lab("2017-04-01", "dipstick_protein", 100.0, "mg/dL"),
            lab("2017-06-01", "dipstick_protein", 0.0, "mg/dL"),
        ]
    )

    def drug(name, start, end, dose, unit, schedule):
        return {
            "patient_id": "TL-1",
            "drug": name,
            "start_date": start,
            "end_date": end,
            "dose": dose,
            "dose_unit": unit,
            "schedule": schedule,
        }

    medications = pd.DataFrame(
        [
            drug("prednisolone", "2016-01-10", "2016-02-20", 60, "mg/m2/day", "daily"),
            drug(
                "methylprednisolone_pulse", "2016-03-01", "2016-03-01", 30, "mg/kg/dose", "single"
            ),
            drug("rituximab", "2018-01-15", "2018-01-15", 375, "mg/m2/dose", "single"),
        ]
    )
    events = pd.DataFrame(
        [
            {"patient_id": "TL-1", "date": "2016-09-10", "event": "severe_infection"},
            {"patient_id": "TL-1", "date": "2016-09-10", "event": "aki"},
        ]
    )
    return Cohort(patients=patients, labs=labs, medications=medications, events=events)


def _points(ax, marker_count):
    """(y, colour) of each point of the scatter collections with ``marker_count`` points."""
    found = []
    for collection in ax.collections:
        offsets = collection.get_offsets()
        if len(offsets) == marker_count:
            colours = [to_hex(c) for c in collection.get_facecolors()]
            found.append(list(zip(np.asarray(offsets)[:, 1], colours, strict=True)))
    return found


@pytest.fixture(scope="module")
def figure():
    return timeline_figure(_cohort(), rule_set=load_rule_set("study"))


def _on_timed_axis(figure, upcr_axis, value):
    proteinuria = figure.axes[0]
    display = upcr_axis.transData.transform((0, value))
    return proteinuria.transData.inverted().transform(display)[1]


def test_upcr_values_fall_in_the_band_of_their_own_category(figure):
    upcr_axis = next(ax for ax in figure.axes if "UPCR" in ax.get_ylabel())
    [points] = _points(upcr_axis, 2)
    # Study rule set (IPNA thresholds for UPCR): complete <= 0.2 mg/mg, nephrotic >= 2 mg/mg.
    (low_y, low_colour), (mid_y, mid_colour) = points
    assert low_colour == _POINT_COLOURS["complete"]
    assert mid_colour == _POINT_COLOURS["partial"]
    # Drawn against the timed-urine bands (complete < 4, nephrotic > 40 mg/m2/h).
    assert _on_timed_axis(figure, upcr_axis, low_y) < 4
    assert 4 < _on_timed_axis(figure, upcr_axis, mid_y) < 40
    # The rule set's own UPCR thresholds sit exactly on the band edges.
    assert _on_timed_axis(figure, upcr_axis, 0.2) == pytest.approx(4)
    assert _on_timed_axis(figure, upcr_axis, 2.0) == pytest.approx(40)


def test_dipstick_results_are_coloured_and_placed_by_category(figure):
    [points] = _points(figure.axes[0], 2)
    (partial_y, partial_colour), (negative_y, negative_colour) = points
    assert partial_colour == _POINT_COLOURS["partial"] and 4 < partial_y < 40
    assert negative_colour == _POINT_COLOURS["complete"] and negative_y < 4


def test_single_doses_are_drawn_as_markers(figure):
    medications = figure.axes[3]
    rows = [label.get_text() for label in medications.get_yticklabels()]
    diamonds = [line for line in medications.lines if line.get_marker() == "D"]
    drawn_rows = sorted(rows[int(line.get_ydata()[0])] for line in diamonds)
    assert drawn_rows == ["Methylpred. pulses", "Rituximab"]


def test_events_of_one_day_share_a_label_and_panels_have_legends(figure):
    labels = [text.get_text() for text in figure.axes[0].texts]
    assert labels.count("severe_infection, aki") == 1
    assert figure.axes[0].get_legend() is not None
    assert figure.axes[3].get_legend() is not None
    assert figure_png(figure)[:4] == b"\x89PNG"
