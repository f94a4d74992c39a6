"""The small result every importer returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ImportResult", "NotImported"]


@dataclass(frozen=True)
class NotImported:
    """Items of one kind that were not imported: a reason code, its parameters and a count.

    ``group`` says whether the data model could have used them:
    ``"status"`` (the record says it did not happen), ``"model"`` (data the
    model uses, not usable as sent), ``"kidney"`` (a kidney finding the model
    has no event for: a transplant waiting list, a rejection) or
    ``"outside"`` (not part of the data model). ``message`` is the sentence
    for people, built from the code.
    """

    code: str
    group: str
    params: dict
    count: int
    message: str

    def __str__(self) -> str:
        return f"{self.message} (x{self.count})"


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, how the file was read, and what it could not use."""

    output: Path
    row_counts: dict[str, int]
    notes: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())
    #: The same items as ``skipped``, as codes and parameters (FHIR import).
    not_imported: tuple[NotImported, ...] = field(default=())

    def __repr__(self) -> str:
        rows = ", ".join(f"{name}={count}" for name, count in self.row_counts.items())
        return f"ImportResult({self.output}; {rows}; {len(self.skipped)} skipped)"
