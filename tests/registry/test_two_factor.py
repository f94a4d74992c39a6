"""Two-factor login: mandatory for administrators and for roles that may export identifiable
data, optional for others; recovery codes; a reset from the command line; changing one's
own password; one password tried against many user names is throttled too."""

import os
import subprocess
import sys
import time

import pytest
from django.urls import reverse
from tests.registry.totp import totp

PASSWORD = "a long test passphrase"


@pytest.fixture(autouse=True)
def _two_factor_on(settings, _two_factor_optional):
    settings.REGISTRY_TWO_FACTOR_REQUIRED = True


def test_the_test_totp_matches_rfc_6238():
    # RFC 6238 appendix B: secret "12345678901234567890", SHA1, T = 59 s -> 94287082 (8 digits).
    assert totp(b"12345678901234567890", at=59, digits=8) == "94287082"
    assert totp(b"12345678901234567890", at=1111111109, digits=8) == "07081804"


def _log_in(client, username, password=PASSWORD):
    return client.post(reverse("registry:login"), {"username": username, "password": password})


def _set_up(client, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert client.get(reverse("registry:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("registry:otp_setup"), {"token": totp(device.bin_key)})
    assert response.status_code == 200
    return device, response.context["codes"]


def test_an_administrator_must_set_up_a_second_factor_first(make_user, client):
    make_user("boss", "admin", "A")
    response = _log_in(client, "boss")
    assert response.status_code == 302
    for path in (reverse("registry:patient_list"), "/admin/", reverse("registry:access_log")):
        assert client.get(path)["Location"] == reverse("registry:otp_setup")


def test_set_up_then_every_login_needs_a_code(make_user, client):
    boss = make_user("boss", "admin", "A")
    _log_in(client, "boss")
    device, codes = _set_up(client, boss)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("registry:patient_list")).status_code == 200
    client.post(reverse("registry:logout"))

    _log_in(client, "boss")
    page = client.get(reverse("registry:patient_list"))
    assert page["Location"].startswith(reverse("registry:otp_verify"))
    wrong = client.post(reverse("registry:otp_verify"), {"token": "000000"})
    assert "This code is wrong or was already used." in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp slows down guessing; reset for the next try
    device.throttling_failure_timestamp = None
    device.save()
    # The set-up used this 30-second step's code, and a code works once: the next step's code
    # (django-otp accepts one step of clock drift).
    next_step = totp(device.bin_key, at=time.time() + 30)
    ok = client.post(reverse("registry:otp_verify"), {"token": next_step})
    assert ok.status_code == 302
    assert client.get(reverse("registry:patient_list")).status_code == 200


def test_a_recovery_code_works_once(make_user, client):
    boss = make_user("boss", "admin", "A")
    _log_in(client, "boss")
    _, codes = _set_up(client, boss)
    for attempt in range(2):
        client.post(reverse("registry:logout"))
        _log_in(client, "boss")
        response = client.post(reverse("registry:otp_verify"), {"token": codes[0]})
        assert response.status_code == (302 if attempt == 0 else 200)


def test_roles_that_export_identifiable_data_need_it_others_may_choose(make_user, client):
    from nephrocohort.registry.models import ROLE_PERMISSIONS

    required = {
        role for role, allowed in ROLE_PERMISSIONS.items() if "export_identifiable" in allowed
    }
    for role in ROLE_PERMISSIONS:
        make_user(f"u_{role}", role, "A")
        _log_in(client, f"u_{role}")
        status = client.get(reverse("registry:patient_list")).status_code
        assert status == (302 if role in required else 200), role
        client.post(reverse("registry:logout"))


def test_an_optional_second_factor_once_set_up_is_asked_for(make_user, client):
    entry = make_user("entry", "data_entry", "A")
    _log_in(client, "entry")
    _set_up(client, entry)
    client.post(reverse("registry:logout"))
    _log_in(client, "entry")
    assert client.get(reverse("registry:patient_list"))["Location"].startswith(
        reverse("registry:otp_verify")
    )


def test_users_change_their_own_password(make_user, client):
    make_user("entry", "data_entry", "A")
    _log_in(client, "entry")
    response = client.post(
        reverse("registry:password_change"),
        {"old_password": PASSWORD, "new_password1": "another long phrase 42",
         "new_password2": "another long phrase 42"},
    )  # fmt: skip
    assert response.status_code == 302
    client.post(reverse("registry:logout"))
    assert _log_in(client, "entry").status_code == 200  # the old password: the form again
    assert _log_in(client, "entry", "another long phrase 42").status_code == 302


def test_one_password_tried_against_many_user_names_is_throttled(make_user, client):
    make_user("entry", "data_entry", "A")
    for n in range(5):
        _log_in(client, f"guess{n}", "Summer2026!")
    # Five failures from this address under five names: now even a right password is refused.
    response = _log_in(client, "entry")
    assert response.status_code == 429


def test_the_command_line_resets_a_users_devices(tmp_path):
    env = {**os.environ, "NEPHROCOHORT_PASSWORD": PASSWORD}
    env.pop("NEPHROCOHORT_DATABASE_URL", None)
    seed = (
        "import sys\nfrom nephrocohort.registry import server\n"
        "server.configure(data_dir=sys.argv[1]); server.migrate_only()\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from nephrocohort.registry.two_factor import make_recovery_codes\n"
        "user = server.create_user('boss', role='admin', centers=['A'], password=sys.argv[2])\n"
        "TOTPDevice.objects.create(user=user, name='phone')\nmake_recovery_codes(user)\n"
    )
    subprocess.run([sys.executable, "-c", seed, str(tmp_path), PASSWORD], env=env, check=True)
    cli = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]
    result = subprocess.run(
        [*cli, "resetotp", "boss", "--data-dir", str(tmp_path)], env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Two-factor login of boss reset (2 devices removed)." in result.stdout
    unknown = subprocess.run(
        [*cli, "resetotp", "nobody", "--data-dir", str(tmp_path)], env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert unknown.returncode == 2 and "There is no user 'nobody'." in unknown.stderr
