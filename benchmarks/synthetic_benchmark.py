"""How long ``generate_synthetic`` takes for 1,000 to 100,000 patients.

Reproduce with::

    python benchmarks/synthetic_benchmark.py            # 1,000, 10,000 and 100,000 patients
    python benchmarks/synthetic_benchmark.py 250000     # any sizes

Prints patients, lab rows, seconds (best of three runs below 100,000, one run
above) and peak traced memory of the generation itself. Figures are recorded in
docs/demo-cohort.md with the machine they were measured on.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

from nephrocohort.cohort import generate_synthetic


def measure(n_patients: int, *, runs: int) -> tuple[int, float, float]:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        cohort = generate_synthetic(n_patients, seed=1)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    generate_synthetic(n_patients, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(cohort.labs), best, peak / 2**30


def main(sizes: list[int]) -> None:
    print(f"{'patients':>10} {'lab rows':>12} {'seconds':>8} {'peak GiB':>9}")
    for n in sizes:
        labs, seconds, peak = measure(n, runs=3 if n < 100_000 else 1)
        print(f"{n:>10,} {labs:>12,} {seconds:>8.2f} {peak:>9.2f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000, 10_000, 100_000])
