"""Secondary steroid resistance and multidrug-resistant SRNS, as verdicts with reasons.

References
----------
.. [1] KDIGO 2025 Nephrotic Syndrome in Children, Figure 1, read through a
   third-party extraction (secondary; it attributes the terms to the IPNA 2020
   SRNS recommendations, whose Table 1 was not available; see
   shared/reference/clinical-reference.md 1b; searched again 2026-12-07: the
   IPNA 2020 table was still not found, only IPNA 2022 SSNS Table 1, which does
   not define these terms): "Secondary SRNS: SSNS at onset; at a later relapse, no remission within 4 weeks of standard-dose daily PDN";
   "Multidrug-resistant SRNS: absence of complete remission after 12 months of
   treatment with 2 mechanistically distinct steroid-sparing agents at standard
   doses".
.. [2] IPNA 2022 SSNS Table 1 (PMC9589698, primary): standard dose "60 mg/m2/day
   or 2 mg/kg/day, maximum 60 mg/day"; SSNS "complete remission within 4 weeks".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nephrocohort.clinical.relapse_course import add_calendar_months
from nephrocohort.messages import Message

__all__ = [
    "AGENT_CLASSES",
    "RelapseTrial",
    "ResistanceVerdict",
    "secondary_steroid_resistance",
    "multidrug_resistant",
]

#: Steroid-sparing drugs by mechanism: two drugs of one class are one mechanism.
AGENT_CLASSES = {
    "cyclosporine": "calcineurin_inhibitor",
    "tacrolimus": "calcineurin_inhibitor",
    "mmf": "antimetabolite",
    "mycophenolate_sodium": "antimetabolite",
    "cyclophosphamide": "alkylating_agent",
    "rituximab": "anti_cd20",
}


@dataclass(frozen=True)
class RelapseTrial:
    """Daily prednisone for one relapse: standard dose (None: unknown) and whether CR came in 4 weeks.

    References
    ----------
    Module references [1] (secondary SRNS) and [2] (standard dose).
    """

    relapse: dt.date
    standard_dose: bool | None
    complete_remission_within_4_weeks: bool | None


@dataclass(frozen=True)
class ResistanceVerdict:
    """True, False or None (cannot tell) and why, as a catalogue message (code + params).

    References
    ----------
    Module references [1] and [2].
    """

    value: bool | None
    reason: Message


def secondary_steroid_resistance(initial_response: str | None, trials) -> ResistanceVerdict:
    """Sensitive at onset and, at a later relapse, no complete remission in 4 weeks.

    ``initial_response`` is the steroid response of the first episode
    (``sensitive`` and ``late_responder`` count as sensitive at onset). True when
    one relapse's standard-dose trial gave no complete remission within 4 weeks;
    False when every relapse trial is known and each gave it (a relapse without a
    course that remitted within 4 weeks all the same counts: it cannot be a resistant
    relapse); None when the patient
    was not sensitive at onset (resistance from onset is primary) or a trial is
    unknown (dose or readings) and none shows resistance.

    References
    ----------
    Module references [1] and [2].
    """
    if initial_response not in ("sensitive", "late_responder"):
        return ResistanceVerdict(
            None, Message("clinical.secondary_resistance.not_sensitive_at_onset")
        )
    unknown = untreated = False
    for trial in trials:
        if trial.standard_dose and trial.complete_remission_within_4_weeks is False:
            return ResistanceVerdict(
                True,
                Message(
                    "clinical.secondary_resistance.resistant",
                    {"relapse": trial.relapse.isoformat()},
                ),
            )
        # A course below the standard dose judges nothing unless it brought remission anyway.
        within = trial.complete_remission_within_4_weeks
        if within is None or (within is False and trial.standard_dose is not True):
            unknown = True
        elif within and trial.standard_dose is None:
            # Remission without a (known) course: this relapse cannot show resistance.
            untreated = True
    if unknown:
        return ResistanceVerdict(None, Message("clinical.secondary_resistance.trial_unknown"))
    if untreated:
        return ResistanceVerdict(
            False, Message("clinical.secondary_resistance.sensitive_or_untreated")
        )
    return ResistanceVerdict(False, Message("clinical.secondary_resistance.sensitive"))


def multidrug_resistant(
    agents,
    *,
    first_complete_remission: dt.date | None,
    end_of_observation: dt.date | None,
    months: int = 12,
) -> ResistanceVerdict:
    """No complete remission by ``months`` after two distinct steroid-sparing agents began.

    ``agents`` are ``(drug, start, standard_dose)``; drugs outside
    ``AGENT_CLASSES`` and courses below the standard dose (False) do not count,
    unknown (None) dose makes the verdict None unless complete remission decides.
    "After 12 months of treatment with 2 ... agents" is read as 12 calendar
    months from the day the second mechanism started (the two given together or
    one after the other), complete remission at any time from the first agent's
    start to that day (included) deciding against it; a project reading of the
    wording.

    References
    ----------
    Module reference [1].
    """
    started: dict[str, dt.date] = {}
    dose_unknown = False
    for drug, start, standard_dose in sorted(agents, key=lambda agent: agent[1]):
        mechanism = AGENT_CLASSES.get(drug)
        if mechanism is None or standard_dose is False:
            continue
        if standard_dose is None:
            dose_unknown = True
        started.setdefault(mechanism, start)
    if len(started) < 2:
        return ResistanceVerdict(False, Message("clinical.multidrug.fewer_mechanisms"))
    first, second = sorted(started.values())[:2]
    judged_on = add_calendar_months(second, months)
    if first_complete_remission is not None and first <= first_complete_remission <= judged_on:
        return ResistanceVerdict(
            False,
            Message(
                "clinical.multidrug.complete_remission",
                {"day": first_complete_remission.isoformat(), "judged_on": judged_on.isoformat()},
            ),
        )
    if end_of_observation is None or end_of_observation < judged_on:
        return ResistanceVerdict(
            None, Message("clinical.multidrug.not_observed", {"judged_on": judged_on.isoformat()})
        )
    if dose_unknown:
        return ResistanceVerdict(None, Message("clinical.multidrug.dose_unknown"))
    return ResistanceVerdict(
        True,
        Message(
            "clinical.multidrug.resistant",
            {"start": first.isoformat(), "judged_on": judged_on.isoformat()},
        ),
    )
