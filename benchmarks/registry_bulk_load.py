"""Load a large synthetic center into a PostgreSQL registry fast (for registry_load.py).

    python benchmarks/registry_bulk_load.py DATA_DIR DATABASE_URL COUNT SEED [--verify]

Writes the same rows as the registry's bundle import (``bundle_io.write_cohort``:
each record with its "created" history row naming the ``demo`` user, every
history row sealed into the audit hash chain), but with PostgreSQL ``COPY``
instead of Django's ``bulk_create``: ids come from each table's own sequence,
the history rows and seals are built in memory from the same model classes
and ``audit_chain.row_hash``/``chain_hash`` the registry uses, and the chain
head is locked (UPDATE) for the whole transaction, as ``seal_pending`` does.
``write_cohort`` took 378 s for 2,000 patients (about 260,000 records plus as
many history rows and seals), most of it Django preparing each value.
``--verify`` runs ``audit_chain.verify_chain`` afterwards and fails unless the
whole chain checks. Prints the seconds taken for the load (last line).
"""

from __future__ import annotations

import sys
import time
from types import SimpleNamespace


def _next_ids(cursor, model, count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        (table, column, count),
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, model, rows: list[dict]) -> None:
    """COPY ``rows`` (attname -> value, as Django would store them) into ``model``'s table."""
    from psycopg.types.json import Jsonb

    columns = model._meta.concrete_fields
    names = ", ".join(f'"{field.column}"' for field in columns)
    json_columns = {field.attname for field in columns if field.get_internal_type() == "JSONField"}
    with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    Jsonb(row[field.attname])
                    if field.attname in json_columns
                    else row[field.attname]
                    for field in columns
                ]
            )


def _defaults(model) -> dict:
    """Each column's default, as ``Model()`` would fill it (computed once per table)."""
    return {
        field.attname: field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key
    }


def load(count: int, seed: int, *, verify: bool) -> float:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from nephrocohort.cohort.synthetic import generate_synthetic
    from nephrocohort.registry import bundle_io
    from nephrocohort.registry.audit_chain import _fields, _locked_head, chain_hash, row_hash
    from nephrocohort.registry.models import AuditSeal, Center, Patient

    user = get_user_model().objects.get(username="demo")
    cohort = generate_synthetic(count, seed=seed)
    for name in ("patients", "biopsies", "genetics", "visits", "labs", "medications", "events"):
        table = getattr(cohort, name)
        table["patient_id"] = "L-" + table["patient_id"].astype(str)
    started = time.perf_counter()
    allowed = bundle_io._allowed_centers(user)
    only_center = next(iter(allowed.values())) if len(allowed) == 1 else None
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        for code in cohort.patients["center"].dropna().unique():
            if code not in allowed:  # as write_cohort does for an administrator (sealed now)
                allowed[code] = Center.objects.create(code=code, name=code)
        head = _locked_head(apps, connection.alias)
        previous, sealed = head.last_hash, 0
        seal_table = f'"{AuditSeal._meta.db_table}"'
        seal_columns = '"table", row_id, fields, row_hash, previous_hash, chain_hash'

        def write(model, records: list[dict]) -> list[dict]:
            """Insert ``records`` (field values) with their history rows; chain their seals."""
            nonlocal previous, sealed
            defaults = _defaults(model)
            pk_name = model._meta.pk.attname
            rows = []
            for values, pk in zip(records, _next_ids(cursor, model, len(records)), strict=True):
                row = {**defaults, **values, pk_name: pk, "created_at": now, "updated_at": now}
                rows.append(row)
            _copy(cursor, model, rows)
            history_model = model.history.model
            history_defaults = _defaults(history_model)
            history_pk = history_model._meta.pk.attname
            tracked = [field.attname for field in history_model.tracked_fields]
            history = []
            for row, pk in zip(rows, _next_ids(cursor, history_model, len(rows)), strict=True):
                history.append(
                    {
                        **history_defaults,
                        **{name: row[name] for name in tracked},
                        history_pk: pk,
                        "history_date": now,
                        "history_user_id": user.pk,
                        "history_username": user.get_username(),
                        "history_change_reason": None,
                        "history_type": "+",
                    }
                )
            _copy(cursor, history_model, history)
            label = history_model._meta.label_lower
            fields = _fields(history_model)
            joined = ",".join(fields)
            # Sealed in the order written: COPY takes ``seq`` from its sequence row by row.
            with cursor.copy(f"COPY {seal_table} ({seal_columns}) FROM STDIN") as copy:
                for row in history:
                    this_row = row_hash(label, SimpleNamespace(pk=row[history_pk], **row), fields)
                    link = chain_hash(previous, this_row)
                    copy.write_row((label, row[history_pk], joined, this_row, previous, link))
                    previous = link
            sealed += len(history)
            return rows

        patients = []
        for raw in cohort.patients.to_dict("records"):
            row = {key: bundle_io._cell(value) for key, value in raw.items()}
            values, extra = bundle_io._split("patients", row, Patient)
            code = values.pop("center", None)
            center = allowed[code] if code else only_center
            patients.append({**values, "center_id": center.pk, "extra": extra})
        by_id = {patient["patient_id"]: patient["id"] for patient in write(Patient, patients)}
        for table, model in bundle_io.CHILD_MODELS.items():
            records = []
            for raw in getattr(cohort, table).to_dict("records"):
                row = {key: bundle_io._cell(value) for key, value in raw.items()}
                values, extra = bundle_io._split(table, row, model)
                if table == "labs":
                    values["value"] = bundle_io._stored_lab_value(row)
                    values["unit"] = row.get("measured_unit") or row.get("unit")
                records.append({**values, "patient_id": by_id[row["patient_id"]], "extra": extra})
            if records:
                write(model, records)
        head.length += sealed
        head.last_hash = previous
        head.save(update_fields=["length", "last_hash"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a large import
    seconds = time.perf_counter() - started
    print(f"patients {len(by_id)}, history rows sealed {sealed}", flush=True)
    if verify:
        from nephrocohort.registry.audit_chain import verify_chain

        report = verify_chain(first_only=True)
        print(f"audit chain: {report.checked} seals checked, ok={report.ok}", flush=True)
        if not report.ok:
            raise SystemExit(f"audit chain broken: {report.problems[0]}")
    return seconds


def main(argv: list[str]) -> int:
    folder, database_url, count, seed = argv[:4]
    from nephrocohort.registry.server import configure

    configure(data_dir=folder, database_url=database_url)
    seconds = load(int(count), int(seed), verify="--verify" in argv[4:])
    print(f"{seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
