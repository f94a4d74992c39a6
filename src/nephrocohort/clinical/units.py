"""Units of the laboratory tests in the data contract and their conversions.

Every quantity has one canonical unit (the unit the analysis works in). Any
other accepted unit is converted with a published factor; a unit that is not
in the table is refused, never guessed. Unit spellings are compared after a
light normalisation (case, spaces, ``µ``/``μ`` -> ``u``, ``²`` -> ``2``), so
``µmol/L`` and ``umol/l`` are the same unit; nothing else is inferred.

References
----------
.. [1] Creatinine molar mass 113.12 g/mol: 1 mg/dL = 10 000 / 113.12 = 88.4 umol/L.
   Same factor in the transplantr R package (R/unit_conversion.R) and the
   kidney.epi service code; see shared/reference/clinical-reference.md section 4.
.. [2] UPCR: 1 mmol creatinine = 113.12 mg, so mg/mmol = mg/mg x 113.12.
.. [3] Cholesterol molar mass 386.65 g/mol: 1 mmol/L = 38.67 mg/dL.
.. [4] Dipstick semi-quantitation bands (KDIGO 2025 Nephrotic Syndrome in
   Children, Figure 1, via a third-party extraction): negative < 15 mg/dL,
   trace 15 to < 30, 1+ 30 to < 100, 2+ 100 to < 300, 3+ 300 to < 1000,
   4+ >= 1000 mg/dL.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from nephrocohort.exceptions import UnitError

__all__ = [
    "CANONICAL_UNITS",
    "ACCEPTED_UNITS",
    "CREATININE_UMOL_PER_MG_DL",
    "UPCR_MG_MMOL_PER_MG_MG",
    "CHOLESTEROL_MG_DL_PER_MMOL_L",
    "DIPSTICK_GRADES_MG_DL",
    "DIPSTICK_SPELLINGS",
    "normalise_unit",
    "factor_to_canonical",
    "to_canonical",
    "dipstick_to_mg_dl",
    "dipstick_grade",
    "creatinine_umol_l_to_mg_dl",
    "creatinine_mg_dl_to_umol_l",
    "albumin_g_l_to_g_dl",
    "albumin_g_dl_to_g_l",
    "cholesterol_mmol_l_to_mg_dl",
    "cholesterol_mg_dl_to_mmol_l",
    "upcr_mg_mmol_to_mg_mg",
    "upcr_mg_mg_to_mg_mmol",
]

CREATININE_UMOL_PER_MG_DL = 88.4
UPCR_MG_MMOL_PER_MG_MG = 113.12
CHOLESTEROL_MG_DL_PER_MMOL_L = 38.67

CANONICAL_UNITS = MappingProxyType(
    {
        "urine_protein_timed": "mg/m2/h",
        "upcr": "mg/mg",
        "dipstick_protein": "mg/dL",
        "serum_albumin": "g/dL",
        "serum_cholesterol": "mg/dL",
        "serum_creatinine": "mg/dL",
        "cystatin_c": "mg/L",
        "leukocytes": "10^9/L",
    }
)

# quantity -> {unit as written in the data contract: factor to the canonical unit}.
# Declared once here; every conversion reads this table.
_FACTORS: dict[str, dict[str, float]] = {
    "urine_protein_timed": {"mg/m2/h": 1.0, "mg/m2/day": 1.0 / 24.0},
    "upcr": {"mg/mg": 1.0, "g/g": 1.0, "mg/g": 0.001, "mg/mmol": 1.0 / UPCR_MG_MMOL_PER_MG_MG},
    "dipstick_protein": {"mg/dL": 1.0},
    "serum_albumin": {"g/dL": 1.0, "g/L": 0.1},
    "serum_cholesterol": {"mg/dL": 1.0, "mmol/L": CHOLESTEROL_MG_DL_PER_MMOL_L},
    "serum_creatinine": {"mg/dL": 1.0, "umol/L": 1.0 / CREATININE_UMOL_PER_MG_DL},
    "cystatin_c": {"mg/L": 1.0},
    "leukocytes": {"10^9/L": 1.0, "10^3/uL": 1.0, "/uL": 0.001, "/mm3": 0.001},
}

ACCEPTED_UNITS = MappingProxyType({q: tuple(units) for q, units in _FACTORS.items()})

# Grade -> mg/dL, the lower edge of each band in reference [4]; "trace" is 15 mg/dL.
DIPSTICK_GRADES_MG_DL = MappingProxyType(
    {
        "negative": 0.0,
        "trace": 15.0,
        "30": 30.0,
        "100": 100.0,
        "300": 300.0,
        "1000": 1000.0,
        "0": 0.0,
        "+/-": 15.0,
        "1+": 30.0,
        "2+": 100.0,
        "3+": 300.0,
        "4+": 1000.0,
    }
)


# Other spellings of the grades above, as clinic sheets, lab printouts and Spanish-language
# charts write them. Each names exactly one grade; words that do not ("positive",
# "positivo": which grade?) and bare numbers other than 0, 30, 100, 300, 1000 ("2": 2+ or
# 2 mg/dL?) are not here and stay refused.
DIPSTICK_SPELLINGS = MappingProxyType(
    {
        "neg": "negative",
        "negativo": "negative",
        "negativa": "negative",
        "tr": "trace",
        "traces": "trace",
        "traza": "trace",
        "trazas": "trace",
        "indicios": "trace",
        "±": "+/-",
        "+-": "+/-",
        "+": "1+",
        "++": "2+",
        "+++": "3+",
        "++++": "4+",
        "+1": "1+",
        "+2": "2+",
        "+3": "3+",
        "+4": "4+",
    }
)


def normalise_unit(unit: str) -> str:
    """Spell a unit the way the conversion table compares it (case and symbol variants only).

    References
    ----------
    Spelling rules of this module; no clinical source.
    """
    text = str(unit).strip().lower().replace(" ", "")
    for variant, plain in (("µ", "u"), ("μ", "u"), ("²", "2"), ("³", "3"), ("×", "x")):
        text = text.replace(variant, plain)
    if text.startswith("x10^"):
        text = text[1:]
    return text


_NORMALISED = {
    quantity: {normalise_unit(unit): unit for unit in units} for quantity, units in _FACTORS.items()
}


def _unit_as_written(quantity: str, unit: str) -> str:
    if quantity not in _FACTORS:
        known = ", ".join(_FACTORS)
        raise UnitError("units.unknown_quantity", quantity=quantity, known=known)
    written = _NORMALISED[quantity].get(normalise_unit(unit))
    if written is None:
        accepted = ", ".join(_FACTORS[quantity])
        raise UnitError("units.not_accepted", unit=unit, quantity=quantity, accepted=accepted)
    return written


def factor_to_canonical(quantity: str, unit: str) -> float:
    """Return the factor that turns a value of ``quantity`` in ``unit`` into the canonical unit.

    Raises ``UnitError`` naming the unit and the accepted ones when the unit is
    not in the table.

    References
    ----------
    Factors from the module references: creatinine 88.4 [1], UPCR 113.12 [2],
    cholesterol 38.67 [3]; albumin g/L = g/dL x 10 and time units are exact.
    """
    written = _unit_as_written(quantity, unit)
    return _FACTORS[quantity][written]


def to_canonical(quantity: str, value, unit: str):
    """Convert ``value`` (a number or an array) of ``quantity`` from ``unit`` to the canonical unit.

    References
    ----------
    See ``factor_to_canonical``.
    """
    factor = factor_to_canonical(quantity, unit)
    if isinstance(value, int | float | np.number):
        return float(value) * factor
    return np.asarray(value, dtype=float) * factor


def dipstick_grade(grade) -> str:
    """The grade of ``DIPSTICK_GRADES_MG_DL`` that ``grade`` spells ("++" -> "2+", "neg" -> "negative").

    Case, surrounding spaces, a trailing "mg/dL" and the spellings of
    ``DIPSTICK_SPELLINGS`` are allowed; anything else raises ``UnitError``
    (nothing is guessed).

    References
    ----------
    Spelling rules of this module; the grades are those of reference [4].
    """
    if isinstance(grade, bool):
        grade = str(grade)
    if isinstance(grade, int | float | np.number):
        number = float(grade)
        text = str(int(number)) if number.is_integer() else str(number)
    else:
        text = str(grade).strip().lower()
        if text.endswith("mg/dl"):
            text = text[: -len("mg/dl")].strip()
        text = DIPSTICK_SPELLINGS.get(text.replace(" ", ""), text)
    if text not in DIPSTICK_GRADES_MG_DL:
        accepted = ", ".join(DIPSTICK_GRADES_MG_DL)
        raise UnitError("units.unknown_grade", grade=grade, accepted=accepted)
    return text


def dipstick_to_mg_dl(grade) -> float:
    """Turn a urine dipstick protein grade into mg/dL (the lower edge of its band).

    Accepts ``negative, trace, 30, 100, 300, 1000`` (mg/dL, as printed on
    Multistix-type strips) and ``0, +/-, 1+, 2+, 3+, 4+``, in the spellings
    ``dipstick_grade`` allows. "trace" and "+/-" become 15 mg/dL, so they stay
    below the 30 mg/dL edge of 1+.

    References
    ----------
    KDIGO 2025 Clinical Practice Guideline for Nephrotic Syndrome in Children,
    Figure 1 (dipstick semi-quantitation), read through a third-party
    extraction; see clinical-reference.md section 1c.
    """
    return DIPSTICK_GRADES_MG_DL[dipstick_grade(grade)]


def creatinine_umol_l_to_mg_dl(creatinine_umol_l):
    """Creatinine umol/L -> mg/dL (divide by 88.4).

    References
    ----------
    Molar mass 113.12 g/mol; transplantr R/unit_conversion.R (module reference [1]).
    """
    return _scale(creatinine_umol_l, 1.0 / CREATININE_UMOL_PER_MG_DL)


def creatinine_mg_dl_to_umol_l(creatinine_mg_dl):
    """Creatinine mg/dL -> umol/L (multiply by 88.4).

    References
    ----------
    Molar mass 113.12 g/mol; transplantr R/unit_conversion.R (module reference [1]).
    """
    return _scale(creatinine_mg_dl, CREATININE_UMOL_PER_MG_DL)


def albumin_g_l_to_g_dl(albumin_g_l):
    """Albumin g/L -> g/dL (divide by 10; exact, by the definition of the units).

    References
    ----------
    Definition of the litre and decilitre (1 L = 10 dL).
    """
    return _scale(albumin_g_l, 0.1)


def albumin_g_dl_to_g_l(albumin_g_dl):
    """Albumin g/dL -> g/L (multiply by 10; exact).

    References
    ----------
    Definition of the litre and decilitre (1 L = 10 dL).
    """
    return _scale(albumin_g_dl, 10.0)


def cholesterol_mmol_l_to_mg_dl(cholesterol_mmol_l):
    """Cholesterol mmol/L -> mg/dL (multiply by 38.67).

    References
    ----------
    Cholesterol molar mass 386.65 g/mol (module reference [3]).
    """
    return _scale(cholesterol_mmol_l, CHOLESTEROL_MG_DL_PER_MMOL_L)


def cholesterol_mg_dl_to_mmol_l(cholesterol_mg_dl):
    """Cholesterol mg/dL -> mmol/L (divide by 38.67).

    References
    ----------
    Cholesterol molar mass 386.65 g/mol (module reference [3]).
    """
    return _scale(cholesterol_mg_dl, 1.0 / CHOLESTEROL_MG_DL_PER_MMOL_L)


def upcr_mg_mmol_to_mg_mg(upcr_mg_mmol):
    """UPCR mg/mmol -> mg/mg (divide by 113.12).

    Use for display only: rule-set thresholds are applied in the unit measured,
    because the guidelines pair 200 mg/mmol with 2 mg/mg (not 226).

    References
    ----------
    Creatinine molar mass 113.12 g/mol (module reference [2]); IPNA 2022 SSNS
    recommendations Table 1 for the conventional pairing.
    """
    return _scale(upcr_mg_mmol, 1.0 / UPCR_MG_MMOL_PER_MG_MG)


def upcr_mg_mg_to_mg_mmol(upcr_mg_mg):
    """UPCR mg/mg -> mg/mmol (multiply by 113.12).

    References
    ----------
    Creatinine molar mass 113.12 g/mol (module reference [2]).
    """
    return _scale(upcr_mg_mg, UPCR_MG_MMOL_PER_MG_MG)


def _scale(value, factor: float):
    if isinstance(value, int | float | np.number):
        return float(value) * factor
    return np.asarray(value, dtype=float) * factor
