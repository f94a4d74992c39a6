"""The small result every importer returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ImportResult"]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, how the file was read, and what it could not use."""

    output: Path
    row_counts: dict[str, int]
    notes: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        rows = ", ".join(f"{name}={count}" for name, count in self.row_counts.items())
        return f"ImportResult({self.output}; {rows}; {len(self.skipped)} skipped)"
