"""Long work (the cohort report) runs in a worker process, never in a server thread.

A request only records what was asked (a :class:`BackgroundJob` row) and, if
no worker is busy, starts one: ``python -m nephrocohort.registry.worker``. The
worker runs at a lower CPU priority and in its own process, so its pure-Python
derivation competes neither for a waitress thread nor for the server's
interpreter lock; other users' pages keep answering while a 2,000-patient
report is computed. The page shows the job's progress from the database.

The result is stored with the job and reused while the data it read are
unchanged (:func:`cohort_stamp`), so the second user asking for the same
report downloads it at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import nephrocohort
from nephrocohort.registry.caching import rows_stamp
from nephrocohort.registry.models import (
    CHILD_MODELS,
    BackgroundJob,
    JobFile,
    Patient,
    centers_visible_to,
    profile_of,
)
from nephrocohort.registry.models._access import Role
from nephrocohort.report import RENDERERS

__all__ = [
    "cohort_scope",
    "scope_patients",
    "cohort_stamp",
    "report_key",
    "quality_key",
    "latest_job",
    "latest_done_job",
    "keep_queue_moving",
    "submit",
    "work_queue",
    "run_job",
    "problem_from_data",
    "failure_text",
]

logger = logging.getLogger(__name__)

_HEARTBEAT_SECONDS = 5
# A running job whose worker has not written for this long has lost its worker.
_LOST_AFTER = timedelta(seconds=60)


def cohort_scope(user) -> dict:
    """Which patients a job for ``user`` reads, as plain data the worker can use."""
    profile = profile_of(user)
    if profile is not None and profile.role == Role.ADMIN:
        return {"all_centers": True, "center_ids": []}
    return {"all_centers": False, "center_ids": sorted(c.pk for c in centers_visible_to(user))}


def scope_patients(scope: dict):
    if scope["all_centers"]:
        return Patient.objects.all()
    return Patient.objects.filter(center__in=scope["center_ids"])


def cohort_stamp(scope: dict) -> str:
    """A short digest that changes whenever any patient or record in ``scope`` is saved.

    Counts and latest change times per table, soft-deleted rows included (a
    deletion changes the stamp), and the program's version (a new release may
    compute differently).
    """
    patients = Patient.all_objects.all()
    if not scope["all_centers"]:
        patients = patients.filter(center__in=scope["center_ids"])
    from nephrocohort.registry.consent import centers_consent_stamp

    # The centers' assent settings decide who is reported: a change makes the report stale.
    parts = [nephrocohort.__version__, rows_stamp(patients), centers_consent_stamp()]
    for table, model in CHILD_MODELS.items():
        parts.append(f"{table}:{rows_stamp(model.all_objects.filter(patient__in=patients))}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _centers_key(scope: dict) -> str:
    return "all" if scope["all_centers"] else ",".join(map(str, scope["center_ids"]))


def report_key(
    scope: dict, rule_set: str, language: str = "en", *, include_withdrawn: bool = False
) -> str:
    """The report of these centers under this rule set, written in ``language``.

    ``include_withdrawn``: the report with the consent override, kept apart.
    """
    suffix = "" if language == "en" else f":{language}"
    if include_withdrawn:
        suffix += ":with-withdrawn-consent"
    return f"report:{rule_set}:{_centers_key(scope)}{suffix}"


def quality_key(scope: dict) -> str:
    return f"quality:{_centers_key(scope)}"


def latest_job(key: str) -> BackgroundJob | None:
    """The newest job for ``key``; a running one whose worker died is marked failed first."""
    job = BackgroundJob.objects.filter(key=key).order_by("-created_at", "-pk").first()
    if job is not None and not job.is_finished and _worker_lost(job):
        BackgroundJob.objects.filter(pk=job.pk, status=job.status).update(
            status=BackgroundJob.Status.FAILED,
            error_code="job.worker_lost",
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


def latest_done_job(key: str) -> BackgroundJob | None:
    return (
        BackgroundJob.objects.filter(key=key, status=BackgroundJob.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def _worker_lost(job: BackgroundJob) -> bool:
    if job.status == BackgroundJob.Status.QUEUED:
        return False  # it waits for a worker; ``keep_queue_moving`` starts one if none runs
    beat = job.heartbeat_at or job.started_at or job.created_at
    return timezone.now() - beat > _LOST_AFTER


def _running_jobs():
    fresh = timezone.now() - _LOST_AFTER
    return BackgroundJob.objects.filter(
        status=BackgroundJob.Status.RUNNING, heartbeat_at__gte=fresh
    )


def submit(kind: str, key: str, params: dict, user, *, data_stamp: str) -> BackgroundJob:
    """The job that answers this request: an unfinished or current one for the same data, or a new one."""
    with transaction.atomic():
        job = latest_job(key)
        reusable = job is not None and job.data_stamp == data_stamp
        if reusable and job.status != BackgroundJob.Status.FAILED:
            return job
        job = BackgroundJob.objects.create(
            kind=kind, key=key, params=params, data_stamp=data_stamp, created_by=user
        )
    _start_worker_if_idle()
    job.refresh_from_db()  # an inline runner has already finished it
    return job


def keep_queue_moving(job: BackgroundJob) -> None:
    """Start a worker for a queued job when none is running (one may have just exited)."""
    if job.status == BackgroundJob.Status.QUEUED:
        _start_worker_if_idle()


def _start_worker_if_idle() -> None:
    runner = getattr(settings, "NEPHROCOHORT_JOB_RUNNER", "process")
    if runner == "inline":  # the tests' in-memory database is not visible to another process
        work_queue()
        return
    if _running_jobs().count() >= getattr(settings, "NEPHROCOHORT_JOB_WORKERS", 1):
        return  # a busy worker takes the queued job when it is done
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no user input
        [sys.executable, "-m", "nephrocohort.registry.worker"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env=os.environ.copy(),
        start_new_session=True,
    )
    # Reap the child when it ends, so that no zombie process is left behind.
    threading.Thread(target=process.wait, daemon=True).start()


def work_queue() -> int:
    """Run queued jobs, oldest first, until none is left; the number run."""
    done = 0
    while (job_id := _claim_next()) is not None:
        run_job(job_id)
        done += 1
    return done


def _claim_next() -> int | None:
    for job_id in (
        BackgroundJob.objects.filter(status=BackgroundJob.Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = BackgroundJob.objects.filter(
            pk=job_id, status=BackgroundJob.Status.QUEUED
        ).update(status=BackgroundJob.Status.RUNNING, started_at=now, heartbeat_at=now)
        if claimed:
            return job_id
    return None


class _Heartbeat:
    """Writes the job's heartbeat every few seconds from a thread of the worker."""

    def __init__(self, job_id: int):
        self._job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if getattr(settings, "NEPHROCOHORT_JOB_RUNNER", "process") != "inline":
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(_HEARTBEAT_SECONDS):
                BackgroundJob.objects.filter(pk=self._job_id).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection


