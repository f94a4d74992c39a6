"""Errors of the interop layer: a file that cannot be read, mapped or written."""

from __future__ import annotations

from nephrocohort.exceptions import NephroCohortError

__all__ = ["InteropError", "FileFormatError", "MappingError"]


class InteropError(NephroCohortError, ValueError):
    """An import or export could not be done; the message says what, where and what to do."""


class FileFormatError(InteropError):
    """A file is malformed, in an unknown encoding or not the kind of file expected."""


class MappingError(InteropError):
    """A legacy-sheet mapping file is malformed or does not match the sheet."""
