"""Managing users and centers: the admin site for administrators, and the CLI commands."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from nephrocohort.registry import server
from nephrocohort.registry.models import Patient

# The installed `nephrocohort` command, run with this interpreter, outside the test settings.
_CLI = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]


def _cli_env():
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEPHROCOHORT_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.mark.django_db
class TestAdminSite:
    def test_registry_administrator_manages_users_and_centers_in_the_browser(
        self, client, make_user, centers
    ):
        admin = make_user("boss", "admin")
        admin.refresh_from_db()
        assert admin.is_staff and not admin.is_superuser
        client.force_login(admin)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/auth/user/add/").status_code == 200
        assert client.get("/admin/registry/userprofile/").status_code == 200
        # The form prefills the age from which assent is required (a center setting, issue 14).
        center = {"code": "C", "name": "Center C", "assent_from_age_years": 7}
        response = client.post("/admin/registry/center/add/", center)
        assert response.status_code == 302
        # Clinical rows stay view-only.
        assert client.get("/admin/registry/patient/add/").status_code == 403

    def test_administrators_made_earlier_get_the_admin_site_on_start(self, make_user):
        user = make_user("boss", "admin")
        type(user).objects.filter(pk=user.pk).update(is_staff=False)
        user.groups.clear()
        server.prepare(load_demo=False)
        user.refresh_from_db()
        assert user.is_staff and user.groups.exists()

    def test_other_roles_are_not_let_into_the_admin_site(self, client, make_user):
        user = make_user("nurse", "data_entry", "A")
        client.force_login(user)
        assert client.get("/admin/").status_code == 302

    def test_losing_the_admin_role_ends_admin_site_access(self, make_user):
        user = make_user("boss", "admin")
        server.set_role("boss", role="monitor", centers=["A"])
        user.refresh_from_db()
        assert not user.is_staff and not user.groups.exists()


@pytest.mark.django_db
class TestSetRoleDeactivateRestore:
    def test_set_role_replaces_centers_and_is_audited(self, make_user, centers):
        make_user("ana", "monitor", "A")
        profile = server.set_role("ana", role="investigator", centers=["B", "NEW"])
        assert profile.role == "investigator"
        assert sorted(profile.centers.values_list("code", flat=True)) == ["B", "NEW"]
        assert [h.role for h in profile.history.order_by("history_id")][-1] == "investigator"

    def test_set_role_keeps_centers_when_none_given(self, make_user, centers):
        make_user("ana", "monitor", "A")
        profile = server.set_role("ana", role="data_entry")
        assert list(profile.centers.values_list("code", flat=True)) == ["A"]

    @pytest.mark.parametrize(
        ("username", "role", "code", "params"),
        [
            ("nobody", "monitor", "registry.no_user", {"username": "nobody"}),
            ("ana", "doctor", "registry.unknown_role", {"role": "doctor"}),
        ],
    )
    def test_set_role_refusals_say_why(self, make_user, username, role, code, params):
        make_user("ana", "monitor", "A")
        with pytest.raises(server.RegistryError) as caught:
            server.set_role(username, role=role)
        assert caught.value.code == code
        assert {key: caught.value.params[key] for key in params} == params

    def test_non_admin_without_centers_is_refused_and_nothing_changes(self, make_user):
        make_user("boss", "admin")
        with pytest.raises(server.RegistryError) as caught:
            server.set_role("boss", role="monitor")
        assert (caught.value.code, caught.value.params) == (
            "registry.needs_center",
            {"role": "monitor"},
        )
        assert server._registry_user("boss")[1].role == "admin"

    def test_deactivated_user_sees_nothing_and_cannot_log_in(self, client, make_user, patient_a):
        user = make_user("ana", "monitor", "A")
        server.deactivate_user("ana")
        user.refresh_from_db()
        assert not user.is_active
        response = client.post(
            reverse("registry:login"), {"username": "ana", "password": "a long test passphrase"}
        )
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert Patient.objects.visible_to(user).count() == 0

    def test_the_full_name_is_kept_whole_and_printed_with_a_signature(self, centers):
        """21 CFR 11.50(a)(1): a signature shows "the printed name of the signer"; createuser
        could not set one, so every signature named the login (acceptance check)."""
        from nephrocohort.registry.signatures import printed_name

        user = server.create_user(
            "alima",
            role="pi",
            centers=["A"],
            password="a sturdy passphrase",
            full_name="  Ana María   Lima Gómez ",
        )
        assert printed_name(user) == "Ana María Lima Gómez (alima)"
        with pytest.raises(server.RegistryError) as caught:
            server.create_user(
                "long",
                role="pi",
                centers=["A"],
                password="a sturdy passphrase",
                full_name="x" * 151,
            )
        # Django's User.first_name holds 150 characters.
        assert (caught.value.code, caught.value.params) == (
            "registry.name_too_long",
            {"length": 151, "maximum": 150},
        )

    def test_restore_a_deleted_patient(self, patient_a):
        patient_a.soft_delete(expected_version=patient_a.version)
        server.restore_patient("A-001")
        assert Patient.objects.filter(patient_id="A-001").exists()
        with pytest.raises(server.RegistryError) as caught:
            server.restore_patient("A-001")
        assert (caught.value.code, caught.value.params) == (
            "registry.no_deleted_patient",
            {"patient_id": "A-001"},
        )


@pytest.mark.slow
def test_setrole_and_deactivate_commands(tmp_path):
    def run(*args, stdin=""):
        return subprocess.run(
            [*_CLI, *args, "--data-dir", str(tmp_path)],
            input=stdin, env=_cli_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert run("createuser", "ana", "--role", "monitor", "--center", "ZAG",
               stdin="a sturdy passphrase\n").returncode == 0  # fmt: skip
    changed = run("setrole", "ana", "--role", "data_entry", "--center", "MED")
    assert changed.returncode == 0, changed.stderr
    assert "User ana is now data_entry (centers: MED)." in changed.stdout
    gone = run("deactivate", "ana")
    assert gone.returncode == 0 and "ana can no longer log in" in gone.stdout
    missing = run("deactivate", "nobody")
    assert missing.returncode != 0 and "There is no user 'nobody'" in missing.stderr
    assert "Traceback" not in missing.stderr
