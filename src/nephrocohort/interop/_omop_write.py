"""A cohort written as an OMOP CDM v5.4 database (the synthetic EHR of ``demo --format omop``).

Every bundle fact goes where an OMOP ETL would put it: the nephrotic syndrome
diagnosis at onset and at each later clinic visit (condition_occurrence), the
biopsy (procedure_occurrence) with its histology (condition_occurrence, same
day), labs and vital signs (measurement, with the unit as a UCUM concept),
drug courses (drug_exposure of a clinical drug whose drug_strength gives the
milligrams per unit, so strength x quantity / days_supply is the mg/day dose),
dialysis and transplant (procedures), CKD (condition), death. Registry fields
OMOP has no standard concept for (onset features, serologies, consent, family
history, relapses and other events, genetics) are ``observation`` rows with
local concepts (vocabulary ``NephroCohort``), value in ``value_as_string``.

Weight- and BSA-based doses become mg/day with the weight (and height) of the
visit nearest the course start (Mosteller BSA); a course whose dose cannot be
converted so is written without a quantity, as an EHR would have it.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from nephrocohort.clinical.anthropometry import bsa_m2
from nephrocohort.interop._omop_vocabulary import (
    BUNDLE_UNIT_TO_UCUM,
    LOCAL_VOCABULARY,
    clinical_drug_code,
    concept_ancestor_table,
    concept_id,
    concept_table,
    drug_strength_table,
    strength_mg,
)

__all__ = ["OMOP_TABLES", "cohort_to_omop", "EHR_TYPE"]

#: OMOP concept ids, named in data/omop/concept.csv: 32817 "EHR" (Type Concept: the
#: record came from an electronic health record), 9202 "Outpatient Visit" (the HL7
#: FHIR-to-OMOP IG, ConceptMap EncounterClass, maps AMB to 9202). The CSV's source column
#: says what of it was checked against a public list.
EHR_TYPE = 32817
OUTPATIENT = 9202
GENDER = {"M": 8507, "F": 8532}
NS_AT_ONSET = ("SNOMED", "236381000")  # Steroid-resistant nephrotic syndrome
NS_AT_VISIT = ("SNOMED", "52254009")  # Nephrotic syndrome
BIOPSY = ("SNOMED", "48426002")  # Fine needle biopsy of kidney
HISTOLOGY = {
    "MCD": "44785005",
    "FSGS": "236403004",
    "MN": "77182004",
    "DMS": "111406002",
    "MesPGN": "35546006",
    "C3G": "722758004",
    "IgAN": "236407003",
}
EVENT_CONDITIONS = {"ckd": ("SNOMED", "709044004")}
EVENT_PROCEDURES = {"dialysis": ("SNOMED", "265764009"), "transplant": ("SNOMED", "70536003")}
DRUG_INGREDIENTS = {
    "prednisolone": "8638",
    "prednisone": "8640",
    "methylprednisolone_pulse": "6902",
    "mmf": "68149",
    "mycophenolate_sodium": "7145",
    "cyclosporine": "3008",
    "tacrolimus": "42316",
    "cyclophosphamide": "3002",
    "rituximab": "121191",
    "enalapril": "3827",
    "losartan": "52175",
}
#: (test, unit as measured) -> LOINC (or local) code; None as unit: any unit.
LAB_CODES = {
    ("upcr", None): ("LOINC", "2890-2"),
    ("dipstick_protein", None): ("LOINC", "20454-5"),
    ("urine_protein_timed", None): (LOCAL_VOCABULARY, "urine_protein_timed"),
    ("serum_albumin", None): ("LOINC", "1751-7"),
    ("serum_creatinine", "umol/L"): ("LOINC", "14682-9"),
    ("serum_creatinine", None): ("LOINC", "2160-0"),
    ("cystatin_c", None): ("LOINC", "33863-2"),
    ("serum_cholesterol", "mmol/L"): ("LOINC", "14647-2"),
    ("serum_cholesterol", None): ("LOINC", "2093-3"),
    ("leukocytes", None): ("LOINC", "6690-2"),
}
VITALS = {
    "weight_kg": (("LOINC", "29463-7"), "kg"),
    "height_cm": (("LOINC", "8302-2"), "cm"),
    "sbp_mmhg": (("LOINC", "8480-6"), "mm[Hg]"),
    "dbp_mmhg": (("LOINC", "8462-4"), "mm[Hg]"),
}
PATIENT_FIELDS = (
    "family_history_ns",
    "consanguinity",
    "hbv",
    "hcv",
    "syphilis",
    "hiv",
    "edema_at_onset",
    "hypertension_at_onset",
    "aki_at_onset",
    "hematuria_at_onset",
)
PATIENT_DATES = ("consent_date", "assent_date", "consent_withdrawn_date")
DOSES_PER_DAY = {"daily": 1.0, "bid": 2.0, "alternate_day": 0.5, "single": 1.0}
OMOP_TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "condition_occurrence",
    "procedure_occurrence",
    "measurement",
    "drug_exposure",
    "observation",
    "death",
    "care_site",
    "concept",
    "concept_ancestor",
    "drug_strength",
)


def _local(code: str) -> int:
    return concept_id(LOCAL_VOCABULARY, code)


def _text(series: pd.Series) -> np.ndarray:
    return series.astype("object").where(series.notna(), None).to_numpy()


def _lab_concept(test: str, unit: str) -> int:
    code = LAB_CODES.get((test, unit)) or LAB_CODES[(test, None)]
    return concept_id(*code)


def _unit_concept(unit) -> int | None:
    if unit is None or pd.isna(unit):
        return None
    return concept_id("UCUM", BUNDLE_UNIT_TO_UCUM.get(str(unit), str(unit)))


class _Ids:
    """Row ids for each OMOP table, counting on across calls (cohort, then background)."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, table: str, count: int) -> np.ndarray:
        start = self.next.get(table, 1)
        self.next[table] = start + count
        return np.arange(start, start + count, dtype=np.int64)


