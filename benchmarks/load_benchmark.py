"""Benchmark: loading and validating a cohort bundle (CSV folder) of 10,000 to 100,000 patients.

Reproduce (from the repository root; about 5 minutes on 2 cores):

    python benchmarks/load_benchmark.py --patients 10000 100000
    python benchmarks/load_benchmark.py --patients 10000 --format parquet

``--format parquet`` writes the folder as ``<table>.parquet`` files instead
(the typed tables of the ``Cohort``, as ``nephrocohort demo --parquet`` does).

Each size is generated once with ``generate_synthetic`` (seeded; about 100 lab
rows per patient), written with ``save_bundle`` as a folder of CSV files, and
then loaded in a fresh Python process, so memory figures do not mix. For each
size it reports the lab rows, ``load_bundle`` wall and CPU time (reading,
parsing, unit conversion, pandera schemas and the checks across tables; CPU
time is less disturbed by other work on the machine) and the peak resident
size of the loading process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def prepare(n_patients: int, folder: Path, *, seed: int, file_format: str = "csv") -> None:
    from nephrocohort.cohort import generate_synthetic, save_bundle

    cohort = generate_synthetic(n_patients, seed=seed)
    if file_format == "csv":
        save_bundle(cohort, folder)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, frame in cohort.tables.items():
        table = pa.Table.from_pandas(frame.drop(columns=["source_row"]), preserve_index=False)
        pq.write_table(table, folder / f"{name}.parquet")


def measure(folder: Path) -> dict:
    from nephrocohort.cohort import load_bundle

    wall, cpu = time.perf_counter(), time.process_time()
    cohort = load_bundle(folder)
    result = {
        "patients": cohort.n_patients,
        "lab_rows": len(cohort.labs),
        "load_s": time.perf_counter() - wall,
        "load_cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv", dest="file_format")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure is not None:
        print(json.dumps(measure(arguments.measure)))
        return
    results = []
    for n_patients in arguments.patients:
        with tempfile.TemporaryDirectory() as folder:
            prepare(
                n_patients, Path(folder), seed=arguments.seed, file_format=arguments.file_format
            )
            done = subprocess.run(
                [sys.executable, __file__, "--measure", folder],
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(
            f"{r['patients']:>8,} patients, {r['lab_rows']:>11,} lab rows "
            f"({arguments.file_format}): load_bundle "
            f"{r['load_s']:.1f} s (cpu {r['load_cpu_s']:.1f} s), peak RSS {r['peak_rss_mb']:,.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
