"""The registry suite once more, on PostgreSQL (the multi-center server's database).

It runs the other registry tests in a child pytest with
``NEPHROCOHORT_DATABASE_URL`` pointing at a throwaway database name on the
local server (127.0.0.1:5432, user postgres, trust authentication);
pytest-django creates ``test_<name>`` and drops it at the end, which this test
checks. On PostgreSQL the concurrent-save test runs with real threads and
row locks. Skipped, saying why, when no server answers.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _databases() -> set[str] | None:
    try:
        import psycopg

        with psycopg.connect(f"{_SERVER}/postgres", connect_timeout=3) as connection:
            rows = connection.execute("SELECT datname FROM pg_database").fetchall()
    except Exception:
        return None
    return {row[0] for row in rows}


@pytest.mark.postgres
@pytest.mark.slow
def test_registry_suite_passes_on_postgresql():
    if os.environ.get("NEPHROCOHORT_DATABASE_URL"):
        pytest.skip("This run already uses PostgreSQL (NEPHROCOHORT_DATABASE_URL is set).")
    if _databases() is None:
        pytest.skip(
            "No PostgreSQL server answers on 127.0.0.1:5432 as user postgres without a password; "
            "start one (e.g. pg_ctlcluster 15 main start) to run the registry tests on PostgreSQL."
        )
    name = f"nephrocohort_pytest_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "NEPHROCOHORT_DATABASE_URL": f"{_SERVER}/{name}"}
    here = Path(__file__).parent
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(here), "-q", "-p", "no:cacheprovider",
         "-m", "not browser and not slow and not postgres",
         # Settings and command-line tests do not touch the database.
         "--ignore", str(here / "test_server.py")],
        env=env, capture_output=True, text=True, timeout=600, cwd=here.parent.parent,
    )  # fmt: skip
    tail = "\n".join(result.stdout.splitlines()[-25:])
    assert result.returncode == 0, tail
    assert " passed" in tail and "skipped" not in tail.split("\n")[-1], tail
    assert f"test_{name}" not in (_databases() or set()), "the throwaway database was not dropped"
