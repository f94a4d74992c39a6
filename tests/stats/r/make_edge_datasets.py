"""Write edge_datasets.json: synthetic inputs for the live and stored R comparisons.

Run from this folder: python make_edge_datasets.py. The random datasets come from a
fixed seed, so the file is reproducible; the hand-written ones are the edges named in
issue 12 (a curve reaching 0, a single event, tiny differences, ties and zeros).
"""

import json

import numpy as np

rng = np.random.default_rng(20261207)


def survival_cases():
    cases = {
        "issue12_reaches_zero": ([2, 3, 5, 7, 11, 13], [1, 0, 1, 1, 0, 1]),
        "one_patient_one_event": ([4], [1]),
        "single_event_among_censored": ([4, 6, 9], [0, 1, 0]),
        "all_censored": ([3, 5, 7], [0, 0, 0]),
        "all_events_at_one_time": ([5, 5, 5], [1, 1, 1]),
        "event_at_time_zero": ([0, 2, 4, 6], [1, 0, 1, 0]),
        "ends_flat_at_one_half": ([1, 2, 3, 4], [1, 1, 0, 0]),
        "event_and_censoring_tied": ([2, 2, 3, 3, 5, 8], [1, 0, 1, 0, 1, 0]),
        "two_events_to_zero": ([1, 2], [1, 1]),
        "lower_reaches_half_upper_never": ([1, 4, 6, 8, 10, 12, 15], [1, 0, 1, 0, 1, 0, 0]),
    }
    for index in range(30):
        n = int(rng.integers(2, 45))
        times = rng.integers(0, 40, size=n).tolist()
        observed = (rng.random(n) < rng.uniform(0.2, 1.0)).astype(int).tolist()
        cases[f"random_{index:02d}"] = (times, observed)
    return {name: {"t": t, "e": e} for name, (t, e) in cases.items()}


def paired_cases():
    cases = {
        "tiny_differences": ([0.0] * 6, [k * 1e-12 for k in range(1, 7)]),
        "tiny_mixed_signs": ([0.0] * 7, [3e-12, -1e-12, 2e-12, 5e-12, -4e-12, 6e-12, 7e-12]),
        "all_zero_but_one": ([1, 2, 3, 4], [1, 2, 3, 5]),
        "ties_and_zeros_small": ([3, 2, 4, 1, 0, 3], [1, 2, 3, 1, 1, 1]),
    }
    for index in range(20):  # relapse counts: small integers, many ties and zeros
        n = int(rng.integers(6, 40))
        before = rng.poisson(rng.uniform(1.0, 4.0), size=n)
        after = np.maximum(before - rng.poisson(rng.uniform(0.0, 2.0), size=n), 0)
        after = after + rng.poisson(0.4, size=n)
        cases[f"relapse_counts_{index:02d}"] = (before.tolist(), after.tolist())
    for index in range(10):  # relapses per year in quarter steps
        n = int(rng.integers(8, 60))
        before = rng.integers(0, 24, size=n) / 4
        after = np.clip(before + rng.integers(-10, 5, size=n) / 4, 0, None)
        cases[f"rate_quarters_{index:02d}"] = (before.tolist(), after.tolist())
    for index in range(6):  # continuous, no ties
        n = int(rng.integers(5, 30))
        before = np.round(rng.normal(90, 25, size=n), 3)
        after = np.round(before + rng.normal(-4, 10, size=n), 3)
        cases[f"continuous_{index:02d}"] = (before.tolist(), after.tolist())
    return {name: {"before": b, "after": a} for name, (b, a) in cases.items()}


def table_cases():
    cases = {
        "two_by_two_small": [[3, 1], [1, 4]],
        "two_by_three": [[5, 2, 1], [1, 3, 6]],
        "three_by_three": [[4, 1, 0], [2, 3, 1], [0, 2, 5]],
        "five_by_three": [[3, 1, 0], [2, 2, 1], [1, 3, 2], [0, 2, 3], [1, 0, 4]],
    }
    for index in range(6):
        rows, columns = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        table = rng.integers(0, 7, size=(rows, columns)) + 1
        cases[f"random_{index:02d}"] = table.tolist()
    return cases


def main():
    data = {"survival": survival_cases(), "paired": paired_cases(), "tables": table_cases()}
    with open("edge_datasets.json", "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
