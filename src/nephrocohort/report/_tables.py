"""The report's tables as display text, built from Results (shared by all renderers).

A Table is a title, a header row and body rows of strings, with the result
ids each row shows; ``to_frame`` gives a DataFrame (with an HTML repr) for
notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH
from nephrocohort.i18n import N_, format_integer, localize_number
from nephrocohort.i18n import gettext as _
from nephrocohort.report._columns import HISTOLOGY_ORDER, TIMEPOINTS
from nephrocohort.report._course import COURSE_PREFIX
from nephrocohort.report._format import (
    MISSING,
    fmt_count,
    fmt_decision,
    fmt_fixed,
    fmt_mean_sd,
    fmt_normality,
    fmt_p,
    fmt_summary,
    fmt_summary_kind,
    fmt_test,
    fmt_unit,
)
from nephrocohort.report._items import CountItem, HypothesisTestItem, SummaryItem, SurvivalItem
from nephrocohort.stats import DEFAULT_SMALL_N

if TYPE_CHECKING:  # Results builds its tables with this module: no import at run time
    from nephrocohort.report._results import Results

__all__ = ["Table", "build_tables"]


@dataclass(frozen=True)
class Table:
    """A display table: ``columns`` and ``rows`` are text, rounded for reading.

    ``footnotes`` are the numbered notes a cell points to with a superscript
    marker (e.g. ``59.70 (49.00)¹``), as journal tables do.
    """

    id: str
    title: str
    columns: tuple
    rows: tuple
    note: str = ""
    footnotes: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def _repr_html_(self) -> str:
        return self.to_frame()._repr_html_()

    def __repr__(self) -> str:
        return f"Table({self.id!r}, {len(self.rows)} rows)"


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class _Footnotes:
    """Numbered footnotes for one table; the same text gets the same number."""

    def __init__(self):
        self._texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self._texts:
            self._texts.append(text)
        return str(self._texts.index(text) + 1).translate(_SUPERSCRIPT)

    def notes(self) -> tuple:
        return tuple(
            f"{str(i).translate(_SUPERSCRIPT)} {text}" for i, text in enumerate(self._texts, 1)
        )


def _normality_note(results: Results) -> str:
    name = {
        "lilliefors": _(
            "Lilliefors: Kolmogorov-Smirnov test with Lilliefors correction "
            "(p > 0.2 is SPSS's lower bound)"
        ),
        "shapiro": _("Shapiro-Wilk test"),
    }[results.options.normality_test]
    return _(
        "{name}; mean (SD) when p > {alpha}, else median (p25\u2013p75); fewer than "
        "{small_n} values: min\u2013max."
    ).format(
        name=name,
        alpha=localize_number(f"{results.options.alpha:g}"),
        small_n=DEFAULT_SMALL_N,
    )


#: The word units of the summary items (report/_study.py), translated where a row shows them.
_UNIT_WORDS = (N_("months"), N_("years"))


def _item_row(item) -> tuple:
    """Variable | value | display | normality test | patients with data (generic tables)."""
    if isinstance(item, CountItem):
        return (_(item.label), fmt_count(item), "n (%)", "", f"{item.denominator}")
    if isinstance(item, SummaryItem):
        return (
            f"{_(item.label)} ({_(fmt_unit(item.unit))})",
            fmt_summary(item),
            fmt_summary_kind(item),
            fmt_decision(item, small_n=DEFAULT_SMALL_N),
            f"{item.n}",
        )
    if isinstance(item, HypothesisTestItem):
        return (_(item.label), fmt_test(item), _("test"), "", f"{item.n}")
    raise TypeError(f"No table row for {type(item).__name__}")


def _generic(table_id, title, results, ids, note="") -> Table | None:
    items = [results[i] for i in ids if i in results]
    if not items:
        return None
    columns = (
        _("Variable"),
        _("Value"),
        _("Shown as"),
        _("Normality test"),
        _("Patients with data"),
    )
    rows = tuple(_item_row(item) for item in items)
    if any(isinstance(item, SummaryItem) for item in items):
        note = f"{note} {_normality_note(results)}".strip()
    else:  # counts only: no normality column
        columns = columns[:3] + columns[4:]
        rows = tuple(row[:3] + row[4:] for row in rows)
    return Table(table_id, _(title), columns, rows, note)


def _histologies(results: Results, prefix: str) -> list[str]:
    codes = {item.id.split(".")[1] for item in results.with_prefix(prefix)}
    return [h for h in HISTOLOGY_ORDER if h in codes] + sorted(codes - set(HISTOLOGY_ORDER))


def _table1(results: Results) -> Table | None:
    codes = _histologies(results, "table1.")
    if not codes:
        return None
    footnotes = _Footnotes()

    def cell(code, suffix):
        item = results.get(f"table1.{code}.{suffix}")
        if item is None:
            return MISSING
        if suffix == "n":
            return str(item.n)
        if suffix == "sex":
            return f"{item.n}:{item.denominator - item.n}" if item.denominator else MISSING
        if isinstance(item, CountItem):
            return fmt_count(item)
        if item.n == 0:
            return MISSING
        return fmt_mean_sd(item) + footnotes.mark(_table1_footnote(item))

    rows = [
        ("N", *(cell(c, "n") for c in codes)),
        (_("Sex (M:F)"), *(cell(c, "sex") for c in codes)),
        (_("Current age (years), mean (SD)"), *(cell(c, "age_years") for c in codes)),
        (
            _("Time from diagnosis to MMF (months), mean (SD)"),
            *(cell(c, "months_diagnosis_to_mmf") for c in codes),
        ),
        (_("High blood pressure at onset, n (%)"), *(cell(c, "hypertension") for c in codes)),
        (
            _("eGFR at MMF start (mL/min/1.73 m²), mean (SD)"),
            *(cell(c, "egfr_mmf_start") for c in codes),
        ),
    ]
    return Table(
        "table1",
        _("Table 1. Baseline characteristics by histology"),
        ("", *codes),
        tuple(rows),
        _(
            "Quantitative rows give mean (SD) in every column, as the seed's Table 1, so that "
            "histologies can be compared side by side (the value itself for one patient); the "
            "numbered notes give each cell's normality test and, where normality was rejected or "
            "not tested, the summary the normality rule chooses. MCD: minimal change "
            "disease; FSGS: focal segmental glomerulosclerosis; MN: membranous nephropathy; DMS: "
            "diffuse mesangial sclerosis."
        )
        + " "
        + _normality_note(results),
        footnotes.notes(),
    )


def _table1_footnote(item: SummaryItem) -> str:
    """Why a Table 1 cell would be shown otherwise by the normality rule, and how."""
    decision = fmt_decision(item, small_n=DEFAULT_SMALL_N)
    if item.summary == "mean_sd" or item.n == 1:
        return decision[0].upper() + decision[1:] + "."
    return f"{decision[0].upper() + decision[1:]}; {fmt_summary_kind(item)} {fmt_summary(item)}."


def _table2(results: Results) -> Table | None:
    codes = [c for c in _histologies(results, "histology.") if f"histology.{c}" in results]
    rows = []
    for code in codes:
        finding, crf = results[f"histology.{code}"], results.get(f"histology.{code}.crf")
        if finding.n == 0:
            continue
        rows.append((_(finding.label), fmt_count(finding), fmt_count(crf) if crf else MISSING))
    if not rows:
        return None
    return Table(
        "table2",
        _("Table 2. Renal biopsy findings and chronic renal failure (CRF)"),
        (_("Finding in the renal biopsy"), "n (%)", _("CRF n (%)")),
        tuple(rows),
        _("CRF percentages are within each histological category."),
    )


def _proteinuria(results: Results) -> Table | None:
    rows = []
    for name, months in TIMEPOINTS.items():
        items = [
            results.get(f"proteinuria.{name}.{s}")
            for s in ("nephrotic", "none", "partial", "complete")
        ]
        if any(item is None for item in items):
            return None
        when = _("MMF start") if months == 0 else _("Month {months}").format(months=months)
        rows.append((when, *(fmt_count(item) for item in items), str(items[0].denominator)))
    return Table(
        "proteinuria",
        _("Proteinuria category on MMF (Figure 1)"),
        (
            _("Time point"),
            _("Nephrotic range"),
            _("No remission"),
            _("Partial remission (non-nephrotic)"),
            _("No proteinuria (remission)"),
            "n",
        ),
        tuple(rows),
        _(
            "Percentages of the patients with a measurement in the time point's window; the "
            "four states add up to n. No remission: below the nephrotic range but not a partial "
            "remission under the rule set (e.g. serum albumin below its threshold)."
        ),
    )


def _response(results: Results) -> Table | None:
    if "response.month1.complete" not in results:
        return None
    rows = []
    for level, name in (("complete", N_("Complete remission")), ("partial", N_("Partial remission")),
                        ("none", N_("No response"))):  # fmt: skip
        rows.append(
            (
                _(name),
                *(
                    fmt_count(results[f"response.month1{suffix}.{level}"])
                    for suffix in ("", ".group1", ".group2")
                ),
            )
        )
    totals = [
        results[f"response.month1{s}.complete"].denominator for s in ("", ".group1", ".group2")
    ]
    rows.append((_("Patients with data"), *(str(t) for t in totals)))
    test = results.get("response.month1.group_test")
    note = _(
        "Group 1: cyclophosphamide and/or a calcineurin inhibitor before MMF; group 2: MMF first."
    )
    if test is not None:
        note += " " + _("Group 1 vs group 2: {test}.").format(test=fmt_test(test))
    return Table(
        "response",
        _("Response one month after MMF start"),
        (_("Response"), _("All patients"), _("Group 1"), _("Group 2")),
        tuple(rows),
        note,
    )


def _before_after(results: Results) -> Table | None:
    rows = []
    footnotes = _Footnotes()

    def summary(item) -> str:
        text = fmt_summary(item)
        if item.n == 0:
            return text
        return text + footnotes.mark(fmt_decision(item, small_n=DEFAULT_SMALL_N) + ".")

    for prefix, name in (("relapses_per_year", N_("Relapses per year")),
                         ("steroid_dose", N_("Steroid dose (mg/kg/day)")),
                         ("egfr", N_("eGFR (mL/min/1.73 m\u00b2)"))):  # fmt: skip
        before = results.get(f"{prefix}.before") or results.get(f"{prefix}.mmf_start")
        after = results.get(f"{prefix}.after") or results.get(f"{prefix}.month12")
        test = results.get(f"{prefix}.test")
        if before is None or after is None:
            continue
        rows.append(
            (
                _(name),
                summary(before),
                summary(after),
                _differences_cell(test),
                fmt_p(test.p) if test else MISSING,
                _paired_t_cell(test),
                str(test.n) if test else MISSING,
            )
        )
    if not rows:
        return None
    return Table(
        "before_after",
        _("Before and on MMF"),
        (
            _("Variable"),
            _("Before / at MMF start"),
            _("On MMF / at one year"),
            _("Normality of the differences"),
            _("Wilcoxon p"),
            _("Paired t"),
            _("Pairs"),
        ),  # fmt: skip
        tuple(rows),
        _(
            "Wilcoxon p: Wilcoxon signed-rank test, the primary test as in the seed, on the "
            "patients with both values; pairs with no change are dropped from its n (Pairs). The "
            "differences (after \u2212 before) were tested for normality; only when they are normal "
            "is the paired t test given, as a secondary test: mean difference (95% CI), p."
        )
        + " "
        + _normality_note(results),
        footnotes.notes(),
    )


def _differences_cell(test) -> str:
    checked = None if test is None else test.normality_of_differences
    if not checked:
        return MISSING
    if checked.get("normal") is None:
        return _(checked.get("reason", MISSING)).rstrip(".").lower()
    return fmt_normality(checked["test"], checked["statistic"], checked["p"], checked["normal"])


def _paired_t_cell(test) -> str:
    t = None if test is None else test.paired_t
    if not t:
        return MISSING
    p = fmt_p(t["p"])
    p = f"p {p}" if p.startswith("<") else f"p = {p}"
    return _("{difference} ({low} to {high}), {p}").format(
        difference=fmt_fixed(t["mean_difference"]),
        low=fmt_fixed(t["ci_low"]),
        high=fmt_fixed(t["ci_high"]),
        p=p,
    )


def _confirmation(results: Results) -> Table | None:
    """How many values rest on a single (unconfirmed) reading, and in which columns."""
    values = results.get("confirmation.unconfirmed_values")
    patients = results.get("confirmation.patients_with_unconfirmed")
    if values is None or patients is None:
        return None
    rows = [
        (_(values.label), fmt_count(values, with_denominator=True)),
        (_(patients.label), fmt_count(patients, with_denominator=True)),
    ]
    rows += [(f"\u2003{column}", str(n)) for column, n in values.reasons]
    return Table(
        "confirmation",
        _("Values resting on a single reading"),
        (_("Variable"), _("Value")),
        tuple(rows),
        _(
            "A value rests on a single reading when its proteinuria state was recorded on fewer "
            "consecutive days than the rule set's confirmation needs, with nothing against it "
            "(records too sparse to confirm). It is used, marked unconfirmed in the analysis "
            "dataset (column unconfirmed_values) and counted here, never dropped. The "
            "denominator is the values derived in the columns that can be marked."
        ),
    )


def _data_quality(results: Results) -> Table | None:
    """The data-quality findings: how many patients, out of those checked, and who."""
    from nephrocohort.cohort._derive_blood_pressure import (
        ONSET_WINDOW_DAYS_AFTER,
        ONSET_WINDOW_DAYS_BEFORE,
    )

    findings = results.with_prefix("data_quality.")
    if not findings:
        return None
    rows = tuple(
        (
            _(item.label),
            fmt_count(item, with_denominator=True),
            ", ".join(item.patient_ids) or MISSING,
        )
        for item in findings
    )
    return Table(
        "data_quality",
        _("Data-quality findings"),
        (_("Finding"), _("Patients (of those checked)"), _("Patient ids")),
        rows,
        _(
            "A finding is shown, never resolved: the analysis uses each value as recorded. "
            "Hypertension at onset: the recorded yes/no (patients.hypertension_at_onset) against "
            "the AAP 2017 category (Flynn et al. 2017, Table 3) of the blood pressure of the "
            "visits {days_before} days before to {days_after} days after onset_date, over the "
            "patients assessed with both known. nephrocohort validate lists each finding with "
            "its row."
        ).format(days_before=ONSET_WINDOW_DAYS_BEFORE, days_after=ONSET_WINDOW_DAYS_AFTER),
    )


#: Rows of the rule-set comparison: (label, result id, how the cell is shown).
_COMPARISON_ROWS = (
    (N_("Patients assessed"), "eligibility.assessed", "n"),
    (N_("Steroid-resistant (SRNS), n (%)"), "srns", "count"),
    (N_("Eligible and analysed, n (%)"), "eligibility.included", "count"),
    (N_("Complete remission at one month, n (%)"), "response.month1.complete", "count"),
    (N_("Partial remission at one month, n (%)"), "response.month1.partial", "count"),
    (N_("No response at one month, n (%)"), "response.month1.none", "count"),
    (N_("Relapses per year before MMF"), "relapses_per_year.before", "summary"),
    (N_("Relapses per year on MMF"), "relapses_per_year.after", "summary"),
    (N_("Relapses per year, Wilcoxon p"), "relapses_per_year.test", "p"),
    (N_("Steroid dose at MMF start (mg/kg/day)"), "steroid_dose.before", "summary"),
    (N_("Steroid dose at follow-up on MMF (mg/kg/day)"), "steroid_dose.after", "summary"),
    (N_("Steroid dose, Wilcoxon p"), "steroid_dose.test", "p"),
    (N_("Values resting on a single reading"), "confirmation.unconfirmed_values", "of"),
)


def _comparison(results: Results) -> Table | None:
    """Key results under each compared rule set, one column per rule set."""
    names = results.compared_rule_sets
    if not names:
        return None

    def cell(name, key, shown):
        item = results.get(f"compare.{name}.{key}")
        if item is None:
            return MISSING
        if shown == "n":
            return str(item.n)
        if shown == "count":
            return fmt_count(item)
        if shown == "of":
            return fmt_count(item, with_denominator=True)
        if shown == "p":
            return fmt_p(item.p)
        return fmt_summary(item)

    rows = tuple(
        (_(label), *(cell(name, key, shown) for name in names))
        for label, key, shown in _COMPARISON_ROWS
    )
    return Table(
        "comparison",
        _("Key results under each rule set"),
        (_("Result"), *names),
        rows,
        _(
            "Each rule set derives the dataset again from the same records; percentages and "
            "summaries are of the patients eligible under that rule set (SRNS: of the patients "
            "assessed whose steroid response is known). Summaries follow the normality rule of "
            "the report; Wilcoxon: the signed-rank test, before vs on MMF. \u2014: no eligible "
            "patient or no data under that rule set."
        ),
    )


def _survival(results: Results) -> Table | None:
    items = [item for item in results if isinstance(item, SurvivalItem)]
    if not items:
        return None
    rows = []
    for item in items:
        median = (
            MISSING if item.median_days is None else fmt_fixed(item.median_days / DAYS_PER_MONTH, 1)
        )
        rows.append((_(item.label), str(item.n), str(item.events), str(item.censored), median))
    return Table(
        "survival",
        _("Kaplan-Meier estimates"),
        (_("Time to"), _("Patients"), _("Events"), _("Censored"), _("Median (months)")),
        tuple(rows),
        _("Median not reached is shown as \u2014."),
    )


def _eligibility(results: Results) -> Table | None:
    excluded = results.get("eligibility.excluded")
    if excluded is None:
        return None
    # Counts grouped as the report language writes them (5,000 / 5.000; es from 10.000 on).
    rows = [(_(item.label), format_integer(item.n)) for item in results.with_prefix("selection.")]
    for i in (
        "eligibility.registered",
        "eligibility.consent_left_out",
        "eligibility.consent_override",
    ):
        item = results.get(i)
        if item is not None and (item.n or i != "eligibility.consent_override"):
            rows.append((_(item.label), format_integer(item.n)))
            rows += [(f"\u2003{reason}", format_integer(n)) for reason, n in item.reasons]
    rows += [
        (_(results[i].label), format_integer(results[i].n))
        for i in ("eligibility.assessed", "eligibility.excluded")
    ]
    rows += [(f"\u2003{reason}", format_integer(n)) for reason, n in excluded.reasons]
    rows += [
        (_(results[i].label), format_integer(results[i].n))
        for i in ("eligibility.not_assessable", "eligibility.included")
    ]
    unchecked = results.get("eligibility.included_unchecked")
    if unchecked is not None and unchecked.n:
        rows.append((_(unchecked.label), format_integer(unchecked.n)))
        rows += [(f"\u2003{reason}", format_integer(n)) for reason, n in unchecked.reasons]
    return Table("eligibility", _("Eligibility"), (_("Step"), _("Patients")), tuple(rows))


def _excluded(results: Results) -> Table | None:
    frame = results.excluded_patients
    if frame is None or frame.empty:
        return None
    return Table(
        "excluded_patients",
        _("Patients not analysed and why"),
        (_("Patient"), _("Reasons")),
        tuple((str(p), str(r)) for p, r in zip(frame["patient_id"], frame["reasons"], strict=True)),
    )


def course_table(results):
    """The table, or None when the results have no course items."""
    ids = [i for i in results.ids() if i.startswith(COURSE_PREFIX)]
    return _generic(
        "course",
        N_("Course of the disease"),
        results,
        ids,
        _(
            "Under the rule set's own thresholds (rules show NAME); a value the rule set does "
            "not define or that does not apply to the patient is counted as without data."
        ),
    )


def build_tables(results: Results) -> list[Table]:
    """Every display table of the report, in report order (empty sections left out)."""
    ids = results.ids()
    tables = [
        _generic(
            "characteristics",
            N_("Characteristics of the patients"),
            results,
            ["cohort.n", "sex.male", "sex.female", "age_at_diagnosis_months",
             "age_at_assessment_years", "follow_up_years",
             *[i for i in ids if i.startswith("onset.")]],
            _("Percentages use the patients with data as denominator."),
        ),
        _table1(results),
        _table2(results),
        _generic(
            "treatment",
            N_("Treatments"),
            results,
            [i for i in ids if i.startswith(("treatment.", "group.", "mmf."))],
        ),
        _proteinuria(results),
        _response(results),
        _before_after(results),
        _generic(
            "prednisolone",
            N_("Prednisolone on MMF"),
            results,
            ["prednisolone_stopped"],
        ),
        _generic(
            "outcomes",
            N_("Outcomes and adverse events"),
            results,
            [i for i in ids if i.startswith(("outcomes.", "adverse."))],
        ),
        course_table(results),
        _survival(results),
        _confirmation(results),
        _data_quality(results),
        _comparison(results),
        _eligibility(results),
        _excluded(results),
    ]  # fmt: skip
    return [table for table in tables if table is not None]
