"""How long ``RuleSet.classify_proteinuria_array`` takes for millions of measurements.

Reproduce with::

    python benchmarks/classify_benchmark.py                 # 1, 3 and 10 million rows
    python benchmarks/classify_benchmark.py 20000000        # any sizes

Rows are synthetic (seed 1): timed urine protein, UPCR in mg/mg and mg/mmol and
dipstick, in equal shares, 5% missing. Two inputs per size: numeric values
(``float64``, as the derivation passes them) and an object array in which the
dipstick rows are grades as text ("trace", "2+", ...). Prints the best of three
runs in seconds. Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from nephrocohort.clinical import load_rule_set

_TESTS = np.array(["urine_protein_timed", "upcr", "upcr", "dipstick_protein"], dtype=object)
_UNITS = np.array(["mg/m2/h", "mg/mg", "mg/mmol", "mg/dL"], dtype=object)
_GRADES = np.array(["negative", "trace", "1+", "2+", "3+", "4+"], dtype=object)


def rows(n: int):
    rng = np.random.default_rng(1)
    kind = rng.integers(0, 4, n)
    values = rng.uniform(0, 500, n)
    values[rng.random(n) < 0.05] = np.nan
    with_grades = values.astype(object)
    dipstick = kind == 3
    with_grades[dipstick] = _GRADES[rng.integers(0, _GRADES.size, dipstick.sum())]
    return _TESTS[kind], _UNITS[kind], values, with_grades


def best_of(runs: int, rule_set, tests, values, units) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        rule_set.classify_proteinuria_array(tests, values, units)
        best = min(best, time.perf_counter() - start)
    return best


def main(sizes: list[int]) -> None:
    rule_set = load_rule_set("study")
    print(f"{'rows':>12} {'numeric (s)':>12} {'with grades (s)':>16}")
    for n in sizes:
        tests, units, values, with_grades = rows(n)
        numeric = best_of(3, rule_set, tests, values, units)
        graded = best_of(3, rule_set, tests, with_grades, units)
        print(f"{n:>12,} {numeric:>12.2f} {graded:>16.2f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000_000, 3_000_000, 10_000_000])
