"""The analysis dataset: one row per patient, derived from the longitudinal records.

``derive(cohort, rule_set)`` is pure and vectorised: every step works on whole
columns (numpy arrays keyed by patient), never patient by patient, so a
cohort of 100,000 patients derives in seconds (benchmarks/derive_benchmark.py,
docs/performance.md). The rules and their tie-breaks are written out in
docs/derivation.md; the thresholds and windows come from the rule set's
``derivation`` parameters (``nephrocohort rules show NAME``).

``explain`` (nephrocohort.cohort.explain) runs the same code on one patient and
reads the trace this module keeps, so an explanation can never disagree with
the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nephrocohort.cohort._derive_blood_pressure import OnsetBloodPressure, onset_blood_pressure
from nephrocohort.cohort._derive_common import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    add_months,
    any_per_patient,
    completed_years,
    day_numbers,
    days_to_dates,
    factorize_text,
    max_per_patient,
    min_per_patient,
    nullable_bool,
    patient_codes,
    text_values,
    yes_no_to_bool,
)
from nephrocohort.cohort._derive_course import CourseVerdicts, disease_course
from nephrocohort.cohort._derive_eligibility import eligibility_verdicts, steroid_responses
from nephrocohort.cohort._derive_kidney import (
    ChronicRenalFailure,
    EgfrAtTimepoint,
    EgfrSeries,
    chronic_renal_failure,
    egfr_at_timepoint,
    egfr_series,
)
from nephrocohort.cohort._derive_proteinuria import (
    DailyStates,
    DatedEvents,
    NephroticReturns,
    RelapseEpisodes,
    RelapsePeriods,
    TimepointState,
    TimeToRemission,
    daily_states,
    nephrotic_returns,
    relapse_episodes,
    relapse_periods,
    response_names,
    state_names,
    time_to_complete_remission,
    timepoint_states,
)
from nephrocohort.cohort._derive_steroids import SteroidDoses, steroid_doses_at
from nephrocohort.cohort.analysis import ANALYSIS_COLUMNS, ANALYSIS_VARIABLES

__all__ = ["derive", "ANALYSIS_COLUMNS"]

MMF_DRUGS = ("mmf", "mycophenolate_sodium")
GROUP_1_DRUGS = ("cyclophosphamide", "cyclosporine", "tacrolimus")
PRIOR_DRUG_COLUMNS = {
    "prior_steroid_pulses": "methylprednisolone_pulse",
    "prior_cyclophosphamide": "cyclophosphamide",
    "prior_cyclosporine": "cyclosporine",
    "prior_tacrolimus": "tacrolimus",
    "prior_rituximab": "rituximab",
}
ADVERSE_EVENTS = {
    "ae_diarrhea": "diarrhea",
    "ae_severe_infection": "severe_infection",
    "ae_leukopenia": "leukopenia",
}


@dataclass(frozen=True)
class PreparedTables:
    """The cohort's tables as patient codes, day numbers and text arrays."""

    n_patients: int
    birth_day: np.ndarray
    onset_day: np.ndarray
    last_followup_day: np.ndarray
    death_day: np.ndarray
    sex: np.ndarray
    lab_pid: np.ndarray
    lab_day: np.ndarray
    test_codes: np.ndarray
    test_names: np.ndarray
    visit_pid: np.ndarray
    visit_day: np.ndarray
    med_pid: np.ndarray
    med_drug: np.ndarray
    med_schedule: np.ndarray
    med_start_day: np.ndarray
    med_end_day: np.ndarray
    event_pid: np.ndarray
    event_day: np.ndarray
    event_name: np.ndarray
    biopsy_pid: np.ndarray
    biopsy_day: np.ndarray
    death_any_day: np.ndarray
    last_record_day: np.ndarray
    end_of_observation_day: np.ndarray