def _persons(patients: pd.DataFrame, person_of: dict, sites: dict) -> pd.DataFrame:
    birth = patients["birth_date"]
    return pd.DataFrame(
        {
            "person_id": patients["patient_id"].map(person_of).astype("int64").to_numpy(),
            "gender_concept_id": patients["sex"].map(GENDER).fillna(0).astype("int64").to_numpy(),
            "year_of_birth": birth.dt.year.astype("int64").to_numpy(),
            "month_of_birth": birth.dt.month.astype("int64").to_numpy(),
            "day_of_birth": birth.dt.day.astype("int64").to_numpy(),
            "birth_datetime": birth.to_numpy(),
            "race_concept_id": 0,
            "ethnicity_concept_id": 0,
            "care_site_id": patients["center"].map(sites).astype("Int64").to_numpy(),
            "person_source_value": _text(patients["patient_id"]),
            "gender_source_value": _text(patients["sex"]),
        }
    )


def _latest_dates(cohort) -> pd.Series:
    """Per patient, the latest date any record has (end of the observation period)."""
    parts = [cohort.patients.set_index("patient_id")["last_followup_date"]]
    for table, column in (
        ("visits", "date"),
        ("labs", "date"),
        ("events", "date"),
        ("biopsies", "biopsy_date"),
        ("medications", "start_date"),
        ("medications", "end_date"),
    ):
        frame = getattr(cohort, table)
        parts.append(frame.groupby("patient_id", observed=True)[column].max())
    return pd.concat(parts, axis=1).max(axis=1)


def _observation_periods(cohort, person_of, ids) -> pd.DataFrame:
    patients = cohort.patients
    ends = patients["last_followup_date"].fillna(patients["patient_id"].map(_latest_dates(cohort)))
    starts = patients["onset_date"].fillna(patients["birth_date"])
    return pd.DataFrame(
        {
            "observation_period_id": ids.take("observation_period", len(patients)),
            "person_id": patients["patient_id"].map(person_of).astype("int64").to_numpy(),
            "observation_period_start_date": starts.to_numpy(),
            "observation_period_end_date": ends.fillna(starts).to_numpy(),
            "period_type_concept_id": EHR_TYPE,
        }
    )


