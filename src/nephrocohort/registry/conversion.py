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
from django.db.models import F

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
    patients = patients.filter(is_deleted=False).order_by("patient_id")
    # Plain values, not model instances: a 2,000-patient center has some 300,000 rows.
    columns = [name for name in TABLES["patients"].column_names if name != "center"]
    extras = _extras(patients)
    rows = [
        _row(values, "patients", with_record_ids, extras)
        for values in patients.values(*columns, "pk", center_code=F("center__code"))
    ]
    tables = {"patients": _frame("patients", rows)}
    for table, model in CHILD_MODELS.items():
        columns = [name for name in TABLES[table].column_names if name != "patient_id"]
        live = model.objects.filter(patient__in=patients)
        extras = _extras(live)
        records = live.order_by("patient__patient_id", "pk").values(
            *columns, "pk", owner_id=F("patient__patient_id")
        )
        rows = [_row(values, table, with_record_ids, extras) for values in records]
        tables[table] = _frame(table, rows)
    if with_record_ids:
        for frame in tables.values():
            if "registry_record_id" not in frame.columns:
                frame["registry_record_id"] = pd.Series(dtype="Int64")
    return tables


def _extras(rows) -> dict:
    """The extra columns of the rows that have any, by id (most rows have none to decode)."""
    return dict(rows.exclude(extra={}).values_list("pk", "extra"))


def _row(values: dict, table: str, with_record_ids: bool, extras: dict) -> dict:
    """One bundle row from a ``values()`` row: contract columns, then the extra ones."""
    pk = values.pop("pk")
    extra = extras.get(pk) or {}
    if table == "patients":
        values["center"] = values.pop("center_code")
        row = {name: values[name] for name in TABLES["patients"].column_names}
    else:
        row = {"patient_id": values.pop("owner_id"), **values}
    if with_record_ids:
        row["registry_record_id"] = pk
    return {**row, **{key: value for key, value in extra.items() if key not in row}}


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
