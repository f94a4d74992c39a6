"""The patient timeline figure: proteinuria, albumin, eGFR, medications and events.

Drawn with matplotlib's object API (no pyplot state), so that concurrent
requests in the threaded server do not share a figure. It takes a one-patient
``Cohort`` (labs in canonical units) and a rule set: the proteinuria panel
is shaded with the rule set's own category thresholds, the albumin panel
marks its hypoalbuminemia threshold.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nephrocohort.clinical.rules import RuleSet
from nephrocohort.cohort import Cohort

__all__ = ["timeline_figure", "figure_png"]

_CATEGORY_COLOURS = {"nephrotic": "#f4c7c3", "partial": "#fce8b2", "complete": "#b7e1cd"}
# Drug -> bar row label; drugs not listed are shown under their own name.
_DRUG_ROWS = {
    "mmf": "MMF",
    "mycophenolate_sodium": "MMF",
    "prednisolone": "Prednisolone",
    "prednisone": "Prednisolone",
    "methylprednisolone_pulse": "Methylpred. pulses",
    "cyclosporine": "CNI",
    "tacrolimus": "CNI",
    "cyclophosphamide": "Cyclophosphamide",
    "rituximab": "Rituximab",
    "enalapril": "ACEi/ARB",
    "losartan": "ACEi/ARB",
}


def _dates(series: pd.Series) -> np.ndarray:
    return pd.to_datetime(series).to_numpy()


def timeline_figure(cohort: Cohort, *, rule_set: RuleSet, egfr: pd.DataFrame | None = None):
    """The figure for the one patient in ``cohort``.

    ``egfr`` has ``date`` and ``egfr`` columns (mL/min/1.73 m2), computed by the
    caller with the rule set's equation (``rule_set.derivation.egfr_equation``,
    named on the panel); None leaves the panel empty.
    """
    # Fixed margins instead of a layout engine: constrained layout took most
    # of the drawing time, and the panels' labels have known sizes.
    figure = Figure(figsize=(10, 8.5), dpi=90)
    axes = figure.subplots(4, 1, sharex=True, height_ratios=[3, 2, 2, 2.2])
    figure.subplots_adjust(left=0.14, right=0.9, top=0.94, bottom=0.09, hspace=0.12)
    labs = cohort.labs
    _proteinuria_panel(axes[0], labs, rule_set)
    _albumin_panel(axes[1], labs, rule_set)
    _egfr_panel(axes[2], egfr, equation=rule_set.derivation.egfr_equation)
    _medication_panel(axes[3], cohort.medications, until=_last_recorded_date(cohort))
    _event_markers(axes, cohort.events)
    onset = cohort.patients["onset_date"].iloc[0] if len(cohort.patients) else pd.NaT
    title = f"Patient {cohort.patients['patient_id'].iloc[0]}" if len(cohort.patients) else ""
    if pd.notna(onset):
        title += f" (onset {onset:%Y-%m-%d})"
    figure.suptitle(title)
    for label in axes[-1].get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    return figure


def _proteinuria_panel(ax, labs: pd.DataFrame, rule_set: RuleSet) -> None:
    ax.set_yscale("log")
    ax.set_ylabel("Urine protein\n(mg/m2/h)")
    # A rule set may state timed-urine thresholds per day; measured value x factor
    # is in the criterion's unit, so a threshold / factor is in mg/m2/h.
    criterion, factor = rule_set.criterion_for("urine_protein_timed", "mg/m2/h")
    low, high = criterion.complete.value / factor, criterion.nephrotic.value / factor
    ax.axhspan(1e-2, low, color=_CATEGORY_COLOURS["complete"], zorder=0)
    ax.axhspan(low, high, color=_CATEGORY_COLOURS["partial"], zorder=0)
    ax.axhspan(high, 1e4, color=_CATEGORY_COLOURS["nephrotic"], zorder=0)
    timed = labs[labs["test"] == "urine_protein_timed"].sort_values("date")
    ax.set_ylim(0.5, max(1000.0, float(timed["value"].max()) * 2 if len(timed) else 0))
    if len(timed):
        ax.plot(_dates(timed["date"]), timed["value"], "o-", color="#333333", label="timed")
    upcr = labs[labs["test"] == "upcr"].sort_values("date")
    if len(upcr):
        twin = ax.twinx()
        twin.set_yscale("log")
        twin.plot(_dates(upcr["date"]), upcr["value"], "s--", color="#1f5fa8", label="UPCR")
        twin.set_ylabel("UPCR (mg/mg)", color="#1f5fa8")
    dipstick = labs[labs["test"] == "dipstick_protein"]
    if len(dipstick):
        categories = rule_set.classify_proteinuria_array(
            dipstick["test"].to_numpy(), dipstick["value"].to_numpy(), ["mg/dL"] * len(dipstick)
        )
        colours = ["#c0392b" if c == "nephrotic" else "#27ae60" for c in categories]
        ax.scatter(
            _dates(dipstick["date"]),
            [high * 8] * len(dipstick),
            marker="v",
            c=colours,
            label="dipstick",
        )
    ax.set_title(
        f"Bands: rule set '{rule_set.name}' (complete {criterion.complete}, "
        f"nephrotic {criterion.nephrotic}; shown as {low:.3g} and {high:.3g} mg/m2/h)",
        fontsize=8,
        loc="left",
    )


def _albumin_panel(ax, labs: pd.DataFrame, rule_set: RuleSet) -> None:
    albumin = labs[labs["test"] == "serum_albumin"].sort_values("date")
    ax.set_ylabel("Serum albumin\n(g/dL)")
    threshold = rule_set.syndrome.albumin_below_g_dl
    ax.axhline(threshold, color="#c0392b", linestyle=":", linewidth=1)
    if len(albumin):
        ax.plot(_dates(albumin["date"]), albumin["value"], "o-", color="#7d3c98")
    ax.set_ylim(0, max(5.0, float(albumin["value"].max()) + 0.5 if len(albumin) else 0))


def _egfr_panel(ax, egfr: pd.DataFrame | None, *, equation: str) -> None:
    ax.set_ylabel(f"eGFR {equation}\n(mL/min/1.73 m2)")
    if egfr is not None and len(egfr):
        ordered = egfr.sort_values("date")
        ax.plot(_dates(ordered["date"]), ordered["egfr"], "o-", color="#117864")
        ax.axhline(60, color="#999999", linestyle=":", linewidth=1)
        ax.set_ylim(0, max(150.0, float(ordered["egfr"].max()) + 10))
    else:
        ax.text(
            0.5,
            0.5,
            "No serum creatinine with a height (and birth date and sex) to estimate eGFR",
            ha="center",
            transform=ax.transAxes,
            fontsize=8,
            color="#666666",
        )


def _last_recorded_date(cohort: Cohort) -> pd.Timestamp:
    """Where an ongoing course's bar ends: the last date anywhere in the record."""
    candidates = [
        cohort.patients["last_followup_date"].max(),
        cohort.labs["date"].max(),
        cohort.visits["date"].max(),
        cohort.events["date"].max(),
        cohort.medications["start_date"].max(),
        cohort.medications["end_date"].max(),
    ]
    present = [pd.Timestamp(value) for value in candidates if pd.notna(value)]
    return max(present) if present else pd.Timestamp("1970-01-01")


