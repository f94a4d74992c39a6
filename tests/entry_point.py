"""The installed command line (``nephrocohort.cli.main``) run in the test's own process."""

import sys

from nephrocohort.cli import main


def run_main(monkeypatch, capsys, *args):
    """Run the entry point with ``args``; return (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["nephrocohort", *args])
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err
