"""How long the registry takes to check one visit a user saves (the form's validation).

Saving a visit runs ``registry.validation.check_row`` with the patient's own
row: the same checks as a bundle file. Before issue 9 this wrote both rows as
CSV files to a temporary folder and read them back; now they are validated in
memory by ``nephrocohort.cohort.validate_tables``.

    PYTHONPATH=src python benchmarks/save_visit_benchmark.py [--repeat 200]

Prints the median and the 90th percentile of one check in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from nephrocohort.registry.validation import check_row

PATIENT = {"patient_id": "SYN-001", "sex": "F", "birth_date": dt.date(2010, 5, 4)}
VISIT = {
    "date": dt.date(2016, 3, 1),
    "height_cm": 128.5,
    "weight_kg": 27.0,
    "sbp_mmhg": 104.0,
    "dbp_mmhg": 66.0,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    check_row("visits", VISIT, patient_row=PATIENT, as_of="2025-01-01")  # warm-up (imports)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        findings = check_row("visits", VISIT, patient_row=PATIENT, as_of="2025-01-01")
        times.append((time.perf_counter() - start) * 1000)
    assert not findings.errors and not findings.warnings, findings
    times.sort()
    p90 = times[int(0.9 * (len(times) - 1))]
    print(f"check one saved visit: median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms")


if __name__ == "__main__":
    main()