def _medication_panel(ax, medications: pd.DataFrame, *, until: pd.Timestamp) -> None:
    rows: list[str] = []
    last = until
    starts = medications["start_date"].dropna()
    span_days = max((last - starts.min()).days, 1) if len(starts) else 1
    # Dose labels closer than a twelfth of the time span would overlap; skip those.
    min_label_gap_days = span_days / 12
    last_label: pd.Timestamp | None = None
    for course in medications.sort_values("start_date").itertuples():
        row = _DRUG_ROWS.get(course.drug, str(course.drug))
        if row not in rows:
            rows.append(row)
        start = pd.Timestamp(course.start_date)
        end = pd.Timestamp(course.end_date) if pd.notna(course.end_date) else last
        y = rows.index(row)
        ax.barh(y, (end - start).days, left=start, height=0.6, color="#5d6d7e")
        far_enough = last_label is None or (start - last_label).days >= min_label_gap_days
        if row == "Prednisolone" and pd.notna(course.dose) and far_enough:
            ax.text(start, y + 0.35, f"{course.dose:g} {course.dose_unit}", fontsize=6)
            last_label = start
    if not rows:
        ax.text(
            0.5,
            0.5,
            "No medications recorded",
            ha="center",
            transform=ax.transAxes,
            fontsize=8,
            color="#666666",
        )
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    ax.invert_yaxis()
    ax.set_xlabel("Date")


def _event_markers(axes, events: pd.DataFrame) -> None:
    for event in events.itertuples():
        when = pd.Timestamp(event.date)
        for ax in axes:
            ax.axvline(when, color="#aaaaaa", linewidth=0.8, linestyle="--", zorder=1)
        axes[0].annotate(
            str(event.event),
            (when, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            va="top",
            ha="right",
        )


def figure_png(figure) -> bytes:
    """PNG bytes of a figure."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()
