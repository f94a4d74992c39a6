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
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH
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


def timeline_figure(
    cohort: Cohort,
    *,
    rule_set: RuleSet,
    egfr: pd.DataFrame | None = None,
    since_onset: bool = False,
):
    """The figure for the one patient in ``cohort``.

    ``egfr`` has ``date`` and ``egfr`` columns (mL/min/1.73 m2), computed by the
    caller with the rule set's equation (``rule_set.derivation.egfr_equation``,
    named on the panel); None leaves the panel empty. ``since_onset``: the time
    axis is in months since onset (since the first record without an onset
    date) and no calendar date is written, for roles that see no dates.
    """
    # Fixed margins instead of a layout engine: constrained layout took most
    # of the drawing time, and the panels' labels have known sizes.
    figure = Figure(figsize=(12.5, 8.5), dpi=90)
    axes = figure.subplots(4, 1, sharex=True, height_ratios=[3, 2, 2, 2.2])
    # The right margin holds the twin UPCR axis and the legends.
    figure.subplots_adjust(left=0.12, right=0.7, top=0.94, bottom=0.09, hspace=0.12)
    labs = cohort.labs
    _proteinuria_panel(axes[0], labs, rule_set)
    _albumin_panel(axes[1], labs, rule_set)
    _egfr_panel(axes[2], egfr, equation=rule_set.derivation.egfr_equation)
    _medication_panel(axes[3], cohort.medications, until=_last_recorded_date(cohort))
    _event_markers(axes, cohort.events)
    onset = cohort.patients["onset_date"].iloc[0] if len(cohort.patients) else pd.NaT
    title = f"Patient {cohort.patients['patient_id'].iloc[0]}" if len(cohort.patients) else ""
    if since_onset:
        _axis_since(axes[-1], onset, first=_first_recorded_date(cohort))
    elif pd.notna(onset):
        title += f" (onset {onset:%Y-%m-%d})"
    figure.suptitle(title)
    for label in axes[-1].get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    return figure


_POINT_COLOURS = {"nephrotic": "#c0392b", "partial": "#b9770e", "complete": "#1e8449"}
_CATEGORY_NAMES = {
    "complete": "complete remission range",
    "partial": "partial remission range",
    "nephrotic": "nephrotic range",
}
_MARKERS = {"urine_protein_timed": "o", "upcr": "s", "dipstick_protein": "v"}


def _categories(rule_set: RuleSet, rows: pd.DataFrame) -> list[str]:
    """Each measurement's category under the rule set itself (not read off the bands)."""
    return list(
        rule_set.classify_proteinuria_array(
            rows["test"].to_numpy(), rows["value"].to_numpy(dtype=float), rows["unit"].tolist()
        )
    )


def _aligned(value: float, *, source: tuple[float, float], target: tuple[float, float]) -> float:
    """Map ``value`` so that the two ``source`` thresholds land on the ``target`` ones (log scale)."""
    slope = np.log(target[1] / target[0]) / np.log(source[1] / source[0])
    return float(target[0] * np.exp(slope * np.log(value / source[0])))


