"""Draft a mapping from a legacy sheet's headers (English or Spanish), for a person to check.

Column names are matched to analysis variables by known names and aliases
(accents, case and punctuation ignored), then by string similarity. Values
of coded columns are listed with the code they most likely mean, or with
``null`` to fill in. Date order and decimal commas are written only when the
values prove them, with the evidence in a comment; nothing in the draft is
used until the person saves it as the mapping.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from pathlib import Path

from nephrocohort.interop._mapping import MISSING
from nephrocohort.interop._output import staged_file
from nephrocohort.interop._readers import read_table_file
from nephrocohort.interop._values import (
    detect_date_format,
    is_missing,
    looks_like_decimal_comma,
    read_boolean,
    read_date,
)
from nephrocohort.interop._variables import ANALYSIS_VARIABLES, Variable

__all__ = ["suggest_mapping", "write_suggested_mapping", "ALIASES"]

_MATCH_THRESHOLD = 0.8

#: Known names of each analysis variable, in English and Spanish (accents are ignored).
ALIASES: dict[str, tuple[str, ...]] = {
    "patient_id": (
        "id",
        "patient",
        "patient id",
        "codigo",
        "paciente",
        "id paciente",
        "historia",
        "registro",
        "record",
        "nhc",
    ),
    "center": ("center", "centre", "centro", "hospital", "institucion", "sede"),
    "sex": ("sex", "gender", "sexo", "genero"),
    "histology": (
        "histology",
        "biopsy",
        "histologia",
        "biopsia",
        "patologia",
        "diagnostico histologico",
        "hallazgo biopsia",
    ),
    "group": ("group", "grupo", "grupo tratamiento"),
    "eligible": ("eligible", "elegible", "incluido", "cumple criterios"),
    "steroid_response": (
        "steroid response",
        "respuesta esteroides",
        "respuesta a esteroides",
        "corticorresistencia",
    ),
    "onset_date": (
        "onset date",
        "date of onset",
        "fecha inicio",
        "fecha de inicio",
        "fecha diagnostico",
        "fecha debut",
        "inicio sintomas",
    ),
    "last_followup_date": (
        "last follow up",
        "fecha ultimo control",
        "ultimo control",
        "fecha ultima consulta",
    ),
    "mmf_start_date": (
        "mmf start",
        "fecha inicio mmf",
        "inicio mmf",
        "inicio micofenolato",
        "fecha inicio micofenolato",
    ),
    "mmf_stop_date": (
        "mmf stop",
        "fecha fin mmf",
        "suspension mmf",
        "fecha suspension mmf",
        "fin micofenolato",
    ),
    "age_at_diagnosis_months": (
        "age at diagnosis",
        "edad al diagnostico",
        "edad diagnostico",
        "edad de inicio",
        "edad debut",
    ),
    "age_at_assessment_years": (
        "age at assessment",
        "current age",
        "edad actual",
        "edad evaluacion",
        "edad al corte",
    ),
    "follow_up_years": (
        "follow up",
        "follow up years",
        "seguimiento",
        "tiempo de seguimiento",
        "anos de seguimiento",
    ),
    "onset_edema": ("edema at onset", "edema", "edema al inicio", "edema inicial"),
    "onset_hypertension": (
        "hypertension at onset",
        "hypertension",
        "hta",
        "hipertension",
        "hta al inicio",
        "hipertension arterial",
    ),
    "onset_aki": (
        "aki at onset",
        "aki",
        "ira",
        "lesion renal aguda",
        "falla renal aguda",
        "ira al inicio",
    ),
    "onset_hematuria": ("hematuria at onset", "hematuria", "hematuria al inicio"),
    "months_diagnosis_to_mmf": (
        "months to mmf",
        "meses hasta mmf",
        "meses diagnostico a mmf",
        "tiempo hasta mmf meses",
    ),
    "years_diagnosis_to_mmf": ("years to mmf", "anos hasta mmf", "anos diagnostico a mmf"),
    "mmf_duration_months": ("mmf duration", "duracion mmf", "tiempo con mmf", "meses con mmf"),
    "prior_steroid_pulses": (
        "steroid pulses",
        "pulsos",
        "pulsos esteroides",
        "pulsos de metilprednisolona",
        "metilprednisolona",
    ),
    "prior_cyclophosphamide": ("cyclophosphamide", "ciclofosfamida"),
    "prior_cyclosporine": ("cyclosporine", "ciclosporina"),
    "prior_tacrolimus": ("tacrolimus",),
    "prior_rituximab": ("rituximab before mmf", "rituximab antes", "rituximab previo"),
    "received_mmf": ("mmf", "micofenolato", "mycophenolate"),
    "received_rituximab_after_mmf": ("rituximab", "rituximab despues", "rituximab after mmf"),
    "received_enalapril": ("enalapril",),
    "received_losartan": ("losartan",),
    "state_month0": (
        "proteinuria month 0",
        "proteinuria basal",
        "proteinuria inicial",
        "proteinuria mes 0",
        "baseline proteinuria",
        "estado al inicio",
        "estado inicial",
        "estado basal",
        "estado mes 0",
        "estado al inicio mmf",
        "estado a los 0 meses",
    ),
    "state_month1": (
        "proteinuria month 1",
        "proteinuria mes 1",
        "proteinuria 1 mes",
        "estado al mes",
        "estado mes 1",
        "estado a 1 mes",
        "estado al primer mes",
        "estado a los 1 meses",
    ),
    "state_month3": (
        "proteinuria month 3",
        "proteinuria mes 3",
        "proteinuria 3 meses",
        "estado mes 3",
        "estado a los 3 meses",
        "estado 3 meses",
    ),
    "state_month6": (
        "proteinuria month 6",
        "proteinuria mes 6",
        "proteinuria 6 meses",
        "estado mes 6",
        "estado a los 6 meses",
        "estado 6 meses",
    ),
    "state_month12": (
        "proteinuria month 12",
        "proteinuria mes 12",
        "proteinuria 12 meses",
        "estado mes 12",
        "estado a los 12 meses",
        "estado 12 meses",
        "estado al ano",
    ),
    "response_month1": (
        "response month 1",
        "respuesta mes 1",
        "respuesta al mes",
        "respuesta 1 mes",
    ),
    "relapses_before": (
        "relapses before",
        "recaidas antes",
        "recaidas previas",
        "numero recaidas antes",
    ),
    "relapses_after": (
        "relapses after",
        "recaidas despues",
        "recaidas posteriores",
        "numero recaidas despues",
    ),
    "relapses_per_year_before": (
        "relapses per year before",
        "recaidas por ano antes",
        "recaidas ano antes",
        "recaidas/ano antes",
        "tasa recaidas antes",
    ),
    "relapses_per_year_after": (
        "relapses per year after",
        "recaidas por ano despues",
        "recaidas ano despues",
        "recaidas/ano despues",
        "tasa recaidas despues",
    ),
    "steroid_mg_kg_day_before": (
        "steroid dose before",
        "dosis esteroide antes",
        "dosis prednisolona antes",
        "dosis corticoide antes",
    ),
    "steroid_mg_kg_day_after": (
        "steroid dose after",
        "dosis esteroide despues",
        "dosis prednisolona despues",
        "dosis corticoide despues",
    ),
    "prednisolone_stopped": (
        "prednisolone stopped",
        "suspension prednisolona",
        "prednisolona suspendida",
        "suspendio prednisolona",
    ),
    "egfr_mmf_start": (
        "egfr start",
        "egfr mmf start",
        "tfg inicio",
        "tfg inicial",
        "tfge inicio",
        "filtracion glomerular inicio",
    ),
    "egfr_month12": (
        "egfr month 12",
        "egfr 12 months",
        "tfg 12 meses",
        "tfg al ano",
        "tfge 12 meses",
    ),
    "crf": (
        "crf",
        "chronic renal failure",
        "irc",
        "erc",
        "insuficiencia renal cronica",
        "enfermedad renal cronica",
    ),
    "crf_date": ("crf date", "fecha irc", "fecha erc"),
    "rrt": ("rrt", "dialysis", "dialisis", "terapia de reemplazo renal", "trr"),
    "transplant": ("transplant", "trasplante", "trasplante renal"),
    "death": ("death", "died", "muerte", "fallecido", "fallecimiento"),
    "medical_only": ("medical only", "solo manejo medico", "manejo medico"),
    "ae_diarrhea": ("diarrhea", "diarrea"),
    "ae_severe_infection": ("severe infection", "infeccion severa", "infeccion grave"),
    "ae_leukopenia": ("leukopenia", "leucopenia"),
    "days_to_complete_remission": ("days to complete remission", "dias a remision completa"),
    "complete_remission_observed": ("complete remission observed", "remision completa observada"),
    "days_to_crf": ("days to crf", "dias a irc"),
    "crf_observed": ("crf observed", "irc observada"),
}

#: Sheet values (normalised) that name a code, per coded variable.
_VALUE_ALIASES: dict[str, dict[str, str]] = {
    "sex": {
        "m": "M",
        "masculino": "M",
        "hombre": "M",
        "varon": "M",
        "male": "M",
        "h": "M",
        "f": "F",
        "femenino": "F",
        "mujer": "F",
        "female": "F",
    },
    "histology": {
        "gefs": "FSGS",
        "gsfs": "FSGS",
        "esfg": "FSGS",
        "hsf": "FSGS",
        "fsgs": "FSGS",
        "glomeruloesclerosis focal y segmentaria": "FSGS",
        "glomeruloesclerosis segmentaria y focal": "FSGS",
        "cambios minimos": "MCD",
        "enfermedad de cambios minimos": "MCD",
        "lesion minima": "MCD",
        "mcd": "MCD",
        "ecm": "MCD",
        "minimal change": "MCD",
        "membranosa": "MN",
        "glomerulopatia membranosa": "MN",
        "nefropatia membranosa": "MN",
        "gm": "MN",
        "nm": "MN",
        "mn": "MN",
        "esclerosis mesangial difusa": "DMS",
        "emd": "DMS",
        "dms": "DMS",
        "proliferacion mesangial": "MesPGN",
        "mespgn": "MesPGN",
        "glomerulopatia c3": "C3G",
        "c3g": "C3G",
        "nefropatia iga": "IgAN",
        "iga": "IgAN",
        "otra": "other",
        "otro": "other",
        "other": "other",
    },
    "state": {
        "remision completa": "complete",
        "completa": "complete",
        "rc": "complete",
        "remision parcial": "partial",
        "parcial": "partial",
        "rp": "partial",
        "no nefrotica": "partial",
        "nefrotica": "nephrotic",
        "nefrotico": "nephrotic",
        "sindrome nefrotico": "nephrotic",
        "rango nefrotico": "nephrotic",
        "sin remision": "nephrotic",
    },
    "response_month1": {
        "remision completa": "complete",
        "completa": "complete",
        "remision parcial": "partial",
        "parcial": "partial",
        "ninguna": "none",
        "sin respuesta": "none",
        "no respuesta": "none",
    },
    "steroid_response": {
        "resistente": "resistant",
        "corticorresistente": "resistant",
        "sensible": "sensitive",
        "corticosensible": "sensitive",
    },
    "group": {"grupo 1": "1", "grupo 2": "2", "g1": "1", "g2": "2"},
}
#: Sheet values (normalised) that mean "not recorded": drafted as ``missing``.
_MISSING_VALUES = frozenset(
    {
        "no biopsia",
        "sin biopsia",
        "no biopsiado",
        "no se biopsio",
        "no realizada",
        "no realizado",
        "no consta",
        "desconocido",
        "no disponible",
        "unknown",
        "not done",
    }
)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

_UNIT_HINTS = (
    (r"\b(anos|years?|yrs?)\b", "years"),
    (r"\b(meses|months?|mo)\b", "months"),
    (r"\b(dias|days?)\b", "days"),
)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _score(header: str, variable: Variable) -> float:
    norm = _normal(re.sub(r"\(.*?\)", " ", header)) or _normal(header)
    tokens = set(norm.split())
    best = 0.0
    names = (*ALIASES.get(variable.name, ()), variable.name.replace("_", " "), variable.label)
    for alias in names:
        alias_norm = _normal(alias)
        if not alias_norm:
            continue
        if alias_norm == norm:
            return 1.0
        alias_tokens = set(alias_norm.split())
        if alias_tokens <= tokens:
            # every word of the alias is in the header; longer aliases are more specific
            best = max(best, 0.85 + 0.02 * len(alias_tokens) - 0.01 * len(tokens - alias_tokens))
        best = max(best, difflib.SequenceMatcher(None, norm, alias_norm).ratio())
    return min(best, 0.99)


def _numbers_not_codes(values, variable: Variable) -> bool:
    """A column of numbers that are not the variable's codes (a dose, a count) is not coded.

    "Dosis MMF (mg/día)" mentions MMF, but 600 and 1200 are doses, never yes/no
    answers; proposing them as codes would invite a wrong mapping.
    """
    if variable.kind not in ("category", "boolean"):
        return False
    filled = [v.strip() for v in values if not is_missing(v)]
    if not filled or not all(_NUMBER.match(v) for v in filled):
        return False
    allowed = {"0", "1"} if variable.kind == "boolean" else {c.casefold() for c in variable.codes}
    return any(v.casefold() not in allowed for v in filled)


def _match(frame) -> dict[str, tuple[Variable, float]]:
    candidates = [
        (score, header, variable)
        for header in frame.columns
        for variable in ANALYSIS_VARIABLES
        if (score := _score(header, variable)) >= _MATCH_THRESHOLD
        and not _numbers_not_codes(frame[header], variable)
    ]
    candidates.sort(key=lambda c: -c[0])
    taken_headers: set[str] = set()
    taken_variables: set[str] = set()
    result = {}
    for score, header, variable in candidates:
        if header in taken_headers or variable.name in taken_variables:
            continue
        taken_headers.add(header)
        taken_variables.add(variable.name)
        result[header] = (variable, score)
    return result


def _unit_from_header(header: str, variable: Variable) -> str | None:
    if variable.unit not in ("months", "years", "days"):
        return None
    text = _normal(header)
    for pattern, unit in _UNIT_HINTS:
        if re.search(pattern, text):
            return unit if unit != variable.unit else None
    return None


def _value_aliases(variable: Variable) -> dict[str, str]:
    if variable.name.startswith("state_month"):
        return _VALUE_ALIASES["state"]
    return _VALUE_ALIASES.get(variable.name, {})


def _codes_for(variable: Variable, values: list[str]) -> dict[str, object]:
    distinct = sorted({v.strip() for v in values if not is_missing(v)})[:30]
    aliases = _value_aliases(variable)
    codes: dict[str, object] = {}
    for value in distinct:
        norm = _normal(value)
        if variable.kind == "boolean":
            known = read_boolean(value)
            if known is None:
                codes[value] = MISSING if norm in _MISSING_VALUES else None
            continue
        direct = next(
            (c for c, label in variable.choices if norm in (_normal(c), _normal(label))), None
        )
        if direct is not None:
            continue  # the importer accepts codes and labels as they are
        codes[value] = MISSING if norm in _MISSING_VALUES else aliases.get(norm)
    return codes


def _q(text) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def suggest_mapping(
    path: Path | str, *, sheet: str | int | None = None, header_row: int | None = None
) -> str:
    """A draft mapping (YAML text with comments) for the sheet at ``path``.

    Title rows above the header, empty rows and a footer note are passed
    (and said in the draft); ``header_row`` states the header row instead.
    """
    table = read_table_file(path, sheet=sheet, header_row=header_row, find_header=True)
    frame = table.frame
    matches = _match(frame)
    lines = [
        f"# Draft mapping for {table.source}, written by `nephrocohort import-table --suggest-mapping`.",
        "# CHECK EVERY LINE: the matches below are suggestions from the column names.",
        "# Fill in every `null` code, confirm the units and the date order",
        "# (date_format_confirmed: true), then import with",
        f"#   nephrocohort import-table {table.source} --mapping THIS_FILE --out analysis.csv",
    ]
    lines += [f"# {note}" for note in table.notes if "row" in note]
    if sheet is not None:
        lines.append(f"sheet: {_q(sheet)}")
    if table.header_row != 1:
        lines.append(f"header_row: {table.header_row}  # the row with the column names; CHECK")
    if table.encoding not in ("utf-8", "xlsx", "sav"):
        lines.append(f"encoding: {table.encoding}  # detected: the file is not UTF-8")
    date_columns = [h for h, (v, _) in matches.items() if v.kind == "date"]
    non_iso = [
        text
        for h in date_columns
        for text in frame[h]
        if not is_missing(text) and read_date(text, date_format=None)[0] is None
    ]
    if non_iso:
        detected, why = detect_date_format(non_iso)
        if detected:
            lines.append(f"date_format: {_q(detected)}  # detected ({why})")
            lines.append(
                "date_format_confirmed: false  # CHECK the date order, then change this to true"
            )
        else:
            lines.append(f'# date_format: "%d/%m/%Y"  # UNDECIDED: {why}. State the order used.')
    number_columns = [h for h, (v, _) in matches.items() if v.kind in ("number", "integer")]
    comma_columns = [
        h
        for h in number_columns
        if any(looks_like_decimal_comma(t) for t in frame[h] if not is_missing(t))
    ]
    if comma_columns:
        lines.append(f'decimal: ","  # detected decimal commas in: {", ".join(comma_columns)}')
    if not any(v.name == "eligible" for v, _ in matches.values()):
        lines += [
            "defaults:",
            "  eligible: true  # no eligibility column: every row is taken as a study patient",
        ]
    lines.append("columns:")
    for header in frame.columns:
        if header not in matches:
            lines += [
                f"  {_q(header)}:",
                "    ignore: true  # no analysis variable matched; map it by hand if needed",
            ]
            continue
        variable, score = matches[header]
        lines += [
            f"  {_q(header)}:",
            f"    variable: {variable.name}  # match {score:.2f}: {variable.label}",
        ]
        unit = _unit_from_header(header, variable)
        if unit:
            lines.append(f"    unit: {unit}  # from the column name; converted to {variable.unit}")
        elif variable.unit:
            lines.append(
                f"    # unit: {variable.unit} is assumed; write unit: if the column uses another"
            )
        if variable.kind in ("category", "boolean"):
            codes = _codes_for(variable, frame[header].tolist())
            if codes:
                lines.append("    codes:")
                for value, code in codes.items():
                    if code is None:
                        shown = "null  # FILL IN"
                    elif code == MISSING:
                        shown = f"{MISSING}  # means not recorded; CHECK"
                    else:
                        shown = _q(code) if not isinstance(code, bool) else str(code).lower()
                    lines.append(f"      {_q(value)}: {shown}")
    return "\n".join(lines) + "\n"


def write_suggested_mapping(
    path: Path | str, out: Path | str, *, sheet=None, header_row: int | None = None
) -> Path:
    """Write :func:`suggest_mapping`'s draft to ``out`` (never over an existing file)."""
    text = suggest_mapping(path, sheet=sheet, header_row=header_row)
    with staged_file(Path(out), what="Mapping file") as staging:
        staging.write_text(text, encoding="utf-8")
    return Path(out)
