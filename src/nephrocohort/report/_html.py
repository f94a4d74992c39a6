"""report.html: one self-contained page (inline CSS, figures as base64 PNG, no network)."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape

from nephrocohort.clinical.rules.display import title_text
from nephrocohort.i18n import N_, active_language, gettext, ngettext
from nephrocohort.report._figures import FIGURE_DPI, RenderedFigure, render_figures
from nephrocohort.report._results import Results
from nephrocohort.report._tables import build_tables

__all__ = ["render_html"]

_TITLE = N_("Steroid-resistant nephrotic syndrome treated with MMF: study report")
_NORMALITY_NAMES = {
    "lilliefors": N_("Kolmogorov-Smirnov with Lilliefors correction"),
    "shapiro": "Shapiro-Wilk",
}
_PERCENTILE_NAMES = {"spss": "SPSS (HAVERAGE)", "linear": N_("linear (R type 7)")}


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("nephrocohort.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # {% trans %} blocks and _() in the template read the package's catalogues
    # in the active language (nephrocohort.i18n).
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
    return environment


#: CSS pixels per inch of figure: 1.2 times print size (96 px per inch), so that 8-point
#: labels stay legible on screen while a figure still fits the page beside its caption.
_SCREEN_PX_PER_INCH = 115


def _display_width_px(png: bytes, *, dpi: int = FIGURE_DPI) -> int:
    """CSS width of a figure: its size in inches (PNG width / dpi) at 1.2 times print size.

    The PNG is drawn at ``dpi`` for sharp zooming and printing; shown at its
    pixel width it would be 1.6 times print size, with oversized fonts and
    mostly empty boxes. The pixel width is read from the PNG header.
    """
    pixels = int.from_bytes(png[16:20], "big")
    return round(pixels / dpi * _SCREEN_PX_PER_INCH)


def render_html(results: Results, *, figures: list[RenderedFigure] | None = None) -> str:
    """The report page as text; pass ``figures`` to reuse already rendered PNGs."""
    figures = render_figures(results) if figures is None else figures
    cohort_n = results.get("cohort.n")
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=gettext(_TITLE),
        language=active_language(),
        rule_set_name=results.rule_set_name,
        rule_set_title=title_text(results.rule_set_title),
        n_patients=cohort_n.n if cohort_n is not None else 0,
        normality_test=gettext(_NORMALITY_NAMES[results.options.normality_test]),
        percentile_method=gettext(_PERCENTILE_NAMES[results.options.percentile_method]),
        methods=results.methods,
        notes=results.notes,
        tables=build_tables(results),
        figures=[
            {
                "id": figure.id,
                "title": figure.title,
                "caption": figure.caption,
                "base64": base64.b64encode(figure.png).decode("ascii"),
                "width_px": _display_width_px(figure.png),
            }
            for figure in figures
        ],
        software=results.software,
    )
