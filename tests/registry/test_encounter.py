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


@pytest.mark.django_db
class TestEncounterEntry:
    """Item 1 of issue 13's data entry: buttons, keyboard, required marks, numeric inputs."""

    def test_save_and_add_another_opens_a_new_visit_of_the_same_patient(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        response = client.post(page.request["PATH_INFO"], _form(page, **VISIT, then="another"))
        assert response["Location"] == reverse("registry:encounter_create", args=[patient_a.pk])
        assert Visit.objects.filter(patient=patient_a, date="2016-03-01").count() == 1
        fresh = client.get(response["Location"])
        # A new page: a new one-time token and an empty date.
        token = fresh.context["encounter"].main.initial["submission"]
        assert token != page.context["encounter"].main.initial["submission"]
        assert 'name="date" ' in fresh.content.decode()

    def test_enter_saves_with_the_plain_save_button_and_tab_follows_the_page(
        self, client, entry_a, patient_a
    ):
        import re

        client.force_login(entry_a)
        html = _page(client, patient_a).content.decode()
        form = html[html.index('id="encounter-form"') :]
        # Enter in a field presses the form's first submit button: plain "Save".
        first_button = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
        assert 'value="patient"' in first_button
        # No tabindex reorders the page: Tab goes date, weight, height, BP, edema, labs, drugs.
        assert "tabindex" not in form
        names = re.findall(r'name="([a-z0-9_-]+)"', form)
        visible = [n for n in names if n not in ("csrfmiddlewaretoken", "submission")]
        assert visible[:6] == ["date", "weight_kg", "height_cm", "sbp_mmhg", "dbp_mmhg", "edema"]
        assert visible[6:9] == ["lab0-test", "lab0-value", "lab0-unit"]
        assert re.search(r'<input[^>]*name="date"[^>]*autofocus', form)

    def test_required_date_is_marked_and_numbers_have_numeric_inputs(
        self, client, entry_a, patient_a
    ):
        import re

        client.force_login(entry_a)
        html = _page(client, patient_a).content.decode()
        label = re.search(r'<label for="id_date">.*?</label>', html).group(0)
        assert '<abbr class="required"' in label
        assert re.search(r'<input[^>]*name="date"[^>]*aria-required="true"', html)
        # The decimal keyboard, in a text box: Chromium's type=number drops a typed "16,5"'s
        # comma in a Spanish page (the browser test found 165 kg).
        for name in ("weight_kg", "height_cm", "sbp_mmhg", "dbp_mmhg", "start0-dose"):
            tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
            assert 'type="text"' in tag and 'inputmode="decimal"' in tag, name
        lab = re.search(r'<input[^>]*name="lab0-value"[^>]*>', html).group(0)
        assert 'inputmode="decimal"' in lab  # text box: a dipstick grade is "2+"
        assert 'data-text-tests="[&quot;dipstick_protein&quot;]"' in html

    def test_the_unit_list_offered_per_test_is_the_tests_accepted_units(
        self, client, entry_a, patient_a
    ):
        import json
        import re

        client.force_login(entry_a)
        html = _page(client, patient_a).content.decode()
        units = json.loads(re.search(r'data-units="([^"]*)"', html).group(1).replace("&quot;", '"'))
        # Serum albumin: g/dL or g/L only (the data contract's units), never mg/dL.
        assert sorted(units["serum_albumin"]) == ["g/L", "g/dL"]
        assert units["upcr"][0] == "mg/mg"

    def test_a_decimal_comma_is_a_decimal_point(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        values = {**VISIT, "lab1-value": "3,9", "weight_kg": "16,5", "start0-dose": "2,5"}
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.status_code == 302
        albumin = Lab.objects.get(patient=patient_a, date="2016-03-01", test="serum_albumin")
        assert albumin.value == "3.9"
        assert Visit.objects.get(patient=patient_a, date="2016-03-01").weight_kg == 16.5
        assert Medication.objects.get(patient=patient_a, drug="prednisolone").dose == 2.5

    def test_a_number_with_two_commas_is_refused(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        values = {**VISIT, "weight_kg": "1,6,5"}
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.context["encounter"].main.errors["weight_kg"] == ["Enter a number."]

    def test_an_implausible_lab_value_needs_the_confirmation_box(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        values = {**VISIT, "lab1-value": "39"}  # albumin 39 g/dL: the g/L figure in the wrong unit
        response = client.post(page.request["PATH_INFO"], _form(page, **values))
        assert response.status_code == 200
        assert response.context["encounter"].warnings
        assert 'name="confirm_unusual_values"' in response.content.decode()
        assert not Lab.objects.filter(patient=patient_a, date="2016-03-01").exists()


@pytest.mark.django_db
class TestEncounterDates:
    """dd/mm/yyyy in Spanish and Portuguese, in a text box; ISO in storage."""

    @pytest.mark.parametrize("language", ["es", "pt-BR"])
    def test_a_date_typed_dd_mm_yyyy_is_stored_iso(self, client, entry_a, patient_a, language):
        client.force_login(entry_a)
        url = reverse("registry:encounter_create", args=[patient_a.pk])
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert 'placeholder="dd/mm/aaaa"' in html
        assert 'type="date"' not in html  # not the browser's own (mm/dd/yyyy) date input
        data = _form(page, **{**VISIT, "date": "01/03/2016"})
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302
        assert Visit.objects.get(patient=patient_a, date="2016-03-01").weight_kg == 16.5

    def test_a_date_that_is_not_one_says_how_to_write_it(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        url = reverse("registry:encounter_create", args=[patient_a.pk])
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        data = _form(page, **{**VISIT, "date": "03/13/2016"})  # month 13: typed mm/dd
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        [error] = response.context["encounter"].main.errors["date"]
        assert error == (
            "'03/13/2016' no es una fecha; escríbala como dd/mm/aaaa (día, mes, año), "
            "p. ej. 01/03/2016."
        )
        assert 'value="03/13/2016"' in response.content.decode()  # what was typed stays
        assert not Visit.objects.filter(patient=patient_a, date="2016-03-01").exists()

    def test_english_keeps_iso_dates(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        url = reverse("registry:encounter_create", args=[patient_a.pk])
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert 'placeholder="yyyy-mm-dd"' in page.content.decode()
        response = client.post(url, _form(page, **{**VISIT, "date": "01/03/2016"}))
        assert "write it as yyyy-mm-dd" in response.context["encounter"].main.errors["date"][0]


@pytest.mark.django_db
class TestEncounterConflicts:
    def test_a_conflict_keeps_the_typed_values_beside_the_newer_saved_ones(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        mmf = Medication.objects.get(patient=patient_a, drug="mmf")
        data = _form(page, **VISIT, **{f"stop{mmf.pk}-stop": "on"})
        data[f"stop{mmf.pk}-stop_reason"] = "remission"
        mmf.dose = 500
        mmf.save_checked(expected_version=mmf.version)  # someone else, after the page opened
        response = client.post(page.request["PATH_INFO"], data)
        html = response.content.decode()
        assert response.status_code == 200
        # Typed: still in the inputs. Saved meanwhile: on the course's row.
        assert 'value="16.5"' in html and 'value="remission"' in html
        assert "Saved meanwhile: dose: 600.0 -&gt; 500.0" in html
        assert "mmf 500.0" in html.replace("Mycophenolate mofetil (MMF)", "mmf")
        # The page now carries the newer version: the same page saved again is stored.
        again = client.post(page.request["PATH_INFO"], _refreshed(response))
        assert again.status_code == 302
        mmf.refresh_from_db()
        assert (str(mmf.end_date), mmf.dose) == ("2016-03-01", 500)

    def test_a_course_deleted_meanwhile_is_said_in_words(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        page = _page(client, patient_a)
        mmf = Medication.objects.get(patient=patient_a, drug="mmf")
        mmf.soft_delete(expected_version=mmf.version)
        response = client.post(
            page.request["PATH_INFO"], _form(page, **VISIT, **{f"stop{mmf.pk}-stop": "on"})
        )
        assert response.status_code == 200
        [error] = response.context["encounter"].main.non_field_errors()
        assert error.startswith(
            "The Mycophenolate mofetil (MMF) course you marked to stop was deleted by "
        )
        assert "nothing was saved" in error
        assert not Visit.objects.filter(patient=patient_a, date="2016-03-01").exists()


def _refreshed(response) -> dict:
    """The posted form as the re-rendered page holds it (the values it shows, its versions)."""
    return {key: value for key, value in response.context["encounter"].main.data.items()}
