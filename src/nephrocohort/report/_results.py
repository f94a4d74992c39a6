"""The Results object: every item of a report run plus what is needed to show it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from nephrocohort.report._options import ReportOptions

__all__ = ["Results"]


@dataclass(frozen=True, eq=False)
class Results:
    """All results of one report run, unrounded, addressable by dotted id.

    ``items`` keeps the order in which the report presents them.
    ``excluded_patients`` lists each excluded patient with the reasons (a
    DataFrame with ``patient_id`` and ``reasons``); ``timelines`` holds the
    per-patient drug bars and event markers of the swimmer plot (None without
    a cohort). ``methods`` is the methods paragraph of what was run; ``notes``
    are sentences about the input a reader must know (e.g. absent variables).
    """

    items: tuple
    rule_set_name: str
    rule_set_title: str
    options: ReportOptions
    software: tuple  # (name, version) pairs
    methods: str = ""
    excluded_patients: pd.DataFrame = field(default_factory=pd.DataFrame)
    timelines: object = None
    notes: tuple = ()  # sentences about the input a reader must know (absent variables)
    compared_rule_sets: tuple = ()  # rule-set names of the compare.<name>.* items, in order

    def __post_init__(self):
        ids = [item.id for item in self.items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"Result ids must be unique; repeated: {', '.join(duplicates)}")
        object.__setattr__(self, "_by_id", {item.id: item for item in self.items})

    def __getitem__(self, item_id: str):
        try:
            return self._by_id[item_id]
        except KeyError:
            raise KeyError(
                f"No result with id {item_id!r}. Ids start with: "
                + ", ".join(sorted({i.split(".")[0] for i in self._by_id}))
            ) from None

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._by_id

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str, default=None):
        return self._by_id.get(item_id, default)

    def ids(self) -> list[str]:
        return [item.id for item in self.items]

    def with_prefix(self, prefix: str) -> list:
        """Items whose id starts with ``prefix`` (e.g. ``"proteinuria.month1."``)."""
        return [item for item in self.items if item.id.startswith(prefix)]

    def to_records(self) -> list[dict]:
        """The list written to results.json (unrounded; NaN as null)."""
        return [item.to_dict() for item in self.items]

    def to_frame(self) -> pd.DataFrame:
        """One row per item (without curves), for notebooks and the Excel 'All results' sheet."""
        rows = []
        for record in self.to_records():
            for bulky in (
                "timeline_days",
                "survival",
                "ci_lower",
                "ci_upper",
                "at_risk",
                "censored_days",
            ):
                record.pop(bulky, None)
            for key in [key for key, value in record.items() if isinstance(value, dict)]:
                nested = record.pop(key)  # one column per number (e.g. paired_t_p)
                record.update({f"{key}_{name}": value for name, value in nested.items()})
            for key in [key for key, value in record.items() if value is None]:
                if key.startswith(("normality_of_differences", "paired_t")):
                    record.pop(key)  # keep the sheet free of columns that are always empty
            if "patient_ids" in record:  # a data-quality finding: one cell, comma-separated
                record["patient_ids"] = ", ".join(record["patient_ids"])
            if "reasons" in record:
                record["reasons"] = "; ".join(
                    f"{r['reason']} ({r['n']})" for r in record["reasons"]
                )
            rows.append(record)
        return pd.DataFrame(rows).set_index("id")

    def tables(self) -> dict[str, pd.DataFrame]:
        """The report's display tables as DataFrames, by table id (``table1``, ``table2``, ...).

        Values are the rounded text the report prints; use ``to_frame`` for numbers.
        """
        from nephrocohort.report._tables import build_tables  # tables are built from Results

        return {table.id: table.to_frame() for table in build_tables(self)}

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def __repr__(self) -> str:
        n = self.get("cohort.n")
        patients = n.n if n is not None else "NA"
        return (
            f"Results(rule_set={self.rule_set_name!r}, patients={patients}, "
            f"items={len(self.items)})"
        )
