"""Named rule sets: every clinical threshold and derivation window, as data with its source.

The package keeps one concern per module: ``vocabulary`` (the names a rule set
may use), ``model`` (``RuleSet``, ``DerivationParameters``, ``Timepoint``, ...),
``classification`` (vectorised proteinuria categories), ``loading`` (YAML
against a pydantic schema) and ``display`` (parameters in words). Import the
public names from here: ``from nephrocohort.clinical.rules import load_rule_set``.
"""

from nephrocohort.clinical.rules.loading import list_rule_sets, load_rule_set
from nephrocohort.clinical.rules.model import (
    DerivationParameters,
    FrozenMapping,
    ProteinuriaCriterion,
    RuleSet,
    SyndromeCriteria,
    Threshold,
    Timepoint,
)
from nephrocohort.clinical.rules.vocabulary import (
    EGFR_EQUATION_NAMES,
    PROTEINURIA_CATEGORIES,
    PROTEINURIA_TESTS,
)

__all__ = [
    "PROTEINURIA_TESTS",
    "PROTEINURIA_CATEGORIES",
    "EGFR_EQUATION_NAMES",
    "FrozenMapping",
    "Threshold",
    "ProteinuriaCriterion",
    "SyndromeCriteria",
    "Timepoint",
    "DerivationParameters",
    "RuleSet",
    "load_rule_set",
    "list_rule_sets",
]