def _rows(table: str, ids, person, date, concept, **columns) -> pd.DataFrame:
    """One OMOP event table's rows: id, person, date, concept and any other columns.

    ``concept`` is one concept id for every row or one per row; ``columns`` further
    columns (a value or one per row).
    """
    prefix = {
        "condition_occurrence": "condition",
        "procedure_occurrence": "procedure",
        "measurement": "measurement",
        "observation": "observation",
    }[table]
    person = np.asarray(person, dtype=np.int64)
    date_column = "condition_start_date" if prefix == "condition" else f"{prefix}_date"
    frame = pd.DataFrame(
        {
            f"{table}_id": ids.take(table, len(person)),
            "person_id": person,
            f"{prefix}_concept_id": np.full(len(person), concept, dtype=np.int64)
            if np.ndim(concept) == 0
            else np.asarray(concept, dtype=np.int64),
            date_column: np.asarray(date, dtype="datetime64[ns]"),
            f"{prefix}_type_concept_id": EHR_TYPE,
        }
    )
    for name, values in columns.items():
        frame[name] = values if np.ndim(values) == 0 else np.asarray(values)
    return frame


def _patient_rows(table: str, ids, person_of, source: pd.DataFrame, date, concept, **columns):
    """``_rows`` for the rows of a cohort table ``source``, its patients mapped by ``person_of``.

    ``date`` is a column of ``source`` or the dates themselves.
    """
    dates = source[date] if isinstance(date, str) else date
    person = source["patient_id"].map(person_of)
    return _rows(table, ids, person, dates, concept, **columns)


def _coded_events(table: str, ids, person_of, events: pd.DataFrame, codes: dict, **columns):
    """The rows of ``events`` whose event is in ``codes`` (event -> vocabulary, code)."""
    rows = events[events["event"].isin(list(codes))]
    concepts = [concept_id(*codes[e]) for e in rows["event"]]
    source_value = {f"{table.split('_')[0]}_source_value": _text(rows["detail"])}
    return _patient_rows(table, ids, person_of, rows, "date", concepts, **source_value, **columns)


def _conditions(cohort, person_of, ids, visit_dates: pd.DataFrame) -> pd.DataFrame:
    table = "condition_occurrence"
    rows_of = functools.partial(_patient_rows, table, ids, person_of)
    patients = cohort.patients[cohort.patients["onset_date"].notna()]
    onset = cohort.patients.set_index("patient_id")["onset_date"]
    later = visit_dates[visit_dates["date"] > visit_dates["patient_id"].map(onset)]
    later = later.drop_duplicates(["patient_id", "date"])
    biopsies = cohort.biopsies
    histology = [
        concept_id("SNOMED", HISTOLOGY[h]) if h in HISTOLOGY else _local("histology_other")
        for h in biopsies["histology"].astype("object")
    ]
    source_value = _text(biopsies["histology"])
    parts = [
        rows_of(patients, "onset_date", concept_id(*NS_AT_ONSET)),
        rows_of(later, "date", concept_id(*NS_AT_VISIT)),
        rows_of(
            biopsies,
            "biopsy_date",
            histology,
            condition_source_value=source_value,
        ),
        _coded_events(table, ids, person_of, cohort.events, EVENT_CONDITIONS),
    ]
    return pd.concat(parts, ignore_index=True)


def _procedures(cohort, person_of, ids) -> pd.DataFrame:
    table = "procedure_occurrence"
    rows_of = functools.partial(_patient_rows, table, ids, person_of)
    parts = [
        rows_of(cohort.biopsies, "biopsy_date", concept_id(*BIOPSY)),
        _coded_events(table, ids, person_of, cohort.events, EVENT_PROCEDURES),
    ]
    return pd.concat(parts, ignore_index=True)


