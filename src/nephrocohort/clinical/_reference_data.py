"""Read the reference tables that ship in ``nephrocohort/data/reference`` (read-only package data).

The tables are published facts (CDC 2000 growth charts, AAP 2017 blood-pressure
tables); their sources and licences are in that folder's README.md. They are
read once per process and returned as tuples of rows, so the clinical
functions that use them stay pure.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

__all__ = ["reference_rows"]


@functools.cache
def reference_rows(file_name: str) -> tuple[dict[str, str], ...]:
    """The rows of one shipped reference CSV file, as dicts of text keyed by the header."""
    resource = resources.files("nephrocohort") / "data" / "reference" / file_name
    with resource.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))
