"""The study report: results (machine-readable), tables, figures, methods text, renderers.

``build_results(analysis, rule_set=..., cohort=..., options=...)`` turns the
analysis dataset into ``Results`` (items with stable dotted ids, unrounded);
``write_json``, ``write_html``, ``write_docx`` and ``write_xlsx`` render them;
``run_report`` does everything for the command line.
"""

from nephrocohort.report._build import build_results
from nephrocohort.report._docx import write_docx
from nephrocohort.report._figures import RenderedFigure, render_figures
from nephrocohort.report._html import render_html, write_html
from nephrocohort.report._items import CountItem, HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.report._json import write_json
from nephrocohort.report._options import FORMATS, ReportOptions
from nephrocohort.report._results import Results
from nephrocohort.report._run import FILE_NAMES, ReportRun, run_report
from nephrocohort.report._tables import Table, build_tables
from nephrocohort.report._timelines import Timelines
from nephrocohort.report._xlsx import write_xlsx

__all__ = [
    "build_results",
    "build_tables",
    "render_figures",
    "render_html",
    "run_report",
    "write_docx",
    "write_html",
    "write_json",
    "write_xlsx",
    "CountItem",
    "FILE_NAMES",
    "FORMATS",
    "HypothesisTestItem",
    "RenderedFigure",
    "ReportOptions",
    "ReportRun",
    "Results",
    "SummaryItem",
    "SurvivalItem",
    "Table",
    "Timelines",
]
