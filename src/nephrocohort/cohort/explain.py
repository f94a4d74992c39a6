"""Why a derived value is what it is: the records, rule and window behind each column.

``explain(cohort, rule_set, patient_id)`` runs the derivation on that one
patient (the very same code as ``derive``) and turns its trace into an
``Explanation``: for each column of the analysis dataset, the value, the rule
that produced it, the window it looked in, and the records it used, each
with the table and the row number the user sees in the file
(``source_row``). ``format_explanation`` renders it as text; ``to_dict``
gives JSON-ready data.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.cohort import _derive_blood_pressure as onset_visits
from nephrocohort.cohort._derive_blood_pressure import onset_visit_descriptions
from nephrocohort.cohort._derive_common import DAYS_PER_MONTH, DAYS_PER_YEAR
from nephrocohort.cohort._derive_kidney import CRF_EVENTS
from nephrocohort.cohort._derive_steroids import STEROID_DRUGS
from nephrocohort.cohort._explain_course import course_values
from nephrocohort.cohort._explain_proteinuria import proteinuria_values
from nephrocohort.cohort.analysis import analysis_variable, rule_template
from nephrocohort.cohort.derive import (
    ADVERSE_EVENTS,
    ANALYSIS_COLUMNS,
    GROUP_1_DRUGS,
    MMF_DRUGS,
    PRIOR_DRUG_COLUMNS,
    derive_with_trace,
    in_file_order,
)
from nephrocohort.exceptions import NephroCohortError
from nephrocohort.i18n import gettext

__all__ = [
    "Evidence",
    "ExplainedValue",
    "Explanation",
    "UnknownPatientError",
    "explain",
    "format_explanation",
]


class UnknownPatientError(NephroCohortError, LookupError):
    """The patient id asked for is not in the cohort."""


@dataclass(frozen=True)
class Evidence:
    """One record a value was derived from: its table, file row, date and what it says."""

    table: str
    source_row: int | None
    date: str | None
    description: str

    def __str__(self) -> str:
        row = f"row {self.source_row}" if self.source_row is not None else "row ?"
        when = f" {self.date}" if self.date else ""
        return f"{self.table} {row}{when}: {self.description}"


@dataclass(frozen=True)
class ExplainedValue:
    """A derived value with the rule, the window and the records behind it."""

    column: str
    value: object
    rule: str
    window: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def __repr__(self) -> str:
        return f"ExplainedValue({self.column}={_display(self.value)}, {len(self.evidence)} records)"


@dataclass(frozen=True)
class Explanation:
    """How every column of one patient's row in the analysis dataset was derived."""

    patient_id: str
    rule_set: str
    values: tuple[ExplainedValue, ...]

    def __repr__(self) -> str:
        return (
            f"Explanation(patient_id={self.patient_id!r}, rule_set={self.rule_set!r}, "
            f"{len(self.values)} values)"
        )

    def __getitem__(self, column: str) -> ExplainedValue:
        for item in self.values:
            if item.column == column:
                return item
        raise KeyError(column)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per column: value, rule, window and the number of records used."""
        return pd.DataFrame(
            {
                "column": [v.column for v in self.values],
                "value": [_display(v.value) for v in self.values],
                "rule": [v.rule for v in self.values],
                "window": [v.window or "" for v in self.values],
                "records": [len(v.evidence) for v in self.values],
            }
        )

    def to_dict(self) -> dict:
        """JSON-ready form (values as text or numbers, NA as None)."""
        return {
            "patient_id": self.patient_id,
            "rule_set": self.rule_set,
            "values": [
                {
                    "column": v.column,
                    "value": _json_value(v.value),
                    "rule": v.rule,
                    "window": v.window,
                    "evidence": [
                        {
                            "table": e.table,
                            "source_row": e.source_row,
                            "date": e.date,
                            "description": e.description,
                        }
                        for e in v.evidence
                    ],
                }
                for v in self.values
            ],
        }


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _display(value) -> str:
    if _is_missing(value):
        return "NA"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def _json_value(value):
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return str(value)


def _iso(day) -> str | None:
    if day is None or (isinstance(day, float) and math.isnan(day)):
        return None
    return str(np.datetime64(int(day), "D"))


def _end_of_observation_text(t) -> str | None:
    """Where this patient's observation ends, and why (for explanations)."""
    end = t.end_of_observation_day[0]
    if np.isnan(end):
        return None
    if end == t.death_any_day[0]:
        why = "death (patients.death_date)" if t.death_day[0] == end else "death (a death event)"
    elif not np.isnan(t.last_followup_day[0]):
        why = "last follow-up (patients.last_followup_date)"
    else:
        why = "the latest dated record of the patient (last_followup_date is empty)"
    return f"end of observation {_iso(end)}: {why}"


