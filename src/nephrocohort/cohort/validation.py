"""Validation of a cohort bundle: every problem at once, each pointing at a cell.

Validation runs in three steps, all vectorised (no loop over rows, only over
the problems found):

1. reading (``reading.py``): files, encodings, headers, rows of the wrong width;
2. parsing each column of text into its type (dates YYYY-MM-DD, numbers, lab
   values and units converted to the canonical unit);
3. the pandera schemas of ``schemas.py`` (required values, codes, plausible
   ranges, dates after ``as_of``, duplicate patients) and the checks across
   tables (unknown patients, dates before birth, ends before starts).

A cell that fails one step is not reported again by a later one, so a user
sees one sentence per mistake.
"""

import datetime as dt
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

try:
    import pandera.pandas as pa
except ImportError:  # pandera before 0.24 has the pandas API at the top level
    import pandera as pa
import pyarrow as pyarrow_lib
import pyarrow.compute as pc

from nephrocohort.clinical.units import (
    ACCEPTED_UNITS,
    DIPSTICK_GRADES_MG_DL,
    factor_to_canonical,
    normalise_unit,
)
from nephrocohort.cohort._fast import (
    factorize,
    lookup_float,
    lookup_text_of_codes,
    per_distinct,
    positions_in,
)
from nephrocohort.cohort.contract import REQUIRED_TABLES, SOURCE_ROW, TABLE_NAMES, TABLES
from nephrocohort.cohort.model import TEXT, Cohort, typed_table
from nephrocohort.cohort.problems import ERROR, WARNING, Problem, RowList, make_problem
from nephrocohort.cohort.reading import RawTable, raw_table_of, read_raw_bundle
from nephrocohort.cohort.schemas import table_schema
from nephrocohort.cohort.vocabulary import (
    COLUMN_RANGES,
    DIPSTICK_GRADES,
    DIPSTICK_NOTATIONS,
    DIPSTICK_UNIT_OF_GRADE,
    DIPSTICK_UNITS,
    LAB_TESTS,
)
from nephrocohort.exceptions import UnitError
from nephrocohort.messages import Message

__all__ = [
    "validate_bundle",
    "validate_tables",
    "validate_cohort",
    "parse_bundle",
    "parse_tables",
    "resolve_as_of",
]

# (table, start column, end column): the end may not be before the start.
END_AFTER_START = (
    ("medications", "start_date", "end_date"),
    ("patients", "onset_date", "last_followup_date"),
    ("patients", "consent_date", "consent_withdrawn_date"),
)
# (table, date column): a record dated after the patient's death or last follow-up
# contradicts them (a warning: the bundle loads; the data-quality page lists it).
RECORD_DATES = (
    ("biopsies", "biopsy_date"),
    ("genetics", "test_date"),
    ("visits", "date"),
    ("labs", "date"),
    ("medications", "start_date"),
    ("events", "date"),
)
_NUMBER_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
# Years a date in a clinical record can have (also keeps dates inside datetime64[ns]).
_FIRST_YEAR, _LAST_YEAR = 1850, 2200


def resolve_as_of(as_of) -> dt.date:
    """The reference date for "in the future": ``as_of`` or today's date, taken now."""
    if as_of is None:
        return dt.date.today()
    return pd.Timestamp(as_of).date()


def validate_bundle(path, *, as_of=None) -> list[Problem]:
    """Every problem of the bundle at ``path``: errors and warnings (empty when all is well).

    ``as_of`` (a date; default: today when called) is the latest date a value
    may have.
    """
    problems, _ = parse_bundle(path, as_of=as_of)
    return problems


def validate_cohort(cohort: Cohort, *, as_of=None) -> list[Problem]:
    """Every problem of a cohort built in code (schemas and checks across tables)."""
    as_of = resolve_as_of(as_of)
    tables = {}
    for name, frame in cohort.tables.items():
        rows = frame[SOURCE_ROW].to_numpy(dtype="float64", na_value=np.nan)
        tables[name] = _Table(name, f"Table '{name}'", frame, rows)
    problems = _checks(tables, as_of)
    for table in tables.values():
        problems.extend(table.summaries())
    return _sorted(problems)


def parse_bundle(path, *, as_of=None) -> tuple[list[Problem], dict[str, pd.DataFrame] | None]:
    """Read, parse and check a bundle; the typed tables are returned only when it has no error.

    The problems returned with the tables are warnings (contradictions to check).
    """
    raw = read_raw_bundle(path)
    return _parse_and_check(raw.tables, list(raw.problems), resolve_as_of(as_of))


def validate_tables(
    tables: dict[str, pd.DataFrame], *, as_of=None, source: str = "tables"
) -> list[Problem]:
    """Every problem of tables held in memory, checked exactly as the same tables in files.

    ``tables`` maps table names to frames of the values as entered (text,
    numbers or dates; empty = missing); row ``i`` of a frame is row ``i + 2``
    of the table's file (header = row 1). Nothing is written to disk: a form
    or an importer validates its rows directly. ``source`` names where the
    tables come from (shown as "<source> <table>").
    """
    return parse_tables(tables, as_of=as_of, source=source)[0]


