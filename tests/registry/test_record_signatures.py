"""Locking a reviewed patient record with a signature, and unlocking it with a reason.

The rules tested, as their sources say them (texts in models/_signatures.py):
- 21 CFR 11.50(a): a signed record shows "(1) The printed name of the signer; (2) The date
  and time when the signature was executed; and (3) The meaning (such as review, approval,
  responsibility, or authorship) associated with the signature."
- 21 CFR 11.200(a)(1)(ii): a signing "not performed during a single, continuous period of
  controlled system access ... shall be executed using all of the electronic signature
  components" (the password again; here also the TOTP code of a user with an authenticator).
- REDCap: a locked record is "disabled/read-only until someone with Lock/Unlock privileges
  unlocks" it; unlocking "will negate the e-signature".
"""

import datetime as dt
import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from tests.registry.totp import totp

from nephrocohort.exceptions import NephroCohortError
from nephrocohort.registry.models import (
    AccessEvent,
    AuditSeal,
    Biopsy,
    Lab,
    Patient,
    PatientSignature,
    Visit,
)
from nephrocohort.registry.models._base import HardDeleteRefusedError
from nephrocohort.registry.signatures import (
    RecordLockedError,
    SignatureRefusedError,
    sign_and_lock,
    unlock,
)

PASSWORD = "a long test passphrase"
LOCKED_SENTENCE = "is locked: Ana Lima (pi_a) signed it (reviewed) on"


@pytest.fixture
def pi_a(make_user):
    user = make_user("pi_a", "pi", "A")
    user.first_name, user.last_name = "Ana", "Lima"
    user.save()
    return user


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def _lock(user, patient, meaning="reviewed"):
    return sign_and_lock(_request(user), patient, password=PASSWORD, meaning=meaning)


@pytest.mark.django_db
class TestSigning:
    def test_a_signature_keeps_the_printed_name_the_time_and_the_meaning(self, pi_a, patient_a):
        before = dt.datetime.now(dt.UTC)
        signature = _lock(pi_a, patient_a, "approved")
        stored = PatientSignature.objects.get(pk=signature.pk)
        assert stored.signer_name == "Ana Lima (pi_a)"
        assert stored.signer_username == "pi_a"
        assert stored.meaning == "approved"
        assert before <= stored.signed_at <= dt.datetime.now(dt.UTC)
        assert stored.voided_at is None

    def test_a_signer_without_a_full_name_is_named_by_the_user_name(self, make_user, patient_a):
        plain = make_user("pi_plain", "pi", "A")
        assert _lock(plain, patient_a).signer_name == "pi_plain"

    def test_a_wrong_password_signs_nothing_and_is_logged(self, pi_a, patient_a):
        with pytest.raises(SignatureRefusedError) as refused:
            sign_and_lock(_request(pi_a), patient_a, password="wrong", meaning="reviewed")
        assert refused.value.code == "registry.signature_password_wrong"
        assert str(refused.value) == "The password is wrong; the record was not signed."
        assert not PatientSignature.objects.exists()
        event = AccessEvent.objects.get(action="signature_refused")
        assert (event.username, event.what) == ("pi_a", "lock: password")

    def test_a_meaning_outside_the_list_is_refused(self, pi_a, patient_a):
        with pytest.raises(SignatureRefusedError) as caught:
            _lock(pi_a, patient_a, "authored")
        assert (caught.value.code, caught.value.params["meaning"]) == (
            "signature.unknown_meaning",
            "authored",
        )
        assert not PatientSignature.objects.exists()

    def test_a_user_with_an_authenticator_also_gives_its_code(self, pi_a, patient_a):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=pi_a, name="phone", confirmed=True)
        request = _request(pi_a)
        for code in ("", "000000"):
            with pytest.raises(SignatureRefusedError) as refused:
                sign_and_lock(request, patient_a, password=PASSWORD, code=code, meaning="reviewed")
            assert refused.value.code == "registry.signature_code_wrong"
            device.refresh_from_db()
            device.throttling_failure_count = 0  # django-otp delays the try after a wrong code
            device.throttling_failure_timestamp = None
            device.save()
        assert not PatientSignature.objects.exists()
        code = totp(device.bin_key, at=time.time())
        sign_and_lock(request, patient_a, password=PASSWORD, code=code, meaning="reviewed")
        assert PatientSignature.active.filter(patient=patient_a).count() == 1

    def test_a_locked_patient_cannot_be_signed_twice(self, pi_a, patient_a):
        _lock(pi_a, patient_a)
        with pytest.raises(SignatureRefusedError) as refused:
            _lock(pi_a, patient_a)
        assert refused.value.code == "registry.already_locked"

    def test_the_database_allows_one_standing_signature_per_patient(self, pi_a, patient_a):
        from django.db import IntegrityError, transaction

        signature = _lock(pi_a, patient_a)
        with pytest.raises(IntegrityError), transaction.atomic():
            PatientSignature.objects.create(
                patient=patient_a,
                signer=pi_a,
                signer_username="pi_a",
                signer_name="x",
                meaning="reviewed",
                signed_at=signature.signed_at,
            )

    def test_a_signature_is_never_deleted(self, pi_a, patient_a):
        with pytest.raises(HardDeleteRefusedError):
            _lock(pi_a, patient_a).delete()


