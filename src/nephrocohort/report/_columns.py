"""The analysis-dataset columns the report reads (docs/architecture.md), and a check.

The report never guesses a column: if derive's output lacks one, the report
stops with the list of what is missing rather than silently reporting less.
"""

from __future__ import annotations

import pandas as pd

from nephrocohort.cohort.analysis import HISTOLOGY, REPORT_COLUMNS, STATE_MONTHS
from nephrocohort.exceptions import ReportError

__all__ = [
    "REQUIRED_COLUMNS",
    "HISTOLOGY_ORDER",
    "TIMEPOINTS",
    "check_analysis",
    "fill_absent_columns",
]

#: Columns of the analysis dataset the report uses (declared in nephrocohort.cohort.analysis).
REQUIRED_COLUMNS = REPORT_COLUMNS

#: Histology codes of the data contract, in the seed's Table 1 order first.
HISTOLOGY_ORDER = tuple(code for code, _ in HISTOLOGY)

#: Time points after MMF start (Figure 1), name -> months.
TIMEPOINTS = {f"month{months}": months for months in STATE_MONTHS}


def check_analysis(analysis) -> None:
    """Raise ReportError unless ``analysis`` is a DataFrame with every column the report uses."""
    if not isinstance(analysis, pd.DataFrame):
        raise ReportError("report.not_a_dataframe", type=type(analysis).__name__)
    missing = [column for column in REQUIRED_COLUMNS if column not in analysis.columns]
    if missing:
        raise ReportError("report.missing_columns", count=len(missing), columns=", ".join(missing))


def fill_absent_columns(analysis: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Add the columns an analysis-dataset file lacks, so a partial legacy sheet still reports.

    Absent variables become all-missing (their results show no data); an
    absent ``eligible`` column means every patient in the file is analysed,
    since such a file holds the study population already. Returns the frame,
    the absent column names and sentences for the report's notes.
    """
    absent = [column for column in REQUIRED_COLUMNS if column not in analysis.columns]
    if not absent:
        return analysis, [], []
    frame = analysis.copy()
    notes = []
    for column in absent:
        if column == "eligible":
            frame[column] = pd.array([True] * len(frame), dtype="boolean")
        else:
            frame[column] = pd.Series([pd.NA] * len(frame), dtype="object", index=frame.index)
    if "eligible" in absent:
        notes.append(
            "The analysis-dataset file has no eligibility column: every patient in it was analysed."
        )
    others = [column for column in absent if column != "eligible"]
    if others:
        notes.append(
            f"The analysis-dataset file lacks {len(others)} variable(s), reported as missing: "
            + ", ".join(others)
            + "."
        )
    return frame, absent, notes