def _proteinuria_panel(ax, labs: pd.DataFrame, rule_set: RuleSet) -> None:
    """Timed urine protein, UPCR and dipstick, each against its own thresholds.

    The bands are drawn at the rule set's timed-urine thresholds. The UPCR axis
    (right) is scaled so that the rule set's UPCR thresholds fall on the same
    band edges, and a dipstick result is drawn inside the band of its own
    category. Every point is also coloured by its category as the rule set
    classifies it, so no point is read against another test's thresholds.
    """
    ax.set_yscale("log")
    ax.set_ylabel("Timed urine protein\n(mg/m2/h)")
    # A rule set may state timed-urine thresholds per day; measured value x factor
    # is in the criterion's unit, so a threshold / factor is in mg/m2/h.
    criterion, factor = rule_set.criterion_for("urine_protein_timed", "mg/m2/h")
    low, high = criterion.complete.value / factor, criterion.nephrotic.value / factor
    timed = labs[labs["test"] == "urine_protein_timed"].sort_values("date")
    upcr = labs[labs["test"] == "upcr"].sort_values("date")
    dipstick = labs[labs["test"] == "dipstick_protein"].sort_values("date")
    top = max(1000.0, float(timed["value"].max()) * 2 if len(timed) else 0)
    bottom = 0.5
    upcr_criterion = None
    if len(upcr):
        upcr_criterion, upcr_factor = rule_set.criterion_for("upcr", str(upcr["unit"].iloc[0]))
        upcr_edges = (
            upcr_criterion.complete.value / upcr_factor,
            upcr_criterion.nephrotic.value / upcr_factor,
        )
        # Widen the timed axis so that every UPCR value fits once aligned.
        for value in upcr["value"].astype(float):
            if value > 0:
                aligned = _aligned(value, source=upcr_edges, target=(low, high))
                top, bottom = max(top, aligned * 2), min(bottom, aligned / 2)
    ax.set_ylim(bottom, top)
    for name, (lower, upper) in {
        "complete": (bottom, low),
        "partial": (low, high),
        "nephrotic": (high, top),
    }.items():
        ax.axhspan(lower, upper, color=_CATEGORY_COLOURS[name], zorder=0)
    handles = []
    if len(timed):
        ax.plot(_dates(timed["date"]), timed["value"], "-", color="#555555", linewidth=1)
        ax.scatter(
            _dates(timed["date"]),
            timed["value"],
            marker=_MARKERS["urine_protein_timed"],
            c=[_POINT_COLOURS[c] for c in _categories(rule_set, timed)],
            edgecolors="#222222",
            zorder=3,
        )
        handles.append(_legend_marker("urine_protein_timed", "timed urine protein (left axis)"))
    if len(upcr):
        twin = ax.twinx()
        twin.set_yscale("log")
        lower, upper = ax.get_ylim()
        twin.set_ylim(
            _aligned(lower, source=(low, high), target=upcr_edges),
            _aligned(upper, source=(low, high), target=upcr_edges),
        )
        twin.plot(_dates(upcr["date"]), upcr["value"], "--", color="#1f5fa8", linewidth=1)
        twin.scatter(
            _dates(upcr["date"]),
            upcr["value"],
            marker=_MARKERS["upcr"],
            c=[_POINT_COLOURS[c] for c in _categories(rule_set, upcr)],
            edgecolors="#1f5fa8",
            zorder=3,
        )
        twin.set_ylabel(f"UPCR ({upcr['unit'].iloc[0]})", color="#1f5fa8")
        handles.append(
            _legend_marker(
                "upcr",
                f"UPCR (right axis: band edges at\n{upcr_criterion.complete} and "
                f"{upcr_criterion.nephrotic})",
            )
        )
    if len(dipstick):
        categories = _categories(rule_set, dipstick)
        # Drawn in the middle (log scale) of the band of its own category.
        heights = {
            "complete": float(np.sqrt(bottom * low)),
            "partial": float(np.sqrt(low * high)),
            "nephrotic": float(np.sqrt(high * top)),
        }
        ax.scatter(
            _dates(dipstick["date"]),
            [heights[c] for c in categories],
            marker=_MARKERS["dipstick_protein"],
            c=[_POINT_COLOURS[c] for c in categories],
            edgecolors="#222222",
            zorder=3,
        )
        handles.append(_legend_marker("dipstick_protein", "dipstick (placed in its category)"))
    from matplotlib.patches import Patch

    handles += [
        Patch(facecolor=_CATEGORY_COLOURS[name], edgecolor=_POINT_COLOURS[name], label=label)
        for name, label in _CATEGORY_NAMES.items()
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.1, 1.02),
        fontsize=7,
        frameon=False,
        title="Colour: category under the rule set",
        title_fontsize=7,
        alignment="left",
    )
    ax.set_title(
        f"Rule set '{rule_set.name}': timed urine protein complete {criterion.complete}, "
        f"nephrotic {criterion.nephrotic} (band edges {low:.3g} and {high:.3g} mg/m2/h)",
        fontsize=8,
        loc="left",
    )


def _legend_marker(test: str, label: str):
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        marker=_MARKERS[test],
        linestyle="",
        markerfacecolor="#dddddd",
        markeredgecolor="#222222",
        label=label,
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


# Tick steps of a months-since-onset axis, in months; the first giving at most 10 ticks is used.
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 36, 60, 120)