def _source_row(frame: pd.DataFrame, position: int) -> int | None:
    if "source_row" not in frame or position < 0:
        return None
    value = frame["source_row"].iloc[position]
    return None if _is_missing(value) else int(value)


def _cell(frame: pd.DataFrame, position: int, column: str):
    if column not in frame:
        return None
    value = frame[column].iloc[position]
    return None if _is_missing(value) else value


def _date_cell(frame: pd.DataFrame, position: int, column: str) -> str | None:
    """The date in a cell as ISO text (None when empty)."""
    value = _cell(frame, position, column)
    return None if value is None else pd.Timestamp(value).date().isoformat()


def _number(value) -> str:
    return "NA" if _is_missing(value) else f"{float(value):.4g}"


class _Records:
    """Evidence builders for one patient's tables."""

    def __init__(self, cohort):
        self.cohort = cohort

    def patient(self, description: str) -> Evidence:
        return Evidence("patients", _source_row(self.cohort.patients, 0), None, description)

    def lab(self, position: int, note: str = "") -> Evidence:
        labs = self.cohort.labs
        test = _cell(labs, position, "test")
        measured = _cell(labs, position, "measured_value")
        unit = _cell(labs, position, "measured_unit")
        text = f"{test} {_number(measured)} {unit or ''}".strip()
        named = _cell(labs, position, "unit_from_notation")
        if named is not None:
            text += f" (unit cell empty: the notation names it, {named})"
        return Evidence(
            "labs",
            _source_row(labs, position),
            _date_cell(labs, position, "date"),
            f"{text}{note}",
        )

    def visit(self, position: int, what: str) -> Evidence:
        visits = self.cohort.visits
        return Evidence(
            "visits",
            _source_row(visits, position),
            _date_cell(visits, position, "date"),
            what,
        )

    def medication(self, position: int, note: str = "") -> Evidence:
        meds = self.cohort.medications
        start = _date_cell(meds, position, "start_date")
        end = _date_cell(meds, position, "end_date")
        dose = _cell(meds, position, "dose")
        parts = [str(_cell(meds, position, "drug"))]
        if dose is not None:
            parts.append(f"{_number(dose)} {_cell(meds, position, 'dose_unit') or ''}".strip())
        schedule = _cell(meds, position, "schedule")
        if schedule:
            parts.append(str(schedule))
        span = f"from {start or '?'} to {end or 'ongoing'}"
        return Evidence(
            "medications",
            _source_row(meds, position),
            start,
            f"{', '.join(parts)} ({span}){note}",
        )

    def event(self, position: int, note: str = "") -> Evidence:
        events = self.cohort.events
        detail = _cell(events, position, "detail")
        text = str(_cell(events, position, "event")) + (f" ({detail})" if detail else "")
        return Evidence(
            "events",
            _source_row(events, position),
            _date_cell(events, position, "date"),
            f"{text}{note}",
        )

    def biopsy(self, position: int) -> Evidence:
        biopsies = self.cohort.biopsies
        return Evidence(
            "biopsies",
            _source_row(biopsies, position),
            _date_cell(biopsies, position, "biopsy_date"),
            f"histology {_cell(biopsies, position, 'histology')}",
        )


