"""The clinical core: pure functions and rule sets, no I/O.

Units and conversions (``units``), named rule sets with every threshold and
its source (``rules``), and the calculators built on them. Every public
function cites its source in a References section of its docstring.
"""

from nephrocohort.clinical.rules import (
    EGFR_EQUATION_NAMES,
    PROTEINURIA_CATEGORIES,
    PROTEINURIA_TESTS,
    DerivationParameters,
    ProteinuriaCriterion,
    RuleSet,
    SyndromeCriteria,
    Threshold,
    Timepoint,
    list_rule_sets,
    load_rule_set,
)
from nephrocohort.clinical.units import (
    ACCEPTED_UNITS,
    CANONICAL_UNITS,
    DIPSTICK_GRADES_MG_DL,
    albumin_g_dl_to_g_l,
    albumin_g_l_to_g_dl,
    cholesterol_mg_dl_to_mmol_l,
    cholesterol_mmol_l_to_mg_dl,
    creatinine_mg_dl_to_umol_l,
    creatinine_umol_l_to_mg_dl,
    dipstick_to_mg_dl,
    factor_to_canonical,
    to_canonical,
    upcr_mg_mg_to_mg_mmol,
    upcr_mg_mmol_to_mg_mg,
)

__all__ = [
    "ACCEPTED_UNITS",
    "CANONICAL_UNITS",
    "DIPSTICK_GRADES_MG_DL",
    "EGFR_EQUATION_NAMES",
    "PROTEINURIA_CATEGORIES",
    "PROTEINURIA_TESTS",
    "DerivationParameters",
    "ProteinuriaCriterion",
    "RuleSet",
    "SyndromeCriteria",
    "Threshold",
    "Timepoint",
    "albumin_g_dl_to_g_l",
    "albumin_g_l_to_g_dl",
    "cholesterol_mg_dl_to_mmol_l",
    "cholesterol_mmol_l_to_mg_dl",
    "creatinine_mg_dl_to_umol_l",
    "creatinine_umol_l_to_mg_dl",
    "dipstick_to_mg_dl",
    "factor_to_canonical",
    "list_rule_sets",
    "load_rule_set",
    "to_canonical",
    "upcr_mg_mg_to_mg_mmol",
    "upcr_mg_mmol_to_mg_mg",
]
