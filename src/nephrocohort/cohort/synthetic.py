"""Realistic synthetic cohorts of any size, for tests, demonstrations and benchmarks.

``generate_synthetic(n_patients, seed=...)`` draws children with steroid-
resistant nephrotic syndrome from the same distributions as the demo cohort
(sex, histology, age at onset, time to MMF, MMF duration, second-line drugs,
relapse rates, steroid doses, eGFR, outcomes and adverse events, see
docs/demo-cohort.md), with varied follow-up and the gaps real charts have:
unknown onset features and serologies, visits without height or blood
pressure, patients without a biopsy, windows without a measurement, a few
children who do not meet the study's criteria. A chart has about 100 lab rows
on average.

Everything is built column by column with numpy (no loop over patients), so
100,000 patients (about 10 million lab rows) take seconds. The result is a
``Cohort`` with the dtypes a loaded bundle has: lab values in canonical units
next to the values as measured (mixed units, as clinics enter them).

Unlike the demo cohort, nothing here is calibrated to reproduce exact figures:
it is a population, not a paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH, DAYS_PER_YEAR
from nephrocohort.clinical.kidney_function import egfr_schwartz_1976
from nephrocohort.clinical.units import (
    CREATININE_UMOL_PER_MG_DL,
    UPCR_MG_MMOL_PER_MG_MG,
)
from nephrocohort.cohort._demo_growth import typical_height_cm, typical_weight_kg
from nephrocohort.cohort.model import Cohort
from nephrocohort.exceptions import NephroCohortError

__all__ = [
    "PARQUET_FROM_PATIENTS",
    "SYNTHETIC_SEED",
    "SyntheticCohortError",
    "generate_synthetic",
    "write_synthetic_bundle",
]

#: Seed used when none is given (any integer gives another, reproducible cohort).
SYNTHETIC_SEED = 20110601
CHOLESTEROL_MG_DL_PER_MMOL_L = 38.67
#: The latest last visit of a synthetic chart (records lie between 1990 and this day).
LATEST_VISIT = np.datetime64("2024-06-30", "D")
MAX_PATIENTS = 2_000_000

# Distributions taken from the demo cohort (the seed study's 26 children).
HISTOLOGY = ("MCD", "FSGS", "MN", "DMS")
HISTOLOGY_P = (9 / 26, 15 / 26, 1 / 26, 1 / 26)
P_MALE = 18 / 26
P_CYCLOSPORINE = 18 / 26
P_CYCLOPHOSPHAMIDE = 6 / 26
P_TACROLIMUS = 0.03
P_PULSES = 9 / 26
P_RITUXIMAB = 6 / 26
P_ENALAPRIL = 23 / 26
P_LOSARTAN = 15 / 26
P_STEROID_STOPPED = 8 / 26
P_DIARRHEA = 3 / 26
P_INFECTION = 4 / 26
P_CRF_FSGS = 3 / 15
P_CRF_OTHER = 0.01
# Gaps and exclusions seen in real charts.
P_UNKNOWN_AKI = 9 / 26
P_UNKNOWN_FEATURE = 0.05
P_UNKNOWN_SEROLOGY = 0.08
P_POSITIVE_SEROLOGY = 0.005
P_FAMILY_HISTORY = 0.03
P_NO_BIOPSY = 0.03
P_MISSING_WEIGHT = 0.03
P_MISSING_HEIGHT = 0.12
P_MISSING_BP = 0.15
P_TIMEPOINT_MISSED = 0.1
P_RELAPSE_RECORDED = 0.8

CENTERS = ("CENTER-01", "CENTER-02", "CENTER-03", "CENTER-04", "CENTER-05")
NEPHROTIC, PARTIAL, COMPLETE = 0, 1, 2


class SyntheticCohortError(NephroCohortError, ValueError):
    """The requested synthetic cohort cannot be generated (for example, a negative size)."""


# ----------------------------------------------------------------------------- helpers


def _text(vocabulary, codes: np.ndarray) -> pd.Series:
    """Strings picked from a small vocabulary by code (-1: missing), as pandas strings."""
    dictionary = pa.array(list(vocabulary), type=pa.string())
    codes = np.asarray(codes, dtype=np.int32)
    indices = pa.array(codes, mask=codes < 0)
    return pd.Series(pd.arrays.ArrowStringArray(dictionary.take(indices)))


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01; NaN or None = missing) to datetime64[ns]."""
    days = np.asarray(days, dtype=np.float64)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    known = ~np.isnan(days)
    out[known] = days[known].astype(np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return out


def _choice(rng, n: int, p) -> np.ndarray:
    return np.searchsorted(np.cumsum(p), rng.random(n) * np.sum(p), side="right").clip(
        0, len(p) - 1
    )


def _lognormal(rng, n, median, spread, low, high) -> np.ndarray:
    return np.clip(median * np.exp(rng.normal(0.0, spread, n)), low, high)


# ----------------------------------------------------------------------------- patients


def _patients(rng, n: int) -> dict[str, np.ndarray]:
    """Per-patient design: dates as day numbers, treatment and outcome flags."""
    male = rng.random(n) < P_MALE
    histology = _choice(rng, n, HISTOLOGY_P)
    onset_age_days = _lognormal(rng, n, 27.0, 0.75, 6.0, 200.0) * DAYS_PER_MONTH
    dms = histology == HISTOLOGY.index("DMS")
    onset_age_days[dms] = rng.uniform(3, 12, dms.sum()) * DAYS_PER_MONTH
    mn = histology == HISTOLOGY.index("MN")
    onset_age_days[mn] = rng.uniform(60, 150, mn.sum()) * DAYS_PER_MONTH
    onset_age_days = np.round(onset_age_days)

    # Follow-up: median 6 years, at least a year, and the child is at most 18 at the last visit.
    max_followup = np.maximum(18 * DAYS_PER_YEAR - onset_age_days, DAYS_PER_YEAR)
    followup = np.minimum(_lognormal(rng, n, 6.0, 0.7, 1.0, 16.0) * DAYS_PER_YEAR, max_followup)
    followup = np.round(followup)
    # MMF after a share of the follow-up (mean ~5 years after onset), at least 3 months in,
    # and before age 18 (the study's age limit).
    to_mmf = followup * rng.beta(2.0, 1.8, n)
    to_mmf = np.clip(to_mmf, 90, np.maximum(followup - 60, 90))
    to_mmf = np.minimum(to_mmf, np.maximum(18 * DAYS_PER_YEAR - 30 - onset_age_days, 90))
    to_mmf = np.round(to_mmf)
    post = followup - to_mmf
    duration = np.round(_lognormal(rng, n, 24.0, 0.9, 1.0, 120.0) * DAYS_PER_MONTH)
    ongoing = duration >= post
    duration = np.where(ongoing, post, duration)

    last = LATEST_VISIT.astype(np.int64) - rng.integers(0, int(12 * DAYS_PER_YEAR), n)
    onset = last - followup
    birth = onset - onset_age_days
    mmf = onset + to_mmf

    fsgs = histology == HISTOLOGY.index("FSGS")
    crf = rng.random(n) < np.where(fsgs, P_CRF_FSGS, P_CRF_OTHER)
    crf &= duration > 200  # CRF develops on MMF, which is then withdrawn
    ongoing &= ~crf
    kidney_outcome = np.where(
        crf, _choice(rng, n, (0.5, 0.25, 0.25)), -1
    )  # ckd, dialysis, transplant
    return {
        "male": male,
        "histology": histology,
        "birth": birth,
        "onset": onset,
        "last": last,
        "mmf": mmf,
        "mmf_stop": np.where(ongoing, np.nan, mmf + duration),
        "crf": crf,
        "kidney_outcome": kidney_outcome,
        "cyclosporine": rng.random(n) < P_CYCLOSPORINE,
        "cyclophosphamide": rng.random(n) < P_CYCLOPHOSPHAMIDE,
        "tacrolimus": rng.random(n) < P_TACROLIMUS,
        "pulses": rng.random(n) < P_PULSES,
        "rituximab": rng.random(n) < P_RITUXIMAB,
        "enalapril": rng.random(n) < P_ENALAPRIL,
        "losartan": rng.random(n) < P_LOSARTAN,
        "steroid_stopped": rng.random(n) < P_STEROID_STOPPED,
        "steroid_before": _lognormal(rng, n, 1.0, 0.55, 0.2, 2.0),
        "steroid_after": _lognormal(rng, n, 0.25, 0.9, 0.03, 1.5),
        "adverse": _choice(rng, n, (1 - P_DIARRHEA - P_INFECTION, P_DIARRHEA, P_INFECTION)),
        "egfr": np.clip(rng.normal(158.0, 60.0, n), 75.0, 330.0),
        "relapse_rate_before": _lognormal(rng, n, 3.0, 0.5, 0.3, 9.0),
        "relapse_rate_after": _lognormal(rng, n, 1.2, 0.8, 0.1, 7.0),
        "p_complete": rng.beta(3, 2, n),
        "height_factor": 1 + rng.normal(0, 0.03, n),
        "weight_factor": 1 + rng.normal(0, 0.07, n),
    }


def _patients_table(rng, n: int, p: dict) -> pd.DataFrame:
    ids = np.char.add("SYN-", np.char.zfill(np.arange(1, n + 1).astype(str), 7))

    def feature(p_yes, p_unknown):
        codes = np.where(rng.random(n) < p_yes, 0, 1)  # yes, no
        return np.where(rng.random(n) < p_unknown, 2, codes)

    def serology():
        codes = np.where(rng.random(n) < P_POSITIVE_SEROLOGY, 0, 1)  # positive, negative
        return np.where(rng.random(n) < P_UNKNOWN_SEROLOGY, 2, codes)

    yes_no_unknown = ("yes", "no", "unknown")
    death = np.where(rng.random(n) < 0.005, p["last"], np.nan)
    return pd.DataFrame(
        {
            "patient_id": _text(ids, np.arange(n)),
            "center": _text(CENTERS, rng.integers(0, len(CENTERS), n)),
            "sex": _text(("M", "F"), np.where(p["male"], 0, 1)),
            "birth_date": _dates(p["birth"]),
            "onset_date": _dates(p["onset"]),
            "family_history_ns": _text(yes_no_unknown, feature(P_FAMILY_HISTORY, 0.02)),
            "consanguinity": _text(yes_no_unknown, feature(0.04, 0.1)),
            "consent_date": _dates(np.where(rng.random(n) < 0.6, p["mmf"], np.nan)),
            "assent_date": _dates(np.full(n, np.nan)),
            "consent_withdrawn_date": _dates(np.full(n, np.nan)),
            "hbv": _text(("positive", "negative", "unknown"), serology()),
            "hcv": _text(("positive", "negative", "unknown"), serology()),
            "syphilis": _text(("positive", "negative", "unknown"), serology()),
            "hiv": _text(("positive", "negative", "unknown"), serology()),
            "edema_at_onset": _text(yes_no_unknown, feature(25 / 26, P_UNKNOWN_FEATURE)),
            "hypertension_at_onset": _text(yes_no_unknown, feature(0.5, P_UNKNOWN_FEATURE)),
            "aki_at_onset": _text(yes_no_unknown, feature(3 / 17, P_UNKNOWN_AKI)),
            "hematuria_at_onset": _text(yes_no_unknown, feature(0.5, P_UNKNOWN_FEATURE)),
            "last_followup_date": _dates(p["last"]),
            "death_date": _dates(death),
        }
    )


# ----------------------------------------------------------------------------- contacts


def _contacts(rng, p: dict) -> dict[str, np.ndarray]:
    """Days a child was seen (clinic visits, trial checks, home dipsticks), sorted per patient."""
    n = p["onset"].size
    pid_all, day_all = [], []
    followup_years = (p["last"] - p["onset"]) / DAYS_PER_YEAR
    # Fixed contacts: onset, weekly during the steroid trial, and the MMF time points.
    fixed = [(p["onset"], np.ones(n, bool))]
    for week in range(1, 7):
        fixed.append((p["onset"] + 7 * week, np.ones(n, bool)))
    for offset in (0, 30, 91, 183, 365):
        keep = rng.random(n) >= (0.0 if offset == 0 else P_TIMEPOINT_MISSED)
        fixed.append((p["mmf"] + offset, keep))
    fixed.append((p["last"], np.ones(n, bool)))
    for day, keep in fixed:
        keep = keep & (day <= p["last"])
        pid_all.append(np.flatnonzero(keep))
        day_all.append(day[keep])
    # Routine contacts: about 7 + 3.2 per year of follow-up, 75% in the two years around MMF.
    counts = rng.poisson(7 + 3.2 * followup_years)
    pid = np.repeat(np.arange(n), counts)
    around_mmf = rng.random(pid.size) < 0.75
    uniform = p["onset"][pid] + rng.random(pid.size) * (p["last"] - p["onset"])[pid]
    near = p["mmf"][pid] + rng.uniform(-365, 365, pid.size)
    day = np.clip(np.where(around_mmf, near, uniform), p["onset"][pid], p["last"][pid])
    pid_all.append(pid)
    day_all.append(np.round(day))
    pid = np.concatenate(pid_all)
    day = np.concatenate(day_all).astype(np.int64)
    # one contact per patient and day
    key = pid.astype(np.int64) * 2**20 + (day - day.min())
    key, first = np.unique(key, return_index=True)
    pid, day = pid[first], day[first]
    return {"pid": pid, "day": day}


def _states(rng, p: dict, c: dict) -> np.ndarray:
    """Proteinuria state on each contact day."""
    pid, day = c["pid"], c["day"]
    since_onset = day - p["onset"][pid]
    since_mmf = day - p["mmf"][pid]
    episode_days = 40.0
    p_nephrotic = np.where(
        since_mmf < 0,
        p["relapse_rate_before"][pid] * episode_days / DAYS_PER_YEAR,
        np.where(
            since_mmf <= 365,
            p["relapse_rate_after"][pid] * episode_days / DAYS_PER_YEAR,
            0.5 * p["relapse_rate_after"][pid] * episode_days / DAYS_PER_YEAR,
        ),
    )
    p_nephrotic = np.where(since_mmf == 0, 0.73, p_nephrotic)
    p_nephrotic = np.where((since_mmf >= 15) & (since_mmf <= 45), 0.08, p_nephrotic)
    crf_day = p["mmf_stop"] - 150
    p_nephrotic = np.where(p["crf"][pid] & (day >= crf_day[pid]), 0.9, p_nephrotic)
    u = rng.random(pid.size)
    complete = rng.random(pid.size) < p["p_complete"][pid]
    state = np.where(u < p_nephrotic, NEPHROTIC, np.where(complete, COMPLETE, PARTIAL))
    return np.where(since_onset <= 42, NEPHROTIC, state)  # steroid resistance


# ----------------------------------------------------------------------------- labs


def _labs(rng, p: dict, c: dict, state: np.ndarray, heights: np.ndarray) -> pd.DataFrame:
    pid, day = c["pid"], c["day"]
    since_mmf = day - p["mmf"][pid]
    on_mmf = (since_mmf >= 0) & (
        np.isnan(p["mmf_stop"][pid]) | (day < np.nan_to_num(p["mmf_stop"][pid], nan=np.inf))
    )
    parts = []

    def add(rows, test, value, unit_codes, units, measured):
        parts.append((rows, test, value, unit_codes, units, measured))

    # Proteinuria: one test per contact (timed collection, UPCR or dipstick).
    test = _choice(rng, pid.size, (0.45, 0.4, 0.15))
    timepoint = (since_mmf == 0) | (since_mmf == 30) | (since_mmf == 91)
    timepoint |= (since_mmf == 183) | (since_mmf == 365)
    test = np.where(timepoint, 0, test)
    ranges = {
        0: ((48, 160), (6, 35), (0.5, 3.2)),  # mg/m2/h
        1: ((2.6, 9.5), (0.35, 1.7), (0.04, 0.16)),  # mg/mg
    }
    for code in (0, 1):
        rows = np.flatnonzero(test == code)
        lows = np.array([r[0] for r in ranges[code]])[state[rows]]
        highs = np.array([r[1] for r in ranges[code]])[state[rows]]
        value = np.round(lows + (highs - lows) * rng.random(rows.size), 2)
        if code == 0:
            add(rows, "urine_protein_timed", value, np.zeros(rows.size, int), ("mg/m2/h",), value)
        else:
            mmol = rng.random(rows.size) < 0.2
            measured = np.where(mmol, np.round(value * UPCR_MG_MMOL_PER_MG_MG), value)
            canonical = np.where(mmol, measured / UPCR_MG_MMOL_PER_MG_MG, value)
            add(rows, "upcr", canonical, mmol.astype(int), ("mg/mg", "mg/mmol"), measured)
    rows = np.flatnonzero(test == 2)
    grades = (
        np.array([1000.0])[np.zeros(rows.size, int)],
        np.array([30.0, 100.0, 300.0])[rng.integers(0, 3, rows.size)],
        np.array([0.0, 15.0])[rng.integers(0, 2, rows.size)],
    )
    value = np.select([state[rows] == s for s in (0, 1, 2)], grades)
    add(rows, "dipstick_protein", value, np.zeros(rows.size, int), ("mg/dL",), value)

    # Serum albumin (g/dL; some in g/L) and cholesterol (mg/dL; some mmol/L).
    rows = np.flatnonzero(rng.random(pid.size) < 0.6)
    bounds = np.array([(1.2, 2.3), (2.7, 3.4), (3.6, 4.6)])[state[rows]]
    value = np.round(bounds[:, 0] + np.diff(bounds, axis=1)[:, 0] * rng.random(rows.size), 1)
    per_litre = rng.random(rows.size) < 0.15
    measured = np.where(per_litre, value * 10, value)
    add(rows, "serum_albumin", value, per_litre.astype(int), ("g/dL", "g/L"), measured)
    rows = np.flatnonzero(rng.random(pid.size) < 0.2)
    bounds = np.array([(260, 460), (190, 260), (140, 195)])[state[rows]]
    value = np.round(rng.uniform(bounds[:, 0], bounds[:, 1]))
    mmol = rng.random(rows.size) < 0.15
    measured = np.where(mmol, np.round(value / CHOLESTEROL_MG_DL_PER_MMOL_L, 1), value)
    canonical = np.where(mmol, measured * CHOLESTEROL_MG_DL_PER_MMOL_L, value)
    add(rows, "serum_cholesterol", canonical, mmol.astype(int), ("mg/dL", "mmol/L"), measured)

    # Serum creatinine from the child's eGFR course and height (original Schwartz).
    rows = np.flatnonzero((rng.random(pid.size) < 0.45) | (since_mmf == 0) | (since_mmf == 365))
    r_pid = pid[rows]
    egfr = p["egfr"][r_pid] * rng.uniform(0.93, 1.07, rows.size)
    crf_day = (p["mmf_stop"] - 150)[r_pid]
    failing = p["crf"][r_pid] & (day[rows] >= crf_day)
    egfr = np.where(failing, 52.0 - 35.0 * np.clip((day[rows] - crf_day) / 720.0, 0, 1), egfr)
    age = (day[rows] - p["birth"][r_pid]) / DAYS_PER_YEAR
    k_height = np.empty(rows.size)
    for sex, members in (("M", p["male"][r_pid]), ("F", ~p["male"][r_pid])):
        k_height[members] = egfr_schwartz_1976(
            height_cm=heights[rows][members],
            creatinine_mg_dl=1.0,
            age_years=np.clip(age[members], 0, 21),
            sex=sex,
        )
    value = np.round(k_height / egfr, 2).clip(0.1, None)
    umol = rng.random(rows.size) < 0.25
    measured = np.where(umol, np.round(value * CREATININE_UMOL_PER_MG_DL), value)
    canonical = np.where(umol, measured / CREATININE_UMOL_PER_MG_DL, value)
    add(rows, "serum_creatinine", canonical, umol.astype(int), ("mg/dL", "umol/L"), measured)

    # Leukocytes while on MMF.
    rows = np.flatnonzero(on_mmf & (rng.random(pid.size) < 0.5))
    value = np.round(rng.uniform(3.2, 11.0, rows.size), 1)
    per_ul = rng.random(rows.size) < 0.2
    measured = np.where(per_ul, value * 1000, value)
    add(rows, "leukocytes", value, per_ul.astype(int), ("10^9/L", "/uL"), measured)

    tests = [part[1] for part in parts]
    test_code = np.concatenate([np.full(part[0].size, i) for i, part in enumerate(parts)])
    contact = np.concatenate([part[0] for part in parts])
    canonical = np.concatenate([part[2] for part in parts]).astype(np.float64)
    measured = np.concatenate([part[5] for part in parts]).astype(np.float64)
    all_units = []
    unit_code = np.concatenate(
        [
            np.asarray([_unit_index(all_units, part[4][u]) for u in range(len(part[4]))])[part[3]]
            if part[0].size
            else np.zeros(0, int)
            for part in parts
        ]
    )
    canonical_unit = np.concatenate(
        [np.full(part[0].size, _unit_index(all_units, part[4][0])) for part in parts]
    )
    # Contacts are sorted by patient and day already: one integer key sorts the rows.
    order = np.argsort(contact.astype(np.int64) * len(parts) + test_code, kind="stable")
    contact, test_code = contact[order], test_code[order]
    return pd.DataFrame(
        {
            "patient_id": pid[contact],
            "date": _dates(day[contact]),
            "test": _text(tests, test_code),
            "value": canonical[order],
            "unit": _text(all_units, canonical_unit[order]),
            "measured_value": measured[order],
            "measured_unit": _text(all_units, unit_code[order]),
        }
    )


def _unit_index(units: list, unit: str) -> int:
    if unit not in units:
        units.append(unit)
    return units.index(unit)


# ----------------------------------------------------------------------------- visits


def _body_size(p: dict, pid: np.ndarray, day: np.ndarray, state: np.ndarray | None = None):
    age = (day - p["birth"][pid]) / DAYS_PER_YEAR
    sex = np.where(p["male"][pid], "M", "F")
    height = typical_height_cm(age, sex) * p["height_factor"][pid]
    weight = typical_weight_kg(age, sex) * p["weight_factor"][pid]
    if state is not None:
        weight = weight * np.where(state == NEPHROTIC, 1.06, 1.0)
    return np.round(height, 1), np.round(weight, 1)


def _visits(rng, p: dict, c: dict, state: np.ndarray, heights, weights) -> pd.DataFrame:
    pid, day = c["pid"], c["day"]
    since_mmf = day - p["mmf"][pid]
    keep = (rng.random(pid.size) < 0.55) | np.isin(since_mmf, (0, 365)) | (day == p["onset"][pid])
    rows = np.flatnonzero(keep)
    n_rows = rows.size
    weight = np.where(rng.random(n_rows) < P_MISSING_WEIGHT, np.nan, weights[rows])
    height = np.where(rng.random(n_rows) < P_MISSING_HEIGHT, np.nan, heights[rows])
    no_bp = rng.random(n_rows) < P_MISSING_BP
    sbp = np.where(no_bp, np.nan, rng.integers(90, 130, n_rows).astype(float))
    dbp = np.where(no_bp, np.nan, rng.integers(50, 85, n_rows).astype(float))
    return pd.DataFrame(
        {
            "patient_id": pid[rows],
            "date": _dates(day[rows]),
            "weight_kg": weight,
            "height_cm": height,
            "sbp_mmhg": sbp,
            "dbp_mmhg": dbp,
            "edema": _text(("yes", "no"), np.where(state[rows] == NEPHROTIC, 0, 1)),
        }
    )


# ----------------------------------------------------------------------------- drugs and events


def _medications(rng, p: dict) -> pd.DataFrame:
    n = p["onset"].size
    everyone = np.ones(n, bool)
    onset, mmf, stop, last = p["onset"], p["mmf"], p["mmf_stop"], p["last"]
    follow_point = np.fmin(mmf + 365, np.fmin(np.nan_to_num(stop, nan=np.inf), last))
    _, weight_start = _body_size(p, np.arange(n), mmf)
    _, weight_follow = _body_size(p, np.arange(n), follow_point)
    dose_before = np.clip(np.round(p["steroid_before"] * weight_start / 2.5) * 2.5, 2.5, 60)
    dose_after = np.clip(np.round(p["steroid_after"] * weight_follow * 2 / 2.5) * 2.5, 2.5, 40)
    second_line_end = mmf
    # Steroid rows change well away from the two days the analysis reads the dose.
    before_end = np.fmax(onset + 85, np.fmin(mmf + 60, follow_point - 30))
    taper_end = np.fmax(before_end, follow_point - 30)
    cyclosporine_start = np.fmin(onset + 160, mmf - 30)
    rituximab_day = np.where(np.isnan(stop), mmf + 240, np.fmin(mmf + 240, stop))
    none = np.full(n, np.nan)
    # drug, start, end, dose, unit, schedule, who
    courses = [
        ("prednisolone", onset, onset + 42, 60.0, "mg/m2/day", "daily", everyone),
        ("prednisolone", onset + 42, onset + 84, 40.0, "mg/m2/dose", "alternate_day", everyone),
        ("prednisolone", onset + 84, before_end, dose_before, "mg/day", "daily", everyone),
        (
            "prednisolone",
            before_end,
            taper_end,
            np.round(dose_before / 5) * 2.5 + 2.5,
            "mg/day",
            "alternate_day",
            taper_end > before_end,
        ),
        (
            "prednisolone",
            taper_end,
            none,
            dose_after,
            "mg/day",
            "alternate_day",
            ~p["steroid_stopped"],
        ),
        (
            "methylprednisolone_pulse",
            onset + 43,
            onset + 45,
            30.0,
            "mg/kg/dose",
            "daily",
            p["pulses"],
        ),
        (
            "cyclophosphamide",
            onset + 50,
            onset + 134,
            2.0,
            "mg/kg/day",
            "daily",
            p["cyclophosphamide"] & (onset + 134 < mmf),
        ),
        (
            "cyclosporine",
            cyclosporine_start,
            second_line_end,
            5.0,
            "mg/kg/day",
            "bid",
            p["cyclosporine"] & (cyclosporine_start < mmf),
        ),
        (
            "tacrolimus",
            cyclosporine_start,
            second_line_end,
            0.1,
            "mg/kg/day",
            "bid",
            p["tacrolimus"] & ~p["cyclosporine"] & (cyclosporine_start < mmf),
        ),
        ("mmf", mmf, stop, 600.0, "mg/m2/dose", "bid", everyone),
        (
            "rituximab",
            rituximab_day,
            rituximab_day,
            375.0,
            "mg/m2/dose",
            "single",
            p["rituximab"] & (rituximab_day <= last),
        ),
        ("enalapril", onset + 60, none, 0.2, "mg/kg/day", "daily", p["enalapril"]),
        (
            "losartan",
            np.fmax(onset + 120, mmf - 300),
            none,
            0.7,
            "mg/kg/day",
            "daily",
            p["losartan"],
        ),
    ]
    parts = {key: [] for key in ("pid", "drug", "start", "end", "dose", "unit", "schedule")}
    drugs, units, schedules = [], [], []
    for drug, start, end, dose, unit, schedule, who in courses:
        rows = np.flatnonzero(who & (np.broadcast_to(start, (n,)) <= last))
        start = np.broadcast_to(start, (n,))[rows]
        end = np.broadcast_to(end, (n,))[rows].astype(float)
        end = np.where(end > last[rows], np.nan, end)
        parts["pid"].append(rows)
        parts["drug"].append(np.full(rows.size, _unit_index(drugs, drug)))
        parts["start"].append(start)
        parts["end"].append(end)
        parts["dose"].append(np.broadcast_to(np.asarray(dose, float), (n,))[rows])
        parts["unit"].append(np.full(rows.size, _unit_index(units, unit)))
        parts["schedule"].append(np.full(rows.size, _unit_index(schedules, schedule)))
    cat = {key: np.concatenate(value) for key, value in parts.items()}
    order = np.lexsort((cat["start"], cat["pid"]))
    return pd.DataFrame(
        {
            "patient_id": cat["pid"][order],
            "drug": _text(drugs, cat["drug"][order]),
            "start_date": _dates(cat["start"][order]),
            "end_date": _dates(cat["end"][order]),
            "dose": cat["dose"][order],
            "dose_unit": _text(units, cat["unit"][order]),
            "schedule": _text(schedules, cat["schedule"][order]),
            "stop_reason": _text(("",), np.full(order.size, -1)),
        }
    )


def _events(rng, p: dict, c: dict, state: np.ndarray, died: np.ndarray) -> pd.DataFrame:
    n = p["onset"].size
    pid, day = c["pid"], c["day"]
    same = np.r_[False, pid[1:] == pid[:-1]]
    relapse = same & (state == NEPHROTIC) & (np.r_[NEPHROTIC, state[:-1]] != NEPHROTIC)
    relapse &= rng.random(pid.size) < P_RELAPSE_RECORDED
    names, e_pid, e_day = [], [pid[relapse]], [day[relapse]]
    codes = [np.full(int(relapse.sum()), _unit_index(names, "relapse"))]
    ae_day = p["mmf"] + rng.integers(30, 200, n)
    stop = np.nan_to_num(p["mmf_stop"], nan=np.inf)
    for adverse, event in ((1, "diarrhea"), (2, "severe_infection")):
        rows = np.flatnonzero((p["adverse"] == adverse) & (ae_day < np.fmin(stop, p["last"])))
        e_pid.append(rows)
        e_day.append(ae_day[rows])
        codes.append(np.full(rows.size, _unit_index(names, event)))
    crf = np.flatnonzero(p["crf"])
    e_pid.append(crf)
    e_day.append(p["mmf_stop"][crf])
    codes.append(np.full(crf.size, _unit_index(names, "ckd")))
    for outcome, event in ((1, "dialysis"), (2, "transplant")):
        rows = np.flatnonzero(p["crf"] & (p["kidney_outcome"] == outcome))
        when = np.fmin(p["mmf_stop"][rows] + 30, p["last"][rows])
        e_pid.append(rows)
        e_day.append(when)
        codes.append(np.full(rows.size, _unit_index(names, event)))
    # Each death has its event on the date of death (the last follow-up), as validation expects.
    e_pid.append(died)
    e_day.append(p["last"][died])
    codes.append(np.full(died.size, _unit_index(names, "death")))
    e_pid = np.concatenate(e_pid)
    e_day = np.concatenate(e_day)
    code = np.concatenate(codes)
    order = np.lexsort((e_day, e_pid))
    return pd.DataFrame(
        {
            "patient_id": e_pid[order],
            "date": _dates(e_day[order]),
            "event": _text(names, code[order]),
            "detail": _text(("",), np.full(order.size, -1)),
        }
    )


def _biopsies_genetics(rng, p: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = p["onset"].size
    rows = np.flatnonzero(rng.random(n) >= P_NO_BIOPSY)
    biopsies = pd.DataFrame(
        {
            "patient_id": rows,
            "biopsy_date": _dates(p["onset"][rows] + 49),
            "histology": _text(HISTOLOGY, p["histology"][rows]),
        }
    )
    tested = np.flatnonzero(rng.random(n) < 0.3)
    pid = np.repeat(tested, 2)
    gene = np.tile([0, 1], tested.size)
    positive = (
        (gene == 0)
        & (p["histology"][pid] == HISTOLOGY.index("FSGS"))
        & (rng.random(pid.size) < 0.1)
    )
    genetics = pd.DataFrame(
        {
            "patient_id": pid,
            "test_date": _dates(np.fmin(p["onset"][pid] + 150, p["last"][pid])),
            "gene": _text(("NPHS2", "WT1"), gene),
            "variant": _text(("c.413G>A",), np.where(positive, 0, -1)),
            "classification": _text(("pathogenic", "negative"), np.where(positive, 0, 1)),
        }
    )
    return biopsies, genetics


# ----------------------------------------------------------------------------- public


def _hypertension_from_onset_bp(patients: pd.DataFrame, visits: pd.DataFrame) -> pd.Series:
    """The recorded ``hypertension_at_onset`` made to agree with the onset visits' BP.

    Where the drawn flag is known and an onset visit can be classified, the
    flag becomes "yes" for stage 1 or 2 hypertension and "no" otherwise: the
    classification validate checks it against (onset_blood_pressure, AAP 2017),
    so a synthetic cohort has no ``onset_hypertension_disagrees`` warning.
    "unknown" and unclassifiable patients keep the drawn value. ``visits`` still
    holds patient indices in ``patient_id``.

    References
    ----------
    Flynn et al. 2017, Tables 3-5, through cohort._derive_blood_pressure.
    """
    from nephrocohort.cohort._derive_blood_pressure import onset_blood_pressure
    from nephrocohort.cohort._derive_common import day_numbers

    bp = onset_blood_pressure(
        visits,
        visit_pid=visits["patient_id"].to_numpy(dtype=np.int64),
        birth_day=day_numbers(patients["birth_date"]),
        onset_day=day_numbers(patients["onset_date"]),
        sex=patients["sex"].to_numpy(dtype=object),
    )
    drawn = patients["hypertension_at_onset"]
    known = (drawn != "unknown").to_numpy(dtype=bool) & ~np.isnan(bp.hypertension)
    codes = np.where(drawn == "yes", 0, np.where(drawn == "no", 1, 2))
    codes = np.where(known, np.where(bp.hypertension == 1.0, 0, 1), codes)
    return _text(("yes", "no", "unknown"), codes)


def generate_synthetic(n_patients: int, seed: int = SYNTHETIC_SEED) -> Cohort:
    """A seeded synthetic cohort of ``n_patients`` children with SRNS treated with MMF.

    The same ``(n_patients, seed)`` always gives the same cohort. Distributions
    follow the demo cohort (docs/demo-cohort.md), with realistic gaps; about
    100 lab rows per patient on average.

    Example
    -------
    >>> generate_synthetic(50, seed=1)  # doctest: +ELLIPSIS
    Cohort(50 patients; ...)
    """
    if isinstance(n_patients, bool) or not isinstance(n_patients, (int, np.integer)):
        raise SyntheticCohortError("synthetic.not_whole", value=n_patients)
    if not 1 <= n_patients <= MAX_PATIENTS:
        raise SyntheticCohortError("synthetic.size_range", maximum=MAX_PATIENTS, value=n_patients)
    rng = np.random.default_rng(seed)
    n = int(n_patients)
    p = _patients(rng, n)
    patients = _patients_table(rng, n, p)
    contacts = _contacts(rng, p)
    state = _states(rng, p, contacts)
    heights, weights = _body_size(p, contacts["pid"], contacts["day"], state)
    labs = _labs(rng, p, contacts, state, heights)
    visits = _visits(rng, p, contacts, state, heights, weights)
    patients["hypertension_at_onset"] = _hypertension_from_onset_bp(patients, visits)
    medications = _medications(rng, p)
    died = np.flatnonzero(patients["death_date"].notna().to_numpy())
    events = _events(rng, p, contacts, state, died)
    biopsies, genetics = _biopsies_genetics(rng, p)

    ids = patients["patient_id"].array._pa_array.combine_chunks()
    tables = {
        "labs": labs,
        "visits": visits,
        "medications": medications,
        "events": events,
        "biopsies": biopsies,
        "genetics": genetics,
    }
    for frame in tables.values():
        frame["patient_id"] = pd.Series(
            pd.arrays.ArrowStringArray(ids.take(pa.array(frame["patient_id"].to_numpy())))
        )
    return Cohort(patients=patients, **tables)


#: From this size on the command line also writes Parquet (CSV of 10,000+ charts is slow to read).
PARQUET_FROM_PATIENTS = 10_000


def write_synthetic_bundle(out_dir, *, n_patients: int, seed: int = SYNTHETIC_SEED, parquet=None):
    """Generate a synthetic cohort and write it to ``out_dir``; return the files written.

    CSV (one file per table, as ``save_bundle`` writes it) always; Parquet as
    well, in the subfolder ``parquet/`` (``<table>.parquet``, typed columns as a
    ``Cohort`` holds them, labs with canonical and measured values) when
    ``parquet`` is true, or when it is ``None`` and the cohort has at least
    ``PARQUET_FROM_PATIENTS`` patients. The two copies live in separate folders
    because a bundle folder must hold one file per table: each folder is a
    bundle of its own that ``load_bundle`` reads.
    """
    from pathlib import Path

    import pyarrow.parquet as pq

    from nephrocohort.cohort.bundle import save_bundle

    cohort = generate_synthetic(n_patients, seed=seed)
    out = Path(out_dir)
    save_bundle(cohort, out)
    written = [out / f"{name}.csv" for name in cohort.tables]
    if parquet is None:
        parquet = n_patients >= PARQUET_FROM_PATIENTS
    if parquet:
        parquet_dir = out / "parquet"
        parquet_dir.mkdir(exist_ok=True)
        for name, frame in cohort.tables.items():
            table = pa.Table.from_pandas(frame.drop(columns=["source_row"]), preserve_index=False)
            pq.write_table(table, parquet_dir / f"{name}.parquet")
            written.append(parquet_dir / f"{name}.parquet")
    return cohort, written
