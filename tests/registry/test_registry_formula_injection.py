"""The registry's CSV downloads are safe to open in a spreadsheet (issue 14, formula injection).

OWASP, "CSV Injection": "Ensure that no cells begin with any of the following
characters: Equals to (=), Plus (+), Minus (-), At (@), Tab (0x09), Carriage
return (0x0D)". The exporters and the report are swept in
tests/pipeline/test_formula_injection.py; here the registry's own writers:
the identifiable export zip, audit.csv and the access-log CSV.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.urls import reverse

from nephrocohort.registry.models import Medication

PAYLOADS = ['=HYPERLINK("http://x","y")', "@SUM(1,2)", "+1", "-1+2"]
_RUNS_AS_FORMULA = re.compile(r"\s*[=+\-@]|[\t\r]")


def _unsafe(text: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    return [cell for cell in cells if _RUNS_AS_FORMULA.match(cell)]


@pytest.fixture
def poisoned(patient_a):
    patient_a.patient_id = PAYLOADS[0]
    patient_a.save()
    Medication.objects.create(
        patient=patient_a,
        drug="prednisolone",
        start_date="2015-01-01",
        end_date="2015-03-01",
        dose=2.0,
        dose_unit="mg/kg/day",
        stop_reason=PAYLOADS[1],
    )
    return patient_a


@pytest.mark.django_db
def test_audit_csv_cells_are_neutralised(poisoned, make_user, client):
    client.force_login(make_user("boss", "admin", "A"))
    text = client.get(reverse("registry:audit_csv", args=[poisoned.pk])).content.decode()
    assert _unsafe(text) == []
    assert "'@SUM(1,2)" in text and "'=HYPERLINK" in text


@pytest.mark.django_db
def test_access_log_csv_cells_are_neutralised(make_user, client):
    for name in PAYLOADS:
        client.post(reverse("registry:login"), {"username": name, "password": "wrong one"})
    client.force_login(make_user("boss", "admin", "A"))
    text = client.get(reverse("registry:access_log_csv")).content.decode()
    assert _unsafe(text) == []
    users = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert {"'" + name for name in PAYLOADS} <= set(users)


@pytest.mark.django_db
def test_identifiable_export_cells_are_neutralised(poisoned, make_user, client):
    client.force_login(make_user("boss", "admin", "A"))
    response = client.post(reverse("registry:export"), {"identifiable": "on"})
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        texts = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".csv")}
    for name, text in texts.items():
        assert _unsafe(text) == [], name
    assert "'=HYPERLINK" in texts["patients.csv"]
    assert "'@SUM(1,2)" in texts["medications.csv"]
