"""The registry's export carries the principal investigators' signatures (issue 14, found in
the acceptance check: signatures were shown on the patient page only, nowhere a monitor or an
auditor exporting the data would look).

21 CFR 11.50(a): a signed record shows the signer's printed name, the date and time of the
signing and its meaning; REDCap's unlocking "will negate the e-signature", which is kept.
The de-identified export goes through interop's one policy: the patient id becomes the same
pseudonym as in patients.csv, free text (the reason for unlocking) is left out, and so are
the signing times, which shifted would give the patient's date shift away to whoever knows
when the record was signed.
"""

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from django.test import RequestFactory
from django.urls import reverse

from nephrocohort.registry.bundle_io import SIGNATURES_FILE, export_zip, unpack_upload
from nephrocohort.registry.models import Patient
from nephrocohort.registry.signatures import sign_and_lock, unlock

PASSWORD = "a long test passphrase"
REASON = "Albumin of the second visit typed in g/L; correcting it"


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


@pytest.fixture
def signed_twice(make_user, patient_a):
    """patient_a signed (reviewed), unlocked with a reason, signed again (approved)."""
    pi = make_user("pi_a", "pi", "A")
    pi.first_name, pi.last_name = "Ana", "Lima"
    pi.save()
    sign_and_lock(_request(pi), patient_a, password=PASSWORD, meaning="reviewed")
    unlock(_request(pi), Patient.objects.get(pk=patient_a.pk), password=PASSWORD, reason=REASON)
    sign_and_lock(
        _request(pi), Patient.objects.get(pk=patient_a.pk), password=PASSWORD, meaning="approved"
    )
    return pi


def _zip(response) -> dict[str, str]:
    assert response.status_code == 200, response.status_code
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


