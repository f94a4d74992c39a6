"""A fast, seeded generator of large synthetic cohorts for the derivation benchmark.

Only synthetic data: identifiers, dates and values are drawn from seeded
random numbers, with shapes (about 100 lab rows, 15 visits, 8 medication rows
and 5 events per patient) typical of a long-term SRNS follow-up. It is built
column by column with numpy, so 100,000 patients take seconds, and it returns
tables with the dtypes a ``Cohort`` keeps (pandas strings, datetime64, float),
so building the ``Cohort`` does not convert anything.

This is a benchmark fixture, not the project's demo generator
(``nephrocohort.cohort.generate_synthetic``), which is calibrated to the seed
study.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LABS_PER_PATIENT = 100
VISITS_PER_PATIENT = 15
EVENTS_PER_PATIENT = 5


def _dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _strings(values) -> pd.Series:
    return pd.Series(values, dtype="string[pyarrow]")


def synthetic_tables(n_patients: int, seed: int = 20240601) -> dict[str, pd.DataFrame]:
    """The seven tables of a synthetic cohort with ``n_patients`` patients."""
    rng = np.random.default_rng(seed)
    n = n_patients
    ids = np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    birth = rng.integers(
        np.datetime64("2000-01-01").astype(int), np.datetime64("2014-12-31").astype(int), n
    )
    onset = birth + rng.integers(300, 3650, n)
    has_mmf = rng.random(n) < 0.9
    mmf_start = onset + rng.integers(120, 2500, n)
    followup = mmf_start + rng.integers(200, 2200, n)
    death = np.where(rng.random(n) < 0.01, followup, np.iinfo(np.int64).min)
    serology = np.array(["negative", "negative", "negative", "unknown", "positive"])
    patients = pd.DataFrame(
        {
            "patient_id": _strings(ids),
            "center": _strings(np.where(rng.random(n) < 0.5, "C1", "C2")),
            "sex": _strings(np.where(rng.random(n) < 0.65, "M", "F")),
            "birth_date": _dates(birth),
            "onset_date": _dates(onset),
            "family_history_ns": _strings(np.where(rng.random(n) < 0.05, "yes", "no")),
            "hbv": _strings(serology[rng.integers(0, 5, n) * (rng.random(n) < 0.1)]),
            "hcv": _strings(np.full(n, "negative")),
            "syphilis": _strings(np.full(n, "negative")),
            "hiv": _strings(np.full(n, "negative")),
            "edema_at_onset": _strings(np.where(rng.random(n) < 0.95, "yes", "no")),
            "hypertension_at_onset": _strings(np.where(rng.random(n) < 0.5, "yes", "no")),
            "aki_at_onset": _strings(np.where(rng.random(n) < 0.2, "yes", "unknown")),
            "hematuria_at_onset": _strings(np.where(rng.random(n) < 0.5, "yes", "no")),
            "last_followup_date": _dates(followup),
            "death_date": pd.Series(death.astype("datetime64[D]").astype("datetime64[ns]")),
        }
    )

    # labs: proteinuria 60 %, creatinine 20 %, albumin 20 %
    per = LABS_PER_PATIENT
    pid = np.repeat(np.arange(n), per)
    span = followup - onset
    lab_day = onset[pid] + (rng.random(n * per) * span[pid]).astype(np.int64)
    kind = rng.random(n * per)
    nephrotic_phase = rng.random(n * per) < 0.35
    test = np.select(
        [kind < 0.25, kind < 0.45, kind < 0.60, kind < 0.80],
        ["urine_protein_timed", "upcr", "dipstick_protein", "serum_creatinine"],
        "serum_albumin",
    )
    timed = np.where(
        nephrotic_phase, rng.lognormal(4.3, 0.5, n * per), rng.lognormal(1.5, 1.0, n * per)
    )
    upcr = np.where(
        nephrotic_phase, rng.lognormal(1.2, 0.4, n * per), rng.lognormal(-1.5, 1.0, n * per)
    )
    dip_grades = np.array([0.0, 15.0, 30.0, 100.0, 300.0, 1000.0])
    dip = dip_grades[np.where(nephrotic_phase, 5, rng.integers(0, 5, n * per))]
    upcr_mmol = rng.random(n * per) < 0.3
    creatinine = np.clip(rng.lognormal(-0.8, 0.45, n * per), 0.1, 8.0)
    creat_umol = rng.random(n * per) < 0.4
    albumin = np.clip(rng.normal(3.2, 0.8, n * per), 0.8, 5.5)
    measured_value = np.select(
        [
            test == "urine_protein_timed",
            test == "upcr",
            test == "dipstick_protein",
            test == "serum_creatinine",
        ],
        [
            timed,
            np.where(upcr_mmol, upcr * 113.12, upcr),
            dip,
            np.where(creat_umol, creatinine * 88.4, creatinine),
        ],
        albumin,
    )
    measured_unit = np.select(
        [
            test == "urine_protein_timed",
            test == "upcr",
            test == "dipstick_protein",
            test == "serum_creatinine",
        ],
        [
            "mg/m2/h",
            np.where(upcr_mmol, "mg/mmol", "mg/mg"),
            "mg/dL",
            np.where(creat_umol, "umol/L", "mg/dL"),
        ],
        "g/dL",
    )
    value = np.select(
        [test == "upcr", test == "serum_creatinine"],
        [upcr, creatinine],
        measured_value,
    )
    unit = np.select(
        [test == "upcr", test == "serum_creatinine"],
        ["mg/mg", "mg/dL"],
        measured_unit,
    )
    labs = pd.DataFrame(
        {
            "patient_id": _strings(ids[pid]),
            "date": _dates(lab_day),
            "test": _strings(test),
            "value": value,
            "unit": _strings(unit),
            "measured_value": measured_value,
            "measured_unit": _strings(measured_unit),
        }
    )

    # visits
    vper = VISITS_PER_PATIENT
    vpid = np.repeat(np.arange(n), vper)
    visit_day = onset[vpid] + (rng.random(n * vper) * span[vpid]).astype(np.int64)
    age_years = (visit_day - birth[vpid]) / 365.25
    height = np.clip(75 + 6.0 * age_years + rng.normal(0, 4, n * vper), 60, 190)
    weight = np.clip(9 + 2.6 * age_years + rng.normal(0, 2, n * vper), 7, 110)
    weight[rng.random(n * vper) < 0.05] = np.nan
    visits = pd.DataFrame(
        {
            "patient_id": _strings(ids[vpid]),
            "date": _dates(visit_day),
            "weight_kg": weight,
            "height_cm": height,
        }
    )

    # medications: initial steroid course, a taper, a later course, MMF, CNI, ACE inhibitor
    rows = []
    steroid_start = onset
    rows.append(
        (
            np.arange(n),
            "prednisolone",
            steroid_start,
            steroid_start + 42,
            60.0,
            "mg/m2/day",
            "daily",
        )
    )
    rows.append(
        (
            np.arange(n),
            "prednisolone",
            steroid_start + 42,
            steroid_start + 84,
            40.0,
            "mg/m2/dose",
            "alternate_day",
        )
    )
    later = mmf_start - rng.integers(20, 200, n)
    ongoing = np.where(
        rng.random(n) < 0.4, np.iinfo(np.int64).min, mmf_start + rng.integers(100, 700, n)
    )
    rows.append((np.arange(n), "prednisone", later, ongoing, 1.0, "mg/kg/day", "daily"))
    mmf_ids = np.flatnonzero(has_mmf)
    mmf_end = np.where(
        rng.random(n) < 0.5, np.iinfo(np.int64).min, followup - rng.integers(0, 150, n)
    )
    rows.append((mmf_ids, "mmf", mmf_start[mmf_ids], mmf_end[mmf_ids], 600.0, "mg/m2/day", "bid"))
    cni = np.flatnonzero(rng.random(n) < 0.6)
    rows.append(
        (cni, "cyclosporine", onset[cni] + 100, mmf_start[cni] - 30, 5.0, "mg/kg/day", "bid")
    )
    cyc = np.flatnonzero(rng.random(n) < 0.2)
    rows.append(
        (cyc, "cyclophosphamide", onset[cyc] + 60, onset[cyc] + 144, 2.0, "mg/kg/day", "daily")
    )
    ace = np.flatnonzero(rng.random(n) < 0.85)
    rows.append(
        (
            ace,
            "enalapril",
            onset[ace] + 30,
            np.full(ace.size, np.iinfo(np.int64).min),
            0.2,
            "mg/kg/day",
            "daily",
        )
    )
    rtx = np.flatnonzero(rng.random(n) < 0.2)
    rows.append(
        (
            rtx,
            "rituximab",
            mmf_start[rtx] + 200,
            mmf_start[rtx] + 200,
            375.0,
            "mg/m2/dose",
            "single",
        )
    )
    med_pid = np.concatenate([r[0] for r in rows])
    end_days = np.concatenate([np.broadcast_to(r[3], r[0].shape) for r in rows]).astype(np.int64)
    medications = pd.DataFrame(
        {
            "patient_id": _strings(ids[med_pid]),
            "drug": _strings(np.concatenate([np.full(r[0].size, r[1]) for r in rows])),
            "start_date": _dates(
                np.concatenate([np.broadcast_to(r[2], r[0].shape) for r in rows]).astype(np.int64)
            ),
            "end_date": pd.Series(end_days.astype("datetime64[D]").astype("datetime64[ns]")),
            "dose": np.concatenate([np.full(r[0].size, r[4]) for r in rows]),
            "dose_unit": _strings(np.concatenate([np.full(r[0].size, r[5]) for r in rows])),
            "schedule": _strings(np.concatenate([np.full(r[0].size, r[6]) for r in rows])),
        }
    )

    # events: relapses, adverse events, rare transplant
    eper = EVENTS_PER_PATIENT
    epid = np.repeat(np.arange(n), eper)
    event_day = onset[epid] + (rng.random(n * eper) * span[epid]).astype(np.int64)
    names = np.array(
        [
            "relapse",
            "relapse",
            "relapse",
            "diarrhea",
            "severe_infection",
            "leukopenia",
            "transplant",
        ]
    )
    weights = np.array([0.3, 0.2, 0.2, 0.1, 0.1, 0.09, 0.01])
    events = pd.DataFrame(
        {
            "patient_id": _strings(ids[epid]),
            "date": _dates(event_day),
            "event": _strings(names[rng.choice(names.size, n * eper, p=weights)]),
        }
    )
    biopsies = pd.DataFrame(
        {
            "patient_id": _strings(ids),
            "biopsy_date": _dates(onset + 60),
            "histology": _strings(np.where(rng.random(n) < 0.6, "FSGS", "MCD")),
        }
    )
    tables = {
        "patients": patients,
        "biopsies": biopsies,
        "visits": visits,
        "labs": labs,
        "medications": medications,
        "events": events,
    }
    for frame in tables.values():
        frame["source_row"] = pd.array(np.arange(2, len(frame) + 2), dtype="Int64")
    return tables
