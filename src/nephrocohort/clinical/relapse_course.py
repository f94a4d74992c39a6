"""The course of steroid-sensitive NS from its relapse dates: frequent, infrequent, steroid-dependent.

A patient's relapses (dated, confirmed as the rule set requires) and steroid
courses go in; a verdict with its reasons comes out. The thresholds are a
``RelapseCourseCriteria``, one per guideline, so the same relapses can be
classified under each (issue 10 item 5). Periods are calendar months from the
anchor day, the end day included, as in docs/derivation.md.

How the two guidelines differ (the reason both are kept):

- frequent relapses in any 12 months: IPNA 2022 >= 3, KDIGO 2021 >= 4;
- the first 6 months: IPNA 2022 counts them "following remission of the initial
  episode"; KDIGO 2021 as the secondary source words it, "within 6 months of
  disease onset";
- steroid dependence: a relapse within 14 days (IPNA 2022, KDIGO 2025) or 15
  days (KDIGO 2021) of stopping prednisone still counts as on steroids.

References
----------
.. [1] Trautmann A, et al. IPNA clinical practice recommendations for the
   diagnosis and management of children with steroid-sensitive nephrotic
   syndrome. Pediatr Nephrol 2023;38:877-919 (PMC9589698), Table 1 [primary]:
   "Infrequently relapsing nephrotic syndrome: < 2 relapses in the 6 months
   following remission of the initial episode or fewer than 3 relapses in any
   subsequent 12-month period". Frequently relapsing is read as its complement
   among children who relapse (>= 2 in those 6 months or >= 3 in any 12 months),
   as KDIGO 2025 Figure 1 gives it [secondary: third-party extraction, see
   shared/reference/clinical-reference.md 1c]. The Table 1 row on steroid
   dependence was not available in the text read; its 14 days are those of
   KDIGO 2025 Figure 1, which repeats the IPNA wording [secondary].
.. [2] KDIGO 2021 Clinical Practice Guideline for the Management of Glomerular
   Diseases, chapter 4. The primary text was not available; read through a
   secondary source that follows it (kidneywiki nephrotic syndrome page):
   frequently relapsing ">= 2 relapses within 6 months of disease onset or >= 4
   relapses in any subsequent 12 month period"; steroid-dependent "Two
   consecutive relapses during therapy with prednisone or prednisolone (either
   at full daily dose or during tapering) or within 15 days of stopping
   steroids".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from nephrocohort.exceptions import ClinicalInputError
from nephrocohort.messages import Message

__all__ = [
    "RelapseCourseCriteria",
    "RelapseCourse",
    "IPNA_2022",
    "KDIGO_2021",
    "add_calendar_months",
    "relapse_course",
]


@dataclass(frozen=True)
class RelapseCourseCriteria:
    """The thresholds of one guideline, each with the sentence it comes from.

    ``first_period_from`` is ``"initial_remission"`` or ``"onset"``: the day the
    first ``first_period_months`` are counted from.

    References
    ----------
    IPNA 2022 SSNS recommendations (Trautmann et al., Pediatr Nephrol 2023;38:877-919), Table 1;
    KDIGO 2021 glomerular diseases guideline, chapter 4 (secondary source).
    """

    name: str
    first_period_months: int
    first_period_min_relapses: int
    first_period_from: str
    any_period_months: int
    any_period_min_relapses: int
    steroid_dependence_days_after_stop: int
    source: str


IPNA_2022 = RelapseCourseCriteria(
    name="ipna2022",
    first_period_months=6,
    first_period_min_relapses=2,
    first_period_from="initial_remission",
    any_period_months=12,
    any_period_min_relapses=3,
    steroid_dependence_days_after_stop=14,
    source=(
        "IPNA 2022 SSNS Table 1 (PMC9589698): infrequently relapsing is '< 2 relapses in the "
        "6 months following remission of the initial episode or fewer than 3 relapses in any "
        "subsequent 12-month period'; 14 days after stopping: KDIGO 2025 Figure 1 (secondary)."
    ),
)

KDIGO_2021 = RelapseCourseCriteria(
    name="kdigo2021",
    first_period_months=6,
    first_period_min_relapses=2,
    first_period_from="onset",
    any_period_months=12,
    any_period_min_relapses=4,
    steroid_dependence_days_after_stop=15,
    source=(
        "KDIGO 2021 chapter 4 via a secondary source (primary text not available): '>= 2 "
        "relapses within 6 months of disease onset or >= 4 relapses in any subsequent 12 month "
        "period'; steroid-dependent: two consecutive relapses on prednisone or 'within 15 days "
        "of stopping steroids'."
    ),
)


@dataclass(frozen=True)
class RelapseCourse:
    """The verdicts (None: cannot tell from the records) and why, as catalogue messages.

    References
    ----------
    IPNA 2022 SSNS recommendations (Trautmann et al., Pediatr Nephrol 2023;38:877-919), Table 1.
    """

    frequently_relapsing: bool | None
    infrequently_relapsing: bool | None
    steroid_dependent: bool | None
    reasons: tuple[Message, ...]


def add_calendar_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; a missing day falls on the month's last day.

    References
    ----------
    Convention of docs/derivation.md (2012-01-31 + 1 month = 2012-02-29).
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def relapse_course(
    relapses: list[dt.date],
    *,
    onset: dt.date | None,
    initial_remission: dt.date | None,
    end_of_observation: dt.date | None,
    steroid_courses: list[tuple[dt.date, dt.date | None]],
    criteria: RelapseCourseCriteria,
) -> RelapseCourse:
    """Frequently relapsing, infrequently relapsing and steroid-dependent NS under ``criteria``.

    - frequently relapsing: at least ``first_period_min_relapses`` relapses in the
      first ``first_period_months`` (from the anchor day, after it, the end day
      included), or at least ``any_period_min_relapses`` in any
      ``any_period_months`` window (each window starts at a relapse day and ends
      the day before the same calendar day ``any_period_months`` later: "any
      12-month period" is 12 months, not 12 months and a day); False when neither is met and the first period was observed to its
      end; None when it was not (more relapses could still make it so);
    - infrequently relapsing: at least one relapse and not frequently relapsing
      (IPNA 2022's "< 2 ... or fewer than 3 ..." among children who relapse); a
      child without relapse is neither;
    - steroid-dependent: two consecutive relapses each on a steroid course
      (``(start, end)``, end None = ongoing) or within
      ``steroid_dependence_days_after_stop`` days after its end; None without
      any steroid course recorded.

    References
    ----------
    Module references [1] (IPNA 2022) and [2] (KDIGO 2021).
    """
    if criteria.first_period_from not in ("initial_remission", "onset"):
        raise ClinicalInputError(
            "clinical.relapse_course.first_period_from", value=criteria.first_period_from
        )
    relapses = sorted(relapses)
    reasons: list[Message] = []
    anchor = initial_remission if criteria.first_period_from == "initial_remission" else onset
    frequent: bool | None = None
    if anchor is not None:
        first_end = add_calendar_months(anchor, criteria.first_period_months)
        early = [day for day in relapses if anchor < day <= first_end]
        if len(early) >= criteria.first_period_min_relapses:
            frequent = True
            reasons.append(
                Message(
                    "clinical.relapse_course.first_period",
                    {
                        "count": len(early),
                        "start": anchor.isoformat(),
                        "end": first_end.isoformat(),
                        "minimum": criteria.first_period_min_relapses,
                        "months": criteria.first_period_months,
                    },
                )
            )
    for position, start in enumerate(relapses):
        if frequent:
            break
        # "any 12-month period" from the relapse day: the same calendar day 12 months
        # later is the first day after the period (12 months, not 12 months + 1 day)
        window_end = add_calendar_months(start, criteria.any_period_months)
        inside = [day for day in relapses[position:] if day < window_end]
        if len(inside) >= criteria.any_period_min_relapses:
            frequent = True
            reasons.append(
                Message(
                    "clinical.relapse_course.any_period",
                    {
                        "count": len(inside),
                        "start": start.isoformat(),
                        "end": (window_end - dt.timedelta(days=1)).isoformat(),
                        "minimum": criteria.any_period_min_relapses,
                        "months": criteria.any_period_months,
                    },
                )
            )
    if frequent is None:
        observed = (
            anchor is not None
            and end_of_observation is not None
            and end_of_observation >= add_calendar_months(anchor, criteria.first_period_months)
        )
        if observed:
            frequent = False
            reasons.append(Message("clinical.relapse_course.below_thresholds"))
        else:
            reasons.append(
                Message(
                    "clinical.relapse_course.first_period_unobserved",
                    {"months": criteria.first_period_months},
                )
            )
    infrequent = None if frequent is None else (bool(relapses) and not frequent)

    dependent: bool | None = None
    if steroid_courses:
        on_steroid = [_on_steroid(day, steroid_courses, criteria) for day in relapses]
        pairs = [
            (relapses[i], relapses[i + 1])
            for i in range(len(relapses) - 1)
            if on_steroid[i] and on_steroid[i + 1]
        ]
        dependent = bool(pairs)
        days = criteria.steroid_dependence_days_after_stop
        if pairs:
            first, second = pairs[0]
            reasons.append(
                Message(
                    "clinical.relapse_course.steroid_dependent",
                    {"first": first.isoformat(), "second": second.isoformat(), "days": days},
                )
            )
        else:
            reasons.append(Message("clinical.relapse_course.not_steroid_dependent", {"days": days}))
    return RelapseCourse(frequent, infrequent, dependent, tuple(reasons))


def _on_steroid(day: dt.date, courses, criteria: RelapseCourseCriteria) -> bool:
    grace = dt.timedelta(days=criteria.steroid_dependence_days_after_stop)
    # A course started on the relapse day treats it: it was not given before it.
    return any(start < day and (end is None or day <= end + grace) for start, end in courses)
