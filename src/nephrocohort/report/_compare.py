"""Key results under several rule sets side by side (``report --compare-rule-sets``).

Issue 10 item 8: how much the definition moves the result. Each rule set
derives the analysis dataset again from the same records; its key results
(eligible/SRNS count, one-month response, relapses per year and steroid dose
before and on MMF with the Wilcoxon test, values resting on a single reading)
become items ``compare.<rule set>.<result>`` of the main run, so results.json,
the table of every format and the methods text show the same numbers.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from nephrocohort.exceptions import ReportError
from nephrocohort.i18n import gettext as _
from nephrocohort.report._items import CountItem

__all__ = ["KEY_RESULTS", "compare_rule_sets", "comparison_items", "parse_rule_set_names"]

#: The results compared, by their id in each rule set's own Results, in table order.
KEY_RESULTS = (
    "eligibility.assessed",
    "srns",
    "eligibility.included",
    "response.month1.complete",
    "response.month1.partial",
    "response.month1.none",
    "relapses_per_year.before",
    "relapses_per_year.after",
    "relapses_per_year.test",
    "steroid_dose.before",
    "steroid_dose.after",
    "steroid_dose.test",
    "confirmation.unconfirmed_values",
)


def parse_rule_set_names(text_or_list) -> tuple[str, ...]:
    """``"study,ipna2020"`` (or a list) -> names in the order given, each once.

    Raises ReportError when none is given.
    """
    parts = text_or_list.split(",") if isinstance(text_or_list, str) else list(text_or_list)
    names = tuple(dict.fromkeys(str(part).strip() for part in parts if str(part).strip()))
    if not names:
        raise ReportError("report.compare_needs_names", example="study,ipna2020,kdigo2021")
    return names


def _srns(name: str, analysis: pd.DataFrame) -> CountItem:
    """Steroid-resistant patients among those assessed whose response is known."""
    response = analysis["steroid_response"].astype("string")
    known = response.dropna()
    return CountItem(
        f"compare.{name}.srns",
        _("Steroid-resistant (SRNS)"),
        int((known == "resistant").sum()),
        int(len(known)),
        missing=int(len(response) - len(known)),
    )


def comparison_items(name: str, analysis: pd.DataFrame, results) -> list:
    """The key results of one rule set, re-identified ``compare.<name>.<id>``.

    ``results`` is that rule set's Results, or None when no patient is eligible
    under it (then only the assessed, SRNS and eligible counts exist).
    """
    items = []
    for key in KEY_RESULTS:
        if key == "srns":
            items.append(_srns(name, analysis))
            continue
        if results is None:
            if key == "eligibility.assessed":
                n = int(len(analysis))
                items.append(CountItem(f"compare.{name}.{key}", _("Patients assessed"), n, n))
            elif key == "eligibility.included":
                assessed = int(len(analysis))
                label = _("Included in the analysis")
                items.append(CountItem(f"compare.{name}.{key}", label, 0, assessed))
            continue
        item = results.get(key)
        if item is not None:
            items.append(dataclasses.replace(item, id=f"compare.{name}.{key}"))
    return items


def compare_rule_sets(results, cohort, rule_sets, *, options, progress=None):
    """``results`` with the key results of each of ``rule_sets`` added (``compared_rule_sets``).

    ``cohort`` is the Cohort the main run derived from; each rule set (a name,
    a path or a RuleSet) derives it again. A rule set under which no patient is
    eligible still gets its assessed, SRNS and eligible counts.
    """
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.cohort import derive
    from nephrocohort.report._build import build_results

    if cohort is None:
        raise ReportError("report.compare_needs_cohort")
    say = progress or (lambda message: None)
    added, names = [], []
    for rule_set in rule_sets:
        rules = load_rule_set(rule_set) if not hasattr(rule_set, "derivation") else rule_set
        if rules.name in names:
            continue
        say(f"Deriving the analysis dataset (rule set '{rules.name}', for the comparison)")
        analysis = derive(cohort, rules)
        try:
            own = build_results(analysis, rule_set=rules, cohort=None, options=options)
        except ReportError:  # no eligible patient under this rule set
            own = None
        added += comparison_items(rules.name, analysis, own)
        names.append(rules.name)
    sentence = _(
        "The key results were also computed under the rule sets {names}, each deriving the "
        "dataset again from the same records (table 'Key results under each rule set')."
    ).format(names=", ".join(f"'{name}'" for name in names))
    return dataclasses.replace(
        results,
        items=(*results.items, *added),
        compared_rule_sets=tuple(names),
        methods=f"{results.methods} {sentence}".strip(),
    )
