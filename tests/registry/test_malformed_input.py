"""Malformed request data answers 400 with a sentence, never a 500 (issue 14).

A NUL byte cannot be stored or compared by PostgreSQL (psycopg refuses the
query), so one in any parameter is refused before a view runs; a version
number that is not a number is refused by the delete views. The NUL test
runs on the database of the run (SQLite by default) and once more on
PostgreSQL in a child pytest when a server answers on 127.0.0.1:5432.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

_SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def client_a(client, entry_a):
    client.force_login(entry_a)
    return client


class TestNulBytes:
    def test_nul_byte_in_the_search_box_is_400(self, client_a, patient_a):
        response = client_a.get(reverse("registry:patient_list"), {"q": "A-\x00001"})
        assert response.status_code == 400
        assert b"NUL" in response.content

    def test_nul_byte_in_a_login_name_is_400(self, client, entry_a):
        response = client.post(
            reverse("registry:login"), {"username": "entry\x00_a", "password": "x"}
        )
        assert response.status_code == 400

    def test_nul_byte_in_a_posted_form_is_400(self, client_a, patient_a):
        url = reverse("registry:patient_edit", args=[patient_a.pk])
        response = client_a.post(url, {"patient_id": "A-\x00", "version": "1"})
        assert response.status_code == 400
        patient_a.refresh_from_db()
        assert patient_a.patient_id == "A-001"


def _postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{_SERVER}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.mark.postgres
def test_nul_byte_tests_pass_on_postgresql():
    if os.environ.get("NEPHROCOHORT_DATABASE_URL"):
        pytest.skip("This run already uses PostgreSQL (NEPHROCOHORT_DATABASE_URL is set).")
    if not _postgres_answers():
        pytest.skip(
            "No PostgreSQL server answers on 127.0.0.1:5432 as user postgres without a "
            "password; the NUL-byte tests ran on SQLite only."
        )
    name = f"nephrocohort_nul_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "NEPHROCOHORT_DATABASE_URL": f"{_SERVER}/{name}"}
    root = Path(__file__).parent.parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", f"{__file__}::TestNulBytes", "-q",
         "-p", "no:cacheprovider"],
        env=env, capture_output=True, text=True, timeout=300, cwd=root,
    )  # fmt: skip
    tail = "\n".join(result.stdout.splitlines()[-15:])
    assert result.returncode == 0, tail
    assert "3 passed" in tail, tail


class TestVersionNumbers:
    @pytest.mark.parametrize("version", ["abc", "1.5", "", "9" * 40])
    def test_patient_delete_with_a_bad_version_is_400(self, client_a, patient_a, version):
        url = reverse("registry:patient_delete", args=[patient_a.pk])
        response = client_a.post(url, {"version": version})
        assert response.status_code == 400
        patient_a.refresh_from_db()
        assert not patient_a.is_deleted

    def test_record_delete_with_a_bad_version_is_400(self, client_a, patient_a):
        from nephrocohort.registry.models import Event

        event = Event.objects.get(patient=patient_a)
        url = reverse("registry:record_delete", args=[patient_a.pk, "events", event.pk])
        response = client_a.post(url, {"version": "x1"})
        assert response.status_code == 400
        event.refresh_from_db()
        assert not event.is_deleted

    def test_patient_delete_with_the_right_version_still_works(self, client_a, patient_a):
        url = reverse("registry:patient_delete", args=[patient_a.pk])
        response = client_a.post(url, {"version": str(patient_a.version)})
        assert response.status_code == 302
        patient_a.refresh_from_db()
        assert patient_a.is_deleted
