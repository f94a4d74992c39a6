"""A saved visit is checked in memory: no file is opened, no folder made (issue 9).

Before issue 9 the registry wrote the form's rows as a CSV bundle in a
temporary folder and read it back to validate them. The watch is Python's
audit hook (PEP 578), which sees every ``open()``, ``os.open``, new folder and
temporary file of the process (the ``disk_use`` fixture of tests/conftest.py); the
hook is checked to see a bundle read from disk, so a watch that sees nothing proves
something.
"""

import datetime as dt

import pytest

from nephrocohort.cohort import validate_bundle
from nephrocohort.registry.validation import check_row

PATIENT = {"patient_id": "SYN-001", "sex": "F", "birth_date": dt.date(2010, 5, 4)}
VISIT = {
    "date": dt.date(2016, 3, 1),
    "height_cm": 128.5,
    "weight_kg": 27.0,
    "sbp_mmhg": 104.0,
    "dbp_mmhg": 66.0,
}
EARLY = {**VISIT, "date": dt.date(2009, 1, 1)}  # before the birth date: an error


@pytest.fixture(scope="module", autouse=True)
def _imports_done():
    """Lazy imports open module files: a first check of each kind runs before the watch."""
    check_row("visits", VISIT, patient_row=PATIENT, as_of="2025-01-01")
    check_row("visits", EARLY, patient_row=PATIENT, as_of="2025-01-01")


def test_a_saved_visit_is_checked_without_touching_the_disk(disk_use):
    findings, disk = disk_use(check_row, "visits", VISIT, patient_row=PATIENT, as_of="2025-01-01")
    assert disk == []
    assert (findings.errors, findings.warnings) == ({}, [])


def test_a_visit_before_birth_is_refused_in_memory_too(disk_use):
    findings, disk = disk_use(check_row, "visits", EARLY, patient_row=PATIENT, as_of="2025-01-01")
    assert disk == []
    assert list(findings.errors) == ["date"]


def test_the_watch_sees_a_bundle_read_from_disk(tmp_path, disk_use):
    (tmp_path / "patients.csv").write_text("patient_id,sex,birth_date\nSYN-001,F,2010-05-04\n")
    _, disk = disk_use(validate_bundle, tmp_path, as_of="2025-01-01")
    assert any(event == "open" and "patients.csv" in str(args[0]) for event, args in disk)
