"""Background persons of the synthetic OMOP database: children without nephrotic syndrome.

Ordinary pediatric care (outpatient visits with weight, height and blood
pressure, a creatinine now and then, short prednisolone courses, enalapril for
hypertension) plus near-misses a phenotype must tell apart, in fixed shares:

- ``single_ns_code``: one nephrotic-syndrome diagnosis, never repeated (a rule-out);
- ``biopsy_other``: a kidney biopsy for another reason (IgA nephropathy found);
- ``biopsy_and_code``: a biopsy and one NS code on another day (the phenotype
  takes them: they are its false positives);
- ``adult_ns``: NS codes on two dates, first after the 18th birthday;
- ``transplant_first``: a kidney transplant, then NS codes on two dates (recurrence
  after transplant, which the default phenotype leaves out).

The kind of each person is returned with the tables, so tests know the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nephrocohort.clinical.anthropometry import DAYS_PER_YEAR
from nephrocohort.interop._omop_vocabulary import clinical_drug_code, concept_id, strength_mg
from nephrocohort.interop._omop_write import (
    BIOPSY,
    EHR_TYPE,
    NS_AT_VISIT,
    OUTPATIENT,
    VITALS,
    _rows,
    cohort_to_omop,
    write_duckdb,
)

__all__ = ["NEAR_MISS_SHARES", "background_tables", "write_synthetic_omop"]

NEAR_MISS_SHARES = {
    "single_ns_code": 0.02,
    "biopsy_other": 0.01,
    "biopsy_and_code": 0.005,
    "adult_ns": 0.01,
    "transplant_first": 0.005,
}
FIRST_DAY = np.datetime64("2000-01-01", "D")
LAST_DAY = np.datetime64("2024-06-30", "D")


def _kinds(rng, n: int) -> np.ndarray:
    names = ["ordinary", *NEAR_MISS_SHARES]
    shares = [1 - sum(NEAR_MISS_SHARES.values()), *NEAR_MISS_SHARES.values()]
    return np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=shares)]


def background_tables(n: int, *, seed: int):
    """A callable for ``cohort_to_omop(background=...)`` and, after the call, ``.kinds``."""

    def build(ids, first_person_id: int) -> dict[str, pd.DataFrame]:
        rng = np.random.default_rng(seed)
        person = np.arange(first_person_id, first_person_id + n, dtype=np.int64)
        kinds = _kinds(rng, n)
        build.kinds = dict(zip(person.tolist(), kinds.tolist(), strict=True))
        span = int((LAST_DAY - FIRST_DAY).astype(int))
        adult = kinds == "adult_ns"
        birth_offset = rng.integers(0, span - 7 * 365, size=n)
        birth = FIRST_DAY - np.where(adult, 20 * 365, 0) + birth_offset.astype("timedelta64[D]")
        end = np.minimum(
            birth + rng.integers(365, 17 * 365, size=n).astype("timedelta64[D]"), LAST_DAY
        )
        end = np.where(adult, np.minimum(birth + 30 * 365, LAST_DAY), end)
        # Near-misses are followed long enough for their codes to lie inside observation.
        near = (kinds != "ordinary") & ~adult
        end = np.where(near, np.maximum(end, birth + np.timedelta64(6 * 365, "D")), end)
        tables = {
            "person": pd.DataFrame(
                {
                    "person_id": person,
                    "gender_concept_id": np.where(rng.random(n) < 0.5, 8507, 8532),
                    "year_of_birth": birth.astype("datetime64[Y]").astype(int) + 1970,
                    "month_of_birth": birth.astype("datetime64[M]").astype(int) % 12 + 1,
                    "day_of_birth": (birth - birth.astype("datetime64[M]")).astype(int) + 1,
                    "birth_datetime": birth.astype("datetime64[ns]"),
                    "race_concept_id": 0,
                    "ethnicity_concept_id": 0,
                    "person_source_value": [f"BG-{p:07d}" for p in person],
                    "gender_source_value": None,
                }
            ),
            "observation_period": pd.DataFrame(
                {
                    "observation_period_id": ids.take("observation_period", n),
                    "person_id": person,
                    "observation_period_start_date": birth.astype("datetime64[ns]"),
                    "observation_period_end_date": end.astype("datetime64[ns]"),
                    "period_type_concept_id": EHR_TYPE,
                }
            ),
        }
        # Ordinary care: 1-6 visits per person between birth and the end of observation.
        per = rng.integers(1, 7, size=n)
        vp = np.repeat(person, per)
        vbirth, vend = np.repeat(birth, per), np.repeat(end, per)
        length = (vend - vbirth).astype(int)
        vday = vbirth + (rng.random(vp.size) * length).astype("timedelta64[D]")
        age_years = (vday - vbirth).astype(int) / DAYS_PER_YEAR
        visit_ids = ids.take("visit_occurrence", vp.size)
        tables["visit_occurrence"] = pd.DataFrame(
            {
                "visit_occurrence_id": visit_ids,
                "person_id": vp,
                "visit_concept_id": OUTPATIENT,
                "visit_start_date": vday.astype("datetime64[ns]"),
                "visit_end_date": vday.astype("datetime64[ns]"),
                "visit_type_concept_id": EHR_TYPE,
            }
        )
        height = np.clip(50 + 6.2 * age_years * (1 - age_years / 40), 45, 185)
        height = height * rng.normal(1, 0.04, vp.size)
        weight = 3.5 + 2.6 * age_years + 0.12 * age_years**2
        weight = weight * rng.normal(1, 0.1, vp.size)
        sbp = rng.normal(95 + 1.4 * np.minimum(age_years, 18), 9)
        dbp = rng.normal(58 + 0.8 * np.minimum(age_years, 18), 7)
        measurements = []
        for column, values in (
            ("weight_kg", weight),
            ("height_cm", height),
            ("sbp_mmhg", sbp),
            ("dbp_mmhg", dbp),
        ):
            code, unit = VITALS[column]
            measurements.append(
                _rows(
                    "measurement",
                    ids,
                    vp,
                    vday,
                    np.full(vp.size, concept_id(*code)),
                    value_as_number=np.round(values, 1),
                    unit_concept_id=concept_id("UCUM", unit),
                    unit_source_value=unit,
                    visit_occurrence_id=visit_ids,
                )
            )
        labs = rng.random(vp.size) < 0.3
        measurements.append(
            _rows(
                "measurement",
                ids,
                vp[labs],
                vday[labs],
                np.full(labs.sum(), concept_id("LOINC", "2160-0")),
                value_as_number=np.round(rng.normal(0.45, 0.1, labs.sum()).clip(0.15, 1.2), 2),
                unit_concept_id=concept_id("UCUM", "mg/dL"),
                unit_source_value="mg/dL",
            )
        )
        tables["measurement"] = pd.concat(measurements, ignore_index=True)
        tables["drug_exposure"] = _drugs(rng, ids, vp, vday)
        tables["condition_occurrence"], tables["procedure_occurrence"] = _near_misses(
            rng, ids, person, kinds, birth, end
        )
        return tables

    build.kinds = {}
    return build


def _drugs(rng, ids, vp, vday) -> pd.DataFrame:
    """Short prednisolone bursts (asthma) and enalapril courses, with quantity and days supply."""
    burst = rng.random(vp.size) < 0.05
    ace = rng.random(vp.size) < 0.01
    rows = []
    for chosen, ingredient, days, mg_day in ((burst, "8638", 5, 40.0), (ace, "3827", 90, 5.0)):
        code = clinical_drug_code(ingredient)
        count = int(chosen.sum())
        start = vday[chosen]
        rows.append(
            pd.DataFrame(
                {
                    "drug_exposure_id": ids.take("drug_exposure", count),
                    "person_id": vp[chosen],
                    "drug_concept_id": concept_id("RxNorm", code),
                    "drug_exposure_start_date": start.astype("datetime64[ns]"),
                    "drug_exposure_end_date": (start + np.timedelta64(days - 1, "D")).astype(
                        "datetime64[ns]"
                    ),
                    "verbatim_end_date": (start + np.timedelta64(days - 1, "D")).astype(
                        "datetime64[ns]"
                    ),
                    "drug_type_concept_id": EHR_TYPE,
                    "stop_reason": None,
                    "quantity": mg_day * days / strength_mg(code),
                    "days_supply": days,
                    "drug_source_value": None,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _near_misses(rng, ids, person, kinds, birth, end):
    """Conditions and procedures of the near-miss persons (none for ordinary ones)."""

    def day_in(mask, low_years=1.0):
        low = birth[mask] + np.timedelta64(int(low_years * 365), "D")
        span = np.maximum((end[mask] - low).astype(int) - 60, 1)
        return low + (rng.random(mask.sum()) * span).astype("timedelta64[D]")

    ns = concept_id(*NS_AT_VISIT)
    conditions, procedures = [], []
    single = kinds == "single_ns_code"
    conditions.append((person[single], day_in(single), ns))
    other = kinds == "biopsy_other"
    when = day_in(other)
    procedures.append((person[other], when, concept_id(*BIOPSY)))
    conditions.append((person[other], when, concept_id("SNOMED", "236407003")))
    both = kinds == "biopsy_and_code"
    when = day_in(both)
    procedures.append((person[both], when, concept_id(*BIOPSY)))
    conditions.append((person[both], when + np.timedelta64(30, "D"), ns))
    adult = kinds == "adult_ns"
    when = day_in(adult, low_years=19)
    conditions.append((person[adult], when, ns))
    conditions.append((person[adult], when + np.timedelta64(20, "D"), ns))
    graft = kinds == "transplant_first"
    when = day_in(graft)
    procedures.append((person[graft], when, concept_id("SNOMED", "70536003")))
    conditions.append((person[graft], when + np.timedelta64(10, "D"), ns))
    conditions.append((person[graft], when + np.timedelta64(40, "D"), ns))

    def table(name, parts):
        return pd.concat(
            [_rows(name, ids, p, d, np.full(len(p), c)) for p, d, c in parts], ignore_index=True
        )

    return table("condition_occurrence", conditions), table("procedure_occurrence", procedures)


def write_synthetic_omop(out, cohort, *, background_persons: int = 1000, seed: int = 1):
    """Write ``cohort`` plus ``background_persons`` children without NS as a DuckDB OMOP CDM.

    Returns ``(rows per table, kind of each background person by person_id)``;
    the cohort's patients are persons 1..n in bundle order.
    """
    background = background_tables(background_persons, seed=seed) if background_persons else None
    tables = cohort_to_omop(cohort, background=background)
    counts = write_duckdb(tables, out)
    return counts, (background.kinds if background else {})
