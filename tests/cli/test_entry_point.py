"""The command line starts and reports its version."""

from typer.testing import CliRunner

from nephrocohort import __version__
from nephrocohort.cli import app


def test_version_option_prints_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_exit_code_of_a_command_reaches_the_shell(monkeypatch):
    """A command ending with ``typer.Exit(3)`` makes the process exit with 3."""
    import pytest
    import typer

    from nephrocohort import cli

    def _fails() -> None:
        raise typer.Exit(3)

    cli.app.command("exit-three-for-test")(_fails)
    monkeypatch.setattr("sys.argv", ["nephrocohort", "exit-three-for-test"])
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.main()
    finally:
        cli.app.registered_commands = [
            c for c in cli.app.registered_commands if c.name != "exit-three-for-test"
        ]
    assert stopped.value.code == 3


def test_a_command_on_an_invalid_bundle_prints_every_problem_and_exits_1(tmp_path):
    """Not only `validate`: any command that loads a bundle lists the problems."""
    import subprocess

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "patients.csv").write_text(
        "patient_id,center,sex,birth_date,onset_date\n"
        "P-1,C1,M,2010-01-01,2012-01-01\n"
        "P-1,C1,Q,2010-01-01,2012-01-01\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["nephrocohort", "derive", "--data", str(bundle), "--out", str(tmp_path / "a.csv")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "'sex' is 'Q'" in done.stderr
    assert "appears more than once" in done.stderr
    assert not (tmp_path / "a.csv").exists()


def test_python_dash_m_runs_the_same_command_line(tmp_path):
    """``python -m nephrocohort`` works where the script is not on PATH (a fresh clone with
    PYTHONPATH=src): it printed "No module named nephrocohort.__main__" before."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import nephrocohort

    env = dict(os.environ, PYTHONPATH=str(Path(nephrocohort.__file__).parents[1]))
    done = subprocess.run(
        [sys.executable, "-m", "nephrocohort", "rules", "list"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "ipna2020" in done.stdout
    assert "kdigo2021" in done.stdout
