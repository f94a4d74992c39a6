"""Load benchmark of the web registry: concurrent users browsing, editing and saving.

Reproduce (needs PostgreSQL on 127.0.0.1:5432, user postgres, trust auth):

    python benchmarks/registry_load.py --users 20 --iterations 15 --max-seconds 180

It creates a throwaway database, starts ``nephrocohort serve`` (waitress, demo
cohort loaded on first run) on a free port, and runs ``--users`` simulated
users, each with its own login session. One iteration of a user: open the
patient list, search by ID, open a patient page and its timeline image, pause
(``--think-seconds``, exponential), open the edit form of one of a few shared
visits, pause, and save it with a changed weight. Several users edit
the same few visits on purpose, so that concurrent saves collide.

By default every patient page and timeline is opened once before the
measured run (``--no-warm-up`` measures from a cold cache). Reported: p50/p95/max latency per kind of request, errors (HTTP >= 500,
timeouts, a refused connection, a 4xx that is not an edit conflict), edit
conflicts (refused saves, which are the intended outcome of a collision) and
lost edits, counted as (successful saves) - (versions added in the
database): each successful save adds exactly one version, so any
difference is an update that overwrote another one. The database is dropped
at the end.

A large center: ``--extra-patients N`` adds N synthetic patients before the
run with ``registry_bulk_load.py`` (PostgreSQL COPY, the same rows, history
rows and audit seals as the bundle import, the audit chain verified
afterwards; 2,000 patients in about 40 s where ``write_cohort`` took 378 s),
and ``--report`` has one more user ask for the cohort report (a background
job) at the start and poll the cohort page until it is done; the other users'
page views are then reported apart while the report ran and outside it.
After the run, the patient list, a patient page, its timeline and the
data-quality page are timed once each.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict

SERVER = "postgresql://postgres@127.0.0.1:5432"
CLI = [sys.executable, "-c", "from nephrocohort.cli import main; main()"]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


class Client:
    """One user's browser: a cookie jar and CSRF-aware form posts."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if body is not None:
            request.add_header("Referer", self.base + path)
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                text = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as error:
            text, status = error.read().decode("utf-8", "replace"), error.code
        return status, text, time.perf_counter() - start

    def login(self, username: str, password: str) -> None:
        _, page, _ = self.request("/login/")
        token = _CSRF.search(page).group(1)
        status, _, _ = self.request(
            "/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"login failed with HTTP {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def _wait_until_up(base: str, process: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped: " + process.stderr.read())
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not answer in time")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.finished = []  # (kind, monotonic end, seconds): which ran while the report did
        self.errors = defaultdict(int)
        self.saves = 0
        self.conflicts = 0

    def record(self, kind: str, status: int, seconds: float, *, ok=(200,)) -> bool:
        with self.lock:
            self.latency[kind].append(seconds)
            self.finished.append((kind, time.monotonic(), seconds))
            if status not in ok:
                self.errors[f"{kind} HTTP {status}"] += 1
                return False
        return True


def _user(base, login, targets, patients, *, iterations, stop_at, tally, seed, think):
    rng = random.Random(seed)
    client = Client(base)
    try:
        client.login(*login)
    except Exception as error:  # noqa: BLE001 - counted, the run goes on
        with tally.lock:
            tally.errors[f"login {type(error).__name__}"] += 1
        return
    for _ in range(iterations):
        if time.monotonic() > stop_at:
            return
        try:
            status, _, seconds = client.request("/")
            tally.record("patient list", status, seconds)
            patient_pk, patient_id = rng.choice(patients)
            status, _, seconds = client.request("/?" + urllib.parse.urlencode({"q": patient_id}))
            tally.record("search", status, seconds)
            status, _, seconds = client.request(f"/patients/{patient_pk}/")
            tally.record("patient page", status, seconds)
            status, _, seconds = client.request(f"/patients/{patient_pk}/timeline.png")
            tally.record("timeline png", status, seconds)
            time.sleep(rng.expovariate(1 / think) if think else 0)
            target_patient, visit_pk, fields = rng.choice(targets)
            edit = f"/patients/{target_patient}/visits/{visit_pk}/edit/"
            status, page, seconds = client.request(edit)
            if not tally.record("edit form", status, seconds):
                continue
            form = {
                **fields,
                "csrfmiddlewaretoken": _CSRF.search(page).group(1),
                "version": _VERSION.search(page).group(1),
                "weight_kg": f"{rng.uniform(10, 40):.1f}",
                "confirm_unusual_values": "on",
            }
            time.sleep(rng.expovariate(1 / think) if think else 0)
            status, page, seconds = client.request(edit, form)
            if status == 302:
                tally.record("save", status, seconds, ok=(302,))
                with tally.lock:
                    tally.saves += 1
            elif status == 200 and "while you were editing it" in page:
                tally.record("save", status, seconds)
                with tally.lock:
                    tally.conflicts += 1
            else:
                tally.record("save", status, seconds, ok=())
        except Exception as error:  # noqa: BLE001 - timeouts and resets are results here
            with tally.lock:
                tally.errors[type(error).__name__] += 1


def _warm_up(base, login, patients) -> None:
    """Open every patient page and timeline once, so the run measures the steady state."""
    client = Client(base)
    client.login(*login)
    for patient_pk, _ in patients:
        client.request(f"/patients/{patient_pk}/")
        client.request(f"/patients/{patient_pk}/timeline.png")


def _pick_targets(database_url: str, count: int):
    import psycopg

    with psycopg.connect(database_url.replace("postgresql://", "postgresql://", 1)) as connection:
        patients = connection.execute(
            "SELECT id, patient_id FROM registry_patient WHERE NOT is_deleted ORDER BY id"
        ).fetchall()
        visits = connection.execute(
            "SELECT patient_id, id, date, height_cm, sbp_mmhg, dbp_mmhg, edema, version "
            "FROM registry_visit WHERE NOT is_deleted ORDER BY id LIMIT %s",
            (count,),
        ).fetchall()
    targets = []
    for patient, visit, date, height, sbp, dbp, edema, _ in visits:
        fields = {
            "date": date.isoformat(),
            "height_cm": "" if height is None else repr(height),
            "sbp_mmhg": "" if sbp is None else repr(sbp),
            "dbp_mmhg": "" if dbp is None else repr(dbp),
            "edema": edema or "",
        }
        targets.append((patient, visit, fields))
    versions = {visit: version for _, visit, *_, version in visits}
    return patients, targets, versions


def _versions(database_url: str, visit_ids) -> dict[int, int]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, version FROM registry_visit WHERE id = ANY(%s)", (list(visit_ids),)
        ).fetchall()
    return dict(rows)


_USER_SCRIPT = """
import secrets, sys
from nephrocohort.registry.server import configure, create_user
configure(data_dir=sys.argv[1], database_url=sys.argv[2])
from nephrocohort.registry.models import Center
password = "bench-" + secrets.token_hex(8)
create_user("bench", role="data_entry", centers=list(Center.objects.values_list("code", flat=True)), password=password)
print(password)
"""


def _browsing_user(folder: str, database_url: str, env) -> tuple[str, str]:
    """A data-entry user of every center: the demo admin must give a second factor (TOTP)."""
    run = subprocess.run(
        [sys.executable, "-c", _USER_SCRIPT, folder, database_url],
        env={**env, "NEPHROCOHORT_DATA_DIR": folder}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return "bench", run.stdout.strip().splitlines()[-1]


def _load_extra_patients(folder: str, database_url: str, count: int, seed: int, env) -> float:
    """Add ``count`` synthetic patients (PostgreSQL COPY, audit chain verified); seconds taken."""
    loader = os.path.join(os.path.dirname(os.path.abspath(__file__)), "registry_bulk_load.py")
    run = subprocess.run(
        [sys.executable, loader, folder, database_url, str(count), str(seed), "--verify"],
        env={**env, "NEPHROCOHORT_DATA_DIR": folder}, capture_output=True, text=True,
    )  # fmt: skip
    if run.returncode:
        raise RuntimeError("loading the extra patients failed: " + run.stderr[-2000:])
    lines = run.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return float(lines[-1])


def _report_while_browsing(base, login, tally, outcome: dict) -> None:
    """Ask for the cohort report as a user would and wait for it, timing the whole job."""
    client = Client(base)
    client.login(*login)
    _, page, _ = client.request("/cohort/")
    started = time.monotonic()
    status, _, _ = client.request(
        "/cohort/report/", {"csrfmiddlewaretoken": _CSRF.search(page).group(1)}
    )
    tally.record("report start", status, time.monotonic() - started, ok=(302,))
    while time.monotonic() - started < 3600:
        status, page, seconds = client.request("/cohort/")
        tally.record("cohort page", status, seconds)
        if 'id="report-progress"' not in page:
            break
        time.sleep(2)
    outcome["report_window"] = (started, time.monotonic())
    outcome["report_seconds"] = time.monotonic() - started
    outcome["report_done"] = 'id="report-computed"' in page and 'id="report-error"' not in page


def _timed_once(base, login, paths) -> dict[str, float]:
    client = Client(base)
    client.login(*login)
    timings = {}
    for label, path in paths:
        status, _, seconds = client.request(path)
        timings[label] = seconds if status == 200 else float("nan")
    return timings


def _quality_job(base, login) -> tuple[float, float]:
    """The data-quality page: its first answer, and the seconds until its job's list is shown."""
    client = Client(base)
    client.login(*login)
    started = time.monotonic()
    status, page, first = client.request("/quality/")
    while status == 200 and 'id="quality-progress"' in page and time.monotonic() - started < 1800:
        time.sleep(1)
        status, page, _ = client.request("/quality/")
    return first, (time.monotonic() - started) if status == 200 else float("nan")


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=15, help="per user")
    parser.add_argument("--max-seconds", type=float, default=180)
    parser.add_argument("--hot-visits", type=int, default=10, help="visits edited by everyone")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=1.0,
        help="mean pause (exponential) after reading a patient and before saving; 0 = none",
    )
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="measure from a cold cache (derived values and timelines computed on first view)",
    )
    parser.add_argument(
        "--extra-patients",
        type=int,
        default=0,
        help="add this many synthetic patients to the demo cohort (a large center)",
    )
    parser.add_argument(
        "--browse-patients",
        type=int,
        default=50,
        help="with --extra-patients, the users browse this many patients (warmed up)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="one more user asks for the cohort report at the start and waits for it",
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()

    name = f"nephrocohort_bench_{uuid.uuid4().hex[:8]}"
    database_url = f"{SERVER}/{name}"
    _psql(f'CREATE DATABASE "{name}"')
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEPHROCOHORT_")}
    with tempfile.TemporaryDirectory(prefix="nephrocohort-bench-") as folder:
        process = subprocess.Popen(
            [*CLI, "serve", "--demo", "--port", str(port), "--data-dir", folder,
             "--database-url", database_url],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            _wait_until_up(base, process)
            import_seconds = None
            if args.extra_patients:
                import_seconds = _load_extra_patients(
                    folder, database_url, args.extra_patients, args.seed, env
                )
            username, password = _browsing_user(folder, database_url, env)
            patients, targets, before = _pick_targets(database_url, args.hot_visits)
            if args.extra_patients:
                patients = random.Random(args.seed).sample(
                    patients, min(args.browse_patients, len(patients))
                )
            if args.warm_up:
                _warm_up(base, (username, password), patients)
            tally = Tally()
            stop_at = time.monotonic() + args.max_seconds
            started = time.monotonic()
            threads = [
                threading.Thread(
                    target=_user,
                    args=(base, (username, password), targets, patients),
                    kwargs=dict(
                        iterations=args.iterations,
                        stop_at=stop_at,
                        tally=tally,
                        seed=args.seed + index,
                        think=args.think_seconds,
                    ),
                )  # fmt: skip
                for index in range(args.users)
            ]
            report = {}
            if args.report:
                threads.append(
                    threading.Thread(
                        target=_report_while_browsing,
                        args=(base, (username, password), tally, report),
                    )
                )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            some = patients[0][0]
            once = _timed_once(
                base,
                (username, password),
                [("patient list", "/"), ("patient page", f"/patients/{some}/"),
                 ("timeline", f"/patients/{some}/timeline.png")],
            )  # fmt: skip
            quality_first, quality_done = _quality_job(base, (username, password))
            after = _versions(database_url, before)
        finally:
            process.terminate()
            process.communicate(timeout=30)
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    added = sum(after[visit] - before[visit] for visit in before)
    requests = sum(len(values) for values in tally.latency.values())
    print(f"machine load average (1/5/15 min) at start: {load_before[0]:.1f} "
          f"{load_before[1]:.1f} {load_before[2]:.1f}, at the end: "
          + " ".join(f"{value:.1f}" for value in os.getloadavg())
          + f" (cores: {os.cpu_count()})")  # fmt: skip
    print(f"users={args.users} iterations/user={args.iterations} think={args.think_seconds}s "
          f"warm-up={args.warm_up} "
          f"elapsed={elapsed:.1f}s "
          f"requests={requests} ({requests / elapsed:.1f}/s)")  # fmt: skip
    print(f"{'request':<14} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in tally.latency.items():
        print(f"{kind:<14} {len(values):>5} {statistics.median(values) * 1000:>8.0f} "
              f"{_percentile(values, 0.95) * 1000:>8.0f} {max(values) * 1000:>8.0f}")  # fmt: skip
    if import_seconds is not None:
        print(f"extra patients: {args.extra_patients} (written in {import_seconds:.1f} s)")
    if report:
        print(f"cohort report job: {report['report_seconds']:.1f} s, done={report['report_done']}")
    print("one request each after the run (ms): "
          + ", ".join(f"{label} {seconds * 1000:.0f}" for label, seconds in once.items()))  # fmt: skip
    print(f"data-quality page: first answer {quality_first * 1000:.0f} ms, list computed "
          f"(background job) after {quality_done:.1f} s")  # fmt: skip
    browsing = ("patient list", "search", "patient page", "timeline png", "edit form")
    pages = [v for kind, values in tally.latency.items() if kind in browsing for v in values]
    if not pages:
        print(f"no request completed; errors: {dict(tally.errors)}")
        return 1
    print(f"all page views p50 {statistics.median(pages) * 1000:.0f} ms, "
          f"p95 {_percentile(pages, 0.95) * 1000:.0f} ms")  # fmt: skip
    if report:
        first, last = report["report_window"]
        overlaps = {True: [], False: []}
        for kind, ended, seconds in tally.finished:
            if kind in browsing:
                overlaps[ended >= first and ended - seconds <= last].append(seconds)
        for during, label in ((True, "while the report ran"), (False, "outside the report")):
            values = overlaps[during]
            if values:
                print(f"other users' page views {label}: n={len(values)}, "
                      f"p50 {statistics.median(values) * 1000:.0f} ms, "
                      f"p95 {_percentile(values, 0.95) * 1000:.0f} ms, "
                      f"max {max(values) * 1000:.0f} ms")  # fmt: skip
            else:
                print(f"no other user's page view {label}")
    print(f"errors={sum(tally.errors.values())} {dict(tally.errors)}")
    print(f"saves={tally.saves} conflicts refused={tally.conflicts} versions added={added} "
          f"lost edits={tally.saves - added}")  # fmt: skip
    return 0 if not tally.errors and tally.saves == added else 1


if __name__ == "__main__":
    sys.exit(main())
