"""Work too long for a web request (the cohort report, a large import), run in the background.

A job is a row: the page that asked for it reads its status and progress
from the database, so it does not matter which server thread or process runs
it. The results are stored with it, so the same report for the same data is
computed once and then only downloaded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["BackgroundJob", "JobFile"]


class BackgroundJob(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report"
        IMPORT = "import"
        QUALITY = "quality"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What was asked, in a form two identical requests share (kind, centers, options).
    key = models.CharField(max_length=200, db_index=True)
    # A stamp of the data the job read; a new stamp means the result is stale.
    data_stamp = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=40, blank=True)
    error_code = models.CharField(max_length=80, blank=True)
    error_text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # Written by the worker every few seconds: a running job without a recent
    # heartbeat belongs to a worker that died, and may be asked for again.
    heartbeat_at = models.DateTimeField(null=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class JobFile(models.Model):
    """One file a job produced (a report format), kept in the database beside the job."""

    job = models.ForeignKey(BackgroundJob, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=40)
    content = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="one_file_per_name")]
