"""Audit history, soft delete and optimistic locking of clinical rows."""

import threading

import pytest
from django.db import connection

from nephrocohort.registry.models import EditConflictError, HardDeleteRefusedError, Patient, Visit


@pytest.mark.django_db
class TestSoftDelete:
    def test_deleting_a_row_is_refused(self, patient_a):
        visit = patient_a.visits.get()
        with pytest.raises(HardDeleteRefusedError) as caught:
            visit.delete()
        assert (caught.value.code, caught.value.params) == (
            "registry.no_hard_delete",
            {"record": "visit"},
        )

    def test_bulk_delete_is_refused(self, patient_a):
        with pytest.raises(HardDeleteRefusedError):
            Visit.objects.filter(patient=patient_a).delete()

    def test_soft_delete_keeps_the_row_and_records_it_in_history(self, patient_a):
        visit = patient_a.visits.get()
        visit.soft_delete(expected_version=visit.version)
        assert not Visit.objects.filter(pk=visit.pk).exists()
        kept = Visit.all_objects.get(pk=visit.pk)
        assert kept.is_deleted and kept.deleted_at is not None
        assert kept.history.first().is_deleted is True
        assert kept.history.count() == 2


@pytest.mark.django_db
class TestHistory:
    def test_every_save_is_recorded_with_old_and_new_values(self, patient_a):
        visit = patient_a.visits.get()
        visit.weight_kg = 15.0
        visit.save_checked(expected_version=1)
        newest, oldest = visit.history.all()[:2]
        delta = newest.diff_against(oldest)
        changed = {change.field: (change.old, change.new) for change in delta.changes}
        assert changed["weight_kg"] == (14.2, 15.0)
        assert newest.history_type == "~" and oldest.history_type == "+"


@pytest.mark.django_db
class TestOptimisticLocking:
    def test_save_from_current_version_bumps_the_version(self, patient_a):
        visit = patient_a.visits.get()
        visit.height_cm = 97.0
        visit.save_checked(expected_version=1)
        assert Visit.objects.get(pk=visit.pk).version == 2

    def test_second_save_from_the_same_version_is_refused_and_says_what_changed(self, patient_a):
        first = Visit.objects.get(patient=patient_a)
        second = Visit.objects.get(patient=patient_a)
        first.weight_kg = 15.5
        first.save_checked(expected_version=1)

        second.weight_kg = 13.0
        with pytest.raises(EditConflictError) as caught:
            second.save_checked(expected_version=1)
        conflict = caught.value
        assert [(c.field, c.old, c.new) for c in conflict.changes] == [("weight_kg", 14.2, 15.5)]
        assert "weight (kg): 14.2 -> 15.5" in str(conflict)
        assert "your changes were not saved" in str(conflict)
        # The first user's edit is kept; nothing was lost or overwritten.
        assert Visit.objects.get(pk=first.pk).weight_kg == 15.5

    @pytest.mark.parametrize(
        ("language", "sentence", "change"),
        [
            ("es", "Este registro (consulta) fue modificado por ", "peso (kg): 14.2 -> 15.5"),
            ("pt-br", "Este registro (consulta) foi alterado por ", "peso (kg): 14.2 -> 15.5"),
        ],
    )
    def test_the_conflict_is_a_catalogue_message_written_in_the_users_language(
        self, patient_a, language, sentence, change
    ):
        from django.utils import translation

        first = Visit.objects.get(patient=patient_a)
        second = Visit.objects.get(patient=patient_a)
        first.weight_kg = 15.5
        first.save_checked(expected_version=1)
        second.weight_kg = 13.0
        with translation.override(language):
            with pytest.raises(EditConflictError) as caught:
                second.save_checked(expected_version=1)
            shown = str(caught.value)
        assert caught.value.code == "registry.edit_conflict"
        assert shown.startswith(sentence) and change in shown
        assert "your changes" not in shown and "What changed" not in shown
        # Written when shown: the same error reads in English outside the user's language.
        assert str(caught.value).startswith("This visit was changed by ")

    def test_saving_a_record_someone_deleted_is_refused(self, patient_a):
        stale = Patient.objects.get(pk=patient_a.pk)
        patient_a.soft_delete(expected_version=1)
        stale.sex = "F"
        with pytest.raises(EditConflictError, match="deleted"):
            stale.save_checked(expected_version=1)

    def test_delete_after_someone_else_saved_says_where_the_current_values_are(
        self, client, entry_a, patient_a
    ):
        from django.contrib.messages import get_messages
        from django.urls import reverse

        visit = patient_a.visits.get()
        opened_at = visit.version
        visit.weight_kg = 15.5
        visit.save_checked(expected_version=opened_at)
        client.force_login(entry_a)
        url = reverse("registry:record_delete", args=[patient_a.pk, "visits", visit.pk])
        response = client.post(url, {"version": opened_at})
        assert response["Location"] == reverse("registry:patient_detail", args=[patient_a.pk])
        (message,) = [str(m) for m in get_messages(response.wsgi_request)]
        assert "it was not deleted" in message and "weight (kg): 14.2 -> 15.5" in message
        assert "The patient page now shows the current values" in message
        assert "form" not in message
        assert not Visit.objects.get(pk=visit.pk).is_deleted


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_from_threads_lose_no_update(centers):
    """Two threads save the same version at once: exactly one wins, one is told."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("Threads cannot share SQLite's in-memory test database; runs on PostgreSQL.")
    patient = Patient.objects.create(patient_id="T-1", center=centers["A"])
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(sex):
        from django.db import connection as thread_connection

        try:
            record = Patient.objects.get(pk=patient.pk)
            record.sex = sex
            barrier.wait(timeout=10)
            record.save_checked(expected_version=1)
            outcomes.append(("saved", sex))
        except EditConflictError:
            outcomes.append(("refused", sex))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=edit, args=(sex,)) for sex in ("M", "F")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    winner = next(sex for kind, sex in outcomes if kind == "saved")
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.sex == winner and stored.version == 2
