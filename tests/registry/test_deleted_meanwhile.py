"""Editing a record someone deleted meanwhile: the page says so, who and when (issue 13)."""

import pytest
from django.test import Client
from django.urls import reverse

from nephrocohort.registry.models import Lab


@pytest.mark.django_db
class TestDeletedMeanwhile:
    def test_saving_an_edit_of_a_deleted_lab_says_it_was_deleted(
        self, client, entry_a, make_user, patient_a
    ):
        lab = patient_a.labs.get(test="serum_albumin")
        url = reverse("registry:record_edit", args=[patient_a.pk, "labs", lab.pk])
        client.force_login(entry_a)
        assert client.get(url).status_code == 200  # the form is open
        other = Client()
        other.force_login(make_user("colleague", "data_entry", "A"))
        delete = reverse("registry:record_delete", args=[patient_a.pk, "labs", lab.pk])
        other.post(delete, {"version": lab.version})
        response = client.post(
            url,
            {"date": "2015-02-01", "test": "serum_albumin", "value": "2.0", "unit": "g/dL",
             "version": "1"},
        )  # fmt: skip
        assert response.status_code == 404
        page = response.content.decode()
        assert "This lab result was deleted by colleague on " in page
        assert "they were not saved" in page
        assert Lab.all_objects.get(pk=lab.pk).value == "1.9"

    def test_another_centers_deleted_record_is_not_confirmed(self, client, entry_b, patient_a):
        lab = patient_a.labs.get(test="serum_albumin")
        lab.soft_delete(expected_version=lab.version)
        client.force_login(entry_b)
        url = reverse("registry:record_edit", args=[patient_a.pk, "labs", lab.pk])
        response = client.get(url)
        assert response.status_code == 404
        assert b"was deleted" not in response.content
