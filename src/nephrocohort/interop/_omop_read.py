"""OMOP CDM v5.4 -> cohort bundle: the phenotype's patients, extracted inside the engine.

The selection (``_omop_phenotype``) and every extraction below are Ibis
expressions semi-joined to the selected persons and filtered to the concept
sets, so only those persons' rows of the concepts the data model uses ever
reach pandas. There they become the bundle's tables, as a user would have
typed them (values and units as measured), and the bundle is validated and
converted by the same loader as any bundle.

- Units come from ``unit_concept_id`` (its UCUM code); a unit the data model
  does not accept for the test, or no unit, is counted and reported, never
  guessed.
- A course's dose is drug_strength (mg per unit) x quantity / days_supply,
  in mg/day; without one of them the course is imported without a dose, and
  the import (and so the report) says how many.
- A course is ongoing when it has no verbatim end date and runs to the end of
  the person's observation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nephrocohort.cohort.vocabulary import LAB_TESTS
from nephrocohort.i18n import format_integer
from nephrocohort.interop._bundle_io import (
    _dipstick_grade_by_mg_dl,
    validated_cohort,
    write_validated_bundle,
)
from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._fhir_codes import HEIGHT_CM_FACTORS, LAB_UNITS, WEIGHT_KG_FACTORS
from nephrocohort.interop._omop_connect import CdmTables, connect, split_cdm_schema
from nephrocohort.interop._omop_phenotype import (
    AttritionStep,
    load_phenotype,
    resolve_concept_sets,
    select_persons,
)
from nephrocohort.interop._omop_vocabulary import LOCAL_VOCABULARY
from nephrocohort.interop._omop_write import PATIENT_DATES, PATIENT_FIELDS
from nephrocohort.interop._results import ImportResult
from nephrocohort.messages import Message

__all__ = ["OmopExtract", "extract_omop", "import_omop", "read_omop_checked", "read_omop_cohort"]

GENDER = {8507: "M", 8532: "F"}
EXTRACTED_SETS = (
    "nephrotic_syndrome",
    "kidney_biopsy",
    "kidney_transplant",
    "dialysis",
    "ckd",
    "histology",
    "labs",
    "vitals",
    "drugs",
)


@dataclass(frozen=True)
class OmopExtract:
    """The bundle tables read from an OMOP database, with the phenotype's counts and notes."""

    tables: dict[str, pd.DataFrame]
    phenotype: object
    attrition: tuple[AttritionStep, ...]
    not_imported: tuple[Message, ...]

    def notes(self) -> tuple[str, ...]:
        """Sentences for the report: the phenotype, its steps, and what was not imported."""
        steps = "; ".join(f"{s.label}: {format_integer(s.persons)}" for s in self.attrition)
        head = Message(
            "omop.note.phenotype",
            {"name": self.phenotype.name, "version": self.phenotype.version, "steps": steps},
        )
        return (head.text, *(message.text for message in self.not_imported))


def _selected(frame, persons):
    return frame.semi_join(persons, "person_id")


def _local_ids(tables: CdmTables) -> dict[int, str]:
    """concept_id -> code of the NephroCohort registry concepts the database has (often none)."""
    concept = tables.table("concept")
    rows = (
        concept.filter(concept.vocabulary_id == LOCAL_VOCABULARY)
        .select("concept_id", "concept_code")
        .to_pandas()
    )
    return {int(row.concept_id): str(row.concept_code) for row in rows.itertuples()}


def _unit_codes(tables: CdmTables, ids) -> dict[int, str]:
    ids = sorted({int(i) for i in ids if pd.notna(i)})
    if not ids:
        return {}
    concept = tables.table("concept")
    rows = concept.filter(concept.concept_id.isin(ids)).select("concept_id", "concept_code")
    return {int(r.concept_id): str(r.concept_code) for r in rows.to_pandas().itertuples()}


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