def _end_of_observation(t: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Death (date or event), the latest dated record, and the end of observation per patient.

    Observation ends at the earliest of death (``patients.death_date`` or a
    ``death`` event, whichever is earlier) and the last follow-up. When
    ``last_followup_date`` is empty, the latest dated record of the patient
    (lab, visit, medication start or end, event, biopsy) stands in for it:
    the patient was seen at least until then (docs/derivation.md).
    """
    n = t["n_patients"]
    death_event = min_per_patient(
        n, t["event_pid"], np.where(t["event_name"] == "death", t["event_day"], np.nan)
    )
    death_any = np.fmin(t["death_day"], death_event)
    pid = np.concatenate(
        [t["lab_pid"], t["visit_pid"], t["med_pid"], t["med_pid"], t["event_pid"], t["biopsy_pid"]]
    )
    day = np.concatenate(
        [
            t["lab_day"],
            t["visit_day"],
            t["med_start_day"],
            t["med_end_day"],
            t["event_day"],
            t["biopsy_day"],
        ]
    )
    last_record = max_per_patient(n, pid, day)
    last_seen = np.where(np.isnan(t["last_followup_day"]), last_record, t["last_followup_day"])
    return death_any, last_record, np.fmin(last_seen, death_any)


def _text(column: pd.Series) -> np.ndarray:
    """Text values as an object array with None for missing (codes compared as written)."""
    return text_values(column)


def prepare(cohort) -> PreparedTables:
    """Convert each table once into the arrays every derivation step uses."""
    patients = cohort.patients
    ids = patients["patient_id"]

    def pid_of(frame):
        return patient_codes(ids, frame["patient_id"])

    labs = cohort.labs
    test_codes, test_names = factorize_text(labs["test"])
    fields = dict(
        n_patients=len(patients),
        birth_day=day_numbers(patients["birth_date"]),
        onset_day=day_numbers(patients["onset_date"]),
        last_followup_day=day_numbers(patients["last_followup_date"]),
        death_day=day_numbers(patients["death_date"]),
        sex=_text(patients["sex"]),
        lab_pid=pid_of(labs),
        lab_day=day_numbers(labs["date"]),
        test_codes=test_codes,
        test_names=test_names,
        visit_pid=pid_of(cohort.visits),
        visit_day=day_numbers(cohort.visits["date"]),
        med_pid=pid_of(cohort.medications),
        med_drug=_text(cohort.medications["drug"]),
        med_schedule=_text(cohort.medications["schedule"]),
        med_start_day=day_numbers(cohort.medications["start_date"]),
        med_end_day=day_numbers(cohort.medications["end_date"]),
        event_pid=pid_of(cohort.events),
        event_day=day_numbers(cohort.events["date"]),
        event_name=_text(cohort.events["event"]),
        biopsy_pid=pid_of(cohort.biopsies),
        biopsy_day=day_numbers(cohort.biopsies["biopsy_date"]),
    )
    death_any, last_record, end_of_observation = _end_of_observation(fields)
    return PreparedTables(
        **fields,
        death_any_day=death_any,
        last_record_day=last_record,
        end_of_observation_day=end_of_observation,
    )


@dataclass(frozen=True)
class MmfCourse:
    """MMF (or mycophenolate sodium) per patient: first start, stop, end of observation on it."""

    start_day: np.ndarray
    stop_day: np.ndarray
    ongoing: np.ndarray
    on_mmf_end_day: np.ndarray
    start_row: np.ndarray
    stop_row: np.ndarray


def mmf_course(t: PreparedTables) -> MmfCourse:
    """First MMF start; stop = the latest end date unless a row is still open (ongoing).

    Observation on MMF ends at the stop, or for an ongoing course at the end
    of observation (``PreparedTables.end_of_observation_day``: the earliest of
    death and the last follow-up). The stop day is the last day on MMF
    (``end_date`` is inclusive); a death before it ends observation there.
    """
    n = t.n_patients
    is_mmf = np.isin(t.med_drug, MMF_DRUGS) & (t.med_pid >= 0) & ~np.isnan(t.med_start_day)
    start = min_per_patient(n, t.med_pid[is_mmf], t.med_start_day[is_mmf])
    stop = max_per_patient(n, t.med_pid[is_mmf], t.med_end_day[is_mmf])
    ongoing = any_per_patient(n, t.med_pid, is_mmf & np.isnan(t.med_end_day))
    stop[ongoing] = np.nan
    end_of_observation = t.end_of_observation_day
    on_mmf_end = np.where(np.isnan(stop), end_of_observation, np.fmin(stop, end_of_observation))
    on_mmf_end[np.isnan(start)] = np.nan

    start_row = np.full(n, -1, dtype=np.int64)
    stop_row = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(is_mmf)
    pid = t.med_pid[rows]
    start_row[pid[t.med_start_day[rows] == start[pid]]] = rows[t.med_start_day[rows] == start[pid]]
    matches_stop = t.med_end_day[rows] == stop[pid]
    stop_row[pid[matches_stop]] = rows[matches_stop]
    open_rows = np.isnan(t.med_end_day[rows])
    stop_row[pid[open_rows]] = rows[open_rows]
    return MmfCourse(start, stop, ongoing, on_mmf_end, start_row, stop_row)


@dataclass(frozen=True)
class DerivationTrace:
    """Everything behind the dataset's values, for ``explain``. Internal."""

    tables: PreparedTables
    mmf: MmfCourse
    daily: DailyStates
    timepoints: list[TimepointState]
    episodes: RelapseEpisodes
    periods: RelapsePeriods
    returns: NephroticReturns
    loss_periods: RelapsePeriods
    unconfirmed_columns: list[list[str]]
    remission: TimeToRemission
    steroid_day_before: np.ndarray
    steroid_day_after: np.ndarray
    steroid_before: SteroidDoses
    steroid_after: SteroidDoses
    egfr: EgfrSeries
    egfr_start: EgfrAtTimepoint
    egfr_month12: EgfrAtTimepoint
    crf: ChronicRenalFailure
    first_biopsy_row: np.ndarray
    eligibility_inputs: pd.DataFrame
    steroid_response_trace: pd.DataFrame
    onset_blood_pressure: OnsetBloodPressure
    course: CourseVerdicts


def _first_biopsy(t: PreparedTables) -> np.ndarray:
    """Row of each patient's first biopsy by date (file order among same-day or undated)."""
    rows = np.flatnonzero(t.biopsy_pid >= 0)
    day = np.where(np.isnan(t.biopsy_day[rows]), np.inf, t.biopsy_day[rows])
    order = rows[np.lexsort((rows, day, t.biopsy_pid[rows]))]
    out = np.full(t.n_patients, -1, dtype=np.int64)
    pid = t.biopsy_pid[order]
    first = np.r_[True, pid[1:] != pid[:-1]] if pid.size else np.array([], dtype=bool)
    out[pid[first]] = order[first]
    return out


def _drug_before(t: PreparedTables, drug: str, mmf_start: np.ndarray, *, strictly_before: bool):
    rows = (t.med_drug == drug) & (t.med_pid >= 0)
    start = mmf_start[np.maximum(t.med_pid, 0)]
    when = t.med_start_day < start if strictly_before else t.med_start_day >= start
    return any_per_patient(t.n_patients, t.med_pid, rows & when)


def _events_between(t: PreparedTables, name: str, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    rows = (t.event_name == name) & (t.event_pid >= 0)
    pid = np.maximum(t.event_pid, 0)
    lo, hi = start[pid], end[pid]
    inside = (t.event_day >= lo) & ~(t.event_day > hi)
    return any_per_patient(t.n_patients, t.event_pid, rows & inside)


def _as_string(values: np.ndarray) -> pd.arrays.StringArray:
    return pd.array(values, dtype="string")


def _nullable(values: np.ndarray) -> pd.arrays.BooleanArray:
    """True/False/None objects as a nullable boolean array."""
    known = np.array([v is not None for v in values], dtype=bool)
    return nullable_bool(np.array([bool(v) for v in values], dtype=bool), known)


def _int_or_na(values: np.ndarray) -> pd.arrays.IntegerArray:
    known = ~np.isnan(values)
    return pd.arrays.IntegerArray(np.where(known, values, 0).astype(np.int64), ~known)


def in_file_order(cohort):
    """``cohort`` with each record table in file order (``source_row``), patients untouched.

    "The first row of the file" breaks ties (two readings of one test on one day):
    that is the row with the smaller ``source_row``, wherever the row sits in the
    frame, so the dataset does not depend on how the rows were arranged. Rows
    without a ``source_row`` come after the others, in their order. Tables already
    in order (every loaded bundle) are not copied.
    """
    tables = {}
    for name, frame in cohort.tables.items():
        rows = frame.get("source_row")
        if name == "patients" or rows is None or rows.is_monotonic_increasing:
            tables[name] = frame
        else:
            order = np.argsort(rows.to_numpy(dtype="float64", na_value=np.inf), kind="stable")
            tables[name] = frame.iloc[order].reset_index(drop=True)
    if all(tables[name] is frame for name, frame in cohort.tables.items()):
        return cohort
    return type(cohort)(**tables)


def _unconfirmed_columns(
    n: int, *, points, periods, loss_periods, remission, response_unconfirmed, course
) -> list[list[str]]:
    """Per patient, the columns whose value rests on a state not confirmed by the readings.

    Under ``confirmation: consecutive_days`` a complete remission or a
    nephrotic range recorded on fewer consecutive days than the rule set
    needs, with nothing contradicting it, is used and marked (docs/derivation.md).
    """
    flags: list[tuple[str, np.ndarray]] = []
    for point in points:
        flags.append((f"state_{point.name}", point.unconfirmed))
        if point.name == "month1":
            flags.append(("response_month1", point.unconfirmed))
    for side in ("before", "after"):
        relapses = getattr(periods, f"unconfirmed_{side}") > 0
        flags += [(f"relapses_{side}", relapses), (f"relapses_per_year_{side}", relapses)]
        flags.append(
            (f"partial_remission_losses_{side}", getattr(loss_periods, f"unconfirmed_{side}") > 0)
        )
    flags.append(("steroid_response", response_unconfirmed))
    flags += [
        ("days_to_complete_remission", remission.unconfirmed),
        ("complete_remission_observed", remission.unconfirmed),
    ]
    flags += list(course.unconfirmed.items())
    out: list[list[str]] = [[] for _ in range(n)]
    for name, flag in flags:
        for patient in np.flatnonzero(flag):
            out[patient].append(name)
    return out


def data_quality_warnings(cohort) -> list:
    """The findings ``validate`` and ``derive`` print: onset hypertension, same-day readings.

    The cohort is put in file order and prepared once for both (each is a full
    pass over the records); neither finding changes a derived value.
    """
    cohort = in_file_order(cohort)
    t = prepare(cohort)
    return [*_onset_hypertension_warnings(cohort, t), *_same_day_reading_warnings(cohort, t)]


def onset_hypertension_warnings(cohort) -> list:
    """The ``onset_hypertension_disagrees`` warnings of a cohort (issue 10 item 7).

    The recorded ``hypertension_at_onset`` against the AAP 2017 category of the
    onset visits, as ``derive`` computes them (the blood pressure alone: no rule
    set is involved); ``validate`` and ``derive`` list them, neither value changes.
    """
    cohort = in_file_order(cohort)
    return _onset_hypertension_warnings(cohort, prepare(cohort))


def _onset_hypertension_warnings(cohort, t) -> list:
    from nephrocohort.cohort._derive_blood_pressure import onset_hypertension_findings

    patients = cohort.patients
    bp = onset_blood_pressure(
        cohort.visits,
        visit_pid=t.visit_pid,
        birth_day=t.birth_day,
        onset_day=t.onset_day,
        sex=t.sex,
    )
    dataset = pd.DataFrame(
        {
            "patient_id": patients["patient_id"].astype("string").array,
            "onset_hypertension": yes_no_to_bool(patients["hypertension_at_onset"]),
            "onset_bp_category": _as_string(bp.category),
            "onset_hypertension_bp": nullable_bool(
                bp.hypertension == 1, ~np.isnan(bp.hypertension)
            ),
        }
    )
    return onset_hypertension_findings(patients, dataset)


def same_day_reading_warnings(cohort) -> list:
    """The ``same_day_readings`` warnings of a cohort: one test read twice on one day.

    ``derive`` takes the higher proteinuria (the lower serum albumin) of such a day,
    whatever the order of the rows (docs/derivation.md); ``validate`` and ``derive``
    list the rows to check. No rule set is involved; no value is changed.
    """
    cohort = in_file_order(cohort)
    return _same_day_reading_warnings(cohort, prepare(cohort))


def _same_day_reading_warnings(cohort, t) -> list:
    from nephrocohort.cohort._derive_proteinuria import same_day_readings

    return same_day_readings(
        cohort.labs,
        lab_pid=t.lab_pid,
        lab_day=t.lab_day,
        test_codes=t.test_codes,
        test_names=t.test_names,
    )


def derive_with_trace(cohort, rule_set) -> tuple[pd.DataFrame, DerivationTrace]:
    """The analysis dataset and the trace of how each value was reached.

    The trace's row positions are those of ``in_file_order(cohort)``.
    """
    cohort = in_file_order(cohort)
    t = prepare(cohort)
    n = t.n_patients
    patients = cohort.patients
    mmf = mmf_course(t)
    has_mmf = ~np.isnan(mmf.start_day)

    # Proteinuria
    daily = daily_states(
        cohort.labs,
        lab_pid=t.lab_pid,
        lab_day=t.lab_day,
        test_codes=t.test_codes,
        test_names=t.test_names,
        rule_set=rule_set,
    )
    points = timepoint_states(daily, mmf_start_day=mmf.start_day, rule_set=rule_set)
    by_name = {point.name: point for point in points}
    returns = nephrotic_returns(daily, rule_set)
    episodes = relapse_episodes(
        returns,
        event_pid=t.event_pid,
        event_day=t.event_day,
        event_is_relapse=t.event_name == "relapse",
        rule_set=rule_set,
    )
    periods = relapse_periods(
        episodes,
        mmf_start_day=mmf.start_day,
        onset_day=t.onset_day,
        on_mmf_end_day=mmf.on_mmf_end_day,
        rule_set=rule_set,
    )
    # A return to the nephrotic range after partial remission only (IPNA 2020 / KDIGO
    # 2021) is its own event, counted over the same periods, never as a relapse.
    loss_periods = relapse_periods(
        DatedEvents(returns.loss_pid, returns.loss_day, returns.loss_unconfirmed),
        mmf_start_day=mmf.start_day,
        onset_day=t.onset_day,
        on_mmf_end_day=mmf.on_mmf_end_day,
        rule_set=rule_set,
    )
    remission = time_to_complete_remission(
        daily, mmf_start_day=mmf.start_day, on_mmf_end_day=mmf.on_mmf_end_day, rule_set=rule_set
    )

    # Steroids: at MMF start and at the follow-up point (12 months, MMF stop or
    # the end of observation, whichever comes first).
    # "12 months later" is the calendar anniversary (add_months).
    followup_day = add_months(mmf.start_day, int(rule_set.derivation.steroid_followup_months))
    steroid_day_before = mmf.start_day
    steroid_day_after = np.fmin(followup_day, mmf.on_mmf_end_day)
    steroid_day_after[~has_mmf] = np.nan
    dose_inputs = dict(
        med_pid=t.med_pid,
        med_start_day=t.med_start_day,
        med_end_day=t.med_end_day,
        visits=cohort.visits,
        visit_pid=t.visit_pid,
        visit_day=t.visit_day,
    )
    steroid_before = steroid_doses_at(
        cohort.medications, query_day=steroid_day_before, **dose_inputs
    )
    steroid_after = steroid_doses_at(cohort.medications, query_day=steroid_day_after, **dose_inputs)
    before_dose, after_dose = steroid_before.mg_kg_day, steroid_after.mg_kg_day
    stopped_known = ~np.isnan(before_dose) & ~np.isnan(after_dose)
    stopped = (before_dose > 0) & (after_dose == 0)

    # Kidney function
    series = egfr_series(
        cohort.labs,
        lab_pid=t.lab_pid,
        lab_day=t.lab_day,
        test_codes=t.test_codes,
        test_names=t.test_names,
        visits=cohort.visits,
        visit_pid=t.visit_pid,
        visit_day=t.visit_day,
        birth_day=t.birth_day,
        sex=t.sex,
        rule_set=rule_set,
    )
    egfr_start = egfr_at_timepoint(
        series, name="month0", mmf_start_day=mmf.start_day, rule_set=rule_set
    )
    egfr_12 = egfr_at_timepoint(
        series, name="month12", mmf_start_day=mmf.start_day, rule_set=rule_set
    )
    crf = chronic_renal_failure(
        series,
        n_patients=n,
        event_pid=t.event_pid,
        event_day=t.event_day,
        event_names=t.event_name,
        rule_set=rule_set,
    )

    # Treatments and group
    prior = {
        column: _drug_before(t, drug, mmf.start_day, strictly_before=True)
        for column, drug in PRIOR_DRUG_COLUMNS.items()
    }
    group_1 = np.zeros(n, dtype=bool)
    for drug in GROUP_1_DRUGS:
        group_1 |= _drug_before(t, drug, mmf.start_day, strictly_before=True)
    group = np.where(has_mmf, np.where(group_1, 1.0, 2.0), np.nan)

    # Outcomes
    dialysis = any_per_patient(n, t.event_pid, t.event_name == "dialysis")
    transplant = any_per_patient(n, t.event_pid, t.event_name == "transplant")
    death = ~np.isnan(t.death_day) | any_per_patient(n, t.event_pid, t.event_name == "death")
    rrt = dialysis | transplant
    crf_after_start = crf.crf & has_mmf & (crf.crf_day >= mmf.start_day)
    crf_before_start = crf.crf & has_mmf & (crf.crf_day < mmf.start_day)
    days_to_crf = np.where(crf_after_start, crf.crf_day - mmf.start_day, np.nan)
    censor_crf = has_mmf & ~crf.crf
    end_of_observation = t.end_of_observation_day
    days_to_crf[censor_crf] = (end_of_observation - mmf.start_day)[censor_crf]
    crf_observed_known = has_mmf & ~crf_before_start & ~np.isnan(days_to_crf)

    # Eligibility and steroid response (clinical core rules)
    response, response_trace = steroid_responses(cohort, t, daily, rule_set=rule_set)
    # completed years: "under 18" ends on the 18th birthday
    age_at_mmf = completed_years(t.birth_day, mmf.start_day)
    verdicts, eligibility_inputs = eligibility_verdicts(
        patients,
        rule_set=rule_set,
        age_at_mmf_start_years=age_at_mmf,
        steroid_response=response,
        egfr_before_mmf=egfr_start.egfr,
        rituximab_before_mmf=np.where(has_mmf, prior["prior_rituximab"], np.nan),
    )

    first_biopsy = _first_biopsy(t)
    histology = (
        _text(cohort.biopsies["histology"]) if len(cohort.biopsies) else np.array([], dtype=object)
    )
    histology_per_patient = np.array(
        [None] * n
        if histology.size == 0
        else np.where(first_biopsy >= 0, histology[np.maximum(first_biopsy, 0)], None),
        dtype=object,
    )
    # a stopped course lasts to its stop day unless death came first; an ongoing
    # one to the end of observation
    mmf_end_for_duration = np.where(
        np.isnan(mmf.stop_day), mmf.on_mmf_end_day, np.fmin(mmf.stop_day, t.death_any_day)
    )
    onset = t.onset_day
    onset_bp = onset_blood_pressure(
        cohort.visits, visit_pid=t.visit_pid, birth_day=t.birth_day, onset_day=onset, sex=t.sex
    )

    columns = {
        "patient_id": patients["patient_id"].astype("string").array,
        "center": patients["center"].astype("string").array,
        "sex": patients["sex"].astype("string").array,
        "histology": _as_string(histology_per_patient),
        "group": _int_or_na(group),
        "eligible": verdicts["eligible"],
        "exclusion_reasons": verdicts["exclusion_reasons"],
        "eligibility_unchecked": verdicts["eligibility_unchecked"],
        "steroid_response": _as_string(response),
        "onset_date": days_to_dates(onset).array,
        "last_followup_date": days_to_dates(t.last_followup_day).array,
        "mmf_start_date": days_to_dates(mmf.start_day).array,
        "mmf_stop_date": days_to_dates(mmf.stop_day).array,
        "age_at_diagnosis_months": (onset - t.birth_day) / DAYS_PER_MONTH,
        "age_at_assessment_years": (t.last_followup_day - t.birth_day) / DAYS_PER_YEAR,
        "follow_up_years": (t.last_followup_day - onset) / DAYS_PER_YEAR,
        "onset_edema": yes_no_to_bool(patients["edema_at_onset"]),
        "onset_hypertension": yes_no_to_bool(patients["hypertension_at_onset"]),
        "onset_bp_category": _as_string(onset_bp.category),
        "onset_hypertension_bp": nullable_bool(
            onset_bp.hypertension == 1, ~np.isnan(onset_bp.hypertension)
        ),
        "onset_aki": yes_no_to_bool(patients["aki_at_onset"]),
        "onset_hematuria": yes_no_to_bool(patients["hematuria_at_onset"]),
        "months_diagnosis_to_mmf": (mmf.start_day - onset) / DAYS_PER_MONTH,
        "years_diagnosis_to_mmf": (mmf.start_day - onset) / DAYS_PER_YEAR,
        "mmf_duration_months": (mmf_end_for_duration - mmf.start_day) / DAYS_PER_MONTH,
    }
    for column, values in prior.items():
        columns[column] = nullable_bool(values, has_mmf)
    columns.update(
        {
            "received_mmf": nullable_bool(has_mmf),
            "received_rituximab_after_mmf": nullable_bool(
                _drug_before(t, "rituximab", mmf.start_day, strictly_before=False), has_mmf
            ),
            "received_enalapril": nullable_bool(
                any_per_patient(n, t.med_pid, t.med_drug == "enalapril")
            ),
            "received_losartan": nullable_bool(
                any_per_patient(n, t.med_pid, t.med_drug == "losartan")
            ),
        }
    )
    for point in points:
        columns[f"state_{point.name}"] = state_names(point.state)
    columns.update(
        {
            "response_month1": response_names(by_name["month1"].state),
            "relapses_before": _int_or_na(periods.relapses_before),
            "relapses_after": _int_or_na(periods.relapses_after),
            "relapses_per_year_before": periods.per_year_before,
            "relapses_per_year_after": periods.per_year_after,
            "partial_remission_losses_before": _int_or_na(loss_periods.relapses_before),
            "partial_remission_losses_after": _int_or_na(loss_periods.relapses_after),
            "steroid_mg_kg_day_before": before_dose,
            "steroid_mg_kg_day_after": after_dose,
            "prednisolone_stopped": nullable_bool(stopped, stopped_known),
            "egfr_mmf_start": egfr_start.egfr,
            "egfr_month12": egfr_12.egfr,
            "crf": nullable_bool(crf.crf),
            "crf_date": days_to_dates(crf.crf_day).array,
            "rrt": nullable_bool(rrt),
            "transplant": nullable_bool(transplant),
            "death": nullable_bool(death),
            "medical_only": nullable_bool(~rrt),
        }
    )
    for column, event in ADVERSE_EVENTS.items():
        columns[column] = nullable_bool(
            _events_between(t, event, mmf.start_day, mmf.on_mmf_end_day), has_mmf
        )
    columns.update(
        {
            "days_to_complete_remission": remission.days,
            "complete_remission_observed": nullable_bool(
                remission.observed, has_mmf & ~np.isnan(remission.days)
            ),
            "days_to_crf": np.where(crf_observed_known, days_to_crf, np.nan),
            "crf_observed": nullable_bool(crf_after_start, crf_observed_known),
        }
    )
    course = disease_course(cohort, t, daily, episodes, response, rule_set)
    columns.update(
        {
            "relapse_course": _as_string(course.relapse_course),
            "secondary_steroid_resistance": _nullable(course.secondary_steroid_resistance),
            "cni_response": _as_string(course.cni_response),
            "multidrug_resistant_srns": _nullable(course.multidrug_resistant_srns),
        }
    )
    unconfirmed = _unconfirmed_columns(
        n,
        course=course,
        points=points,
        periods=periods,
        loss_periods=loss_periods,
        remission=remission,
        response_unconfirmed=response_trace["unconfirmed"].to_numpy(dtype=bool),
    )
    columns["n_unconfirmed_values"] = _int_or_na(
        np.array([len(names) for names in unconfirmed], dtype=np.float64)
    )
    columns["unconfirmed_values"] = _as_string(
        np.array([", ".join(names) for names in unconfirmed], dtype=object)
    )
    dataset = pd.DataFrame(columns, index=pd.RangeIndex(n))
    for variable in ANALYSIS_VARIABLES:  # each column in its declared dtype
        if variable.name not in dataset.columns:  # a rule set without one of the time points
            dataset[variable.name] = pd.Series(pd.NA, index=dataset.index, dtype=variable.dtype)
        elif str(dataset[variable.name].dtype) != variable.dtype:
            dataset[variable.name] = dataset[variable.name].astype(variable.dtype)
    extra = [c for c in dataset.columns if c not in ANALYSIS_COLUMNS]
    dataset = dataset[list(ANALYSIS_COLUMNS) + extra]

    trace = DerivationTrace(
        tables=t,
        mmf=mmf,
        daily=daily,
        timepoints=points,
        episodes=episodes,
        periods=periods,
        returns=returns,
        loss_periods=loss_periods,
        unconfirmed_columns=unconfirmed,
        remission=remission,
        steroid_day_before=steroid_day_before,
        steroid_day_after=steroid_day_after,
        steroid_before=steroid_before,
        steroid_after=steroid_after,
        egfr=series,
        egfr_start=egfr_start,
        egfr_month12=egfr_12,
        crf=crf,
        first_biopsy_row=first_biopsy,
        eligibility_inputs=eligibility_inputs,
        steroid_response_trace=response_trace,
        onset_blood_pressure=onset_bp,
        course=course,
    )
    return dataset, trace


def derive(cohort, rule_set) -> pd.DataFrame:
    """Derive the analysis dataset: one row per patient, the columns of ``ANALYSIS_COLUMNS``.

    Parameters
    ----------
    cohort : nephrocohort.cohort.Cohort
        The validated cohort (canonical units; ``labs`` with ``measured_value``
        and ``measured_unit``).
    rule_set : nephrocohort.clinical.rules.RuleSet
        Supplies the proteinuria thresholds and every derivation window
        (``rule_set.derivation``); see ``nephrocohort rules show NAME``.

    Returns
    -------
    pandas.DataFrame
        One row per patient in the order of ``cohort.patients``. Booleans are
        pandas nullable booleans, text columns pandas strings, missing is NA.
        Every rule and tie-break is described in docs/derivation.md.

    Examples
    --------
    >>> from nephrocohort.clinical.rules import load_rule_set
    >>> dataset = derive(cohort, load_rule_set("study"))  # doctest: +SKIP
    >>> dataset[["patient_id", "state_month1", "response_month1"]]  # doctest: +SKIP
    """
    dataset, _ = derive_with_trace(cohort, rule_set)
    return dataset
