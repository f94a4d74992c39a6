"""The report job runs in a real worker process, against the server's own (file) database.

The other registry tests run jobs inline, because pytest-django's database
lives in the test process's memory; this one sets up a registry in a
throwaway folder in a child process, as ``nephrocohort serve`` would, asks for
the report as the page does, and waits for the worker the server started.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from nephrocohort.registry.server import configure, create_user, prepare
    configure(data_dir=sys.argv[1])
    prepare(load_demo=False)
    from nephrocohort.cohort import demo_cohort
    from nephrocohort.registry import jobs
    from nephrocohort.registry.bundle_io import write_cohort
    from nephrocohort.registry.models import BackgroundJob, Center, JobFile
    admin = create_user("boss", role="admin", centers=[], password="a long test passphrase")
    write_cohort(demo_cohort(), admin)
    scope = jobs.cohort_scope(admin)
    job = jobs.submit("report", jobs.report_key(scope, "study"),
                      {"scope": scope, "rule_set": "study"}, admin,
                      data_stamp=jobs.cohort_stamp(scope))
    status_when_asked = job.status
    started = time.monotonic()
    while time.monotonic() - started < 240:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.5)
    files = {f.name: bytes(f.content) for f in JobFile.objects.filter(job=job)}
    print(json.dumps({
        "status": job.status, "error": job.error_code, "status_when_asked": status_when_asked,
        "names": sorted(files), "json": json.loads(files.get("json", b"[]")),
        "html_starts": files.get("html", b"")[:15].decode(errors="replace"),
    }))
    """
)


@pytest.mark.slow
def test_the_report_is_computed_by_a_worker_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEPHROCOHORT_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert (outcome["status"], outcome["error"]) == ("done", "")
    assert outcome["names"] == ["docx", "html", "json", "xlsx"]
    # Asking returned before the work was done: the request never waits for the report.
    assert outcome["status_when_asked"] == "queued"
    n = {item["id"]: item for item in outcome["json"]}["cohort.n"]["n"]
    assert n > 0 and outcome["html_starts"].lower().startswith("<!doctype html")
