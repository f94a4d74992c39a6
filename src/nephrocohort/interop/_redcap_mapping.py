"""A foreign REDCap project (its own dictionary and field names) read through a mapping file.

The path is the legacy sheet's: ``--suggest-mapping`` drafts a YAML mapping
from the project's data dictionary (field labels, validation types,
choices), a person checks it, and the import applies it::

    redcap_mapping: 1
    fields:
      study_id: {table: patients, column: patient_id}
      sexo: {table: patients, column: sex, codes: {"1": M, "2": F}}
      fecha_visita: {table: visits, column: date}
      peso: {table: visits, column: weight_kg}
      creat: {table: labs, test: serum_creatinine, unit: mg/dL, date_field: fecha_visita}
      notas: {ignore: true}

A longitudinal export has one row per record, event (``redcap_event_name``)
and repeat instance: the patients fields of a record are merged from its
rows (two different values are an error, never a silent choice); every row
with values of another table gives one row of it; each lab field with a
value gives one lab, dated by its ``date_field`` in the same row (or, for a
repeating lab form, in its event's own row). REDCap's
own columns (event, repeat instrument and instance, data access group,
``*_complete``, survey timestamps) are read, not imported; any other column
the mapping does not list is an error, so nothing is dropped unsaid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from nephrocohort.clinical.units import ACCEPTED_UNITS, normalise_unit
from nephrocohort.cohort.contract import TABLES
from nephrocohort.cohort.problems import Origin, make_problem
from nephrocohort.interop._errors import MappingError
from nephrocohort.messages import Message, library_detail

__all__ = ["load_redcap_mapping", "suggest_redcap_mapping", "tables_from_mapped_records"]

_EVENT = "redcap_event_name"
_SYSTEM = {
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_data_access_group",
    "redcap_survey_identifier",
}
_KEYS = ("table", "column", "test", "unit", "date_field", "codes", "ignore")
_DATE_COLUMN = {"visits": "date", "labs": "date", "events": "date", "biopsies": "biopsy_date"}
_DATE_COLUMN |= {"genetics": "test_date", "medications": "start_date"}


@dataclass(frozen=True)
class FieldMap:
    """Where one REDCap field goes: a bundle column, a lab, or nowhere (``ignore``)."""

    table: str | None = None
    column: str | None = None
    test: str | None = None
    unit: str | None = None
    date_field: str | None = None
    codes: dict | None = None

    @property
    def ignored(self) -> bool:
        return self.table is None


def _fail(code: str, **params) -> MappingError:
    return MappingError(f"redcap.map.{code}", **params)


def _bad(source: str, field: str, code: str, **params) -> MappingError:
    problem = Message(f"redcap.map.{code}", params)
    return _fail("bad_field", source=source, field=field, problem=problem)


def _field_map(source: str, name: str, spec) -> FieldMap:
    if not isinstance(spec, dict):
        raise _bad(source, name, "no_target")
    for key in spec:
        if key not in _KEYS:
            raise _bad(source, name, "unknown_key", key=key, keys=", ".join(_KEYS))
    if spec.get("ignore") is True:
        return FieldMap()
    table = spec.get("table")
    if table is None:
        raise _bad(source, name, "no_target")
    if table not in TABLES:
        raise _bad(source, name, "unknown_table", table=table, tables=", ".join(TABLES))
    if table == "labs":
        return _lab_map(source, name, spec)
    columns = [c for c in TABLES[table].column_names if c != "patient_id" or table == "patients"]
    column = spec.get("column")
    if column not in columns:
        if column is None:
            raise _bad(source, name, "no_target")
        raise _bad(
            source, name, "unknown_column", column=column, table=table, columns=", ".join(columns)
        )
    codes = spec.get("codes")
    if codes is not None:
        allowed = TABLES[table].column(column).codes or ()
        if not isinstance(codes, dict) or any(
            allowed and str(v) not in allowed for v in codes.values()
        ):
            raise _bad(source, name, "bad_codes", allowed=", ".join(allowed) or "any text")
        codes = {str(k): str(v) for k, v in codes.items()}
    return FieldMap(table=table, column=column, codes=codes)


def _lab_map(source: str, name: str, spec: dict) -> FieldMap:
    test = spec.get("test")
    if test not in ACCEPTED_UNITS:
        raise _bad(source, name, "unknown_test", test=test, tests=", ".join(ACCEPTED_UNITS))
    unit = spec.get("unit")
    if not unit:
        raise _bad(source, name, "no_unit", test=test, units=", ".join(ACCEPTED_UNITS[test]))
    if not spec.get("date_field"):
        raise _bad(source, name, "no_date_field")
    return FieldMap(table="labs", test=test, unit=str(unit), date_field=str(spec["date_field"]))


def load_redcap_mapping(path: Path | str) -> dict[str, FieldMap]:
    """The fields of a mapping file, checked (a clear error for any wrong line)."""
    source = Path(path).name
    if Path(path).is_dir():
        raise _fail("is_folder", path=path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _fail("unreadable", source=source, detail=library_detail(error)) from None
    if not isinstance(data, dict) or data.get("redcap_mapping") != 1:
        raise _fail("not_a_mapping", source=source)
    fields = data.get("fields")
    if not isinstance(fields, dict):
        raise _fail("not_a_mapping", source=source)
    mapped = {str(name): _field_map(source, str(name), spec) for name, spec in fields.items()}
    for name, spec in mapped.items():
        if spec.date_field is not None and spec.date_field not in mapped:
            raise _bad(source, name, "unknown_date_field", date_field=spec.date_field)
    if not any(s.table == "patients" and s.column == "patient_id" for s in mapped.values()):
        raise _fail("no_record_id", source=source)
    return mapped


def _base(column: str) -> str:
    """A checkbox column ``symptoms___2`` belongs to the field ``symptoms``."""
    return column.split("___", 1)[0]


def _is_system(column: str) -> bool:
    return column in _SYSTEM or column.endswith("_complete") or column.endswith("_timestamp")


def tables_from_mapped_records(
    records: pd.DataFrame, mapping: dict[str, FieldMap], *, source: str, mapping_name: str
):
    """``(tables, origins, problems, notes)`` of a foreign project's records export."""
    records = records.fillna("").astype(str)
    header = list(records.columns)
    unmapped = [c for c in header if not _is_system(c) and _base(c) not in mapping]
    if unmapped:
        raise _fail(
            "unmapped_columns", source=source, mapping=mapping_name, columns=", ".join(unmapped)
        )
    notes = []
    absent = [name for name, spec in mapping.items() if not spec.ignored and name not in header]
    if absent:
        notes.append(Message("redcap.map.note.absent", {"fields": ", ".join(absent)}))
    id_field = next(
        n for n, s in mapping.items() if (s.table, s.column) == ("patients", "patient_id")
    )
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    origins: dict[str, list[Origin]] = {name: [] for name in TABLES}
    problems = []
    patients: dict[str, dict] = {}
    first_rows: dict[tuple[str, str], tuple[str, int]] = {}
    all_rows = records.to_dict("records")
    # The event's own row (no repeat instrument): where a repeated lab form's date is.
    event_rows = {
        (row.get(id_field, "").strip(), row.get(_EVENT, "")): row
        for row in all_rows
        if not row.get("redcap_repeat_instrument", "").strip()
    }
    for position, record in enumerate(all_rows):
        line = position + 2
        pid = record.get(id_field, "").strip()
        if not pid:
            continue
        if pid not in patients:
            patients[pid] = {"patient_id": pid}
            origins["patients"].append(Origin(source, line))
        per_table: dict[str, dict] = {}
        for name, spec in mapping.items():
            if spec.ignored or name not in record or name == id_field:
                continue
            value = record[name].strip()
            if not value:
                continue
            if spec.codes:
                value = spec.codes.get(value, value)
            if spec.table == "labs":
                date = record.get(spec.date_field, "").strip()
                if not date:
                    event_row = event_rows.get((pid, record.get(_EVENT, "")), {})
                    date = event_row.get(spec.date_field, "").strip()
                lab = {"patient_id": pid, "date": date, "test": spec.test, "value": value}
                rows["labs"].append({**lab, "unit": spec.unit})
                origins["labs"].append(Origin(source, line))
            elif spec.table == "patients":
                held = patients[pid].get(spec.column)
                if held is None:
                    patients[pid][spec.column] = value
                    first_rows[(pid, spec.column)] = (value, line)
                elif held != value:
                    problems.append(
                        make_problem(
                            "redcap.map.conflict",
                            source=source,
                            table="patients",
                            row=line,
                            column=spec.column,
                            value=value,
                            field=name,
                            record=pid,
                            other=held,
                            other_row=first_rows[(pid, spec.column)][1],
                        )
                    )
            else:
                per_table.setdefault(spec.table, {"patient_id": pid})[spec.column] = value
        for table, row in per_table.items():
            rows[table].append(row)
            origins[table].append(Origin(source, line))
    rows["patients"] = list(patients.values())
    tables = {
        name: pd.DataFrame(found, columns=_columns(name, found))
        for name, found in rows.items()
        if found or name == "patients"
    }
    origins = {name: places for name, places in origins.items() if name in tables}
    events = records[_EVENT].replace("", pd.NA).dropna().unique() if _EVENT in header else []
    notes.insert(
        0,
        Message(
            "redcap.map.note.applied",
            {
                "source": source,
                "mapping": mapping_name,
                "rows": len(records),
                "records": len(patients),
                "events": ", ".join(events) or "none",
            },
        ),
    )
    return tables, origins, problems, notes


