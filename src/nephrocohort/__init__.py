"""NephroCohort: registry and outcomes analysis for children with steroid-resistant nephrotic syndrome."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nephrocohort")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
