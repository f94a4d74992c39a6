"""Shared test configuration: the system Chromium for the browser tests."""

from pathlib import Path

import pytest

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")

# Headless, and without the background connections a closed network refuses.
_CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``browser`` with a clear reason where the system Chromium is missing."""
    if SYSTEM_CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason="The system Chromium (/usr/bin/chromium) is not installed; "
        "install it (apt-get install chromium) to run the browser tests."
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def launch_chromium():
    """A function that starts the system Chromium (never a downloaded one) in a Playwright."""

    def launch(playwright):
        return playwright.chromium.launch(executable_path=str(SYSTEM_CHROMIUM), args=_CHROMIUM_ARGS)

    return launch
