"""Validation findings: one frozen ``Problem`` per finding, sentences kept in one dict.

Each problem has a stable ``code`` for programs and a sentence for people that
names the file or sheet, the row as the user sees it (the header is row 1),
the column, the value and what was expected. The sentences live in
``MESSAGES`` keyed by code, so they can be reviewed (and translated) in one
place; the variable parts are passed as ``params``.
"""

from dataclasses import dataclass, field

__all__ = ["Problem", "MESSAGES", "make_problem"]

# code -> (message template, hint template or ""). Templates use str.format with the params.
MESSAGES: dict[str, tuple[str, str]] = {
    "path_not_found": (
        "{path} does not exist.",
        "Give the path of a folder of CSV files or of one .xlsx workbook.",
    ),
    "not_a_bundle": (
        "{path} is not a cohort bundle: expected a folder of CSV files or one .xlsx workbook "
        "(or a folder of Parquet files), got a {suffix} file.",
        "Save the tables as CSV files (UTF-8) in one folder, or as sheets of one .xlsx workbook.",
    ),
    "no_tables": (
        "{path} contains no table files (expected patients.csv and the other tables as .csv, "
        "or as .parquet).",
        "{hint}",
    ),
    "missing_table": (
        "The bundle has no {table} table ({expected}).",
        "The {table} table is required; every other table is optional.",
    ),
    "table_twice": (
        "{where}: the {tables} {noun} in the folder twice, as .csv and as .parquet; which one "
        "to check is not guessed.",
        "Keep one file per table in the folder and move the others elsewhere "
        "(`nephrocohort demo --patients N` writes both for large cohorts: keep the .parquet "
        "files, which load faster, or the .csv files).",
    ),
    "unknown_table": (
        "{where} is not a table of the data contract.",
        "Rename it to one of: {tables}; or move it out of the bundle.",
    ),
    "not_utf8": (
        "{where} is not UTF-8 encoded (byte 0x{byte} on row {row}).",
        "In Excel choose Save As > 'CSV UTF-8 (Comma delimited)'; "
        "in other programs choose the encoding UTF-8.",
    ),
    "empty_file": (
        "{where} is empty.",
        "The first row must be the header with the column names, e.g. {example}.",
    ),
    "unreadable_file": (
        "{where} could not be read: {detail}.",
        "Check that it is a valid {kind} file and not open in another program or damaged.",
    ),
    "wrong_delimiter": (
        "{where} is separated by '{delimiter}', not by commas.",
        "Save it as comma-separated values (in Excel: 'CSV UTF-8 (Comma delimited)').",
    ),
    "duplicate_column": (
        "{where}: column '{column}' appears more than once in the header.",
        "Keep one column of that name.",
    ),
    "blank_column_name": (
        "{where}: column {position} of the header has no name.",
        "Give the column a name or delete it.",
    ),
    "ragged_row": (
        "{where} row {row} has {actual} values but the header has {expected} columns.",
        "A value probably contains a comma: put it in double quotes, or remove the extra value.",
    ),
    "missing_column": (
        "{where} has no column '{column}', which is required.",
        "{hint}",
    ),
    "missing_value": (
        "{where} row {row}: '{column}' is empty, but it is required. {column}: {description}.",
        "",
    ),
    "bad_date": (
        "{where} row {row}: '{column}' is '{value}', which is not a date. "
        "Expected the form YYYY-MM-DD, e.g. {example}.",
        "{hint}",
    ),
    "date_out_of_range": (
        "{where} row {row}: '{column}' is {value}; the year must be between {first} and {last}.",
        "Check the year.",
    ),
    "future_date": (
        "{where} row {row}: '{column}' is {value}, which is after {as_of}. "
        "Expected a date on or before {as_of}.",
        "Check the year.",
    ),
    "before_birth": (
        "{where} row {row}: '{column}' is {value}, which is before the birth date of "
        "patient {patient_id} ({birth_date}).",
        "Check the date and the patient's birth date.",
    ),
    "not_a_number": (
        "{where} row {row}: '{column}' is '{value}', which is not a number. Expected {expected}.",
        "{hint}",
    ),
    "unknown_code": (
        "{where} row {row}: '{column}' is '{value}'. Allowed values: {allowed}.",
        "{hint}",
    ),
    "unknown_unit": (
        "{where} row {row}: unit '{value}' is not accepted for {test}. Accepted units: {allowed}.",
        "Convert the value to one of the accepted units, or correct the spelling of the unit.",
    ),
    "bad_dipstick": (
        "{where} row {row}: '{value}' is not a dipstick protein grade. Accepted grades: {allowed}.",
        "Write the grade as printed on the strip, e.g. trace, 30, 100 or 1+, 2+.",
    ),
    "dipstick_unit_mismatch": (
        "{where} row {row}: dipstick result '{grade}' is a concentration in mg/dL, but its unit "
        "is '{value}'. Expected unit mg/dL for {mg_dl_notation}; grade for {grade_notation}.",
        "Write mg/dL in the unit column, or write the result as the grade {as_grade} "
        "({mg_dl:g} mg/dL is {as_grade}).",
    ),
    "dipstick_unit_missing": (
        "{where} row {row}: dipstick result '{grade}' has no unit. Expected unit {expected}.",
        "Write the notation in the unit column: mg/dL for {mg_dl_notation}; "
        "grade for {grade_notation}.",
    ),
    "implausible": (
        "{where} row {row}: {subject} is {value} {unit}. Expected {low:g}-{high:g} {range_unit}.",
        "{hint}",
    ),
    "negative_value": (
        "{where} row {row}: '{column}' is {value}. Expected 0 or more.",
        "",
    ),
    "duplicate_patient": (
        "{where} row {row}: patient_id '{value}' appears more than once (rows {rows}).",
        "Each patient has one row in patients; give the other patient a different ID.",
    ),
    "unknown_patient": (
        "{where} row {row}: patient_id '{value}' is not in the patients table.",
        "Add the patient to patients, or correct the ID.",
    ),
    "more_problems": (
        "{where}: {count} more rows have the same problem ({kind}) in '{column}'; "
        "only the first {limit} are listed.",
        "The same mistake on many rows is usually systematic (a unit, a date format or a code "
        "used throughout): correct the whole column at once.",
    ),
    "end_before_start": (
        "{where} row {row}: '{column}' {value} is before '{start_column}' {start}.",
        "Check both dates; leave the end empty if the course is ongoing.",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One validation finding.

    ``row`` is the row the user sees in the file or sheet (header = 1) or
    None for a problem of the whole table or file; ``column`` and ``value``
    are None when not applicable. ``params`` holds the variable parts of the
    message for programs and tests.
    """

    code: str
    table: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str
    hint: str = ""
    params: dict = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def to_dict(self) -> dict:
        """The problem as plain JSON-ready data."""
        return {
            "code": self.code,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
            "params": {key: _json_safe(value) for key, value in self.params.items()},
        }


def _json_safe(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def make_problem(
    code: str,
    *,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value=None,
    **params,
) -> Problem:
    """Build a ``Problem`` whose message and hint come from ``MESSAGES[code]``."""
    message_template, hint_template = MESSAGES[code]
    if row is None:
        # A row of a cohort built in code without ``source_row``: say so rather than "row None"
        # (a position in the DataFrame is not a row anyone can find in a file).
        message_template = message_template.replace(
            "{where} row {row}:", "{where}, a row without source_row:"
        )
    shown = None if value is None else str(value)
    values = {"row": row, "column": column, "value": shown, "table": table, "hint": "", **params}
    return Problem(
        code=code,
        table=table,
        row=None if row is None else int(row),
        column=column,
        value=shown,
        message=message_template.format(**values),
        hint=hint_template.format(**values),
        params=params,
    )
