"""REDCap: a data dictionary for the cohort data model, and records in REDCap's flat CSV.

The patients table is a plain instrument; every other table is a repeating
instrument, one instance per row, so a center can move between a REDCap
project and this tool without retyping. Field names are unique across the
project (REDCap requires it), hence the instrument prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nephrocohort.cohort import vocabulary as vocab
from nephrocohort.cohort.problems import Origin, make_problem
from nephrocohort.cohort.spreadsheet_cells import neutralise_frame
from nephrocohort.interop._errors import FileFormatError
from nephrocohort.interop._output import staged_file
from nephrocohort.interop._results import ImportResult
from nephrocohort.interop._variables import variable_for
from nephrocohort.messages import Message

__all__ = [
    "REDCAP_DICTIONARY_HEADERS",
    "RedcapField",
    "REDCAP_FIELDS",
    "redcap_dictionary",
    "redcap_records",
    "import_redcap",
    "tables_from_redcap_records",
    "write_redcap_dictionary",
    "write_suggested_redcap_mapping",
]

#: The column headers of a REDCap data dictionary, exactly as REDCap writes them.
REDCAP_DICTIONARY_HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)

RECORD_ID = "record_id"
REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
EVENT_NAME = "redcap_event_name"
DATA_ACCESS_GROUP = "redcap_data_access_group"
SURVEY_IDENTIFIER = "redcap_survey_identifier"

#: REDCap's own columns and the header its "CSV (labels)" export gives them
#: (REDCap's reserved field names; REDCap's export test B.5.21.0200.100 lists
#: "Record ID", "Event Name", "Repeat Instrument", "Repeat Instance",
#: "Data Access Group", "Survey Identifier", "Survey Timestamp", "Complete?").
SYSTEM_LABELS = {
    "Event Name": EVENT_NAME,
    "Repeat Instrument": REPEAT_INSTRUMENT,
    "Repeat Instance": REPEAT_INSTANCE,
    "Data Access Group": DATA_ACCESS_GROUP,
    "Survey Identifier": SURVEY_IDENTIFIER,
}
COMPLETE_LABEL = "Complete?"
TIMESTAMP_LABEL = "Survey Timestamp"
#: Columns REDCap adds that hold no cohort data: read, said in the notes, not imported.
_NOT_IMPORTED = (DATA_ACCESS_GROUP, SURVEY_IDENTIFIER)

#: --date-format may name the order the way REDCap's export dialog and
#: validation types do (date_dmy, date_mdy, date_ymd).
DATE_ORDERS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "ymd": "%Y-%m-%d"}

# REDCap choice codes may hold only letters, digits and underscores, so dose
# units get codes of their own; the label shows the unit as written.
DOSE_UNIT_CODES = {unit: unit.replace("/", "_") for unit in vocab.DOSE_UNITS}


def _file_error(code: str, **params) -> FileFormatError:
    return FileFormatError(f"redcap.{code}", **params)


@dataclass(frozen=True)
class RedcapField:
    """One REDCap field and the bundle column it holds."""

    field: str
    form: str
    table: str
    column: str
    field_type: str = "text"
    validation: str = ""
    minimum: float | None = None
    maximum: float | None = None
    identifier: bool = False
    required: bool = False
    note: str = ""
    codes: dict[str, str] | None = None  # bundle code -> REDCap code, when they differ
    label: str = ""  # the field label, when the bundle column's label does not fit REDCap

    def field_label(self) -> str:
        if self.label:
            return self.label
        variable = variable_for(self.table, self.column)
        return variable.label if variable else self.column

    def field_note(self) -> str:
        """The note REDCap shows under the field: the unit the value is recorded in, first."""
        variable = variable_for(self.table, self.column)
        unit = variable.unit if variable is not None and variable.unit else ""
        if unit and self.note:
            return f"Unit: {unit}. {self.note}"
        if not unit and not self.note and self.validation == "date_ymd":
            return "YYYY-MM-DD"
        return f"Unit: {unit}" if unit else self.note

    def choices(self) -> tuple[tuple[str, str], ...]:
        variable = variable_for(self.table, self.column)
        pairs = variable.choices if variable else ()
        if self.codes:
            return tuple((self.codes[code], label) for code, label in pairs)
        return pairs


def _date(field, form, table, column, *, identifier=False, required=False):
    return RedcapField(
        field, form, table, column, "text", "date_ymd", identifier=identifier, required=required
    )


def _choice(field, form, table, column, *, kind="dropdown", required=False, codes=None):
    return RedcapField(field, form, table, column, kind, required=required, codes=codes)


def _range(table, column):
    plausible = vocab.COLUMN_RANGES.get((table, column))
    return (plausible.low, plausible.high) if plausible else (None, None)


def _number(field, form, table, column, *, validation="number"):
    low, high = _range(table, column)
    if low is None:
        variable = variable_for(table, column)
        low, high = (variable.minimum, variable.maximum) if variable else (None, None)
    return RedcapField(field, form, table, column, "text", validation, low, high)


# Records carry labs as measured (redcap_records writes measured_value/measured_unit),
# so the field says so; the bundle converts them to the canonical unit on import.
_LAB_VALUE_NOTE = (
    "In the unit given in lab_unit, as measured (converted on import). "
    "A number; a dipstick result may be a grade (negative, trace, 1+ ...)"
)


_LAB_UNIT_NOTE = "Accepted units: " + "; ".join(
    f"{name}: {', '.join(test.units)}" for name, test in vocab.LAB_TESTS.items()
)

REDCAP_FIELDS: tuple[RedcapField, ...] = (
    RedcapField(
        RECORD_ID,
        "patients",
        "patients",
        "patient_id",
        required=True,
        note="Pseudonymous identifier; never a name or hospital number",
    ),
    RedcapField("center", "patients", "patients", "center"),
    _choice("sex", "patients", "patients", "sex", kind="radio", required=True),
    _date("birth_date", "patients", "patients", "birth_date", identifier=True, required=True),
    _date("onset_date", "patients", "patients", "onset_date"),
    _choice("family_history_ns", "patients", "patients", "family_history_ns", kind="radio"),
    _choice("consanguinity", "patients", "patients", "consanguinity", kind="radio"),
    _date("consent_date", "patients", "patients", "consent_date"),
    _date("assent_date", "patients", "patients", "assent_date"),
    _date("consent_withdrawn_date", "patients", "patients", "consent_withdrawn_date"),
    *(
        _choice(s, "patients", "patients", s, kind="radio")
        for s in ("hbv", "hcv", "syphilis", "hiv")
    ),
    *(
        _choice(s, "patients", "patients", s, kind="radio")
        for s in ("edema_at_onset", "hypertension_at_onset", "aki_at_onset", "hematuria_at_onset")
    ),
    _date("last_followup_date", "patients", "patients", "last_followup_date"),
    _date("death_date", "patients", "patients", "death_date"),
    _date("biopsy_date", "biopsies", "biopsies", "biopsy_date", required=True),
    _choice("histology", "biopsies", "biopsies", "histology", required=True),
    _date("genetics_test_date", "genetics", "genetics", "test_date"),
    RedcapField(
        "genetics_gene",
        "genetics",
        "genetics",
        "gene",
        required=True,
        note="HGNC gene symbol, e.g. NPHS2",
    ),
    RedcapField(
        "genetics_variant",
        "genetics",
        "genetics",
        "variant",
        "notes",
        identifier=True,
        note="HGVS notation",
    ),
    _choice("genetics_classification", "genetics", "genetics", "classification", required=True),
    _date("visit_date", "visits", "visits", "date", required=True),
    _number("weight_kg", "visits", "visits", "weight_kg"),
    _number("height_cm", "visits", "visits", "height_cm"),
    _number("sbp_mmhg", "visits", "visits", "sbp_mmhg", validation="integer"),
    _number("dbp_mmhg", "visits", "visits", "dbp_mmhg", validation="integer"),
    _choice("visit_edema", "visits", "visits", "edema", kind="radio"),
    _date("lab_date", "labs", "labs", "date", required=True),
    _choice("lab_test", "labs", "labs", "test", required=True),
    RedcapField(
        "lab_value",
        "labs",
        "labs",
        "value",
        required=True,
        note=_LAB_VALUE_NOTE,
        label="Result (as measured)",
    ),
    RedcapField(
        "lab_unit",
        "labs",
        "labs",
        "unit",
        required=True,
        note=_LAB_UNIT_NOTE,
        label="Unit of the result",
    ),
    _choice("med_drug", "medications", "medications", "drug", required=True),
    _date("med_start_date", "medications", "medications", "start_date", required=True),
    _date("med_end_date", "medications", "medications", "end_date"),
    RedcapField(
        "med_dose",
        "medications",
        "medications",
        "dose",
        "text",
        "number",
        0.0,
        note="In the unit given in med_dose_unit",
    ),
    _choice("med_dose_unit", "medications", "medications", "dose_unit", codes=DOSE_UNIT_CODES),
    _choice("med_schedule", "medications", "medications", "schedule"),
    RedcapField(
        "med_stop_reason", "medications", "medications", "stop_reason", "notes", identifier=True
    ),
    _date("event_date", "events", "events", "date", required=True),
    _choice("event_type", "events", "events", "event", required=True),
    RedcapField("event_detail", "events", "events", "detail", "notes", identifier=True),
)

FORMS: tuple[str, ...] = tuple(dict.fromkeys(f.form for f in REDCAP_FIELDS))
REPEATING_FORMS: tuple[str, ...] = tuple(form for form in FORMS if form != "patients")


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def redcap_dictionary() -> pd.DataFrame:
    """The REDCap data dictionary (upload it in Project Setup > Data Dictionary).

    The repeating instruments (every form but ``patients``) must also be
    enabled as repeating in the project settings; REDCap does not take that
    from the dictionary.
    """
    rows = []
    sections = {
        "patients": "Patient",
        "biopsies": "Kidney biopsy",
        "genetics": "Genetic test",
        "visits": "Visit",
        "labs": "Laboratory result",
        "medications": "Drug course",
        "events": "Clinical event",
    }
    seen_forms: set[str] = set()
    for field in REDCAP_FIELDS:
        choices = " | ".join(f"{code}, {label}" for code, label in field.choices())
        section = "" if field.form in seen_forms else sections[field.form]
        seen_forms.add(field.form)
        rows.append(
            {
                "Variable / Field Name": field.field,
                "Form Name": field.form,
                "Section Header": section,
                "Field Type": field.field_type,
                "Field Label": field.field_label(),
                "Choices, Calculations, OR Slider Labels": choices,
                "Field Note": field.field_note(),
                "Text Validation Type OR Show Slider Number": field.validation,
                "Text Validation Min": _number_text(field.minimum),
                "Text Validation Max": _number_text(field.maximum),
                "Identifier?": "y" if field.identifier else "",
                "Branching Logic (Show field only if...)": "",
                "Required Field?": "y" if field.required else "",
                "Custom Alignment": "",
                "Question Number (surveys only)": "",
                "Matrix Group Name": "",
                "Matrix Ranking?": "",
                "Field Annotation": "",
            }
        )
    return pd.DataFrame(rows, columns=list(REDCAP_DICTIONARY_HEADERS))


def _record_columns() -> list[str]:
    columns = [RECORD_ID, REPEAT_INSTRUMENT, REPEAT_INSTANCE]
    for form in FORMS:
        columns += [f.field for f in REDCAP_FIELDS if f.form == form and f.field != RECORD_ID]
        columns.append(f"{form}_complete")
    return columns


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def redcap_records(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The cohort's raw tables as REDCap flat records (the "CSV, raw data" import format).

    Labs are written as measured (``measured_value``/``measured_unit`` when the
    table has them), so importing them back gives the same cohort.
    """
    columns = _record_columns()
    rows: list[dict[str, str]] = []
    patients = tables.get("patients", pd.DataFrame(columns=["patient_id"]))
    by_form = {form: [f for f in REDCAP_FIELDS if f.form == form] for form in FORMS}
    for _, patient in patients.iterrows():
        row = {RECORD_ID: _cell(patient["patient_id"]), "patients_complete": "2"}
        for field in by_form["patients"][1:]:
            row[field.field] = _cell(patient.get(field.column))
        rows.append(row)
    for form in REPEATING_FORMS:
        frame = tables.get(form)
        if frame is None or frame.empty:
            continue
        frame = _as_measured(form, frame)
        instance = frame.groupby(frame["patient_id"].astype(str), sort=False).cumcount() + 1
        for position, (_, record) in enumerate(frame.iterrows()):
            row = {
                RECORD_ID: _cell(record["patient_id"]),
                REPEAT_INSTRUMENT: form,
                REPEAT_INSTANCE: str(int(instance.iloc[position])),
                f"{form}_complete": "2",
            }
            for field in by_form[form]:
                value = _cell(record.get(field.column))
                if field.codes and value:
                    value = field.codes.get(value, value)
                row[field.field] = value
            rows.append(row)
    out = pd.DataFrame(rows, columns=columns).fillna("")
    order = {pid: i for i, pid in enumerate(out.loc[out[REPEAT_INSTRUMENT] == "", RECORD_ID])}
    out["_patient"] = out[RECORD_ID].map(order).fillna(len(order))
    out = out.sort_values("_patient", kind="stable").drop(columns="_patient")
    return out.reset_index(drop=True)


