"""Calculator and rule-set commands (filled in by the clinical core)."""


def register(app) -> None:
    """Add the ``calc`` and ``rules`` command groups to ``app``."""
