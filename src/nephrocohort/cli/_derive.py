"""Commands of the derive step (being built)."""


def register(app) -> None:
    """Add this step's commands to ``app``."""
