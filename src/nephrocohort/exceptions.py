"""The project's small vocabulary of errors and warnings.

Every error a user can cause carries a ``code`` and ``params``; its
sentence (what was wrong, where, what was expected and what to do) is
written from the code's template in :data:`nephrocohort.messages.CATALOGUE`
when it is shown. The command line prints that sentence and exits
non-zero, never a traceback.
"""

from nephrocohort.messages import CATALOGUE, render

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
    """Base class for every error NephroCohort raises on purpose.

    ``NephroCohortError("path_not_found", path=path)`` names a template of
    the catalogue. A sentence given instead of a code (older call sites, not
    yet in the catalogue) is kept as the ``text`` param of code ``unspecified``.
    """

    def __init__(self, code: str = "unspecified", /, **params):
        if code not in CATALOGUE:
            code, params = "unspecified", {"text": code, **params}
        self.code = code
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        # A template ending in an optional "{hint}" leaves no trailing space without one.
        return render(self.code, self.params)[0].rstrip()

    @property
    def hint(self) -> str:
        return render(self.code, self.params)[1]

    def __str__(self) -> str:
        return self.message


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
        count = len(self.problems)
        super().__init__(
            "validation_failed" if source else "validation_failed_here",
            count=count,
            source=source,
        )


class ReportError(NephroCohortError, ValueError):
    """A report cannot be produced as asked (unknown option or format, no patients to analyse)."""


class StatisticalWarning(UserWarning):
    """A statistical result rests on an assumption the data may not meet."""
