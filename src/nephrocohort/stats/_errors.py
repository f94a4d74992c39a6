"""The error raised when data handed to a statistical function cannot be used."""

from nephrocohort.exceptions import NephroCohortError

__all__ = ["StatisticsInputError"]


class StatisticsInputError(NephroCohortError, ValueError):
    """Values given to a statistical function are unusable (wrong shape, text, lengths differ).

    A subclass of ``ValueError`` so that generic handlers still catch it, and of
    ``NephroCohortError`` so that the command line prints the message without a traceback.
    """
