"""Logins, failed logins and every download are logged (who, when, what, identifiable),
and administrators can read and download that log."""

import csv
import io

import pytest
from django.urls import reverse

from nephrocohort.registry.models import AccessEvent

PASSWORD = "a long test passphrase"


def _events():
    return list(
        AccessEvent.objects.order_by("id").values_list("username", "action", "what", "identifiable")
    )


def test_a_login_and_a_failed_login_are_logged(entry_a, client):
    client.post(reverse("registry:login"), {"username": "entry_a", "password": "wrong one"})
    client.post(reverse("registry:login"), {"username": "nobody", "password": "wrong one"})
    client.post(reverse("registry:login"), {"username": "entry_a", "password": PASSWORD})
    assert _events() == [
        ("entry_a", "login_failed", "", False),
        ("nobody", "login_failed", "", False),
        ("entry_a", "login", "", False),
    ]
    assert AccessEvent.objects.last().ip_address == "127.0.0.1"
    assert AccessEvent.objects.get(action="login").user_id_at_event == entry_a.pk


def test_exports_say_whether_they_were_identifiable(make_user, patient_a, client):
    client.force_login(make_user("boss", "admin", "A"))
    client.post(reverse("registry:export"), {})
    client.post(reverse("registry:export"), {"identifiable": "on"})
    assert _events()[-2:] == [
        ("boss", "export", "deidentified bundle (zip)", False),
        ("boss", "export", "identifiable bundle (zip)", True),
    ]


def test_report_and_audit_downloads_are_logged(
    entry_a, patient_a, client, tmp_path, make_small_study_cohort
):
    from nephrocohort.cohort import load_bundle, save_bundle
    from nephrocohort.registry.bundle_io import write_cohort

    save_bundle(make_small_study_cohort(("A1", "A2", "A3"), center="A"), tmp_path / "bundle")
    write_cohort(load_bundle(tmp_path / "bundle"), entry_a)
    client.force_login(entry_a)
    # The report is computed in the background (inline in the tests), then downloaded.
    assert client.post(reverse("registry:cohort_report_start")).status_code == 302
    assert client.get(reverse("registry:cohort_report", args=["json"])).status_code == 200
    assert client.get(reverse("registry:audit_csv", args=[patient_a.pk])).status_code == 200
    assert _events()[-2:] == [
        ("entry_a", "report_download", "report.json (study)", True),
        ("entry_a", "audit_download", f"audit trail of patient #{patient_a.pk}", True),
    ]


def test_administrators_see_and_download_the_access_log(make_user, entry_a, client):
    client.post(reverse("registry:login"), {"username": "entry_a", "password": "wrong one"})
    client.force_login(make_user("boss", "admin", "A"))
    page = client.get(reverse("registry:access_log"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "failed login" in text and "entry_a" in text and "Audit chain intact" in text
    response = client.get(reverse("registry:access_log_csv"), {"action": "login_failed"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["when_utc", "user", "action", "what", "identifiable", "ip_address"]
    assert [row[1:5] for row in rows[1:]] == [["entry_a", "login_failed", "", "no"]]
    # Downloading the log is itself logged.
    assert _events()[-1] == ("boss", "access_log_download", "access log (login_failed)", False)


@pytest.mark.parametrize("role", ["investigator", "data_entry", "monitor"])
def test_other_roles_cannot_see_the_access_log(make_user, client, role):
    client.force_login(make_user("someone", role, "A"))
    assert client.get(reverse("registry:access_log")).status_code == 403
    assert client.get(reverse("registry:access_log_csv")).status_code == 403
