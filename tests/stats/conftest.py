"""Datasets shared by the statistics tests: synthetic, of the kind the seed study analysed."""

import json
from pathlib import Path

import pytest

R_DIR = Path(__file__).parent / "r"


def _load(name):
    return json.loads((R_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def paired_datasets():
    """Before/after pairs (relapses per year, steroid mg/kg/day, eGFR); null = missing."""
    return _load("paired_datasets.json")


@pytest.fixture(scope="session")
def single_variables(paired_datasets):
    """Every before/after column (``name.before``) and every single-sample variable."""
    variables = {}
    for name, pair in paired_datasets.items():
        variables[f"{name}.before"] = pair["before"]
        variables[f"{name}.after"] = pair["after"]
    variables.update(_load("single_datasets.json"))
    return variables


@pytest.fixture(scope="session")
def other_datasets():
    """Groups, tables, McNemar tables and survival data (see tests/stats/r/tests.R)."""
    return _load("other_datasets.json")


@pytest.fixture(scope="session")
def edge_datasets():
    """Edge cases and seeded random datasets shared with the live R scripts (edge_datasets.json)."""
    return _load("edge_datasets.json")
