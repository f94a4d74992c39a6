"""Nephrotic syndrome criteria and steroid response, as verdicts with reasons.

Each function returns a small frozen result: the verdict and the sentences a
clinician reads to see why. A criterion whose input is missing (None) is
neither met nor failed: the verdict is None ("cannot tell") unless another
criterion already decides, and the reasons say what was missing.

References
----------
.. [1] The seed study, Methods: NS is edema, proteinuria > 40 mg/m2/h, albumin
   < 2.5 g/dL and hypercholesterolemia; steroid resistance is failure of
   prednisone 60 mg/m2/day for 4-6 weeks.
.. [2] Trautmann A, et al. IPNA clinical practice recommendations for SRNS.
   Pediatr Nephrol 2020;35:1529-1561, Table 1 (wording as repeated in IPNA 2022
   SSNS Table 1): SSNS is complete remission within 4 weeks of standard-dose
   prednisone; confirmation period 4-6 weeks for patients with partial
   remission at 4 weeks; SRNS is no complete remission by then.
.. [3] KDIGO 2021 Clinical Practice Guideline for the Management of Glomerular
   Diseases, chapter 4 (via secondary sources; see docs/clinical/).
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrocohort.clinical.rules import RuleSet, load_rule_set
from nephrocohort.exceptions import ClinicalInputError

__all__ = ["SyndromeVerdict", "SteroidResponse", "nephrotic_syndrome", "steroid_response"]


@dataclass(frozen=True)
class SyndromeVerdict:
    """Whether the criteria of nephrotic syndrome are met (None: cannot tell) and why.

    References
    ----------
    See ``nephrotic_syndrome``.
    """

    present: bool | None
    reasons: tuple[str, ...]

    def __repr__(self) -> str:
        return f"SyndromeVerdict(present={self.present}, reasons={len(self.reasons)})"


@dataclass(frozen=True)
class SteroidResponse:
    """``sensitive``, ``late_responder``, ``resistant`` or None (cannot tell yet), and why.

    References
    ----------
    See ``steroid_response``.
    """

    response: str | None
    reasons: tuple[str, ...]
    #: True when the verdict rests on a reading other than the one the definition
    #: names (SRNS read at 6 weeks for want of a reading at 4 weeks).
    unconfirmed: bool = False

    def __repr__(self) -> str:
        marked = ", unconfirmed" if self.unconfirmed else ""
        return f"SteroidResponse(response={self.response!r}{marked})"


def nephrotic_syndrome(
    *,
    rule_set: RuleSet | str,
    proteinuria_category: str | None,
    serum_albumin_g_dl: float | None,
    edema: bool | None,
    serum_cholesterol_mg_dl: float | None = None,
) -> SyndromeVerdict:
    """Are the rule set's nephrotic syndrome criteria met?

    ``proteinuria_category`` is the rule set's category of the proteinuria
    measurement (``RuleSet.classify_proteinuria``). The rule set decides the
    albumin threshold (strictly below), whether edema and hypercholesterolemia
    (total cholesterol at or above the threshold) are required, and whether
    edema may stand in for a missing albumin. ``present`` is True when every
    required criterion is met, False when one fails, None when none fails but
    one could not be checked.

    References
    ----------
    Seed study Methods [1] (``study``); IPNA 2020 Table 1 [2] (``ipna2020``);
    KDIGO 2021 [3] (``kdigo2021``); hypercholesterolemia >= 200 mg/dL from the
    NHLBI Expert Panel, Pediatrics 2011;128 Suppl 5:S213 (``study``).
    """
    rules = load_rule_set(rule_set)
    criteria = rules.syndrome
    met: list[bool | None] = []
    reasons: list[str] = []

    if proteinuria_category is None:
        met.append(None)
        reasons.append(
            "Proteinuria was not measured, so nephrotic-range proteinuria could not be checked."
        )
    elif proteinuria_category not in ("nephrotic", "partial", "complete"):
        raise ClinicalInputError(
            "clinical.syndrome.proteinuria_category", value=proteinuria_category
        )
    else:
        ok = proteinuria_category == "nephrotic"
        met.append(ok)
        reasons.append(
            "Proteinuria is in the nephrotic range."
            if ok
            else f"Proteinuria is not in the nephrotic range ({proteinuria_category})."
        )

    albumin_limit = criteria.albumin_below_g_dl
    if serum_albumin_g_dl is None:
        if criteria.edema_replaces_missing_albumin and edema is True:
            met.append(True)
            reasons.append(
                "Serum albumin was not measured; edema stands in for it under this rule set."
            )
        else:
            met.append(None)
            reasons.append(
                f"Serum albumin was not measured, so albumin < {albumin_limit:g} g/dL could not be checked."
            )
    else:
        ok = serum_albumin_g_dl < albumin_limit
        met.append(ok)
        reasons.append(
            f"Serum albumin {serum_albumin_g_dl:g} g/dL is {'below' if ok else 'not below'} {albumin_limit:g} g/dL."
        )

    if criteria.requires_edema:
        if edema is None:
            met.append(None)
            reasons.append("Edema was not recorded, so it could not be checked.")
        else:
            met.append(bool(edema))
            reasons.append(
                "Edema is present." if edema else "There is no edema; this rule set requires it."
            )

    cholesterol_limit = criteria.cholesterol_at_least_mg_dl
    if cholesterol_limit is not None:
        if serum_cholesterol_mg_dl is None:
            met.append(None)
            reasons.append(
                f"Serum cholesterol was not measured, so hypercholesterolemia (>= {cholesterol_limit:g} mg/dL) could not be checked."
            )
        else:
            ok = serum_cholesterol_mg_dl >= cholesterol_limit
            met.append(ok)
            reasons.append(
                f"Serum cholesterol {serum_cholesterol_mg_dl:g} mg/dL is "
                f"{'at or above' if ok else 'below'} {cholesterol_limit:g} mg/dL."
            )

    if any(m is False for m in met):
        present = False
    elif all(m is True for m in met):
        present = True
    else:
        present = None
    return SyndromeVerdict(present=present, reasons=tuple(reasons))


def steroid_response(
    *,
    rule_set: RuleSet | str,
    days_of_standard_dose: int,
    complete_remission_day: int | None = None,
    state_at_trial_end: str | None = None,
    observed_to_day: int | None = None,
    state_at_confirmation_end: str | None = None,
) -> SteroidResponse:
    """Steroid response after a standard-dose prednisone/prednisolone trial.

    Days count from the first day of the standard dose (day 0).
    ``days_of_standard_dose`` is how long the daily standard dose lasted;
    ``complete_remission_day`` the first day of the first complete remission
    (None: not reached). The rule set gives the trial length T (28 days), the
    end of the confirmation period L (42) and whether a confirmation period
    exists (``steroid_confirmation_only_after_partial``).

    Without a confirmation period (the seed, ``study``): complete remission by
    day L is sensitive; otherwise, once the trial reached T, resistant.

    With a confirmation period (IPNA 2020 Table 1, as repeated in IPNA 2022:
    SRNS is "lack of complete remission within 4 weeks"; the confirmation
    period between 4 and 6 weeks is for "patients achieving only partial
    remission at 4 weeks"; "a patient achieving complete remission during the
    confirmation period" is an SSNS late responder):

    - complete remission by day T: ``sensitive``. ``state_at_trial_end`` is the
      state at 4 weeks short of a complete remission (a complete remission at
      4 weeks is given by its first day, ``complete_remission_day``; "complete"
      without a ``complete_remission_day`` by day T is refused: a remission
      that starts after day T is not "complete remission within 4 weeks");
    - trial shorter than T: None;
    - no reading around day T (``state_at_trial_end`` None): None, except that
      a reading around day L (``state_at_confirmation_end``) that is not a
      complete remission, with no complete remission by day L, is
      ``resistant`` marked ``unconfirmed``: whatever the state at 4 weeks was
      short of a complete remission, "a patient not achieving complete
      remission by 6 weeks" is SRNS; only an unseen complete remission within
      4 weeks (a relapse before 6 weeks) would make it sensitive;
    - partial remission around day T: complete remission by day L is
      ``late_responder``; none, with readings up to day L
      (``observed_to_day`` >= L): ``resistant``; readings stop earlier: None;
    - no remission or nephrotic range around day T: ``resistant``.

    The further course after day T (alternate-day prednisolone, methylprednisolone
    pulses) does not shorten the trial: the confirmation period is judged on
    the readings whatever the steroid schedule. Doses are not checked here.

    References
    ----------
    Seed study Methods [1] (4-6 weeks, ``study``); IPNA 2020 Table 1 [2] as
    repeated in IPNA 2022 SSNS Table 1; KDIGO 2021 [3] (secondary sources).
    """
    rules = load_rule_set(rule_set)
    trial = rules.syndrome.steroid_trial_days
    late_until = rules.syndrome.steroid_late_response_until_day
    confirmation_period = rules.syndrome.steroid_confirmation_only_after_partial
    for name, value in (
        ("days_of_standard_dose", days_of_standard_dose),
        ("complete_remission_day", complete_remission_day),
        ("observed_to_day", observed_to_day),
    ):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            raise ClinicalInputError("clinical.not_days", name=name, value=value)
    if days_of_standard_dose is None:
        raise ClinicalInputError("clinical.syndrome.days_required")
    for name, state in (
        ("state_at_trial_end", state_at_trial_end),
        ("state_at_confirmation_end", state_at_confirmation_end),
    ):
        if state not in (None, "complete", "partial", "none", "nephrotic"):
            raise ClinicalInputError("clinical.syndrome.state", name=name, value=state)
    if state_at_trial_end == "complete" and not (
        complete_remission_day is not None and complete_remission_day <= trial
    ):
        # complete at 4 weeks means a complete remission that began by day T: that
        # day is complete_remission_day; a remission starting after day T is one in
        # the confirmation period, not "complete remission within 4 weeks"
        raise ClinicalInputError("clinical.syndrome.complete_at_trial_end", trial=trial)
    name = rules.name
    cr = complete_remission_day
    if cr is not None and cr <= trial:
        return SteroidResponse(
            "sensitive",
            (f"Complete remission on day {cr:g}, within the {trial}-day steroid trial ({name}).",),
        )
    if not confirmation_period:
        if cr is not None and cr <= late_until:
            return SteroidResponse(
                "sensitive",
                (
                    f"Complete remission on day {cr:g}, after day {trial} but by day "
                    f"{late_until} ({name}: {trial // 7}-{late_until // 7} weeks).",
                ),
            )
        if days_of_standard_dose >= trial:
            return SteroidResponse(
                "resistant",
                (f"No complete remission by day {late_until} of the steroid trial ({name}).",),
            )
    if days_of_standard_dose < trial:
        return SteroidResponse(
            None,
            (
                f"The daily standard dose lasted {days_of_standard_dose:g} days; {name} needs "
                f"{trial} days to decide.",
            ),
        )
    unseen_at_trial_end = state_at_trial_end is None and state_at_confirmation_end in (
        "partial",
        "none",
        "nephrotic",
    )
    if unseen_at_trial_end and (cr is None or cr > late_until):
        state_text = {"partial": "partial remission", "none": "no remission"}.get(
            state_at_confirmation_end, "nephrotic range"
        )
        return SteroidResponse(
            "resistant",
            (
                f"No proteinuria reading around day {trial}, and {state_text} around day "
                f"{late_until} with no complete remission by then: not a complete remission "
                f"by {late_until // 7} weeks, so resistant ({name}), unconfirmed: it rests "
                f"on the {late_until // 7}-week reading, not the {trial // 7}-week one.",
            ),
            unconfirmed=True,
        )
    if state_at_trial_end is None:
        return SteroidResponse(
            None,
            (
                f"No proteinuria reading around day {trial}: the state at {trial // 7} weeks is unknown.",
            ),
        )
    if state_at_trial_end != "partial":
        state_text = "no remission" if state_at_trial_end == "none" else "nephrotic range"
        return SteroidResponse(
            "resistant",
            (
                f"No complete remission within {trial // 7} weeks and no partial remission at "
                f"{trial // 7} weeks ({state_text} around day {trial}); under {name} the "
                "confirmation period is only for a partial remission at 4 weeks.",
            ),
        )
    if cr is not None and cr <= late_until:
        return SteroidResponse(
            "late_responder",
            (
                f"Partial remission at {trial // 7} weeks and complete remission on day {cr:g}, "
                f"in the confirmation period (to day {late_until}): late responder ({name}).",
            ),
        )
    if observed_to_day is not None and observed_to_day >= late_until:
        return SteroidResponse(
            "resistant",
            (
                f"Partial remission at {trial // 7} weeks but no complete remission by day "
                f"{late_until}, the end of the confirmation period ({name}).",
            ),
        )
    return SteroidResponse(
        None,
        (
            f"Partial remission at {trial // 7} weeks; the readings stop before day {late_until}, "
            f"the end of the confirmation period ({name}): cannot tell.",
        ),
    )
