"""Rounding for display only: the one place where report numbers become text.

Percentages get one decimal, as the seed prints them; summaries (mean, SD,
median, quartiles, minimum, maximum) always two decimals, so a column of a
journal table lines up (25.00 (21.75-39.00), not 25 (21.75-39)); other
numbers at most two decimals with trailing zeros dropped; p-values three
decimals or "< 0.001". Numbers are rounded as English text and then written
with the active language's decimal sign (``nephrocohort.i18n.localize_number``:
``0,003`` in es and pt-BR); words go through gettext.
"""

from __future__ import annotations

import math

from nephrocohort.i18n import gettext as _
from nephrocohort.i18n import localize_number, localize_percent
from nephrocohort.report._items import CountItem, HypothesisTestItem, SummaryItem

__all__ = [
    "fmt_number",
    "fmt_percent",
    "fmt_count",
    "fmt_summary",
    "fmt_mean_sd",
    "fmt_p",
    "fmt_test",
    "fmt_fixed",
    "fmt_unit",
    "fmt_normality",
    "fmt_decision",
    "SUMMARY_DECIMALS",
    "DASH",
]

#: Decimals of every summary number in the tables (the seed prints at most two).
SUMMARY_DECIMALS = 2

_NORMALITY_SHORT = {"lilliefors": ("Lilliefors", "D"), "shapiro": ("Shapiro-Wilk", "W")}

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
    return localize_number("0" if text in ("-0", "") else text)


def fmt_fixed(value, decimals: int = SUMMARY_DECIMALS) -> str:
    """Round for display with exactly ``decimals`` places (trailing zeros kept)."""
    if _is_missing(value):
        return MISSING
    text = f"{float(value):.{decimals}f}"
    return localize_number(text[1:] if text.startswith("-") and float(text) == 0 else text)


def fmt_unit(unit: str) -> str:
    """A unit as a journal prints it: ``mL/min/1.73 m2`` becomes ``mL/min/1.73 m²``."""
    return unit.replace(" m2", " m²").replace("/m2", "/m²")


def fmt_percent(value) -> str:
    if _is_missing(value):
        return MISSING
    return localize_percent(f"{float(value):.1f}")


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
        return fmt_fixed(item.median)
    if item.summary == "mean_sd":
        return f"{fmt_fixed(item.mean)} ({_('SD')} {fmt_fixed(item.sd)})"
    if item.summary == "median_quartiles":
        return f"{fmt_fixed(item.median)} ({fmt_fixed(item.p25)}{DASH}{fmt_fixed(item.p75)})"
    return f"{fmt_fixed(item.min)}{DASH}{fmt_fixed(item.max)}"


def fmt_mean_sd(item: SummaryItem) -> str:
    """Mean (SD) whatever the normality decision, for tables laid out that way (Table 1)."""
    if item.n == 0:
        return MISSING
    if item.n == 1:
        return fmt_fixed(item.mean)
    return f"{fmt_fixed(item.mean)} ({fmt_fixed(item.sd)})"


def fmt_summary_kind(item: SummaryItem) -> str:
    """Name of the display chosen, for a column header or a footnote."""
    return {
        "mean_sd": _("mean (SD)"),
        "median_quartiles": _("median (p25\u2013p75)"),
        "min_max": _("min\u2013max"),
    }.get(item.summary, item.summary)


def fmt_normality(test, statistic, p, normal) -> str:
    """``Lilliefors D = 0.21, p = 0.003: not normal`` (SPSS's "> 0.2" for Lilliefors' ceiling)."""
    name, letter = _NORMALITY_SHORT.get(test, (str(test), "statistic"))
    if test == "lilliefors" and p >= 0.2:
        shown = "p > " + localize_number(
            "0.2"
        )  # SPSS prints .200*, a lower bound (nephrocohort.stats.normality)
    else:
        shown = fmt_p(p)
        shown = f"p {shown}" if shown.startswith("<") else f"p = {shown}"
    verdict = _("normal") if normal else _("not normal")
    letter = _(letter) if letter == "statistic" else letter
    return f"{name} {letter} = {localize_number(f'{statistic:.2f}')}, {shown}: {verdict}"


def fmt_decision(item: SummaryItem, *, small_n: int) -> str:
    """Why ``item`` is shown as it is: the normality test's answer, or why none was run."""
    if item.summary == "none" or item.n == 0:
        return _("no data")
    if item.summary == "min_max":
        return _("fewer than {small_n} values: not tested").format(small_n=small_n)
    if item.normality_statistic is None or item.normality_p is None:
        return _("all values equal: not tested")
    return fmt_normality(
        item.normality_test, item.normality_statistic, item.normality_p, item.normal
    )


def fmt_p(p) -> str:
    if _is_missing(p):
        return MISSING
    return "< " + localize_number("0.001") if p < 0.001 else localize_number(f"{p:.3f}")


def fmt_test(item: HypothesisTestItem) -> str:
    """``Wilcoxon signed-rank, Z = -1.75, p = 0.080, exact p = 0.084 (n = 20)``."""
    if _is_missing(item.p):
        return _("{test}: not computed (n = {n})").format(test=_(item.test), n=item.n)
    z = "" if _is_missing(item.z) else f", Z = {localize_number(f'{item.z:.2f}')}"
    p = fmt_p(item.p)
    p = f"p {p}" if p.startswith("<") else f"p = {p}"
    exact = ""
    if not _is_missing(item.p_exact):
        shown = fmt_p(item.p_exact)
        exact = _(", exact p {p}") if shown.startswith("<") else _(", exact p = {p}")
        exact = exact.format(p=shown)
    return f"{_(item.test)}{z}, {p}{exact} (n = {item.n})"
