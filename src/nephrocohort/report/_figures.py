"""The report's figures, drawn with matplotlib (Agg) from a Results object.

Each figure function takes Results and returns a matplotlib Figure (or None
when the run has nothing to draw); ``render_figures`` turns them into PNG
bytes shared by the HTML and Word renderers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH
from nephrocohort.i18n import N_, format_integer, localize_percent, ngettext
from nephrocohort.i18n import gettext as _
from nephrocohort.report._columns import TIMEPOINTS
from nephrocohort.report._results import Results

__all__ = [
    "at_risk_at",
    "RenderedFigure",
    "figure_proteinuria",
    "figure_kaplan_meier",
    "figure_swimmer",
    "figure_eligibility",
    "render_figures",
]

_STATE_COLOURS = {
    "nephrotic": "#c0392b",
    "none": "#e59866",
    "partial": "#f39c12",
    "complete": "#27ae60",
}
_STATE_NAMES = {
    "nephrotic": N_("Nephrotic range"),
    "none": N_("No remission"),
    "partial": N_("Partial remission (non-nephrotic)"),
    "complete": N_("Complete remission"),
}
_DRUG_COLOURS = {
    "Prednisolone": "#bdc3c7",
    "Cyclophosphamide": "#8e44ad",
    "Cyclosporine": "#2980b9",
    "Tacrolimus": "#16a085",
    "MMF": "#27ae60",
    "Rituximab": "#d35400",
}
_EVENT_MARKERS = {
    "Relapse": ("v", "#c0392b"),
    "Remission": ("o", "#2c3e50"),
    "Severe infection": ("X", "#e67e22"),
    "Diarrhea": ("s", "#7f8c8d"),
    "Leukopenia": ("P", "#9b59b6"),
    "Chronic kidney disease": ("D", "#34495e"),
    "Dialysis": ("*", "#000000"),
    "Transplant": ("^", "#1abc9c"),
    "Death": ("x", "#000000"),
}

#: Resolution of the PNGs: sharp when zoomed or printed; the HTML shows them at print size.
FIGURE_DPI = 150


@dataclass(frozen=True)
class RenderedFigure:
    """One figure ready to embed: id, title, caption and PNG bytes."""

    id: str
    title: str
    caption: str
    png: bytes

    def __repr__(self) -> str:
        return f"RenderedFigure({self.id!r}, {len(self.png):,} bytes)"


def figure_proteinuria(results: Results) -> Figure | None:
    """Figure 1: proteinuria category per time point as 100% stacked bars, with n."""
    names, counts, totals = [], {state: [] for state in _STATE_COLOURS}, []
    for name, months in TIMEPOINTS.items():
        items = {state: results.get(f"proteinuria.{name}.{state}") for state in _STATE_COLOURS}
        if any(item is None for item in items.values()):
            return None
        names.append(_("Baseline") if months == 0 else _("Month {months}").format(months=months))
        totals.append(items["nephrotic"].denominator)
        for state, item in items.items():
            counts[state].append(item.n)
    if not any(totals):  # no time point has a measurement: nothing to draw
        return None
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    totals_array = np.array(totals, dtype=float)
    safe = np.where(totals_array > 0, totals_array, 1)
    for state, colour in _STATE_COLOURS.items():
        share = 100 * np.array(counts[state]) / safe
        ax.bar(x, share, bottom=bottom, color=colour, label=_(_STATE_NAMES[state]), width=0.65)
        for i, (value, n) in enumerate(zip(share, counts[state], strict=True)):
            if n > 0 and value >= 7:
                ax.text(x[i], bottom[i] + value / 2, localize_percent(f"{value:.0f}"), ha="center", va="center",
                        fontsize=8, color="white")  # fmt: skip
        bottom += share
    for i, n in enumerate(totals):
        ax.text(x[i], 101.5, f"n = {n}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 110)
    ax.set_ylabel(_("Patients (%)"))
    ax.set_title(_("Proteinuria during treatment with MMF"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def figure_kaplan_meier(
    results: Results, item_id: str, *, cumulative: bool, ylabel: str = ""
) -> Figure | None:
    """A Kaplan-Meier curve in months from MMF start, with its 95% confidence band."""
    item = results.get(item_id)
    if item is None or item.n == 0 or not item.timeline_days:
        return None
    months = np.array(item.timeline_days) / DAYS_PER_MONTH
    survival = np.array(item.survival)
    lower, upper = np.array(item.ci_lower), np.array(item.ci_upper)
    if cumulative:
        survival, lower, upper = 1 - survival, 1 - upper, 1 - lower
    fig = Figure(figsize=(6.5, 4.4))
    ax = fig.subplots()
    ax.step(months, survival, where="post", color="#2c3e50", linewidth=1.8)
    if item.censored_days:  # censoring marks on the curve, as survival plots show them
        censored = np.array(item.censored_days) / DAYS_PER_MONTH
        heights = survival[np.searchsorted(months, censored, side="right") - 1]
        ax.plot(censored, heights, linestyle="", marker="|", markersize=8, color="#2c3e50")
    ax.fill_between(months, lower, upper, step="post", alpha=0.2, color="#2c3e50")
    ax.set_xlabel("Months from MMF start")
    ax.set_ylabel(
        ylabel or (_("Cumulative proportion") if cumulative else _("Proportion free of event"))
    )
    ax.set_ylim(-0.02, 1.02)
    ticks = _month_ticks(float(months.max()))
    ax.set_xticks(ticks)
    ax.set_xlim(0, max(ticks[-1], float(months.max())) * 1.02 or 1)
    _numbers_at_risk(ax, item, ticks)
    ax.set_title(
        _("{label} (n = {n}, events = {events})").format(
            label=_(item.label), n=item.n, events=item.events
        ),
        fontsize=10,
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _month_ticks(last_month: float) -> list[float]:
    """At most seven round ticks (every 1, 2, 3, 6, 12 or 24 months) covering the follow-up."""
    for step in (1, 2, 3, 6, 12, 24, 48):
        if last_month / step <= 6:
            break
    return [float(step * i) for i in range(int(last_month // step) + 1)]


def at_risk_at(item, month: float) -> int:
    """Patients still followed (no event, not censored) just before ``month`` after MMF start.

    The number printed under a Kaplan-Meier plot, as journals ask for: those
    whose time is at least ``month``, read from the estimate's at-risk column.
    """
    day = month * DAYS_PER_MONTH
    for time, at_risk in zip(item.timeline_days, item.at_risk, strict=True):
        if time >= day - 1e-9:
            return int(at_risk)
    return 0


def _numbers_at_risk(ax, item, ticks) -> None:
    """A row of numbers at risk under the x axis, one per tick."""
    where = ax.get_xaxis_transform()  # x in data, y in axes fractions
    ax.text(0, -0.2, _("Number at risk"), transform=ax.transAxes, ha="left", va="top", fontsize=8,
            style="italic")  # fmt: skip
    for tick in ticks:
        ax.text(tick, -0.27, str(at_risk_at(item, tick)), transform=where, ha="center", va="top",
                fontsize=8)  # fmt: skip


#: The most patient lines the swimmer plot draws (see figure_swimmer).
SWIMMER_MAX_PATIENTS = 60


def figure_swimmer(results: Results) -> Figure | None:
    """One line per patient: drugs as bars, relapses and events as markers.

    At most SWIMMER_MAX_PATIENTS lines, evenly spaced over the patients ordered by follow-up
    (a figure of thousands of lines is unreadable, and its drawing grew with the cohort:
    1,000 patients took minutes); the title says how many of how many are shown. Lines, bars
    and markers are drawn as one collection each, not one artist per record.
    """
    timelines = results.timelines
    if timelines is None or timelines.patients.empty:
        return None
    order = list(timelines.patients["patient_id"])
    total = len(order)
    if total > SWIMMER_MAX_PATIENTS:
        picks = np.unique(np.linspace(0, total - 1, SWIMMER_MAX_PATIENTS).round().astype(int))
        order = [order[i] for i in picks]
    row = {patient: i for i, patient in enumerate(order)}
    height = max(3.0, 0.28 * len(order) + 1.6)
    fig = Figure(figsize=(8, height))
    ax = fig.subplots()
    drugs = list(_DRUG_COLOURS)
    lane = {drug: (i - (len(drugs) - 1) / 2) * 0.12 for i, drug in enumerate(drugs)}
    starts = timelines.bars.groupby("patient_id")["start_month"].min()
    shown = timelines.patients[timelines.patients["patient_id"].isin(row)]
    segments = []
    for patient in shown.itertuples(index=False):
        start = min(0.0, float(starts.get(patient.patient_id, 0.0)))
        end = patient.end_month if patient.end_month == patient.end_month else 0.0
        segments.append([(start, row[patient.patient_id]), (end, row[patient.patient_id])])
    ax.add_collection(LineCollection(segments, colors="#7f8c8d", linewidths=0.6, zorder=1))
    bars = timelines.bars[timelines.bars["patient_id"].isin(row)]
    if not bars.empty:
        ax.barh(
            bars["patient_id"].map(row).to_numpy() + bars["drug"].map(lane).fillna(0).to_numpy(),
            np.maximum(bars["end_month"] - bars["start_month"], 0.3).to_numpy(),
            left=bars["start_month"].to_numpy(),
            height=0.12,
            color=[_DRUG_COLOURS.get(drug, "#95a5a6") for drug in bars["drug"]],
        )
    markers = timelines.markers[timelines.markers["patient_id"].isin(row)]
    for event, group in markers.groupby("event", sort=False):
        shape, colour = _EVENT_MARKERS.get(event, ("o", "#000000"))
        ax.scatter(group["month"], group["patient_id"].map(row), marker=shape, color=colour,
                   s=22, zorder=3)  # fmt: skip
    ax.autoscale_view()  # the line collection counts in the limits, as plotted lines did
    ax.axvline(0, color="#7f8c8d", linestyle="--", linewidth=0.8)
    ax.set_yticks(range(len(order)), order, fontsize=7)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlabel("Months from MMF start")
    title = _("Treatment course per patient")
    if len(order) < total:
        title += "\n" + _("{shown} of {total} patients, evenly spaced by follow-up").format(
            shown=len(order), total=total
        )
    ax.set_title(title)
    handles = [Rectangle((0, 0), 1, 1, color=colour) for colour in _DRUG_COLOURS.values()]
    labels = list(_DRUG_COLOURS)
    seen = set(timelines.markers["event"])
    for event, (shape, colour) in _EVENT_MARKERS.items():
        if event in seen:
            handles.append(Line2D([], [], marker=shape, color=colour, linestyle=""))
            labels.append(event)
    ax.legend(
        handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _box(ax, x, y, text, *, width=0.42, height=0.13):
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.01", facecolor="#ecf0f1", edgecolor="#2c3e50"))  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=8, wrap=True)


#: Lines of text the "Excluded" box of the eligibility flow holds (0.045 of the axis each):
#: its top then stays below the "Patients assessed" box beside it.
_EXCLUDED_LINES = 8


def _lines(texts) -> int:
    return sum(text.count("\n") + 1 for text in texts)


def figure_eligibility(results: Results) -> Figure | None:
    """Eligibility flow diagram: assessed -> excluded (with reasons) -> analysed."""
    assessed, excluded = results.get("eligibility.assessed"), results.get("eligibility.excluded")
    unknown, included = (
        results.get("eligibility.not_assessable"),
        results.get("eligibility.included"),
    )
    if assessed is None or included is None:
        return None
    reasons = list(excluded.reasons)[:6]
    selection = results.with_prefix("selection.")
    height = 3.6 if len(reasons) <= 2 else 4.2
    if selection:  # the OMOP phenotype's attrition, in a box above "Patients assessed"
        height += 0.3 * (len(selection) + 1)
    fig = Figure(figsize=(7, height))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    top = 1.0
    if selection:
        top = 1.0 + 0.3 * (len(selection) + 1) / (height - 0.3 * (len(selection) + 1))
        lines = [_("Computable phenotype (OMOP CDM)")] + [
            f"{_(item.label)}: {format_integer(item.n)}" for item in selection
        ]
        import textwrap

        text = "\n".join(textwrap.fill(line, 44, subsequent_indent="  ") for line in lines)
        box = (top - 1.0) * 0.85
        _box(ax, 0.25, 1.0 + (top - 1.0) / 2, text, width=0.5, height=box)
        ax.annotate("", xy=(0.25, 0.95), xytext=(0.25, 1.0 + (top - 1.0) * 0.05),
                    arrowprops={"arrowstyle": "->"})  # fmt: skip
    ax.set_ylim(0, top)
    registered = results.get("eligibility.registered")
    left_out = results.get("eligibility.consent_left_out")
    override = results.get("eligibility.consent_override")
    # Consent step above the flow when anyone was left out or kept by the override
    # (drawn for cohorts not selected from OMOP, whose box takes that place).
    consent_step = (
        not selection
        and registered is not None
        and bool((left_out is not None and left_out.n) or (override is not None and override.n))
    )
    if consent_step:
        fig.set_figheight(height * 1.3)
        ax.set_ylim(0, 1.3)
        _box(ax, 0.25, 1.2, _("Patients registered\nn = {n}").format(n=registered.n))
        ax.annotate("", xy=(0.25, 0.95), xytext=(0.25, 1.13), arrowprops={"arrowstyle": "->"})
        if left_out is not None and left_out.n:
            text = _("Left out: consent withdrawn\nor assent missing: n = {n}").format(n=left_out.n)
        else:
            text = _(
                "Included by explicit override:\nconsent withdrawn or assent\nmissing: n = {n}"
            ).format(n=override.n)
        _box(ax, 0.72, 1.05, text, width=0.52, height=0.14)
        ax.annotate("", xy=(0.46, 1.05), xytext=(0.25, 1.05), arrowprops={"arrowstyle": "->"})
    _box(ax, 0.25, 0.88, _("Patients assessed\nn = {n}").format(n=assessed.n))
    _box(ax, 0.25, 0.15, _("Analysed\nn = {n}").format(n=included.n))
    ax.annotate("", xy=(0.25, 0.22), xytext=(0.25, 0.81), arrowprops={"arrowstyle": "->"})
    import textwrap

    # As many reasons as fit the box (_EXCLUDED_LINES wrapped lines, the heading and the
    # "more" line included) so no text runs over its border or into "Patients assessed";
    # the eligibility table lists them all.
    shown = [textwrap.fill(_("Excluded: n = {n}").format(n=excluded.n), 46)]
    every = list(excluded.reasons)
    for index, (reason, n) in enumerate(reasons):
        line = textwrap.fill(f"{reason} ({n})", 46)
        more = len(every) - index - 1
        if _lines(shown) + _lines([line]) + (1 if more else 0) > _EXCLUDED_LINES:
            break
        shown.append(line)
    hidden = len(every) - (len(shown) - 1)
    if hidden:
        shown.append(ngettext("... {count} more reason", "... {count} more reasons", hidden))
        shown[-1] = shown[-1].format(count=hidden)
    wrapped = "\n".join(shown)
    box_height = 0.07 + 0.045 * wrapped.count("\n")
    _box(ax, 0.72, 0.6, wrapped, width=0.52, height=box_height)
    ax.annotate("", xy=(0.46, 0.6), xytext=(0.25, 0.6), arrowprops={"arrowstyle": "->"})
    if unknown is not None and unknown.n:
        _box(ax, 0.72, 0.33, _("Eligibility not assessable\n(data missing): n = {n}").format(n=unknown.n),
             width=0.52, height=0.1)  # fmt: skip
        ax.annotate("", xy=(0.46, 0.33), xytext=(0.25, 0.33), arrowprops={"arrowstyle": "->"})
    ax.set_title(_("Eligibility"), fontsize=10)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return buffer.getvalue()


def render_figures(results: Results) -> list[RenderedFigure]:
    """Every figure this run can draw, as PNG, in report order."""
    plans = [
        ("figure.eligibility", _("Eligibility flow"), _("Patients assessed, excluded (with reasons) and analysed."),
         lambda: figure_eligibility(results)),
        ("figure.proteinuria", _("Figure 1. Proteinuria during treatment with MMF"),
         _("Share of patients in each proteinuria category at MMF start and 1, 3, 6 and 12 months "
           "later; n above each bar is the number of patients with a measurement in the window."),
         lambda: figure_proteinuria(results)),
        ("figure.km_remission", _("Time to complete remission"),
         _("Kaplan-Meier cumulative proportion in complete remission after MMF start (95% CI)."),
         lambda: figure_kaplan_meier(results, "km.complete_remission", cumulative=True,
                                    ylabel=_("Proportion in complete remission"))),
        ("figure.km_crf", _("Time to chronic renal failure"),
         _("Kaplan-Meier proportion free of chronic renal failure after MMF start (95% CI)."),
         lambda: figure_kaplan_meier(results, "km.crf", cumulative=False,
                                    ylabel=_("Proportion free of chronic renal failure"))),
        ("figure.swimmer", _("Treatment course per patient"),
         _("One line per patient, aligned at MMF start: drugs as bars, relapses and events as markers."),
         lambda: figure_swimmer(results)),
    ]  # fmt: skip
    rendered = []
    for figure_id, title, caption, draw in plans:
        fig = draw()
        if fig is not None:
            rendered.append(RenderedFigure(figure_id, title, caption, _png(fig)))
    return rendered
