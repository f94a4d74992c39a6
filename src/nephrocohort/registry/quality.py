"""The data-quality list: what is missing, implausible or contradictory, per patient.

Two sources, one list:
1. the bundle loader's own validation (``validate_tables``) run in memory on
   the registry's tables, so a row that a file import would
   refuse (or a value confirmed as implausible in a form) is listed with the
   loader's sentence;
   (the contradictions between tables - records after death, a death date
   without a death event, records after the last follow-up - are warnings of
   that validation, so ``nephrocohort validate`` reports the same codes);
2. values the analysis needs but the contract does not require (onset,
   last follow-up, a height for eGFR, a biopsy).
Each finding links to the record (or patient) to fix.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd
from django.urls import reverse

from nephrocohort.cohort import validate_tables
from nephrocohort.cohort.contract import TABLES
from nephrocohort.cohort.problems import WARNING
from nephrocohort.messages import Message
from nephrocohort.registry.conversion import raw_tables

__all__ = ["Finding", "quality_findings"]

_ID = "registry_record_id"
# Where a contradiction is fixed when not on its own row: add the death event,
# or move the patient's last follow-up date.
_FIXED_ELSEWHERE = {"death_without_event": "events", "after_last_followup": "patients"}


@dataclass(frozen=True)
class Finding:
    """One thing to fix: which patient, what kind, the sentence, and where to fix it."""

    patient_pk: int
    patient_id: str
    kind: str  # "invalid", "implausible", "missing", "contradiction"
    message: str
    fix_url: str
    #: The validation code (``""`` for an analysis gap).
    code: str = ""


def _fix_url(table: str, patient_pk: int, record_pk: int | None) -> str:
    if table == "patients" or record_pk is None:
        return reverse("registry:patient_edit", args=[patient_pk])
    return reverse("registry:record_edit", args=[patient_pk, table, record_pk])


def quality_findings(patients, *, as_of=None) -> list[Finding]:
    """Every finding for ``patients`` (a queryset already scoped to the user), by patient."""
    tables = raw_tables(patients, with_record_ids=True)
    ids = dict(zip(tables["patients"]["patient_id"], tables["patients"][_ID], strict=True))
    findings = _validation_findings(tables, ids, as_of=as_of)
    findings += _analysis_gaps(tables, ids)
    findings.sort(key=lambda finding: (finding.patient_id, finding.kind))
    return findings


def _validation_findings(tables, ids, *, as_of) -> list[Finding]:
    findings = []
    contract = {
        table: frame[[column for column in frame.columns if column in TABLES[table].column_names]]
        for table, frame in tables.items()
    }
    problems = validate_tables(contract, as_of=as_of, source="registry")
    for problem in problems:
        if problem.table is None or problem.row is None:
            continue
        row = tables[problem.table].iloc[problem.row - 2]
        patient_id = row["patient_id"]
        if patient_id not in ids:
            continue
        record = None if problem.table == "patients" else int(row[_ID])
        kind = "implausible" if problem.code == "implausible" else "invalid"
        if problem.severity == WARNING:
            kind = "contradiction"
        fix_url = _fix_url(problem.table, int(ids[patient_id]), record)
        elsewhere = _FIXED_ELSEWHERE.get(problem.code)
        if elsewhere == "patients":
            fix_url = _fix_url("patients", int(ids[patient_id]), None)
        elif elsewhere is not None:
            fix_url = reverse("registry:record_create", args=[int(ids[patient_id]), elsewhere])
        if "other_row" in problem.params:
            # A row number of the in-memory table means nothing here; its dates are shown.
            params = {**problem.params, "other": Message("location.other_record")}
            problem = dataclasses.replace(problem, params=params)
        findings.append(
            Finding(
                patient_pk=int(ids[patient_id]),
                patient_id=patient_id,
                kind=kind,
                message=f"{problem.table}: {problem.sentence(located=False)} {problem.hint}".strip(),
                fix_url=fix_url,
                code=problem.code,
            )
        )
    return findings


def _analysis_gaps(tables, ids) -> list[Finding]:
    findings = []
    patients = tables["patients"]
    with_height = set(tables["visits"].dropna(subset=["height_cm"])["patient_id"])
    with_biopsy = set(tables["biopsies"]["patient_id"])
    for row in patients.itertuples():
        pk = int(getattr(row, _ID))
        gaps = []
        if pd.isna(row.onset_date):
            gaps.append("onset date is missing (ages at diagnosis and follow-up need it)")
        if pd.isna(row.last_followup_date):
            gaps.append("last follow-up date is missing (follow-up time needs it)")
        for serology in ("hbv", "hcv", "syphilis", "hiv"):
            if not getattr(row, serology):
                gaps.append(f"{serology} serology is not recorded (eligibility checks it)")
        for gap in gaps:
            findings.append(
                Finding(pk, row.patient_id, "missing", gap, _fix_url("patients", pk, None))
            )
        if row.patient_id not in with_height:
            findings.append(
                Finding(
                    pk,
                    row.patient_id,
                    "missing",
                    "no visit has a height, so no eGFR can be estimated",
                    reverse("registry:record_create", args=[pk, "visits"]),
                )
            )
        if row.patient_id not in with_biopsy:
            findings.append(
                Finding(
                    pk,
                    row.patient_id,
                    "missing",
                    "no biopsy is recorded (histology is reported per patient)",
                    reverse("registry:record_create", args=[pk, "biopsies"]),
                )
            )
    return findings
