"""Shared test configuration: the system Chromium for the browser tests."""

from pathlib import Path

import pytest

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")

# Headless, and without the background connections a closed network refuses.
_CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``browser`` with a clear reason where the system Chromium is missing."""
    if SYSTEM_CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason="The system Chromium (/usr/bin/chromium) is not installed; "
        "install it (apt-get install chromium) to run the browser tests."
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def launch_chromium():
    """A function that starts the system Chromium (never a downloaded one) in a Playwright."""

    def launch(playwright):
        return playwright.chromium.launch(executable_path=str(SYSTEM_CHROMIUM), args=_CHROMIUM_ARGS)

    return launch


@pytest.fixture(scope="session")
def make_small_study_cohort():
    """A function building a three-patient study cohort (third one with a family history).

    Each child: prednisone trial at onset (2012), MMF from 2016-01-01, timed
    proteinuria nephrotic before MMF and < 4 mg/m2/h after, one creatinine, FSGS.
    """

    def make(patient_ids=("A", "B", "C"), *, center="C1"):
        import pandas as pd

        from nephrocohort.cohort import Cohort

        patients, medications, labs, visits, biopsies = [], [], [], [], []
        for pid, sex, family in zip(patient_ids, ("M", "F", "M"), ("no", "no", "yes"), strict=True):
            patients.append(
                dict(patient_id=pid, center=center, sex=sex, birth_date="2008-01-01",
                     onset_date="2012-01-01", last_followup_date="2019-01-01", hbv="negative",
                     hcv="negative", syphilis="negative", hiv="negative", family_history_ns=family,
                     edema_at_onset="yes", hypertension_at_onset="no", aki_at_onset="no",
                     hematuria_at_onset="yes")
            )  # fmt: skip
            medications += [
                dict(patient_id=pid, drug="prednisone", start_date="2012-01-05",
                     end_date="2012-02-20", dose=60, dose_unit="mg/m2/day", schedule="daily"),
                dict(patient_id=pid, drug="mmf", start_date="2016-01-01", end_date=None,
                     dose=600, dose_unit="mg/m2/day", schedule="bid"),
            ]  # fmt: skip
            labs += [
                dict(patient_id=pid, date=date, test="urine_protein_timed", value=value,
                     unit="mg/m2/h")
                # 2012-02-02 is day 28 of prednisone: IPNA 2022 SSNS Table 1 judges the
                # response "within 4 weeks", read from the reading nearest day 28 (ipna2020)
                for date, value in (("2012-01-04", 80), ("2012-02-02", 75), ("2012-02-15", 70),
                                    ("2015-12-20", 60), ("2016-01-31", 2), ("2016-04-01", 2))
            ]  # fmt: skip
            labs.append(
                dict(patient_id=pid, date="2015-12-20", test="serum_creatinine", value=0.5,
                     unit="mg/dL")
            )  # fmt: skip
            visits += [
                dict(patient_id=pid, date="2012-01-04", weight_kg=14, height_cm=95),
                dict(patient_id=pid, date="2015-12-20", weight_kg=25, height_cm=125),
            ]
            biopsies.append(dict(patient_id=pid, biopsy_date="2012-03-01", histology="FSGS"))
        tables = dict(patients=patients, medications=medications, labs=labs, visits=visits,
                      biopsies=biopsies)  # fmt: skip
        return Cohort(**{name: pd.DataFrame(rows) for name, rows in tables.items()})

    return make


# --- the disk watch (PEP 578 audit hook) ----------------------------------------------------------

_DISK_EVENTS = frozenset(
    {
        "open",
        "os.mkdir",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "shutil.rmtree",
        "tempfile.mkdtemp",
        "tempfile.mkstemp",
    }
)
_disk_seen: list[tuple[str, tuple]] = []
_disk_watching = [False]
_disk_hooked = [False]


def _disk_hook(event, args, watching=_disk_watching, seen=_disk_seen, events=_DISK_EVENTS):
    # Bound as defaults: the hook outlives this module's globals at interpreter exit.
    if watching[0] and event in events:
        seen.append((event, args))


@pytest.fixture
def disk_use():
    """``disk_use(function, *args, **kwargs)`` -> (result, the disk audit events it raised).

    Python's audit hook (PEP 578) sees every ``open()``, ``os.open``, new or
    removed folder, rename and temporary file of the process. A hook cannot be
    removed: it is added on first use and records only while a call is watched.
    ``disk_use.writes(events)`` keeps the events that change the disk.
    """
    import sys

    if not _disk_hooked[0]:
        sys.addaudithook(_disk_hook)
        _disk_hooked[0] = True

    def watch(function, *args, **kwargs):
        _disk_seen.clear()
        _disk_watching[0] = True
        try:
            result = function(*args, **kwargs)
        finally:
            _disk_watching[0] = False
        return result, list(_disk_seen)

    watch.writes = _disk_writes
    return watch


def _disk_writes(events) -> list[tuple[str, str]]:
    """(event, path) of the events that change the disk: an open to write, a new folder, ..."""
    import os

    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    changes = []
    for event, args in events:
        if event == "open":
            path, mode, flags = args
            if mode is None:
                changed = bool(flags & writing)
            else:
                changed = any(letter in str(mode) for letter in "wax+")
            if not changed:
                continue
        else:
            path = args[0] if args else None
        changes.append((event, str(path)))
    return changes
