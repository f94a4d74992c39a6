"""Benchmark: ``nephrocohort report`` end to end (load, validate, derive, results, all four
formats) on 1,000 to 100,000 generated patients: wall time per stage, CPU time, peak memory.

Reproduce (from the repository root):

    python benchmarks/report_benchmark.py --patients 1000 10000 100000 --json report-results.json

Each size: ``generate_synthetic(n, seed=1)`` written once as a Parquet bundle, then the report
runs in a fresh Python process (``pipeline.run_report`` with a progress callback that stamps
each stage), so the memory figure is that process's own peak resident size (VmHWM).
The load average at the start of each run is printed: the machine has 2 shared cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, sys, time, resource
def peak_mb():  # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
from nephrocohort.pipeline import run_report
stamps = []
start = time.perf_counter()
def progress(message):
    stamps.append((round(time.perf_counter() - start, 3), message))
run = run_report(data=sys.argv[1], out_dir=sys.argv[2], progress=progress)
total = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "wall_s": round(total, 2),
    "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
    "peak_rss_mb": peak_mb(),
    "patients_assessed": run.results["eligibility.assessed"].n,
    "fisher_method": run.results["response.month1.group_test"].method
    if run.results.get("response.month1.group_test") is not None else None,
    "stages": stamps,
}))
"""


def _bundle(n: int, folder: Path) -> Path:
    from nephrocohort.cohort.synthetic import write_synthetic_bundle

    out = folder / f"bundle-{n}"
    write_synthetic_bundle(out, n_patients=n, seed=1, parquet=True)
    return out / "parquet"


def run_one(n: int, folder: Path) -> dict:
    began = time.perf_counter()
    data = _bundle(n, folder)
    generated = time.perf_counter() - began
    load = os.getloadavg()[0]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(folder / f"report-{n}")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(patients=n, generate_s=round(generated, 1), load_average_at_start=load)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--json", type=Path, help="write the results to this file")
    arguments = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        for n in arguments.patients:
            result = run_one(n, Path(scratch))
            results.append(result)
            print(
                f"{n:>8,} patients: report {result['wall_s']:.1f} s (CPU {result['cpu_s']:.1f} s), "
                f"peak {result['peak_rss_mb']:,} MB, Fisher {result['fisher_method']}, "
                f"load average {result['load_average_at_start']:.1f}",
                flush=True,
            )
            for seconds, stage in result["stages"]:
                print(f"          {seconds:8.2f} s  {stage}")
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
