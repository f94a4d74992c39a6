"""The embedded demo cohort: 26 synthetic children calibrated to the seed study.

The bundle ships inside the package (``nephrocohort/data/demo/``, one CSV per
table) so that ``nephrocohort report`` and the docstring examples run offline
on something that looks like a clinic's records. It is synthetic: no real
patient is in it. Its raw records were designed (``_demo_design``) so that the
study analysis, computed from them under the ``study`` rule set, gives the
figures the seed study published; docs/demo-cohort.md has the provenance,
every table and column, and the decisions where the seed cannot be met.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from nephrocohort.cohort._demo_records import DEMO_SEED, build_demo_tables
from nephrocohort.cohort.bundle import load_bundle
from nephrocohort.cohort.contract import TABLE_NAMES
from nephrocohort.cohort.model import Cohort

__all__ = ["DEMO_SEED", "demo_bundle_path", "demo_cohort", "generate_demo_bundle"]


def demo_bundle_path() -> Path:
    """The folder of the shipped demo bundle (inside the installed package)."""
    return Path(str(resources.files("nephrocohort") / "data" / "demo"))


def demo_cohort() -> Cohort:
    """Load the shipped demo cohort (26 synthetic patients), validated like any bundle.

    Example
    -------
    >>> demo_cohort()  # doctest: +ELLIPSIS
    Cohort(26 patients; biopsies=26, ...)
    """
    return load_bundle(demo_bundle_path())


def generate_demo_bundle(out_dir) -> Path:
    """Write the demo bundle (one CSV per table) to ``out_dir`` and return the folder.

    The records are rebuilt from the design with the fixed seed ``DEMO_SEED``,
    so the files are byte for byte those shipped in the package.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = build_demo_tables(seed=DEMO_SEED)
    for name in TABLE_NAMES:
        text = tables[name].to_csv(index=False, lineterminator="\n")
        (out / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
    return out