class _Extraction:
    """The pandas side: rows of the selected persons -> bundle tables (and what was left out)."""

    def __init__(self, tables: CdmTables, persons, resolved: dict):
        self.tables = tables
        self.persons = persons
        self.resolved = resolved
        self.local = _local_ids(tables)
        self.local_by_code = {code: cid for cid, code in self.local.items()}
        self.problems: list[Message] = []

    def _ids(self, name: str) -> list[int]:
        return sorted(self.resolved.get(name, {})) or [-1]

    def _events(self, table: str, concept_column: str, date_column: str, ids, extra=()):
        frame = _selected(self.tables.table(table), self.persons)
        frame = frame.filter(frame[concept_column].isin(ids))
        columns = ["person_id", concept_column, date_column, *extra]
        out = frame.select(*columns).to_pandas()
        out[date_column] = _day(out[date_column])
        return out

    def persons_table(self) -> pd.DataFrame:
        person = _selected(self.tables.table("person"), self.persons)
        frame = person.select(
            "person_id",
            "gender_concept_id",
            "year_of_birth",
            "month_of_birth",
            "day_of_birth",
            "care_site_id",
            "person_source_value",
        ).to_pandas()
        frame = frame.sort_values("person_id", kind="stable").reset_index(drop=True)
        birth = pd.to_datetime(
            {
                "year": frame["year_of_birth"],
                "month": frame["month_of_birth"].fillna(1),
                "day": frame["day_of_birth"].fillna(1),
            }
        )
        ids = frame["person_source_value"].astype("object")
        ids = ids.where(ids.notna(), "OMOP-" + frame["person_id"].astype(str))
        self.patient_of = dict(zip(frame["person_id"], ids, strict=True))
        out = pd.DataFrame(
            {
                "patient_id": ids,
                "sex": frame["gender_concept_id"].map(GENDER),
                "birth_date": birth,
            }
        )
        out["center"] = self._centers(frame)
        return out, frame["person_id"]

    def _centers(self, frame) -> pd.Series:
        if not self.tables.has("care_site"):
            return pd.Series(None, index=frame.index, dtype=object)
        sites = self.tables.table("care_site").select("care_site_id", "care_site_name")
        names = dict(sites.to_pandas().itertuples(index=False))
        return frame["care_site_id"].map(names)

    def patients(self) -> pd.DataFrame:
        out, person_ids = self.persons_table()
        ns = self._events(
            "condition_occurrence",
            "condition_concept_id",
            "condition_start_date",
            self._ids("nephrotic_syndrome"),
        )
        onset = ns.groupby("person_id")["condition_start_date"].min()
        out["onset_date"] = person_ids.map(onset).to_numpy()
        period = _selected(self.tables.table("observation_period"), self.persons)
        ends = period.group_by("person_id").aggregate(end=period.observation_period_end_date.max())
        self.period_end = ends.to_pandas().set_index("person_id")["end"].map(pd.Timestamp)
        out["last_followup_date"] = person_ids.map(self.period_end).to_numpy()
        if self.tables.has("death"):
            death = _selected(self.tables.table("death"), self.persons)
            died = death.group_by("person_id").aggregate(day=death.death_date.min()).to_pandas()
            out["death_date"] = person_ids.map(died.set_index("person_id")["day"]).to_numpy()
        observations = self._observations()
        for field in (*PATIENT_FIELDS, *PATIENT_DATES):
            rows = observations[observations["code"] == field]
            column = "value_as_string" if field in PATIENT_FIELDS else "observation_date"
            values = rows.drop_duplicates("person_id").set_index("person_id")[column]
            out[field] = person_ids.map(values).to_numpy()
        return out

    def _observations(self) -> pd.DataFrame:
        if not hasattr(self, "_observation_rows"):
            ids = sorted(self.local) or [-1]
            rows = self._events(
                "observation",
                "observation_concept_id",
                "observation_date",
                ids,
                extra=(
                    "value_as_string",
                    "observation_source_value",
                    "qualifier_source_value",
                    "visit_occurrence_id",
                ),
            )
            rows["code"] = rows["observation_concept_id"].map(self.local)
            self._observation_rows = rows
        return self._observation_rows

    def _pid(self, person_ids) -> pd.Series:
        return pd.Series(person_ids).map(self.patient_of).to_numpy()

    def biopsies(self) -> pd.DataFrame:
        done = self._events(
            "procedure_occurrence",
            "procedure_concept_id",
            "procedure_date",
            self._ids("kidney_biopsy"),
        ).drop_duplicates(["person_id", "procedure_date"])
        found = self._events(
            "condition_occurrence",
            "condition_concept_id",
            "condition_start_date",
            self._ids("histology"),
        )
        found["histology"] = found["condition_concept_id"].map(self.resolved["histology"])
        found = found.drop_duplicates(["person_id", "condition_start_date"])
        merged = done.merge(
            found,
            left_on=["person_id", "procedure_date"],
            right_on=["person_id", "condition_start_date"],
            how="left",
        )
        unknown = merged["histology"].isna()
        if unknown.any():
            self.problems.append(Message("omop.no_histology", {"count": int(unknown.sum())}))
        merged = merged[~unknown].sort_values(["person_id", "procedure_date"], kind="stable")
        return pd.DataFrame(
            {
                "patient_id": self._pid(merged["person_id"]),
                "biopsy_date": merged["procedure_date"].to_numpy(),
                "histology": merged["histology"].to_numpy(),
            }
        )

    def labs(self) -> pd.DataFrame:
        rows = self._events(
            "measurement",
            "measurement_concept_id",
            "measurement_date",
            self._ids("labs"),
            extra=("value_as_number", "unit_concept_id", "measurement_id"),
        ).sort_values("measurement_id", kind="stable")
        rows["test"] = rows["measurement_concept_id"].map(self.resolved["labs"])
        codes = _unit_codes(self.tables, rows["unit_concept_id"])
        ucum = rows["unit_concept_id"].map(codes)
        rows["unit"] = ucum.map(LAB_UNITS)
        dipstick = rows["test"] == "dipstick_protein"
        grades = _dipstick_grade_by_mg_dl()
        value = rows["value_as_number"].astype(object)
        value[dipstick] = [grades.get(float(v), v) for v in rows.loc[dipstick, "value_as_number"]]
        accepted = np.array(
            [
                unit in LAB_TESTS[test].units
                for test, unit in zip(rows["test"], rows["unit"], strict=True)
            ]
        )
        no_unit = ucum.isna().to_numpy()
        for test in sorted(set(rows["test"][no_unit])):
            count = int((no_unit & (rows["test"] == test).to_numpy()).sum())
            self.problems.append(Message("omop.no_unit", {"count": count, "test": test}))
        bad = ~accepted & ~no_unit
        for (test, unit_id), group in rows[bad].groupby(["test", "unit_concept_id"]):
            self.problems.append(
                Message(
                    "omop.unknown_unit",
                    {
                        "count": len(group),
                        "test": test,
                        "unit": int(unit_id),
                        "unit_code": codes.get(int(unit_id), "?"),
                    },
                )
            )
        keep = accepted & rows["value_as_number"].notna().to_numpy()
        rows, value = rows[keep], value[keep]
        return pd.DataFrame(
            {
                "patient_id": self._pid(rows["person_id"]),
                "date": rows["measurement_date"].to_numpy(),
                "test": rows["test"].to_numpy(),
                "value": value.to_numpy(),
                "unit": rows["unit"].to_numpy(),
            }
        )

    def visits(self) -> pd.DataFrame:
        visit = _selected(self.tables.table("visit_occurrence"), self.persons)
        visits = visit.select("visit_occurrence_id", "person_id", "visit_start_date").to_pandas()
        visits["visit_start_date"] = _day(visits["visit_start_date"])
        visits = visits.sort_values("visit_occurrence_id", kind="stable")
        vitals = self._events(
            "measurement",
            "measurement_concept_id",
            "measurement_date",
            self._ids("vitals"),
            extra=("value_as_number", "unit_concept_id", "visit_occurrence_id"),
        )
        vitals["column"] = vitals["measurement_concept_id"].map(self.resolved["vitals"])
        unit = vitals["unit_concept_id"].map(_unit_codes(self.tables, vitals["unit_concept_id"]))
        factor = np.where(
            vitals["column"] == "weight_kg",
            unit.map(WEIGHT_KG_FACTORS),
            np.where(
                vitals["column"] == "height_cm",
                unit.map(HEIGHT_CM_FACTORS),
                unit.map({"mm[Hg]": 1.0}),
            ),
        ).astype(float)
        unknown = np.isnan(factor)
        for column in sorted(set(vitals["column"][unknown])):
            count = int((unknown & (vitals["column"] == column).to_numpy()).sum())
            self.problems.append(
                Message(
                    "omop.unknown_unit",
                    {"count": count, "test": column, "unit": "-", "unit_code": "?"},
                )
            )
        vitals["value"] = vitals["value_as_number"] * factor
        vitals = vitals[~unknown & vitals["visit_occurrence_id"].notna().to_numpy()]
        wide = vitals.pivot_table(
            index="visit_occurrence_id", columns="column", values="value", aggfunc="first"
        )
        out = pd.DataFrame(
            {
                "patient_id": self._pid(visits["person_id"]),
                "date": visits["visit_start_date"].to_numpy(),
            }
        )
        for column in ("weight_kg", "height_cm", "sbp_mmhg", "dbp_mmhg"):
            source = wide[column] if column in wide.columns else pd.Series(dtype=float)
            out[column] = visits["visit_occurrence_id"].map(source).to_numpy()
        edema = self._observations()
        edema = edema[edema["code"] == "visit_edema"].dropna(subset=["visit_occurrence_id"])
        by_visit = edema.drop_duplicates("visit_occurrence_id").set_index("visit_occurrence_id")
        out["edema"] = visits["visit_occurrence_id"].map(by_visit["value_as_string"]).to_numpy()
        return out

    def medications(self) -> pd.DataFrame:
        exposure = _selected(self.tables.table("drug_exposure"), self.persons)
        exposure = exposure.filter(exposure.drug_concept_id.isin(self._ids("drugs")))
        columns = [
            "drug_exposure_id",
            "person_id",
            "drug_concept_id",
            "drug_exposure_start_date",
            "drug_exposure_end_date",
            "quantity",
            "days_supply",
            "stop_reason",
        ]
        if "verbatim_end_date" in exposure.columns:
            columns.append("verbatim_end_date")
        rows = exposure.select(*columns).to_pandas().sort_values("drug_exposure_id", kind="stable")
        for column in ("drug_exposure_start_date", "drug_exposure_end_date", "verbatim_end_date"):
            if column in rows:
                rows[column] = _day(rows[column])
        rows["drug"] = rows["drug_concept_id"].map(self.resolved["drugs"])
        rows["mg_per_unit"] = rows["drug_concept_id"].map(self._strengths())
        dose = rows["mg_per_unit"] * rows["quantity"] / rows["days_supply"]
        dose = dose.where(rows["days_supply"] > 0)
        no_dose = dose.isna()
        if no_dose.any():
            self.problems.append(Message("omop.dose_missing", {"count": int(no_dose.sum())}))
        verbatim = rows.get("verbatim_end_date", pd.Series(pd.NaT, index=rows.index))
        period_end = rows["person_id"].map(self.period_end)
        ongoing = verbatim.isna() & (rows["drug_exposure_end_date"] >= period_end)
        end = verbatim.fillna(rows["drug_exposure_end_date"]).where(~ongoing)
        return pd.DataFrame(
            {
                "patient_id": self._pid(rows["person_id"]),
                "drug": rows["drug"].to_numpy(),
                "start_date": rows["drug_exposure_start_date"].to_numpy(),
                "end_date": end.to_numpy(),
                "dose": dose.round(9).to_numpy(),
                "dose_unit": np.where(no_dose, None, "mg/day"),
                "schedule": np.where(no_dose, None, "daily"),
                "stop_reason": rows["stop_reason"].to_numpy(),
            }
        )

    def _strengths(self) -> dict[int, float]:
        """Milligrams per unit of each drug concept (drug_strength, mg amounts only)."""
        if not self.tables.has("drug_strength"):
            return {}
        strength = self.tables.table("drug_strength")
        strength = strength.filter(strength.drug_concept_id.isin(self._ids("drugs")))
        rows = strength.select(
            "drug_concept_id",
            "amount_value",
            "amount_unit_concept_id",
            "numerator_value",
            "numerator_unit_concept_id",
        ).to_pandas()
        units = _unit_codes(
            self.tables,
            pd.concat([rows["amount_unit_concept_id"], rows["numerator_unit_concept_id"]]),
        )
        out = {}
        for row in rows.itertuples():
            if pd.notna(row.amount_value) and units.get(row.amount_unit_concept_id) == "mg":
                out[int(row.drug_concept_id)] = float(row.amount_value)
            elif pd.notna(row.numerator_value) and units.get(row.numerator_unit_concept_id) == "mg":
                out[int(row.drug_concept_id)] = float(row.numerator_value)
        return out

    def events(self) -> pd.DataFrame:
        parts = []
        ckd = self._events(
            "condition_occurrence",
            "condition_concept_id",
            "condition_start_date",
            self._ids("ckd"),
            extra=("condition_source_value",)
            if self._has_column("condition_occurrence", "condition_source_value")
            else (),
        )
        parts.append(
            pd.DataFrame(
                {
                    "person_id": ckd["person_id"],
                    "date": ckd["condition_start_date"],
                    "event": "ckd",
                    "detail": ckd.get("condition_source_value"),
                    "order": 1,
                }
            )
        )
        procedure_ids = sorted(
            set(self._ids("dialysis")) | set(self._ids("kidney_transplant")) - {-1}
        ) or [-1]
        procedures = self._events(
            "procedure_occurrence",
            "procedure_concept_id",
            "procedure_date",
            procedure_ids,
            extra=("procedure_source_value",)
            if self._has_column("procedure_occurrence", "procedure_source_value")
            else (),
        )
        meaning = {
            **self.resolved.get("dialysis", {}),
            **self.resolved.get("kidney_transplant", {}),
        }
        parts.append(
            pd.DataFrame(
                {
                    "person_id": procedures["person_id"],
                    "date": procedures["procedure_date"],
                    "event": procedures["procedure_concept_id"].map(meaning),
                    "detail": procedures.get("procedure_source_value"),
                    "order": 1,
                }
            )
        )
        observed = self._observations()
        observed = observed[observed["code"].fillna("").str.startswith("event_")]
        parts.append(
            pd.DataFrame(
                {
                    "person_id": observed["person_id"],
                    "date": observed["observation_date"],
                    "event": observed["code"].str.removeprefix("event_"),
                    "detail": observed["value_as_string"],
                    "order": 0,
                }
            )
        )
        events = pd.concat(parts, ignore_index=True)
        events = events.sort_values(["person_id", "date", "order"], kind="stable")
        return pd.DataFrame(
            {
                "patient_id": self._pid(events["person_id"]),
                "date": events["date"].to_numpy(),
                "event": events["event"].to_numpy(),
                "detail": events["detail"].to_numpy(),
            }
        )

    def _has_column(self, table: str, column: str) -> bool:
        return column in self.tables.table(table).columns

    def genetics(self) -> pd.DataFrame:
        rows = self._observations()
        rows = rows[rows["code"] == "genetic_test"]
        return pd.DataFrame(
            {
                "patient_id": self._pid(rows["person_id"]),
                "test_date": rows["observation_date"].to_numpy(),
                "gene": rows["observation_source_value"].to_numpy(),
                "variant": rows["value_as_string"].to_numpy(),
                "classification": rows["qualifier_source_value"].to_numpy(),
            }
        )