def _axis_since(ax, onset, *, first: pd.Timestamp) -> None:
    """Label the (shared) time axis in months since ``onset`` (or ``first`` without one).

    Ticks fall on whole multiples of the step counted from the reference day,
    so neither their labels nor their places say a calendar date.
    """
    from matplotlib.dates import date2num
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    reference = pd.Timestamp(onset) if pd.notna(onset) else first
    origin = float(date2num(reference))
    low, high = ax.get_xlim()
    span_months = max((high - low) / DAYS_PER_MONTH, 1.0)
    step = next((s for s in _MONTH_STEPS if span_months / s <= 10), _MONTH_STEPS[-1])
    ax.xaxis.set_major_locator(MultipleLocator(step * DAYS_PER_MONTH, offset=origin))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: f"{(x - origin) / DAYS_PER_MONTH:.0f}")
    )
    ax.xaxis.set_minor_locator(MultipleLocator(DAYS_PER_MONTH, offset=origin))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda _x, _pos: ""))
    since = "onset" if pd.notna(onset) else "the first record"
    ax.set_xlabel(f"Months since {since}")


def _first_recorded_date(cohort: Cohort) -> pd.Timestamp:
    """The earliest date anywhere in the record (the axis origin when onset is unknown)."""
    candidates = [
        cohort.labs["date"].min(),
        cohort.visits["date"].min(),
        cohort.events["date"].min(),
        cohort.medications["start_date"].min(),
    ]
    return _known(candidates, min)


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
    return _known(candidates, max)


def _known(candidates, pick) -> pd.Timestamp:
    """``pick`` (min or max) of the dates that are known; 1970-01-01 (day 0) when none is."""
    present = [pd.Timestamp(value) for value in candidates if pd.notna(value)]
    return pick(present) if present else pd.Timestamp("1970-01-01")


def _medication_panel(ax, medications: pd.DataFrame, *, until: pd.Timestamp) -> None:
    """One row per drug group; a course is a bar, a single dose (start = end) a diamond."""
    rows: list[str] = []
    last = until
    starts = medications["start_date"].dropna()
    span_days = max((last - starts.min()).days, 1) if len(starts) else 1
    # Dose labels closer than an eighth of the time span would overlap; skip those.
    min_label_gap_days = span_days / 8
    last_label: pd.Timestamp | None = None
    single_doses = False
    for course in medications.sort_values("start_date").itertuples():
        row = _DRUG_ROWS.get(course.drug, str(course.drug))
        if row not in rows:
            rows.append(row)
        start = pd.Timestamp(course.start_date)
        end = pd.Timestamp(course.end_date) if pd.notna(course.end_date) else last
        y = rows.index(row)
        # end_date is the last day of a course: a one-day course lasts one day.
        days = (end - start).days + 1
        if days > 1 and course.schedule != "single":
            ax.barh(y, days, left=start, height=0.6, color="#5d6d7e")
        # A single dose, or a course too short to see as a bar (a few pulses), is a diamond.
        if days <= max(1, span_days / 400) or course.schedule == "single":
            ax.plot(start, y, marker="D", color="#1b2631", markersize=6, linestyle="")
            single_doses = True
        far_enough = last_label is None or (start - last_label).days >= min_label_gap_days
        if row == "Prednisolone" and pd.notna(course.dose) and far_enough:
            ax.text(start, y + 0.45, f"{course.dose:g} {course.dose_unit}", fontsize=6, va="top")
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
    ax.set_ylim(-0.7, max(len(rows), 1) - 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("Date")
    if single_doses or rows:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        handles = [Patch(color="#5d6d7e", label=_("course (start to end)"))]
        if single_doses:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="D",
                    color="#1b2631",
                    linestyle="",
                    label=_("single dose or a few days"),
                )
            )
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=7,
            frameon=False,
        )


def _event_markers(axes, events: pd.DataFrame) -> None:
    """A dashed line per event date; events on one day share one label, close labels step down."""
    dated = events.dropna(subset=["date"]).sort_values("date")
    if not len(dated):
        return
    low, high = axes[0].get_xlim()
    first, final = pd.Timestamp(dated["date"].min()), pd.Timestamp(dated["date"].max())
    span_days = max((final - first).days, 365)
    close_days = span_days / 40
    previous: pd.Timestamp | None = None
    level = 0
    for when, group in dated.groupby(pd.to_datetime(dated["date"]), sort=True):
        when = pd.Timestamp(when)
        for ax in axes:
            ax.axvline(when, color="#aaaaaa", linewidth=0.8, linestyle="--", zorder=1)
        level = level + 1 if previous is not None and (when - previous).days < close_days else 0
        previous = when
        label = ", ".join(dict.fromkeys(str(name) for name in group["event"]))
        axes[0].annotate(
            label,
            (when, 1.0 - 0.34 * (level % 3)),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            va="top",
            ha="right",
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "alpha": 0.7, "lw": 0},
        )
    axes[0].set_xlim(low, high)


def figure_png(figure) -> bytes:
    """PNG bytes of a figure."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()