@pytest.mark.django_db
class TestSignaturesInTheExport:
    def test_identifiable_export_lists_each_signature_with_name_time_meaning_and_voiding(
        self, client, make_user, patient_a, signed_twice
    ):
        client.force_login(make_user("boss", "admin"))
        before = dt.datetime.now(dt.UTC)
        files = _zip(client.post(reverse("registry:export"), {"identifiable": "on"}))
        signatures = _table(files[SIGNATURES_FILE])
        assert list(signatures.columns) == [
            "patient_id",
            "signed_at",
            "signer_username",
            "signer_name",
            "meaning",
            "status",
            "voided_at",
            "voided_by_username",
            "void_reason",
        ]
        assert signatures["patient_id"].tolist() == ["A-001", "A-001"]
        assert signatures["signer_name"].tolist() == ["Ana Lima (pi_a)", "Ana Lima (pi_a)"]
        assert signatures["signer_username"].tolist() == ["pi_a", "pi_a"]
        assert signatures["meaning"].tolist() == ["reviewed", "approved"]
        assert signatures["status"].tolist() == ["void", "standing"]
        assert signatures["voided_by_username"].tolist() == ["pi_a", ""]
        assert signatures["void_reason"].tolist() == [REASON, ""]
        assert signatures["voided_at"].iloc[1] == ""
        # ISO 8601 in UTC, signed within the last minutes, the void after the first signing.
        signed = pd.to_datetime(signatures["signed_at"], format="%Y-%m-%dT%H:%M:%SZ", utc=True)
        voided = pd.to_datetime(signatures["voided_at"].iloc[0], format="%Y-%m-%dT%H:%M:%SZ")
        assert all(before - dt.timedelta(minutes=10) <= s <= before for s in signed)
        assert signed.iloc[0] <= voided.tz_localize("UTC") <= signed.iloc[1]
        assert "signatures" in files["README.txt"]

    def test_deidentified_export_pseudonymises_and_leaves_out_times_and_the_reason(
        self, client, make_user, patient_a, signed_twice
    ):
        client.force_login(make_user("inv", "investigator", "A"))
        files = _zip(client.post(reverse("registry:export")))
        signatures = _table(files[SIGNATURES_FILE])
        pseudonym = _table(files["patients.csv"])["patient_id"].tolist()
        assert signatures["patient_id"].tolist() == pseudonym * 2
        assert pseudonym != ["A-001"]
        assert signatures["meaning"].tolist() == ["reviewed", "approved"]
        assert signatures["status"].tolist() == ["void", "standing"]
        assert signatures["signer_name"].tolist() == ["Ana Lima (pi_a)", "Ana Lima (pi_a)"]
        for column in ("signed_at", "voided_at", "void_reason"):
            assert column not in signatures.columns
        everything = "".join(files.values())
        assert "A-001" not in everything and REASON not in everything
        assert str(dt.datetime.now(dt.UTC).year) + "-" not in files[SIGNATURES_FILE]

    def test_a_patient_left_out_for_consent_takes_its_signatures_with_it(
        self, client, make_user, patient_a, patient_b
    ):
        Patient.objects.filter(pk=patient_a.pk).update(consent_withdrawn_date=dt.date(2020, 1, 1))
        pi = make_user("pi_a", "pi", "A")
        sign_and_lock(
            _request(pi),
            Patient.objects.get(pk=patient_a.pk),
            password=PASSWORD,
            meaning="reviewed",
        )
        files = _zip(_admin_export(client, make_user))
        assert _table(files["patients.csv"])["patient_id"].tolist() == ["B-001"]
        assert _table(files[SIGNATURES_FILE]).empty

    def test_a_signer_name_like_a_formula_is_neutralised(self, make_user, patient_a):
        pi = make_user("pi_x", "pi", "A")
        pi.first_name, pi.last_name = '=HYPERLINK("http://x.example","y")', ""
        pi.save()
        sign_and_lock(_request(pi), patient_a, password=PASSWORD, meaning="reviewed")
        archive = zipfile.ZipFile(io.BytesIO(export_zip(Patient.objects.all(), identifiable=True)))
        text = archive.read(SIGNATURES_FILE).decode()
        assert "'=HYPERLINK(" in text
        assert ",=HYPERLINK(" not in text and '"=HYPERLINK(' not in text

    def test_the_export_with_signatures_reimports_and_the_signatures_are_left_aside(
        self, client, make_user, patient_a, signed_twice, tmp_path
    ):
        from nephrocohort.cohort import load_bundle, validate_bundle

        response = _admin_export(client, make_user)
        upload = tmp_path / "export.zip"
        upload.write_bytes(response.content)
        folder, problems = unpack_upload(upload, tmp_path / "unpacked")
        assert problems == []
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{t}.csv"
            for t in ("patients", "biopsies", "genetics", "visits", "labs", "medications", "events")
        )
        assert [p for p in validate_bundle(folder) if p.severity == "error"] == []
        # Unzipped by hand, the folder is still a bundle the command line reads.
        with zipfile.ZipFile(upload) as archive:
            archive.extractall(tmp_path / "by-hand")
        (tmp_path / "by-hand" / "README.txt").unlink()
        assert load_bundle(tmp_path / "by-hand").row_counts()["patients"] == 1


def _admin_export(client, make_user):
    client.force_login(make_user("boss", "admin"))
    return client.post(reverse("registry:export"), {"identifiable": "on"})


@pytest.mark.django_db
def test_the_patient_page_lists_every_signature_voided_ones_too(
    client, make_user, patient_a, signed_twice
):
    """The page showed the standing signature only; a voided one (who unlocked, when, why)
    was in the audit trail alone. Every role that sees the patient reads the table."""
    from nephrocohort.registry.models import PatientSignature

    first, second = PatientSignature.objects.filter(patient=patient_a).order_by("signed_at", "pk")
    client.force_login(make_user("mon", "monitor", "A"))
    html = client.get(reverse("registry:patient_detail", args=[patient_a.pk])).content.decode()
    table = html[html.index('id="signatures"') :]
    rows = table[: table.index("</table>")].split("<tr>")[2:]
    assert len(rows) == 2
    assert first.signed_at.strftime("%Y-%m-%d %H:%M") in rows[0]
    assert "Ana Lima (pi_a)" in rows[0] and "reviewed" in rows[0]
    voided = first.voided_at.strftime("%Y-%m-%d %H:%M")
    assert f"void: unlocked by pi_a on {voided} UTC; reason: {REASON}" in rows[0]
    assert "approved" in rows[1] and "standing: the record is locked" in rows[1]
