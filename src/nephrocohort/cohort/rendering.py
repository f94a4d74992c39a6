"""Plain-text and JSON renderings of a validation outcome (kept apart from the checks)."""

from collections import Counter

from nephrocohort.cohort.model import Cohort
from nephrocohort.cohort.problems import Problem

__all__ = ["format_problems", "format_summary", "outcome_as_json"]

# Long reports start with a count of each kind of problem per table.
_SUMMARY_FROM = 10


def _by_kind(problems: list[Problem]) -> list[str]:
    counts = Counter((problem.table or "bundle", problem.code) for problem in problems)
    lines = ["By table and kind:"]
    for (table, code), number in sorted(counts.items(), key=lambda item: -item[1]):
        lines.append(f"  {table:<12} {code:<20} {number:>6,}")
    return lines


def format_problems(problems: list[Problem], *, source: str) -> str:
    """A numbered report of every problem: the sentence, then the hint indented under it."""
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    lines = [f"{count} {noun} found in {source}; nothing was loaded.", ""]
    if count > _SUMMARY_FROM:
        lines += _by_kind(problems) + [""]
    width = len(str(count))
    for number, problem in enumerate(problems, start=1):
        lines.append(f"{number:>{width}}. {problem.message}")
        if problem.hint:
            lines.append(f"{'':>{width}}  {problem.hint}")
    return "\n".join(lines)


def format_summary(cohort: Cohort, *, source: str) -> str:
    """A short confirmation that a bundle is valid, with the rows of each table."""
    counts = cohort.row_counts()
    width = max(len(name) for name in counts)
    lines = [f"{source} is a valid cohort bundle: {cohort.n_patients:,} patients.", ""]
    lines += [f"  {name:<{width}}  {rows:>10,} rows" for name, rows in counts.items()]
    return "\n".join(lines)


def outcome_as_json(*, source: str, problems: list[Problem], cohort: Cohort | None) -> dict:
    """The validation outcome as JSON-ready data (``valid``, ``problems``, ``rows``)."""
    return {
        "source": source,
        "valid": not problems,
        "patients": None if cohort is None else cohort.n_patients,
        "rows": None if cohort is None else cohort.row_counts(),
        "problems": [problem.to_dict() for problem in problems],
    }