def run_job(job_id: int) -> None:
    """Run one claimed job to its end, recording progress, files and the outcome."""
    from nephrocohort.exceptions import NephroCohortError

    job = BackgroundJob.objects.get(pk=job_id)

    def progress(step: str, percent: int) -> None:
        BackgroundJob.objects.filter(pk=job_id).update(
            step=step, progress_percent=percent, heartbeat_at=timezone.now()
        )

    with _Heartbeat(job_id):
        try:
            result = _HANDLERS[job.kind](job, progress)
        except NephroCohortError as error:
            _finish(
                job_id,
                BackgroundJob.Status.FAILED,
                error_code=_code_of(error),
                error=error,
                result={"problems": [_problem_data(p) for p in getattr(error, "problems", ())]},
            )
        except Exception as error:  # the server must learn of every failure, never hang
            # The type only: a message could quote a patient's value.
            logger.error("Background job %s failed: %s", job_id, type(error).__name__)
            _finish(job_id, BackgroundJob.Status.FAILED, error_code="job.internal_error")
        else:
            _finish(job_id, BackgroundJob.Status.DONE, result=result)


def _problem_data(problem) -> dict:
    """A problem as JSON (kept with the job; ``problem_from_data`` makes it a Problem again)."""
    params = json.loads(json.dumps(dict(problem.params), default=str))
    return {
        "code": problem.code,
        "source": problem.source,
        "table": problem.table,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "params": params,
        "severity": problem.severity,
    }


