"""The course of the disease per patient: relapse course, secondary, CNI and multidrug resistance.

The verdicts are the clinical core's (``clinical.relapse_course``,
``clinical.resistance``, ``clinical.cni_response``); this module gathers each
patient's inputs (relapse episodes, the kept daily proteinuria states, steroid
and steroid-sparing courses with their doses) and the rule set's named
thresholds (``derivation.frequent_relapse_*``, ``cni_*``, ...). A rule set that
leaves a threshold undefined (the seed study) gets NA with the reason, never a
guess. Patients without the records a verdict needs are not visited, so the
loop runs over the few patients with relapses or steroid-sparing courses.

References
----------
The rule sets' sources (``nephrocohort rules show NAME``); docs/derivation.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from nephrocohort.clinical.cni_response import CniCriteria, cni_response
from nephrocohort.clinical.relapse_course import (
    RelapseCourseCriteria,
    add_calendar_months,
    relapse_course,
)
from nephrocohort.clinical.resistance import (
    AGENT_CLASSES,
    RelapseTrial,
    multidrug_resistant,
    secondary_steroid_resistance,
)
from nephrocohort.cohort._derive_common import combined_key
from nephrocohort.cohort._derive_proteinuria import COMPLETE, PARTIAL, UNCONFIRMED, kept_states
from nephrocohort.cohort._derive_steroids import STEROID_DRUGS, _body_size, row_doses
from nephrocohort.messages import Message

__all__ = ["CourseVerdicts", "disease_course", "CNI_DRUGS", "SENSITIVE_AT_ONSET"]

CNI_DRUGS = ("cyclosporine", "tacrolimus")
SENSITIVE_AT_ONSET = ("sensitive", "late_responder")
_EPOCH = dt.date(1970, 1, 1)
_COLUMNS = (
    "relapse_course",
    "secondary_steroid_resistance",
    "cni_response",
    "multidrug_resistant_srns",
)


@dataclass(frozen=True)
class CourseVerdicts:
    """Per patient: the four columns, their unconfirmed flags, and why (for ``explain``).

    ``reasons[p][column]`` is a tuple of catalogue messages; ``evidence[p][column]``
    a list of ``(table, position, note)`` records (``labs``, ``events``,
    ``medications``) behind the value.
    """

    relapse_course: np.ndarray
    secondary_steroid_resistance: np.ndarray
    cni_response: np.ndarray
    multidrug_resistant_srns: np.ndarray
    unconfirmed: dict
    reasons: list
    evidence: list


def _date(day: float) -> dt.date | None:
    return None if day != day else _EPOCH + dt.timedelta(days=int(day))


def _ranges(pid: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop positions of each patient's rows in an array sorted by patient."""
    patients = np.arange(n)
    return np.searchsorted(pid, patients, "left"), np.searchsorted(pid, patients, "right")


def _defined(params, *names: str) -> tuple | None:
    """The values of the parameters ``names``, or None when the rule set leaves one undefined."""
    values = tuple(getattr(params, name) for name in names)
    return None if any(v is None for v in values) else values


def relapse_criteria(params) -> RelapseCourseCriteria | None:
    """The rule set's relapse-course thresholds, or None when it leaves one undefined."""
    values = _defined(
        params,
        "frequent_relapse_first_months",
        "frequent_relapse_first_min",
        "frequent_relapse_first_from",
        "frequent_relapse_any_months",
        "frequent_relapse_any_min",
        "steroid_dependence_days_after_stop",
    )
    if values is None:
        return None
    first_months, first_min, first_from, any_months, any_min, days = values
    return RelapseCourseCriteria(
        name="rule set",
        first_period_months=first_months,
        first_period_min_relapses=first_min,
        first_period_from=first_from,
        any_period_months=any_months,
        any_period_min_relapses=any_min,
        steroid_dependence_days_after_stop=days,
        source="the rule set's derivation.frequent_relapse_* parameters",
    )


