"""The project's small vocabulary of errors and warnings.

Every error a user can cause carries a sentence written for a clinician or
data manager: what was wrong, where, what was expected and what to do. The
command line prints that sentence and exits non-zero, never a traceback.
"""

__all__ = [
    "NephroCohortError",
    "ClinicalInputError",
    "UnitError",
    "RuleSetError",
    "CohortValidationError",
    "ReportError",
    "StatisticalWarning",
]


class NephroCohortError(Exception):
    """Base class for every error NephroCohort raises on purpose."""


class ClinicalInputError(NephroCohortError, ValueError):
    """An input to a clinical calculation is missing, impossible or out of the equation's range."""


class UnitError(ClinicalInputError):
    """A unit is unknown or cannot be converted to the unit a calculation needs."""


class RuleSetError(NephroCohortError, ValueError):
    """A rule set is unknown or its file is malformed."""


class CohortValidationError(NephroCohortError, ValueError):
    """A cohort bundle failed validation; ``problems`` lists every finding."""

    def __init__(self, problems, source=None):
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} found{where}; nothing was loaded.")


class ReportError(NephroCohortError, ValueError):
    """A report cannot be produced as asked (unknown option or format, no patients to analyse)."""


class StatisticalWarning(UserWarning):
    """A statistical result rests on an assumption the data may not meet."""
