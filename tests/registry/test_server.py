"""Configuration, first run (migrations, demo), users, and the two commands."""

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request

import pytest

from nephrocohort.registry import server
from nephrocohort.registry._config import (
    RegistryConfigurationError,
    database_settings,
    secret_key,
)
from nephrocohort.registry.models import Center, UserProfile


class TestConfig:
    def test_secret_key_is_generated_once_into_a_private_file(self, tmp_path, monkeypatch):
        monkeypatch.delenv("NEPHROCOHORT_SECRET_KEY", raising=False)
        first = secret_key(tmp_path)
        assert len(first) >= 50 and secret_key(tmp_path) == first
        mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
        assert mode == 0o600

    def test_secret_key_from_the_environment_wins(self, tmp_path, monkeypatch):
        monkeypatch.setenv("NEPHROCOHORT_SECRET_KEY", "k" * 60)
        assert secret_key(tmp_path) == "k" * 60
        assert not (tmp_path / "secret_key").exists()

    def test_truncated_secret_key_file_is_refused(self, tmp_path, monkeypatch):
        monkeypatch.delenv("NEPHROCOHORT_SECRET_KEY", raising=False)
        (tmp_path / "secret_key").write_text("short")
        with pytest.raises(RegistryConfigurationError) as caught:
            secret_key(tmp_path)
        assert (caught.value.code, caught.value.params) == (
            "registry.secret_key_short",
            {"path": str(tmp_path / "secret_key")},
        )

    def test_sqlite_in_the_data_folder_by_default(self, tmp_path, monkeypatch):
        monkeypatch.delenv("NEPHROCOHORT_DATABASE_URL", raising=False)
        assert database_settings(tmp_path)["NAME"] == str(tmp_path / "registry.sqlite3")

    def test_postgresql_url_is_parsed(self, tmp_path, monkeypatch):
        monkeypatch.setenv("NEPHROCOHORT_DATABASE_URL", "postgresql://nc:p%40ss@db.local:5433/reg")
        db = database_settings(tmp_path)
        assert (db["ENGINE"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
            "django.db.backends.postgresql", "nc", "p@ss", "db.local", "5433", "reg",
        )  # fmt: skip

    @pytest.mark.parametrize(
        ("url", "code", "params"),
        [
            ("mysql://x@h/db", "registry.database_scheme", {"scheme": "mysql"}),
            ("postgresql://x@h/", "registry.database_no_name", {}),
        ],
    )
    def test_bad_database_url_says_what_is_expected(self, tmp_path, monkeypatch, url, code, params):
        monkeypatch.setenv("NEPHROCOHORT_DATABASE_URL", url)
        with pytest.raises(RegistryConfigurationError) as caught:
            database_settings(tmp_path)
        assert (caught.value.code, caught.value.params) == (code, params)


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "NEPHROCOHORT_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "nephrocohort.registry.settings_production",
    }
    env.pop("NEPHROCOHORT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "nephrocohort.registry.manage", "check", "--deploy",
         "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
class TestFirstRun:
    def test_first_run_makes_the_demo_account_and_later_runs_reuse_it(self, settings, tmp_path):
        settings.DATA_DIR = tmp_path
        from nephrocohort.cohort import demo_cohort
        from nephrocohort.registry.models import Lab, Patient

        demo = server.prepare(load_demo=True)
        assert demo.username == "demo" and len(demo.password) >= 12
        expected = demo_cohort()
        assert demo.patients_loaded == Patient.objects.count() == expected.n_patients
        assert Lab.objects.count() == expected.row_counts()["labs"]
        profile = UserProfile.objects.get(user__username="demo")
        assert profile.role == "admin" and Center.objects.exists()
        mode = stat.S_IMODE((tmp_path / "demo-login.txt").stat().st_mode)
        assert mode == 0o600
        again = server.prepare(load_demo=True)
        assert again == demo
        assert UserProfile.objects.count() == 1

    def test_registry_with_centers_gets_no_demo(self, settings, tmp_path, centers):
        settings.DATA_DIR = tmp_path
        assert server.prepare(load_demo=True) is None


@pytest.mark.django_db
class TestCreateUser:
    def test_user_with_role_and_centers(self, centers):
        user = server.create_user(
            "nurse", role="data_entry", centers=["A", "NEW"], password="correct horse battery"
        )
        profile = user.registry_profile
        assert profile.role == "data_entry"
        assert sorted(c.code for c in profile.centers.all()) == ["A", "NEW"]
        assert user.check_password("correct horse battery")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "center_codes", "password", "code", "params"),
    [
        ("doctor", ["A"], "correct horse battery", "registry.unknown_role", {"role": "doctor"}),
        ("monitor", [], "correct horse battery", "registry.needs_center", {"role": "monitor"}),
        ("monitor", ["A"], "12345678901", "registry.weak_password", {}),
        ("monitor", ["A"], "short", "registry.weak_password", {}),
    ],
)
def test_create_user_refusals_say_why(centers, role, center_codes, password, code, params):
    with pytest.raises(server.RegistryError) as caught:
        server.create_user("someone", role=role, centers=center_codes, password=password)
    error = caught.value
    assert error.code == code
    assert {key: error.params[key] for key in params} == params
    if code == "registry.weak_password":
        assert error.params["reasons"]  # Django's validators say why


