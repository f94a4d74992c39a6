"""``run_report``: cohort in, report files out (what ``nephrocohort report`` calls)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nephrocohort.exceptions import ReportError
from nephrocohort.report._build import build_results
from nephrocohort.report._columns import fill_absent_columns
from nephrocohort.report._docx import write_docx
from nephrocohort.report._figures import render_figures
from nephrocohort.report._html import write_html
from nephrocohort.report._json import write_json
from nephrocohort.report._options import FORMATS, ReportOptions, parse_formats
from nephrocohort.report._results import Results
from nephrocohort.report._xlsx import write_xlsx

__all__ = ["run_report", "ReportRun", "FILE_NAMES"]

#: File written for each format.
FILE_NAMES = {
    "json": "results.json",
    "html": "report.html",
    "docx": "report.docx",
    "xlsx": "report.xlsx",
}


@dataclass(frozen=True, eq=False)
class ReportRun:
    """What a report run produced: the results and the files written, by format."""

    results: Results
    files: dict

    def __repr__(self) -> str:
        names = ", ".join(path.name for path in self.files.values())
        return f"ReportRun({self.results!r}, files=[{names}])"


def _is_analysis_file(data) -> bool:
    """An analysis-dataset CSV (e.g. from ``nephrocohort import-table``), not a bundle."""
    if data is None or hasattr(data, "patients"):
        return False
    path = Path(data)
    return path.is_file() and path.suffix.lower() == ".csv"


def _load_cohort(data):
    if data is None:
        from nephrocohort.cohort import demo_cohort

        return demo_cohort()
    if hasattr(data, "patients"):  # already a Cohort
        return data
    path = Path(data)
    if not path.exists():
        raise ReportError(
            f"The cohort {str(path)!r} does not exist. Give a folder of CSV files or an .xlsx "
            "workbook (see docs/report.md), or leave out --data to use the demo cohort."
        )
    from nephrocohort.cohort import load_bundle

    return load_bundle(path)


def run_report(
    *,
    data=None,
    rule_set="study",
    out_dir="report",
    formats=FORMATS,
    options: ReportOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReportRun:
    """Load a cohort, derive the analysis dataset, compute results and write the report files.

    Parameters
    ----------
    data:
        A Cohort, a bundle path (folder of CSVs or .xlsx), an analysis-dataset
        CSV file (from ``nephrocohort import-table``: reported as recorded,
        absent variables as missing, no swimmer plot), or None for the
        embedded demo cohort.
    rule_set:
        Rule-set name (``study``, ``ipna2020``, ``kdigo2021``), path, or RuleSet.
    out_dir:
        Folder for the files (created if needed). The files are written to a
        temporary folder first and moved into place only when all of them
        were written; report files of an earlier run that this run does not
        produce are removed, so the folder never mixes two runs.
    formats:
        Any of ``json``, ``html``, ``docx``, ``xlsx`` (list or "html,docx").
    options:
        ReportOptions (percentile definition, normality test).
    progress:
        Called with a short message before each step (the CLI shows them).
    """
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.cohort import derive

    say = progress or (lambda message: None)
    formats = parse_formats(formats)
    options = options or ReportOptions()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ReportError(f"The output {str(out)!r} is a file; give a folder for the report.")
    rules = load_rule_set(rule_set) if isinstance(rule_set, (str, Path)) else rule_set

    if _is_analysis_file(data):
        from nephrocohort.interop import read_analysis_csv

        say(f"Reading the analysis dataset {data}")
        analysis, _, notes = fill_absent_columns(read_analysis_csv(data))
        say("Computing the results")
        results = build_results(
            analysis, rule_set=rules, options=options, source="analysis_file", notes=notes
        )
    else:
        say("Loading the cohort" if data is not None else "Loading the embedded demo cohort")
        cohort = _load_cohort(data)
        say(f"Deriving the analysis dataset (rule set '{rules.name}')")
        analysis = derive(cohort, rules)
        say("Computing the results")
        results = build_results(analysis, rule_set=rules, cohort=cohort, options=options)

    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        files = _write_atomically(results, out, formats, say)
    except BaseException:
        if created:  # a folder made for this run leaves no trace of a failure
            shutil.rmtree(out, ignore_errors=True)
        raise
    return ReportRun(results=results, files=files)


def _write_files(results: Results, folder: Path, formats, say) -> dict:
    files = {}
    figures = None
    if "html" in formats or "docx" in formats:
        say("Drawing the figures")
        figures = render_figures(results)
    for fmt in formats:
        target = folder / FILE_NAMES[fmt]
        say(f"Writing {FILE_NAMES[fmt]}")
        if fmt == "json":
            write_json(results, target)
        elif fmt == "html":
            write_html(results, target, figures=figures)
        elif fmt == "docx":
            write_docx(results, target, figures=figures)
        else:
            write_xlsx(results, target)
        files[fmt] = target
    return files


def _write_atomically(results: Results, out: Path, formats, say) -> dict:
    """Write every file into a temporary folder beside ``out``, then move them into place.

    Nothing in ``out`` changes unless every file was written. Report files of
    an earlier run that this run does not write (e.g. report.html when only
    json was asked for) are removed, so the folder never mixes two runs; other
    files in the folder are left alone.
    """
    staging = Path(tempfile.mkdtemp(prefix=".nephrocohort-report-", dir=out))
    try:
        written = _write_files(results, staging, formats, say)
        for fmt, name in FILE_NAMES.items():
            if fmt not in written and (out / name).is_file():
                say(f"Removing {name} of an earlier run")
                (out / name).unlink()
        files = {}
        for fmt, path in written.items():
            target = out / FILE_NAMES[fmt]
            os.replace(path, target)  # atomic on one file system (staging is inside out)
            files[fmt] = target
        return files
    finally:
        shutil.rmtree(staging, ignore_errors=True)