def cni_criteria(params) -> CniCriteria | None:
    """The rule set's CNI-response thresholds, or None when it leaves one undefined."""
    values = _defined(
        params,
        "cni_resistance_months",
        "cni_complete_remission_months",
        "cni_adequate_cyclosporine_mg_kg_day",
        "cni_adequate_tacrolimus_mg_kg_day",
    )
    if values is None:
        return None
    partial_months, complete_months, cyclosporine, tacrolimus = values
    return CniCriteria(
        partial_remission_months=partial_months,
        complete_remission_months=complete_months,
        min_mg_kg_day={"cyclosporine": cyclosporine, "tacrolimus": tacrolimus},
        source="the rule set's derivation.cni_* parameters",
    )


def row_mg_kg_day(cohort, t, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily dose in mg/kg/day of medication ``rows`` at their start, and the weight used.

    As the steroid doses (``_derive_steroids.row_doses``), with the weight (and
    height) of the visit nearest the row's start. NaN where the dose cannot be computed.
    """
    if rows.size == 0:
        return np.array([]), np.array([])
    pid, day = t.med_pid[rows], t.med_start_day[rows]
    size = _body_size(cohort.visits, t.visit_pid, t.visit_day, pid, day)
    weight_kg, height_cm = size["weight"][1], size["height"][1]
    mg_kg_day, _, _ = row_doses(cohort.medications, rows, weight_kg, height_cm)
    return mg_kg_day, weight_kg


def _first_on_or_after(kept, mask: np.ndarray, query_day: np.ndarray) -> np.ndarray:
    """Per patient, the position in ``kept`` of the first day in ``mask`` on or after the query day.

    -1 where there is none or the query day is unknown; one ``searchsorted`` for all
    patients (``kept`` is sorted by patient, then day).
    """
    n = query_day.size
    out = np.full(n, -1, dtype=np.int64)
    positions = np.flatnonzero(mask)
    known = np.flatnonzero(~np.isnan(query_day))
    if positions.size == 0 or known.size == 0:
        return out
    keys = combined_key(kept.pid[positions], kept.day[positions])
    # kept days are whole days: on or after a query day is on or after its ceiling
    index = np.searchsorted(keys, combined_key(known, np.ceil(query_day[known])), side="left")
    found = index < positions.size
    candidate = positions[np.minimum(index, positions.size - 1)]
    found &= kept.pid[candidate] == known
    out[known[found]] = candidate[found]
    return out


class _Patient:
    """One patient's kept proteinuria days and records, as the verdicts read them."""

    def __init__(self, kept, lo: int, hi: int):
        self.day = kept.day[lo:hi]
        self.state = kept.state[lo:hi]
        self.status = kept.status[lo:hi]
        self.lab_row = kept.lab_row[lo:hi]


def disease_course(cohort, t, daily, episodes, response, rule_set) -> CourseVerdicts:
    """The four course columns for every patient under ``rule_set``.

    ``response`` is the steroid response at onset per patient (derive's
    ``steroid_response``); ``episodes`` the relapse episodes of the relapse columns.
    """
    n = t.n_patients
    params = rule_set.derivation
    courses = relapse_criteria(params)
    cni = cni_criteria(params)
    secondary_defined = (
        params.secondary_resistance_standard_mg_kg_day is not None
        and params.secondary_resistance_dose_tolerance is not None
    )
    multidrug_defined = params.multidrug_resistance_months is not None and cni is not None

    out = {name: np.full(n, None, dtype=object) for name in _COLUMNS}
    unconfirmed = {name: np.zeros(n, dtype=bool) for name in ("relapse_course", "cni_response")}
    what = {
        "relapse_course": Message("course.what.relapse_course"),
        "secondary_steroid_resistance": Message("course.what.secondary_resistance"),
        "cni_response": Message("course.what.cni_response"),
        "multidrug_resistant_srns": Message("course.what.multidrug"),
    }
    undefined = {
        column: (Message("course.not_defined", {"rule_set": rule_set.name, "what": text}),)
        for column, text in what.items()
    }
    if not (courses or secondary_defined or cni or multidrug_defined):
        # The rule set defines none of the four (the seed study): one reason per column for
        # every patient, no patient visited (the dicts are shared and only read).
        shared = {column: undefined[column] for column in _COLUMNS}
        return CourseVerdicts(
            **out, unconfirmed=unconfirmed, reasons=[shared] * n, evidence=[{}] * n
        )
    kept = kept_states(daily)
    day_lo, day_hi = _ranges(kept.pid, n)
    ep_lo, ep_hi = _ranges(episodes.pid, n)
    sources = episodes.sources
    source_episode = sources["episode"].to_numpy(dtype=np.int64) if len(sources) else np.array([])
    source_kind = sources["kind"].to_numpy(dtype=object) if len(sources) else np.array([])
    source_row = sources["row"].to_numpy(dtype=np.int64) if len(sources) else np.array([])
    src_lo = np.searchsorted(source_episode, ep_lo) if len(sources) else np.zeros(n, np.int64)
    src_hi = np.searchsorted(source_episode, ep_hi) if len(sources) else np.zeros(n, np.int64)

    steroid = np.flatnonzero(
        np.isin(t.med_drug, STEROID_DRUGS) & (t.med_pid >= 0) & ~np.isnan(t.med_start_day)
    )
    steroid = steroid[np.lexsort((t.med_start_day[steroid], t.med_pid[steroid]))]
    st_lo, st_hi = _ranges(t.med_pid[steroid], n)
    sparing = np.flatnonzero(
        np.isin(t.med_drug, list(AGENT_CLASSES)) & (t.med_pid >= 0) & ~np.isnan(t.med_start_day)
    )
    sparing = sparing[np.lexsort((sparing, t.med_start_day[sparing], t.med_pid[sparing]))]
    sp_lo, sp_hi = _ranges(t.med_pid[sparing], n)
    sparing_is_cni = np.isin(t.med_drug[sparing], CNI_DRUGS)
    sparing_mg_kg_day, _ = row_mg_kg_day(cohort, t, sparing)
    steroid_mg_kg_day, steroid_weight_kg = row_mg_kg_day(cohort, t, steroid)

    reasons: list[dict] = [{} for _ in range(n)]
    evidence: list[dict] = [{} for _ in range(n)]

    # The first remission days the verdicts need, for every patient at once.
    is_complete = kept.state == COMPLETE
    any_remission = is_complete | (kept.state == PARTIAL)
    has_sparing = sp_hi > sp_lo
    first_agent_day = np.full(n, np.nan)
    first_agent_day[has_sparing] = t.med_start_day[sparing[sp_lo[has_sparing]]]
    cni_rows = sparing[sparing_is_cni]
    cni_lo, cni_hi = _ranges(t.med_pid[cni_rows], n)
    has_cni = cni_hi > cni_lo
    cni_start_day = np.full(n, np.nan)
    cni_start_day[has_cni] = t.med_start_day[cni_rows[cni_lo[has_cni]]]
    initial_remission = _first_on_or_after(kept, is_complete, t.onset_day)
    complete_after_agent = _first_on_or_after(kept, is_complete, first_agent_day)
    cni_remission = _first_on_or_after(kept, any_remission, cni_start_day)
    cni_complete = _first_on_or_after(kept, is_complete, cni_start_day)

    # The NA reasons depend on the response at onset only: one message per response.
    not_applicable: dict = {}

    def reason_for(column, code, onset_response):
        key = (column, onset_response)
        if key not in not_applicable:
            shown = "not known" if onset_response is None else str(onset_response)
            not_applicable[key] = (Message(code, {"response": shown, "what": what[column]}),)
        return not_applicable[key]

    def not_defined(p, column, _what=None):
        reasons[p][column] = undefined[column]

    for p in range(n):
        onset_response = response[p]
        sensitive = onset_response in SENSITIVE_AT_ONSET
        srns = onset_response == "resistant"
        if not (sensitive or srns):
            for column in _COLUMNS:
                reasons[p][column] = reason_for(
                    column,
                    "course.not_steroid_sensitive"
                    if column in ("relapse_course", "secondary_steroid_resistance")
                    else "course.not_srns",
                    onset_response,
                )
            for column, defined in (
                ("relapse_course", courses is not None),
                ("secondary_steroid_resistance", secondary_defined),
                ("cni_response", cni is not None),
                ("multidrug_resistant_srns", multidrug_defined),
            ):
                if not defined:
                    not_defined(p, column)
            continue
        patient = _Patient(kept, day_lo[p], day_hi[p]) if sensitive else None
        steroid_rows = steroid[st_lo[p] : st_hi[p]]
        end_of_observation = _date(t.end_of_observation_day[p])
        if sensitive:
            relapse_days = [_date(d) for d in episodes.day[ep_lo[p] : ep_hi[p]]]
            relapse_evidence = [
                (
                    "labs" if source_kind[i] == "derived" else "events",
                    int(source_row[i]),
                    " (relapse)",
                )
                for i in range(src_lo[p], src_hi[p])
            ]

        # Relapse course (steroid-sensitive NS)
        if courses is None:
            not_defined(p, "relapse_course", Message("course.what.relapse_course"))
        elif not sensitive:
            reasons[p]["relapse_course"] = reason_for(
                "relapse_course", "course.not_steroid_sensitive", onset_response
            )
        else:
            onset_day = t.onset_day[p]
            remission = None if initial_remission[p] < 0 else int(initial_remission[p])
            verdict = relapse_course(
                relapse_days,
                onset=_date(onset_day),
                initial_remission=None if remission is None else _date(kept.day[remission]),
                end_of_observation=end_of_observation,
                steroid_courses=[
                    (_date(t.med_start_day[r]), _date(t.med_end_day[r])) for r in steroid_rows
                ],
                criteria=courses,
            )
            out["relapse_course"][p] = _course_code(verdict, bool(relapse_days))
            reasons[p]["relapse_course"] = verdict.reasons
            unconfirmed["relapse_course"][p] = bool(
                out["relapse_course"][p] is not None
                and episodes.unconfirmed[ep_lo[p] : ep_hi[p]].any()
            )
            evidence[p]["relapse_course"] = relapse_evidence + [
                ("medications", int(r), "") for r in steroid_rows
            ]
            if remission is not None:
                evidence[p]["relapse_course"].insert(
                    0, ("labs", int(kept.lab_row[remission]), " (initial remission)")
                )

        # Secondary steroid resistance
        if not secondary_defined:
            not_defined(
                p, "secondary_steroid_resistance", Message("course.what.secondary_resistance")
            )
        elif not sensitive:
            reasons[p]["secondary_steroid_resistance"] = reason_for(
                "secondary_steroid_resistance", "course.not_steroid_sensitive", onset_response
            )
        else:
            trials, trial_evidence = _relapse_trials(
                t,
                patient,
                episodes.day[ep_lo[p] : ep_hi[p]],
                steroid_rows,
                steroid_mg_kg_day[st_lo[p] : st_hi[p]],
                steroid_weight_kg[st_lo[p] : st_hi[p]],
                rule_set,
            )
            verdict = secondary_steroid_resistance(onset_response, trials)
            out["secondary_steroid_resistance"][p] = verdict.value
            reasons[p]["secondary_steroid_resistance"] = (verdict.reason,)
            evidence[p]["secondary_steroid_resistance"] = relapse_evidence + trial_evidence

        # CNI response and multidrug resistance (SRNS, primary or secondary)
        srns = srns or out["secondary_steroid_resistance"][p] is True
        rows = sparing[sp_lo[p] : sp_hi[p]]
        doses_mg_kg_day = sparing_mg_kg_day[sp_lo[p] : sp_hi[p]]
        is_cni = sparing_is_cni[sp_lo[p] : sp_hi[p]]
        if cni is None:
            not_defined(p, "cni_response", Message("course.what.cni_response"))
        elif not srns:
            reasons[p]["cni_response"] = reason_for(
                "cni_response", "course.not_srns", onset_response
            )
        else:
            _cni_verdict(
                p,
                t,
                kept,
                None if cni_remission[p] < 0 else int(cni_remission[p]),
                None if cni_complete[p] < 0 else int(cni_complete[p]),
                rows[is_cni],
                doses_mg_kg_day[is_cni],
                cni,
                end_of_observation,
                out,
                unconfirmed,
                reasons,
                evidence,
            )
        if not multidrug_defined:
            not_defined(p, "multidrug_resistant_srns", Message("course.what.multidrug"))
        elif not srns:
            reasons[p]["multidrug_resistant_srns"] = reason_for(
                "multidrug_resistant_srns", "course.not_srns", onset_response
            )
        else:
            agents = [
                (str(t.med_drug[r]), _date(t.med_start_day[r]), _adequate(t.med_drug[r], d, cni))
                for r, d in zip(rows, doses_mg_kg_day, strict=True)
            ]
            complete = None if complete_after_agent[p] < 0 else int(complete_after_agent[p])
            verdict = multidrug_resistant(
                agents,
                first_complete_remission=None if complete is None else _date(kept.day[complete]),
                end_of_observation=end_of_observation,
                months=params.multidrug_resistance_months,
            )
            out["multidrug_resistant_srns"][p] = verdict.value
            reasons[p]["multidrug_resistant_srns"] = (verdict.reason,)
            evidence[p]["multidrug_resistant_srns"] = [("medications", int(r), "") for r in rows]
            if complete is not None:
                evidence[p]["multidrug_resistant_srns"].append(
                    ("labs", int(kept.lab_row[complete]), " (first complete remission)")
                )
    return CourseVerdicts(
        relapse_course=out["relapse_course"],
        secondary_steroid_resistance=out["secondary_steroid_resistance"],
        cni_response=out["cni_response"],
        multidrug_resistant_srns=out["multidrug_resistant_srns"],
        unconfirmed=unconfirmed,
        reasons=reasons,
        evidence=evidence,
    )


def _course_code(verdict, has_relapses: bool) -> str | None:
    """One code per patient: steroid-dependent before frequently relapsing (both may hold)."""
    if verdict.steroid_dependent:
        return "steroid_dependent"
    if verdict.frequently_relapsing:
        return "frequently_relapsing"
    if verdict.frequently_relapsing is False:
        return "infrequently_relapsing" if has_relapses else "no_relapse"
    return None


def _relapse_trials(t, patient, relapse_days, steroid_rows, doses_mg_kg_day, weights_kg, rule_set):
    """One ``RelapseTrial`` per relapse: its daily steroid course, dose and 4-week response.

    The course is the first daily prednisolone/prednisone row starting from the
    relapse day to ``relapse_merge_days`` after it. Standard dose: at least
    (1 - tolerance) of ``secondary_resistance_standard_mg_kg_day``, or of the
    maximum daily dose (``steroid_max_mg_day``) when the weight is known.
    Complete remission within ``steroid_trial_days``: a kept complete day in
    the trial (True); False when the first reading from the trial's last day
    to ``steroid_assessment_window_days`` after it is not complete; else None.
    """
    params, syndrome = rule_set.derivation, rule_set.syndrome
    keep = 1.0 - params.secondary_resistance_dose_tolerance
    standard_mg_kg_day = params.secondary_resistance_standard_mg_kg_day
    trial, window = float(syndrome.steroid_trial_days), float(params.steroid_assessment_window_days)
    trials, evidence = [], []
    for relapse in relapse_days:
        starts = t.med_start_day[steroid_rows]
        daily = t.med_schedule[steroid_rows] == "daily"
        hits = np.flatnonzero(
            daily & (starts >= relapse) & (starts <= relapse + params.relapse_merge_days)
        )
        if hits.size == 0:
            # No steroid course for this relapse: a complete remission within the trial's
            # 4 weeks of the relapse (on MMF, say) shows it was no resistant relapse ("no
            # remission within 4 weeks of standard-dose daily PDN" cannot hold); otherwise
            # it cannot be judged.
            untreated = (patient.day >= relapse) & (patient.day <= relapse + trial)
            remitted = np.flatnonzero(untreated & (patient.state == COMPLETE))
            if remitted.size:
                evidence.append(
                    ("labs", int(patient.lab_row[remitted[0]]), " (complete remission, no course)")
                )
            trials.append(RelapseTrial(_date(relapse), None, True if remitted.size else None))
            continue
        i = int(hits[0])
        start, dose_mg_kg_day, weight_kg = starts[i], doses_mg_kg_day[i], weights_kg[i]
        if dose_mg_kg_day != dose_mg_kg_day:
            is_standard = None
        elif dose_mg_kg_day >= keep * standard_mg_kg_day or (
            weight_kg == weight_kg
            and dose_mg_kg_day * weight_kg >= keep * syndrome.steroid_max_mg_day
        ):
            is_standard = True
        else:
            is_standard = False if weight_kg == weight_kg else None
        in_trial = (patient.day >= start) & (patient.day <= start + trial)
        complete = np.flatnonzero(in_trial & (patient.state == COMPLETE))
        after = np.flatnonzero(
            (patient.day >= start + trial) & (patient.day <= start + trial + window)
        )
        if complete.size:
            within = True
            evidence.append(("labs", int(patient.lab_row[complete[0]]), " (complete remission)"))
        elif after.size and patient.state[after[0]] != COMPLETE:
            within = False
            evidence.append(("labs", int(patient.lab_row[after[0]]), " (end of the 4 weeks)"))
        else:
            within = None
        evidence.insert(0, ("medications", int(steroid_rows[i]), " (relapse course)"))
        trials.append(RelapseTrial(_date(relapse), is_standard, within))
    return trials, evidence


def _adequate(drug, mg_kg_day: float, cni: CniCriteria) -> bool | None:
    """A CNI row at the adequate dose (None: unknown); other agents need no minimum."""
    minimum = cni.min_mg_kg_day.get(str(drug))
    if minimum is None:
        return True
    return None if mg_kg_day != mg_kg_day else bool(mg_kg_day >= minimum)


def _cni_verdict(
    p,
    t,
    kept,
    partial,
    complete,
    rows,
    doses_mg_kg_day,
    cni,
    end_of_observation,
    out,
    unconfirmed,
    reasons,
    evidence,
):
    """``cni_response`` of patient ``p`` from the first CNI course (switches continue it)."""
    if rows.size == 0:
        reasons[p]["cni_response"] = (Message("course.no_cni"),)
        return
    start = t.med_start_day[rows[0]]
    end = t.med_end_day[rows[0]]
    used = [0]
    for i in range(1, rows.size):  # an open row runs on: every later CNI row continues it
        if end == end and t.med_start_day[rows[i]] > end + 1:
            break
        used.append(i)
        later = t.med_end_day[rows[i]]
        end = np.nan if (end != end or later != later) else max(end, later)
    partial_by = add_calendar_months(_date(start), cni.partial_remission_months)
    in_first = [i for i in used if _date(t.med_start_day[rows[i]]) <= partial_by]
    adequacy = [_adequate(t.med_drug[rows[i]], doses_mg_kg_day[i], cni) for i in in_first]
    adequate = False if False in adequacy else (None if None in adequacy else True)
    verdict = cni_response(
        start=_date(start),
        end=_date(end),
        end_of_observation=end_of_observation,
        adequate_dose=adequate,
        first_partial_or_complete=None if partial is None else _date(kept.day[partial]),
        first_complete=None if complete is None else _date(kept.day[complete]),
        criteria=cni,
    )
    out["cni_response"][p] = verdict.verdict
    reasons[p]["cni_response"] = (verdict.reason,)
    evidence[p]["cni_response"] = [("medications", int(rows[i]), "") for i in used]
    same = partial is not None and partial == complete  # one reading, named once
    for position, note in (
        (
            partial,
            " (first complete remission on the CNI)" if same else " (first remission on the CNI)",
        ),
        (None if same else complete, " (first complete remission on the CNI)"),
    ):
        if position is not None:
            evidence[p]["cni_response"].append(("labs", int(kept.lab_row[position]), note))
    if verdict.verdict == "responsive":
        deciding = partial if verdict.reason.code == "clinical.cni.responsive_partial" else complete
        unconfirmed["cni_response"][p] = bool(kept.status[deciding] == UNCONFIRMED)