class TestReadPassword:
    def test_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("NEPHROCOHORT_PASSWORD", "from the environment")
        assert server.read_password() == "from the environment"

    def test_from_standard_input(self, monkeypatch):
        import io

        monkeypatch.delenv("NEPHROCOHORT_PASSWORD", raising=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO("piped secret phrase\n"))
        assert server.read_password() == "piped secret phrase"

    def test_nothing_given(self, monkeypatch):
        import io

        monkeypatch.delenv("NEPHROCOHORT_PASSWORD", raising=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        with pytest.raises(server.RegistryError) as caught:
            server.read_password()
        assert caught.value.code == "registry.no_password"


def _cli_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEPHROCOHORT_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


# The installed `nephrocohort` command, run with this interpreter.
_CLI = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_createuser_command_reads_the_password_from_stdin(tmp_path):
    result = subprocess.run(
        [*_CLI, "createuser", "alice", "--role", "monitor",
         "--center", "ZAG", "--data-dir", str(tmp_path)],
        input="a sturdy passphrase\n", env=_cli_env(tmp_path), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "User alice created (monitor; centers: ZAG)" in result.stdout
    again = subprocess.run(
        [*_CLI, "createuser", "alice", "--role", "monitor",
         "--center", "ZAG", "--data-dir", str(tmp_path)],
        input="a sturdy passphrase\n", env=_cli_env(tmp_path), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert again.returncode == 2
    assert "Error: User 'alice' already exists." in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.slow
def test_serve_command_migrates_prints_the_login_and_serves(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [*_CLI, "serve", "--demo", "--port", str(port),
         "--data-dir", str(tmp_path)],
        env=_cli_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as page:
                    status = page.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
    finally:
        process.terminate()
        output, errors = process.communicate(timeout=30)
    assert f"NephroCohort registry at http://127.0.0.1:{port}/" in output
    assert "Demo login: user demo" in output
    # The output is a pipe, as a server log is: the password is only in the 0600 file.
    password = (tmp_path / "demo-login.txt").read_text(encoding="utf-8").split("\n")[1]
    assert password not in output and password not in errors
    assert (tmp_path / "registry.sqlite3").exists()


@pytest.mark.django_db
def test_models_and_migrations_agree():
    from django.core.management import call_command

    call_command("makemigrations", "registry", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("command", ["createuser", "setrole"])
def test_the_role_option_names_every_role(command):
    # The help is written without Django; it must not fall behind registry.models.Role
    # (it lacked 'pi' when principal investigators were added).
    import typer.main

    from nephrocohort.cli import app
    from nephrocohort.registry.models import Role

    click_command = typer.main.get_command(app).commands[command]
    role = next(p for p in click_command.params if p.name == "role")
    named = set(role.help.replace(",", " ").replace(".", " ").replace(":", " ").split())
    assert set(Role.values) <= named
