"""A hash chain over the audit, so that a row edited or removed by hand is found.

Each audit row (a django-simple-history row of any registry table, or an
``AccessEvent``) is sealed once, in the transaction that writes it: its
canonical form (every column as stored, JSON with sorted keys) is hashed with
SHA-256, and the seal's chain hash is SHA-256 of the previous seal's chain
hash and this row's hash. Appending first UPDATEs the single
``AuditChainHead`` row, which takes PostgreSQL's row lock or SQLite's write
lock until the transaction ends: concurrent writers are serialised, and no
two seals share a predecessor. ``verify`` recomputes everything and names the
first broken row. The chain is not keyed: someone who can rewrite the whole
database can rebuild it, so the head hash that ``verify`` prints is worth
writing down elsewhere (see docs/registry.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F

from nephrocohort.messages import render_text

__all__ = [
    "audit_models",
    "seal_rows",
    "seal_pending",
    "verify_chain",
    "ChainReport",
]


def audit_models(app_registry=apps) -> list:
    """Every model whose rows are audit rows: the registry's history tables and access events."""
    found = [
        model
        for model in app_registry.get_app_config("registry").get_models()
        if model.__name__.startswith("Historical") or model.__name__ == "AccessEvent"
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def _plain(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return value


def _fields(model) -> list[str]:
    return sorted(field.attname for field in model._meta.concrete_fields)


def row_hash(label: str, row, fields: list[str]) -> str:
    """SHA-256 of the row's canonical form: its table, id and the named columns' values."""
    values = {name: _plain(getattr(row, name, None)) for name in fields}
    text = json.dumps(
        {"table": label, "id": row.pk, "values": values},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(previous: str, this_row: str) -> str:
    return hashlib.sha256(f"{previous}:{this_row}".encode("ascii")).hexdigest()


def _locked_head(models, using: str):
    head_model = models.get_model("registry", "AuditChainHead")
    # An UPDATE, not a SELECT: it takes the row lock (PostgreSQL) or the write lock (SQLite).
    if not head_model.objects.using(using).filter(pk=1).update(length=F("length")):
        head_model.objects.using(using).create(pk=1)
    return head_model.objects.using(using).get(pk=1)


def _append(rows_in_order, *, using: str, models=apps) -> int:
    """Seal ``(model, row)`` pairs in the order given; the caller holds a transaction."""
    seal_model = models.get_model("registry", "AuditSeal")
    head = _locked_head(models, using)
    previous = head.last_hash
    seals = []
    for model, row in rows_in_order:
        label = model._meta.label_lower
        fields = _fields(model)
        this_row = row_hash(label, row, fields)
        link = chain_hash(previous, this_row)
        seals.append(
            seal_model(
                table=label,
                row_id=row.pk,
                fields=",".join(fields),
                row_hash=this_row,
                previous_hash=previous,
                chain_hash=link,
            )
        )
        previous = link
    seal_model.objects.using(using).bulk_create(seals)
    head.length += len(seals)
    head.last_hash = previous
    head.save(using=using, update_fields=["length", "last_hash"])
    return len(seals)


def seal_rows(model, pks, *, using: str | None = None) -> int:
    """Seal the given new rows of ``model``, read back from the database as stored."""
    using = using or DEFAULT_DB_ALIAS
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return 0
    with transaction.atomic(using=using):
        # The lock first: on SQLite a transaction that reads before it writes can be refused
        # at once ("database is locked") instead of waiting for the other writer.
        _locked_head(apps, using)
        rows = model._default_manager.using(using).filter(pk__in=pks).order_by("pk")
        return _append([(model, row) for row in rows], using=using)


def _when(row):
    for name in ("history_date", "when"):
        if hasattr(row, name):
            return getattr(row, name)
    parent = getattr(row, "history", None)  # an m2m history row: its profile row's time
    return getattr(parent, "history_date", None) or dt.datetime.min.replace(tzinfo=dt.UTC)


def _unsealed(model, seal_model, using: str):
    sealed = seal_model.objects.using(using).filter(table=model._meta.label_lower)
    query = model._default_manager.using(using).exclude(pk__in=sealed.values("row_id"))
    if hasattr(model, "history") and not hasattr(model, "history_date"):
        query = query.select_related("history")
    return list(query)


def seal_pending(*, using: str | None = None, models=apps) -> int:
    """Seal every audit row that has no seal yet, oldest first (bulk imports; migration)."""
    using = using or DEFAULT_DB_ALIAS
    seal_model = models.get_model("registry", "AuditSeal")
    with transaction.atomic(using=using):
        _locked_head(models, using)  # found under the lock, so no row is sealed twice
        pending = [
            (model, row)
            for model in audit_models(models)
            for row in _unsealed(model, seal_model, using)
        ]
        pending.sort(key=lambda pair: (_when(pair[1]), pair[0]._meta.label_lower, pair[1].pk))
        return _append(pending, using=using, models=models) if pending else 0


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: how many rows it checked, and the problems in chain order."""

    checked: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _label(table: str) -> str:
    model = apps.get_model(table)
    return str(model._meta.verbose_name)


def verify_chain(*, using: str | None = None, first_only: bool = False) -> ChainReport:
    """Recompute every seal from the rows as stored; list what no longer matches."""
    using = using or DEFAULT_DB_ALIAS
    seal_model = apps.get_model("registry", "AuditSeal")
    head_model = apps.get_model("registry", "AuditChainHead")
    rows = {
        model._meta.label_lower: {row.pk: row for row in model._default_manager.using(using)}
        for model in audit_models()
    }
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    previous = "0" * 64
    count = 0
    for seal in seal_model.objects.using(using).order_by("seq").iterator():
        count += 1
        params = {"table": _label_or_raw(seal.table), "row": seal.row_id, "seal": seal.seq}
        row = rows.get(seal.table, {}).get(seal.row_id)
        seen.add((seal.table, seal.row_id))
        if seal.previous_hash != previous or chain_hash(seal.previous_hash, seal.row_hash) != (
            seal.chain_hash
        ):
            problems.append(render_text("audit.chain_broken", params))
        elif row is None:
            problems.append(render_text("audit.row_removed", params))
        elif row_hash(seal.table, row, seal.fields.split(",")) != seal.row_hash:
            problems.append(render_text("audit.row_changed", params))
        previous = seal.chain_hash
        if first_only and problems:
            return ChainReport(count, previous, tuple(problems))
    head = head_model.objects.using(using).filter(pk=1).first()
    if head is not None and (head.length != count or head.last_hash != previous):
        problems.append(
            render_text("audit.chain_truncated", {"expected": head.length, "found": count})
        )
    for table, by_id in rows.items():
        for pk in sorted(set(by_id) - {row_id for label, row_id in seen if label == table}):
            problems.append(render_text("audit.row_unsealed", {"table": _label(table), "row": pk}))
    return ChainReport(count, previous, tuple(problems[:1] if first_only else problems))


def _label_or_raw(table: str) -> str:
    try:
        return _label(table)
    except LookupError:
        return table
