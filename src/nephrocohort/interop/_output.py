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


def staged_directory(
    final: Path | str, *, what: str = "Output folder"
) -> contextlib.AbstractContextManager[Path]:
    """Yield an empty staging folder next to ``final``; rename it to ``final`` if the block succeeds."""
    return _staged(final, what=what, make=_make_folder, remove=_remove_folder)


def staged_file(
    final: Path | str, *, what: str = "Output file"
) -> contextlib.AbstractContextManager[Path]:
    """Yield a staging file path next to ``final``; move it to ``final`` if the block succeeds."""
    return _staged(final, what=what, make=_make_file, remove=Path.unlink)


@contextlib.contextmanager
def _staged(final: Path | str, *, what: str, make, remove) -> Iterator[Path]:
    """Stage with ``make(folder, prefix, suffix)``; on success move into place, else ``remove``."""
    final = Path(final)
    refuse_existing(final, what=what)
    parent = final.parent if str(final.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    staging = make(parent, f".{final.name}.partial-", final.suffix)
    try:
        yield staging
        refuse_existing(final, what=what)
        os.replace(staging, final)
    finally:
        if staging.exists():
            remove(staging)


def _make_folder(parent: Path, prefix: str, _suffix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def _remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _make_file(parent: Path, prefix: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=parent)
    os.close(handle)
    return Path(name)
