"""The names a rule set may use: proteinuria tests, categories, units, equations, periods.

Proteinuria thresholds are applied in the unit that was measured: a UPCR in
mg/mmol is compared with the mg/mmol threshold of the rule set and never
converted to mg/mg first, because the guidelines pair 200 mg/mmol with
2 mg/mg although the exact equivalent is 226 mg/mmol. Only exact conversions
within one kind of unit are made (mg/m2/day <-> mg/m2/h by 24; g/g = mg/mg).
"""

from __future__ import annotations

from nephrocohort.clinical.units import normalise_unit

__all__ = [
    "PROTEINURIA_TESTS",
    "PROTEINURIA_CATEGORIES",
    "EGFR_EQUATION_NAMES",
    "TIMEPOINT_NAMES",
    "RELAPSE_PERIODS",
    "CONFIRMATION_RULES",
    "RELAPSE_AFTER",
    "ALBUMIN_MISSING_RULES",
    "MEASURED_UNITS",
    "kind_factor",
]

PROTEINURIA_TESTS = ("urine_protein_timed", "upcr", "dipstick_protein")
# What one measurement's proteinuria says, before albumin is considered.
PROTEINURIA_CATEGORIES = ("nephrotic", "partial", "complete")
EGFR_EQUATION_NAMES = (
    "schwartz-1976",
    "schwartz-bedside",
    "ckid-u25",
    "ckid-u25-cystatin",
    "ckid-u25-combined",
)
TIMEPOINT_NAMES = ("month0", "month1", "month3", "month6", "month12")
RELAPSE_PERIODS = ("12_months", "whole")
# How a complete remission or a nephrotic range is confirmed: readings of that state on
# N consecutive days (IPNA 2020 / KDIGO 2021 wording), or one reading that no other
# state contradicts within N days (the project's first reading, kept as a named option).
CONFIRMATION_RULES = ("consecutive_days", "not_contradicted_within_days")
# A relapse follows a complete remission (IPNA, KDIGO), or any remission (the seed).
RELAPSE_AFTER = ("complete_remission", "any_remission")
# A partial-range reading with no albumin in the window: no remission (albumin is part
# of the definition) or proteinuria alone decides (KDIGO 2025: "if available").
ALBUMIN_MISSING_RULES = ("no_remission", "proteinuria_decides")

# Units of one kind, with the exact factor to the first unit of the kind. A measured
# unit is compared with a threshold only when both are of the same kind, so a UPCR
# in mg/mmol is never compared with a mg/mg threshold.
_UNIT_KINDS = (
    {"mg/m2/h": 1.0, "mg/m2/day": 1.0 / 24.0},
    {"mg/mg": 1.0, "g/g": 1.0, "mg/g": 0.001},
    {"mg/mmol": 1.0},
    {"mg/dl": 1.0},
)
MEASURED_UNITS = "mg/m2/h, mg/m2/day, mg/mg, g/g, mg/g, mg/mmol, mg/dL"


def kind_factor(unit: str) -> tuple[int, float] | None:
    """(kind index, exact factor to the kind's first unit) of ``unit``; None if unknown.

    References
    ----------
    Exact unit arithmetic (24 h per day; 1 g = 1000 mg); no clinical source.
    """
    key = normalise_unit(unit)
    for index, kind in enumerate(_UNIT_KINDS):
        if key in kind:
            return index, kind[key]
    return None
