"""Commands of the registry layer (being built)."""


def register(app) -> None:
    """Add this layer's commands to ``app``."""
