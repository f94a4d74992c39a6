"""Explain the proteinuria values from the evidence derive recorded, with the rule declared once.

derive leaves in its trace which readings decided each state, how each state
was confirmed (or not), the albumin it used and which remission each relapse
ended; this module only renders that. The rule sentence of each column is the
``rule`` template of ``cohort.analysis``, filled with the rule set's parameter
texts (``clinical.rules.display.parameter_texts``), so changing a rule means
changing derive and that one sentence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nephrocohort.clinical.rules.display import parameter_texts
from nephrocohort.cohort._derive_proteinuria import (
    COMPLETE,
    CONFIRMED,
    NEPHROTIC,
    PARTIAL,
    STATES,
    UNCONFIRMED,
)
from nephrocohort.cohort.analysis import analysis_variable, rule_template

__all__ = ["proteinuria_values", "rule_text"]

_STATE_TEXT = {
    "complete": "complete remission",
    "partial": "partial remission",
    "none": "no remission",
    "nephrotic": "nephrotic range",
}


def rule_text(column: str, rule_set) -> str:
    """The column's declared rule, filled with the rule set's parameters."""
    variable = analysis_variable(column)
    if not variable or not variable.rule:
        return ""
    return rule_template(variable).format(**parameter_texts(rule_set))


def _iso(day) -> str | None:
    if day is None or (isinstance(day, float) and np.isnan(day)):
        return None
    return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=float(day))).date().isoformat()


class _Readings:
    """Evidence for the proteinuria readings of one patient's trace."""

    def __init__(self, records, trace, rule_set):
        self.r = records
        self.daily = trace.daily
        self.params = rule_set.derivation

    def _needed(self, state: int) -> int:
        if state == COMPLETE:
            return int(self.params.remission_confirmation_days)
        if state == NEPHROTIC:
            return int(self.params.relapse_confirmation_days)
        if state == PARTIAL and self.params.confirmation != "consecutive_days":
            return int(self.params.remission_confirmation_days)
        return 1

    def note(self, position: int, role: str = "") -> str:
        """' -> state (how it stands; role)' for one day of the daily series."""
        d = self.daily
        state, category = int(d.state[position]), int(d.category[position])
        text = _STATE_TEXT[STATES[state]]
        if category != state:
            text = f"{_STATE_TEXT[STATES[category]]} range by proteinuria, {text}"
            if d.albumin_row[position] < 0 and state != COMPLETE:
                text += (
                    " (not a partial-remission test under this rule set, or no serum albumin "
                    f"within {self.params.albumin_window_days} days)"
                )
        needed = self._needed(state)
        status = int(d.status[position])
        same_run = np.flatnonzero(
            (d.pid == d.pid[position])
            & (d.run_first_day == d.run_first_day[position])
            & (d.state == state)
        )
        days = int(d.day[same_run].max() - d.run_first_day[position] + 1)
        start = _iso(d.run_first_day[position])
        if needed <= 1:
            how = "one reading suffices"
        elif status == CONFIRMED and d.confirmed_since[position] == d.confirmed_since[position]:
            how = (
                f"confirmed: continues the same state confirmed on {needed} consecutive days "
                f"from {_iso(d.confirmed_since[position])} ({self.params.confirmation}); no "
                "other state was read in between"
            )
        elif status == CONFIRMED:
            how = (
                f"confirmed: {self.params.confirmation}, {needed} days needed; run from {start}, "
                f"{days} day(s) recorded"
            )
        elif status == UNCONFIRMED:
            how = (
                f"UNCONFIRMED: recorded on {days} consecutive day(s) from {start}, {needed} needed "
                f"({self.params.confirmation}); no reading contradicts it, so it is used and marked"
            )
        else:
            how = f"refuted: another state was read within {needed} days of {start}; disregarded"
        role = f"; {role}" if role else ""
        return f" -> {text} ({how}{role})"

    def reading(self, lab_row: int, role: str = "") -> list:
        """The reading with its state and confirmation, the run's other days and its albumin."""
        if lab_row < 0:
            return []
        found = np.flatnonzero(self.daily.lab_row == lab_row)
        if found.size == 0:
            return [self.r.lab(int(lab_row), f" ({role})" if role else "")]
        position = int(found[0])
        out = [self.r.lab(int(lab_row), self.note(position, role))]
        d = self.daily
        run = np.flatnonzero(
            (d.pid == d.pid[position])
            & (d.run_first_day == d.run_first_day[position])
            & (d.state == d.state[position])
            & (d.lab_row != lab_row)
        )
        for other in run[: max(self._needed(int(d.state[position])), 1)]:
            out.append(self.r.lab(int(d.lab_row[other]), " (same run of readings)"))
        if d.albumin_row[position] >= 0:
            minimum = self.params.partial_remission_min_albumin_g_dl
            value = d.albumin_g_dl[position]
            verdict = "meets" if value >= minimum else "is below"
            out.append(
                self.r.lab(
                    int(d.albumin_row[position]),
                    f" (albumin used: {value:g} g/dL {verdict} {minimum:g} g/dL, nearest within "
                    f"{self.params.albumin_window_days} days)",
                )
            )
        return out