def _columns(table: str, rows: list[dict]) -> list[str]:
    present = {key for row in rows for key in row}
    return [c for c in TABLES[table].column_names if c in present or c == "patient_id"]


# --- drafting a mapping from the data dictionary ------------------------------------------------

# Words of field labels (and names), English and Spanish, per bundle column: a proposal only.
_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("patients", "sex"): ("sex", "sexo", "gender", "genero"),
    ("patients", "birth_date"): ("birth", "nacimiento", "dob", "fecha de nac"),
    ("patients", "onset_date"): ("onset", "debut", "fecha de diagnostico", "diagnosis date"),
    ("patients", "center"): ("center", "centre", "centro", "hospital"),
    ("patients", "last_followup_date"): ("last follow", "ultimo control", "ultima visita"),
    ("patients", "death_date"): ("death", "fallecimiento", "defuncion"),
    ("visits", "date"): (
        "visit date",
        "date of visit",
        "fecha de visita",
        "fecha de la visita",
        "fecha visita",
        "fecha del control",
    ),
    ("visits", "weight_kg"): ("weight", "peso"),
    ("visits", "height_cm"): ("height", "talla", "estatura"),
    ("visits", "sbp_mmhg"): ("systolic", "sistolica"),
    ("visits", "dbp_mmhg"): ("diastolic", "diastolica"),
    ("visits", "edema"): ("edema", "oedema"),
    ("biopsies", "biopsy_date"): ("biopsy date", "fecha de biopsia", "fecha biopsia"),
    ("biopsies", "histology"): ("histology", "histologia", "biopsy result"),
}
_LAB_WORDS: dict[str, tuple[str, ...]] = {
    "upcr": ("protein/creatinine", "proteina/creatinina", "upcr", "uprot/ucr"),
    "serum_creatinine": ("creatinin",),
    "serum_albumin": ("albumin",),
    "serum_cholesterol": ("cholesterol", "colesterol"),
    "cystatin_c": ("cystatin", "cistatina"),
    "leukocytes": ("leukocytes", "leucocitos", "white cell"),
}
_CODE_WORDS: dict[str, tuple[str, ...]] = {
    "M": ("m", "male", "masculino", "hombre", "varon", "nino"),
    "F": ("f", "female", "femenino", "mujer", "nina"),
    "yes": ("yes", "si", "y"),
    "no": ("no", "n"),
    "unknown": ("unknown", "desconocido", "no sabe"),
}
_DATE_TYPES = ("date_ymd", "date_dmy", "date_mdy", "datetime_ymd", "datetime_dmy")
_NUMBER_TYPES = ("number", "integer", "number_1dp", "number_2dp", "number_1dp_comma_decimal")


def _plain(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip().lower()


def _choices(text: str) -> list[tuple[str, str]]:
    """REDCap's ``1, Masculino | 2, Femenino`` as (code, label) pairs."""
    pairs = []
    for part in str(text or "").split("|"):
        code, _, label = part.partition(",")
        if code.strip():
            pairs.append((code.strip(), label.strip()))
    return pairs


def _kind(column) -> str:
    return {"date": "date", "number": "number", "code": "code"}.get(column.kind, "text")


def _propose(name: str, row: dict) -> dict | None:
    """A field's proposed target, from its label, validation type and choices."""
    label = _plain(row["Field Label"]) + " " + _plain(name.replace("_", " "))
    validation = str(row["Text Validation Type OR Show Slider Number"] or "").strip()
    field_type = str(row["Field Type"] or "").strip()
    choices = _choices(row["Choices, Calculations, OR Slider Labels"])
    kind = "date" if validation in _DATE_TYPES else "number" if validation in _NUMBER_TYPES else ""
    if field_type in ("radio", "dropdown", "yesno", "truefalse"):
        kind = "code"
    if kind == "number":
        for test, words in _LAB_WORDS.items():
            if any(word in label for word in words):
                return {"table": "labs", "test": test, "unit": _unit(test, row)}
    for (table, column), words in _WORDS.items():
        spec = TABLES[table].column(column)
        if any(word in label for word in words) and (not kind or _kind(spec) == kind):
            proposal = {"table": table, "column": column}
            if spec.codes:
                pairs = choices or ([("1", "yes"), ("0", "no")] if field_type == "yesno" else [])
                proposal["codes"] = {code: _code(text, spec.codes) for code, text in pairs}
            return proposal
    return None


def _code(label: str, allowed) -> str:
    plain = _plain(label)
    for code in allowed:
        if plain == code.lower() or plain in _CODE_WORDS.get(code, ()):
            return code
    return label  # not recognised: the validator names it until the mapping says


def _unit(test: str, row: dict) -> str:
    text = f"{row['Field Label']} {row['Field Note']}"
    for unit in ACCEPTED_UNITS[test]:
        if normalise_unit(unit) in {normalise_unit(w) for w in re.findall(r"[\w/^.]+", text)}:
            return unit
    return ""


def _dump(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
    return text.removesuffix("\n...\n").strip()  # a plain scalar ends with a document marker


def suggest_redcap_mapping(
    dictionary: pd.DataFrame, *, source: str, headers: tuple[str, ...]
) -> tuple[str, int, int]:
    """``(yaml text, proposed, ignored)``: a draft mapping of the dictionary's fields.

    ``headers`` are REDCap's 18 dictionary columns (``_redcap.REDCAP_DICTIONARY_HEADERS``).
    """
    header = tuple(str(c).strip() for c in dictionary.columns)
    if header != headers:
        raise _fail(
            "not_a_dictionary",
            source=source,
            found=", ".join(header[:4]) + (", ..." if len(header) > 4 else ""),
            expected=", ".join(headers[:3]) + ", ...",
        )
    rows = dictionary.fillna("").astype(str).to_dict("records")
    lines = [
        f"# A mapping of the REDCap project of {source} to NephroCohort's tables, drafted by",
        "# `nephrocohort import-redcap --suggest-mapping` from each field's label, validation",
        "# type and choices. It is a guess: check every line (table, column, codes, lab unit",
        "# and date_field) before importing with --mapping.",
        "redcap_mapping: 1",
        "fields:",
    ]
    proposed = ignored = 0
    form_dates: dict[str, str] = {}
    drafts = []
    for position, row in enumerate(rows):
        name = row["Variable / Field Name"].strip()
        if position == 0:
            spec = {"table": "patients", "column": "patient_id"}
        elif row["Field Type"].strip() in ("descriptive", "calc", "file", "checkbox"):
            spec = None
        else:
            spec = _propose(name, row)
        if spec and spec.get("table") in _DATE_COLUMN and spec.get("column") == "date":
            form_dates.setdefault(row["Form Name"].strip(), name)
        drafts.append((name, row, spec))
    for name, row, spec in drafts:
        shown = _plain(row["Field Label"])[:60]
        if spec is None:
            ignored += 1
            lines.append(f"  {_dump(name)}: {{ignore: true}}  # not proposed: '{shown}'")
            continue
        proposed += 1
        note = f"'{shown}'"
        if spec["table"] == "labs":
            form = row["Form Name"].strip()
            spec["date_field"] = form_dates.get(form) or next(iter(form_dates.values()), "")
            if form not in form_dates and spec["date_field"]:
                note += f"; dated by {spec['date_field']} of the same event: check"
            if not (spec["unit"] and spec["date_field"]):
                note += "; state the unit and the date_field"
        lines.append(f"  {_dump(name)}: {_dump(spec)}  # {note}")
    return "\n".join(lines) + "\n", proposed, ignored