def parse_tables(
    tables: dict[str, pd.DataFrame | RawTable],
    *,
    as_of=None,
    source: str = "tables",
    where: dict[str, str] | None = None,
) -> tuple[list[Problem], dict[str, pd.DataFrame] | None]:
    """:func:`validate_tables`, and the typed tables when there is no error (as :func:`parse_bundle`).

    A value of ``tables`` may also be a :class:`~nephrocohort.cohort.reading.RawTable`
    (text already read, with the rows the user sees). ``where`` names a
    table's place in its problems (default "<source> <table>"), for example
    ``{"labs": "labs.csv"}`` for tables an importer made as a bundle's files.
    """
    raw = {}
    problems: list[Problem] = []
    for name, frame in tables.items():
        place = (where or {}).get(name, f"{source} {name}")
        if name not in TABLES:
            problems.append(
                make_problem("unknown_table", source=place, tables=", ".join(TABLE_NAMES))
            )
            continue
        raw[name] = frame if isinstance(frame, RawTable) else raw_table_of(name, frame, where=place)
    for name in REQUIRED_TABLES:
        if name not in tables:
            problems.append(
                make_problem("missing_table", table=name, expected=f"a table named {name}")
            )
    return _parse_and_check(raw, problems, resolve_as_of(as_of))


def _parse_and_check(raw_tables: dict, problems: list[Problem], as_of: dt.date):
    tables: dict[str, _Table] = {}
    # Parse table by table and let go of the text as soon as it is typed (memory).
    for name in list(raw_tables):
        table = _parse(raw_tables.pop(name))
        problems.extend(table.problems)
        tables[name] = table
    if "patients" in tables:
        problems.extend(_checks(tables, as_of))
    else:
        for table in tables.values():
            problems.extend(_schema_problems(table, as_of))
    for table in tables.values():
        problems.extend(table.summaries())
    if any(problem.severity == ERROR for problem in problems):
        return _sorted(problems), None
    # Only warnings (contradictions to check): the tables load, the warnings are returned.
    return _sorted(problems), {name: table.frame for name, table in tables.items()}


# --- bookkeeping --------------------------------------------------------------------------------


# At most this many problems of one kind (code and column) per table are listed row by
# row; the rest are counted in one "more_problems" entry. A systematic mistake in a
# ten-million-row file would otherwise produce millions of identical sentences.
PROBLEMS_PER_KIND = 1000


@dataclass
class _Table:
    """A typed table plus what is needed to point at its cells."""

    name: str
    where: str
    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    absent: set = field(default_factory=set)
    _seen: dict = field(default_factory=dict)
    _listed: Counter = field(default_factory=Counter)
    _more: Counter = field(default_factory=Counter)

    def row(self, position: int) -> int | None:
        """The row the user sees for a frame position (None when unknown)."""
        value = self.rows[position]
        return None if np.isnan(value) else int(value)

    def seen(self, column: str) -> np.ndarray:
        """Which cells of ``column`` already have a problem (a boolean mask, updated in place)."""
        if column not in self._seen:
            self._seen[column] = np.zeros(len(self.rows), dtype=bool)
        return self._seen[column]

    def mark(self, column: str, mask) -> None:
        """Treat the cells of ``mask`` as reported (their problem is elsewhere)."""
        self.seen(column)[np.asarray(mask, dtype=bool)] = True

    def add(
        self, code: str, position: int, column: str | None, value, severity=ERROR, **params
    ) -> None:
        """Record one problem, unless that cell already has one."""
        if column is not None:
            if column in self.absent:
                return
            seen = self.seen(column)
            if seen[position]:
                return
            seen[position] = True
        if self._listed[(code, column)] >= PROBLEMS_PER_KIND:
            self._more[(code, column)] += 1
            return
        self._listed[(code, column)] += 1
        self.problems.append(
            make_problem(
                code,
                table=self.name,
                row=self.row(position),
                column=column,
                value=_show(value),
                source=self.where,
                severity=severity,
                **params,
            )
        )

    def to_list(self, code: str, column: str, mask) -> np.ndarray:
        """Positions of ``mask`` to report one by one; the rest beyond the limit are counted."""
        if column in self.absent:
            return np.empty(0, dtype=np.int64)
        positions = np.flatnonzero(np.asarray(mask, dtype=bool) & ~self.seen(column))
        room = max(PROBLEMS_PER_KIND - self._listed[(code, column)], 0)
        if positions.size > room:
            self.seen(column)[positions[room:]] = True
            self._more[(code, column)] += int(positions.size - room)
        return positions[:room]

    def add_mask(self, code: str, mask, column: str, values=None, **params) -> None:
        """Record one problem per True position of ``mask``."""
        values = self.frame[column] if values is None else values
        for position in self.to_list(code, column, mask):
            self.add(code, int(position), column, values.iloc[position], **params)

    def summaries(self) -> list[Problem]:
        """One problem per kind that had more rows than were listed."""
        return [
            make_problem(
                "more_problems",
                table=self.name,
                column=column,
                source=self.where,
                count=count,
                kind=code,
                limit=PROBLEMS_PER_KIND,
            )
            for (code, column), count in self._more.items()
        ]


def _show(value) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {name: index for index, name in enumerate(TABLE_NAMES)}

    def key(problem: Problem):
        table_rank = order.get(problem.table, -1)
        columns = TABLES[problem.table].column_names if problem.table in TABLES else ()
        column_rank = columns.index(problem.column) if problem.column in columns else len(columns)
        row = problem.row if problem.row is not None else 0
        if problem.code == "more_problems":
            row = np.iinfo(np.int64).max
        return (table_rank, row, column_rank)

    return sorted(problems, key=key)


