"""The demo cohort and its administrator only with ``serve --demo``; no password in a log.

Issue 14: the first ``serve`` against any empty database loaded the demo
and printed the demo administrator's password to standard output (the server
log). Now an empty registry stays empty unless ``--demo`` is given, and the
password is shown only on an interactive terminal; otherwise only the path of
the owner-only (0600) file that holds it is printed.
"""

import stat

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.registry import server
from nephrocohort.registry.models import Center, Patient, UserProfile


@pytest.fixture
def offline_serve(settings, tmp_path, monkeypatch):
    """``nephrocohort serve`` up to the point where waitress would start (it is not started)."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(server, "configure", lambda **kwargs: tmp_path)
    served = []
    monkeypatch.setattr(server, "serve", lambda **kwargs: served.append(kwargs))
    return served


@pytest.mark.django_db
class TestServeDemoFlag:
    def test_empty_database_without_demo_stays_empty(self, offline_serve, tmp_path):
        result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert offline_serve, "the server was not started"
        assert not Center.objects.exists() and not Patient.objects.exists()
        assert not UserProfile.objects.exists()
        assert not (tmp_path / "demo-login.txt").exists()
        assert "createuser" in result.output

    def test_demo_flag_loads_it_and_prints_no_password_to_a_log(self, offline_serve, tmp_path):
        result = CliRunner().invoke(app, ["serve", "--demo", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        login = tmp_path / "demo-login.txt"
        password = login.read_text(encoding="utf-8").split("\n")[1]
        assert len(password) >= 12
        assert stat.S_IMODE(login.stat().st_mode) == 0o600
        # CliRunner's output is not a terminal, as a server log is not.
        assert password not in result.output
        assert str(login) in result.output and "user demo" in result.output
        assert Patient.objects.exists()

    def test_on_a_terminal_the_password_is_shown(self, offline_serve, tmp_path, monkeypatch):
        from nephrocohort.cli import _registry

        monkeypatch.setattr(_registry, "_on_terminal", lambda: True)
        result = CliRunner().invoke(app, ["serve", "--demo", "--data-dir", str(tmp_path)])
        password = (tmp_path / "demo-login.txt").read_text(encoding="utf-8").split("\n")[1]
        assert password in result.output

    def test_demo_flag_on_a_registry_with_data_loads_nothing(
        self, offline_serve, tmp_path, centers
    ):
        result = CliRunner().invoke(app, ["serve", "--demo", "--data-dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert not Patient.objects.exists()
        assert "not loaded" in result.output


@pytest.mark.django_db
def test_prepare_loads_no_demo_unless_asked(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert server.prepare() is None
    assert not Center.objects.exists()