def _subset(cohort, patient_id: str):
    patients = cohort.patients
    ids = patients["patient_id"].astype("string")
    if not (ids == patient_id).fillna(False).any():
        close = difflib.get_close_matches(patient_id, [str(i) for i in ids.dropna().unique()], n=3)
        # A catalogue message (code + params): written in the command's language when shown.
        raise UnknownPatientError(
            "explain.unknown_patient_close" if close else "explain.unknown_patient",
            patient_id=patient_id,
            n=len(patients),
            close=", ".join(close),
        )
    tables = {}
    for name, frame in cohort.tables.items():
        if "patient_id" in frame:
            mask = (frame["patient_id"].astype("string") == patient_id).fillna(False).to_numpy()
            tables[name] = frame[mask].reset_index(drop=True)
        else:
            tables[name] = frame
    return type(cohort)(**tables)


def explain(cohort, rule_set, patient_id: str) -> Explanation:
    """Explain every derived value of one patient.

    Raises ``UnknownPatientError`` (with close matches and where to find the
    ids) when ``patient_id`` is not in ``cohort.patients``.
    """
    patient_id = str(patient_id)
    # In file order, as derive_with_trace reads it, so the trace's positions are this cohort's.
    one = in_file_order(_subset(cohort, patient_id))
    dataset, trace = derive_with_trace(one, rule_set)
    row = dataset.iloc[0]
    items = _explain_values(one, rule_set, row, trace)
    by_column = {item.column: item for item in items}
    ordered = [by_column[c] for c in ANALYSIS_COLUMNS if c in by_column]
    ordered += [item for item in items if item.column not in ANALYSIS_COLUMNS]
    return Explanation(patient_id=patient_id, rule_set=rule_set.name, values=tuple(ordered))


def _rule_context(rule_set) -> dict[str, str]:
    """The values the declared rule templates name (constants and the rule set's parameters)."""
    params = rule_set.derivation
    return {
        "rule_set": rule_set.name,
        "days_per_month": f"{DAYS_PER_MONTH:g}",
        "days_per_year": f"{DAYS_PER_YEAR:g}",
        "mmf_drugs_or": " or ".join(MMF_DRUGS),
        "mmf_drugs": " / ".join(MMF_DRUGS),
        "group_1_drugs": ", ".join(GROUP_1_DRUGS),
        "steroid_drugs": " / ".join(STEROID_DRUGS),
        "egfr_equation": params.egfr_equation,
        "crf_egfr_below": f"{params.crf_egfr_below:g}",
        "crf_min_duration_days": str(params.crf_min_duration_days),
        "crf_min_age_years": f"{params.crf_min_age_years:g}",
        "crf_events": ", ".join(CRF_EVENTS),
        "onset_window_days_before": str(onset_visits.ONSET_WINDOW_DAYS_BEFORE),
        "onset_window_days_after": str(onset_visits.ONSET_WINDOW_DAYS_AFTER),
        "onset_height_within_days": str(onset_visits.HEIGHT_WITHIN_DAYS),
    }