def failure_text(job: BackgroundJob) -> str:
    """What to tell the user about a failed job, from its code (or the error's own sentence)."""
    from nephrocohort.messages import CATALOGUE, render

    if job.status != BackgroundJob.Status.FAILED:
        return ""
    if job.error_text:
        return job.error_text
    code = job.error_code if job.error_code in CATALOGUE else "job.internal_error"
    return " ".join(part for part in render(code, {}) if part)


def problem_from_data(data: dict):
    from nephrocohort.cohort.problems import Problem

    return Problem(**data)


def _code_of(error) -> str:
    return str(getattr(error, "code", "") or "unspecified")


def _finish(job_id: int, status: str, *, error_code: str = "", error=None, result=None) -> None:
    BackgroundJob.objects.filter(pk=job_id).update(
        status=status,
        error_code=error_code,
        error_text=str(error) if error is not None else "",
        result=result or {},
        progress_percent=100 if status == BackgroundJob.Status.DONE else 0,
        finished_at=timezone.now(),
    )
    job = BackgroundJob.objects.get(pk=job_id)
    if status == BackgroundJob.Status.DONE:
        # Older results of the same request are superseded; their files go.
        JobFile.objects.filter(job__key=job.key).exclude(job=job).delete()


def _run_report(job: BackgroundJob, progress) -> dict:
    from nephrocohort.i18n import use_language
    from nephrocohort.pipeline import compute_results, render
    from nephrocohort.registry.consent import center_consent_policy
    from nephrocohort.registry.conversion import cohort_from_db

    progress("reading", 5)
    cohort = cohort_from_db(scope_patients(job.params["scope"]))
    # In the language of the user who asked (the labels are written while computing).
    with use_language(job.params.get("lang", "en")):
        progress("computing", 15)
        results = compute_results(
            cohort,
            rule_set=job.params["rule_set"],
            consent=center_consent_policy(),
            include_withdrawn_consent=bool(job.params.get("include_withdrawn_consent")),
        )
        progress("rendering", 60)
        # Every format in one call: the figures are drawn once for all of them.
        rendered = render(results, list(RENDERERS))
    for fmt, content in rendered.items():
        JobFile.objects.create(job=job, name=fmt, content=content)
    return {"n_patients": cohort.n_patients}


def _run_import(job: BackgroundJob, progress) -> dict:
    """Check the confirmed upload once more and store it, all or nothing (as the page did)."""
    import shutil

    from django.db import IntegrityError

    from nephrocohort.registry.bundle_io import (
        UPLOAD_FOLDER,
        ImportRefusedError,
        check_bundle,
        unpack_upload,
        upload_dir,
        write_cohort,
    )

    folder = upload_dir(job.params["token"])
    try:
        stored = next((folder / UPLOAD_FOLDER).glob("*"), None)
        if stored is None:
            raise ImportRefusedError("registry.import_upload_gone")
        progress("checking", 10)
        bundle_path, problems = unpack_upload(stored, folder)
        cohort = None
        if bundle_path is not None:
            cohort, problems = check_bundle(bundle_path, job.created_by)
        if problems or cohort is None:
            raise ImportRefusedError("registry.import_invalid", problems=problems)
        progress("writing", 50)
        try:
            count = write_cohort(cohort, job.created_by)
        except IntegrityError:
            # Someone imported or entered one of these patient IDs since the preview.
            raise ImportRefusedError("registry.import_ids_taken") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"patients": count}


def _run_quality(job: BackgroundJob, progress) -> dict:
    import dataclasses

    from nephrocohort.registry.quality import quality_findings

    progress("checking", 10)
    findings = quality_findings(scope_patients(job.params["scope"]))
    return {"findings": [dataclasses.asdict(finding) for finding in findings]}


_HANDLERS = {
    BackgroundJob.Kind.REPORT: _run_report,
    BackgroundJob.Kind.IMPORT: _run_import,
    BackgroundJob.Kind.QUALITY: _run_quality,
}