def _visits(cohort, person_of, ids) -> pd.DataFrame:
    visits = cohort.visits
    return pd.DataFrame(
        {
            "visit_occurrence_id": ids.take("visit_occurrence", len(visits)),
            "person_id": visits["patient_id"].map(person_of).astype("int64").to_numpy(),
            "visit_concept_id": OUTPATIENT,
            "visit_start_date": visits["date"].to_numpy(),
            "visit_end_date": visits["date"].to_numpy(),
            "visit_type_concept_id": EHR_TYPE,
        }
    )


def _measurements(cohort, person_of, ids, visit_ids: np.ndarray) -> pd.DataFrame:
    table = "measurement"
    rows_of = functools.partial(_patient_rows, table, ids, person_of)
    labs = cohort.labs
    tests = labs["test"].astype("object").to_numpy()
    units = labs["measured_unit"].astype("object").to_numpy()
    dipstick = tests == "dipstick_protein"
    # Dipstick results are stored in mg/dL, as the canonical value of the grade.
    values = np.where(dipstick, labs["value"].to_numpy(), labs["measured_value"].to_numpy())
    units = np.where(dipstick, "mg/dL", units)
    parts = [
        rows_of(
            labs,
            "date",
            [_lab_concept(t, u) for t, u in zip(tests, units, strict=True)],
            value_as_number=values.astype(float),
            unit_concept_id=[_unit_concept(u) for u in units],
            unit_source_value=units,
            measurement_source_value=tests,
        )
    ]
    visits = cohort.visits
    for column, (code, unit) in VITALS.items():
        present = visits[column].notna().to_numpy()
        rows = visits[present]
        parts.append(
            rows_of(
                rows,
                "date",
                concept_id(*code),
                value_as_number=rows[column].to_numpy(dtype=float),
                unit_concept_id=concept_id("UCUM", unit),
                unit_source_value=unit,
                visit_occurrence_id=visit_ids[present],
            )
        )
    return pd.concat(parts, ignore_index=True)


def _observations(cohort, person_of, ids, visit_ids: np.ndarray) -> pd.DataFrame:
    table = "observation"
    rows_of = functools.partial(_patient_rows, table, ids, person_of)
    patients = cohort.patients
    parts = []
    anchor = patients["onset_date"].fillna(patients["birth_date"])
    for field in PATIENT_FIELDS:
        present = patients[field].notna().to_numpy()
        rows = patients[present]
        parts.append(
            rows_of(
                rows,
                anchor[present],
                _local(field),
                value_as_string=_text(rows[field]),
            )
        )
    for field in PATIENT_DATES:
        rows = patients[patients[field].notna()]
        parts.append(rows_of(rows, field, _local(field)))
    visits = cohort.visits
    present = visits["edema"].notna().to_numpy()
    rows = visits[present]
    parts.append(
        rows_of(
            rows,
            "date",
            _local("visit_edema"),
            value_as_string=_text(rows["edema"]),
            visit_occurrence_id=visit_ids[present],
        )
    )
    events = cohort.events[~cohort.events["event"].isin([*EVENT_CONDITIONS, *EVENT_PROCEDURES])]
    parts.append(
        rows_of(
            events,
            "date",
            [_local(f"event_{e}") for e in events["event"]],
            value_as_string=_text(events["detail"]),
        )
    )
    genetics = cohort.genetics
    parts.append(
        rows_of(
            genetics,
            "test_date",
            _local("genetic_test"),
            observation_source_value=_text(genetics["gene"]),
            value_as_string=_text(genetics["variant"]),
            qualifier_source_value=_text(genetics["classification"]),
        )
    )
    return pd.concat(parts, ignore_index=True)


