"""Legacy per-patient sheets -> the analysis dataset, so an old spreadsheet gets the full report.

A clinic's sheet (like the seed study's Excel form) already holds one row of
summary values per patient. With a mapping file (see
:mod:`nephrocohort.interop._mapping`) each column becomes an analysis-dataset
variable; every value is checked (codes, dates, units, plausible ranges) and
every problem is reported together, with file, row, column and value. The
analysis-dataset CSV is written only if nothing is wrong.
"""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path

import pandas as pd

from nephrocohort.cohort._analysis_checks import date_order_problems
from nephrocohort.cohort.problems import Problem, make_problem
from nephrocohort.exceptions import CohortValidationError
from nephrocohort.interop._errors import FileFormatError, MappingError
from nephrocohort.interop._legacy_derived import complete_from_sheet
from nephrocohort.interop._mapping import (
    MISSING,
    ColumnMapping,
    Mapping,
    load_mapping,
    parse_mapping,
)
from nephrocohort.interop._output import staged_file
from nephrocohort.interop._readers import ProgressCallback, read_table_file
from nephrocohort.interop._results import ImportResult
from nephrocohort.interop._values import (
    detect_date_format,
    is_missing,
    read_boolean,
    read_date,
    read_number,
)
from nephrocohort.interop._variables import ANALYSIS_VARIABLES, Variable
from nephrocohort.messages import Message, MessageList, render_text

__all__ = ["import_table", "read_legacy_sheet", "analysis_frame_to_csv"]

_BY_NAME = {variable.name: variable for variable in ANALYSIS_VARIABLES}


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


def _closest(column: str, header: list[str]) -> str | None:
    wanted = _normal(column)
    containing = [name for name in header if wanted in _normal(name) or _normal(name) in wanted]
    if containing:
        return containing[0]
    close = difflib.get_close_matches(column, header, n=1, cutoff=0.5)
    return close[0] if close else None


def _match_columns(mapping: Mapping, header: list[str], source: str) -> dict[str, str]:
    """Sheet column for each mapped column; a renamed column is an error, with the closest name."""
    exact = {name: name for name in header}
    loose = {_normal(name): name for name in header}
    found: dict[str, str] = {}
    missing: list[str] = []
    for column in [c.column for c in mapping.columns]:
        if column in exact:
            found[column] = column
        elif _normal(column) in loose:
            found[column] = loose[_normal(column)]
        else:
            missing.append(column)
    if missing:
        # Only a header no other mapped column uses can be the renamed one.
        unmapped = [name for name in header if name not in set(found.values())]
        parts = []
        for column in missing:
            close = _closest(column, unmapped)
            if close:
                parts.append(Message("legacy.renamed_column", {"column": column, "close": close}))
            else:
                parts.append(Message("legacy.absent_column", {"column": column}))
        raise MappingError(
            "legacy.columns_not_found",
            mapping=mapping.source,
            source=source,
            columns=MessageList(tuple(parts)),
        )
    return found


def _problem(code, source, row, column, value, **params) -> Problem:
    """A problem of the sheet: its sentences name the sheet, row and column themselves."""
    return make_problem(
        code, source=source, table=source, row=row, column=column, value=value, **params
    )


def _read_category(spec: ColumnMapping, text: str):
    variable = spec.variable
    key = " ".join(text.split()).casefold()
    if key in spec.codes:
        code = spec.codes[key]
        if code is None:
            return None, Message("legacy.reason.code_left_empty")
        return (pd.NA if code == MISSING else code), None
    for code, label in variable.choices:
        if key in (code.casefold(), label.casefold()):
            return code, None
    mapped = ", ".join(sorted(spec.codes)) or "none"
    return None, Message(
        "legacy.reason.not_a_code",
        {"variable": variable.name, "codes": ", ".join(variable.codes), "listed": mapped},
    )


