"""Write outputs all-or-nothing: build in a hidden staging place, move into place on success.

A failed import or export must never leave a half-written folder that a
user could mistake for a complete one, and must never overwrite something
that is already there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nephrocohort.interop._errors import InteropError

__all__ = ["staged_directory", "staged_file", "refuse_existing"]


def refuse_existing(path: Path, *, what: str) -> None:
    """Raise if ``path`` exists, so nothing stored is ever overwritten."""
    if path.exists():
        raise InteropError("output.exists", what=what, path=path)


@contextlib.contextmanager
def staged_directory(final: Path | str, *, what: str = "Output folder") -> Iterator[Path]:
    """Yield an empty staging folder next to ``final``; rename it to ``final`` if the block succeeds."""
    final = Path(final)
    refuse_existing(final, what=what)
    parent = final.parent if str(final.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=parent))
    try:
        yield staging
        refuse_existing(final, what=what)
        os.replace(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def staged_file(final: Path | str, *, what: str = "Output file") -> Iterator[Path]:
    """Yield a staging file path next to ``final``; move it to ``final`` if the block succeeds."""
    final = Path(final)
    refuse_existing(final, what=what)
    parent = final.parent if str(final.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{final.name}.partial-", suffix=final.suffix, dir=parent
    )
    os.close(handle)
    staging = Path(name)
    try:
        yield staging
        refuse_existing(final, what=what)
        os.replace(staging, final)
    finally:
        if staging.exists():
            staging.unlink()
