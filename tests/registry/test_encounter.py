"""One page per encounter: a visit, its labs and medication changes, saved together or not at all."""

import pytest
from django.urls import reverse

from nephrocohort.registry.models import FormSubmission, Lab, Medication, Visit


def _page(client, patient):
    response = client.get(reverse("registry:encounter_create", args=[patient.pk]))
    assert response.status_code == 200
    return response


def _form(page, **values) -> dict:
    """The page's own initial values (one-time token, preset tests and units), plus ``values``."""
    encounter = page.context["encounter"]
    data = {"submission": encounter.main.initial["submission"], "then": "patient"}
    for lab in encounter.labs:
        for name in ("test", "unit"):
            if lab.initial.get(name):
                data[f"{lab.prefix}-{name}"] = lab.initial[name]
    for stop in encounter.stops:
        data[f"{stop.prefix}-course"] = stop.initial["course"]
        data[f"{stop.prefix}-version"] = stop.initial["version"]
    data.update(values)
    return data


# A follow-up visit: three labs typed into the preset rows, MMF stopped, prednisolone started.
VISIT = {
    "date": "2016-03-01",
    "weight_kg": "16.5",
    "height_cm": "101",
    "sbp_mmhg": "104",
    "dbp_mmhg": "66",
    "edema": "no",
    "lab0-value": "0.15",
    "lab1-value": "3.9",
    "lab2-value": "0.35",
    "start0-drug": "prednisolone",
    "start0-dose": "2",
    "start0-dose_unit": "mg/kg/day",
    "start0-schedule": "daily",
}


@pytest.mark.django_db
class TestEncounter:
    def test_visit_labs_and_medication_changes_land_with_the_date_entered_once(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        mmf = Medication.objects.get(patient=patient_a, drug="mmf")
        values = {**VISIT, f"stop{mmf.pk}-stop": "on", f"stop{mmf.pk}-stop_reason": "remission"}
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.status_code == 302, (
            response.context and response.context["encounter"].main.errors
        )
        visit = Visit.objects.get(patient=patient_a, date="2016-03-01")
        assert (visit.weight_kg, visit.height_cm, visit.sbp_mmhg, visit.dbp_mmhg, visit.edema) == (
            16.5, 101, 104, 66, "no",
        )  # fmt: skip
        labs = {
            (lab.test, lab.value, lab.unit)
            for lab in Lab.objects.filter(patient=patient_a, date="2016-03-01")
        }
        assert labs == {
            ("upcr", "0.15", "mg/mg"),
            ("serum_albumin", "3.9", "g/dL"),
            ("serum_creatinine", "0.35", "mg/dL"),
        }
        mmf.refresh_from_db()
        assert (str(mmf.end_date), mmf.stop_reason) == ("2016-03-01", "remission")
        started = Medication.objects.get(patient=patient_a, drug="prednisolone")
        assert (str(started.start_date), started.dose, started.dose_unit) == (
            "2016-03-01", 2, "mg/kg/day",
        )  # fmt: skip

    def test_the_same_form_sent_twice_is_stored_once(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        data = _form(page, **VISIT)
        first = client.post(page.request["PATH_INFO"], data)
        second = client.post(page.request["PATH_INFO"], data, follow=True)
        assert first.status_code == 302
        assert b"already saved" in second.content
        assert Visit.objects.filter(patient=patient_a, date="2016-03-01").count() == 1
        assert Lab.objects.filter(patient=patient_a, date="2016-03-01").count() == 3
        assert FormSubmission.objects.count() == 1

    def test_one_refused_row_stores_nothing_and_keeps_what_was_typed(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        values = {**VISIT, "lab1-unit": "mg/dL"}  # albumin has no mg/dL
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.status_code == 200
        lab = response.context["encounter"].labs[1]
        assert lab.errors  # shown on the albumin row itself
        assert 'value="16.5"' in response.content.decode()  # the weight typed is still there
        assert not Visit.objects.filter(patient=patient_a, date="2016-03-01").exists()
        assert not Lab.objects.filter(patient=patient_a, date="2016-03-01").exists()

    def test_systolic_not_above_diastolic_must_be_confirmed(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        values = {**VISIT, "sbp_mmhg": "66", "dbp_mmhg": "104"}
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.status_code == 200
        [warning] = response.context["encounter"].warnings
        assert "not above the diastolic" in warning
        confirmed = {**values, "confirm_unusual_values": "on"}
        response = client.post(page.request["PATH_INFO"], _form(page, **confirmed))
        assert response.status_code == 302
        visit = Visit.objects.get(patient=patient_a, date="2016-03-01")
        assert visit.extra["confirmed_implausible"] == "sbp_mmhg"

    def test_a_course_changed_meanwhile_is_a_conflict_and_nothing_is_stored(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        mmf = Medication.objects.get(patient=patient_a, drug="mmf")
        mmf.dose = 500
        mmf.save_checked(expected_version=mmf.version)  # someone else, after the page opened
        values = {**VISIT, f"stop{mmf.pk}-stop": "on"}
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.status_code == 200
        assert "while you were editing it" in response.content.decode()
        assert 'value="16.5"' in response.content.decode()
        assert not Visit.objects.filter(patient=patient_a, date="2016-03-01").exists()
        assert FormSubmission.objects.count() == 0

    def test_save_and_next_patient_opens_the_next_patients_visit(
        self, client, entry_a, patient_a, centers
    ):
        from nephrocohort.registry.models import Patient

        following = Patient.objects.create(patient_id="A-002", center=centers["A"], sex="F")
        client.force_login(entry_a)
        page = _page(client, patient_a)
        response = client.post(page.request["PATH_INFO"], _form(page, **VISIT, then="next_patient"))
        assert response["Location"] == reverse("registry:encounter_create", args=[following.pk])

    def test_an_empty_page_saves_nothing_and_says_so(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        response = client.post(page.request["PATH_INFO"], _form(page, date="2016-03-01"))
        assert b"Nothing to save" in response.content

    def test_viewers_cannot_enter_visits(self, client, make_user, patient_a):
        client.force_login(make_user("mon", "monitor", "A"))
        url = reverse("registry:encounter_create", args=[patient_a.pk])
        assert client.get(url).status_code == 403


def test_every_code_of_the_vocabulary_has_a_label():
    from nephrocohort.cohort.vocabulary import DRUGS, LAB_TESTS, SCHEDULES
    from nephrocohort.registry.labels import DRUG_LABELS, SCHEDULE_LABELS, TEST_LABELS

    assert set(TEST_LABELS) == set(LAB_TESTS)
    assert set(DRUG_LABELS) == set(DRUGS)
    assert set(SCHEDULE_LABELS) == set(SCHEDULES)
