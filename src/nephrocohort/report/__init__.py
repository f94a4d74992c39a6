"""The study report: results (machine-readable), tables, figures, methods text, renderers.

``build_results(analysis, rule_set=..., cohort=..., options=...)`` turns the
analysis dataset into ``Results`` (items with stable dotted ids, unrounded);
``render_json``, ``render_html``, ``render_docx`` and ``render_xlsx`` render
them in memory (``render_report`` does every asked format at once). Loading,
deriving and writing files is ``nephrocohort.pipeline``'s job.
"""

from nephrocohort.report._build import build_results
from nephrocohort.report._columns import fill_absent_columns
from nephrocohort.report._docx import render_docx
from nephrocohort.report._figures import RenderedFigure, render_figures
from nephrocohort.report._html import render_html
from nephrocohort.report._items import CountItem, HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.report._json import render_json
from nephrocohort.report._options import FORMATS, ReportOptions
from nephrocohort.report._render import FILE_NAMES, RENDERERS, render_report
from nephrocohort.report._results import Results
from nephrocohort.report._tables import Table, build_tables
from nephrocohort.report._timelines import Timelines
from nephrocohort.report._xlsx import render_xlsx

__all__ = [
    "build_results",
    "build_tables",
    "fill_absent_columns",
    "render_docx",
    "render_figures",
    "render_html",
    "render_json",
    "render_report",
    "render_xlsx",
    "CountItem",
    "FILE_NAMES",
    "FORMATS",
    "HypothesisTestItem",
    "RENDERERS",
    "RenderedFigure",
    "ReportOptions",
    "Results",
    "SummaryItem",
    "SurvivalItem",
    "Table",
    "Timelines",
]
