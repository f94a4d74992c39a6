"""In the system Chromium: an administrator sets up two-factor login and logs in with a
TOTP code computed in the test (RFC 6238), as an authenticator app would show it."""

import time

import pytest
from tests.registry.totp import totp

pytestmark = pytest.mark.browser
PASSWORD = "a long test passphrase"


@pytest.fixture
def page(browser_page):
    return browser_page


def _password_step(page, url):
    page.goto(f"{url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_two_factor_login_in_the_browser(live_server, page, make_user, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REGISTRY_TWO_FACTOR_REQUIRED = True
    boss = make_user("boss", "admin", "A")
    url = live_server.url

    # First login: the password alone leads to the set-up page, nowhere else.
    _password_step(page, url)
    page.wait_for_url(f"{url}/account/two-factor/")
    page.goto(f"{url}/")
    page.wait_for_url(f"{url}/account/two-factor/")
    key = TOTPDevice.objects.get(user=boss, confirmed=False).bin_key
    assert page.inner_text("#otp-key") == key.hex()
    page.fill("#id_token", totp(key))
    page.click("button:has-text('Confirm')")
    assert len(page.locator("#recovery-codes li").all()) == 10
    page.click("text=Continue to the registry")
    page.wait_for_selector("text=Access log")
    page.click("button:has-text('Log out')")

    # Next login: password, then the code of the next 30-second step (one step of drift is
    # accepted; this step's code was used by the set-up and works once).
    _password_step(page, url)
    page.wait_for_url(f"{url}/login/code/**")
    page.fill("#id_token", "000000")
    page.click("button:has-text('Continue')")
    assert "This code is wrong or was already used." in page.inner_text("main")
    device = TOTPDevice.objects.get(user=boss)
    device.throttling_failure_count = 0  # django-otp delays the try after a wrong code
    device.throttling_failure_timestamp = None
    device.save()
    page.fill("#id_token", totp(key, at=time.time() + 30))
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"{url}/")
    assert "boss" in page.inner_text("header")