@pytest.mark.django_db
class TestLockedRecordsRefuseChanges:
    """Every way of changing a locked patient's data ends in RecordLockedError."""

    def test_the_refusal_names_signer_meaning_and_time(self, pi_a, patient_a):
        signature = _lock(pi_a, patient_a)
        patient_a.refresh_from_db()
        patient_a.sex = "F"
        with pytest.raises(RecordLockedError) as locked:
            patient_a.save()
        when = f"{signature.signed_at:%Y-%m-%d %H:%M}"
        assert str(locked.value) == (
            f"Patient A-001 is locked: Ana Lima (pi_a) signed it (reviewed) on {when} UTC, so it "
            "and its records cannot be changed or deleted."
        )
        assert locked.value.code == "registry.record_locked"
        assert isinstance(locked.value, NephroCohortError)
        assert Patient.objects.get(pk=patient_a.pk).sex == "M"

    def test_records_cannot_be_changed_added_or_deleted(self, pi_a, patient_a):
        _lock(pi_a, patient_a)
        visit = Visit.objects.get(patient=patient_a)
        visit.weight_kg = 20.0
        with pytest.raises(RecordLockedError):
            visit.save()
        with pytest.raises(RecordLockedError):
            visit.save_checked(expected_version=visit.version)
        with pytest.raises(RecordLockedError):
            Visit.objects.get(patient=patient_a).soft_delete(expected_version=1)
        with pytest.raises(RecordLockedError):
            Biopsy.objects.create(patient=patient_a, biopsy_date=dt.date(2017, 1, 1))
        with pytest.raises(RecordLockedError):
            Patient.objects.get(pk=patient_a.pk).soft_delete(expected_version=1)
        stored = Visit.objects.get(patient=patient_a)
        assert (stored.weight_kg, stored.version, stored.is_deleted) == (14.2, 1, False)
        assert Biopsy.objects.filter(patient=patient_a).count() == 1

    def test_queryset_updates_are_refused_too(self, pi_a, patient_a, patient_b):
        _lock(pi_a, patient_a)
        with pytest.raises(RecordLockedError):
            Lab.all_objects.filter(patient=patient_a).update(unit="g/L")
        with pytest.raises(RecordLockedError):
            Patient.all_objects.filter(pk=patient_a.pk).update(sex="F")
        assert set(Lab.objects.filter(patient=patient_a).values_list("unit", flat=True)) == {
            "mg/m2/h",
            "g/dL",
            "mg/dL",
        }
        # Another patient's rows are not locked.
        assert (
            Lab.all_objects.filter(patient=patient_b, test="serum_albumin").update(unit="g/L") == 1
        )

    def test_other_patients_stay_editable(self, pi_a, patient_a, patient_b):
        _lock(pi_a, patient_a)
        patient_b.sex = "F"
        patient_b.save()
        assert Patient.objects.get(pk=patient_b.pk).sex == "F"


