"""results.json: the list of result items, unrounded (DESIGN.md)."""

from __future__ import annotations

import json

from nephrocohort.report._results import Results

__all__ = ["render_json"]


def render_json(results: Results) -> bytes:
    """``results`` as UTF-8 JSON: a list of items (NaN as null).

    The file is a list so that scripts can read it with any JSON library and
    find an item by its ``id``; the run's rule set, options, software and
    methods text are the first item (``report.run``).
    """
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
    text = json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return text.encode("utf-8")
