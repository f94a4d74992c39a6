"""Import a bundle (preview, full error report, all-or-nothing) and export one."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path, PureWindowsPath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nephrocohort.registry import jobs
from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.bundle_io import (
    UPLOAD_FOLDER,
    check_bundle,
    export_zip,
    unpack_upload,
    upload_dir,
)
from nephrocohort.registry.consent import log_override
from nephrocohort.registry.forms import BundleUploadForm, ExportForm
from nephrocohort.registry.models import BackgroundJob, Patient, user_can
from nephrocohort.registry.views._common import ReasonedNotFound, registry_view

_SESSION_KEY = "registry_import_token"


_ABANDONED_AFTER_SECONDS = 24 * 60 * 60


# How often the progress page asks again while the import runs.
_REFRESH_SECONDS = 2


def _safe_file_name(name: str) -> str:
    """The uploaded file's base name, reduced to characters safe in a path on every system."""
    base = re.sub(r"[^\w.\-() ]", "_", PureWindowsPath(name).name).strip(" .") or "bundle"
    stem, dot, suffix = base.rpartition(".")
    suffix = suffix.lower()
    if suffix not in ("zip", "xlsx"):  # the form accepts only these two
        return f"{base[:100]}.zip"
    return f"{stem[:100]}.{suffix}"


def _remove_abandoned_uploads() -> None:
    """Delete previews nobody confirmed within a day (they hold patient data)."""
    root = Path(settings.DATA_DIR) / "uploads"
    if not root.is_dir():
        return
    cutoff = time.time() - _ABANDONED_AFTER_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@registry_view("import")
def import_upload(request):
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        _remove_abandoned_uploads()
        upload = form.cleaned_data["bundle"]
        token = secrets.token_urlsafe(16)
        folder = upload_dir(token)
        folder.mkdir(parents=True, mode=0o700)
        # Kept under the user's own file name: the loader's messages name the file.
        stored = folder / UPLOAD_FOLDER / _safe_file_name(upload.name)
        stored.parent.mkdir(mode=0o700)
        with stored.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        bundle_path, problems = unpack_upload(stored, folder)
        cohort = None
        if bundle_path is not None:
            cohort, problems = check_bundle(bundle_path, request.user)
        context.update(file_name=upload.name, problems=problems, cohort=cohort)
        if problems or cohort is None:
            shutil.rmtree(folder, ignore_errors=True)
            return render(request, "registry/import.html", context, status=422)
        request.session[_SESSION_KEY] = token
        context.update(token=token, preview=_preview(cohort))
    return render(request, "registry/import.html", context)


def _preview(cohort) -> dict:
    patients = cohort.patients[["patient_id", "center", "sex", "birth_date", "onset_date"]]
    return {
        "counts": cohort.row_counts(),
        "patients": patients.head(20).to_dict("records"),
    }


@require_POST
@registry_view("import")
def import_confirm(request, token: str):
    """Hand the confirmed upload to a background job and show its progress page.

    The job checks the file once more and stores it all or nothing, as the
    preview promised; a 2,000-patient import no longer holds a server thread.
    """
    if request.session.get(_SESSION_KEY) != token:
        raise ReasonedNotFound("This import is not yours or has already been done.")
    del request.session[_SESSION_KEY]
    job = jobs.submit(
        BackgroundJob.Kind.IMPORT, f"import:{token}", {"token": token}, request.user, data_stamp=""
    )
    return redirect("registry:import_job", job_pk=job.pk)


@registry_view("import")
def import_job(request, job_pk: int):
    """Progress and outcome of the user's own import (another user's job is 404)."""
    job = BackgroundJob.objects.filter(
        pk=job_pk, kind=BackgroundJob.Kind.IMPORT, created_by=request.user
    ).first()
    if job is None:
        raise ReasonedNotFound("There is no such import of yours.")
    job = jobs.latest_job(job.key)
    jobs.keep_queue_moving(job)
    problems = [jobs.problem_from_data(data) for data in job.result.get("problems", [])]
    context = {
        "job": job,
        "problems": problems,
        "failure": jobs.failure_text(job),
        "refresh_seconds": None if job.is_finished else _REFRESH_SECONDS,
    }
    return render(request, "registry/import_job.html", context)


@registry_view("export")
def export(request):
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        identifiable = form.cleaned_data["identifiable"]
        if identifiable and not user_can(request.user, "export_identifiable"):
            raise PermissionDenied(_("Your role may export de-identified data only."))
        include = form.cleaned_data["include_withdrawn_consent"]
        if include and not user_can(request.user, "consent_override"):
            raise PermissionDenied(
                _("Only administrators may include patients whose consent was withdrawn.")
            )
        content = export_zip(
            Patient.objects.visible_to(request.user),
            identifiable=identifiable,
            include_withdrawn_consent=include,
        )
        kind = "identifiable" if identifiable else "deidentified"
        if include:
            log_override(request, f"{kind} bundle (zip)")
        record_event(request, "export", what=f"{kind} bundle (zip)", identifiable=identifiable)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="nephrocohort-{kind}-{stamp}.zip"'
        return response
    return render(request, "registry/export.html", {"form": form})
