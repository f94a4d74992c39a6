"""Plain-text and JSON renderings of a validation outcome (kept apart from the checks)."""

from collections import Counter

from nephrocohort.cohort.model import Cohort
from nephrocohort.cohort.problems import ERROR, Problem
from nephrocohort.i18n import format_integer, ngettext
from nephrocohort.i18n import gettext as _
from nephrocohort.messages import render

__all__ = ["format_problems", "format_summary", "format_warnings", "outcome_as_json", "row_ranges"]

# Long or grouped reports start with a count of each kind of problem per table.
_SUMMARY_FROM = 10


def _by_kind(problems: list[Problem]) -> list[str]:
    counts = Counter((problem.table or "bundle", problem.code) for problem in problems)
    lines = [_("By table and kind:")]
    for (table, code), number in sorted(counts.items(), key=lambda item: -item[1]):
        lines.append(f"  {table:<12} {code:<20} {format_integer(number):>6}")
    return lines


def format_problems(problems: list[Problem], *, source: str) -> str:
    """A numbered report: one entry per distinct mistake, the hint indented under it.

    Problems that differ only in the row (same place, code, column, value and
    params) are one entry that lists the rows compactly, as REDCap's
    data-quality rules and SPSS's case listings do: one duplicated patient ID
    should not bury the report under a hundred identical lines. Programs get
    every problem separately from ``outcome_as_json`` (``validate --json``).
    """
    count = len(problems)
    lines = [render("validation_failed", {"count": count, "source": source})[0], ""]
    entries = _grouped(problems)
    if count > _SUMMARY_FROM or len(entries) < count:
        lines += _by_kind(problems) + [""]
    if len(entries) < count:
        lines += [
            _(
                "Listed as {count} entries: problems that differ only in their row "
                "are shown once, with their rows."
            ).format(count=format_integer(len(entries))),
            "",
        ]
    return "\n".join(lines + _numbered(entries))


def _numbered(entries: list[tuple[str, str]]) -> list[str]:
    """ "1. sentence" lines, each hint indented under its sentence."""
    lines = []
    width = len(str(len(entries)))
    for number, (message, hint) in enumerate(entries, start=1):
        lines.append(f"{number:>{width}}. {message}")
        if hint:
            lines.append(f"{'':>{width}}  {hint}")
    return lines


def _row_group(problem: Problem) -> tuple | None:
    """What a row-level problem says apart from its row (None: shown on its own)."""
    if problem.row is None or not problem.at_row:
        return None
    params = tuple(sorted((key, str(value)) for key, value in problem.params.items()))
    return (problem.source, problem.table, problem.code, problem.column, problem.value, params)


def _grouped(problems: list[Problem]) -> list[tuple[str, str]]:
    """(message, hint) per entry, in the order of each group's first problem."""
    groups: dict[tuple, list[Problem]] = {}
    for index, problem in enumerate(problems):
        key = _row_group(problem)
        groups.setdefault(("single", index) if key is None else key, []).append(problem)
    entries = []
    for members in groups.values():
        first = members[0]
        if len(members) == 1:
            entries.append((first.message, first.hint))
            continue
        rows = sorted({member.row for member in members})
        where = first.location(rows=row_ranges(rows))
        text = first.sentence(located=False)
        counted = ngettext("{count} row", "{count} rows", len(rows))
        entries.append(
            (f"{where} ({counted.format(count=format_integer(len(rows)))}): {text}", first.hint)
        )
    return entries


# Beyond this many runs of consecutive rows, the list ends with "..." (the count is exact).
_MAX_RUNS = 12


def row_ranges(rows: list[int]) -> str:
    """Sorted row numbers as runs: ``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    shown = [f"{low}-{high}" if high > low else f"{low}" for low, high in runs[:_MAX_RUNS]]
    if len(runs) > _MAX_RUNS:
        shown.append("...")
    return ", ".join(shown)


def format_summary(cohort: Cohort, *, source: str, warnings: list[Problem] = ()) -> str:
    """A short confirmation that a bundle is valid, with the rows of each table.

    ``warnings`` (contradictions that do not stop the load) are listed after it.
    """
    counts = cohort.row_counts()
    width = max(len(name) for name in counts)
    patients = cohort.n_patients
    lines = [
        ngettext(
            "{source} is a valid cohort bundle: {count} patient.",
            "{source} is a valid cohort bundle: {count} patients.",
            patients,
        ).format(source=source, count=format_integer(patients)),
        "",
    ]
    lines += [
        f"  {name:<{width}}  "
        + ngettext("{count} row", "{count} rows", rows).format(count=f"{format_integer(rows):>10}")
        for name, rows in counts.items()
    ]
    if warnings:
        heading = render("summary.warnings", {"count": len(warnings)})[0]
        lines += ["", heading, "", *_numbered(_grouped(list(warnings)))]
    return "\n".join(lines)


def format_warnings(warnings: list[Problem]) -> str:
    """The data-quality warnings of a command that loaded a bundle, numbered (derive)."""
    heading = render("derive.warnings", {"count": len(warnings)})[0]
    return "\n".join([heading, "", *_numbered(_grouped(list(warnings)))])


def outcome_as_json(*, source: str, problems: list[Problem], cohort: Cohort | None) -> dict:
    """The validation outcome as JSON-ready data (``valid``, ``problems``, ``rows``)."""
    return {
        "source": source,
        "valid": not any(problem.severity == ERROR for problem in problems),
        "patients": None if cohort is None else cohort.n_patients,
        "rows": None if cohort is None else cohort.row_counts(),
        "problems": [problem.to_dict() for problem in problems],
    }
