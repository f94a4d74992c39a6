"""Every report format rendered to bytes in memory; writing files is the caller's job.

The figures are drawn once and shared by HTML and Word. Nothing here touches
the disk, so the command line (``nephrocohort.pipeline.run_report`` writes
the files atomically) and the registry (which sends the bytes) use the same
code.
"""

from __future__ import annotations

from collections.abc import Callable

from nephrocohort.i18n import gettext as _
from nephrocohort.report._docx import render_docx
from nephrocohort.report._figures import RenderedFigure, render_figures
from nephrocohort.report._html import render_html
from nephrocohort.report._json import render_json
from nephrocohort.report._options import parse_formats
from nephrocohort.report._results import Results
from nephrocohort.report._xlsx import render_xlsx

__all__ = ["FILE_NAMES", "RENDERERS", "render_report"]

#: File name of each format.
FILE_NAMES = {
    "json": "results.json",
    "html": "report.html",
    "docx": "report.docx",
    "xlsx": "report.xlsx",
}

_Renderer = Callable[[Results, list[RenderedFigure]], bytes]

#: format -> function(results, figures) -> bytes.
RENDERERS: dict[str, _Renderer] = {
    "json": lambda results, figures: render_json(results),
    "html": lambda results, figures: render_html(results, figures=figures).encode("utf-8"),
    "docx": lambda results, figures: render_docx(results, figures=figures),
    "xlsx": lambda results, figures: render_xlsx(results),
}
_WITH_FIGURES = ("html", "docx")


def render_report(
    results: Results, formats, *, progress: Callable[[str], None] | None = None
) -> dict[str, bytes]:
    """The content of each asked format (``"html,docx"`` or a list), keyed by format."""
    say = progress or (lambda message: None)
    formats = parse_formats(formats)
    figures: list[RenderedFigure] = []
    if any(fmt in _WITH_FIGURES for fmt in formats):
        say(_("Drawing the figures"))
        figures = render_figures(results)
    rendered = {}
    for fmt in formats:
        say(_("Rendering {file}").format(file=FILE_NAMES[fmt]))
        rendered[fmt] = RENDERERS[fmt](results, figures)
    return rendered
