"""Importing a bundle into the registry and exporting the registry as a bundle.

Import: the uploaded file (a zipped CSV folder or an XLSX workbook) is
validated by ``nephrocohort.cohort.validate_bundle``/``load_bundle`` (the
same code as the command line), then checked against the registry (centers
the user may enter, patient IDs already present). Only a file with no
problem at all is written, in one transaction: all of it or nothing.

Export: the raw tables of the patients a user sees, as a zip of CSV files,
de-identified by default with interop's de-identification (the one privacy
rule, shared with ``nephrocohort export``).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from nephrocohort.clinical.units import DIPSTICK_GRADES_MG_DL
from nephrocohort.cohort.contract import TABLE_NAMES, TABLES
from nephrocohort.cohort.problems import WARNING, Problem, make_problem
from nephrocohort.cohort.spreadsheet_cells import neutralise_frame
from nephrocohort.exceptions import NephroCohortError
from nephrocohort.registry.audit_chain import seal_pending
from nephrocohort.registry.models import (
    CHILD_MODELS,
    Center,
    Patient,
    PatientSignature,
    Role,
    centers_visible_to,
    profile_of,
)
from nephrocohort.registry.validation import CONFIRMED_COLUMN

__all__ = [
    "ImportRefusedError",
    "upload_dir",
    "UPLOAD_FOLDER",
    "unpack_upload",
    "check_bundle",
    "write_cohort",
    "export_zip",
    "signature_table",
    "SIGNATURES_FILE",
    "MAX_UNZIPPED_BYTES",
]

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
_NOT_STORED = {"source_row", "measured_value", "measured_unit"}


class ImportRefusedError(NephroCohortError):
    """A confirmed import wrote nothing; ``problems`` lists what the file still has wrong."""

    def __init__(self, code: str, /, *, problems=(), **params):
        self.problems = list(problems)
        super().__init__(code, count=len(self.problems), **params)


# The export's table of principal investigators' signatures. Not a table of the data contract,
# so it sits in a subfolder, which bundle readers (`nephrocohort validate`, load_bundle) do not
# read; the registry's import leaves it aside too (a signature belongs to the registry where it
# was given, and a re-imported patient starts unsigned). So the export still re-imports.
SIGNATURES_FILE = "audit/signatures.csv"

# The uploaded file waits in this subfolder of ``upload_dir(token)``, under the user's file name.
UPLOAD_FOLDER = "upload"


def upload_dir(token: str) -> Path:
    """Where an upload waits between its preview and the confirmation (and the import job)."""
    return Path(settings.DATA_DIR) / "uploads" / token


def unpack_upload(upload_path: Path, into: Path) -> tuple[Path | None, list[Problem]]:
    """The bundle path to validate (a folder of CSVs, or the workbook), or problems.

    Only ``.csv`` members are taken from a zip, by their base name, so a zip
    cannot write outside ``into``; nested folders inside the zip are fine.
    """
    if upload_path.suffix.lower() == ".xlsx":
        return upload_path, []
    folder = into / "bundle"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(upload_path) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and info.filename.lower().endswith(".csv")
                and not Path(info.filename).name.startswith(("._", "~$"))
                and Path(info.filename).parts[-2:] != Path(SIGNATURES_FILE).parts
            ]
            if sum(info.file_size for info in members) > MAX_UNZIPPED_BYTES:
                return None, [
                    make_problem("registry.too_large", megabytes=MAX_UNZIPPED_BYTES // 2**20)
                ]
            for info in members:
                name = Path(info.filename).name
                with archive.open(info) as source, (folder / name).open("wb") as target:
                    shutil.copyfileobj(source, target)
    except zipfile.BadZipFile:
        return None, [make_problem("registry.bad_zip")]
    if not members:
        return None, [make_problem("registry.no_csv", tables=", ".join(TABLE_NAMES[1:]))]
    return folder, []


def check_bundle(bundle_path: Path, user) -> tuple[object | None, list[Problem]]:
    """Validate the bundle with the cohort loader, then against the registry."""
    from nephrocohort.cohort import load_bundle, validate_bundle
    from nephrocohort.exceptions import CohortValidationError

    # Warnings (contradictions to check) do not stop an import; the data-quality page lists them.
    problems = [p for p in validate_bundle(bundle_path) if p.severity != WARNING]
    confirmed, problems = _honour_confirmations(bundle_path, problems)
    if problems:
        return None, problems
    if confirmed:
        cohort, problems = _load_with_confirmed_rows(bundle_path, confirmed)
        if problems:
            return None, problems
        return cohort, _registry_problems(cohort, user)
    try:
        cohort = load_bundle(bundle_path)
    except CohortValidationError as error:
        return None, list(error.problems)
    return cohort, _registry_problems(cohort, user)


def _honour_confirmations(bundle_path: Path, problems: list[Problem]):
    """Set aside implausible values that the row's ``confirmed_implausible`` column confirms.

    A registry export carries the confirmations users gave in forms, so that
    the registry's own export re-imports. Only records (not patients' rows)
    are honoured, and only for the columns listed. Returns the confirmed raw
    rows by (table, row) and the problems that remain.
    """
    if not any(problem.code == "implausible" for problem in problems):
        return {}, problems
    from nephrocohort.cohort.reading import read_raw_bundle

    raw = read_raw_bundle(bundle_path)
    rows: dict[tuple[str, int], dict] = {}
    for name, table in raw.tables.items():
        if name == "patients" or CONFIRMED_COLUMN not in table.frame.columns:
            continue
        for source_row, record in zip(
            table.source_row, table.frame.to_dict("records"), strict=True
        ):
            if str(record.get(CONFIRMED_COLUMN) or "").strip():
                rows[(name, int(source_row))] = record
    confirmed, remaining = {}, []
    for problem in problems:
        record = rows.get((problem.table, problem.row))
        columns = str((record or {}).get(CONFIRMED_COLUMN) or "").split(";")
        if problem.code == "implausible" and problem.column in {c.strip() for c in columns}:
            confirmed[(problem.table, problem.row)] = record
        else:
            remaining.append(problem)
    return confirmed, remaining


def _load_with_confirmed_rows(bundle_path: Path, confirmed: dict):
    """Load the bundle without the confirmed rows, then add each one checked by its form.

    The form runs the same row checks as data entry with the confirmation
    ticked, so anything but a confirmed implausible value is still refused.
    """
    from nephrocohort.cohort.bundle import load_tables_checked
    from nephrocohort.cohort.reading import RawTable, read_raw_bundle
    from nephrocohort.exceptions import CohortValidationError
    from nephrocohort.registry.conversion import _canonical_labs
    from nephrocohort.registry.forms import RECORD_FORMS

    raw = read_raw_bundle(bundle_path)
    kept = {}
    for table, raw_table in raw.tables.items():
        # In memory, and each kept row keeps its row number in the user's file.
        keep = np.array([(table, int(row)) not in confirmed for row in raw_table.source_row])
        frame = raw_table.frame[keep].reset_index(drop=True)
        kept[table] = RawTable(table, raw_table.where, frame, raw_table.source_row[keep])
    try:
        cohort, _warnings = load_tables_checked(kept, source=str(bundle_path))
    except CohortValidationError as error:
        return None, list(error.problems)
    patients = {row["patient_id"]: row for row in cohort.patients.to_dict("records")}
    added: dict[str, list[dict]] = {}
    problems: list[Problem] = []
    for (table, source_row), record in confirmed.items():
        patient_row = patients.get(record.get("patient_id"), {})
        patient = Patient(
            patient_id=record.get("patient_id"),
            sex=patient_row.get("sex") or "",
            birth_date=_cell(patient_row.get("birth_date")),
        )
        form = RECORD_FORMS[table]({**record, "confirm_unusual_values": "on"}, patient=patient)
        if not form.is_valid():
            for column, messages in form.errors.items():
                for message in messages:
                    problems.append(
                        make_problem(
                            "registry.invalid",
                            table=table,
                            row=source_row,
                            column=None if column == "__all__" else column,
                            detail=message,
                        )
                    )
            continue
        typed = {**record, **{c: form.cleaned_data[c] for c in form.Meta.fields}}
        added.setdefault(table, []).append({**typed, "source_row": source_row})
    if problems:
        return None, problems
    tables = dict(cohort.tables)
    for table, rows in added.items():
        frame = pd.DataFrame(rows)
        if table == "labs":
            frame = _canonical_labs(frame)
        tables[table] = pd.concat([tables[table], frame], ignore_index=True)
    return type(cohort)(**tables), []


def _allowed_centers(user) -> dict[str, Center]:
    """The centers ``user`` may enter, by code (the registry's access rule)."""
    return {center.code: center for center in centers_visible_to(user)}


def _may_create_centers(user) -> bool:
    """Administrators may import patients of a center the registry does not have yet."""
    profile = profile_of(user)
    return profile is not None and profile.role == Role.ADMIN


_ABSENT = object()


def _registry_problems(cohort, user) -> list[Problem]:
    problems: list[Problem] = []
    allowed = _allowed_centers(user)
    patients = cohort.patients
    # IDs compared without regard to case, deleted patients included (as the patient form does).
    wanted = {str(value).lower() for value in patients["patient_id"]}
    stored = (
        Patient.all_objects.annotate(id_lower=Lower("patient_id"))
        .filter(id_lower__in=list(wanted))
        .values_list("id_lower", "center__code")
    )
    existing = {id_lower: code for id_lower, code in stored}
    # Patients locked by a signature (21 CFR Part 11 locking): refused as locked, not as "exists".
    locked = {
        id_lower.lower()
        for id_lower in PatientSignature.active.annotate(id_lower=Lower("patient__patient_id"))
        .filter(id_lower__in=list(wanted))
        .values_list("id_lower", flat=True)
    }
    for row in patients.itertuples():
        center = row.center if pd.notna(row.center) and str(row.center).strip() else None
        where = {"table": "patients", "row": row.source_row}
        centers = ", ".join(sorted(allowed))
        if center is None and len(allowed) != 1:
            problems.append(
                make_problem(
                    "registry.center_missing",
                    column="center",
                    count=len(allowed),
                    centers=centers,
                    **where,
                )
            )
        elif center is not None and center not in allowed and not _may_create_centers(user):
            problems.append(
                make_problem(
                    "registry.center_not_allowed",
                    column="center",
                    value=center,
                    centers=centers or "none",
                    **where,
                )
            )
        stored_center = existing.get(str(row.patient_id).lower(), _ABSENT)
        if stored_center is not _ABSENT and stored_center not in allowed:
            # Another center's patient: its existence is not confirmed.
            problems.append(
                make_problem(
                    "registry.patient_id_unusable",
                    column="patient_id",
                    value=row.patient_id,
                    **where,
                )
            )
        elif str(row.patient_id).lower() in locked:
            problems.append(
                make_problem(
                    "registry.patient_locked", column="patient_id", value=row.patient_id, **where
                )
            )
        elif stored_center is not _ABSENT:
            problems.append(
                make_problem(
                    "registry.patient_exists", column="patient_id", value=row.patient_id, **where
                )
            )
    return problems


def _cell(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


def _dipstick_grades() -> dict[float, str]:
    """mg/dL -> the grade written in mg/dL notation (negative, trace, 30, ...)."""
    grades: dict[float, str] = {}
    for grade, mg_dl in DIPSTICK_GRADES_MG_DL.items():
        grades.setdefault(mg_dl, grade)
    return grades


def _stored_lab_value(row: dict) -> str:
    """The value as measured: a number, or a dipstick result as its grade."""
    measured = row.get("measured_value")
    if measured is None:
        measured = row.get("value")
    if row.get("test") == "dipstick_protein":
        return _dipstick_grades()[float(measured)]
    return format(float(measured), ".15g")


def _split(table: str, row: dict, model) -> tuple[dict, dict]:
    model_fields = {field.name for field in model._meta.fields}
    values, extra = {}, {}
    for column, value in row.items():
        if column in _NOT_STORED or column == "patient_id" and table != "patients":
            continue
        if column in model_fields and column in TABLES[table].column_names:
            field = model._meta.get_field(column)
            if value is None and not field.null:
                value = ""
            values[column] = value
        else:
            extra[column] = None if value is None else str(value)
    return values, extra


@transaction.atomic
def write_cohort(cohort, user) -> int:
    """Store every row of a validated cohort; all or nothing. Returns the patient count.

    Rows are inserted in bulk, each with its "created" history entry naming ``user``.
    """
    allowed = _allowed_centers(user)
    only_center = next(iter(allowed.values())) if len(allowed) == 1 else None
    patients = []
    for raw in cohort.patients.to_dict("records"):
        row = {key: _cell(value) for key, value in raw.items()}
        values, extra = _split("patients", row, Patient)
        code = values.pop("center", None)
        if code and code not in allowed:  # checked before: only an administrator gets here
            allowed[code] = Center.objects.create(code=code, name=code)
        center = allowed[code] if code else only_center
        patients.append(Patient(center=center, extra=extra, **values))
    created = bulk_create_with_history(patients, Patient, default_user=user)
    by_id = {patient.patient_id: patient for patient in created}
    if any(patient.pk is None for patient in created):
        # Backends that do not return ids from a bulk insert: look them up.
        by_id = {
            patient.patient_id: patient
            for patient in Patient.objects.filter(patient_id__in=list(by_id))
        }
    for table, model in CHILD_MODELS.items():
        records = []
        for raw in getattr(cohort, table).to_dict("records"):
            row = {key: _cell(value) for key, value in raw.items()}
            values, extra = _split(table, row, model)
            if table == "labs":
                values["value"] = _stored_lab_value(row)
                values["unit"] = row.get("measured_unit") or row.get("unit")
            records.append(model(patient=by_id[row["patient_id"]], extra=extra, **values))
        if records:
            bulk_create_with_history(records, model, batch_size=500, default_user=user)
    # Bulk inserts send no per-row signal: their history rows are sealed here, in this transaction.
    seal_pending()
    return len(by_id)


_README = """NephroCohort registry export
Tables: {tables}.
{mode}
"""


def export_zip(
    patients,
    *,
    identifiable: bool,
    seed: int | None = None,
    include_withdrawn_consent: bool = False,
) -> bytes:
    """A zip of one CSV per table for ``patients`` (already scoped to the user).

    De-identified unless ``identifiable``: the tables go through
    :func:`nephrocohort.interop.deidentify` and are written by the same
    writer as ``nephrocohort export --to bundle``, so both give the same
    files for the same data. The key that links pseudonyms back is not put
    in the zip (nor anywhere else): it re-identifies patients and is kept
    apart; a user who may see real IDs exports identifiable data instead.
    Patients whose consent was withdrawn (or whose required assent is
    missing) are left out by the pipeline's rule unless
    ``include_withdrawn_consent``. ``seed`` is for tests only.
    """
    from nephrocohort.cohort import Cohort
    from nephrocohort.interop import bundle_csv_texts, deidentify
    from nephrocohort.pipeline import consented
    from nephrocohort.registry.consent import center_consent_policy
    from nephrocohort.registry.conversion import raw_tables

    tables = raw_tables(patients)
    selection = consented(
        Cohort(patients=tables["patients"]),
        consent=center_consent_policy(),
        include_withdrawn_consent=include_withdrawn_consent,
    )
    tables = selection.keep({**tables, "signatures": signature_table(patients)})
    if identifiable:
        mode = "IDENTIFIABLE: real dates and free text. Handle under your data protection rules."
    else:
        # One policy (interop's): the signatures' patient ids get the same pseudonyms, their
        # times and the reasons for unlocking are left out like other times and free text.
        tables = deidentify(tables, seed=seed).tables
        mode = (
            "De-identified as `nephrocohort export` does: patient_id is a random pseudonym, "
            "each patient's dates are shifted by one random number of days (intervals "
            "are kept), free-text and extra columns are left out. The key is not included. "
            "audit/signatures.csv keeps who signed, the meaning and whether the signature stands; "
            "its times and the reasons for unlocking are left out."
        )
    signatures = tables.pop("signatures")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, text in bundle_csv_texts(tables).items():
            archive.writestr(file_name, text)
        archive.writestr(SIGNATURES_FILE, _signatures_csv(signatures))
        names = [*tables, "signatures"]
        archive.writestr("README.txt", _README.format(tables=", ".join(names), mode=mode))
    return buffer.getvalue()


def signature_table(patients) -> pd.DataFrame:
    """Every signature of ``patients`` (standing and voided), one row each, oldest first.

    Columns as ``nephrocohort.interop.REGISTRY_TABLES["signatures"]`` declares them; times
    in UTC. A monitor or auditor reads who signed, when, with which meaning, and who
    unlocked it, when and why (21 CFR 11.50, 11.10(e)).
    """
    from nephrocohort.interop import REGISTRY_TABLES

    columns = [variable.name for variable in REGISTRY_TABLES["signatures"]]
    rows = [
        {
            **values,
            "patient_id": values.pop("owner_id"),
            "status": "void" if values["voided_at"] is not None else "standing",
        }
        for values in PatientSignature.objects.filter(patient__in=patients)
        .order_by("signed_at", "pk")
        .values(
            *[c for c in columns if c not in ("patient_id", "status")],
            owner_id=F("patient__patient_id"),
        )
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("signed_at", "voided_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in columns:
        if column not in ("signed_at", "voided_at"):
            frame[column] = frame[column].astype("string")
    return frame


def _signatures_csv(frame: pd.DataFrame) -> str:
    """The signatures table as CSV text: ISO 8601 UTC times, text cells neutralised."""
    out = frame.copy()
    for column in ("signed_at", "voided_at"):
        if column in out.columns:
            out[column] = out[column].dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("string")
    return neutralise_frame(out).to_csv(index=False)
