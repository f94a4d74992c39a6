"""Read what the user points ``--data`` at: a cohort bundle or an analysis-dataset CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._variables import ANALYSIS_VARIABLES

__all__ = ["read_analysis_csv", "read_export_tables"]


def read_analysis_csv(path: Path | str) -> pd.DataFrame:
    """An analysis dataset written as CSV (by ``import-table`` or an export), with typed dates."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InteropError(
            f"{path} is not a readable UTF-8 CSV analysis dataset ({error})."
        ) from None
    if "patient_id" not in frame.columns:
        raise InteropError(
            f"{path} has no patient_id column, so it is not an analysis dataset. Point --data at a "
            "bundle (a folder of CSV files or an .xlsx workbook) or at an analysis-dataset CSV."
        )
    frame = frame.replace("", pd.NA)
    for variable in ANALYSIS_VARIABLES:
        if variable.name not in frame.columns:
            continue
        try:
            frame[variable.name] = _typed(variable, frame[variable.name])
        except (ValueError, TypeError, KeyError):
            raise InteropError(
                f"{path.name}: column {variable.name} holds a value that is not a valid "
                f"{variable.kind}. Re-create the file with `nephrocohort import-table`."
            ) from None
    return frame


def _typed(variable, column: pd.Series) -> pd.Series:
    if variable.kind == "date":
        return pd.to_datetime(column, format="ISO8601").astype("datetime64[ns]")
    if variable.kind == "boolean":
        words = {"true": True, "false": False, "1": True, "0": False}
        mapped = column.map(lambda v: v if pd.isna(v) else words[str(v).strip().lower()])
        return mapped.astype("boolean")
    if variable.kind == "integer" or variable.name == "group":
        return pd.to_numeric(column).astype("Int64")
    if variable.kind == "number":
        return pd.to_numeric(column).astype("float64")
    return column.astype("string")


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
        raise InteropError(f"{path} does not exist. Point --data at a bundle or an analysis CSV.")
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
