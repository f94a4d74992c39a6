"""results.json: the list of result items, unrounded (DESIGN.md)."""

from __future__ import annotations

import json
from pathlib import Path

from nephrocohort.report._results import Results

__all__ = ["write_json"]


def write_json(results: Results, path) -> Path:
    """Write ``results`` as a JSON list of items (NaN as null) and return the path.

    The file is a list so that scripts can read it with any JSON library and
    find an item by its ``id``; the run's rule set, options, software and
    methods text are the first item (``report.run``).
    """
    path = Path(path)
    run = {
        "id": "report.run",
        "label": "How this report was produced",
        "kind": "run",
        "rule_set": results.rule_set_name,
        "rule_set_title": results.rule_set_title,
        "percentile_method": results.options.percentile_method,
        "normality_test": results.options.normality_test,
        "alpha": results.options.alpha,
        "software": {name: version for name, version in results.software},
        "methods": results.methods,
        "notes": list(results.notes),
    }
    records = [run, *results.to_records()]
    path.write_text(
        json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )
    return path
