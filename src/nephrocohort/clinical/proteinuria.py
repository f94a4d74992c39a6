"""Proteinuria state of a measurement and of a day, under a rule set.

The thresholds live in the rule set (``rules``); this module adds the two
decisions the derivation and the calculators need: the category of one
measurement, and the state of a day when several tests were done that day
(the best test by the rule set's ``measurement_priority`` decides).

References
----------
.. [1] The rule sets' thresholds and their sources (docs/clinical/rule-set-*.md).
.. [2] DESIGN.md, derivation defaults: a day's state comes from the best
   measurement that day (timed urine protein, then UPCR, then dipstick).
"""

from __future__ import annotations

from nephrocohort.clinical.rules import (
    PROTEINURIA_CATEGORIES,
    PROTEINURIA_TESTS,
    RuleSet,
    load_rule_set,
)
from nephrocohort.exceptions import ClinicalInputError

__all__ = ["RESPONSE_BY_STATE", "classify_proteinuria", "state_of_day", "response_from_state"]

# Response at a time point, as the seed reports it (remission / non-nephrotic / nephrotic).
RESPONSE_BY_STATE = {"complete": "complete", "partial": "partial", "nephrotic": "none"}


def classify_proteinuria(
    test: str, value, unit: str | None, *, rule_set: RuleSet | str = "study"
) -> str:
    """Category (``nephrotic``, ``partial``, ``complete``) of one measurement under ``rule_set``.

    ``value`` is as measured in ``unit`` (UPCR mg/mg or mg/mmol, timed
    mg/m2/h or mg/m2/day, dipstick mg/dL or a grade such as ``"2+"``).

    References
    ----------
    The rule set's thresholds [1]; ``RuleSet.classify_proteinuria``.
    """
    return load_rule_set(rule_set).classify_proteinuria(test, value, unit)


def state_of_day(measurements, *, rule_set: RuleSet | str = "study") -> str | None:
    """State of one day from that day's measurements: the best test by priority decides.

    ``measurements`` is an iterable of ``(test, value, unit)``. Tests not in
    the rule set's ``measurement_priority`` are ignored; with several results
    of the best test the same day, the worst category counts (a nephrotic
    result is not hidden by a better one). Returns None without a usable
    measurement.

    References
    ----------
    DESIGN.md derivation defaults [2]; the rule set's thresholds [1].
    """
    rules = load_rule_set(rule_set)
    priority = rules.derivation.measurement_priority
    by_test: dict[str, list[str]] = {}
    for test, value, unit in measurements:
        if test not in PROTEINURIA_TESTS:
            raise ClinicalInputError(
                "rules.not_a_test", test=test, known=", ".join(PROTEINURIA_TESTS)
            )
        if test in priority and value is not None and value == value:
            by_test.setdefault(test, []).append(rules.classify_proteinuria(test, value, unit))
    for test in priority:
        if test in by_test:
            return min(by_test[test], key=PROTEINURIA_CATEGORIES.index)
    return None


def response_from_state(state: str | None) -> str | None:
    """Response at a time point: ``complete``, ``partial`` or ``none`` (still nephrotic).

    References
    ----------
    Seed study Results: response at one month as remission / non-nephrotic / nephrotic.
    """
    if state is None:
        return None
    if state not in RESPONSE_BY_STATE:
        raise ClinicalInputError(
            "clinical.proteinuria.unknown_state",
            state=state,
            known=", ".join(PROTEINURIA_CATEGORIES),
        )
    return RESPONSE_BY_STATE[state]
