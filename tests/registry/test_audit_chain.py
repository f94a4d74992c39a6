"""The audit is tamper-evident: every history row and access event is sealed into a
SHA-256 chain, and ``audit verify`` names the first row edited, removed or added by hand.
"""

import os
import subprocess
import sys
import threading

import pytest
from django.db import connection

from nephrocohort.registry.audit_chain import seal_pending, verify_chain
from nephrocohort.registry.models import AccessEvent, AuditChainHead, AuditSeal, Patient

_CLI = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]


def _history_table(model) -> str:
    return model.history.model._meta.db_table


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_audit_verifies(patient_a):
    report = verify_chain()
    # The patient and its nine records, each with its "created" history row.
    assert report.ok, report.problems
    assert report.checked == AuditSeal.objects.count() >= 10
    assert AuditChainHead.objects.get().last_hash == report.head_hash


def test_a_history_row_edited_by_hand_is_named(patient_a):
    row = Patient.history.get(id=patient_a.pk)
    _raw(f"UPDATE {_history_table(Patient)} SET sex = 'F' WHERE history_id = %s", [row.pk])
    report = verify_chain(first_only=True)
    assert report.problems == (
        f"The historical patient row #{row.pk} (seal "
        f"{AuditSeal.objects.get(table='registry.historicalpatient', row_id=row.pk).seq}) "
        "was changed after it was written.",
    )


def test_a_history_row_deleted_by_hand_is_named(patient_a):
    row = patient_a.visits.get().history.get()
    _raw(f"DELETE FROM {row._meta.db_table} WHERE history_id = %s", [row.pk])
    (problem,) = verify_chain().problems
    assert problem.startswith(f"The historical visit row #{row.pk} ") and "was removed" in problem


def test_a_history_row_inserted_by_hand_has_no_seal(patient_a):
    row = Patient.history.get(id=patient_a.pk)
    table = _history_table(Patient)
    _raw(
        f"INSERT INTO {table} (id, patient_id, center_id, sex, birth_date, onset_date, "
        "family_history_ns, consanguinity, hbv, hcv, syphilis, hiv, edema_at_onset, "
        "hypertension_at_onset, aki_at_onset, hematuria_at_onset, version, is_deleted, "
        "created_at, updated_at, extra, history_date, history_type, history_username) "
        f"SELECT id, patient_id, center_id, 'F', birth_date, onset_date, family_history_ns, "
        "consanguinity, hbv, hcv, syphilis, hiv, edema_at_onset, hypertension_at_onset, "
        "aki_at_onset, hematuria_at_onset, version + 1, is_deleted, created_at, updated_at, "
        f"extra, history_date, '~', history_username FROM {table} WHERE history_id = %s",
        [row.pk],
    )
    added = Patient.history.exclude(pk=row.pk).get()
    assert verify_chain().problems == (
        f"The historical patient row #{added.pk} has no seal: it was written outside the registry.",
    )


def test_a_seal_removed_breaks_the_chain_at_the_next_one(patient_a):
    second, third = AuditSeal.objects.order_by("seq")[1:3]
    _raw(f"DELETE FROM {AuditSeal._meta.db_table} WHERE seq = %s", [second.seq])
    problems = verify_chain().problems
    assert problems[0].startswith(f"The audit chain is broken at seal {third.seq} ")


def test_the_newest_seals_removed_are_found_by_the_head(patient_a):
    last = AuditSeal.objects.order_by("-seq").first()
    count = AuditSeal.objects.count()
    _raw(f"DELETE FROM {AuditSeal._meta.db_table} WHERE seq = %s", [last.seq])
    problems = verify_chain().problems
    assert problems[0] == (
        f"The audit chain should have {count} seals and has {count - 1}: "
        "its newest seals were removed."
    )


def test_bulk_imported_rows_are_sealed(make_user):
    from nephrocohort.cohort import demo_cohort
    from nephrocohort.registry.bundle_io import write_cohort

    user = make_user("importer", "admin")
    write_cohort(demo_cohort(), user)
    assert Patient.history.count() > 10
    assert verify_chain().ok
    assert seal_pending() == 0


