"""Read what the user points ``--data`` at: a cohort bundle or an analysis-dataset CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nephrocohort.cohort.analysis_csv import read_analysis_csv
from nephrocohort.interop._errors import InteropError

__all__ = ["MESSAGES", "read_export_tables"]

# code -> sentence (STYLE.md 2.6: user-facing sentences in one dict, keyed by a stable code).
MESSAGES: dict[str, str] = {
    "not_found": "{path} does not exist. Point --data at a bundle or an analysis CSV.",
}


def read_export_tables(
    path: Path | str, *, rule_set: str = "study", include_analysis: bool = True
) -> dict[str, pd.DataFrame]:
    """The tables to export from ``path``: a bundle's raw tables plus its analysis dataset.

    A single ``.csv`` file is taken to be an analysis dataset on its own. For a
    bundle, the analysis dataset is derived with ``rule_set`` unless
    ``include_analysis`` is false.
    """
    path = Path(path)
    if not path.exists():
        raise InteropError(MESSAGES["not_found"].format(path=path))
    if path.is_file() and path.suffix.lower() == ".csv":
        return {"analysis": read_analysis_csv(path)}
    from nephrocohort.cohort import load_bundle

    cohort = load_bundle(path)
    tables = dict(cohort.tables)
    if include_analysis:
        from nephrocohort.clinical.rules import load_rule_set
        from nephrocohort.cohort import derive

        tables["analysis"] = derive(cohort, load_rule_set(rule_set))
    return tables