def _read_cell(spec: ColumnMapping, text: str, *, date_format, decimal, notes: set):
    """(value, reason) for one non-missing cell."""
    variable = spec.variable
    kind = variable.kind
    if kind in ("id", "text"):
        return text.strip(), None
    if kind == "category":
        return _read_category(spec, text)
    if kind == "boolean":
        key = " ".join(text.split()).casefold()
        if key in spec.codes:
            code = spec.codes[key]
            if code == MISSING:
                return pd.NA, None
            return code, None if code is not None else Message("legacy.reason.boolean_left_empty")
        value = read_boolean(text)
        if value is None:
            return None, Message("legacy.reason.not_yes_no")
        return value, None
    if kind == "date":
        return read_date(text, date_format=spec.date_format or date_format)
    number, reason, comma = read_number(text, decimal=decimal)
    if reason:
        return None, reason
    if comma and decimal is None:
        notes.add(render_text("legacy.note.decimal_commas", column=spec.column))
    value = number * spec.unit_factor
    if kind == "integer" and not float(value).is_integer():
        return None, Message("legacy.reason.not_whole")
    low, high = variable.minimum, variable.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        unit = f" {variable.unit}" if variable.unit else ""
        converted = f" (= {value:g}{unit})" if spec.unit_factor != 1.0 else ""
        return None, Message(
            "legacy.reason.out_of_range",
            {"low": low, "high": high, "unit": unit, "converted": converted},
        )
    return value, None


def _date_column_problem(
    spec: ColumnMapping, values: pd.Series, source: str, missing_words: frozenset[str]
) -> Problem | None:
    """One problem per date column written without a stated format (not one per row)."""
    unstated = [
        (row, text)
        for row, text in values.items()
        if not is_missing(text)
        and " ".join(text.split()).casefold() not in missing_words
        and read_date(text, date_format=None)[0] is None
        and read_date(text, date_format=None)[1].code != "values.not_a_real_date"
    ]
    if not unstated:
        return None
    detected, why = detect_date_format(text for _, text in unstated)
    row, text = unstated[0]
    hint_code = "legacy.date_format_needed." + ("detected" if detected else "unknown")
    return _problem(
        "legacy.date_format_needed",
        source,
        row,
        spec.column,
        text,
        count=len(unstated),
        hint=Message(hint_code, {"why": why, "detected": detected}),
    )


