"""The message catalogue: every sentence NephroCohort shows, keyed by a stable code.

Findings (:class:`~nephrocohort.cohort.problems.Problem`) and errors
(:class:`~nephrocohort.exceptions.NephroCohortError`) carry a ``code`` and
``params``, never a sentence; the sentence is written from the code's
template only when it is shown (:func:`render`). Templates are
``str.format`` strings whose ``{names}`` are the params. Every template
passes through :func:`_` when rendered: that is the one place where a
gettext translation is plugged in (:func:`nephrocohort.i18n.gettext`).

A param may itself be a :class:`Message` (a reason that completes a
sentence, a hint chosen by the code that found the fault): it is rendered
in place. Codes are unique; codes of one importer or layer start with its
name and a dot (``redcap.bad_date``); the codes without a dot are those of
bundle validation that ``nephrocohort validate --json`` reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "CATALOGUE",
    "Message",
    "MessageList",
    "Template",
    "render",
    "render_text",
    "library_detail",
    "_",
]


def _(template: str) -> str:
    """The translation hook: the template in the active language (``nephrocohort.i18n``).

    A template the catalogues do not have yet is shown as written (English).
    """
    from nephrocohort.i18n import gettext

    return gettext(template)


class Template(NamedTuple):
    """A sentence and the hint (what to do) shown under it; either may use ``{params}``."""

    text: str
    hint: str = ""
    #: The sentence is about one row: it is shown after its place ("patients.csv row 3: ...").
    at_row: bool = False
    #: The sentence for a ``{count}`` other than one; ``text`` is then the singular, and the
    #: language's plural rule (gettext ``ngettext``) chooses between them when it is shown.
    plural: str = ""


T = Template


CATALOGUE: dict[str, Template] = {
    # --- where a finding is -----------------------------------------------------------------
    "location.no_row": T("{where}, a row without source_row"),
    # Another row a finding cites (the earlier of two overlapping courses).
    "location.row": T("row {row}"),
    "location.source_row": T("{source} row {row}"),
    "location.at_row": T("{place} row {row}"),
    "location.at_rows": T("{place} rows {rows}"),
    # --- the unit-slip hints of an implausible value (cohort.vocabulary) --------------------
    "slip.g_per_l": T("Was it measured in g/L? Then write g/L in the unit column."),
    "slip.mmol_per_l": T("Was it measured in mmol/L? Then write mmol/L in the unit column."),
    "slip.umol_per_l": T("Was it measured in umol/L? Then write umol/L in the unit column."),
    "slip.per_ul": T("Was it counted per microlitre? Then write /uL in the unit column."),
    "slip.metres": T("Was it entered in metres?"),
    "slip.inches": T("Was it entered in inches?"),
    "slip.grams": T("Was it entered in grams?"),
    "slip.pounds": T("Was it entered in pounds?"),
    "slip.check": T("Check the value and its unit."),
    "location.row_unknown": T("a row without source_row"),
    # The same, in the registry (its rows are records, not rows of a file).
    "location.other_record": T("another record"),
    # A course's period as a finding shows it.
    "course.period": T("{start} to {end}"),
    "course.ongoing": T("{start}, ongoing"),
    # An error raised with a sentence of its own (code not yet in this catalogue).
    "unspecified": T("{text}"),
    "validation_failed": T(
        "{count} problem found in {source}; nothing was loaded.",
        plural="{count} problems found in {source}; nothing was loaded.",
    ),
    "validation_failed_here": T(
        "{count} problem found; nothing was loaded.",
        plural="{count} problems found; nothing was loaded.",
    ),
    # --- bundle validation (cohort): codes of `validate --json` --------------------------
    # One code for a path that is not there, whoever reads it (the bundle reader, the table readers).
    "path_not_found": T("{path} does not exist.", "{hint}"),
    "hint.bundle_path": T("Give the path of a folder of CSV files or of one .xlsx workbook."),
    "hint.table_file_path": T("Give the path of a .csv, .xlsx or .sav file."),
    "not_a_bundle": T(
        (
            "{path} is not a cohort bundle: expected a folder of CSV files or one .xlsx "
            "workbook (or a folder of Parquet files), got a {suffix} file."
        ),
        ("Save the tables as CSV files (UTF-8) in one folder, or as sheets of one .xlsx workbook."),
    ),
    "no_tables": T(
        (
            "{path} contains no table files (expected patients.csv and the other tables as "
            ".csv, or as .parquet)."
        ),
        "{hint}",
    ),
    "missing_table": T(
        "The bundle has no {table} table ({expected}).",
        "The {table} table is required; every other table is optional.",
    ),
    "table_twice": T(
        (
            "{where}: the {tables} table is in the folder twice, as .csv and as .parquet; which "
            "one to check is not guessed."
        ),
        (
            "Keep one file per table in the folder and move the others elsewhere (`nephrocohort "
            "demo --patients N` writes both for large cohorts: keep the .parquet files, which "
            "load faster, or the .csv files)."
        ),
        plural=(
            "{where}: the {tables} tables are in the folder twice, as .csv and as .parquet; "
            "which one to check is not guessed."
        ),
    ),
    "unknown_table": T(
        "{where} is not a table of the data contract.",
        "Rename it to one of: {tables}; or move it out of the bundle.",
    ),
    "not_utf8": T(
        "{where} is not UTF-8 encoded (byte 0x{byte} on row {row}).",
        (
            "In Excel choose Save As > 'CSV UTF-8 (Comma delimited)'; in other programs choose "
            "the encoding UTF-8."
        ),
    ),
    # One code for an empty table file, whoever reads it (the bundle reader, the table readers).
    "empty_file": T("{where} is empty; expected a header row and data rows.", "{hint}"),
    "hint.header_example": T(
        "The first row must be the header with the column names, e.g. {example}."
    ),
    "unreadable_file": T(
        "{where} could not be read: {detail}.",
        "Check that it is a valid {kind} file and not open in another program or damaged.",
    ),
    "wrong_delimiter": T(
        "{where} is separated by '{delimiter}', not by commas.",
        "Save it as comma-separated values (in Excel: 'CSV UTF-8 (Comma delimited)').",
    ),
    "duplicate_column": T(
        "{where}: column '{column}' appears more than once in the header.",
        "Keep one column of that name.",
    ),
    "blank_column_name": T(
        "{where}: column {position} of the header has no name.",
        "Give the column a name or delete it.",
    ),
    "ragged_row": T(
        "{where} row {row} has {actual} values but the header has {expected} columns.",
        ("A value probably contains a comma: put it in double quotes, or remove the extra value."),
    ),
    "missing_column": T("{where} has no column '{column}', which is required.", "{hint}"),
    "missing_value": T(
        "'{column}' is empty, but it is required. {column}: {description}.",
        at_row=True,
    ),
    "bad_date": T(
        (
            "'{column}' is '{value}', which is not a date. Expected the form YYYY-MM-DD, e.g. "
            "{example}."
        ),
        "{hint}",
        at_row=True,
    ),
    "date_out_of_range": T(
        "'{column}' is {value}; the year must be between {first} and {last}.",
        "Check the year.",
        at_row=True,
    ),
    "future_date": T(
        ("'{column}' is {value}, which is after {as_of}. Expected a date on or before {as_of}."),
        "Check the year.",
        at_row=True,
    ),
    "before_birth": T(
        (
            "'{column}' is {value}, which is before the birth date of patient {patient_id} "
            "({birth_date})."
        ),
        "Check the date and the patient's birth date.",
        at_row=True,
    ),
    "not_a_number": T(
        "'{column}' is '{value}', which is not a number. Expected {expected}.",
        "{hint}",
        at_row=True,
    ),
    "unknown_code": T("'{column}' is '{value}'. Allowed values: {allowed}.", "{hint}", at_row=True),
    "unknown_unit": T(
        "unit '{value}' is not accepted for {test}. Accepted units: {allowed}.",
        ("Convert the value to one of the accepted units, or correct the spelling of the unit."),
        at_row=True,
    ),
    "bad_dipstick": T(
        (
            "'{column}' is '{value}', which is not a dipstick protein result. Expected one of "
            "{allowed} (also written neg, tr, +, ++, +++, ++++, negativo, trazas)."
        ),
        "{hint}",
        at_row=True,
    ),
    "dipstick_unit_mismatch": T(
        (
            "dipstick result '{grade}' is a concentration in mg/dL, but its unit is '{value}'. "
            "Expected unit mg/dL for {mg_dl_notation}; grade for {grade_notation}."
        ),
        (
            "Write mg/dL in the unit column, or write the result as the grade {as_grade} "
            "({mg_dl:g} mg/dL is {as_grade})."
        ),
        at_row=True,
    ),
    "implausible": T(
        "{subject} is {value} {unit}. Expected {low:g}-{high:g} {range_unit}.",
        "{hint}",
        at_row=True,
    ),
    "negative_value": T("'{column}' is {value}. Expected 0 or more.", at_row=True),
    "duplicate_patient": T(
        "patient_id '{value}' appears more than once (rows {rows}).",
        "Each patient has one row in patients; give the other patient a different ID.",
        at_row=True,
    ),
    "unknown_patient": T(
        "patient_id '{value}' is not in the patients table.",
        "Add the patient to patients, or correct the ID.",
        at_row=True,
    ),
    "more_problems": T(
        (
            "{where}: {count} more rows have the same problem ({kind}) in '{column}'; only the "
            "first {limit} are listed."
        ),
        (
            "The same mistake on many rows is usually systematic (a unit, a date format or a "
            "code used throughout): correct the whole column at once."
        ),
    ),
    "end_before_start": T(
        "'{column}' {value} is before '{start_column}' {start}.",
        "{hint}",
        at_row=True,
    ),
    # Contradictions between death, follow-up and record dates (warnings: the bundle loads).
    "death_without_event": T(
        "patient {patient_id} has a date of death ({value}) but no death event.",
        "Add the death event to events, or correct the date of death.",
        at_row=True,
    ),
    "death_event_without_date": T(
        "patient {patient_id} has a death event but no date of death.",
        "Enter the date of death, or correct the event.",
        at_row=True,
    ),
    "after_death": T(
        "'{column}' {value} is after the date of death of patient {patient_id} ({limit}).",
        "Check this date and the date of death.",
        at_row=True,
    ),
    "after_last_followup": T(
        "'{column}' {value} is after the last follow-up of patient {patient_id} ({limit}).",
        "Update the patient's last follow-up date, or correct this date.",
        at_row=True,
    ),
    "derive.warnings": T(
        "{count} warning to check (the dataset was written; no value was changed):",
        plural="{count} warnings to check (the dataset was written; no value was changed):",
    ),
    "summary.warnings": T(
        "{count} warning to check (the bundle is valid and loads):",
        plural="{count} warnings to check (the bundle is valid and loads):",
    ),
    "overlapping_course": T(
        (
            "the {drug} course of patient {patient_id} starting {value} begins inside the "
            "{drug} course of {other} ({other_course}); both would count at once, so their "
            "doses would be added up."
        ),
        (
            "End the earlier course on or before the day this one starts (a dose change is "
            "written as old course to day D, new course from day D); if both were taken "
            "together, write them as one course with the total dose; or delete the repeated row."
        ),
        at_row=True,
    ),
    # --- derivation findings (warnings): nothing is changed ---------------------------------
    # AAP 2017 categories as a finding names them (the same words as `calc bp`).
    "bp.category.normal": T("normal"),
    "bp.category.elevated": T("elevated"),
    "bp.category.stage_1_hypertension": T("stage 1 hypertension"),
    "bp.category.stage_2_hypertension": T("stage 2 hypertension"),
    "onset_hypertension_disagrees": T(
        (
            "patient {patient_id} has '{column}' {value}, but the blood pressure of the onset "
            "visits ({days_before} days before to {days_after} days after onset_date) is "
            "{category} by the AAP 2017 guideline."
        ),
        (
            "A data-quality warning: nothing was changed. Check the recorded flag and the "
            "visits' blood pressure (`nephrocohort explain {patient_id}` shows the readings)."
        ),
        at_row=True,
    ),
    "same_day_readings": T(
        (
            "patient {patient_id} has {count} '{test}' readings on {date} with different "
            "values (rows {rows}); the derivation uses the {kept} of the day, whatever the "
            "order of the rows."
        ),
        (
            "A data-quality warning: nothing was changed. Check which reading is right and "
            "correct or remove the other."
        ),
        at_row=True,
    ),
    "same_day_readings.higher_proteinuria": T("higher proteinuria"),
    "same_day_readings.lower_albumin": T("lower serum albumin"),
    # --- REDCap import -------------------------------------------------------------------
    "redcap.date_format_needed": T(
        (
            "field {field} has {count} date(s) not written YYYY-MM-DD (the first is {first!r}, "
            "on this row) and no --date-format was given."
        ),
        "{hint}",
        at_row=True,
    ),
    "redcap.date_format_detected": T(
        (
            "The values look {why}. If that is right, confirm it with --date-format {order} "
            '(or --date-format "{detected}").'
        ),
    ),
    "redcap.date_format_file": T(
        (
            "This field alone cannot tell the order, but the file's other dates are {why}; "
            "if that is right, confirm it with --date-format {order} "
            '(or --date-format "{detected}").'
        ),
    ),
    "redcap.decimal_needed": T(
        (
            "field {field} has {count} number(s) written with a decimal comma (the first is "
            "{first!r}, on this row) and no --decimal was given."
        ),
        (
            "If the file uses decimal commas (a spreadsheet in a Spanish, French or German "
            'locale saves them), state it with --decimal ",".'
        ),
        at_row=True,
    ),
    "redcap.formats_needed": T(
        "{source} looks re-saved by a spreadsheet program in another locale; read it with: "
        "{options}",
        "Each problem above names the field; nothing was imported.",
    ),
    "redcap.unknown_label": T(
        (
            "{source}: header {position} ({label!r}) is not a field label of this project "
            "(a 'CSV (labels)' export names each column by its label)."
        ),
    ),
    "redcap.note.labels": T(
        "{source} is a 'CSV (labels)' export: its column labels were matched to the "
        "project's fields in order."
    ),
    "redcap.note.not_imported": T(
        "Column(s) {columns} (REDCap's data access group and survey fields) were read but "
        "hold no cohort data; they were not imported."
    ),
    "redcap.date_format_unknown": T(
        'The order cannot be told ({why}); state it, e.g. --date-format "%d/%m/%Y".',
    ),
    "redcap.bad_date": T(
        (
            "field {field} is {value!r}, which matches neither --date-format {date_format!r} "
            "nor YYYY-MM-DD."
        ),
        "Check the day and month, or the stated --date-format.",
        at_row=True,
    ),
    "redcap.bad_number": T(
        "field {field} is {value!r}, which {reason}.",
        'State the file\'s decimal separator with --decimal "," or --decimal ".".',
        at_row=True,
    ),
    "redcap.bad_format_option": T(
        (
            "--date-format {date_format!r} is not a date format. Write it with %d (day), %m "
            '(month) and %Y (4-digit year), e.g. "%d/%m/%Y" for 30/11/2009.'
        ),
    ),
    "redcap.bad_decimal_option": T('--decimal must be "." or ","; got {decimal!r}.'),
    "redcap.note.dates_read": T(
        "Dates read as {date_format} (stated with --date-format) or YYYY-MM-DD."
    ),
    "redcap.note.decimal_comma": T(
        'Numbers read with a decimal comma (stated with --decimal ",").'
    ),
    "redcap.longitudinal": T(
        (
            "{source} comes from a longitudinal REDCap project (it has redcap_event_name), "
            "not from one built with `nephrocohort redcap dictionary`. Draft a mapping from "
            "its data dictionary with: nephrocohort import-redcap {source} --dictionary "
            "DICTIONARY.csv --suggest-mapping mapping.yaml; check it; then import with "
            "--mapping mapping.yaml."
        ),
    ),
    "redcap.not_records": T(
        (
            "{source} does not look like a REDCap records export of this project: the first "
            "column is {first!r}, expected {expected!r}. Export 'CSV / Microsoft Excel (raw "
            "data)'."
        ),
    ),
    "redcap.unknown_columns": T(
        (
            "{source} has column(s) this project's data dictionary does not define: {columns}. "
            "Was it exported from a project built with `nephrocohort redcap dictionary`? For "
            "another project, draft a mapping from its data dictionary with --dictionary "
            "DICTIONARY.csv --suggest-mapping mapping.yaml, check it, and import with "
            "--mapping mapping.yaml."
        ),
    ),
    # --- REDCap: a foreign project read through a mapping file --------------------------
    "redcap.map.not_a_dictionary": T(
        (
            "{source} is not a REDCap data dictionary: its header is {found}, expected "
            "REDCap's 18 columns ({expected})."
        ),
        "Download it in REDCap under Project Setup > Data Dictionary > Download the current "
        "Data Dictionary (CSV).",
    ),
    "redcap.map.unreadable": T("{source} is not a readable mapping file: {detail}."),
    "redcap.map.is_folder": T("Mapping file {path} is a folder; give the mapping's .yaml file."),
    "redcap.map.not_a_mapping": T(
        (
            "{source} is not a REDCap mapping: expected 'redcap_mapping: 1' and a 'fields' "
            "section (write one with --suggest-mapping)."
        ),
    ),
    "redcap.map.bad_field": T("{source}, field {field}: {problem}."),
    "redcap.map.unknown_key": T("{key!r} is not a key of a field; use {keys}"),
    "redcap.map.unknown_table": T(
        "table {table!r} is not a table of the bundle; use one of {tables}"
    ),
    "redcap.map.unknown_column": T("{column!r} is not a column of {table}; use one of {columns}"),
    "redcap.map.no_target": T(
        "give table and column (for labs: table: labs, test, unit and date_field), or ignore: true"
    ),
    "redcap.map.unknown_test": T("test {test!r} is not a lab test; use one of {tests}"),
    "redcap.map.no_unit": T("a lab needs unit, the unit this field records (for {test}: {units})"),
    "redcap.map.no_date_field": T(
        "a lab needs date_field, the field that holds the date of the same export row"
    ),
    "redcap.map.unknown_date_field": T("date_field {date_field!r} is not a field of the mapping"),
    "redcap.map.bad_codes": T("codes must map each REDCap code to a bundle code ({allowed})"),
    "redcap.map.no_record_id": T(
        "{source} maps no field to patients.patient_id (the project's record ID field)."
    ),
    "redcap.map.unmapped_columns": T(
        (
            "{source} has column(s) the mapping {mapping} does not list: {columns}. List each "
            "under fields (mapped, or with ignore: true): no column is dropped without saying so."
        ),
    ),
    "redcap.map.conflict": T(
        (
            "field {field} of record {record} is {value!r} here but {other!r} on row {other_row}; "
            "a patient has one {column}."
        ),
        "Keep one value in REDCap (the patients fields belong in one event), or ignore one field.",
        at_row=True,
    ),
    "redcap.map.note.applied": T(
        "{source} read with the mapping {mapping}: {rows} export rows of {records} records "
        "(events: {events})."
    ),
    "redcap.map.note.absent": T(
        "The mapping lists field(s) this export does not have (not imported): {fields}."
    ),
    "redcap.map.suggested": T(
        (
            "Wrote {path}: {proposed} of {count} fields proposed from the data dictionary "
            "({ignored} set to ignore). Check every line, then import with: nephrocohort "
            "import-redcap RECORDS.csv --mapping {path} --out BUNDLE"
        ),
    ),
    "redcap.unknown_instrument": T(
        (
            "{source}, row {row}, column {column}: {value!r} is not an instrument of this "
            "project; expected one of {forms} or empty."
        ),
    ),
    "redcap.no_patients": T(
        "{source} has no patient rows (rows with an empty {column}); nothing was imported.",
    ),
    # --- values --------------------------------------------------------------------------
    "values.not_a_number": T("is not a number"),
    "values.comma_but_point_stated": T('has a decimal comma, but {stated} "."'),
    "values.thousands_or_decimal": T(
        (
            'could be a thousands separator or a decimal comma; state decimal: "," in the '
            "mapping if commas are decimals"
        ),
    ),
    "values.point_but_comma_stated": T('has a decimal point, but {stated} ","'),
    "values.stated_by_mapping": T("the mapping states decimal:"),
    "values.stated_by_option": T("--decimal is"),
    "values.not_a_real_date": T("is not a real date (check day and month)"),
    "values.no_date_format": T("is not written YYYY-MM-DD and the mapping states no date_format"),
    "values.not_in_date_format": T(
        "does not match the mapping's date_format {date_format!r} nor YYYY-MM-DD",
    ),
    # --- output --------------------------------------------------------------------------
    "output.exists": T(
        (
            "{what} {path} already exists; nothing was written. Choose another output path or "
            "move the existing one away first."
        ),
    ),
    # --- deidentify ----------------------------------------------------------------------
    "deidentify.no_patient_id": T(
        "Table {table} has no patient_id column; it cannot be de-identified.",
    ),
    "deidentify.no_onset_date": T(
        (
            "Dates cannot be replaced by days since onset: no onset_date column was found in "
            "the patients table or the analysis dataset. Use date shifting instead."
        ),
    ),
    "deidentify.unknown_date_mode": T("Date mode {mode!r} is unknown; use one of {modes}."),
    "deidentify.bad_max_shift": T("max_shift_days must be at least 1 day; got {days}."),
    # --- analysis checks -----------------------------------------------------------------
    "analysis.date_order": T("Check both dates: {later} cannot come before {earlier}."),
    "hint.dipstick_grade": T(
        "Write the result as printed on the strip, e.g. trace, 30, 100 or 1+, 2+."
    ),
    "hint.dipstick_number": T(
        "A bare {value} could be a grade or a concentration, and is neither on the strip: "
        "write the grade with its plus sign (1+ to 4+) or the concentration printed on the "
        "strip (30, 100, 300 or 1000, unit mg/dL)."
    ),
    "hint.course_dates": T("Check both dates; leave the end empty if the course is ongoing."),
    # --- registry: importing a bundle upload ---------------------------------------------
    "registry.too_large": T(
        "The zip file unpacks to more than {megabytes} MB.",
        "Split the cohort or import it with the command line.",
    ),
    "registry.bad_zip": T(
        "The uploaded file is not a valid zip archive.",
        "Zip the folder of CSV files again, or upload an .xlsx workbook.",
    ),
    "registry.no_csv": T(
        "The zip file contains no .csv files.",
        "It should contain patients.csv and any of: {tables}",
    ),
    "registry.bp_systolic_not_above_diastolic": T(
        "The systolic pressure ({sbp} mmHg) is not above the diastolic ({dbp} mmHg).",
        "Check whether the two were swapped or mistyped.",
    ),
    "registry.import_upload_gone": T(
        "The uploaded file is gone (it is kept for a day after the preview).",
        "Upload the file again.",
    ),
    "registry.import_invalid": T(
        "Nothing was imported: {count} problems were found when the import was confirmed.",
        "Fix them all and upload the file again.",
    ),
    "registry.import_ids_taken": T(
        "Nothing was imported: some of these patient IDs were added to the registry after "
        "the preview.",
        "Upload the file again to see which.",
    ),
    "job.worker_lost": T(
        "The computation stopped without finishing (the server may have been restarted).",
        "Ask for it again.",
    ),
    "job.internal_error": T(
        "The computation failed because of an error in the program; it was logged without "
        "patient data.",
        "Ask for it again, or tell your administrator.",
    ),
    "registry.invalid": T("{detail}", at_row=True),
    "registry.center_missing": T(
        "'center' is empty, and you enter data for {count} centers.",
        "Write the center code in the center column: {centers}",
        at_row=True,
    ),
    "registry.center_not_allowed": T(
        "center '{value}' is not one of your centers ({centers}).",
        "Import only patients of your own centers, or ask an administrator.",
        at_row=True,
    ),
    "registry.patient_id_unusable": T(
        "patient_id '{value}' cannot be used.", "Give this patient another ID.", at_row=True
    ),
    "registry.patient_exists": T(
        (
            "patient_id '{value}' is already in the registry (IDs differing only in upper/lower "
            "case count as the same; deleted patients keep their IDs)."
        ),
        (
            "Importing adds new patients only; edit existing patients in the registry, or give "
            "this patient a new ID."
        ),
        at_row=True,
    ),
    "registry.patient_locked": T(
        (
            "patient_id '{value}' is in the registry and locked by a signature; nothing can be "
            "added to it."
        ),
        "Ask a principal investigator to unlock it (with a reason) if it must be corrected.",
        at_row=True,
    ),
    # --- registry: locked records and signatures (21 CFR Part 11 11.50, 11.200) -----------
    "registry.record_locked": T(
        (
            "Patient {patient} is locked: {signer} signed it ({meaning}) on {signed_at} UTC, so "
            "it and its records cannot be changed or deleted."
        ),
        "Ask a principal investigator to unlock it, giving the reason, if it must be corrected.",
    ),
    "registry.signature_password_wrong": T(
        "The password is wrong; the record was not signed.",
        "Enter your own login password again: a signature needs it each time.",
    ),
    "registry.signature_code_wrong": T(
        "The two-factor code is wrong or was already used; the record was not signed.",
        "Enter the code your authenticator shows now (or an unused recovery code).",
    ),
    "registry.already_locked": T(
        "Patient {patient} is already locked by a signature.",
        "Unlock it first (with a reason) to sign it again.",
    ),
    "registry.not_locked": T("Patient {patient} is not locked."),
    "registry.unlock_reason_missing": T(
        "Give the reason for unlocking; it is kept in the audit trail with the voided signature.",
    ),
    # The reason is stored whole or not at all (models/_signatures.py: void_reason).
    # --- registry: a save or delete refused because someone saved in between --------------
    "registry.edit_conflict": T(
        "This {kind} was changed by {who}{when} while you were editing it, so your changes "
        "were not saved. What changed: {what}. Your values are kept in the form, with the "
        "values saved meanwhile beside them; check them and save again."
    ),
    "registry.delete_conflict": T(
        "This {kind} was changed by {who}{when} while you were looking at it, so it was not "
        "deleted. What changed: {what}. The patient page now shows the current values; delete "
        "it again if it should still go."
    ),
    "registry.conflict.another_user": T("another user"),
    "registry.conflict.at": T(" at {time} UTC"),
    "registry.conflict.no_visible_change": T(
        "the record was deleted or saved again without visible changes"
    ),
    "registry.conflict.field_change": T("{label}: {old} -> {new}"),
    "registry.conflict.empty": T("(empty)"),
    "registry.unlock_reason_too_long": T(
        "The reason for unlocking has {length} characters; at most {limit} can be kept, so "
        "the record was not unlocked.",
        "Shorten the reason to {limit} characters or fewer and unlock again.",
    ),
    # --- registry: the audit chain (nephrocohort audit verify) ----------------------------
    "audit.row_changed": T(
        "The {table} row #{row} (seal {seal}) was changed after it was written.",
        "Restore the database from a backup taken before the change, and find out who edited it.",
    ),
    "audit.row_removed": T(
        "The {table} row #{row} (seal {seal}) was removed from the database.",
        "Restore the database from a backup taken before the removal.",
    ),
    "audit.chain_broken": T(
        "The audit chain is broken at seal {seal} ({table} row #{row}): a seal before it was "
        "removed or rewritten.",
        "Restore the database from a backup taken before that row was written.",
    ),
    "audit.chain_truncated": T(
        "The audit chain should have {expected} seals and has {found}: its newest seals were removed.",
    ),
    "audit.row_unsealed": T(
        "The {table} row #{row} has no seal: it was written outside the registry.",
    ),
    "audit.ok": T("The audit chain is intact: {count} rows checked; head hash {head}."),
    # --- legacy-sheet mapping files (interop/_mapping.py) --------------------------------
    "mapping.date_format_unconfirmed": T(
        "{source}: the date order date_format: {date_format!r} was detected by --suggest-mapping and is not confirmed yet, so nothing was imported. Check that the sheet's dates are written in that order, then edit {line}`date_format_confirmed: false` to `date_format_confirmed: true` (or correct date_format)."
    ),
    "mapping.bad_confirmation": T(
        "{source}: date_format_confirmed must be true or false; got {value!r}."
    ),
    "mapping.unit_not_allowed": T(
        "{source}: column {column!r}: {variable} has no unit, but the mapping gives {unit!r}. Remove 'unit'."
    ),
    "mapping.unit_not_convertible": T(
        "{source}: column {column!r}: unit {unit!r} cannot be converted to {target} for {variable}. Accepted: {accepted}."
    ),
    "mapping.not_a_format": T(
        '{source}: {where}: date_format {value!r} is not a format. Write it with %d (day), %m (month) and %Y (4-digit year), e.g. "%d/%m/%Y".'
    ),
    "mapping.not_a_dictionary": T(
        "{source}: a mapping file must be a YAML dictionary with a 'columns:' section."
    ),
    "mapping.unknown_keys": T("{source}: unknown key(s) {keys}; allowed: {allowed}."),
    "mapping.no_columns": T(
        "{source}: 'columns:' must map each sheet column to {{variable: NAME}}."
    ),
    "mapping.bad_decimal": T('{source}: decimal must be "." or ","; got {value!r}.'),
    "mapping.bad_missing": T(
        '{source}: \'missing:\' must be a list of the sheet\'s words for "not recorded", e.g. missing: ["No biopsia", "no realizado"]; got {value!r}.'
    ),
    "mapping.bad_header_row": T(
        "{source}: header_row must be the number of the row that holds the column names (1 = the first row); got {value!r}."
    ),
    "mapping.bad_column_spec": T(
        "{source}: column {column!r} must map to {{variable: NAME}} or {{ignore: true}}."
    ),
    "mapping.unknown_column_keys": T(
        "{source}: column {column!r}: unknown key(s) {keys}; allowed: {allowed}."
    ),
    "mapping.unknown_variable": T(
        "{source}: column {column!r}: {name!r} is not an analysis variable. See docs/interop.md for the list (e.g. sex, histology, relapses_per_year_before)."
    ),
    "mapping.variable_mapped_twice": T(
        "{source}: columns {first!r} and {second!r} both map to {name}; keep one."
    ),
    "mapping.codes_not_a_dictionary": T(
        "{source}: column {column!r}: 'codes' must map sheet values to codes."
    ),
    "mapping.codes_on_uncoded": T(
        "{source}: column {column!r}: {name} is not a coded variable; remove 'codes'."
    ),
    "mapping.code_not_allowed": T(
        "{source}: column {column!r}: {raw!r} maps to {code!r}, which is not a code of {name}; allowed: {allowed}."
    ),
    "mapping.boolean_code": T(
        "{source}: column {column!r}: {raw!r} must map to true or false for {name}."
    ),
    "mapping.no_patient_id": T(
        "{source}: no column maps to patient_id; every row needs its patient's pseudonymous id."
    ),
    "mapping.defaults_not_a_dictionary": T(
        "{source}: 'defaults:' must map variable names to constant values."
    ),
    "mapping.unknown_default": T("{source}: defaults: {name!r} is not an analysis variable."),
    "mapping.default_also_mapped": T(
        "{source}: defaults: {name} is also mapped from column {column!r}; keep one."
    ),
    "mapping.file_not_found": T("The mapping file {path} does not exist."),
    "mapping.is_folder": T("Mapping file {path} is a folder; give the mapping's .yaml file."),
    "mapping.not_utf8": T("{name} is not UTF-8 text; save the mapping as UTF-8."),
    "mapping.not_yaml": T("{name} is not valid YAML{where}: {problem}."),
    # --- legacy sheets (interop/_legacy.py, _legacy_derived.py) --------------------------
    "legacy.columns_not_found": T(
        "{mapping} names column(s) that {source} does not have: {columns}. Correct the names in the mapping; nothing was imported."
    ),
    # The {columns} of legacy.columns_not_found: one of these per column, joined by "; ".
    "legacy.renamed_column": T("{column!r} (did it become {close!r}?)"),
    "legacy.absent_column": T("{column!r}"),
    "legacy.no_patient_rows": T("{source} has a header but no patient rows; nothing was imported."),
    "legacy.bad_value": T(
        "{source} row {row}, column {column!r} ({variable}): {value!r} {reason}."
    ),
    "legacy.missing_patient_id": T(
        "{source} row {row}, column {column!r}: the patient id is empty.",
        "Every row needs a pseudonymous patient id; delete rows that are not patients.",
    ),
    "legacy.duplicate_patient": T(
        "{source} rows {rows}: the same patient id appears more than once.",
        "A legacy sheet has one row per patient; merge or correct these rows.",
    ),
    "legacy.date_format_needed": T(
        "{source}, column {column!r}: {count} date(s) are not written YYYY-MM-DD (first: row {row}, {value!r}) and the mapping states no date_format.",
        "{hint}",
    ),
    "legacy.date_format_needed.detected": T(
        'The values look {why}. If that is right, confirm it by adding date_format: "{detected}" to this column (or the whole sheet) in the mapping.'
    ),
    "legacy.date_format_needed.unknown": T(
        'The order cannot be told ({why}); state date_format in the mapping, e.g. "%d/%m/%Y".'
    ),
    "legacy.bad_default": T("{mapping}: defaults: {name} = {value!r} {reason}."),
    "legacy.reason.code_left_empty": T(
        "is listed in the mapping's codes without a code (fill it in)"
    ),
    "legacy.reason.not_a_code": T(
        "is not a code of {variable} ({codes}) and the mapping's codes do not list it (listed: {listed}). Add it under codes: in the mapping"
    ),
    "legacy.reason.boolean_left_empty": T("has no value in codes"),
    "legacy.reason.not_yes_no": T(
        "is not yes/no (expected yes/no, si/no, true/false or 1/0, or a codes: entry)"
    ),
    "legacy.reason.not_whole": T("is not a whole number"),
    "legacy.reason.out_of_range": T(
        "is outside the plausible range {low:g}-{high:g}{unit}{converted}; check the value and its unit"
    ),
    "legacy.note.extra_columns": T("Column(s) not in the mapping were left out: {columns}."),
    "legacy.note.decimal_commas": T(
        "Column {column!r} uses decimal commas (e.g. 1,5 = 1.5); read them as decimals."
    ),
    "legacy.note.dates_read": T(
        "Dates in column {column!r} read as {date_format} (stated in the mapping) or YYYY-MM-DD."
    ),
    "legacy.computed": T("{column} was computed from {inputs}, as `nephrocohort derive` does."),
    # --- reading a table file (interop/_readers.py) --------------------------------------
    "readers.utf16_note": T("{name} is UTF-16 encoded; it was read as UTF-16."),
    "readers.binary": T(
        "{name} is not a text file (it contains binary data). If it is an Excel or SPSS file, give it its real extension (.xlsx or .sav)."
    ),
    "readers.latin1_note": T(
        "{name} is not UTF-8; it was read as Latin-1 (ISO-8859-1). Check that accented letters look right."
    ),
    "readers.cp1252_note": T(
        "{name} is not UTF-8; it was read as Windows-1252 (Latin-1, as Excel on Windows saves CSV). Check that accented letters look right, or save it as 'CSV UTF-8'."
    ),
    "readers.bad_header": T("{name}: the header row cannot be read ({error}). Is it a text table?"),
    "readers.malformed": T("{name} is not a well-formed table ({error})."),
    "readers.undecodable": T(
        "{name} could not be decoded as {encoding} at byte {byte}; save it as 'CSV UTF-8' and try again."
    ),
    "readers.no_rows": T("{name} has a header but no way to read rows from it."),
    # --- why a summary or a paired test is shown as it is (stats.describe, report) ---------
    "stats.describe.no_value": T("No patient has a value."),
    "stats.describe.few_one": T(
        "Only {n} patient with data (fewer than {small_n}): minimum and maximum, no normality test."
    ),
    "stats.describe.few": T(
        "Only {n} patients with data (fewer than {small_n}): minimum and maximum, no normality "
        "test."
    ),
    "stats.describe.all_equal": T(
        "All values are equal, so normality cannot be tested: median (p25-p75)."
    ),
    "stats.describe.normal": T("{test} p {p} > {alpha:g}: normality not rejected, mean (SD)."),
    "stats.describe.not_normal": T("{test} p {p} <= {alpha:g}: not normal, median (p25-p75)."),
    "report.pairs.few": T("Fewer than {small_n} pairs: not tested."),
    "report.pairs.same_change": T("Every pair changed by the same amount: not tested."),
    "report.pairs.normal": T("{test} of the differences p {p}: normal."),
    "report.pairs.not_normal": T("{test} of the differences p {p}: not normal."),
    # --- study eligibility (clinical.eligibility): the reasons a patient is not included ---
    "eligibility.age_unknown": T(
        "Age under {max_age:g} years at MMF start could not be confirmed: "
        "the age at MMF start is not known."
    ),
    "eligibility.age_over": T(
        "Age at MMF start {age:.1f} years; the study includes children under {max_age:g}."
    ),
    "eligibility.response_unknown": T(
        "Steroid resistance could not be confirmed: the steroid response is not known."
    ),
    "eligibility.sensitive": T(
        "Steroid sensitive; the study includes steroid-resistant patients only."
    ),
    "eligibility.late_responder": T(
        "Steroid sensitive (late responder: complete remission in the confirmation period); "
        "the study includes steroid-resistant patients only."
    ),
    "eligibility.egfr_unknown": T(
        "eGFR above {min_egfr:g} before MMF could not be confirmed: no eGFR before MMF is known."
    ),
    "eligibility.egfr_low": T(
        "eGFR before MMF {egfr:.0f} mL/min/1.73m2; the study needs above {min_egfr:g}."
    ),
    "eligibility.name.hbv": T("Hepatitis B"),
    "eligibility.name.hcv": T("Hepatitis C"),
    "eligibility.name.syphilis": T("Syphilis"),
    "eligibility.name.hiv": T("HIV"),
    "eligibility.serology_unknown": T(
        "{label} serology is not recorded, so this exclusion could not be checked."
    ),
    "eligibility.serology_positive": T("{label} positive."),
    "eligibility.family_unknown": T(
        "Family history of nephrotic syndrome is not recorded, so this exclusion could not be "
        "checked."
    ),
    "eligibility.family_yes": T("Family history of nephrotic syndrome."),
    "eligibility.rituximab_unknown": T(
        "Rituximab before MMF is not known, so this exclusion could not be checked."
    ),
    "eligibility.rituximab_yes": T("Rituximab before MMF."),
    "eligibility.no_mmf": T(
        "No MMF or mycophenolate sodium recorded; the study analyses patients treated with MMF."
    ),
    "rules.provenance.shipped": T(
        "the rule set '{name}' ({title}; shipped with NephroCohort; fingerprint {fingerprint})"
    ),
    "rules.provenance.more": T("; and {more} more (nephrocohort rules show {path})"),
    "rules.provenance.modified": T(
        "a modified copy of '{based_on}' (file {path}; changed: {changes}; "
        "fingerprint {fingerprint})"
    ),
    "rules.provenance.file_same": T(
        "the rule set '{name}' ({title}; file {path}, definitions identical to the shipped "
        "'{based_on}'; fingerprint {fingerprint})"
    ),
    "rules.provenance.file": T(
        "the rule set '{name}' ({title}; file {path}; fingerprint {fingerprint})"
    ),
    "derive.steroid_trial_below_standard": T(
        "The first course was {dose:.2g} mg/kg/day, below the standard dose ({standard:g} "
        "mg/kg/day, {mg_m2:g} mg/m2/day or {max_mg:g} mg/day, counted down to {percent:g} %): "
        "no complete remission on it is not steroid resistance, so the response is NA."
    ),
    "explain.unknown_patient": T(
        "Patient '{patient_id}' is not in this cohort ({n} patients). Patient ids are the "
        "patient_id column of the patients table; `nephrocohort derive --data PATH --out "
        "derived.csv` lists them in its first column."
    ),
    "explain.unknown_patient_close": T(
        "Patient '{patient_id}' is not in this cohort ({n} patients). Did you mean {close}? "
        "Patient ids are the patient_id column of the patients table; `nephrocohort derive "
        "--data PATH --out derived.csv` lists them in its first column."
    ),
    "rules.unknown": T(
        "Unknown rule set '{name}'. Available rule sets: {available}; "
        "or give the path to your own YAML file."
    ),
    "rules.no_file": T("No rule set file at '{path}'. Check the path."),
    "rules.unreadable": T("Rule set file '{path}' could not be read: {error}."),
    "readers.is_folder": T("{path} is a folder; expected a .csv, .xlsx or .sav file."),
    "readers.no_sheet": T("{name} has no sheet {sheet!r}; its sheets are: {sheets}."),
    "readers.excel_error": T("{name}: {error}"),
    "readers.not_a_workbook": T(
        "{name} could not be opened as an Excel workbook ({error}). Open it in Excel and save it again as .xlsx."
    ),
    "readers.not_spss": T("{name} could not be read as an SPSS file ({error})."),
    "readers.unsupported": T(
        "{name}: files ending in {suffix} are not supported; use .csv, .xlsx or .sav."
    ),
    "readers.header_row_detected": T(
        "{name}: the header was taken from row {row}; the row(s) above it hold a title, not column names. If another row holds the column names, give --header-row N."
    ),
    "readers.header_row_stated": T(
        "{name}: the header was taken from row {row} (stated with --header-row or header_row: in the mapping)."
    ),
    "readers.header_row_beyond": T(
        "{name}: --header-row {row} is beyond the end of the file ({rows} rows); give the row number that holds the column names, as Excel shows it."
    ),
    "readers.header_row_hint": T(
        "{problem} Row {row} was read as the header; if the column names are on another row, give --header-row N (or header_row: N in the mapping)."
    ),
    "readers.blank_rows_skipped": T("{name}: empty row(s) {rows} were skipped."),
    "readers.footer_skipped": T(
        "{name}: row(s) {rows} after the last empty row hold a single cell each and were read as a note below the table, not as patients."
    ),
    # --- labelled frames for SPSS/Stata (interop/_labelled.py) ---------------------------
    "labelled.not_boolean": T(
        "Table {table}, column {column}, row {row}: value {value!r} is not a yes/no value; expected true/false (or 1/0)."
    ),
    "labelled.unknown_code": T(
        "Table {table}, column {column}, row {row}: value {value!r} is not one of the known codes ({codes}); it cannot be given a value label."
    ),
    "labelled.not_a_date": T(
        "Table {table}, column {column}, row {row}: value {value!r} is not a date; expected YYYY-MM-DD."
    ),
    "labelled.not_a_number": T(
        "Table {table}, column {column}, row {row}: value {value!r} is not a number."
    ),
    "labelled.patient_id.pseudonym": T("Patient pseudonym (the key file links it to the patient)"),
    "labelled.patient_id.identifiable": T("Patient identifier"),
    # --- SPSS and Stata files (interop/_stat_files.py) -----------------------------------
    "stat_files.stata_names": T(
        "Stata allows variable names of at most {limit} characters; table {table} has {columns}. Rename these columns or export to SPSS."
    ),
    "stat_files.stata_version": T(
        "Stata version {version} is not supported; use one of {versions}."
    ),
    "stat_files.stata_old_encoding": T(
        'Table {table}, column {column}: texts with letters outside ASCII are stored as UTF-8, which files before Stata 14 do not declare (Stata 12 and 13 show them wrongly; in R use haven::read_dta(path, encoding = "UTF-8")). Use --stata-version 14 for Stata 14 and later.'
    ),
    "stat_files.stata_long_text": T(
        "Table {table}, column {column}: {count} text(s) longer than {limit} bytes (up to {longest}) were cut to {limit} bytes, the most written in a Stata {version} file; the .sav and .csv exports keep them whole, and --stata-version 13 or later keeps them in .dta."
    ),
    # --- exports (interop/_export.py) ----------------------------------------------------
    "export.unknown_tables": T("Unknown table(s) {tables}; exportable tables are {known}."),
    "export.unknown_format": T("Export format {format!r} is unknown; use one of {formats}."),
    "export.xlsx_out": T("For the xlsx format --out must be a .xlsx file; got {out}."),
    "export.needs_dates": T(
        "The {format} format needs real calendar dates; use date shifting, not days since onset."
    ),
    "export.key_inside": T(
        "The key file {key} must not be inside the export {out}: the key re-identifies patients and must be kept apart."
    ),
    # --- FHIR import: problems and notes (interop/_fhir.py) ------------------------------
    "fhir.partial_date": T(
        "{where}: '{column}' is '{value}', a partial date ({precision} only). The data model needs a full date written YYYY-MM-DD.",
        "Record the full date in the source system, or enter it by hand in the imported bundle.",
    ),
    "fhir.conflicting_patient": T(
        "{where}: Patient/{patient_id} appears {count} times with different content ({fields} differ), so it is not known which one is right.",
        "Keep one Patient resource per id in the file (identical copies are merged), or give the other patient a different id.",
    ),
    "fhir.patient_without_id": T(
        "{where}: a Patient resource without an id; the other resources refer to patients by id, so it cannot be linked to anything.",
        "Export the patients with their resource ids (Patient.id).",
    ),
    "fhir.animal_patient": T(
        "{where}: Patient/{patient_id} is an animal (extension patient-animal{species}); NephroCohort records children with nephrotic syndrome.",
        "Leave veterinary records out of the export.",
    ),
    "fhir.no_patients": T("{name} holds no Patient resources; nothing was imported."),
    "fhir.not_read": T("{count} {kind} resource(s) are not read by this importer"),
    "fhir.empty_entries": T(
        "{count} Bundle entries without a resource (requests such as DELETE, or responses) are not read"
    ),
    "fhir.unread_file": T(
        "{name} is not named after a FHIR resource type (a bulk export names each file <Type>.ndjson), so it is not read"
    ),
    "fhir.open_ended": T(
        "{count} {kind} resource(s) for {drug} with status '{status}' have no end date, renewal or supply duration: imported as ongoing courses"
    ),
    # --- FHIR files (interop/_fhir_read.py) ----------------------------------------------
    "fhir.read.not_a_resource": T("{where} is not a FHIR resource (no resourceType)."),
    "fhir.read.invalid_resource": T(
        "{where}: the {kind} resource is not valid FHIR R4 ({field}: {detail})."
    ),
    "fhir.read.too_deep": T(
        "{where} is nested too deeply to be read (JSON objects inside objects more than {limit} levels down); no FHIR resource is nested that deep."
    ),
    "fhir.read.not_found": T("{path} does not exist."),
    "fhir.read.bad_json_line": T(
        "{name}, line {line}: not valid JSON ({detail} at column {column})."
    ),
    "fhir.read.not_fhir": T(
        "{name} is neither a FHIR Bundle (JSON starting with '{{') nor NDJSON (name it .ndjson, one resource per line)."
    ),
    "fhir.read.bad_json": T("{name} is not valid JSON: {detail}."),
    "fhir.read.not_utf8": T("{name} is not UTF-8 text; FHIR JSON must be UTF-8."),
    "fhir.read.not_a_bundle": T("{name} holds a {kind}, not a Bundle of patient data."),
    "fhir.read.entry_not_a_list": T("{name}: Bundle.entry must be a list."),
    "fhir.read.entry_without_resource": T("{where} has no resource."),
    "fhir.read.empty_folder": T(
        "{path} is a folder without FHIR files: a bulk export holds one .ndjson file per resource type (Patient.ndjson, Observation.ndjson, ...); Bundles end in .json."
    ),
    "fhir.read.not_a_file": T("{path} is neither a file nor a folder."),
    # --- FHIR: what was not imported, and why (interop/_fhir_collect.py) -----------------
    "fhir.skip.status": T("{kind} with status '{status}' (it did not happen as recorded)"),
    "fhir.skip.verification": T("Condition with verificationStatus '{verification}'"),
    "fhir.skip.gender": T("Patient gender '{gender}' has no code in the data model (M/F)"),
    "fhir.skip.dipstick_grade": T("Dipstick protein (LOINC {loinc}) result not a known grade"),
    "fhir.skip.no_value": T("Observation LOINC {loinc} without a numeric value"),
    "fhir.skip.censored": T(
        "Observation LOINC {loinc} ({test}) with a censored value ('{comparator}' before the number): the data model stores exact values only, so it is not imported"
    ),
    "fhir.skip.lab_unit": T(
        "Observation LOINC {loinc} ({test}) in unit '{unit}', which has no conversion"
    ),
    "fhir.skip.pressure_unit": T(
        "Blood pressure (LOINC {loinc}) in unit '{unit}' instead of mm[Hg]"
    ),
    "fhir.skip.vital_unit": T("{column} (LOINC {loinc}) in unit '{unit}', which has no conversion"),
    "fhir.skip.vital_same_day": T(
        "A second {column} on the same day with a different value ({resource}); the first one of the day ({kept}) is kept"
    ),
    "fhir.skip.protein_24h": T(
        "24-hour urine protein (LOINC {loinc}) in '{unit}': it needs the body surface area to become mg/m2/h, which the importer does not assume"
    ),
    "fhir.skip.observation_unknown": T("Observation {shown}: not a measurement of the data model"),
    "fhir.skip.mycophenolic_acid": T(
        "Medication {shown}: mycophenolic acid without saying mofetil or sodium; add an RxNorm code or the product name"
    ),
    "fhir.skip.drug_unknown": T("Medication {shown}: not a drug of the data model"),
    "fhir.skip.medication_reference": T(
        "{kind} with a Medication reference instead of a code (not read)"
    ),
    "fhir.skip.medication_without_start": T("{kind} for {drug} without a start date"),
    "fhir.skip.course_end_unknown": T(
        "{kind} for {drug} with status '{status}' but no end date, no later renewal and no supply duration: the course ended on a day the record does not give"
    ),
    "fhir.skip.dose_unit": T("Dose of {drug} in unit '{unit}' (dose left empty)"),
    "fhir.skip.nephrotic_without_onset": T("Nephrotic syndrome condition without an onset date"),
    "fhir.skip.event_without_date": T("{kind} for the event '{event}' without a date"),
    "fhir.skip.deceased_without_date": T(
        "Patient marked deceased (deceasedBoolean) without a date of death; the data model needs the date"
    ),
    "fhir.skip.histology_condition": T(
        "Histology given as a Condition without a biopsy report (record it on the biopsy)"
    ),
    "fhir.skip.kidney_waiting": T(
        "{kind} {shown}: a place on the kidney transplant waiting list, not a transplant (the transplant is an event when its Procedure or 'History of renal transplant' is in the export)"
    ),
    "fhir.skip.kidney_rejection": T(
        "{kind} {shown}: a transplant rejection; the data model records the transplant (its Procedure), and has no event for a rejection"
    ),
    "fhir.skip.kidney_regime": T(
        "{kind} {shown}: the care after a kidney transplant, not the transplant (the transplant is its own Procedure)"
    ),
    "fhir.skip.kidney_disorder": T(
        "{kind} {shown}: a kidney disorder the data model has no event for (CKD is an event from its stage codes, proteinuria is read from lab values)"
    ),
    "fhir.skip.condition_unknown": T("Condition {shown}: not a condition the data model records"),
    "fhir.skip.procedure_unknown": T("Procedure {shown}: not a procedure the data model records"),
    "fhir.skip.report_without_histology": T(
        "DiagnosticReport without a known histology code in conclusionCode"
    ),
    "fhir.skip.report_without_date": T("Histology report without a date"),
    "fhir.skip.unknown_subject": T("{kind} whose subject is not a Patient in the file"),
    "fhir.skip.biopsy_without_histology": T(
        "Kidney biopsy without a histology result on the same date"
    ),
    "fhir.skip.observation_without_date": T("Observation without an effective date"),
    "fhir.skip.observation_partial_date": T(
        "Observation with a partial effective date ({precision} only, e.g. '{value}'); a full date YYYY-MM-DD is needed"
    ),
    "fhir.skip.histology_without_date": T("Histology observation without a date"),
    "fhir.skip.histology_partial_date": T(
        "Histology observation with a partial date ({precision} only, e.g. '{value}'); a full date YYYY-MM-DD is needed"
    ),
    # --- the import commands (cli/_interop.py) -------------------------------------------
    "cli.interop.import_table_arguments": T(
        "import-table needs FILE, --mapping MAP and --out FILE.csv (or --suggest-mapping FILE to draft a mapping)."
    ),
    "cli.interop.not_imported": T("Not imported ({count}):"),
    "cli.interop.suggest_needs_dictionary": T(
        "--suggest-mapping needs --dictionary, the project's data dictionary CSV."
    ),
    "cli.interop.redcap_needs_out": T(
        "import-redcap needs --out, the bundle folder to create (or --dictionary and --suggest-mapping to draft a mapping)."
    ),
    "cli.interop.group.model": T("Data the data model uses, but not usable as sent ({count}):"),
    "cli.interop.group.kidney": T("Kidney findings the data model has no event for ({count}):"),
    "cli.interop.group.status": T(
        "Records that say they did not happen, by their status ({count}):"
    ),
    "cli.interop.group.outside": T("Not part of the data model ({count}):"),
    # --- the rule-set comparison of the report (report/_compare.py) ---------------------
    "report.compare_needs_names": T(
        "--compare-rule-sets needs rule-set names or paths separated by commas, e.g. {example}."
    ),
    "report.compare_needs_cohort": T(
        "--compare-rule-sets derives the dataset again under each rule set, so it needs a "
        "cohort bundle (or the demo cohort), not an analysis-dataset file."
    ),
    # --- the pipeline (pipeline.py) ------------------------------------------------------
    "pipeline.data_not_found": T(
        "The cohort {path!r} does not exist. Give a folder of CSV files or an .xlsx workbook (see docs/report.md), or an analysis-dataset CSV{demo}."
    ),
    "pipeline.demo_hint": T(", or leave out --data to use the demo cohort"),
    "pipeline.out_is_file": T("The output {path!r} is a file; give a folder for the report."),
    "pipeline.out_is_folder": T(
        "Cannot write {path}: it is a folder. Give a file name, e.g. {example}."
    ),
    "pipeline.out_parent_missing": T(
        "Cannot write {path}: the folder {parent} does not exist. Create it or choose another --out path."
    ),
    "pipeline.out_unwritable": T("Cannot write {path}: {reason}. Choose another --out path."),
    # --- consent drives use (cohort/consent.py) ---------------------------------------------
    "consent.assent_age_invalid": T(
        "The age from which assent is required ({where}) must be a number of years from 0 to "
        "under 18; got {age!r}.",
        "Use the age the center's ethics committee or local law sets, e.g. 7.",
    ),
    # --- OMOP CDM source (interop) ----------------------------------------------------------
    "omop.missing_package": T(
        "Reading OMOP CDM databases needs the Python package {package}, which is not installed.",
        "Install the OMOP extra: pip install 'nephrocohort[omop]'.",
    ),
    "omop.database_not_found": T(
        "The OMOP database {path} does not exist.",
        "Give duckdb:///path/to/cdm.duckdb, a folder of Parquet or CSV files, or a "
        "postgresql:// URL.",
    ),
    "omop.cannot_connect": T(
        "Cannot connect to the OMOP database {url}: {reason}",
        "Check the server, the database name and the user in the URL.",
    ),
    "omop.missing_table": T(
        "The OMOP database has no table {table} in schema {schema}.",
        "Give the schema holding the CDM tables with --cdm-schema (it has {available}).",
    ),
    # The phenotype's inclusion-attrition steps (interop/_omop_phenotype.py).
    "omop.step.persons": T("Persons in the database"),
    "omop.step.qualifying_any": T("With a nephrotic-syndrome diagnosis or a kidney biopsy"),
    "omop.step.qualifying_dates": T("On at least {dates} different dates"),
    "omop.step.age": T("Aged {min} to under {max} years on the first date"),
    "omop.step.transplant": T("No kidney transplant before the first date"),
    "omop.missing_vocabulary": T(
        "The OMOP database has the CDM tables in schema {schema} but not the vocabulary table "
        "{table}; the concept sets are resolved through concept and concept_ancestor.",
        "Load the OHDSI standardized vocabularies (Athena) into that schema.",
    ),
    "omop.missing_column": T(
        "The OMOP table {table} has no column {column} (OMOP CDM v5.4 expected).",
        "Check that the database follows the OMOP CDM v5.4 and that --cdm-schema is right.",
    ),
    "omop.concept_not_in_vocabulary": T(
        "Concept set {concept_set}: {vocabulary} code {code} is not in the database's concept "
        "table, so it selects nothing.",
        "Load the full vocabulary (OHDSI Athena) or remove the code from the concept set.",
    ),
    "omop.phenotype_not_found": T(
        "There is no phenotype {name!r}. Shipped: {shipped}.",
        "Give a shipped name or the path of a phenotype YAML file.",
    ),
    "omop.phenotype_invalid": T(
        "The phenotype file {path} is not valid: {reason}.",
        "Start from a copy of the shipped pedsnet-ns.yaml.",
    ),
    "omop.phenotype_unknown_set": T(
        "The phenotype {name} uses the concept set {concept_set}, which is not shipped.",
        "Use one of: {known}.",
    ),
    "omop.no_patients": T(
        "The phenotype {name} selected no person in the OMOP database, so there is nothing "
        "to import.",
        "Check --cdm-schema and the phenotype's concept sets (see the attrition table).",
    ),
    "omop.unknown_unit": T(
        "{count} {test} results have the unit concept {unit} ({unit_code}), which cannot be "
        "converted; they were not imported.",
    ),
    "omop.no_unit": T(
        "{count} {test} results have no unit (unit_concept_id 0 or empty); they were not "
        "imported, because a unit is never guessed.",
    ),
    "omop.no_histology": T(
        "{count} kidney biopsies have no histology diagnosis on the biopsy day; they were not "
        "imported.",
    ),
    "omop.dose_missing": T(
        "{count} drug courses have no quantity, days supply or drug_strength row, so they were "
        "imported without a dose.",
    ),
    "omop.note.phenotype": T(
        "Patients selected from an OMOP CDM database by the phenotype {name} version {version}: "
        "{steps}."
    ),
    "omop.demo_out_suffix": T(
        "Cannot write the OMOP database to {path}: give a file name ending in .duckdb.",
    ),
    "omop.demo_out_exists": T(
        "{path} already exists; it is not overwritten.",
        "Remove it or choose another --out file.",
    ),
    "omop.demo_out_parent": T(
        "Cannot write {path}: the folder {parent} does not exist.",
        "Create it or choose another --out path.",
    ),
    # --- the course of the disease (clinical.resistance, cni_response, relapse_course) ----
    "clinical.secondary_resistance.not_sensitive_at_onset": T(
        "Not steroid-sensitive at onset: there is no secondary resistance to judge."
    ),
    "clinical.secondary_resistance.resistant": T(
        "Relapse on {relapse}: no complete remission within 4 weeks of standard-dose prednisone."
    ),
    "clinical.secondary_resistance.trial_unknown": T(
        "A relapse's steroid course cannot be judged (its dose or the readings after it are "
        "not known), and no relapse shows resistance."
    ),
    "clinical.secondary_resistance.sensitive": T(
        "Every relapse reached complete remission within 4 weeks of standard-dose prednisone."
    ),
    "clinical.secondary_resistance.sensitive_or_untreated": T(
        "Every relapse reached complete remission within 4 weeks: of standard-dose prednisone, "
        "or without a prednisone course."
    ),
    "clinical.multidrug.fewer_mechanisms": T(
        "Fewer than two steroid-sparing mechanisms were given at standard doses."
    ),
    "clinical.multidrug.complete_remission": T(
        "Complete remission on {day}, by {judged_on}: not multidrug-resistant."
    ),
    "clinical.multidrug.not_observed": T("Not observed to {judged_on}: cannot tell yet."),
    "clinical.multidrug.dose_unknown": T("A steroid-sparing course has no known dose."),
    "clinical.multidrug.resistant": T("No complete remission from {start} to {judged_on}."),
    "clinical.cni.responsive_partial": T(
        "At least partial remission on {day}, by {by} ({months} months of CNI): responsive."
    ),
    "clinical.cni.responsive_complete": T(
        "Complete remission on {day}, by {by} ({months} months of CNI): responsive."
    ),
    "clinical.cni.too_short": T(
        "The CNI was not given (or not observed) for {months} months, to {by}: cannot tell."
    ),
    "clinical.cni.dose_unknown": T(
        "Whether the CNI dose was adequate is not known (dose, unit or weight missing)."
    ),
    "clinical.cni.dose_low": T("The CNI dose was below the adequate dose: not a valid trial."),
    "clinical.cni.resistant": T(
        "No partial or complete remission from {start} to {by} on an adequate CNI dose: resistant."
    ),
    "clinical.relapse_course.first_period": T(
        "{count} relapses from {start} to {end} (at least {minimum} in the first {months} "
        "months): frequently relapsing."
    ),
    "clinical.relapse_course.any_period": T(
        "{count} relapses from {start} to {end} (at least {minimum} in any {months} months): "
        "frequently relapsing."
    ),
    "clinical.relapse_course.below_thresholds": T(
        "Neither relapse count reaches its threshold: not frequently relapsing."
    ),
    "clinical.relapse_course.first_period_unobserved": T(
        "The first {months} months are not observed to their end: frequent relapses cannot "
        "be ruled out."
    ),
    "clinical.relapse_course.steroid_dependent": T(
        "Relapses on {first} and {second}, both on prednisone or within {days} days of "
        "stopping it: steroid-dependent."
    ),
    "clinical.relapse_course.not_steroid_dependent": T(
        "No two consecutive relapses on prednisone or within {days} days of stopping it."
    ),
    # Why a course column is NA (cohort derivation).
    "course.not_defined": T("Rule set '{rule_set}' does not define {what}."),
    "course.not_steroid_sensitive": T(
        "The steroid response at onset is {response}: {what} is defined for steroid-sensitive "
        "nephrotic syndrome only."
    ),
    "course.not_srns": T(
        "Not steroid-resistant (response at onset {response}, no secondary resistance): {what} "
        "is defined for steroid-resistant nephrotic syndrome only."
    ),
    "course.no_cni": T("No cyclosporine or tacrolimus course is recorded."),
    # What a course column decides (the {what} of the three sentences above).
    "course.what.relapse_course": T("a frequently relapsing or steroid-dependent course"),
    "course.what.secondary_resistance": T("secondary steroid resistance"),
    "course.what.cni_response": T("the response to a calcineurin inhibitor"),
    "course.what.multidrug": T("multidrug-resistant SRNS"),
    # --- the clinical calculators' refusals (clinical._checks and the calculators) ----------
    "clinical.required": T("{name} is required but was not given."),
    "clinical.not_a_number": T("{name} must be a number; got {value!r}."),
    # {expected} is clinical.range or clinical.range_for.
    "clinical.missing": T("{name} is missing (not a number); expected a number in {expected}."),
    "clinical.infinite": T("{name} is infinite; expected a number in {expected}."),
    "clinical.infinite_at": T(
        "{name} is infinite (position {position}); expected a number in {expected}."
    ),
    "clinical.out_of_range": T("{name} is {value:g}; expected {expected}. {hint}"),
    "clinical.out_of_range_at": T(
        "{name} is {value:g} (position {position}); expected {expected}. {hint}"
    ),
    "clinical.range": T("{low:g}-{high:g} {unit}"),
    "clinical.range_for": T("{low:g}-{high:g} {unit} for {context}"),
    "clinical.sex": T("sex is {value!r}; expected M or F."),
    "clinical.sex_at": T("sex is {value!r} (position {position}); expected M or F."),
    # What an accepted range is for (the {context} of clinical.range_for).
    "clinical.for.schwartz_1976": T("the original Schwartz equation"),
    "clinical.for.schwartz_bedside": T("the bedside Schwartz equation"),
    "clinical.for.ckid_u25": T("the CKiD U25 equations"),
    "clinical.for.bp_tables": T("Tables 4 and 5"),
    "clinical.for.aap_2017": T("the AAP 2017 classification"),
    "clinical.for.mmf_seed": T("MMF (seed study)"),
    "clinical.for.cdc_growth": T("the CDC 2000 growth charts"),
    # The likely slip behind a value out of its range (the {hint} of clinical.out_of_range).
    "clinical.hint.metres_or_inches": T("Was it entered in metres or inches?"),
    "clinical.hint.grams_or_pounds": T("Was it entered in grams or pounds?"),
    "clinical.hint.creatinine_umol": T("Was it entered in umol/L? Use creatinine_umol_l."),
    "clinical.hint.bedside_age": T(
        "Range from Schwartz et al., J Am Soc Nephrol 2009 (NKF: ages 1-18). "
        "Up to 25 years use ckid-u25; under 1 year no bedside equation is validated."
    ),
    "clinical.hint.bp_height_charts": T(
        "The CDC 2000 height charts, and so the classification, end at 20."
    ),
    "clinical.hint.growth_charts": T("The CDC 2000 charts cover birth to 20 years."),
    "clinical.hint.bsa_slip": T("Was a weight or height entered instead?"),
    # --- a rule set's file refused (clinical.rules.loading) ------------------------------------
    # {where} of the sentences below: which rule set.
    "rules.where.file": T("rule set file '{path}'"),
    "rules.where.builtin": T("built-in rule set '{name}'"),
    "rules.invalid_yaml.file": T("Rule set file '{path}' is not valid YAML: {detail}"),
    "rules.invalid_yaml.builtin": T("Built-in rule set '{name}' is not valid YAML: {detail}"),
    # {faults}: one rules.field_* sentence per fault the schema found.
    "rules.invalid": T("{faults}"),
    "rules.field_missing": T("In {where}, field '{field}' is missing."),
    "rules.field_unknown": T(
        "In {where}, field '{field}' is not a rule-set field; check its spelling "
        "(docs/clinical/rule-sets.md lists the fields)."
    ),
    "rules.field_invalid": T("In {where}, field '{field}' must be {expected}; got {got}."),
    "rules.no_criterion": T("In {where}, field 'proteinuria' has no criterion for: {tests}."),
    "rules.timepoints_lack": T("In {where}, field 'derivation.timepoints.value' lacks: {names}."),
    # What a field must be (the {expected} of rules.field_invalid).
    "rules.expected.number": T("a number"),
    "rules.expected.finite_number": T("a finite number"),
    "rules.expected.whole_number": T("a whole number"),
    "rules.expected.true_or_false": T("true or false"),
    "rules.expected.text": T("a text"),
    "rules.expected.non_empty_text": T("a non-empty text"),
    "rules.expected.mapping": T("a mapping (key: value lines)"),
    "rules.expected.list": T("a list"),
    "rules.expected.non_empty_list": T("a non-empty list"),
    "rules.expected.one_of": T("one of {values}"),
    "rules.expected.at_least": T("a number of at least {minimum}"),
    "rules.expected.other": T("{detail}"),
    "rules.expected.above_complete": T(
        "above the complete-remission threshold ({operator} {value:g} {unit})"
    ),
    "rules.expected.at_least_trial_days": T("at least steroid_trial_days ({days})"),
    "rules.expected.distinct_tests": T("a list of distinct tests from {tests}"),
    "rules.egfr_needs_cystatin": T(
        "The rule set's egfr_equation is '{equation}', which needs cystatin C. The derivation "
        "estimates eGFR from serum creatinine; choose one of {known} in the rule set's "
        "derivation section."
    ),
    # --- classifying a proteinuria value (clinical.rules.model, .classification) ----------------
    "rules.not_a_test": T("'{test}' is not a proteinuria test. Expected one of: {known}."),
    "rules.no_threshold_for_unit": T(
        "Rule set '{rule_set}' has no {test} threshold for unit '{unit}'. "
        "It classifies {test} measured in: {units}."
    ),
    "rules.value_not_a_number": T("The {test} value '{value}' is not a number."),
    "rules.value_missing": T("The {test} value is missing; nothing to classify."),
    "rules.value_infinite": T("The {test} value is infinite; expected a measured number."),
    "rules.value_negative": T(
        "The {test} value {value} is negative; proteinuria cannot be below 0."
    ),
    "rules.array_negative": T(
        "Proteinuria value {value:g} at position {position} is negative; proteinuria cannot "
        "be below 0."
    ),
    "rules.array_infinite": T(
        "Proteinuria value {value:g} at position {position} is infinite; expected a measured "
        "number."
    ),
    "rules.array_not_a_number": T(
        "Proteinuria value '{value}' at position {position} is not a number."
    ),
    # {error}: the refusal of that value (rules.not_a_test, rules.no_threshold_for_unit).
    "rules.array_at": T("At position {position}: {error}"),
    "rules.array_lengths": T(
        "Got {given} tests or units for {values} proteinuria values; give one per value."
    ),
    # --- units of the clinical calculators (clinical.units) ----------------------------------
    "units.unknown_quantity": T("Unknown quantity '{quantity}'. Known quantities: {known}."),
    "units.not_accepted": T(
        "Unit '{unit}' is not accepted for {quantity}. Accepted units: {accepted}. "
        "Convert the value to one of these units before entering it."
    ),
    "units.unknown_grade": T(
        "Dipstick protein grade '{grade}' is not recognised. Accepted grades: {accepted}."
    ),
    "clinical.not_a_date": T("{name} is {value!r}; expected a date (YYYY-MM-DD)."),
    "clinical.date_before_birth": T(
        "on_date is before birth_date; an age cannot be negative. Check the two dates."
    ),
    "clinical.not_days": T("{name} is {value!r}; expected a number of days from 0."),
    "clinical.one_of": T("{name} is {value!r}; expected one of: {allowed}."),
    "clinical.true_or_false": T("{name} is {value!r}; expected True or False."),
    "clinical.negative_age": T("{name} is {value:g}; an age cannot be negative."),
    "clinical.negative_egfr": T("{name} is {value:g}; an eGFR cannot be negative."),
    "clinical.bsa.unknown_formula": T(
        "BSA formula '{formula}' is unknown. Choose one of: {known}."
    ),
    "clinical.syndrome.proteinuria_category": T(
        "proteinuria_category is {value!r}; expected nephrotic, partial or complete."
    ),
    "clinical.syndrome.days_required": T(
        "days_of_standard_dose is required: how many days the standard-dose trial lasted."
    ),
    "clinical.syndrome.state": T(
        "{name} is {value!r}; expected complete, partial, none, nephrotic or None."
    ),
    "clinical.syndrome.complete_at_trial_end": T(
        "state_at_trial_end is 'complete' but complete_remission_day is not a day up to "
        "{trial}. Give the first day of the complete remission as complete_remission_day: a "
        "complete remission that starts after day {trial} is not one within 4 weeks."
    ),
    "clinical.proteinuria.unknown_state": T(
        "Proteinuria state '{state}' is unknown. Expected one of: {known}."
    ),
    "clinical.relapse_course.first_period_from": T(
        "first_period_from must be 'initial_remission' or 'onset', not {value!r}."
    ),
    "clinical.growth.lms_not_positive": T(
        "LMS z-score needs a positive value, M and S; got value={value:g}, M={m:g}, S={s:g}."
    ),
    "clinical.growth.one_number": T(
        "{name} must be one number here; use height_for_age_percentile_array for arrays."
    ),
    # --- the data-entry template and the demo cohort's output (cohort.template, cli) --------
    "template.not_xlsx": T(
        "The template is an Excel workbook: '{path}' should end in .xlsx, e.g. cohort.xlsx."
    ),
    "template.no_folder": T("The folder '{folder}' does not exist; create it first."),
    "demo.out_is_file": T(
        "Cannot write the cohort to {path}: it is a file, not a folder. Choose a folder for "
        "--out (it is created if missing)."
    ),
    "demo.no_parent": T(
        "Cannot write the cohort to {path}: the folder {parent} does not exist. Create it or "
        "choose another --out path."
    ),
    "demo.options_need_patients": T(
        "--seed and --parquet apply to generated cohorts only; add --patients N, or leave them "
        "out to write the demo cohort."
    ),
    # --- writing a bundle (cohort.bundle) ----------------------------------------------------
    "bundle.too_many_rows_for_excel": T(
        "The {table} table has {rows:,} rows; an Excel sheet holds at most {maximum:,}. Save the "
        "cohort as a folder of CSV files instead."
    ),
    "bundle.path_is_file": T(
        "'{path}' is a file; give a folder name for the CSV files, or a name ending in .xlsx."
    ),
    # --- the report's inputs and options (report) -------------------------------------------
    "report.not_a_dataframe": T(
        "The report needs the analysis dataset as a pandas DataFrame (from "
        "nephrocohort.cohort.derive); got {type}."
    ),
    "report.missing_columns": T(
        "The analysis dataset lacks {count} column(s) the report needs: {columns}. Build it with "
        "nephrocohort.cohort.derive, or add the columns described in docs/architecture.md."
    ),
    "report.option_choice": T(
        "The report option {option!r} must be one of {allowed}; got {value!r}."
    ),
    "report.option_alpha": T("The report option 'alpha' must be between 0 and 1; got {value!r}."),
    "report.no_format": T("No report format was given. Choose from: {known}."),
    "report.unknown_format": T(
        "Unknown report format {value!r}. Choose from: {known} (comma-separated, e.g. --format "
        "html,docx)."
    ),
    "report.no_rule_set": T(
        "The report needs a rule set (a name such as 'study' or a RuleSet); got {value!r}."
    ),
    "report.source_choice": T("source must be one of {allowed}; got {value!r}."),
    "report.none_eligible": T(
        "No patient is eligible under the rule set '{rule_set}' ({assessed} assessed), so there "
        "is nothing to analyse. Check the exclusion reasons with `nephrocohort derive` or try "
        "another rule set."
    ),
    # --- the synthetic cohort generator (cohort.synthetic) ------------------------------------
    "synthetic.not_whole": T("The number of patients must be a whole number; got {value!r}."),
    "synthetic.size_range": T(
        "The number of patients must be between 1 and {maximum:,}; got {value:,}."
    ),
    # --- registry users on the command line (registry.server) -------------------------------
    "registry.unknown_role": T("Role '{role}' is unknown. Choose one of: {known}."),
    "registry.needs_center": T("A {role} user needs at least one --center."),
    "registry.user_exists": T("User '{username}' already exists."),
    "registry.name_too_long": T(
        "The name has {length} characters; at most {maximum} fit. Shorten it (it is printed "
        "with the user's signatures)."
    ),
    "registry.weak_password": T("The password is too weak: {reasons}"),
    "registry.no_user": T("There is no user '{username}'."),
    "registry.no_role": T(
        "User '{username}' has no registry role; make registry users with createuser."
    ),
    "registry.no_deleted_patient": T("There is no deleted patient with the ID '{patient_id}'."),
    "registry.passwords_differ": T("The two passwords differ; nothing was changed."),
    "registry.no_password": T(
        "No password given. Pipe it on standard input or set NEPHROCOHORT_PASSWORD."
    ),
    "registry.database_unreachable": T(
        "The database cannot be reached or updated: {detail}. Check --database-url (host, port, "
        "user, database name) and that the server runs."
    ),
    "registry.cannot_listen": T(
        "Cannot listen on {host}:{port}: {detail}. Is another server running there? Choose "
        "another --port."
    ),
    "registry.secret_key_short": T(
        "The secret key file {path} is empty or too short. Delete it to have a new one "
        "generated, or set NEPHROCOHORT_SECRET_KEY."
    ),
    "registry.database_scheme": T(
        "The database URL must start with postgresql:// (got {scheme}://). Example: "
        "postgresql://user:password@127.0.0.1:5432/nephrocohort"
    ),
    "registry.database_no_name": T(
        "The database URL names no database. Example: "
        "postgresql://user:password@127.0.0.1:5432/nephrocohort"
    ),
    "signature.unknown_meaning": T(
        "'{meaning}' is not a meaning of a signature; choose one of {known}."
    ),
    "registry.user_has_history": T(
        "User '{username}' has saved audited records and cannot be deleted; deactivate the "
        "account instead (nephrocohort deactivate-user, or untick 'Active' in the admin site)."
    ),
    "registry.no_hard_delete_rows": T(
        "Clinical records are never deleted from the database; mark them deleted instead."
    ),
    "registry.no_hard_delete": T(
        "A {record} is never deleted from the database; use soft_delete() so that its history "
        "is kept."
    ),
    # --- backup and restore (registry.backup) -------------------------------------------------
    "backup.tool_missing": T(
        "{tool} was not found on this machine; install the PostgreSQL client tools (e.g. apt-get "
        "install postgresql-client) to back up or restore PostgreSQL."
    ),
    "backup.tool_failed": T("{tool} failed: {detail}"),
    "backup.exists": T("{path} already exists; choose a new file name for the backup."),
    "backup.unsupported_vendor": T("Backups of a {vendor} database are not supported."),
    "backup.unknown_kind": T(
        "{path} is neither a SQLite backup nor a PostgreSQL custom-format dump (as 'nephrocohort "
        "backup' writes)."
    ),
    "backup.not_found": T("{path} does not exist."),
    "backup.wrong_vendor": T(
        "{path} is a {kind} backup and the registry uses {vendor}; restore it into a {kind} "
        "registry (--database-url), then export and import to move databases."
    ),
    "backup.database_not_empty": T(
        "The registry's database is not empty; nothing was restored. Restore into an empty "
        "database, or add --force to replace everything in it with the backup."
    ),
    # --- the statistics' input refusals (nephrocohort.stats) --------------------------------
    "stats.confidence_range": T("confidence must be between 0 and 1; got {value!r}."),
    "stats.alpha_range": T("alpha must be between 0 and 1; got {value!r}."),
    "stats.decimals": T(
        "decimals must be a whole number of decimal places (0 or more); got {value!r}."
    ),
    "stats.effect_size_n": T("n must be a whole number of at least 1; got {value!r}."),
    "stats.paired_t.too_few": T("A paired t test needs at least 2 complete pairs; got {n}."),
    "stats.paired_lengths": T(
        "before has {before} values and after has {after}; paired data need one before and one "
        "after value per patient, in the same order."
    ),
    "stats.frequencies.single_value": T(
        "values must be a list (one value per patient); got a single value {value!r}."
    ),
    "stats.frequencies.categories_text": T(
        "categories must be a list of categories; got the text {value!r}."
    ),
    "stats.frequencies.duplicates": T("categories contain duplicates: {categories!r}."),
    "stats.frequencies.unexpected": T(
        "Found {found} ({patients} patient(s)), which is not among the expected categories "
        "{expected!r}. Correct the data or add the category."
    ),
    "stats.mcnemar.both_inputs": T("Give either before and after, or table, not both."),
    "stats.mcnemar.table_shape": T(
        "table must be 2 x 2 counts ((yes-yes, yes-no), (no-yes, no-no)); got {table!r}."
    ),
    "stats.mcnemar.table_counts": T("table counts must be whole numbers >= 0; got {table!r}."),
    "stats.mcnemar.missing_input": T("Give both before and after (or a 2 x 2 table)."),
    "stats.mcnemar.not_yes_no": T(
        "{name}: item {item} is {value!r}. Expected yes/no (True/False, 1/0, 'yes'/'no') or "
        "empty for missing."
    ),
    "stats.contingency.lengths": T(
        "rows has {rows} values and columns has {columns}; both need one value per patient, in "
        "the same order."
    ),
    "stats.contingency.unexpected": T(
        "{name} has {found}, not among the expected categories {expected!r}."
    ),
    "stats.contingency.not_counts": T(
        "The table must contain counts (whole numbers); got {table!r}."
    ),
    "stats.contingency.shape": T(
        "The table must have at least 2 rows and 2 columns of counts; got shape {shape}."
    ),
    "stats.contingency.whole_counts": T(
        "The table must contain whole-number counts of 0 or more (no blanks)."
    ),
    "stats.contingency.empty_row": T(
        "Row {index} of the table has no patients; remove empty rows before testing."
    ),
    "stats.contingency.empty_column": T(
        "Column {index} of the table has no patients; remove empty columns before testing."
    ),
    "stats.fisher.unknown_method": T(
        "Unknown method {method!r} for Fisher's test. Expected 'exact' or 'monte_carlo'."
    ),
    "stats.fisher.too_many_tables": T(
        "This table has too many possible tables with the same totals to enumerate (limit "
        "{limit:,}). Use fisher_exact(table, method='monte_carlo', seed=...) or "
        "chi_square(table)."
    ),
    "stats.kruskal.groups_text": T("groups must be several lists of values, not text."),
    "stats.kruskal.too_few_groups": T(
        "The Kruskal-Wallis test compares at least 2 groups; got {n}."
    ),
    "stats.kruskal.empty_group": T(
        "Group {group!r} has no values. Leave empty groups out of the comparison."
    ),
    "stats.kruskal.all_equal": T(
        "All values are equal in every group, so there is nothing to compare."
    ),
    "stats.unknown_percentile_method": T(
        "Unknown percentile method {method!r}. Expected one of: {known}."
    ),
    "stats.percentiles.not_numbers": T(
        "Percentiles must be numbers in percent (0-100); got {q!r}."
    ),
    "stats.percentiles.range": T(
        "Percentiles must be between 0 and 100 (in percent, e.g. 25 for the first quartile); "
        "got {q!r}."
    ),
    "stats.mann_whitney.empty_group": T(
        "{group} has no values; the Mann-Whitney test needs at least one patient with data in "
        "each group."
    ),
    "stats.values.single_value": T(
        "{name} must be a list of numbers (one per patient); got a single value {value!r}."
    ),
    "stats.values.yes_no": T(
        "{name}: item {item} is {value!r}, a yes/no value. Expected a number; use frequencies() "
        "for yes/no variables."
    ),
    "stats.values.not_a_number": T(
        "{name}: item {item} is {value!r}, which is not a number. Expected a number or an empty "
        "cell for missing; check for text such as 'n/a' or a decimal comma."
    ),
    "stats.values.not_finite": T("{name}: item {item} is {value!r}. Expected a finite number."),
    "stats.unknown_normality_test": T("Unknown normality test {test!r}. Expected one of: {known}."),
    "stats.normality.too_few": T(
        "The {test} test needs at least {minimum} values; got {n}. Describe very small groups "
        "by minimum and maximum instead."
    ),
    # The test a refusal names (the {test} of stats.normality.too_few).
    "stats.test_name.lilliefors": T("Kolmogorov-Smirnov (Lilliefors correction)"),
    "stats.test_name.shapiro": T("Shapiro-Wilk"),
    "stats.normality.all_equal": T(
        "All {n} values are equal, so normality cannot be tested. Report the value (or the "
        "median) instead."
    ),
    "stats.describe.small_n": T(
        "small_n must be a whole number of at least 4 (the smallest sample a normality test "
        "accepts); got {value!r}."
    ),
    "stats.survival.lengths": T(
        "durations has {durations} values and observed has {observed}; both need one value per "
        "patient, in the same order."
    ),
    "stats.survival.not_event": T(
        "observed: item {item} is {value!r}. Expected True/1 (event) or False/0 (censored)."
    ),
    "stats.survival.negative_time": T(
        "durations: item {item} is {value:g}, a negative time. Check that the event date is not "
        "before the start date."
    ),
    "stats.survival.no_patient": T("No patient has both a duration and an event status."),
    # --- dosing (clinical.dosing) ------------------------------------------------------------
    "dosing.drug.mmf": T("MMF"),
    "dosing.drug.prednisolone": T("prednisolone"),
    "dosing.unknown_formulation": T(
        "Formulation '{formulation}' is unknown for {drug}. Choose one of: {known}."
    ),
    "dosing.wrong_drug": T("{formulation} is not a formulation of {drug}. Choose one of: {known}."),
    "dosing.bsa_not_one": T("bsa_m2 must be one number; a dose is computed for one child."),
    "dosing.below_one_unit": T(
        "The dose is {mg_per_dose:.0f} mg per dose, less than one {formulation}. Choose a "
        "formulation that can give it: {fitting}."
    ),
    "dosing.below_range": T(
        "With {formulation} the nearest dose is {mg_per_dose:g} mg per dose ({mg_m2_day:.0f} "
        "mg/m2/day), below the {bottom_mg_m2_day:g} mg/m2/day bottom of the range. Use a "
        "liquid: {liquids}."
    ),
    "dosing.not_an_mmf_dose": T("full_dose must be an MMF dose from mmf_dose()."),
    "dosing.half_not_giveable": T(
        "Half of the dose ({mg:g} mg) cannot be given with {formulation}; use the oral suspension."
    ),
    # The AAP 2017 blood pressure classification (Flynn et al. 2017).
    "clinical.bp.tables_age": T(
        "age_years is {age:g}; the percentile tables are used for 1-12 years, from 13 years the "
        "fixed thresholds of Table 3 apply (Flynn et al. 2017)."
    ),
    "clinical.bp.dbp_not_below_sbp": T(
        "dbp_mmhg is {dbp:g} and sbp_mmhg is {sbp:g}; the diastolic pressure must be below the "
        "systolic. Were the two swapped?"
    ),
    "clinical.bp.height_required": T(
        "height_cm (or height_percentile) is required for a child of {age:g} years: the AAP 2017 "
        "tables for 1-12 years are by height percentile."
    ),
    # egfr(): the dispatcher's own refusals.
    "clinical.egfr.unknown_equation": T(
        "eGFR equation '{equation}' is unknown. Choose one of: {known}."
    ),
    "clinical.egfr.unknown_inputs": T("Unknown eGFR input(s): {inputs}. Known inputs: {known}."),
    "clinical.egfr.creatinine_twice": T(
        "Give creatinine once: either creatinine_mg_dl or creatinine_umol_l, not both."
    ),
    "clinical.egfr.needs": T(
        "The {equation} equation needs {inputs}, which was not given.",
        plural="The {equation} equation needs {inputs}, which were not given.",
    ),
    "omop.demo_format": T(
        "Unknown --format {value!r}.",
        "Use bundle (a folder of CSV files) or omop (an OMOP CDM DuckDB file).",
    ),
}


@dataclass(frozen=True)
class Message:
    """A sentence not yet written: its code and the values of its placeholders."""

    code: str
    params: Mapping = field(default_factory=dict)

    def __post_init__(self):
        if self.code not in CATALOGUE:
            raise KeyError(f"no message template for code {self.code!r}")

    @property
    def text(self) -> str:
        return render_text(self.code, self.params)

    @property
    def hint(self) -> str:
        return render(self.code, self.params)[1]

    def __str__(self) -> str:
        return self.text

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((key, str(v)) for key, v in self.params.items()))))


@dataclass(frozen=True)
class MessageList:
    """Messages shown one after the other with ``separator`` between them (a list of names).

    A param that is a list of parts, each a message: they are written in the
    language of the moment they are shown, as a single message is.
    """

    items: tuple[Message, ...]
    separator: str = "; "

    @property
    def text(self) -> str:
        return self.separator.join(item.text for item in self.items)

    def __str__(self) -> str:
        return self.text


def _written(value):
    """A param as a template shows it: a message written out, a tuple of messages one after
    the other (a sentence each, as a rule set's schema faults)."""
    if isinstance(value, Message | MessageList):
        return value.text
    if isinstance(value, tuple) and value and all(isinstance(item, Message) for item in value):
        return " ".join(item.text for item in value)
    return value


def _shown(params: Mapping) -> dict:
    """Params ready for a template: nested messages are written out."""
    return {key: _written(value) for key, value in params.items()}


def render(code: str, params: Mapping) -> tuple[str, str]:
    """``(sentence, hint)`` of ``code`` with ``params`` filled in, through the translation hook."""
    template = CATALOGUE[code]
    # A "{hint}" not given is no hint (as for a Problem), for an error too.
    values = _shown({"hint": "", **params})
    if template.plural:
        from nephrocohort.i18n import format_integer, ngettext

        count = int(values["count"])
        values["count"] = format_integer(count)  # 1,234 / 1.234, as the language groups digits
        text = ngettext(template.text, template.plural, count).format(**values)
    else:
        text = _(template.text).format(**values) if template.text else ""
    hint = _(template.hint).format(**values) if template.hint else ""
    return text, hint


def library_detail(error: BaseException) -> str:
    """A library's own error text, shown as the ``detail`` of one of our sentences.

    Its first line without the final stop (the sentence has its own), or its
    type when it has no text. The only place such text is touched: it is
    shown, never read for meaning.
    """
    text = str(error).strip()
    return text.splitlines()[0].rstrip(".") if text else type(error).__name__


def render_text(code: str, params: Mapping | None = None, /, **more) -> str:
    """The sentence of ``code`` alone (a note, a line of a summary): ``params`` and ``more``."""
    return render(code, {**(params or {}), **more})[0]
