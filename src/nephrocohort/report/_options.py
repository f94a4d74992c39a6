"""Options of the study report: which statistical conventions to follow.

Allowed values are declared once, here, and checked by one function, so the
API and the command line give the same message for the same mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrocohort.exceptions import ReportError

__all__ = ["ReportOptions", "FORMATS", "parse_formats"]

#: Output formats the report can write, in the order they are written.
FORMATS = ("json", "html", "docx", "xlsx")

_ALLOWED = {
    "percentile_method": ("spss", "linear"),
    "normality_test": ("lilliefors", "shapiro"),
}


@dataclass(frozen=True)
class ReportOptions:
    """Statistical conventions of a report run.

    Parameters
    ----------
    percentile_method:
        ``"spss"`` (SPSS's HAVERAGE, a weighted average at (n+1)p, the seed
        study's software) or ``"linear"`` (R type 7, NumPy's default).
    normality_test:
        ``"lilliefors"`` (Kolmogorov-Smirnov with Lilliefors correction, as
        SPSS EXAMINE reports it and as the seed study used) or ``"shapiro"``.
    alpha:
        Significance level of the normality test that chooses mean (SD) or
        median (p25-p75).
    """

    percentile_method: str = "spss"
    normality_test: str = "lilliefors"
    alpha: float = 0.05

    def __post_init__(self):
        for name, allowed in _ALLOWED.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ReportError(
                    "report.option_choice", option=name, allowed=", ".join(allowed), value=value
                )
        if not 0 < self.alpha < 1:
            raise ReportError("report.option_alpha", value=self.alpha)


def parse_formats(text_or_list) -> tuple[str, ...]:
    """Turn ``"html,docx"`` (or a list) into known formats, in writing order.

    Raises ReportError naming the unknown format and the accepted ones.
    """
    if isinstance(text_or_list, str):
        parts = [part.strip().lower() for part in text_or_list.split(",")]
    else:
        parts = [str(part).strip().lower() for part in text_or_list]
    parts = [part for part in parts if part]
    if not parts:
        raise ReportError("report.no_format", known=", ".join(FORMATS))
    unknown = [part for part in parts if part not in FORMATS]
    if unknown:
        raise ReportError("report.unknown_format", value=unknown[0], known=", ".join(FORMATS))
    return tuple(fmt for fmt in FORMATS if fmt in parts)
