"""Rounding for display only: the one place where report numbers become text.

Percentages get one decimal, as the seed prints them; other numbers get at
most two decimals with trailing zeros dropped (25, 21.75, 0.07); p-values
three decimals or "< 0.001".
"""

from __future__ import annotations

import math

from nephrocohort.report._items import CountItem, HypothesisTestItem, SummaryItem

__all__ = [
    "fmt_number",
    "fmt_percent",
    "fmt_count",
    "fmt_summary",
    "fmt_mean_sd",
    "fmt_p",
    "fmt_test",
    "DASH",
]

DASH = "\u2013"  # en dash for ranges
MISSING = "\u2014"  # em dash for "no data"


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value, decimals: int = 2) -> str:
    """Round for display; at most ``decimals`` places, trailing zeros dropped."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_percent(value) -> str:
    if _is_missing(value):
        return MISSING
    return f"{float(value):.1f}%"


def fmt_count(item: CountItem, *, with_denominator: bool = False) -> str:
    """``18 (69.2%)``; ``3/17 (17.6%)`` when the denominator is worth showing."""
    if item.denominator == 0:
        return MISSING
    count = f"{item.n}/{item.denominator}" if with_denominator else f"{item.n}"
    return f"{count} ({fmt_percent(item.percent)})"


def fmt_summary(item: SummaryItem) -> str:
    """The display chosen by the normality rule: mean (SD), median (p25-p75) or min-max."""
    if item.n == 0:
        return MISSING
    if item.n == 1 or item.summary == "none":
        return fmt_number(item.median)
    if item.summary == "mean_sd":
        return f"{fmt_number(item.mean)} (SD {fmt_number(item.sd)})"
    if item.summary == "median_quartiles":
        return f"{fmt_number(item.median)} ({fmt_number(item.p25)}{DASH}{fmt_number(item.p75)})"
    return f"{fmt_number(item.min)}{DASH}{fmt_number(item.max)}"


def fmt_mean_sd(item: SummaryItem) -> str:
    """Mean (SD) whatever the normality decision, for tables laid out that way (Table 1)."""
    if item.n == 0:
        return MISSING
    if item.n == 1:
        return fmt_number(item.mean)
    return f"{fmt_number(item.mean)} ({fmt_number(item.sd)})"


def fmt_summary_kind(item: SummaryItem) -> str:
    """Name of the display chosen, for a column header or a footnote."""
    return {
        "mean_sd": "mean (SD)",
        "median_quartiles": "median (p25\u2013p75)",
        "min_max": "min\u2013max",
    }.get(item.summary, item.summary)


def fmt_p(p) -> str:
    if _is_missing(p):
        return MISSING
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_test(item: HypothesisTestItem) -> str:
    """``Wilcoxon signed-rank, Z = -1.75, p = 0.080 (n = 20)``."""
    if _is_missing(item.p):
        return f"{item.test}: not computed (n = {item.n})"
    z = "" if _is_missing(item.z) else f", Z = {item.z:.2f}"
    p = fmt_p(item.p)
    p = f"p {p}" if p.startswith("<") else f"p = {p}"
    return f"{item.test}{z}, {p} (n = {item.n})"
