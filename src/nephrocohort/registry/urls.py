"""URL routes of the registry. Every patient URL goes through ``visible_patient``."""

from pathlib import Path

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from nephrocohort.registry.languages import set_language
from nephrocohort.registry.views import (
    access_log,
    audit,
    auth,
    bundles,
    calculators,
    cohort,
    encounter,
    patients,
    records,
    signatures,
    timeline,
    two_factor,
)

_TABLES = "biopsies|genetics|visits|labs|medications|events"

registry_patterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("language/", set_language, name="set_language"),
    path("login/code/", two_factor.otp_verify, name="otp_verify"),
    path("account/two-factor/", two_factor.otp_setup, name="otp_setup"),
    path("account/password/", two_factor.PasswordChangeView.as_view(), name="password_change"),
    path("", patients.patient_list, name="patient_list"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/derived/", patients.patient_derived, name="patient_derived"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/delete/", patients.patient_delete, name="patient_delete"),
    path("patients/<int:pk>/sign/", signatures.sign_patient, name="sign_patient"),
    path("patients/<int:pk>/unlock/", signatures.unlock_patient, name="unlock_patient"),
    path("patients/<int:pk>/visit/new/", encounter.encounter_create, name="encounter_create"),
    path("patients/<int:pk>/timeline.png", timeline.timeline_png, name="timeline_png"),
    path("patients/<int:pk>/calculators/", calculators.calculators, name="calculators"),
    path("patients/<int:pk>/audit/", audit.audit_page, name="audit"),
    path("patients/<int:pk>/audit.csv", audit.audit_csv, name="audit_csv"),
    re_path(
        rf"^patients/(?P<pk>\d+)/(?P<table>{_TABLES})/new/$",
        records.record_create,
        name="record_create",
    ),
    re_path(
        rf"^patients/(?P<pk>\d+)/(?P<table>{_TABLES})/(?P<record_pk>\d+)/edit/$",
        records.record_edit,
        name="record_edit",
    ),
    re_path(
        rf"^patients/(?P<pk>\d+)/(?P<table>{_TABLES})/(?P<record_pk>\d+)/delete/$",
        records.record_delete,
        name="record_delete",
    ),
    path("import/", bundles.import_upload, name="import"),
    path("import/job/<int:job_pk>/", bundles.import_job, name="import_job"),
    path("import/<str:token>/", bundles.import_confirm, name="import_confirm"),
    path("export/", bundles.export, name="export"),
    path("cohort/", cohort.cohort_page, name="cohort"),
    path("cohort/report/", cohort.cohort_report_start, name="cohort_report_start"),
    path("cohort/report.<str:fmt>", cohort.cohort_report_download, name="cohort_report"),
    path("quality/", cohort.quality_page, name="quality"),
    path("access-log/", access_log.access_log_page, name="access_log"),
    path("access-log.csv", access_log.access_log_csv, name="access_log_csv"),
]

urlpatterns = [
    path("", include((registry_patterns, "registry"))),
    path("admin/", admin.site.urls),
    # The app's few static files, served by Django itself so that the embedded
    # server needs no separate web server (DEBUG is always off).
    re_path(
        r"^static/(?P<path>.*)$",
        serve,
        {"document_root": str(Path(__file__).parent / "static")},
    ),
]

# Error pages with the registry's navigation; a 404's reason is shown when the app wrote one.
handler404 = "nephrocohort.registry.views._common.not_found"
handler400 = "nephrocohort.registry.views._common.bad_request"
