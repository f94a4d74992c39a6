"""Patient IDs already used (deleted, other case, other center) and what reaches the log."""

import logging
import sys

import pytest
from django.db import IntegrityError
from django.urls import reverse

from nephrocohort.registry.forms import PatientForm
from nephrocohort.registry.log_filters import WithholdErrorDetails
from nephrocohort.registry.models import Patient


def _form(user, centers, patient_id, center="A"):
    data = {"patient_id": patient_id, "center": centers[center].pk, "sex": "F"}
    return PatientForm(data, user=user)


@pytest.mark.django_db
class TestTakenPatientIds:
    def test_id_of_a_deleted_patient_is_refused_with_what_to_do(
        self, client, entry_a, patient_a, centers
    ):
        patient_a.soft_delete(expected_version=patient_a.version)
        client.force_login(entry_a)
        response = client.post(
            reverse("registry:patient_create"),
            {"patient_id": "A-001", "center": centers["A"].pk, "sex": "F"},
        )
        assert response.status_code == 200
        assert b"belongs to a deleted patient" in response.content
        assert b"Choose another ID" in response.content
        assert Patient.all_objects.filter(patient_id="A-001").count() == 1

    def test_id_differing_only_in_case_is_refused(self, entry_a, patient_a, centers):
        form = _form(entry_a, centers, "a-001")
        assert not form.is_valid()
        assert form.errors.as_data()["patient_id"][0].code == "id_taken"

    def test_deleted_id_in_other_case_is_refused(self, entry_a, patient_a, centers):
        patient_a.soft_delete(expected_version=patient_a.version)
        form = _form(entry_a, centers, " a-001 ")
        assert not form.is_valid()
        assert form.errors.as_data()["patient_id"][0].code == "id_of_deleted_patient"

    def test_other_centers_id_is_refused_without_confirming_it_exists(
        self, entry_b, patient_a, centers
    ):
        form = _form(entry_b, centers, "A-001", center="B")
        assert not form.is_valid()
        error = form.errors.as_data()["patient_id"][0]
        assert error.code == "id_unusable"
        assert form.errors["patient_id"] == ["This ID cannot be used; choose another."]

    def test_other_centers_deleted_id_gets_the_same_message(self, entry_b, patient_a, centers):
        patient_a.soft_delete(expected_version=patient_a.version)
        form = _form(entry_b, centers, "A-001", center="B")
        assert not form.is_valid()
        assert form.errors["patient_id"] == ["This ID cannot be used; choose another."]

    def test_editing_a_patient_keeps_its_own_id(self, entry_a, patient_a, centers):
        data = {
            "patient_id": "A-001",
            "center": centers["A"].pk,
            "sex": "M",
            "birth_date": "2012-03-01",
            "version": patient_a.version,
        }
        form = PatientForm(data, instance=patient_a, user=entry_a)
        assert form.is_valid(), form.errors


def _record(exc: BaseException, *, status_code=500) -> logging.LogRecord:
    try:
        raise exc
    except BaseException:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/patients/new/",),
        exc_info,
    )
    record.status_code = status_code
    return record


class TestLogFilter:
    def test_database_error_details_never_reach_the_log(self):
        detail = "DETAIL:  Key (patient_id)=(SECRET-777) already exists."
        try:
            try:
                raise RuntimeError(f"duplicate key\n{detail}")
            except RuntimeError as cause:
                raise IntegrityError(f"duplicate key\n{detail}") from cause
        except IntegrityError as error:
            record = _record(error)
        WithholdErrorDetails().filter(record)
        text = logging.Formatter().format(record)
        assert "SECRET-777" not in text
        assert "/patients/new/" in text and "IntegrityError" in text

    def test_settings_attach_the_filter_to_the_log_handler(self, settings):
        handler = settings.LOGGING["handlers"]["console"]
        assert "withhold_details" in handler["filters"]
        django_request = logging.getLogger("django.request")
        handlers = [h for h in logging.getLogger().handlers if h.filters]
        assert any(isinstance(f, WithholdErrorDetails) for h in handlers for f in h.filters)
        assert django_request.propagate

    def test_a_refused_request_is_one_line(self):
        from django.core.exceptions import PermissionDenied

        record = _record(PermissionDenied("no"), status_code=403)
        record.msg, record.args = "Forbidden (Permission denied): %s", ("/export/",)
        WithholdErrorDetails().filter(record)
        assert logging.Formatter().format(record) == "Forbidden (Permission denied): /export/"


@pytest.mark.django_db
def test_served_403_is_logged_as_one_line_without_traceback(client, make_user, patient_a):
    import io

    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, WithholdErrorDetails) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.force_login(make_user("mon", "monitor", "A"))
        assert client.get(reverse("registry:patient_edit", args=[patient_a.pk])).status_code == 403
    finally:
        handler.setStream(previous)
    logged = stream.getvalue().strip().splitlines()
    assert logged == [f"Forbidden (Permission denied): /patients/{patient_a.pk}/edit/"]


@pytest.mark.django_db
def test_served_400_is_one_line_without_traceback_or_what_was_sent(client, make_user, patient_a):
    """A malformed request (here a delete with a version that is not a number, found against a
    running server) was logged with its whole traceback and the text sent ('abc')."""
    import io

    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, WithholdErrorDetails) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.force_login(make_user("ent", "data_entry", "A"))
        url = reverse("registry:patient_delete", args=[patient_a.pk])
        assert client.post(url, {"version": "SECRET-abc"}).status_code == 400
        assert client.get(reverse("registry:patient_list"), {"q": "SECRET\x00"}).status_code == 400
    finally:
        handler.setStream(previous)
    logged = stream.getvalue().strip().splitlines()
    assert logged == [
        f"Bad request (malformed input; what was sent is not logged): {url}",
        "Bad request (malformed input; what was sent is not logged): /",
    ]
