"""End to end in the system Chromium: log in, add a patient with a visit and a lab,
see the timeline, import a broken file and read the errors, export the center's data.

Screenshots are saved under test-artifacts/registry/ for a person to look at.
"""

import io
import zipfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "registry"

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _artifacts_folder():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def _broken_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "patients.csv",
            "patient_id,center,sex,birth_date\nA-201,A,X,2012-02-30\nA-202,A,F,2013-01-01\n",
        )
        archive.writestr(
            "labs.csv",
            "patient_id,date,test,value,unit\nA-202,2014-01-01,serum_albumin,2.1,mg/dL\n",
        )
    return path


@pytest.mark.django_db(transaction=True)
def test_registry_in_the_browser(live_server, browser_page, make_user, tmp_path):
    from nephrocohort.registry.models import Patient

    make_user("coordinator", "admin", "A")
    page = browser_page

    # Log in.
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "a long test passphrase")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # Add a patient.
    page.click("text=Add a patient")
    page.fill("#id_patient_id", "A-900")
    page.select_option("#id_center", label="A")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", "2013-04-02")
    page.fill("#id_onset_date", "2015-01-10")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Patient A-900')")

    # A visit and a lab.
    page.click("#add-visits")
    page.fill("#id_date", "2015-02-01")
    page.fill("#id_weight_kg", "15.2")
    page.fill("#id_height_cm", "98")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#table-visits")
    page.click("#add-labs")
    page.fill("#id_date", "2015-02-01")
    page.select_option("#id_test", "urine_protein_timed")
    page.fill("#id_value", "62")
    page.select_option("#id_unit", "mg/m2/h")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#table-labs")
    assert "62 mg/m2/h" in page.inner_text("#table-labs")

    # The timeline image is drawn (it loaded and has a size).
    timeline = page.locator("img.timeline")
    timeline.scroll_into_view_if_needed()
    # Polled from here: wait_for_function evaluates a string, which the page's CSP forbids.
    for _ in range(100):
        if timeline.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert timeline.evaluate("img => img.naturalWidth") > 500
    page.screenshot(path=str(ARTIFACTS / "patient-timeline.png"), full_page=True)
    patient = Patient.objects.get(patient_id="A-900")
    assert patient.labs.get().value == "62"

    # Import a broken file: every problem is listed, nothing is written.
    page.click("text=Import")
    page.set_input_files("#id_bundle", str(_broken_zip(tmp_path / "broken.zip")))
    page.click("button:has-text('Check the file')")
    problems = page.inner_text("#import-problems")
    assert "nothing was imported" in problems
    assert "'sex' is 'X'" in problems and "2012-02-30" in problems
    assert "unit 'mg/dL' is not accepted for serum_albumin" in problems
    page.screenshot(path=str(ARTIFACTS / "import-errors.png"), full_page=True)
    assert not Patient.objects.filter(patient_id__in=["A-201", "A-202"]).exists()

    # Export (de-identified by default).
    page.click("text=Export")
    with page.expect_download() as download_info:
        page.click("#export-button")
    download = download_info.value
    target = ARTIFACTS / "export.zip"
    download.save_as(str(target))
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        patients = archive.read("patients.csv").decode()
    assert "A-900" not in patients and "birth_date" in patients  # pseudonyms, shifted dates
    page.screenshot(path=str(ARTIFACTS / "export-page.png"), full_page=True)


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a long test passphrase")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_two_people_editing_the_same_visit(live_server, browser_page, make_user, patient_a):
    """The second save is refused with what changed; the first one is kept."""
    from nephrocohort.registry.models import Visit

    make_user("first_nurse", "data_entry", "A")
    make_user("second_nurse", "data_entry", "A")
    visit = patient_a.visits.get()
    edit = f"{live_server.url}/patients/{patient_a.pk}/visits/{visit.pk}/edit/"
    first = browser_page
    second = first.context.browser.new_context().new_page()
    try:
        _log_in(first, live_server.url, "first_nurse")
        _log_in(second, live_server.url, "second_nurse")
        first.goto(edit)
        second.goto(edit)
        first.fill("#id_weight_kg", "15.1")
        second.fill("#id_weight_kg", "13.9")
        first.click("button:has-text('Save')")
        first.wait_for_selector("text=Visit saved.")
        second.click("button:has-text('Save')")
        message = second.inner_text(".messages")
        second.screenshot(path=str(ARTIFACTS / "edit-conflict.png"), full_page=True)
    finally:
        second.context.close()
    assert "changed by first_nurse" in message
    assert "weight (kg): 14.2 -> 15.1" in message
    assert Visit.objects.get(pk=visit.pk).weight_kg == 15.1
