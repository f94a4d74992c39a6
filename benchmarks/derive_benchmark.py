"""Benchmark: deriving the analysis dataset for 1,000 to 100,000 patients.

Reproduce (from the repository root; about 10 minutes on 2 cores):

    python benchmarks/derive_benchmark.py --patients 1000 10000 100000 --loop-up-to 10000

Each size runs in a fresh Python process, so memory figures do not mix. For
each size it reports:

- ``load_parquet_s`` / ``load_csv_s``: reading the same seven tables from a
  Parquet folder or a CSV folder (pyarrow engine) into a ``Cohort``; the
  reference the derivation time is compared with;
- ``derive_s`` (wall, best of ``--repeat``) and ``derive_cpu_s`` (CPU time of
  the process, less disturbed by other work on the machine);
- memory: ``cohort_rss_mb`` (resident size with the cohort loaded),
  ``derive_peak_rss_mb`` (resident peak while deriving, cohort included; Linux
  ``VmHWM`` after a reset), ``derive_peak_mb`` (peak of what ``derive``
  itself allocates, tracemalloc, a separate run) and ``process_peak_rss_mb``
  (peak of the whole process: loading and deriving);
- ``loop_s``: the per-patient loop of ``derive_loop.py`` (only up to
  ``--loop-up-to`` patients) and ``loop_mismatches``: patients whose value
  differs between the two implementations (must be 0).

Data come from ``nephrocohort.cohort.generate_synthetic`` (seeded; about
100 lab rows per patient). Results go to stdout as a table and, with ``--json``, to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TABLE_NAMES = ("patients", "biopsies", "genetics", "visits", "labs", "medications", "events")


def _write_tables(tables, folder: Path) -> None:
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        out = frame.copy()
        for column in out.columns:
            if str(out[column].dtype).startswith("datetime64"):
                out[column] = out[column].dt.strftime("%Y-%m-%d")
        out.to_csv(folder / f"{name}.csv", index=False)


def _read_parquet(folder: Path):
    import pandas as pd

    from nephrocohort.cohort import Cohort

    return Cohort(
        **{
            name: pd.read_parquet(folder / f"{name}.parquet", dtype_backend="pyarrow")
            for name in TABLE_NAMES
        }
    )


def _read_csv(folder: Path):
    import pandas as pd

    from nephrocohort.cohort import Cohort

    tables = {}
    for name in TABLE_NAMES:
        frame = pd.read_csv(folder / f"{name}.csv", engine="pyarrow", dtype_backend="pyarrow")
        tables[name] = frame
    return Cohort(**tables)


def _proc_status(field: str) -> float | None:
    """A memory figure of this process from /proc/self/status, in MB (Linux only)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the resident-size peak (VmHWM) so the next peak is the derivation's (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _timed(function, repeat: int):
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return result, best_wall, best_cpu


def prepare_bundle(n_patients: int, folder: Path, *, seed: int) -> None:
    """Generate the cohort and write its tables as Parquet and CSV into ``folder``."""
    from nephrocohort.cohort import generate_synthetic

    _write_tables(generate_synthetic(n_patients, seed=seed).tables, folder)


def run_one(n_patients: int, folder: Path, *, repeat: int, loop: bool) -> dict:
    """Measure one cohort size in this process (the tables are already in ``folder``)."""
    from derive_loop import compare, loop_derive

    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.cohort import derive

    rule_set = load_rule_set("study")
    result = {"patients": n_patients}
    cohort, result["load_parquet_s"], result["load_parquet_cpu_s"] = _timed(
        lambda: _read_parquet(folder), repeat
    )
    result["lab_rows"] = len(cohort.labs)

    derive(cohort, rule_set)  # warm-up: imports and the one-off probing of equation ranges
    result["cohort_rss_mb"] = _proc_status("VmRSS")
    peak_reset = _reset_peak_rss()
    dataset, result["derive_s"], result["derive_cpu_s"] = _timed(
        lambda: derive(cohort, rule_set), repeat
    )
    result["derive_per_load"] = result["derive_s"] / result["load_parquet_s"]
    result["derive_per_load_cpu"] = result["derive_cpu_s"] / result["load_parquet_cpu_s"]
    # resident peak while deriving (the loaded cohort included), and of load + derive
    result["derive_peak_rss_mb"] = _proc_status("VmHWM") if peak_reset else None
    result["process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    _, result["load_csv_s"], result["load_csv_cpu_s"] = _timed(lambda: _read_csv(folder), 1)

    tracemalloc.start()
    derive(cohort, rule_set)
    result["derive_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    if loop:
        looped, result["loop_s"], result["loop_cpu_s"] = _timed(
            lambda: loop_derive(cohort, rule_set), 1
        )
        result["speedup_vs_loop"] = result["loop_s"] / result["derive_s"]
        result["speedup_vs_loop_cpu"] = result["loop_cpu_s"] / result["derive_cpu_s"]
        result["loop_mismatches"] = sum(compare(dataset, looped).values())
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument(
        "--loop-up-to", type=int, default=10000, help="run the per-patient loop up to this size"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--single", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.prepare is not None:
        prepare_bundle(args.prepare, args.folder, seed=args.seed)
        return
    if args.single is not None:
        result = run_one(
            args.single, args.folder, repeat=args.repeat, loop=args.single <= args.loop_up_to
        )
        print(json.dumps(result))
        return

    results = []
    for n in args.patients:
        with tempfile.TemporaryDirectory() as tmp:
            base = [sys.executable, __file__, "--folder", tmp, "--seed", str(args.seed)]
            subprocess.run([*base, "--prepare", str(n)], check=True, env=os.environ.copy())
            command = [
                *base,
                "--single",
                str(n),
                "--repeat",
                str(args.repeat),
                "--loop-up-to",
                str(args.loop_up_to),
            ]
            done = subprocess.run(
                command, capture_output=True, text=True, check=True, env=os.environ.copy()
            )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(_row(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def _row(r: dict) -> str:
    loop = (
        f"loop {r['loop_s']:.1f} s (cpu {r['loop_cpu_s']:.1f} s; {r['speedup_vs_loop']:.0f}x wall, "
        f"{r['speedup_vs_loop_cpu']:.0f}x cpu; {r['loop_mismatches']} mismatches)"
        if "loop_s" in r
        else "loop not run"
    )
    return (
        f"{r['patients']:>7,} patients, {r['lab_rows']:>10,} lab rows: derive {r['derive_s']:.2f} s "
        f"(cpu {r['derive_cpu_s']:.2f} s); load parquet {r['load_parquet_s']:.2f} s "
        f"(cpu {r['load_parquet_cpu_s']:.2f} s), csv {r['load_csv_s']:.2f} s; derive/load "
        f"{r['derive_per_load']:.2f} (cpu {r['derive_per_load_cpu']:.2f}); memory: cohort "
        f"{r['cohort_rss_mb']:.0f} MB resident, peak while deriving {r['derive_peak_rss_mb'] or 0:.0f} MB, "
        f"derive allocations peak {r['derive_peak_mb']:.0f} MB, process peak {r['process_peak_rss_mb']:.0f} MB; {loop}"
    )


if __name__ == "__main__":
    main()
