"""pytest-django configuration for the registry tests only.

The settings module is chosen here rather than in pyproject.toml so that
other areas' tests are not configured for Django. The registry's data folder
(secret key file, SQLite path) is a throwaway temporary folder; the database
itself is pytest-django's test database (SQLite in memory, or PostgreSQL when
``NEPHROCOHORT_DATABASE_URL`` is set, as ``test_suite_on_postgresql.py`` does).
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nephrocohort.registry.settings")
os.environ.setdefault("NEPHROCOHORT_DATA_DIR", tempfile.mkdtemp(prefix="nephrocohort-test-"))

import django  # noqa: E402

# This conftest is not an initial one, so pytest-django has already looked for
# settings and found none; set Django up here, before the test modules import models.
django.setup()

import datetime as dt  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords with a fast (insecure) hasher; production keeps PBKDF2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _jobs_run_inline(settings):
    """Background jobs run in the test's own process: its in-memory database is not shared.

    ``test_background_jobs.py`` runs the real worker process against a file database.
    """
    settings.NEPHROCOHORT_JOB_RUNNER = "inline"


@pytest.fixture(autouse=True)
def _two_factor_optional(settings):
    """Other features' tests log in with a password only; test_two_factor turns it back on."""
    settings.REGISTRY_TWO_FACTOR_REQUIRED = False


@pytest.fixture
def centers(db):
    from nephrocohort.registry.models import Center

    return {
        "A": Center.objects.create(code="A", name="Center A"),
        "B": Center.objects.create(code="B", name="Center B"),
    }


@pytest.fixture
def make_user(db, centers):
    from django.contrib.auth import get_user_model

    from nephrocohort.registry.models import UserProfile

    def make(username, role, *center_codes):
        user = get_user_model().objects.create_user(username, password="a long test passphrase")
        profile = UserProfile.objects.create(user=user, role=role)
        profile.centers.set([centers[code] for code in center_codes])
        return user

    return make


@pytest.fixture
def entry_a(make_user):
    return make_user("entry_a", "data_entry", "A")


@pytest.fixture
def entry_b(make_user):
    return make_user("entry_b", "data_entry", "B")


@pytest.fixture
def patient_a(centers):
    return _patient_with_records(centers["A"], "A-001")


@pytest.fixture
def patient_b(centers):
    return _patient_with_records(centers["B"], "B-001")


def _patient_with_records(center, patient_id):
    from nephrocohort.registry.models import (
        Biopsy,
        Event,
        Genetics,
        Lab,
        Medication,
        Patient,
        Visit,
    )

    patient = Patient.objects.create(
        patient_id=patient_id,
        center=center,
        sex="M",
        birth_date=dt.date(2012, 3, 1),
        onset_date=dt.date(2014, 5, 10),
        hbv="negative",
        hcv="negative",
        syphilis="negative",
        hiv="negative",
        family_history_ns="no",
        last_followup_date=dt.date(2020, 1, 15),
    )
    Biopsy.objects.create(patient=patient, biopsy_date=dt.date(2014, 8, 1), histology="FSGS")
    Genetics.objects.create(
        patient=patient, test_date=dt.date(2015, 1, 1), gene="NPHS2", classification="negative"
    )
    Visit.objects.create(
        patient=patient, date=dt.date(2015, 2, 1), weight_kg=14.2, height_cm=96.0, edema="yes"
    )
    Lab.objects.create(
        patient=patient,
        date=dt.date(2015, 2, 1),
        test="urine_protein_timed",
        value="62",
        unit="mg/m2/h",
    )
    Lab.objects.create(
        patient=patient, date=dt.date(2015, 2, 1), test="serum_albumin", value="1.9", unit="g/dL"
    )
    Lab.objects.create(
        patient=patient,
        date=dt.date(2015, 2, 1),
        test="serum_creatinine",
        value="0.3",
        unit="mg/dL",
    )
    Medication.objects.create(
        patient=patient,
        drug="mmf",
        start_date=dt.date(2015, 2, 1),
        dose=600,
        dose_unit="mg/m2/day",
        schedule="bid",
    )
    Event.objects.create(patient=patient, date=dt.date(2016, 1, 5), event="relapse")
    return patient


@pytest.fixture
def browser_page(launch_chromium):
    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are synchronous and safe, so let Django allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