def _nearest_body_size(visits: pd.DataFrame, patient_ids, days) -> tuple[np.ndarray, np.ndarray]:
    """Weight and height of the visit nearest each (patient, day) that has them (NaN if none)."""
    out = []
    for column in ("weight_kg", "height_cm"):
        known = visits[visits[column].notna()]
        by_patient = {
            pid: (group["date"].to_numpy(), group[column].to_numpy(dtype=float))
            for pid, group in known.groupby("patient_id", observed=True)
        }
        values = np.full(len(days), np.nan)
        for i, (pid, day) in enumerate(zip(patient_ids, days, strict=True)):
            if pid in by_patient:
                dates, sizes = by_patient[pid]
                values[i] = sizes[np.argmin(np.abs(dates - day))]
        out.append(values)
    return out[0], out[1]


def _mg_per_day(meds: pd.DataFrame, visits: pd.DataFrame) -> np.ndarray:
    """Each course's dose in mg/day (NaN where it cannot be converted)."""
    weight, height = _nearest_body_size(
        visits, meds["patient_id"].to_numpy(), meds["start_date"].to_numpy()
    )
    bsa = np.full(len(meds), np.nan)
    both = ~np.isnan(weight) & ~np.isnan(height)
    if both.any():
        bsa[both] = [
            bsa_m2(height_cm=h, weight_kg=w)
            for h, w in zip(height[both], weight[both], strict=True)
        ]
    dose = meds["dose"].to_numpy(dtype=float)
    unit = meds["dose_unit"].astype("object").to_numpy()
    schedule = meds["schedule"].astype("object").to_numpy()
    per_dose = np.array([DOSES_PER_DAY.get(s, np.nan) for s in schedule])
    per_day = np.where(schedule == "alternate_day", 0.5, 1.0)
    factor = {
        "mg/day": per_day,
        "mg/kg/day": per_day * weight,
        "mg/m2/day": per_day * bsa,
        "mg": per_dose,
        "mg/kg/dose": per_dose * weight,
        "mg/m2/dose": per_dose * bsa,
    }
    out = np.full(len(meds), np.nan)
    for name, values in factor.items():
        rows = unit == name
        out[rows] = dose[rows] * values[rows]
    return out


def _drug_exposures(cohort, person_of, ids, period_end: dict) -> pd.DataFrame:
    meds = cohort.medications
    drugs = meds["drug"].astype("object").to_numpy()
    codes = [
        clinical_drug_code(DRUG_INGREDIENTS[d]) if d in DRUG_INGREDIENTS else None for d in drugs
    ]
    concepts = [concept_id("RxNorm", code) if code else _local("drug_other") for code in codes]
    ends = meds["end_date"].fillna(meds["patient_id"].map(period_end))
    ends = ends.where(ends >= meds["start_date"], meds["start_date"])
    days = ((ends - meds["start_date"]).dt.days + 1).to_numpy(dtype=float)
    mg_day = _mg_per_day(meds, cohort.visits)
    strengths = np.array([strength_mg(code) if code else np.nan for code in codes])
    quantity = mg_day * days / strengths
    return pd.DataFrame(
        {
            "drug_exposure_id": ids.take("drug_exposure", len(meds)),
            "person_id": meds["patient_id"].map(person_of).astype("int64").to_numpy(),
            "drug_concept_id": np.asarray(concepts, dtype=np.int64),
            "drug_exposure_start_date": meds["start_date"].to_numpy(),
            "drug_exposure_end_date": ends.to_numpy(),
            "verbatim_end_date": meds["end_date"].to_numpy(),
            "drug_type_concept_id": EHR_TYPE,
            "stop_reason": _text(meds["stop_reason"]),
            "quantity": np.where(np.isfinite(quantity), quantity, np.nan),
            "days_supply": days.astype(np.int64),
            "drug_source_value": drugs,
        }
    )


def _deaths(patients, person_of) -> pd.DataFrame:
    dead = patients[patients["death_date"].notna()]
    return pd.DataFrame(
        {
            "person_id": dead["patient_id"].map(person_of).astype("int64").to_numpy(),
            "death_date": dead["death_date"].to_numpy(),
            "death_type_concept_id": EHR_TYPE,
        }
    )