def read_legacy_sheet(
    path: Path | str,
    mapping: Mapping,
    *,
    progress: ProgressCallback | None = None,
    header_row: int | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The analysis dataset from a legacy sheet, and notes on how it was read.

    Raises :class:`CohortValidationError` listing every problem (file, row,
    column, value, what was expected) if any value cannot be used.
    """
    table = read_table_file(
        path,
        sheet=mapping.sheet,
        encoding=mapping.encoding,
        progress=progress,
        header_row=header_row if header_row is not None else mapping.header_row,
        find_header=True,
    )
    frame, source = table.frame, table.source
    if frame.empty:
        raise FileFormatError("legacy.no_patient_rows", source=source)
    frame.index = table.file_rows()  # the row numbers the user sees in the sheet
    notes = set(table.notes)
    matched = _match_columns(mapping, list(frame.columns), source)
    used = set(matched.values())
    ignored = {_normal(c) for c in mapping.ignored}
    extra = [c for c in frame.columns if c not in used and _normal(c) not in ignored]
    if extra:
        notes.add(render_text("legacy.note.extra_columns", columns=", ".join(extra)))
    problems: list[Problem] = []
    result: dict[str, list] = {}
    for spec in mapping.columns:
        values = frame[matched[spec.column]]
        if spec.variable.kind == "date" and not (spec.date_format or mapping.date_format):
            problem = _date_column_problem(spec, values, source, mapping.missing_words)
            if problem:
                problems.append(problem)
                continue
        column_values = []
        for row, text in values.items():
            if is_missing(text) or " ".join(text.split()).casefold() in mapping.missing_words:
                if spec.variable.name == "patient_id":
                    problems.append(
                        _problem("legacy.missing_patient_id", source, row, spec.column, text)
                    )
                column_values.append(pd.NA)
                continue
            value, reason = _read_cell(
                spec, text, date_format=mapping.date_format, decimal=mapping.decimal, notes=notes
            )
            if reason:
                problems.append(
                    _problem(
                        "legacy.bad_value",
                        source,
                        row,
                        spec.column,
                        text,
                        variable=spec.variable.name,
                        reason=reason,
                    )
                )
                value = pd.NA
            column_values.append(value)
        result[spec.variable.name] = column_values
        if spec.variable.kind == "date" and (spec.date_format or mapping.date_format):
            notes.add(
                render_text(
                    "legacy.note.dates_read",
                    column=spec.column,
                    date_format=spec.date_format or mapping.date_format,
                )
            )
    ids = pd.Series(result.get("patient_id", []), index=frame.index, dtype="object")
    duplicated = ids[ids.notna() & ids.duplicated(keep=False)]
    for pid, rows in duplicated.groupby(duplicated).groups.items():
        rows = list(rows)
        problems.append(
            _problem(
                "duplicate_patient",
                source,
                rows[1],
                matched[_id_column(mapping)],
                pid,
                rows=", ".join(map(str, rows)),
            )
        )
    for name, value in mapping.defaults.items():
        result[name] = [_default_value(name, value, mapping.source)] * len(frame)
    problems.extend(_date_order(result, mapping, frame.index, source))
    if problems:
        raise CohortValidationError(problems, source=source)
    columns = {spec.variable.name: spec.column for spec in mapping.columns}
    analysis, computed = complete_from_sheet(
        _typed_analysis(result, len(frame)), set(result), columns
    )
    return analysis, tuple(sorted(notes)) + tuple(computed)


def _date_order(result: dict[str, list], mapping: Mapping, rows, source: str) -> list[Problem]:
    """The bundle validator's date-order rules, naming the sheet's own columns."""
    dates = {
        name: pd.Series(pd.to_datetime(pd.Series(values, dtype="object")).to_numpy(), index=rows)
        for name, values in result.items()
        if _BY_NAME[name].kind == "date"
    }
    columns = {spec.variable.name: spec.column for spec in mapping.columns}
    return date_order_problems(dates, where=source, table=source, columns=columns)


def _id_column(mapping: Mapping) -> str:
    return next(c.column for c in mapping.columns if c.variable.name == "patient_id")


def _default_value(name: str, value, source: str):
    variable = next(v for v in ANALYSIS_VARIABLES if v.name == name)
    spec = ColumnMapping(column=f"defaults.{name}", variable=variable)
    if isinstance(value, bool) and variable.kind == "boolean":
        return value
    parsed, reason = _read_cell(spec, str(value), date_format=None, decimal=None, notes=set())
    if reason:
        raise MappingError(
            "legacy.bad_default", mapping=source, name=name, value=value, reason=reason
        )
    return parsed


def _typed_column(variable: Variable, values: list) -> pd.Series:
    if variable.kind == "date":
        return pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ns]")
    if variable.kind == "boolean":
        return pd.Series(values, dtype="boolean")
    if variable.dtype == "Int64":
        numbers = pd.to_numeric(pd.Series(values, dtype="object"))
        return numbers.astype("Int64")
    if variable.kind == "number":
        return pd.to_numeric(pd.Series(values, dtype="object")).astype("float64")
    return pd.Series(values, dtype="string")


def _typed_analysis(result: dict[str, list], length: int) -> pd.DataFrame:
    columns = {}
    for variable in ANALYSIS_VARIABLES:
        values = result.get(variable.name, [pd.NA] * length)
        columns[variable.name] = _typed_column(variable, values)
    return pd.DataFrame(columns)


def analysis_frame_to_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write an analysis dataset exactly as ``nephrocohort derive`` writes one."""
    from nephrocohort.cohort import write_analysis_csv

    write_analysis_csv(frame, path)


def import_table(
    path: Path | str,
    *,
    mapping: Path | str | dict | Mapping,
    out: Path | str,
    progress: ProgressCallback | None = None,
    header_row: int | None = None,
) -> ImportResult:
    """Import a legacy per-patient sheet as an analysis-dataset CSV at ``out``.

    ``mapping`` is a YAML file, an already-parsed dict or a :class:`Mapping`.
    Every value is validated; if anything is wrong, nothing is written and
    :class:`CohortValidationError` lists every problem.
    """
    if isinstance(mapping, Mapping):
        parsed = mapping
    elif isinstance(mapping, dict):
        parsed = parse_mapping(mapping)
    else:
        parsed = load_mapping(mapping)
    frame, notes = read_legacy_sheet(path, parsed, progress=progress, header_row=header_row)
    with staged_file(Path(out), what="Analysis dataset file") as staging:
        analysis_frame_to_csv(frame, staging)
    return ImportResult(Path(out), {"analysis": len(frame)}, notes)