def _as_measured(form: str, frame: pd.DataFrame) -> pd.DataFrame:
    if form != "labs" or "measured_value" not in frame.columns:
        return frame
    from nephrocohort.interop._bundle_io import labs_as_entered

    return labs_as_entered(frame)


def tables_from_redcap_records(
    records: pd.DataFrame, *, source: str = "REDCap file"
) -> dict[str, pd.DataFrame]:
    """Split REDCap flat records (raw codes or labels) back into bundle tables of text.

    Rows keep REDCap's order and no column is added, so the result equals the
    tables that were exported. Raises :class:`FileFormatError` for a file that
    is not a REDCap export of this project.
    """
    return _split_records(records, source=source)[0]


def _is_timestamp(column: str) -> bool:
    return column.endswith("_timestamp") and column[: -len("_timestamp")] in FORMS


def _names_from_labels(header: list[str], source: str) -> list[str]:
    """Field names for a "CSV (labels)" header, matched in the project's field order.

    Labels repeat ("Complete?" closes every form, two forms may share a label),
    so each label is matched to the next field with that label after the
    previous match; a survey timestamp belongs to the form whose fields follow.
    """
    order = _record_columns()
    labels = {f.field: f.field_label() for f in REDCAP_FIELDS}
    names: list[str] = [RECORD_ID]
    at = 0
    for position, label in enumerate(header[1:], start=2):
        if label in SYSTEM_LABELS:
            names.append(SYSTEM_LABELS[label])
            continue
        if label == TIMESTAMP_LABEL:
            following = next((c for c in order[at + 1 :] if not c.startswith("redcap_")), None)
            form = next((f.form for f in REDCAP_FIELDS if f.field == following), None)
            names.append(f"{form or 'survey'}_timestamp")
            continue
        wanted = (
            (lambda c: c.endswith("_complete"))
            if label == COMPLETE_LABEL
            else (lambda c, label=label: labels.get(c) == label)
        )
        match = next((i for i in range(at + 1, len(order)) if wanted(order[i])), None)
        if match is None:
            raise _file_error("unknown_label", source=source, position=position, label=label)
        names.append(order[match])
        at = match
    return names


