"""Study eligibility: the seed study's inclusion and exclusion criteria, with reasons.

Inclusion: age under ``eligibility_max_age_years`` (18) at MMF start, steroid
resistant, eGFR above ``eligibility_min_egfr`` (60 mL/min/1.73m2) before MMF.
Exclusion: steroid sensitive; HBV, HCV, syphilis or HIV positive; family
history of nephrotic syndrome; rituximab before MMF.

Unknown values. Inclusion criteria must be met and exclusion criteria must be
absent (seed Methods: patients "were included" if they met the selection
criteria, "were excluded" for the listed reasons):

- an unknown **inclusion** criterion (age at MMF start, steroid response,
  eGFR before MMF) is not met: the patient is not eligible, with the reason
  "... could not be confirmed: ... is not known." (``Verdict.unconfirmed``
  names these criteria);
- an unknown **exclusion** criterion (serology, family history, rituximab
  before MMF) is not a proven exclusion: the patient stays eligible on it and
  the reasons say it could not be checked ("... not recorded, so this
  exclusion could not be checked"; ``Verdict.unchecked`` names them).

``Verdict.exclusions`` holds every sentence that makes the patient not
eligible (proven exclusions first, then unconfirmed inclusion criteria).

Boundaries follow the seed's wording: "below 18 years" (18.0 is excluded) and
"above 60 ml/min" (exactly 60 is excluded).

References
----------
.. [1] The seed study, Selection and Exclusion criteria
   (shared/seed/srns-mmf-single-center-study.txt).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nephrocohort.clinical.rules import RuleSet, load_rule_set
from nephrocohort.exceptions import ClinicalInputError
from nephrocohort.messages import Message

__all__ = ["Verdict", "assess_eligibility"]

_SEROLOGY_VALUES = ("positive", "negative", "unknown")
_FAMILY_VALUES = ("yes", "no", "unknown")
_RESPONSE_VALUES = ("resistant", "sensitive", "late_responder")


def _text(code: str, **params) -> str:
    """A reason: the catalogue message ``code`` in the language active now (the report's)."""
    return Message(code, params).text


@dataclass(frozen=True)
class Verdict:
    """Eligibility verdict: ``eligible``, and ``reasons`` a clinician reads.

    ``reasons`` lists the exclusions first (proven exclusions, then inclusion
    criteria that could not be confirmed), then the exclusion criteria that
    could not be checked; it is empty when the patient is eligible and every
    criterion could be checked. ``exclusions`` holds the sentences that make
    the patient not eligible, ``unconfirmed`` the names of the unknown
    inclusion criteria and ``unchecked`` those of the unknown exclusion
    criteria.

    References
    ----------
    See ``assess_eligibility``.
    """

    eligible: bool
    reasons: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Verdict(eligible={self.eligible}, exclusions={len(self.exclusions)}, "
            f"unconfirmed={list(self.unconfirmed)}, unchecked={list(self.unchecked)})"
        )


def _choice(name: str, value, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) and allowed == _FAMILY_VALUES:
        return "yes" if value else "no"
    text = str(value).strip().lower()
    if text == "" or text == "nan":
        return None
    if text not in allowed:
        raise ClinicalInputError(
            "clinical.one_of", name=name, value=value, allowed=", ".join(allowed)
        )
    return text


def _number(name: str, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ClinicalInputError("clinical.not_a_number", name=name, value=value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ClinicalInputError("clinical.not_a_number", name=name, value=value) from None
    return None if number != number else number


def assess_eligibility(
    *,
    rule_set: RuleSet | str,
    age_at_mmf_start_years,
    steroid_response,
    egfr_before_mmf,
    hbv,
    hcv,
    syphilis,
    hiv,
    family_history_ns,
    rituximab_before_mmf,
) -> Verdict:
    """Decide whether a patient meets the study's inclusion and exclusion criteria.

    Serology values are ``positive/negative/unknown``, family history
    ``yes/no/unknown``, ``steroid_response`` ``resistant/sensitive/late_responder``,
    ``rituximab_before_mmf`` True/False; None means not recorded. An unknown
    inclusion criterion makes the patient not eligible ("could not be
    confirmed"); an unknown exclusion criterion does not exclude and is named
    in the reasons (see the module docstring).

    References
    ----------
    Seed study selection and exclusion criteria [1]; age and eGFR limits from
    the rule set (``derivation.eligibility_max_age_years``,
    ``derivation.eligibility_min_egfr``).
    """
    rules = load_rule_set(rule_set)
    max_age = rules.derivation.eligibility_max_age_years
    min_egfr = rules.derivation.eligibility_min_egfr
    exclusions: list[str] = []
    unconfirmed: list[tuple[str, str]] = []
    unchecked: list[tuple[str, str]] = []

    age = _number("age_at_mmf_start_years", age_at_mmf_start_years)
    if age is None:
        unconfirmed.append(("age", _text("eligibility.age_unknown", max_age=max_age)))
    elif age < 0:
        raise ClinicalInputError("clinical.negative_age", name="age_at_mmf_start_years", value=age)
    elif age >= max_age:
        exclusions.append(_text("eligibility.age_over", age=age, max_age=max_age))

    response = _choice("steroid_response", steroid_response, _RESPONSE_VALUES + ("unknown",))
    if response in (None, "unknown"):
        unconfirmed.append(("steroid_response", _text("eligibility.response_unknown")))
    elif response == "sensitive":
        exclusions.append(_text("eligibility.sensitive"))
    elif response == "late_responder":
        # IPNA 2020 Table 1: a late responder is steroid-sensitive ("SSNS late responder").
        exclusions.append(_text("eligibility.late_responder"))

    egfr = _number("egfr_before_mmf", egfr_before_mmf)
    if egfr is None:
        unconfirmed.append(("egfr", _text("eligibility.egfr_unknown", min_egfr=min_egfr)))
    elif egfr < 0:
        raise ClinicalInputError("clinical.negative_egfr", name="egfr_before_mmf", value=egfr)
    elif egfr <= min_egfr:
        exclusions.append(_text("eligibility.egfr_low", egfr=egfr, min_egfr=min_egfr))

    for key, value in (("hbv", hbv), ("hcv", hcv), ("syphilis", syphilis), ("hiv", hiv)):
        status = _choice(key, value, _SEROLOGY_VALUES)
        label = Message(f"eligibility.name.{key}")
        if status in (None, "unknown"):
            unchecked.append((key, _text("eligibility.serology_unknown", label=label)))
        elif status == "positive":
            exclusions.append(_text("eligibility.serology_positive", label=label))

    family = _choice("family_history_ns", family_history_ns, _FAMILY_VALUES)
    if family in (None, "unknown"):
        unchecked.append(("family_history_ns", _text("eligibility.family_unknown")))
    elif family == "yes":
        exclusions.append(_text("eligibility.family_yes"))

    if rituximab_before_mmf is None or rituximab_before_mmf != rituximab_before_mmf:
        unchecked.append(("rituximab_before_mmf", _text("eligibility.rituximab_unknown")))
    elif not isinstance(
        rituximab_before_mmf, bool | int | np.bool_ | np.integer
    ) or rituximab_before_mmf not in (0, 1):
        raise ClinicalInputError(
            "clinical.true_or_false", name="rituximab_before_mmf", value=rituximab_before_mmf
        )
    elif rituximab_before_mmf:
        exclusions.append(_text("eligibility.rituximab_yes"))

    not_eligible = tuple(exclusions) + tuple(sentence for _, sentence in unconfirmed)
    return Verdict(
        eligible=not not_eligible,
        reasons=not_eligible + tuple(sentence for _, sentence in unchecked),
        exclusions=not_eligible,
        unchecked=tuple(name for name, _ in unchecked),
        unconfirmed=tuple(name for name, _ in unconfirmed),
    )
