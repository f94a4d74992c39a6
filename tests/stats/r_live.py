"""Run an R reference script live (one Rscript call per test module), or skip with a reason.

Each script in tests/stats/r prints JSON on stdout; its stored output
(``tests/stats/r/<script>.json``) is what the tests compare against when R is missing,
and the live run is compared too when ``Rscript`` is installed, so a change of R or of
the inputs shows up in CI. R's NA arrives as None.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

R_DIR = Path(__file__).parent / "r"


def stored(script: str) -> dict:
    """The stored output of ``script`` (``name.R`` -> ``name.json``)."""
    return json.loads((R_DIR / script).with_suffix(".json").read_text(encoding="utf-8"))


def live(script: str) -> dict:
    """Run ``Rscript script`` in tests/stats/r and parse its JSON; skip when R cannot."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed: the live R comparison needs R 4.x (r-base-core)")
    completed = subprocess.run(
        [rscript, script], cwd=R_DIR, capture_output=True, text=True, timeout=600, check=False
    )
    if completed.returncode != 0:
        if "there is no package called" in completed.stderr:
            pytest.skip(f"{script} needs an R package that is not installed: {completed.stderr}")
        raise AssertionError(f"Rscript {script} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def one(value):
    """R's length-1 vectors arrive as one-item lists; NA as None."""
    if isinstance(value, list):
        assert len(value) == 1, value
        return value[0]
    return value