@pytest.mark.django_db
class TestUnlocking:
    def test_unlocking_needs_a_reason(self, pi_a, patient_a):
        _lock(pi_a, patient_a)
        for reason in ("", "   "):
            with pytest.raises(SignatureRefusedError) as refused:
                unlock(_request(pi_a), patient_a, password=PASSWORD, reason=reason)
            assert refused.value.code == "registry.unlock_reason_missing"
        assert PatientSignature.active.filter(patient=patient_a).exists()

    def test_a_reason_too_long_to_keep_is_refused_not_cut(self, pi_a, patient_a):
        # models/_signatures.py: void_reason is a CharField of max_length 500; the form's
        # field has the same limit, a caller outside the form used to have it cut silently.
        _lock(pi_a, patient_a)
        with pytest.raises(SignatureRefusedError) as refused:
            unlock(_request(pi_a), patient_a, password=PASSWORD, reason="x" * 501)
        assert refused.value.code == "registry.unlock_reason_too_long"
        assert refused.value.params == {"length": 501, "limit": 500}
        assert PatientSignature.active.filter(patient=patient_a).exists()
        # Refused before the password is checked: no signature_refused event for it.
        assert not AccessEvent.objects.filter(action="signature_refused").exists()
        # In the user's language (es, pt-BR catalogues), with both numbers.
        from nephrocohort.i18n import use_language

        with use_language("es"):
            assert "501" in refused.value.message and "500" in refused.value.message
            assert refused.value.message.startswith("El motivo del desbloqueo")
        with use_language("pt-BR"):
            assert refused.value.message.startswith("O motivo do desbloqueio")
            assert "500" in refused.value.hint
        # At the limit the reason is kept whole.
        unlock(_request(pi_a), patient_a, password=PASSWORD, reason="y" * 500)
        assert PatientSignature.objects.get(patient=patient_a).void_reason == "y" * 500

    def test_unlocking_needs_the_password(self, pi_a, patient_a):
        _lock(pi_a, patient_a)
        with pytest.raises(SignatureRefusedError) as refused:
            unlock(_request(pi_a), patient_a, password="wrong", reason="typo in weight")
        assert refused.value.code == "registry.signature_password_wrong"
        assert PatientSignature.active.filter(patient=patient_a).exists()

    def test_unlocking_voids_the_signature_keeps_it_and_allows_edits(self, pi_a, patient_a):
        signature = _lock(pi_a, patient_a)
        unlock(_request(pi_a), patient_a, password=PASSWORD, reason="weight typed in lb")
        stored = PatientSignature.objects.get(pk=signature.pk)
        assert stored.voided_at is not None
        assert (stored.voided_by_username, stored.void_reason) == ("pi_a", "weight typed in lb")
        assert not PatientSignature.active.filter(patient=patient_a).exists()
        visit = Visit.objects.get(patient=patient_a)
        visit.weight_kg = 14.5
        visit.save_checked(expected_version=1)
        # Signed again after the correction: a new signature, the old one kept.
        _lock(pi_a, patient_a, "approved")
        assert PatientSignature.objects.filter(patient=patient_a).count() == 2

    def test_a_patient_not_locked_cannot_be_unlocked(self, pi_a, patient_a):
        with pytest.raises(SignatureRefusedError) as refused:
            unlock(_request(pi_a), patient_a, password=PASSWORD, reason="x")
        assert refused.value.code == "registry.not_locked"


@pytest.mark.django_db
class TestAudited:
    def test_signing_and_unlocking_are_in_the_trail_sealed_and_in_the_access_log(
        self, pi_a, patient_a
    ):
        from nephrocohort.registry.audit import patient_audit_trail
        from nephrocohort.registry.audit_chain import verify_chain

        signature = _lock(pi_a, patient_a)
        unlock(_request(pi_a), patient_a, password=PASSWORD, reason="lab unit corrected")
        entries = [e for e in patient_audit_trail(patient_a) if e.record == "signature"]
        assert [e.action for e in entries] == ["unlocked (signature voided)", "signed and locked"]
        signed = dict((field, new) for field, _old, new in entries[1].changes)
        assert signed["signer_name"] == "Ana Lima (pi_a)" and signed["meaning"] == "reviewed"
        unlocked = dict((field, new) for field, _old, new in entries[0].changes)
        assert unlocked["void_reason"] == "lab unit corrected"
        assert unlocked["voided_by_username"] == "pi_a"
        history = PatientSignature.history.filter(id=signature.pk)
        assert history.count() == 2
        sealed = AuditSeal.objects.filter(
            table=PatientSignature.history.model._meta.label_lower,
            row_id__in=list(history.values_list("history_id", flat=True)),
        )
        assert sealed.count() == 2
        assert verify_chain().ok
        actions = list(AccessEvent.objects.order_by("id").values_list("action", "what"))
        assert actions == [
            ("record_locked", f"patient #{patient_a.pk}; signature #{signature.pk}"),
            ("record_unlocked", f"patient #{patient_a.pk}; signature #{signature.pk}"),
        ]

    def test_editing_a_signature_row_by_hand_is_caught_by_the_chain(self, pi_a, patient_a):
        from django.db import connection

        from nephrocohort.registry.audit_chain import verify_chain

        _lock(pi_a, patient_a)
        table = PatientSignature.history.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET signer_name = 'Someone Else'")  # noqa: S608
        report = verify_chain()
        assert not report.ok
        assert report.problems[0].startswith("The historical patient signature row #")
        assert report.problems[0].endswith("was changed after it was written.")