def _field_header(records: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Records with REDCap field names as columns (a labels header translated), and notes."""
    header = [str(c).strip() for c in records.columns]
    notes: list[str] = []
    record_label = next(f.field_label() for f in REDCAP_FIELDS if f.field == RECORD_ID)
    if header and header[0] in ("Record ID", record_label):
        header = _names_from_labels(header, source)
        notes.append(Message("redcap.note.labels", {"source": source}))
    records = records.copy()
    records.columns = header
    if len(set(header)) != len(header):
        repeated = next(name for name in header if header.count(name) > 1)
        raise FileFormatError("duplicate_column", where=source, column=repeated)
    extra = [c for c in header if c in _NOT_IMPORTED or _is_timestamp(c)]
    if extra:
        notes.append(Message("redcap.note.not_imported", {"columns": ", ".join(extra)}))
        records = records.drop(columns=extra)
    return records, notes


def _split_records(records: pd.DataFrame, *, source: str):
    """``(tables, origins, notes)``: origins name the file row of every table row."""
    records, notes = _field_header(records, source)
    if EVENT_NAME in records.columns:
        raise _file_error("longitudinal", source=source)
    if not len(records.columns) or records.columns[0] != RECORD_ID:
        first = records.columns[0] if len(records.columns) else "nothing"
        raise _file_error("not_records", source=source, first=first, expected=RECORD_ID)
    known = set(_record_columns())
    unknown = [c for c in records.columns if c not in known]
    if unknown:
        raise _file_error("unknown_columns", source=source, columns=", ".join(unknown[:8]))
    records = records.fillna("").astype(str)
    if REPEAT_INSTRUMENT not in records.columns:
        records[REPEAT_INSTRUMENT] = ""
    instruments = records[REPEAT_INSTRUMENT].str.strip().map(_instrument_name)
    bad = sorted(set(instruments) - set(REPEATING_FORMS) - {""})
    if bad:
        line = int(instruments[instruments == bad[0]].index[0]) + 2
        raise _file_error(
            "unknown_instrument",
            source=source,
            row=line,
            column=REPEAT_INSTRUMENT,
            value=bad[0],
            forms=", ".join(REPEATING_FORMS),
        )
    tables: dict[str, pd.DataFrame] = {}
    origins: dict[str, list[Origin]] = {}
    for form in FORMS:
        rows = records[instruments == ("" if form == "patients" else form)]
        if rows.empty:
            continue
        origins[form] = [Origin(source, int(i) + 2) for i in rows.index]
        data = {}
        for field in (f for f in REDCAP_FIELDS if f.form == form or f.field == RECORD_ID):
            if field.field not in rows.columns:
                continue
            values = rows[field.field].str.strip()
            values = _decode_choices(field, values)
            data[field.column] = values.to_list()
        tables[form] = pd.DataFrame(data)
    return tables, origins, notes


def _instrument_name(value: str) -> str:
    """The form name for a repeat-instrument cell: "visits", or its label "Visits"."""
    key = value.replace("_", " ").strip().casefold()
    return next((form for form in FORMS if form.replace("_", " ") == key), value)


def _decode_choices(field: RedcapField, values: pd.Series) -> pd.Series:
    variable = variable_for(field.table, field.column)
    if variable is None or not variable.choices:
        return values
    pairs = field.choices()
    to_bundle = {
        redcap: bundle for (bundle, _), (redcap, _) in zip(variable.choices, pairs, strict=True)
    }
    by_label = {label.lower(): to_bundle[code] for code, label in pairs}

    def decode(value: str) -> str:
        if value in to_bundle:
            return to_bundle[value]
        # REDCap's "labels" export writes Male instead of M; unknown values are
        # left as they are for the bundle validator to report with their row.
        return by_label.get(value.lower(), value)

    return values.map(decode)


def write_redcap_dictionary(out) -> Path:
    """Write the data dictionary CSV to ``out`` (never over an existing file)."""
    out = Path(out)
    with staged_file(out, what="Data dictionary file") as staging:
        neutralise_frame(redcap_dictionary()).to_csv(staging, index=False, encoding="utf-8")
    return out


def check_formats(date_format: str | None, decimal: str | None) -> str | None:
    """The strptime format for --date-format (``dmy`` is ``%d/%m/%Y``); refuse an impossible one.

    Checked before anything is read, so a typo costs no time on a big export.
    """
    from nephrocohort.interop._errors import InteropError

    if date_format is not None and date_format.strip().casefold() in DATE_ORDERS:
        date_format = DATE_ORDERS[date_format.strip().casefold()]
    if date_format is not None and not any(d in date_format for d in ("%d", "%m", "%Y", "%y")):
        raise InteropError("redcap.bad_format_option", date_format=date_format)
    if decimal not in (None, ".", ","):
        raise InteropError("redcap.bad_decimal_option", decimal=decimal)
    return date_format


def _read_formats(
    tables: dict[str, pd.DataFrame],
    origins: dict[str, list[Origin]],
    *,
    date_format: str | None,
    decimal: str | None,
):
    """Dates to YYYY-MM-DD and decimal commas to points, as the user stated them.

    Returns ``(tables, problems, flagged)``: ``flagged`` holds the cells
    ``(table, file row, column)`` already reported here, so the bundle
    validator's sentence for the same cell is left out. Without ``date_format``,
    a date field not written YYYY-MM-DD is one problem per field, not one per
    row, with the day/month order the values prove (never guessed).
    """
    from nephrocohort.interop._values import (
        detect_date_format,
        looks_like_decimal_comma,
        read_date,
        read_number,
    )

    numeric = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
    needed: dict[str, str] = {}  # option -> value that would read the file
    file_order = detect_date_format(
        text
        for form, frame in tables.items()
        for field in REDCAP_FIELDS
        if field.form == form and field.validation == "date_ymd" and field.column in frame
        for text in frame[field.column].astype(str)
        if text and read_date(text, date_format=None)[0] is None
    )
    problems: list = []
    flagged: set[tuple[str, int | None, str]] = set()
    out: dict[str, pd.DataFrame] = {}
    for form, frame in tables.items():
        frame = frame.copy()
        places = origins.get(form, [])
        for field in (f for f in REDCAP_FIELDS if f.form == form and f.column in frame.columns):
            values = frame[field.column].astype(str)
            where = places[0].source if places else form
            if field.validation == "date_ymd":
                wrong = [
                    (position, text)
                    for position, text in enumerate(values)
                    if text and read_date(text, date_format=None)[0] is None
                ]
                if not wrong:
                    continue
                if date_format is None:
                    undated = [
                        (p, t)
                        for p, t in wrong
                        if read_date(t, date_format=None)[1].code != "values.not_a_real_date"
                    ]
                    if not undated:
                        continue
                    detected, why = detect_date_format(text for _, text in undated)
                    hint_code = "date_format_detected" if detected else "date_format_unknown"
                    if detected is None and file_order[0] is not None:
                        detected, why = file_order
                        hint_code = "date_format_file"
                    order = _order_name(detected)
                    hint = Message(
                        f"redcap.{hint_code}", {"why": why, "detected": detected, "order": order}
                    )
                    if order:
                        needed.setdefault("--date-format", order)
                    _report_first(
                        "redcap.date_format_needed",
                        undated,
                        problems,
                        flagged,
                        form=form,
                        field=field,
                        places=places,
                        where=where,
                        hint=hint,
                    )
                    continue
                for position, text in wrong:
                    date, _reason = read_date(text, date_format=date_format)
                    if date is not None:
                        frame.iloc[position, frame.columns.get_loc(field.column)] = date.isoformat()
                        continue
                    row = places[position].row
                    problems.append(
                        make_problem(
                            "redcap.bad_date",
                            table=form,
                            row=row,
                            column=field.column,
                            value=text,
                            source=where,
                            field=field.field,
                            date_format=date_format,
                        )
                    )
                    flagged.add((form, row, field.column))
            elif decimal is None and (
                field.validation in ("number", "integer") or field.column == "value"
            ):
                commas = [
                    (position, text)
                    for position, text in enumerate(values)
                    if looks_like_decimal_comma(text)
                ]
                if not commas:
                    continue
                _report_first(
                    "redcap.decimal_needed",
                    commas,
                    problems,
                    flagged,
                    form=form,
                    field=field,
                    places=places,
                    where=where,
                )
                needed["--decimal"] = ","
            elif decimal is not None and (
                field.validation in ("number", "integer") or field.column == "value"
            ):
                for position, text in enumerate(values):
                    if not numeric.match(text.strip()):
                        continue  # empty, a dipstick grade, or not a number: the validator says
                    number, reason, _comma = read_number(text, decimal=decimal)
                    if reason is None:
                        frame.iloc[position, frame.columns.get_loc(field.column)] = (
                            text.strip().replace(",", ".")
                        )
                        continue
                    row = places[position].row
                    problems.append(
                        make_problem(
                            "redcap.bad_number",
                            table=form,
                            row=row,
                            column=field.column,
                            value=text,
                            source=where,
                            field=field.field,
                            reason=Message(
                                reason.code,
                                {**reason.params, "stated": Message("values.stated_by_option")},
                            ),
                        )
                    )
                    flagged.add((form, row, field.column))
        out[form] = frame
    if needed:
        options = " ".join(f"{option} {value}" for option, value in sorted(needed.items()))
        problems.append(
            make_problem("redcap.formats_needed", table="records", source=where, options=options)
        )
    return out, problems, flagged


def _order_name(date_format: str | None) -> str | None:
    """``dmy`` for ``%d/%m/%Y``: the short --date-format name, when there is one."""
    return next((name for name, fmt in DATE_ORDERS.items() if fmt == date_format), None)


def import_redcap(
    path,
    out,
    *,
    date_format: str | None = None,
    decimal: str | None = None,
    mapping=None,
    progress=None,
) -> ImportResult:
    """Turn a REDCap records export (flat CSV) into a validated bundle folder at ``out``.

    Accepts raw codes or REDCap's label export. Dates are YYYY-MM-DD (REDCap's
    raw export) unless ``date_format`` states another order (strptime codes,
    as in a legacy-sheet mapping, e.g. ``"%d/%m/%Y"`` for 30/11/2009; never
    guessed); ``decimal=","`` reads decimal commas ("1,9"). Every value is
    validated as in a bundle; if anything is wrong nothing is written and
    every problem is reported with its row in the records file.

    ``mapping`` (a mapping file, see ``_redcap_mapping``) reads the export of
    a foreign project, longitudinal or not, with its own field names.
    """
    from nephrocohort.exceptions import CohortValidationError
    from nephrocohort.interop._readers import read_table_file

    if mapping is not None:
        return _import_mapped(path, out, mapping, progress=progress)
    date_format = check_formats(date_format, decimal)
    table = read_table_file(path, progress=progress, duplicate_columns=True)
    tables, origins, header_notes = _split_records(table.frame, source=table.source)
    if "patients" not in tables:
        raise _file_error("no_patients", source=table.source, column=REPEAT_INSTRUMENT)
    tables, early, flagged = _read_formats(
        tables, origins, date_format=date_format, decimal=decimal
    )
    notes = list(table.notes) + header_notes
    if date_format:
        notes.append(Message("redcap.note.dates_read", {"date_format": date_format}))
    if decimal == ",":
        notes.append(Message("redcap.note.decimal_comma"))
    try:
        # With problems already found the tables are only checked (in memory), never written.
        cohort = _validated_or_written(tables, out, early, source=table.source, origins=origins)
    except CohortValidationError as error:
        later = [p for p in error.problems if (p.table, p.row, p.column) not in flagged]
        raise CohortValidationError(early + later, source=table.source) from None
    if early:
        raise CohortValidationError(early, source=table.source)
    return ImportResult(Path(out), cohort.row_counts(), tuple(notes))


def _validated_or_written(tables, out, early, *, source, origins):
    """The tables checked in memory; written as a bundle at ``out`` only with no ``early`` problem.

    Raises ``CohortValidationError`` with the tables' own problems.
    """
    from nephrocohort.interop._bundle_io import validated_cohort, write_validated_bundle

    if early:
        return validated_cohort(tables, source=source, origins=origins)[0]
    return write_validated_bundle(tables, out, source=source, origins=origins)


def _report_first(code, cells, problems, flagged, *, form, field, places, where, **params):
    """One problem for a column's many cells of one kind (the first named, all counted);
    every cell is flagged so that no second problem is raised for it."""
    first_position, first = cells[0]
    problems.append(
        make_problem(
            code,
            table=form,
            row=places[first_position].row,
            column=field.column,
            value=first,
            source=where,
            field=field.field,
            count=len(cells),
            first=first,
            **params,
        )
    )
    for position, _ in cells:
        flagged.add((form, places[position].row, field.column))


def _import_mapped(path, out, mapping_path, *, progress=None) -> ImportResult:
    """A foreign project's raw export through its (checked) mapping file."""
    from nephrocohort.exceptions import CohortValidationError
    from nephrocohort.interop._readers import read_table_file
    from nephrocohort.interop._redcap_mapping import (
        load_redcap_mapping,
        tables_from_mapped_records,
    )

    mapping = load_redcap_mapping(mapping_path)
    table = read_table_file(path, progress=progress)
    tables, origins, early, notes = tables_from_mapped_records(
        table.frame, mapping, source=table.source, mapping_name=Path(mapping_path).name
    )
    try:
        cohort = _validated_or_written(tables, out, early, source=table.source, origins=origins)
    except CohortValidationError as error:
        raise CohortValidationError(early + list(error.problems), source=table.source) from None
    if early:
        raise CohortValidationError(early, source=table.source)
    return ImportResult(Path(out), cohort.row_counts(), tuple(table.notes) + tuple(notes))


def write_suggested_redcap_mapping(dictionary, out) -> tuple[Path, int, int]:
    """Draft a mapping from a foreign project's data dictionary CSV; ``(path, proposed, ignored)``."""
    from nephrocohort.interop._output import staged_file
    from nephrocohort.interop._readers import read_table_file
    from nephrocohort.interop._redcap_mapping import suggest_redcap_mapping

    table = read_table_file(dictionary)
    text, proposed, ignored = suggest_redcap_mapping(
        table.frame, source=table.source, headers=REDCAP_DICTIONARY_HEADERS
    )
    with staged_file(Path(out), what="Mapping file") as staging:
        staging.write_text(text, encoding="utf-8")
    return Path(out), proposed, ignored
