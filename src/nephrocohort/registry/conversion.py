"""Between the registry database and the cohort data model.

``raw_tables`` copies the rows of some patients into bundle-shaped tables
exactly as stored (lab values as entered, in the unit entered), which is what
an exported bundle contains. ``cohort_from_db`` turns the same rows into a
``Cohort`` with labs in canonical units (converted by
``nephrocohort.clinical.units``, as the bundle loader does), so derivation and
the report run on registry data with the same code as on a bundle file.
"""

from __future__ import annotations

import pandas as pd

from nephrocohort.clinical.units import CANONICAL_UNITS, dipstick_to_mg_dl, to_canonical
from nephrocohort.cohort import Cohort
from nephrocohort.cohort.contract import TABLES
from nephrocohort.registry.models import CHILD_MODELS, Patient

__all__ = ["raw_tables", "cohort_from_db", "tables_to_cohort"]


def raw_tables(patients, *, with_record_ids: bool = False) -> dict[str, pd.DataFrame]:
    """The bundle tables of ``patients`` (a Patient queryset), values as stored.

    Soft-deleted rows are left out. Columns are the contract's, in its order,
    followed by any extra columns carried from an imported bundle, and, with
    ``with_record_ids``, ``registry_record_id`` (the database id of each row).
    """
    patients = patients.filter(is_deleted=False).select_related("center").order_by("patient_id")
    rows = []
    for patient in patients:
        row = {name: getattr(patient, name) for name in TABLES["patients"].column_names}
        row["center"] = patient.center.code
        if with_record_ids:
            row["registry_record_id"] = patient.pk
        rows.append({**row, **_extra(patient, row)})
    tables = {"patients": _frame("patients", rows)}
    for table, model in CHILD_MODELS.items():
        records = (
            model.objects.filter(patient__in=patients)
            .select_related("patient")
            .order_by("patient__patient_id", "pk")
        )
        rows = []
        for record in records:
            row = {
                name: getattr(record, name)
                for name in TABLES[table].column_names
                if name != "patient_id"
            }
            row = {"patient_id": record.patient.patient_id, **row}
            if with_record_ids:
                row["registry_record_id"] = record.pk
            rows.append({**row, **_extra(record, row)})
        tables[table] = _frame(table, rows)
    if with_record_ids:
        for frame in tables.values():
            if "registry_record_id" not in frame.columns:
                frame["registry_record_id"] = pd.Series(dtype="Int64")
    return tables


def _extra(record, row: dict) -> dict:
    return {key: value for key, value in (record.extra or {}).items() if key not in row}


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    columns = list(TABLES[table].column_names)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    ordered = columns + [column for column in frame.columns if column not in columns]
    return frame.reindex(columns=ordered)


def _canonical_labs(labs: pd.DataFrame) -> pd.DataFrame:
    labs = labs.copy()
    measured, canonical, units = [], [], []
    for test, value, unit in zip(labs["test"], labs["value"], labs["unit"], strict=True):
        if test == "dipstick_protein":
            number = float(dipstick_to_mg_dl(str(value).strip()))
            measured.append(number)
            canonical.append(number)
            units.append("mg/dL")
            continue
        number = float(value)
        measured.append(number)
        canonical.append(float(to_canonical(test, number, unit)))
        units.append(CANONICAL_UNITS[test])
    labs["measured_value"] = measured
    labs["measured_unit"] = labs["unit"].where(labs["test"] != "dipstick_protein", "mg/dL")
    labs["value"] = canonical
    labs["unit"] = units
    return labs


def tables_to_cohort(tables: dict[str, pd.DataFrame]) -> Cohort:
    """A ``Cohort`` from raw bundle tables whose rows already passed the contract's checks."""
    tables = dict(tables)
    if len(tables.get("labs", ())):
        tables["labs"] = _canonical_labs(tables["labs"])
    return Cohort.from_tables(tables)


def cohort_from_db(patients=None) -> Cohort:
    """The ``Cohort`` of ``patients`` (default: every live patient), labs in canonical units."""
    if patients is None:
        patients = Patient.objects.all()
    return tables_to_cohort(raw_tables(patients))