# --- step 2: parsing text into types --------------------------------------------------------------


def _parse(raw: RawTable) -> _Table:
    spec = TABLES[raw.name]
    text = raw.frame
    table = _Table(raw.name, raw.where, text, raw.source_row.astype("float64"))
    data: dict[str, pd.Series] = {}
    lowered = {name.lower(): name for name in text.columns}
    for column in spec.columns:
        if column.name not in text.columns:
            if column.required:
                table.absent.add(column.name)
                near = lowered.get(column.name.lower())
                hint = (
                    f"There is a column '{near}': column names are case-sensitive; rename it to "
                    f"'{column.name}'."
                    if near
                    else f"Add the column '{column.name}' to the header ({column.description})."
                )
                table.problems.append(
                    make_problem(
                        "missing_column",
                        table=raw.name,
                        column=column.name,
                        source=raw.where,
                        hint=hint,
                    )
                )
            continue
        values = text[column.name]
        if column.kind == "date":
            data[column.name] = _parse_dates(table, column, values)
        elif column.kind == "number":
            data[column.name] = _parse_numbers(
                table, column.name, values, expected=_expected(raw.name, column)
            )
        elif column.kind == "lab_value":
            continue
        else:
            data[column.name] = values
    if raw.name == "labs" and "value" in text.columns:
        data.update(_parse_labs(table, text))
    for name in text.columns:
        if name not in data and name not in spec.column_names:
            data[name] = text[name]
    data[SOURCE_ROW] = pd.Series(raw.source_row, dtype="Int64")
    table.frame = typed_table(raw.name, pd.DataFrame(data))
    return table


def _expected(table: str, column) -> str:
    plausible = COLUMN_RANGES.get((table, column.name))
    if plausible is not None:
        return f"a number in {plausible.unit}, e.g. {column.example}"
    if column.unit == "dose_unit":
        return f"a number in the unit written in dose_unit, e.g. {column.example}"
    if column.unit:
        return f"a number (in {column.unit}), e.g. {column.example}"
    return f"a number, e.g. {column.example}"


def _parse_dates(table: _Table, column, values: pd.Series) -> pd.Series:
    dates = per_distinct(values, _dates_of_texts, np.datetime64("NaT", "ns"))
    result = pd.Series(dates, index=values.index)
    bad = values.notna().to_numpy() & np.isnat(dates)
    if bad.any():
        # Well-formed dates outside the years a record can have get their own sentence.
        year = pd.to_numeric(values.str.slice(0, 4), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        well_formed = values.str.fullmatch(_DATE_PATTERN).to_numpy(dtype=bool, na_value=False)
        out_of_range = bad & well_formed & ((year < _FIRST_YEAR) | (year > _LAST_YEAR))
        table.add_mask(
            "date_out_of_range",
            out_of_range,
            column.name,
            values,
            first=_FIRST_YEAR,
            last=_LAST_YEAR,
        )
        example = column.example or "2016-03-01"
        for position in table.to_list("bad_date", column.name, bad):
            text = values.iloc[position]
            hint = _date_hint(text)
            table.add("bad_date", int(position), column.name, text, example=example, hint=hint)
    return result


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _date_hint(text: str) -> str:
    """Suggest the ISO form of a day/month/year date, only when it cannot be read two ways."""
    match = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text)
    if match:
        first, second, year = (int(part) for part in match.groups())
        readings = []
        if first <= 31 and 1 <= second <= 12:
            readings.append((first, second))  # day first
        if second <= 31 and 1 <= first <= 12 and first != second:
            readings.append((second, first))  # month first
        valid = [(d, m) for d, m in readings if _exists(year, m, d)]
        if len(valid) == 1:
            day, month = valid[0]
            return f"If this is {day} {_MONTHS[month - 1]} {year}, write {year:04d}-{month:02d}-{day:02d}."
        if len(valid) == 2:
            return (
                f"'{text}' could be {valid[0][0]} {_MONTHS[valid[0][1] - 1]} or "
                f"{valid[1][0]} {_MONTHS[valid[1][1] - 1]}: write it as YYYY-MM-DD."
            )
    return "Write dates as year-month-day with four-digit years; check that the day exists."