def extract_omop(
    database, *, cdm_schema: str | None = None, phenotype="pedsnet-ns", opened=None
) -> OmopExtract:
    """Select the phenotype's persons in ``database`` and extract their bundle tables.

    ``opened`` (no arguments) is called once the database has opened, before the
    selection: a progress line then never precedes a database that is not there.
    """
    database, in_url = split_cdm_schema(database)
    tables = CdmTables(connect(database), cdm_schema or in_url)
    if opened is not None:
        opened()
    chosen = load_phenotype(phenotype)
    resolved, _missing = resolve_concept_sets(tables, EXTRACTED_SETS)
    selection = select_persons(tables, chosen, resolved)
    persons = selection.persons.select("person_id")
    if selection.attrition[-1].persons == 0:
        raise InteropError("omop.no_patients", name=chosen.name)
    work = _Extraction(tables, persons, resolved)
    patients = work.patients()
    out = {
        "patients": patients,
        "biopsies": work.biopsies(),
        "genetics": work.genetics(),
        "visits": work.visits(),
        "labs": work.labs(),
        "medications": work.medications(),
        "events": work.events(),
    }
    return OmopExtract(out, chosen, selection.attrition, tuple(work.problems))


def import_omop(
    database, out, *, cdm_schema: str | None = None, phenotype="pedsnet-ns"
) -> ImportResult:
    """``nephrocohort import-omop``: write the phenotype's patients as a validated bundle."""
    extract = extract_omop(database, cdm_schema=cdm_schema, phenotype=phenotype)
    cohort = write_validated_bundle(extract.tables, out, source=str(database))
    return ImportResult(
        Path(out),
        cohort.row_counts(),
        extract.notes()[:1],  # the phenotype and its attrition; the rest are listed as skipped
        tuple(message.text for message in extract.not_imported),
    )


def read_omop_cohort(
    database, *, cdm_schema: str | None = None, phenotype="pedsnet-ns", as_of=None, opened=None
):
    """The validated cohort of the phenotype's patients (``--data duckdb:///...``), and the extract.

    ``opened``: as in :func:`extract_omop`.
    """
    cohort, _warnings, extract = read_omop_checked(
        database, cdm_schema=cdm_schema, phenotype=phenotype, as_of=as_of, opened=opened
    )
    return cohort, extract


def read_omop_checked(
    database, *, cdm_schema: str | None = None, phenotype="pedsnet-ns", as_of=None, opened=None
):
    """(cohort, warnings, extract): the phenotype's patients loaded as any bundle is.

    Raises :class:`~nephrocohort.exceptions.CohortValidationError` (every problem,
    the database named as their source) when the extracted tables do not validate.
    ``opened``: as in :func:`extract_omop`.
    """
    extract = extract_omop(database, cdm_schema=cdm_schema, phenotype=phenotype, opened=opened)
    # Checked in memory as the bundle's files would be: nothing is written.
    cohort, warnings = validated_cohort(extract.tables, source=str(database), as_of=as_of)
    return cohort, warnings, extract
