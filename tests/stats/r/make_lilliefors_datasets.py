"""Write lilliefors_datasets.json: samples for the live nortest comparison (issue 12 item 4).

Run from this folder: python make_lilliefors_datasets.py (fixed seed, reproducible).
Sizes 5-600 and shapes chosen so that nortest's p spreads over the whole range, above
0.1 (where nortest uses Stephens' formula and NephroCohort its simulated table) as
well as below (both Dallal-Wilkinson): normal, normal rounded to one decimal (ties, as
eGFR), mildly skewed (log-normal, sigma 0.3) and uniform.
"""

import json

import numpy as np

rng = np.random.default_rng(20261208)
SIZES = [5, 6, 8, 11, 15, 20, 27, 36, 50, 75, 101, 150, 220, 300, 450, 600]


def samples():
    data = {}
    for n in SIZES:
        data[f"normal_{n}"] = rng.normal(100, 25, n)
        data[f"rounded_{n}"] = np.round(rng.normal(140, 40, n), 1)
        data[f"lognormal_{n}"] = rng.lognormal(0, 0.3, n)
        data[f"uniform_{n}"] = rng.uniform(0, 1, n)
    return {name: [float(f"{v:.10g}") for v in values] for name, values in data.items()}


if __name__ == "__main__":
    with open("lilliefors_datasets.json", "w", encoding="utf-8") as handle:
        json.dump(samples(), handle, indent=0)
        handle.write("\n")
