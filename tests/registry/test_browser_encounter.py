"""One visit with three labs and two medication changes, entered in Spanish in Chromium.

The whole entry is done from the keyboard on one page (dd/mm/aaaa dates, decimal
commas); the test counts the clicks, the fields typed, the keys pressed and the
page loads, which docs/registry.md reports ("Data entry: measured").
"""

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


class Recorder:
    """Does the user's actions on ``page`` and counts them."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.fields_typed = self.choices = self.saves = self.keys = 0
        self.page_loads = 0
        page.on("load", lambda _page: self._loaded())

    def _loaded(self):
        self.page_loads += 1

    def click(self, selector):
        self.clicks += 1
        self.page.click(selector)

    def type(self, text):
        """Type into the field that has the focus (one field, however many characters)."""
        self.fields_typed += 1
        self.page.keyboard.type(text)

    def key(self, name, times=1):
        for _ in range(times):
            self.keys += 1
            self.page.keyboard.press(name)

    def choose(self, label):
        """Choose an option of the focused list by its label (one choice)."""
        self.choices += 1
        self.page.locator("*:focus").select_option(label=label)

    def save(self):
        """Press Enter on the focused button or text box: the form is sent (one action)."""
        self.saves += 1
        self.page.keyboard.press("Enter")

    def focused(self) -> str:
        return self.page.evaluate("() => document.activeElement.name")

    @property
    def actions(self) -> int:
        return self.clicks + self.fields_typed + self.choices + self.saves


@pytest.mark.django_db(transaction=True)
def test_a_visit_with_three_labs_and_two_medication_changes_in_spanish(
    live_server, browser_page, make_user, patient_a
):
    from nephrocohort.registry.models import Lab, Medication, Visit

    make_user("enfermera", "data_entry", "A")
    context = browser_page.context.browser.new_context(
        locale="es-CO", viewport={"width": 1280, "height": 900}
    )
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(90_000)  # a loaded CI machine
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "enfermera")
        page.fill("#id_password", "a long test passphrase")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/patients/{patient_a.pk}/")

        # Measured from the patient page: open the visit form, enter everything, save.
        user = Recorder(page)
        user.click("#new-visit")
        page.wait_for_selector("#encounter-form")
        assert page.inner_text("label[for=id_date]").startswith("Fecha de la consulta")
        assert page.get_attribute("#id_date", "placeholder") == "dd/mm/aaaa"
        assert user.focused() == "date"  # the date has the focus when the page opens
        user.type("01/03/2016")
        for text in ("16,5", "101", "104", "66"):  # weight, height, systolic, diastolic
            user.key("Tab")
            user.type(text)
        assert user.focused() == "dbp_mmhg"
        # Edema, then the three preset lab rows (test and unit filled in): value, unit, next test.
        user.key("Tab")
        user.choose("No")
        user.key("Tab", 2)
        for text in ("0,15", "3,9", "0,35"):  # UPCR mg/mg, albumin g/dL, creatinine mg/dL
            assert user.focused().endswith("-value")
            user.type(text)
            user.key("Tab", 3)
        # A visit with three labs could be saved here (Enter in the last value): one more action.
        visit_and_labs = {"actions": user.actions + 1, "keys": user.keys}
        # Past the three empty lab rows to the ongoing MMF course: stop it on this date.
        user.key("Tab", 8)
        assert user.focused().startswith("stop") and user.focused().endswith("-stop")
        user.key("Space")
        user.key("Tab")
        user.type("remisión")
        # Start prednisolone: drug, dose, dose unit, schedule.
        user.key("Tab")
        assert user.focused() == "start0-drug"
        user.choose("Prednisolona")
        user.key("Tab")
        user.type("2")
        user.key("Tab")
        user.choose("mg/kg/day")
        user.key("Tab")
        user.choose("Diaria")
        # Past the second (empty) drug row to "Guardar"; Enter there saves (as it does in any
        # text box of the page: the first button is the plain "Guardar").
        user.key("Tab", 5)
        assert page.evaluate("() => document.activeElement.textContent") == "Guardar"
        with page.expect_navigation():
            user.save()
        assert "Consulta guardada: 6 registros." in page.inner_text(".messages")
        figures = {
            "page_loads": user.page_loads,
            "clicks": user.clicks,
            "fields_typed": user.fields_typed,
            "choices": user.choices,
            "actions": user.actions,
            "keys": user.keys,
            "visit_and_three_labs": visit_and_labs,
        }
        print("encounter entry figures:", figures)
    finally:
        context.close()

    visit = Visit.objects.get(patient=patient_a, date=dt.date(2016, 3, 1))
    assert (visit.weight_kg, visit.height_cm, visit.sbp_mmhg, visit.dbp_mmhg, visit.edema) == (
        16.5, 101, 104, 66, "no",
    )  # fmt: skip
    labs = {(lab.test, lab.value, lab.unit) for lab in Lab.objects.filter(date="2016-03-01")}
    assert labs == {
        ("upcr", "0.15", "mg/mg"),
        ("serum_albumin", "3.9", "g/dL"),
        ("serum_creatinine", "0.35", "mg/dL"),
    }
    mmf = Medication.objects.get(patient=patient_a, drug="mmf")
    assert (mmf.end_date, mmf.stop_reason) == (dt.date(2016, 3, 1), "remisión")
    started = Medication.objects.get(patient=patient_a, drug="prednisolone")
    assert (started.start_date, started.dose, started.dose_unit, started.schedule) == (
        dt.date(2016, 3, 1), 2, "mg/kg/day", "daily",
    )  # fmt: skip
    # The figures of docs/registry.md: the form page and the patient page it returns to;
    # 1 click, 10 fields typed, 4 choices, 1 save = 16 actions (11 for the visit and labs).
    assert figures["page_loads"] == 2
    assert (figures["clicks"], figures["fields_typed"], figures["choices"]) == (1, 10, 4)
    assert figures["actions"] == 16
    assert figures["visit_and_three_labs"]["actions"] == 11 < 12


@pytest.mark.django_db(transaction=True)
def test_visits_in_a_row_cost_one_page_load_each_with_save_and_add_another(
    live_server, browser_page, make_user, patient_a
):
    """docs/registry.md: the page after saving is the next visit's form, not an extra load."""
    from nephrocohort.registry.models import Lab, Visit

    make_user("enfermera", "data_entry", "A")
    context = browser_page.context.browser.new_context(
        locale="es-CO", viewport={"width": 1280, "height": 900}
    )
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(90_000)
    visits = [
        ("02/03/2016", ("16,6", "101", "100", "62"), ("0,12", "3,8", "0,34")),
        ("05/04/2016", ("16,9", "102", "98", "60"), ("0,10", "4,0", "0,33")),
    ]
    per_visit = []
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "enfermera")
        page.fill("#id_password", "a long test passphrase")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/patients/{patient_a.pk}/")
        user = Recorder(page)
        user.click("#new-visit")
        page.wait_for_selector("#encounter-form")
        for date, measures, lab_values in visits:
            before = (user.page_loads, user.actions)
            assert user.focused() == "date"  # the new form opens on the date
            user.type(date)
            for text in measures:  # weight, height, systolic, diastolic
                user.key("Tab")
                user.type(text)
            user.key("Tab")
            user.choose("No")
            user.key("Tab", 2)
            for text in lab_values:  # the three preset lab rows
                assert user.focused().endswith("-value")
                user.type(text)
                user.key("Tab", 3)
            # "Guardar y añadir otra": one action; the answer is the next visit's empty form.
            with page.expect_navigation():
                user.saves += 1
                page.click("button[name=then][value=another]")
            page.wait_for_selector("#encounter-form")
            assert "Consulta guardada: 4 registros." in page.inner_text(".messages")
            assert page.input_value("#id_date") == ""
            per_visit.append((user.page_loads - before[0], user.actions - before[1]))
        print("visits in a row (page loads, actions) per visit:", per_visit, user.page_loads)
    finally:
        context.close()

    stored = Visit.objects.filter(patient=patient_a, date__in=["2016-03-02", "2016-04-05"])
    assert sorted((v.date.isoformat(), v.weight_kg) for v in stored) == [
        ("2016-03-02", 16.6), ("2016-04-05", 16.9),
    ]  # fmt: skip
    assert Lab.objects.filter(patient=patient_a, date="2016-04-05", test="upcr").get().value == (
        "0.10"
    )
    # The click on "Nueva visita" loaded the first form; after it, each visit with three labs
    # is one page load (the save's answer is the next form) and 10 actions: 8 fields typed,
    # 1 choice (edema), 1 save.
    assert per_visit == [(1, 10), (1, 10)]
    assert user.page_loads == 3
