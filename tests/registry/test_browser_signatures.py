"""In the system Chromium: a principal investigator signs and locks a reviewed patient record
(password and a TOTP code computed in the test, RFC 6238), a data-entry user's edit of the
locked record is refused, and the investigator unlocks it with a reason."""

import time
from pathlib import Path

import pytest
from tests.registry.totp import totp

pytestmark = pytest.mark.browser
PASSWORD = "a long test passphrase"


def _log_in(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_lock_with_a_signature_refused_edit_and_unlock(
    live_server, browser_page, make_user, patient_a
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nephrocohort.registry.models import PatientSignature, Visit

    page = browser_page
    url = live_server.url
    pi = make_user("pi_a", "pi", "A")
    pi.first_name, pi.last_name = "Ana", "Lima"
    pi.save()
    device = TOTPDevice.objects.create(user=pi, name="phone", confirmed=True)
    make_user("entry_a", "data_entry", "A")
    detail = f"{url}/patients/{patient_a.pk}/"

    # The investigator logs in (password, then this step's code) and signs with the next step's.
    _log_in(page, url, "pi_a")
    page.wait_for_url(f"{url}/login/code/**")
    page.fill("#id_token", totp(device.bin_key))
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"{url}/")
    page.goto(detail)
    page.click("#sign-patient")
    page.check("input[name=meaning][value=approved]")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_code", totp(device.bin_key, at=time.time() + 30))
    page.click("#sign-and-lock")
    page.wait_for_selector("#signature")
    banner = page.inner_text("#signature")
    signature = PatientSignature.active.get(patient=patient_a)
    assert "Locked" in banner
    assert f"signed by Ana Lima (pi_a) on {signature.signed_at:%Y-%m-%d %H:%M} UTC" in banner
    assert "meaning: approved" in banner
    page.click("button:has-text('Log out')")

    # A data-entry user sees no edit links, and a typed edit URL is refused with the reason.
    _log_in(page, url, "entry_a")
    page.wait_for_url(f"{url}/")
    page.goto(detail)
    assert page.locator("text=Edit patient").count() == 0
    assert page.locator("#new-visit").count() == 0
    visit = Visit.objects.get(patient=patient_a)
    page.goto(f"{url}/patients/{patient_a.pk}/visits/{visit.pk}/edit/")
    page.wait_for_url(detail)
    message = page.inner_text(".messages")
    assert "Patient A-001 is locked: Ana Lima (pi_a) signed it (approved)" in message
    assert "Ask a principal investigator to unlock it" in message
    page.click("button:has-text('Log out')")

    # The investigator unlocks it: a reason is required; the signature is then void.
    _log_in(page, url, "pi_a")
    page.wait_for_url(f"{url}/login/code/**")
    page.fill("#id_token", totp(device.bin_key, at=time.time() + 60))
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"{url}/")
    page.goto(detail)
    page.click("#unlock-patient")
    page.fill("#id_reason", "weight entered in pounds")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_code", totp(device.bin_key, at=time.time() + 90))
    page.click("#unlock")
    page.wait_for_selector("#sign-patient")
    assert page.locator("#signature").count() == 0
    voided = PatientSignature.objects.get(pk=signature.pk)
    assert voided.voided_at is not None and voided.void_reason == "weight entered in pounds"
    # Printed, the page is the record: its signatures (the voided one with its reason), the
    # records; no navigation, action links or forms (acceptance check of issue 14).
    page.emulate_media(media="print")
    assert page.locator("#signatures").is_visible()
    assert "weight entered in pounds" in page.inner_text("#signatures")
    assert page.locator("#table-visits").is_visible()
    for hidden in ("header", ".messages", "#sign-patient", "#patient-actions", "main form"):
        assert not page.locator(hidden).first.is_visible(), hidden
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "registry"
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / "signatures-printed.png"), full_page=True)