@pytest.fixture
def pi_client(client, pi_a):
    client.force_login(pi_a)
    return client


@pytest.mark.django_db
class TestPages:
    def test_only_a_principal_investigator_may_sign_or_unlock(self, client, make_user, patient_a):
        for role in ("admin", "data_entry", "investigator", "monitor"):
            client.force_login(make_user(f"u_{role}", role, "A"))
            for name in ("registry:sign_patient", "registry:unlock_patient"):
                response = client.post(
                    reverse(name, args=[patient_a.pk]),
                    {"password": PASSWORD, "meaning": "reviewed", "reason": "x"},
                )
                assert response.status_code == 403, (role, name)
        assert not PatientSignature.objects.exists()

    def test_another_centers_patient_is_not_found(self, pi_client, patient_b):
        response = pi_client.get(reverse("registry:sign_patient", args=[patient_b.pk]))
        assert response.status_code == 404

    def test_signing_shows_name_time_and_meaning_on_the_patient_page(self, pi_client, patient_a):
        url = reverse("registry:sign_patient", args=[patient_a.pk])
        page = pi_client.get(url)
        assert page.status_code == 200 and "code" not in page.context["form"].fields
        response = pi_client.post(url, {"password": PASSWORD, "meaning": "responsible"})
        assert response.status_code == 302
        signature = PatientSignature.active.get(patient=patient_a)
        page = pi_client.get(reverse("registry:patient_detail", args=[patient_a.pk]))
        text = page.content.decode()
        assert (
            f"signed by Ana Lima (pi_a) on {signature.signed_at:%Y-%m-%d %H:%M} UTC; "
            "meaning: responsibility"
        ) in text

    def test_a_wrong_password_on_the_page_says_so(self, pi_client, patient_a):
        url = reverse("registry:sign_patient", args=[patient_a.pk])
        response = pi_client.post(url, {"password": "nope", "meaning": "reviewed"})
        assert response.status_code == 200
        assert "The password is wrong; the record was not signed." in response.content.decode()
        assert not PatientSignature.objects.exists()

    def test_unlock_page_asks_for_a_reason(self, pi_client, pi_a, patient_a):
        _lock(pi_a, patient_a)
        url = reverse("registry:unlock_patient", args=[patient_a.pk])
        response = pi_client.post(url, {"password": PASSWORD, "reason": ""})
        assert response.status_code == 200 and "reason" in response.context["form"].errors
        response = pi_client.post(url, {"password": PASSWORD, "reason": "consent date fixed"})
        assert response.status_code == 302
        assert not PatientSignature.active.exists()

    def test_the_locked_patient_page_has_no_edit_links(self, client, entry_a, pi_a, patient_a):
        client.force_login(entry_a)
        detail = reverse("registry:patient_detail", args=[patient_a.pk])
        edit = reverse("registry:patient_edit", args=[patient_a.pk])
        assert edit in client.get(detail).content.decode()
        _lock(pi_a, patient_a)
        text = client.get(detail).content.decode()
        assert edit not in text and 'id="add-visits"' not in text and "Locked" in text


def _edit_posts(patient):
    """Every editing URL of a patient with the data an editor would post."""
    visit = Visit.objects.get(patient=patient)
    yield reverse("registry:patient_edit", args=[patient.pk]), {"sex": "F", "version": 1}
    yield reverse("registry:patient_delete", args=[patient.pk]), {"version": 1}
    yield (
        reverse("registry:record_create", args=[patient.pk, "visits"]),
        {"date": "2017-01-01", "weight_kg": "20"},
    )
    yield (
        reverse("registry:record_edit", args=[patient.pk, "visits", visit.pk]),
        {"date": "2015-02-01", "weight_kg": "30", "version": 1},
    )
    yield reverse("registry:record_delete", args=[patient.pk, "visits", visit.pk]), {"version": 1}
    yield (
        reverse("registry:encounter_create", args=[patient.pk]),
        {"submission": "t0k3n", "date": "2017-01-01", "weight_kg": "20", "then": "patient"},
    )


