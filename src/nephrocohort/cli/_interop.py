"""Commands of the interop layer (being built)."""


def register(app) -> None:
    """Add this layer's commands to ``app``."""
