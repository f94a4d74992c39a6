"""The shared behaviour of statistical results: frozen, unrounded, readable, serialisable.

Results hold the numbers exactly as computed. Rounding belongs to the renderers; the
repr shows six significant digits only so that a person can read it in a notebook.
"""

import dataclasses
import math
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np

__all__ = ["StatResult", "plain"]


def plain(value):
    """Return ``value`` as plain Python data for JSON: NaN becomes None, numpy scalars floats."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, StatResult):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    return str(value)


def _short(value):
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, tuple) and len(value) > 6:
        return f"(<{len(value)} items>)"
    return repr(value)


class StatResult:
    """Mixin for frozen dataclass results: ``as_dict()`` and a one-line repr.

    Subclasses list in ``_repr_fields`` the fields worth showing in the repr; the
    others stay available as attributes and in ``as_dict()``.
    """

    _repr_fields: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """Every field as plain JSON-ready data (NaN and infinity become ``None``)."""
        return {field.name: plain(getattr(self, field.name)) for field in dataclasses.fields(self)}

    def __repr__(self) -> str:
        names = self._repr_fields or tuple(field.name for field in dataclasses.fields(self))
        shown = ", ".join(f"{name}={_short(getattr(self, name))}" for name in names)
        return f"{type(self).__name__}({shown})"
