"""``nephrocohort backup`` and ``restore``: a backup restored into an empty SQLite or
PostgreSQL database has every patient, record, history row and the intact audit chain.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

_CLI = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]
_SERVER = "postgresql://postgres@127.0.0.1:5432"

# Writes a patient with records, an edit (a "changed" history row) and a login event.
_SEED = """
import datetime as dt, sys
from nephrocohort.registry import server
server.configure(data_dir=sys.argv[1], database_url=sys.argv[2] or None)
server.migrate_only()
from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.models import Center, Lab, Patient, Visit
user = server.create_user("pi", role="admin", centers=["A"], password="a long test passphrase")
patient = Patient.objects.create(patient_id="A-1", center=Center.objects.get(code="A"),
                                 sex="F", birth_date=dt.date(2012, 3, 1))
Visit.objects.create(patient=patient, date=dt.date(2015, 2, 1), weight_kg=14.2)
Lab.objects.create(patient=patient, date=dt.date(2015, 2, 1), test="serum_albumin",
                   value="1.9", unit="g/dL")
patient.sex = "M"
patient.save_checked(expected_version=1)
record_event(None, "login", user=user)
"""

# Prints everything a restore must keep, as JSON, for comparing two databases.
_CONTENT = """
import json, sys
from nephrocohort.registry import server
server.configure(data_dir=sys.argv[1], database_url=sys.argv[2] or None)
from nephrocohort.registry.models import AccessEvent, AuditSeal, Lab, Patient, Visit
from django.contrib.auth import get_user_model
print(json.dumps({
    "patients": list(Patient.all_objects.values_list("patient_id", "sex", "birth_date", "version")),
    "visits": list(Visit.all_objects.values_list("patient__patient_id", "date", "weight_kg")),
    "labs": list(Lab.all_objects.values_list("patient__patient_id", "test", "value", "unit")),
    "history": list(Patient.history.order_by("history_id").values_list(
        "history_id", "history_type", "sex", "history_username", "history_date")),
    "events": list(AccessEvent.objects.values_list("username", "action", "when")),
    "seals": list(AuditSeal.objects.values_list("seq", "table", "row_id", "chain_hash")),
    "users": list(get_user_model().objects.values_list("username", "password")),
}, default=str))
"""


def _env():
    env = {**os.environ}
    env.pop("NEPHROCOHORT_DATABASE_URL", None)
    return env


def _run(*arguments, check=True):
    result = subprocess.run(list(arguments), env=_env(), capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _content(data_dir, url=""):
    return json.loads(_run(sys.executable, "-c", _CONTENT, str(data_dir), url).stdout)


def _round_trip(tmp_path, source_url="", target_url=""):
    source, target = tmp_path / "source", tmp_path / "target"
    _run(sys.executable, "-c", _SEED, str(source), source_url)
    db = ["--database-url", source_url] if source_url else []
    backup_file = tmp_path / "registry.backup"
    _run(*_CLI, "backup", "--out", str(backup_file), "--data-dir", str(source), *db)
    assert oct(backup_file.stat().st_mode & 0o777) == "0o600"
    into = ["--data-dir", str(target), *(["--database-url", target_url] if target_url else [])]
    restored = _run(*_CLI, "restore", str(backup_file), *into)
    assert "The audit chain is intact" in restored.stdout
    before, after = _content(source, source_url), _content(target, target_url)
    assert after == before
    assert before["patients"] == [["A-1", "M", "2012-03-01", 2]]
    assert [row[1] for row in before["history"]] == ["+", "~"]
    assert len(before["seals"]) >= 6 and before["events"][0][:2] == ["pi", "login"]
    verified = _run(*_CLI, "audit", "verify", *into)
    assert "The audit chain is intact" in verified.stdout
    # A second restore would overwrite data: refused, unless --force.
    refused = _run(*_CLI, "restore", str(backup_file), *into, check=False)
    assert refused.returncode == 2
    assert "The registry's database is not empty; nothing was restored." in refused.stderr
    forced = _run(*_CLI, "restore", str(backup_file), *into, "--force")
    assert "The audit chain is intact" in forced.stdout
    assert _content(target, target_url) == before


@pytest.mark.slow
def test_sqlite_backup_restores_into_an_empty_database(tmp_path):
    _round_trip(tmp_path)


def test_a_backup_file_is_never_overwritten_and_junk_is_not_restored(tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"keep me")
    result = _run(*_CLI, "backup", "--out", str(existing), "--data-dir", str(tmp_path / "d"),
                  check=False)  # fmt: skip
    assert result.returncode == 2 and "already exists" in result.stderr
    assert existing.read_bytes() == b"keep me"
    result = _run(*_CLI, "restore", str(existing), "--data-dir", str(tmp_path / "e"), check=False)
    assert result.returncode == 2
    assert "is neither a SQLite backup nor a PostgreSQL custom-format dump" in result.stderr


def _postgres_or_skip():
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client).")
    try:
        import psycopg

        psycopg.connect(f"{_SERVER}/postgres", connect_timeout=3).close()
    except Exception:
        pytest.skip("No PostgreSQL server answers on 127.0.0.1:5432 as user postgres (trust).")
    return psycopg


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_backup_restores_into_an_empty_database(tmp_path):
    psycopg = _postgres_or_skip()
    names = [f"nephrocohort_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("src", "dst")]
    with psycopg.connect(f"{_SERVER}/postgres", autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        _round_trip(tmp_path, f"{_SERVER}/{names[0]}", f"{_SERVER}/{names[1]}")
    finally:
        with psycopg.connect(f"{_SERVER}/postgres", autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_refusals_before_any_database_work_carry_their_code_and_path(tmp_path):
    # Both are checked before the database is touched, so no registry is needed here.
    from nephrocohort.registry.backup import BackupError, backup, restore

    existing = tmp_path / "registry.backup"
    existing.write_bytes(b"")
    with pytest.raises(BackupError) as caught:
        backup(existing)
    assert (caught.value.code, caught.value.params) == ("backup.exists", {"path": str(existing)})
    absent = tmp_path / "absent.backup"
    with pytest.raises(BackupError) as caught:
        restore(absent)
    assert (caught.value.code, caught.value.params) == ("backup.not_found", {"path": str(absent)})