def _explain_values(cohort, rule_set, row, trace) -> list[ExplainedValue]:
    r = _Records(cohort)
    params = rule_set.derivation
    t = trace.tables
    mmf = trace.mmf
    start = mmf.start_day[0]
    items: list[ExplainedValue] = []

    def add(column, rule, window=None, evidence=()):
        items.append(ExplainedValue(column, row[column], rule, window, tuple(evidence)))

    context = _rule_context(rule_set)

    def declared(column, window=None, evidence=(), **values):
        """A value whose rule is the one its column declares (``cohort/analysis.py``)."""
        rule = rule_template(analysis_variable(column)).format(**context, **values)
        add(column, rule, window, evidence)

    for column in ("patient_id", "center", "sex"):
        declared(column, evidence=[r.patient(column)])
    biopsy = trace.first_biopsy_row[0]
    declared("histology", evidence=[r.biopsy(int(biopsy))] if biopsy >= 0 else [])
    for column in ("onset_date", "last_followup_date"):
        declared(column, evidence=[r.patient(column)])
    for column, source in (
        ("onset_edema", "edema_at_onset"),
        ("onset_hypertension", "hypertension_at_onset"),
        ("onset_aki", "aki_at_onset"),
        ("onset_hematuria", "hematuria_at_onset"),
    ):
        declared(column, evidence=[r.patient(source)])
    onset_bp = onset_visit_descriptions(trace.onset_blood_pressure, 0)
    for column in ("onset_bp_category", "onset_hypertension_bp"):
        declared(column, evidence=[r.visit(position, what) for position, what in onset_bp])
    declared("age_at_diagnosis_months", evidence=[r.patient("birth_date and onset_date")])
    declared("age_at_assessment_years", evidence=[r.patient("birth_date and last_followup_date")])
    declared("follow_up_years", evidence=[r.patient("onset_date and last_followup_date")])

    mmf_rows = np.flatnonzero(np.isin(t.med_drug, MMF_DRUGS))
    mmf_evidence = [r.medication(int(i)) for i in mmf_rows]
    declared("received_mmf", evidence=mmf_evidence)
    declared(
        "mmf_start_date",
        evidence=[r.medication(int(mmf.start_row[0]))] if mmf.start_row[0] >= 0 else [],
    )
    declared(
        "mmf_stop_date",
        evidence=[r.medication(int(mmf.stop_row[0]))] if mmf.stop_row[0] >= 0 else [],
    )
    declared("months_diagnosis_to_mmf", evidence=[r.patient("onset_date")] + mmf_evidence[:1])
    declared("years_diagnosis_to_mmf", evidence=[r.patient("onset_date")] + mmf_evidence[:1])
    declared(
        "mmf_duration_months",
        _end_of_observation_text(t),
        evidence=mmf_evidence + [r.patient("last_followup_date and death_date")],
    )

    def drug_rows(drug, before):
        rows = np.flatnonzero(t.med_drug == drug)
        if np.isnan(start):
            return []
        keep = t.med_start_day[rows] < start if before else t.med_start_day[rows] >= start
        return [r.medication(int(i)) for i in rows[keep]]

    for column, drug in PRIOR_DRUG_COLUMNS.items():
        declared(column, evidence=drug_rows(drug, True))
    declared("group", evidence=[e for drug in GROUP_1_DRUGS for e in drug_rows(drug, True)])
    declared("received_rituximab_after_mmf", evidence=drug_rows("rituximab", False))
    for column, drug in (("received_enalapril", "enalapril"), ("received_losartan", "losartan")):
        declared(
            column, evidence=[r.medication(int(i)) for i in np.flatnonzero(t.med_drug == drug)]
        )

    proteinuria_values(r, row, trace, rule_set, add)
    course_values(r, row, trace, rule_set, add)

    # Steroids
    def steroid_evidence(doses):
        out = []
        for _, detail in doses.rows.iterrows():
            note = f" -> {_number(detail['mg_kg_day'])} mg/kg/day"
            out.append(r.medication(int(detail["med_row"]), note))
            if detail["weight_row"] >= 0:
                out.append(
                    r.visit(
                        int(detail["weight_row"]),
                        f"weight {_number(detail['weight_kg'])} kg (nearest visit with a weight)",
                    )
                )
            if detail["height_row"] >= 0:
                out.append(
                    r.visit(
                        int(detail["height_row"]),
                        f"height {_number(detail['height_cm'])} cm (nearest visit with a height); BSA {_number(detail['bsa_m2'])} m2 (Mosteller)",
                    )
                )
        return out

    declared(
        "steroid_mg_kg_day_before",
        f"on {_iso(trace.steroid_day_before[0])} (MMF start)" if not np.isnan(start) else None,
        steroid_evidence(trace.steroid_before),
    )
    declared(
        "steroid_mg_kg_day_after",
        f"on {_iso(trace.steroid_day_after[0])} ({params.steroid_followup_months} months after MMF start, or MMF stop / end of follow-up if sooner)"
        if not np.isnan(trace.steroid_day_after[0])
        else None,
        steroid_evidence(trace.steroid_after),
    )
    declared(
        "prednisolone_stopped",
        None,
        steroid_evidence(trace.steroid_before) + steroid_evidence(trace.steroid_after),
    )

    # eGFR
    series = trace.egfr

    def egfr_evidence(position):
        if position < 0:
            return []
        out = [
            r.lab(
                int(series.lab_row[position]),
                f" (creatinine mg/dL; age {series.age_years[position]:.2f} y) -> eGFR {_number(series.egfr[position])}",
            )
        ]
        if series.height_visit_row[position] >= 0:
            out.append(
                r.visit(
                    int(series.height_visit_row[position]),
                    f"height {_number(series.height_cm[position])} cm (nearest visit with a height)",
                )
            )
        return out

    for column, chosen in (
        ("egfr_mmf_start", trace.egfr_start),
        ("egfr_month12", trace.egfr_month12),
    ):
        window = (
            None
            if np.isnan(chosen.window_start_day[0])
            else f"{_iso(chosen.window_start_day[0])} to {_iso(chosen.window_end_day[0])}"
        )
        declared(column, window, egfr_evidence(int(chosen.series_row[0])))

    crf = trace.crf
    crf_evidence = []
    if crf.run_first_series_row[0] >= 0:
        crf_evidence += egfr_evidence(int(crf.run_first_series_row[0]))
        crf_evidence += egfr_evidence(int(crf.run_last_series_row[0]))
    if crf.event_row[0] >= 0:
        crf_evidence.append(r.event(int(crf.event_row[0])))
    declared("crf", None, crf_evidence)
    declared("crf_date", None, crf_evidence)

    def event_rows(name):
        return [r.event(int(i)) for i in np.flatnonzero(t.event_name == name)]

    declared("rrt", None, event_rows("dialysis") + event_rows("transplant"))
    declared("transplant", None, event_rows("transplant"))
    declared("death", None, [r.patient("death_date")] + event_rows("death"))
    declared("medical_only", None, event_rows("dialysis") + event_rows("transplant"))

    on_mmf_window = (
        None if np.isnan(start) else f"{_iso(start)} to {_iso(mmf.on_mmf_end_day[0]) or 'open'}"
    )
    for column, event in ADVERSE_EVENTS.items():
        rows = np.flatnonzero(t.event_name == event)
        inside = [
            r.event(int(i))
            for i in rows
            if not np.isnan(start)
            and t.event_day[i] >= start
            and not t.event_day[i] > mmf.on_mmf_end_day[0]
        ]
        declared(column, on_mmf_window, inside)

    declared("days_to_crf", None, crf_evidence)
    declared("crf_observed", None, crf_evidence)

    # Eligibility and steroid response
    inputs = trace.eligibility_inputs.iloc[0].to_dict()
    described = ", ".join(
        f"{k} = {_display(v) if v is not None else 'not recorded'}" for k, v in inputs.items()
    )
    declared(
        "eligible",
        None,
        [r.patient("hbv, hcv, syphilis, hiv, family_history_ns, birth_date")],
        inputs=described,
    )
    declared("exclusion_reasons")
    declared("eligibility_unchecked")
    return items


def format_explanation(explanation: Explanation) -> str:
    """Readable text: one block per column with the value, rule, window and records."""
    heading = gettext("Patient {patient_id} (rule set: {rule_set})")
    lines = [heading.format(patient_id=explanation.patient_id, rule_set=explanation.rule_set), ""]
    for item in explanation.values:
        lines.append(f"{item.column} = {_display(item.value)}")
        lines.append("    " + gettext("rule: {rule}").format(rule=item.rule))
        if item.window:
            lines.append("    " + gettext("window: {window}").format(window=item.window))
        for evidence in item.evidence:
            lines.append(f"    - {evidence}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