def cohort_tables(cohort, *, ids: _Ids, first_person_id: int = 1) -> dict[str, pd.DataFrame]:
    """The OMOP clinical tables of ``cohort`` (persons numbered from ``first_person_id``)."""
    patients = cohort.patients
    person_of = dict(
        zip(
            patients["patient_id"],
            range(first_person_id, first_person_id + len(patients)),
            strict=True,
        )
    )
    centers = sorted(patients["center"].dropna().unique())
    sites = {name: i for i, name in enumerate(centers, start=1)}
    visits = _visits(cohort, person_of, ids)
    visit_ids = visits["visit_occurrence_id"].to_numpy()
    periods = _observation_periods(cohort, person_of, ids)
    period_end = dict(
        zip(patients["patient_id"], periods["observation_period_end_date"], strict=True)
    )
    return {
        "person": _persons(patients, person_of, sites),
        "observation_period": periods,
        "visit_occurrence": visits,
        "condition_occurrence": _conditions(cohort, person_of, ids, cohort.visits),
        "procedure_occurrence": _procedures(cohort, person_of, ids),
        "measurement": _measurements(cohort, person_of, ids, visit_ids),
        "drug_exposure": _drug_exposures(cohort, person_of, ids, period_end),
        "observation": _observations(cohort, person_of, ids, visit_ids),
        "death": _deaths(patients, person_of),
        "care_site": pd.DataFrame(
            {"care_site_id": list(sites.values()), "care_site_name": list(sites)}
        ),
    }


def cohort_to_omop(cohort, *, background=None) -> dict[str, pd.DataFrame]:
    """Every OMOP table (clinical and vocabulary) for ``cohort`` plus ``background`` persons.

    ``background`` is a callable ``(ids, first_person_id) -> dict of tables``
    (see ``_omop_background.background_tables``) or None.
    """
    ids = _Ids()
    tables = cohort_tables(cohort, ids=ids)
    if background is not None:
        extra = background(ids, cohort.n_patients + 1)
        for name, frame in extra.items():
            tables[name] = pd.concat([tables[name], frame], ignore_index=True)
    tables["concept"] = concept_table()
    tables["concept_ancestor"] = concept_ancestor_table()
    tables["drug_strength"] = drug_strength_table()
    return tables


def write_duckdb(tables: dict[str, pd.DataFrame], path) -> dict[str, int]:
    """Write ``tables`` as one DuckDB database file at ``path`` (staged: all or nothing).

    Returns rows per table. Needs the ``omop`` extra (duckdb).
    """
    from pathlib import Path

    from nephrocohort.interop._omop_connect import import_backend
    from nephrocohort.interop._output import staged_file

    duckdb = import_backend("duckdb")
    counts = {}
    with staged_file(Path(path), what="OMOP database") as staging:
        staging.unlink()  # DuckDB creates the file itself
        con = duckdb.connect(str(staging))
        try:
            for name, frame in tables.items():
                con.register("frame_to_write", _storable(frame))
                columns = ", ".join(
                    f'CAST("{c}" AS DATE) AS "{c}"' if c.endswith("_date") else f'"{c}"'
                    for c in frame.columns
                )
                con.execute(f'CREATE TABLE "{name}" AS SELECT {columns} FROM frame_to_write')
                con.unregister("frame_to_write")
                counts[name] = len(frame)
        finally:
            con.close()
    return counts


_ID_COLUMNS_OF_TEXT = {"domain_id", "vocabulary_id", "concept_class_id"}


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as text and datetimes as dates, so every engine reads the same types."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if column in _ID_COLUMNS_OF_TEXT:
            out[column] = series.astype("string")
        elif column.endswith("_id") and not pd.api.types.is_integer_dtype(series):
            out[column] = pd.to_numeric(series).astype("Int64")
        elif series.dtype == object:
            out[column] = series.astype("string")
        elif pd.api.types.is_datetime64_any_dtype(series) and column.endswith("_date"):
            out[column] = series.dt.normalize()
    return out
