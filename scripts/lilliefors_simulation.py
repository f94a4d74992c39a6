"""Simulate the null distribution of the Lilliefors statistic (issue 12, item 4).

Two outputs, from two independent fixed seeds, so the test of one is not the other:

    python scripts/lilliefors_simulation.py table
        -> src/nephrocohort/data/reference/lilliefors_null_quantiles.csv
        1,000,000 normal samples for each n of N_GRID (4-40, then up to 2,000): the
        quantiles of D at the upper-tail probabilities P_GRID. Read by
        nephrocohort.stats._lilliefors_p above p = 0.1. About 12 minutes on one core.

    python scripts/lilliefors_simulation.py reference
        -> tests/stats/data/lilliefors_mc_reference.csv
        200,000 samples for each n of REFERENCE_N (sizes off the table's grid too) and
        (n, D, p_mc) cases from p ~0.001 to ~0.9; tests/stats/test_lilliefors_p.py
        compares the project's p with them. About 3 minutes.

D = max |F_n(x) - Phi((x - mean) / sd)| with the sample SD (n - 1), the statistic of
Lilliefors (1967), SPSS EXAMINE and R nortest::lillie.test. Its null distribution does
not depend on the mean and SD of the normal population, so standard normal samples give
it exactly (Lilliefors 1967, p. 400). The Monte Carlo p of an observed D is the share of
simulated D at least as large.
"""

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from scipy.special import ndtr

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "nephrocohort" / "data" / "reference" / "lilliefors_null_quantiles.csv"
REFERENCE = ROOT / "tests" / "stats" / "data" / "lilliefors_mc_reference.csv"

TABLE_SEED = 20261207
TABLE_SAMPLES = 1_000_000
N_GRID = [
    *range(4, 41),
    *(45, 50, 55, 60, 70, 80, 90, 100, 120, 140, 160, 180, 200, 250, 300, 350, 400),
    *(500, 600, 800, 1000, 1500, 2000),
]
# Upper-tail probabilities P(D >= d) whose d the table holds: 0.05-0.995 by 0.005, and
# 0.998, 0.999. Dallal-Wilkinson is used below p = 0.1, so the table starts at 0.05.
P_GRID = [round(0.05 + 0.005 * k, 3) for k in range(190)] + [0.998, 0.999]

REFERENCE_SEED = 4242
REFERENCE_SAMPLES = 200_000
REFERENCE_N = [4, 5, 7, 10, 13, 17, 23, 33, 47, 65, 110, 170, 230, 300, 450, 750, 1200, 2500]
REFERENCE_P = [0.001, 0.005, 0.01, 0.03, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4]
REFERENCE_P += [0.5, 0.6, 0.7, 0.8, 0.9]


def simulate_d(n: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """``samples`` Lilliefors statistics D of standard normal samples of size ``n``."""
    out = np.empty(samples)
    rows = max(1, 2_000_000 // n)
    upper, lower = np.arange(1, n + 1) / n, np.arange(0, n) / n
    done = 0
    while done < samples:
        k = min(rows, samples - done)
        x = np.sort(rng.standard_normal((k, n)), axis=1)
        z = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, ddof=1, keepdims=True)
        f = ndtr(z)
        out[done : done + k] = np.maximum((upper - f).max(axis=1), (f - lower).max(axis=1))
        done += k
    return out


def make_table() -> None:
    rng = np.random.default_rng(TABLE_SEED)
    TABLE.parent.mkdir(parents=True, exist_ok=True)
    with TABLE.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["n", *(f"{p:.3f}" for p in P_GRID)])
        for n in N_GRID:
            d = simulate_d(n, TABLE_SAMPLES, rng)
            # the d with P(D >= d) = p is the (1 - p) quantile
            quantiles = np.quantile(d, [1 - p for p in P_GRID])
            writer.writerow([n, *(f"{q:.6f}" for q in quantiles)])
            print(f"n = {n}", file=sys.stderr, flush=True)


def make_reference() -> None:
    rng = np.random.default_rng(REFERENCE_SEED)
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    with REFERENCE.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["n", "d", "p_mc"])
        for n in REFERENCE_N:
            d = np.sort(simulate_d(n, REFERENCE_SAMPLES, rng))
            for p in REFERENCE_P:
                observed = round(float(np.quantile(d, 1 - p)), 5)
                p_mc = (d.size - np.searchsorted(d, observed, side="left")) / d.size
                writer.writerow([n, f"{observed:.5f}", f"{p_mc:.6f}"])
            print(f"n = {n}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("table", "reference"))
    {"table": make_table, "reference": make_reference}[parser.parse_args().what]()
