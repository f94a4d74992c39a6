"""The command line starts and reports its version."""

from typer.testing import CliRunner

from nephrocohort import __version__
from nephrocohort.cli import app


def test_version_option_prints_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout
