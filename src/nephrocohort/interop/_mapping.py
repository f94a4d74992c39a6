"""The mapping file of a legacy per-patient sheet: which column is which analysis variable.

A mapping is YAML written by a person (or drafted by ``--suggest-mapping``
and then checked by a person)::

    sheet: Pacientes            # xlsx only; default: the first sheet
    header_row: 3               # the row with the column names; default: found and said
    encoding: cp1252            # csv only; default: detected and stated
    date_format: "%d/%m/%Y"     # how dates that are not YYYY-MM-DD are written
    decimal: ","                # the decimal separator of the numbers
    defaults:                   # constant values for variables the sheet lacks
      eligible: true
    columns:
      Codigo: {variable: patient_id}
      Sexo: {variable: sex, codes: {Masculino: M, Femenino: F}}
      Edad al diagnostico (años): {variable: age_at_diagnosis_months, unit: years}
      Observaciones: {ignore: true}

Dates written any other way than YYYY-MM-DD are read only with a stated
``date_format`` (per column or for the whole sheet): 03/04/2012 is April in
Bogotá and March in Boston, and a wrong guess would silently change results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH, DAYS_PER_YEAR
from nephrocohort.interop._errors import MappingError
from nephrocohort.interop._variables import ANALYSIS_VARIABLES, Variable

__all__ = [
    "ColumnMapping",
    "MISSING",
    "Mapping",
    "load_mapping",
    "UNIT_FACTORS",
    "parse_mapping",
]

#: The code that says "this value means not recorded" (``"No biopsia": missing``).
MISSING = "missing"

#: Accepted units per analysis unit: factor to multiply by to get the analysis unit.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "months": {
        "months": 1.0,
        "years": 12.0,
        "days": 12.0 / DAYS_PER_YEAR,
        "weeks": 12.0 * 7 / DAYS_PER_YEAR,
    },
    "years": {"years": 1.0, "months": 1 / 12.0, "days": 1 / DAYS_PER_YEAR},
    "days": {"days": 1.0, "weeks": 7.0, "months": DAYS_PER_MONTH, "years": DAYS_PER_YEAR},
    "mg/kg/day": {"mg/kg/day": 1.0, "mg/kg/d": 1.0},
    "mL/min/1.73m2": {"mL/min/1.73m2": 1.0, "ml/min/1.73m2": 1.0, "mL/min/1.73 m2": 1.0},
    "per year": {"per year": 1.0, "/year": 1.0, "per month": 12.0},
}
_UNIT_SYNONYMS = {
    "meses": "months",
    "años": "years",
    "anos": "years",
    "dias": "days",
    "días": "days",
}

_BY_NAME = {variable.name: variable for variable in ANALYSIS_VARIABLES}
_TOP_KEYS = {
    "sheet",
    "header_row",
    "encoding",
    "date_format",
    "date_format_confirmed",
    "decimal",
    "defaults",
    "missing",
    "columns",
}
_COLUMN_KEYS = {"variable", "unit", "codes", "date_format", "ignore"}


@dataclass(frozen=True)
class ColumnMapping:
    """How one sheet column becomes one analysis variable."""

    column: str
    variable: Variable
    unit_factor: float = 1.0
    unit: str | None = None
    codes: dict[str, str | None] = field(default_factory=dict)
    date_format: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file, checked for form (not yet against a sheet)."""

    columns: tuple[ColumnMapping, ...]
    ignored: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    sheet: str | int | None = None
    encoding: str | None = None
    date_format: str | None = None
    decimal: str | None = None
    source: str = "the mapping"
    header_row: int | None = None
    #: Extra sheet words (normalised) that mean "not recorded" in every column.
    missing_words: frozenset[str] = frozenset()


def _fail(source: str, code: str, /, **params) -> MappingError:
    """The error of code ``mapping.<code>``; its sentence starts with the mapping file's name."""
    return MappingError(f"mapping.{code}", source=source, **params)


def _unit_factor(source: str, column: str, variable: Variable, unit) -> float:
    if unit is None:
        return 1.0
    written = _UNIT_SYNONYMS.get(str(unit).strip().lower(), str(unit).strip())
    accepted = UNIT_FACTORS.get(variable.unit or "", {})
    for name, factor in accepted.items():
        if name.lower() == written.lower():
            return factor
    if variable.unit is None:
        raise _fail(source, "unit_not_allowed", column=column, variable=variable.name, unit=unit)
    raise _fail(
        source,
        "unit_not_convertible",
        column=column,
        unit=unit,
        target=variable.unit,
        variable=variable.name,
        accepted=", ".join(accepted) or variable.unit,
    )


def _check_format(source: str, where: str, date_format) -> str | None:
    if date_format is None:
        return None
    text = str(date_format)
    if not any(d in text for d in ("%d", "%m", "%Y", "%y")):
        raise _fail(source, "not_a_format", where=where, value=text)
    return text


def parse_mapping(data, *, source: str = "the mapping", confirm_line: int | None = None) -> Mapping:
    """Check a mapping already read from YAML and turn it into a :class:`Mapping`.

    A draft from ``--suggest-mapping`` writes a detected date order with
    ``date_format_confirmed: false``; such a mapping is refused until a person
    sets it to true (``confirm_line`` is its line in the file, for the message).
    """
    if not isinstance(data, dict):
        raise _fail(source, "not_a_dictionary")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise _fail(
            source,
            "unknown_keys",
            keys=", ".join(map(str, unknown)),
            allowed=", ".join(sorted(_TOP_KEYS)),
        )
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise _fail(source, "no_columns")
    decimal = data.get("decimal")
    if decimal not in (None, ".", ","):
        raise _fail(source, "bad_decimal", value=decimal)
    header_row = data.get("header_row")
    if header_row is not None and (
        isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1
    ):
        raise _fail(source, "bad_header_row", value=header_row)
    top_format = _check_format(source, "date_format", data.get("date_format"))
    confirmed = data.get("date_format_confirmed", True)
    if confirmed is not True:
        if confirmed is not False:
            raise _fail(source, "bad_confirmation", value=confirmed)
        line = f"line {confirm_line}, " if confirm_line else ""
        raise _fail(
            source, "date_format_unconfirmed", date_format=top_format or "(none)", line=line
        )
    mapped: list[ColumnMapping] = []
    ignored: list[str] = []
    used: dict[str, str] = {}
    for column, spec in columns.items():
        column = str(column).strip()
        if spec is None or not isinstance(spec, dict):
            raise _fail(source, "bad_column_spec", column=column)
        bad = sorted(set(spec) - _COLUMN_KEYS)
        if bad:
            raise _fail(
                source,
                "unknown_column_keys",
                column=column,
                keys=", ".join(bad),
                allowed=", ".join(sorted(_COLUMN_KEYS)),
            )
        if spec.get("ignore"):
            ignored.append(column)
            continue
        name = spec.get("variable")
        if name not in _BY_NAME:
            raise _fail(source, "unknown_variable", column=column, name=name)
        if name in used:
            raise _fail(source, "variable_mapped_twice", first=used[name], second=column, name=name)
        used[name] = column
        variable = _BY_NAME[name]
        codes = spec.get("codes") or {}
        if not isinstance(codes, dict):
            raise _fail(source, "codes_not_a_dictionary", column=column)
        if codes and variable.kind not in ("category", "boolean"):
            raise _fail(source, "codes_on_uncoded", column=column, name=name)
        clean_codes: dict[str, str | None] = {}
        for raw, code in codes.items():
            if isinstance(code, str) and code.strip().casefold() == MISSING:
                clean_codes[_key(raw)] = MISSING
                continue
            if code is not None and variable.kind == "category" and str(code) not in variable.codes:
                raise _fail(
                    source,
                    "code_not_allowed",
                    column=column,
                    raw=raw,
                    code=code,
                    name=name,
                    allowed=", ".join((*variable.codes, MISSING)),
                )
            if code is not None and variable.kind == "boolean" and not isinstance(code, bool):
                raise _fail(source, "boolean_code", column=column, raw=raw, name=name)
            clean_codes[_key(raw)] = code if code is None or isinstance(code, bool) else str(code)
        mapped.append(
            ColumnMapping(
                column=column,
                variable=variable,
                unit_factor=_unit_factor(source, column, variable, spec.get("unit")),
                unit=spec.get("unit"),
                codes=clean_codes,
                date_format=_check_format(source, f"column {column!r}", spec.get("date_format")),
            )
        )
    if "patient_id" not in used:
        raise _fail(source, "no_patient_id")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise _fail(source, "defaults_not_a_dictionary")
    for name in defaults:
        if name not in _BY_NAME:
            raise _fail(source, "unknown_default", name=name)
        if name in used:
            raise _fail(source, "default_also_mapped", name=name, column=used[name])
    missing = data.get("missing") or []
    if isinstance(missing, str) or not isinstance(missing, list):
        raise _fail(source, "bad_missing", value=missing)
    return Mapping(
        tuple(mapped),
        tuple(ignored),
        dict(defaults),
        data.get("sheet"),
        data.get("encoding"),
        top_format,
        decimal,
        source,
        header_row,
        frozenset(_key(word) for word in missing),
    )


def _key(value) -> str:
    """Codes match case- and space-insensitively (Excel users type 'masculino ' too)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


class _MappingLoader(yaml.SafeLoader):
    """YAML without YAML 1.1's yes/no/on/off booleans: 'No' in a sheet is a value, not False."""


_MappingLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_MappingLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping YAML file."""
    path = Path(path)
    if not path.exists():
        raise MappingError("mapping.file_not_found", path=path)
    if path.is_dir():
        raise MappingError("mapping.is_folder", path=path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_MappingLoader)  # noqa: S506
    except UnicodeDecodeError:
        raise MappingError("mapping.not_utf8", name=path.name) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise MappingError(
            "mapping.not_yaml",
            name=path.name,
            where=where,
            problem=getattr(error, "problem", error),
        ) from None
    confirm_line = next(
        (
            number
            for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if text.lstrip().startswith("date_format_confirmed:")
        ),
        None,
    )
    return parse_mapping(data, source=path.name, confirm_line=confirm_line)
