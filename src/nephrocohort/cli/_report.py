"""Commands of the report layer (being built)."""


def register(app) -> None:
    """Add this layer's commands to ``app``."""