def _exists(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _dates_of_texts(texts: pyarrow_lib.Array) -> np.ndarray:
    """YYYY-MM-DD texts to datetime64[ns]; anything else (or a day that does not exist) NaT."""
    well_formed = pc.fill_null(pc.match_substring_regex(texts, _DATE_PATTERN), False)
    text = pc.if_else(well_formed, texts, pyarrow_lib.scalar(None, type=texts.type))
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 2020-02-30 over to 2020-03-01: the day must come back as written.
    written_day = pc.cast(pc.utf8_slice_codeunits(text, 8, 10), pyarrow_lib.int64())
    year = pc.year(parsed)
    valid = pc.and_(
        pc.equal(pc.day(parsed), written_day),
        pc.and_(pc.greater_equal(year, _FIRST_YEAR), pc.less_equal(year, _LAST_YEAR)),
    )
    dates = pc.if_else(pc.fill_null(valid, False), parsed, pyarrow_lib.scalar(None, parsed.type))
    return dates.cast(pyarrow_lib.timestamp("ns")).to_numpy(zero_copy_only=False)


def _numbers_of_texts(texts: pyarrow_lib.Array) -> np.ndarray:
    """Plain decimal numbers to float64; anything else (1,5 or inf or 12 mg) NaN."""
    ok = pc.fill_null(pc.match_substring_regex(texts, _NUMBER_PATTERN), False)
    cleaned = pc.if_else(ok, texts, pyarrow_lib.scalar(None, type=texts.type))
    numbers = pc.cast(cleaned, pyarrow_lib.float64()).to_numpy(zero_copy_only=False)
    return np.where(np.isfinite(numbers), numbers, np.nan)


def _parse_number_array(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    numbers = per_distinct(values, _numbers_of_texts, np.nan)
    bad = values.notna().to_numpy() & np.isnan(numbers)
    return numbers, bad


def _parse_numbers(table: _Table, column: str, values: pd.Series, *, expected: str) -> pd.Series:
    numbers, bad = _parse_number_array(values)
    for position in table.to_list("not_a_number", column, bad):
        text = values.iloc[position]
        hint = _number_hint(text)
        table.add("not_a_number", int(position), column, text, expected=expected, hint=hint)
    return pd.Series(numbers, index=values.index, dtype="float64")


def _number_hint(text: str) -> str:
    if "," in text and text.replace(",", "", 1).replace(".", "", 1).strip("+-").isdigit():
        return f"Use a point as the decimal separator: {text.replace(',', '.')}."
    return "Write only the number; the unit belongs in the column name or the unit column."


def _parse_labs(table: _Table, text: pd.DataFrame) -> dict[str, pd.Series]:
    count = len(text)
    tests = (
        text["test"] if "test" in text.columns else pd.Series(pd.NA, index=text.index, dtype=TEXT)
    )
    units = (
        text["unit"] if "unit" in text.columns else pd.Series(pd.NA, index=text.index, dtype=TEXT)
    )
    raw_values = text["value"]
    known_test = tests.isin(list(LAB_TESTS)).to_numpy(dtype=bool, na_value=False)
    dipstick = (tests == "dipstick_protein").to_numpy(dtype=bool, na_value=False)
    has_value = raw_values.notna().to_numpy()

    # Numbers for every test except the dipstick, whose results are grades.
    numbers, bad_number = _parse_number_array(raw_values)
    measured = np.where(dipstick, np.nan, numbers)
    for position in table.to_list("not_a_number", "value", bad_number & known_test & ~dipstick):
        value = raw_values.iloc[position]
        test = tests.iloc[position]
        expected = f"a number in {' or '.join(LAB_TESTS[test].units)}"
        table.add(
            "not_a_number",
            int(position),
            "value",
            value,
            expected=expected,
            hint=_number_hint(value),
        )

    if dipstick.any():
        grades = raw_values[dipstick]
        _, distinct = factorize(grades)
        converted = lookup_float(grades, {grade: _dipstick_mg_dl(grade) for grade in distinct})
        measured[dipstick] = converted
        bad_grade = np.zeros(count, dtype=bool)
        bad_grade[dipstick] = grades.notna().to_numpy() & np.isnan(converted)
        for position in table.to_list("bad_dipstick", "value", bad_grade):
            value = raw_values.iloc[position]
            table.add(
                "bad_dipstick",
                int(position),
                "value",
                value,
                allowed=", ".join(DIPSTICK_GRADES),
                hint=_bad_dipstick_hint(value),
            )

    # Units: each distinct (test, unit) pair is looked up once.
    test_codes, test_names = factorize(tests)
    unit_codes, unit_names = factorize(units)
    pair = np.where(
        known_test & (unit_codes >= 0), test_codes * (len(unit_names) + 1) + unit_codes, -1
    )
    # The pairs are small integers: a presence table finds the distinct ones and each row's
    # slot without sorting or searching ten million rows (a sheet of free-text tests and
    # units, whose pairs would not fit such a table, is sorted as before).
    pair_count = len(test_names) * (len(unit_names) + 1)
    by_table = pair_count <= 4 * count + 1024
    if by_table:
        present = np.zeros(pair_count, dtype=bool)
        present[pair[pair >= 0]] = True
        distinct_pairs = np.flatnonzero(present)
    else:
        distinct_pairs = np.unique(pair[pair >= 0])
    pair_factor = np.full(distinct_pairs.size + 1, np.nan)
    pair_unit: list = [None] * (distinct_pairs.size + 1)
    for slot, code in enumerate(distinct_pairs.tolist()):
        test = test_names[code // (len(unit_names) + 1)]
        unit = unit_names[code % (len(unit_names) + 1)]
        try:
            pair_factor[slot] = _factor(test, unit)
            pair_unit[slot] = _unit_as_written(test, unit)
        except UnitError:
            allowed = ", ".join(LAB_TESTS[test].units)
            table.add_mask("unknown_unit", pair == code, "unit", units, test=test, allowed=allowed)
    if by_table:
        slot_lookup = np.full(pair_count + 1, distinct_pairs.size, dtype=np.int64)
        slot_lookup[distinct_pairs] = np.arange(distinct_pairs.size)
        slot_of_row = slot_lookup[pair]  # a row without a pair (-1) gets the last, empty slot
    else:
        slot_of_row = np.where(
            pair >= 0, np.searchsorted(distinct_pairs, pair), distinct_pairs.size
        )
    factor = pair_factor[slot_of_row]
    measured_unit = _text_from_slots(slot_of_row, pair_unit)
    has_unit = unit_codes >= 0
    unit_from_notation = pd.Series(pd.NA, index=text.index, dtype=TEXT)
    if dipstick.any():
        # An empty unit is read from the notation: each grade names one unit
        # (vocabulary.DIPSTICK_UNIT_OF_GRADE); the value is mg/dL either way.
        inferred = dipstick & ~has_unit & ~np.isnan(measured)
        if inferred.any():
            factor[inferred] = 1.0
            mg_dl = LAB_TESTS["dipstick_protein"].canonical_unit
            measured_unit = measured_unit.where(~inferred, mg_dl)
            named = _per_distinct_text(raw_values[inferred], _dipstick_unit_of_notation)
            unit_from_notation[inferred] = named
    canonical_unit = lookup_text_of_codes(
        test_codes,
        test_names,
        {name: test.canonical_unit for name, test in LAB_TESTS.items()},
        tests.index,
    )
    if dipstick.any():
        _check_dipstick_units(table, raw_values, units, dipstick & ~np.isnan(measured))
    canonical_value = measured * factor
    # Cells that cannot be converted already have a problem (or their test or unit has one);
    # an empty unit is left to the required-value check, which names it.
    not_converted = np.isnan(canonical_value) & has_value
    table.mark("value", not_converted | ~known_test)
    # A dipstick result that is no grade is the problem of its row, not the empty unit
    # that its notation would otherwise have named.
    unnamed = dipstick & ~has_unit & has_value
    table.mark(
        "unit",
        (not_converted & has_unit) | ~known_test | (np.isnan(factor) & has_unit) | unnamed,
    )
    return {
        "value": pd.Series(canonical_value, index=text.index, dtype="float64"),
        "unit": canonical_unit.where(~np.isnan(canonical_value)),
        "measured_value": pd.Series(measured, index=text.index, dtype="float64"),
        "measured_unit": measured_unit,
        "unit_from_notation": unit_from_notation,
    }


def _text_from_slots(slots: np.ndarray, texts: list) -> pd.Series:
    mapped = pyarrow_lib.DictionaryArray.from_arrays(
        pyarrow_lib.array(slots, type=pyarrow_lib.int64()),
        pyarrow_lib.array(texts, pyarrow_lib.string()),
    ).cast(pyarrow_lib.string())
    return pd.Series(pd.arrays.ArrowStringArray(mapped))


def _factor(test: str, unit: str) -> float:
    """Factor to the canonical unit; a dipstick's unit names its notation (values are mg/dL)."""
    if test == "dipstick_protein":
        _unit_as_written(test, unit)
        return 1.0
    return factor_to_canonical(test, unit)


_MG_DL_NOTATION = re.compile(r"\d+\s*(mg/dl)?", re.IGNORECASE)


def _dipstick_notation(grade: str) -> str:
    """``mg/dL`` for a concentration (30 ... 1000), ``grade`` for 1+ ... 4+ and +/-, else ``either``."""
    text = grade.strip()
    if _MG_DL_NOTATION.fullmatch(text) and _dipstick_mg_dl(text) > 0:
        return "mg/dL"
    if text.endswith("+") or text in ("+/-", "±"):
        return "grade"
    return "either"


def _check_dipstick_units(table: _Table, values: pd.Series, units: pd.Series, graded) -> None:
    """A dipstick's unit, when given, must fit its notation (vocabulary.DIPSTICK_NOTATIONS).

    ``graded`` marks the dipstick rows whose value is a known grade. The work is
    per distinct grade and unit, on the dipstick rows only.
    """
    positions = np.flatnonzero(graded)
    notation = _per_distinct_text(values.iloc[positions], _dipstick_notation)
    unit = _per_distinct_text(units.iloc[positions], normalise_unit)
    notations = {
        "mg_dl_notation": ", ".join(DIPSTICK_NOTATIONS["mg/dL"]),
        "grade_notation": ", ".join(DIPSTICK_NOTATIONS["grade"]),
    }
    mismatch = _spread(positions, (notation == "mg/dL") & (unit == "grade"), len(values))
    as_grade = {mg_dl: grade for grade, mg_dl in DIPSTICK_GRADES_MG_DL.items() if "+" in grade}
    for position in table.to_list("dipstick_unit_mismatch", "unit", mismatch):
        grade = values.iloc[position]
        mg_dl = _dipstick_mg_dl(grade)
        table.add(
            "dipstick_unit_mismatch",
            int(position),
            "unit",
            units.iloc[position],
            grade=grade,
            mg_dl=mg_dl,
            as_grade=as_grade[mg_dl],
            **notations,
        )
    # The value of such a row is not reported again (its unit is the problem).
    table.mark("value", mismatch)


def _dipstick_unit_of_notation(grade: str) -> str:
    """The unit the notation of a known dipstick result names ("2+" -> grade, "100" -> mg/dL)."""
    from nephrocohort.clinical.units import dipstick_grade

    return DIPSTICK_UNIT_OF_GRADE[dipstick_grade(grade)]


def _bad_dipstick_hint(value: str) -> Message:
    """A bare number that is no concentration of the strip could be a grade: say so."""
    number = value.strip()
    if re.fullmatch(r"[+-]?\d+([.,]\d+)?", number):
        return Message("hint.dipstick_number", {"value": number})
    return Message("hint.dipstick_grade")


def _per_distinct_text(values: pd.Series, function) -> np.ndarray:
    """``function`` of each value (None where missing), computed once per distinct value."""
    codes, distinct = factorize(values)
    results = np.array([function(value) for value in distinct] + [None], dtype=object)
    return results[codes]


def _spread(positions: np.ndarray, subset_mask, length: int) -> np.ndarray:
    mask = np.zeros(length, dtype=bool)
    mask[positions[np.asarray(subset_mask, dtype=bool)]] = True
    return mask


def _dipstick_mg_dl(grade: str) -> float:
    from nephrocohort.clinical.units import dipstick_to_mg_dl

    try:
        return dipstick_to_mg_dl(grade)
    except UnitError:
        return np.nan


def _unit_as_written(test: str, unit: str) -> str:
    """The accepted spelling of ``unit``; a dipstick's measured unit is mg/dL in either notation."""
    wanted = normalise_unit(unit)
    if test == "dipstick_protein":
        if wanted not in {normalise_unit(accepted) for accepted in DIPSTICK_UNITS}:
            raise UnitError(f"Unit '{unit}' is not a dipstick notation.")
        return LAB_TESTS[test].canonical_unit
    for accepted in ACCEPTED_UNITS[test]:
        if normalise_unit(accepted) == wanted:
            return accepted
    return unit


# --- step 3: schemas and checks across tables -------------------------------------------------------


def _checks(tables: dict[str, _Table], as_of: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    for table in tables.values():
        problems.extend(_schema_problems(table, as_of))
    patients = tables.get("patients")
    if patients is not None:
        for table in tables.values():
            problems.extend(_cross_table_problems(table, patients))
    for table in tables.values():
        problems.extend(_end_before_start(table))
    if "medications" in tables:
        problems.extend(_overlapping_courses(tables["medications"]))
    if patients is not None:
        problems.extend(_death_and_followup(tables, patients))
    return problems


def _died(events) -> set:
    """The patients with a death event."""
    frame = events.frame
    if "patient_id" not in frame.columns or "event" not in frame.columns:
        return set()
    death = frame["event"].astype("string").eq("death").fillna(False).to_numpy(dtype=bool)
    return set(frame.loc[death, "patient_id"].dropna())


def _death_and_followup(tables: dict[str, _Table], patients: _Table) -> list[Problem]:
    """Warnings where death, death events, last follow-up and record dates disagree.

    A date of death without a death event (or the reverse, when the events
    table is given), and a record dated after the date of death or, if not,
    after the last follow-up: the same checks the registry's data-quality
    page shows, so `nephrocohort validate` and the registry agree.
    """
    frame = patients.frame
    if "patient_id" not in frame.columns or "patient_id" in patients.absent:
        return []
    problems: list[Problem] = []
    before = len(patients.problems)
    if "events" in tables and "death_date" in frame.columns:
        died = frame["patient_id"].isin(_died(tables["events"])).to_numpy(dtype=bool)
        dated = ~np.isnat(frame["death_date"].to_numpy())
        for code, mask in (
            ("death_without_event", dated & ~died),
            ("death_event_without_date", ~dated & died),
        ):
            for position in patients.to_list(code, "death_date", mask):
                patients.add(
                    code,
                    int(position),
                    "death_date",
                    frame["death_date"].iloc[position],
                    severity=WARNING,
                    patient_id=frame["patient_id"].iloc[position],
                )
    problems.extend(patients.problems[before:])
    limits = {}
    for column in ("death_date", "last_followup_date"):
        if column in frame.columns:
            limits[column] = np.append(frame[column].to_numpy(), np.datetime64("NaT"))
    for name, column in RECORD_DATES:
        table = tables.get(name)
        if not limits or table is None or column not in table.frame.columns:
            continue
        if "patient_id" not in table.frame.columns:
            continue
        before = len(table.problems)
        ids = table.frame["patient_id"]
        found = positions_in(ids, frame["patient_id"])
        dates = table.frame[column].to_numpy()
        after_death = np.zeros(len(dates), dtype=bool)
        for code, limit in (("after_death", "death_date"), ("after_last_followup", None)):
            limit = limit or "last_followup_date"
            if limit not in limits:
                continue
            bound = limits[limit][found]
            with np.errstate(invalid="ignore"):
                after = ~np.isnat(dates) & ~np.isnat(bound) & (dates > bound)
            if code == "after_death":
                after_death = after
            else:
                after &= ~after_death  # after death says more; one warning a record
            for position in table.to_list(code, column, after):
                table.add(
                    code,
                    int(position),
                    column,
                    table.frame[column].iloc[position],
                    severity=WARNING,
                    patient_id=ids.iloc[position],
                    limit=_show(pd.Timestamp(bound[position])),
                )
        problems.extend(table.problems[before:])
    return problems


def _schema_problems(table: _Table, as_of: dt.date) -> list[Problem]:
    schema = table_schema(table.name, as_of=as_of)
    before = len(table.problems)
    try:
        with warnings.catch_warnings():
            # pandera's own concatenation of failure cases warns about a pandas change.
            warnings.simplefilter("ignore", FutureWarning)
            # inplace: nothing is coerced, so validating needs no copy of the table.
            schema.validate(table.frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        _report_failures(table, schema, errors.failure_cases, as_of)
    return table.problems[before:]


def _report_failures(table: _Table, schema, failures: pd.DataFrame, as_of: dt.date) -> None:
    spec = TABLES[table.name]
    frame = table.frame
    duplicate_rows = None
    seen_rows: set = set()
    for failure in failures.itertuples(index=False):
        if failure.index is None or pd.isna(failure.index):
            continue
        position = int(failure.index)
        column = failure.column
        if failure.schema_context == "DataFrameSchema":
            if (position, failure.check) in seen_rows:
                continue
            seen_rows.add((position, failure.check))
            _report_lab_failure(table, failure.check, position)
            continue
        check = failure.check
        if check == "not_nullable":
            table.add(
                "missing_value", position, column, None, description=spec.column(column).description
            )
        elif check == "field_uniqueness":
            if duplicate_rows is None:
                duplicate_rows = _duplicate_rows(table)
            value = frame[column].iloc[position]
            table.add("duplicate_patient", position, column, value, rows=duplicate_rows[value])
        else:
            name = schema.columns[column].checks[int(failure.check_number)].name
            _report_column_failure(table, name, position, column, as_of)


def _report_column_failure(table: _Table, name: str, position: int, column: str, as_of) -> None:
    value = table.frame[column].iloc[position]
    spec_column = TABLES[table.name].column(column)
    if name == "unknown_code":
        allowed = spec_column.codes
        matches = [code for code in allowed if code.lower() == str(value).strip().lower()]
        hint = f"Did you mean '{matches[0]}'? Codes are case-sensitive." if matches else ""
        table.add("unknown_code", position, column, value, allowed=", ".join(allowed), hint=hint)
    elif name == "future_date":
        table.add("future_date", position, column, value, as_of=as_of.isoformat())
    elif name == "implausible":
        plausible = COLUMN_RANGES[(table.name, column)]
        table.add(
            "implausible",
            position,
            column,
            value,
            subject=f"'{column}'",
            unit=plausible.unit,
            low=plausible.low,
            high=plausible.high,
            range_unit=plausible.unit,
            hint=_slip_hint(plausible, float(value)),
        )
    elif name == "negative_value":
        table.add("negative_value", position, column, value)


def _slip_hint(plausible, value: float) -> Message:
    for slip in plausible.slips:
        if plausible.low <= value * slip.factor <= plausible.high:
            return Message(slip.question)
    return Message("slip.check")


def _range_unit(test: str, plausible, measured_unit) -> str:
    """The canonical unit, plus the range in the unit the user wrote when that differs."""
    if not isinstance(measured_unit, str) or measured_unit == plausible.unit:
        return plausible.unit
    factor = factor_to_canonical(test, measured_unit)
    low, high = (_round_for_reading(limit / factor) for limit in (plausible.low, plausible.high))
    return f"{plausible.unit} ({low}-{high} {measured_unit})"


def _round_for_reading(number: float) -> str:
    return f"{number:.0f}" if abs(number) >= 100 else f"{number:.3g}"


def _report_lab_failure(table: _Table, check: str, position: int) -> None:
    frame = table.frame
    test = frame["test"].iloc[position]
    if check == "implausible_lab":
        plausible = LAB_TESTS[test].plausible
        measured_unit = frame["measured_unit"].iloc[position]
        canonical = frame["value"].iloc[position]
        hint = (
            _slip_hint(plausible, float(canonical))
            if measured_unit == plausible.unit
            else Message("slip.check")
        )
        table.add(
            "implausible",
            position,
            "value",
            frame["measured_value"].iloc[position],
            subject=test,
            unit=measured_unit,
            low=plausible.low,
            high=plausible.high,
            range_unit=_range_unit(test, plausible, measured_unit),
            hint=hint,
        )
    elif check == "unit_not_canonical":
        table.add(
            "unknown_unit",
            position,
            "unit",
            frame["unit"].iloc[position],
            test=test,
            allowed=LAB_TESTS[test].canonical_unit + " (in a loaded cohort)",
        )


def _duplicate_rows(table: _Table) -> dict:
    """For each repeated patient ID, its rows as the user sees them ("3, 10"), never positions."""
    ids = table.frame["patient_id"]
    duplicated = ids.duplicated(keep=False).to_numpy(dtype=bool, na_value=False)
    rows: dict = {}
    for position in np.flatnonzero(duplicated):
        rows.setdefault(ids.iloc[position], []).append(table.row(int(position)))
    return {value: RowList(found) for value, found in rows.items()}


def _cross_table_problems(table: _Table, patients: _Table) -> list[Problem]:
    before = len(table.problems)
    frame = table.frame
    if "patient_id" not in frame.columns or "patient_id" in patients.absent:
        return []
    ids = frame["patient_id"]
    found = positions_in(ids, patients.frame["patient_id"])
    if table is not patients:
        unknown = ids.notna().to_numpy() & (found < 0)
        table.add_mask("unknown_patient", unknown, "patient_id")
    births = np.append(patients.frame["birth_date"].to_numpy(), np.datetime64("NaT"))
    birth = births[found]
    for column in TABLES[table.name].columns:
        if column.kind != "date" or column.name == "birth_date" or column.name not in frame.columns:
            continue
        dates = frame[column.name].to_numpy()
        with np.errstate(invalid="ignore"):
            early = ~np.isnat(dates) & ~np.isnat(birth) & (dates < birth)
        for position in table.to_list("before_birth", column.name, early):
            table.add(
                "before_birth",
                int(position),
                column.name,
                frame[column.name].iloc[position],
                patient_id=ids.iloc[position],
                birth_date=_show(pd.Timestamp(birth[position])),
            )
    return table.problems[before:]


def _end_before_start(table: _Table) -> list[Problem]:
    before = len(table.problems)
    frame = table.frame
    for name, start, end in END_AFTER_START:
        if name != table.name or start not in frame.columns or end not in frame.columns:
            continue
        starts = frame[start].to_numpy()
        ends = frame[end].to_numpy()
        wrong = ~np.isnat(starts) & ~np.isnat(ends) & (ends < starts)
        for position in table.to_list("end_before_start", end, wrong):
            table.add(
                "end_before_start",
                int(position),
                end,
                frame[end].iloc[position],
                start_column=start,
                start=_show(frame[start].iloc[position]),
                hint=Message("hint.course_dates"),
            )
    return table.problems[before:]


def _overlapping_courses(table: _Table) -> list[Problem]:
    """Two courses of one drug for one patient at once: an error, the dose is ambiguous.

    A course runs from ``start_date`` to ``end_date`` inclusive, an empty end
    meaning ongoing (docs/data-dictionary.md), and courses active together
    are added up by the steroid dose (``_derive_steroids``). An overlap is
    either a renewal entered without ending the course it replaced (adding
    them is wrong: three renewals of 60, 40 and 20 mg/m2/day are not 120) or
    two preparations taken together (adding them is right); the rows cannot
    tell which, so the bundle is refused until they say it. A course
    starting on the day the one before it ends is a hand-over (a dose change
    written as "old course to day D, new course from day D"), not an
    overlap. The later row is reported, citing the row whose course it
    starts inside (the one ending last, when several).
    """
    before = len(table.problems)
    frame = table.frame
    needed = ("patient_id", "drug", "start_date", "end_date")
    if any(column not in frame.columns for column in needed) or len(frame) < 2:
        return []
    starts = frame["start_date"].to_numpy().astype("datetime64[D]")
    ends = frame["end_date"].to_numpy().astype("datetime64[D]")
    # Day numbers; an ongoing course ends after any date.
    ongoing = np.iinfo(np.int64).max
    # One integer per (patient, drug): sorting and grouping 800,000 joined texts took
    # seconds at 100,000 patients. Only the order within a group matters below.
    patient_codes, _ = pd.factorize(frame["patient_id"])
    drug_codes, drugs = pd.factorize(frame["drug"])
    known = (patient_codes >= 0) & (drug_codes >= 0)
    order = pd.DataFrame(
        {
            "key": patient_codes.astype(np.int64) * (len(drugs) + 1) + drug_codes,
            "start": starts.astype(np.int64),
            "end": np.where(np.isnat(ends), ongoing, ends.astype(np.int64)),
            "position": np.arange(len(frame)),
        }
    )
    order = order[known & ~np.isnat(starts)]
    order = order.sort_values(["key", "start"], kind="stable")
    if order.empty:
        return []
    group = order.groupby("key", sort=False)
    # The latest end among the courses so far of the same patient and drug, and its row.
    running = group["end"].cummax()
    holder = pd.Series(
        np.where(order["end"].to_numpy() == running.to_numpy(), order["position"], np.nan),
        index=order.index,
    )
    holder = holder.groupby(order["key"], sort=False).ffill()
    earlier_end = running.groupby(order["key"], sort=False).shift(1)
    earlier_position = holder.groupby(order["key"], sort=False).shift(1)
    overlap = (earlier_end.notna() & (order["start"] < earlier_end)).to_numpy()
    positions = order["position"].to_numpy()[overlap]
    cited = dict(zip(positions, earlier_position.to_numpy()[overlap].astype(int), strict=True))
    mask = np.zeros(len(frame), dtype=bool)
    mask[positions] = True
    for position in table.to_list("overlapping_course", "start_date", mask):
        other = cited[int(position)]
        other_row = table.row(other)
        other_start = _show(frame["start_date"].iloc[other])
        other_end = _show(frame["end_date"].iloc[other])
        table.add(
            "overlapping_course",
            int(position),
            "start_date",
            frame["start_date"].iloc[position],
            drug=frame["drug"].iloc[position],
            patient_id=frame["patient_id"].iloc[position],
            other_row=other_row,
            other=_row_place(other_row),
            other_start=other_start,
            other_end=other_end,
            other_course=_period(other_start, other_end),
        )
    return table.problems[before:]


def _row_place(row: int | None) -> Message:
    """ "row 3" (another row of the same table, as a finding cites it)."""
    return (
        Message("location.row", {"row": row})
        if row is not None
        else Message("location.row_unknown")
    )


def _period(start: str | None, end: str | None) -> Message:
    if end is None:
        return Message("course.ongoing", {"start": start})
    return Message("course.period", {"start": start, "end": end})