@pytest.mark.django_db
def test_every_edit_page_refuses_a_locked_patient(client, entry_a, pi_a, patient_a):
    client.force_login(entry_a)
    _lock(pi_a, patient_a)
    detail = reverse("registry:patient_detail", args=[patient_a.pk])
    for url, data in _edit_posts(patient_a):
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code == 302 and response["Location"] == detail, url
    page = client.get(detail).content.decode()
    assert LOCKED_SENTENCE in page
    assert "Ask a principal investigator to unlock it, giving the reason" in page
    assert Visit.objects.filter(patient=patient_a).count() == 1
    assert Visit.objects.get(patient=patient_a).weight_kg == 14.2
    assert Patient.objects.get(pk=patient_a.pk).sex == "M"


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"cohort/{name}", text)
    return SimpleUploadedFile("cohort.zip", buffer.getvalue(), content_type="application/zip")


@pytest.mark.django_db
def test_an_import_naming_a_locked_patient_is_refused_as_locked(client, entry_a, pi_a, patient_a):
    _lock(pi_a, patient_a)
    client.force_login(entry_a)
    bundle = {"patients.csv": "patient_id,center,sex,birth_date\na-001,A,M,2012-03-01\n"}
    response = client.post(reverse("registry:import"), {"bundle": _zip(bundle)})
    assert response.status_code == 422
    codes = [(p.code, p.value) for p in response.context["problems"]]
    assert codes == [("registry.patient_locked", "a-001")]
    assert "is in the registry and locked by a signature" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_edit_started_during_a_signing_waits_for_it_and_is_refused(pi_a, patient_a):
    """§ 11.70: a signature is linked to the record it signs, so no edit may slip in beside it.

    One thread signs (holding the patient as a signing does) and takes its time;
    an edit of one of the patient's visits started meanwhile must wait for the
    signature and then be refused, not be saved under it.
    """
    import threading

    from django.db import connection, transaction

    from nephrocohort.registry.models import Visit
    from nephrocohort.registry.models._locking import hold_patients

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("Threads cannot share SQLite's in-memory test database; runs on PostgreSQL.")
    visit = Visit.objects.filter(patient=patient_a).first()
    holding, outcome = threading.Event(), []

    def sign():
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                hold_patients([patient_a.pk])
                holding.set()
                time.sleep(1.0)
                PatientSignature.objects.create(
                    patient=patient_a,
                    signer=pi_a,
                    signer_username="pi_a",
                    signer_name="PI A",
                    meaning="reviewed",
                    signed_at=dt.datetime.now(dt.UTC),
                )
        finally:
            thread_connection.close()

    def edit():
        from django.db import connection as thread_connection

        try:
            holding.wait(timeout=10)
            record = Visit.objects.get(pk=visit.pk)
            record.weight_kg = 30.0
            record.save_checked(expected_version=record.version)
            outcome.append("saved")
        except RecordLockedError:
            outcome.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sign), threading.Thread(target=edit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome == ["refused"]
    assert Visit.objects.get(pk=visit.pk).weight_kg != 30.0


@pytest.mark.django_db
def test_a_checked_save_holds_the_patient_once_and_only_where_there_are_row_locks(patient_a):
    """The signing race above needs the patient's row lock (FOR UPDATE) on every edit.

    A checked save (version bump, then the save) takes it and looks for a signature
    once; a database without row locks (SQLite: its write lock serializes the edit
    and the signing) is not asked for one at all.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    visit = Visit.objects.filter(patient=patient_a).first()
    visit.weight_kg = 15.5
    with CaptureQueriesContext(connection) as queries:
        visit.save_checked(expected_version=visit.version)
    sqls = [query["sql"] for query in queries.captured_queries]
    held = [sql for sql in sqls if sql.startswith('SELECT "registry_patient"."id"')]
    signature_checks = [sql for sql in sqls if 'FROM "registry_patientsignature"' in sql]
    if connection.features.has_select_for_update:
        assert len(held) == 1 and "FOR UPDATE" in held[0]
    else:
        assert held == []
    assert len(signature_checks) == 1
    assert (Visit.objects.get(pk=visit.pk).weight_kg, Visit.objects.get(pk=visit.pk).version) == (
        15.5,
        2,
    )