def proteinuria_values(records, row, trace, rule_set, add) -> None:
    """Add the time-point states, response, relapses, losses, remission and steroid response."""
    readings = _Readings(records, trace, rule_set)
    start = trace.mmf.start_day[0]
    for point in trace.timepoints:
        column = f"state_{point.name}"
        if column not in row.index:
            continue
        window = (
            None
            if np.isnan(point.target_day[0])
            else f"{_iso(point.window_start_day[0])} to {_iso(point.window_end_day[0])} "
            f"(target {_iso(point.target_day[0])}, {point.name.removeprefix('month')} calendar "
            f"month(s) = day {int(point.target_day[0] - start)} after MMF start)"
        )
        evidence = readings.reading(int(point.lab_row[0]), "nearest the target")
        add(column, rule_text(column, rule_set), window, evidence)
        if point.name == "month1":
            add("response_month1", rule_text("response_month1", rule_set), window, evidence)

    relapse_windows = {
        "before": (trace.periods.before_start_day[0], trace.periods.before_end_day[0]),
        "after": (trace.periods.after_start_day[0], trace.periods.after_end_day[0]),
    }
    returns = trace.returns
    remission_of = dict(
        zip(returns.relapse_row.tolist(), returns.relapse_after_row.tolist(), strict=True)
    )
    sources = trace.episodes.sources
    for side, (lo, hi) in relapse_windows.items():
        window = (
            None
            if np.isnan(hi)
            else f"after {_iso(lo) or 'the start of the records'} up to and including {_iso(hi)}"
        )
        evidence = []
        if not np.isnan(hi) and not sources.empty:
            lo_value = -np.inf if np.isnan(lo) else lo
            chosen = [i for i, d in enumerate(trace.episodes.day) if lo_value < d <= hi]
            for _, source in sources[sources["episode"].isin(chosen)].iterrows():
                if source["kind"] == "recorded":
                    evidence.append(records.event(int(source["row"]), " (recorded relapse)"))
                    continue
                evidence += readings.reading(int(source["row"]), "first day of the relapse")
                evidence += readings.reading(
                    int(remission_of.get(int(source["row"]), -1)), "the remission it ended"
                )
        for column in (f"relapses_{side}", f"relapses_per_year_{side}"):
            add(column, rule_text(column, rule_set), window, evidence)
        loss_evidence = []
        if not np.isnan(hi):
            lo_value = -np.inf if np.isnan(lo) else lo
            for loss_row, after_row, day in zip(
                returns.loss_row, returns.loss_after_row, returns.loss_day, strict=True
            ):
                if lo_value < day <= hi:
                    loss_evidence += readings.reading(int(loss_row), "loss of partial remission")
                    loss_evidence += readings.reading(int(after_row), "the partial remission")
        column = f"partial_remission_losses_{side}"
        add(column, rule_text(column, rule_set), window, loss_evidence)

    on_mmf = (
        None
        if np.isnan(start)
        else f"{_iso(start)} to {_iso(trace.mmf.on_mmf_end_day[0]) or 'open'}"
    )
    remission = readings.reading(int(trace.remission.lab_row[0]), "first complete remission on MMF")
    add(
        "days_to_complete_remission",
        rule_text("days_to_complete_remission", rule_set),
        on_mmf,
        remission,
    )
    add(
        "complete_remission_observed",
        rule_text("complete_remission_observed", rule_set),
        on_mmf,
        remission,
    )
    _steroid_response(records, readings, trace, rule_set, add)
    unconfirmed = ", ".join(trace.unconfirmed_columns[0]) or "none"
    for column in ("n_unconfirmed_values", "unconfirmed_values"):
        add(column, rule_text(column, rule_set), f"columns: {unconfirmed}")


def _steroid_response(records, readings, trace, rule_set, add) -> None:
    info = trace.steroid_response_trace.iloc[0]
    evidence = []
    if info["med_row"] >= 0:
        evidence.append(
            records.medication(
                int(info["med_row"]), " (first oral steroid course: day 0 of the trial)"
            )
        )
    if info["complete_remission_row"] >= 0:
        evidence += readings.reading(
            int(info["complete_remission_row"]),
            f"first complete remission, day {int(info['complete_remission_day'])} of the trial",
        )
    if info["state_at_trial_end_row"] >= 0 and (
        info["state_at_trial_end_row"] != info["complete_remission_row"]
    ):
        evidence += readings.reading(
            int(info["state_at_trial_end_row"]),
            f"the reading nearest day {rule_set.syndrome.steroid_trial_days}",
        )
    late_row = int(info.get("state_at_confirmation_end_row", -1))
    if info.get("verdict_unconfirmed", False) and late_row >= 0:
        evidence += readings.reading(
            late_row,
            f"the reading nearest day {rule_set.syndrome.steroid_late_response_until_day} "
            f"(none near day {rule_set.syndrome.steroid_trial_days})",
        )
    if info["has_evidence"]:
        detail = (
            f" Daily course {int(info['days_of_standard_dose'])} days"
            + (
                f"; readings up to day {int(info['observed_to_day'])}"
                if not np.isnan(info["observed_to_day"])
                else ""
            )
            + f". Verdict: {info['reasons']}"
        )
    elif info["recorded_used"]:
        detail = (
            " No proteinuria reading decides the trial; the value recorded in "
            "patients.steroid_response is used."
        )
    else:
        detail = " No steroid course with the proteinuria readings the trial needs: NA."
    if info.get("verdict_unconfirmed", False):
        detail += " Marked unconfirmed."
    elif info["unconfirmed"]:
        detail += " It rests on an unconfirmed complete remission."
    add("steroid_response", rule_text("steroid_response", rule_set) + detail, None, evidence)