def test_access_events_are_sealed_too(entry_a, client):
    client.force_login(entry_a)
    event = AccessEvent.objects.get(action="login")
    _raw(f"UPDATE {AccessEvent._meta.db_table} SET username = 'someone' WHERE id = %s", [event.pk])
    (problem,) = verify_chain().problems
    assert problem.startswith(f"The access event row #{event.pk} ")


@pytest.mark.django_db(transaction=True)
def test_migrating_chains_the_rows_written_before(centers):
    """Rows written before the chain existed are sealed, oldest first, when the chain migration is applied."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    (chain_migration,) = [
        key
        for key in executor.loader.graph.nodes
        if key[0] == "registry" and "audit_chain" in key[1]
    ]
    before = [
        parent.key for parent in executor.loader.graph.node_map[chain_migration].parents
        if parent.key[0] == "registry"
    ]  # fmt: skip
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_center = old_apps.get_model("registry", "Center")
    history = old_apps.get_model("registry", "HistoricalCenter")
    center = old_center.objects.create(code="OLD", name="Old center")
    history.objects.create(
        id=center.pk, code="OLD", name="Old center", history_type="+",
        history_date="2020-01-01T00:00:00Z",
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    report = verify_chain()
    assert report.ok, report.problems
    sealed = set(AuditSeal.objects.filter(table="registry.historicalcenter").values_list("row_id"))
    assert len(sealed) == 3  # A, B (from the fixture) and the old one


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_a_predecessor(centers):
    """Threads saving at once (PostgreSQL's row lock on the chain head serialises them)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("Threads cannot share SQLite's in-memory test database; runs on PostgreSQL.")
    barrier = threading.Barrier(4)
    failures = []

    def write(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            for i in range(5):
                Patient.objects.create(patient_id=f"C-{n}-{i}", center=centers["A"])
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    report = verify_chain()
    assert report.ok, report.problems
    previous = list(AuditSeal.objects.values_list("previous_hash", flat=True))
    assert len(previous) == len(set(previous))


_WRITER = """
import sys
from nephrocohort.registry import server
server.configure(data_dir=sys.argv[1])
from nephrocohort.registry.models import Center
for i in range(15):
    Center.objects.create(code=f"{sys.argv[2]}{i}")
"""


@pytest.mark.slow
def test_concurrent_processes_on_one_sqlite_file_keep_the_chain(tmp_path):
    """Two processes writing one SQLite file at once: the write lock serialises the seals."""
    env = {**os.environ, "NEPHROCOHORT_PASSWORD": "a long test passphrase"}
    env.pop("NEPHROCOHORT_DATABASE_URL", None)
    data = str(tmp_path)
    subprocess.run([*_CLI, "audit", "verify", "--data-dir", data], env=env, check=True)
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, data, prefix], env=env)
        for prefix in ("P", "Q")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    result = subprocess.run(
        [*_CLI, "audit", "verify", "--data-dir", data], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "The audit chain is intact: 30 rows checked" in result.stdout


def test_audit_verify_names_a_row_edited_with_sqlite3(tmp_path):
    """End to end: the command, a real SQLite file, a row changed outside the registry."""
    import sqlite3

    env = {**os.environ, "NEPHROCOHORT_PASSWORD": "a long test passphrase"}
    env.pop("NEPHROCOHORT_DATABASE_URL", None)
    data = str(tmp_path)
    subprocess.run(
        [*_CLI, "createuser", "pi", "--role", "investigator", "--center", "A", "--data-dir", data],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    intact = subprocess.run(
        [*_CLI, "audit", "verify", "--data-dir", data], env=env, capture_output=True, text=True
    )
    assert intact.returncode == 0 and "The audit chain is intact" in intact.stdout
    with sqlite3.connect(tmp_path / "registry.sqlite3") as database:
        database.execute("UPDATE registry_historicaluserprofile SET role = 'admin'")
    broken = subprocess.run(
        [*_CLI, "audit", "verify", "--data-dir", data], env=env, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "The historical user profile row #1 (seal " in broken.stderr
    assert "was changed after it was written." in broken.stderr
