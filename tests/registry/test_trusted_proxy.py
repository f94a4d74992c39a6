"""``serve --trusted-proxy ADDR``: the documented HTTPS proxy setup, end to end (issue 14).

docs/registry.md says to run the production settings behind a reverse proxy
that sets ``X-Forwarded-Proto: https``. Waitress drops proxy headers unless
told which peer to trust, so every page redirected to https forever and the
login throttle saw only the proxy's address. This test starts the real
``nephrocohort serve`` with the production settings and speaks to it as the
proxy would (from 127.0.0.1, the trusted address): pages answer 200, and
failed logins are counted against the forwarded client address.
"""

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

_CLI = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]
CLIENT = "203.0.113.7"  # TEST-NET-3 (RFC 5737): the browser's address as the proxy saw it


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEPHROCOHORT_")}
    env["DJANGO_SETTINGS_MODULE"] = "nephrocohort.registry.settings_production"
    return env


def _request(port, method, path, headers, body=None):
    # The first request loads the whole application: seconds on a busy 2-core machine.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _wait_until_up(port, process):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("serve stopped: " + process.stderr.read())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("serve did not start listening in time")


@pytest.fixture
def proxied_server(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [*_CLI, "serve", "--port", str(port), "--data-dir", str(tmp_path),
         "--trusted-proxy", "127.0.0.1"],
        env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _proxy_headers(port, client=CLIENT):
    return {
        "Host": f"127.0.0.1:{port}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": client,
    }


@pytest.mark.slow
def test_https_behind_the_trusted_proxy_serves_pages_and_throttles_the_client(
    proxied_server, tmp_path
):
    port = proxied_server
    # A plain-http request (no proxy header) is sent to https, as the settings say.
    status, headers, _ = _request(port, "GET", "/login/", {"Host": f"127.0.0.1:{port}"})
    assert status == 301 and headers["Location"].startswith("https://")
    # Through the proxy: the page itself, no redirect (loop).
    status, headers, page = _request(port, "GET", "/login/", _proxy_headers(port))
    assert status == 200, (status, headers.get("Location"))
    assert "Strict-Transport-Security" in headers
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    body = f"csrfmiddlewaretoken={token}&username=nobody&password=wrong-password-1"

    def failed_login(client):
        headers = {
            **_proxy_headers(port, client),
            "Cookie": f"csrftoken={cookie}",
            "Origin": f"https://127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return _request(port, "POST", "/login/", headers, body)[0]

    # Five failures lock the user name from that client (429 on the fifth) ...
    assert [failed_login(CLIENT) for _ in range(5)] == [200, 200, 200, 200, 429]
    # ... and from that client only: the lock is not on the proxy's address.
    assert failed_login("198.51.100.9") == 200
    with sqlite3.connect(tmp_path / "registry.sqlite3") as database:
        attempts = database.execute(
            "SELECT ip_address, failures_since_start FROM axes_accessattempt"
        ).fetchall()
    assert sorted(attempts) == [("198.51.100.9", 1), (CLIENT, 5)]


def test_only_the_named_proxy_is_trusted_with_the_two_headers():
    from nephrocohort.registry import server

    options = server.waitress_options(trusted_proxy="10.0.0.5")
    assert options["trusted_proxy"] == "10.0.0.5"
    assert set(options["trusted_proxy_headers"].split()) == {"x-forwarded-proto", "x-forwarded-for"}
    assert options["clear_untrusted_proxy_headers"] is True
    assert "trusted_proxy" not in server.waitress_options(trusted_proxy=None)
