"""The background worker: ``python -m nephrocohort.registry.worker`` runs queued jobs and exits.

Started by the server when a job is queued and no worker is busy (see
``jobs``); configured by the same environment variables as the server, so it
opens the same database. It lowers its own CPU priority first: the people
using the pages come before the report.
"""

from __future__ import annotations

import contextlib
import os


def main() -> int:
    # Windows has no nice(), and a system may forbid it: then run at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.nice(10)
    from nephrocohort.registry.server import configure

    configure()
    from nephrocohort.registry.jobs import work_queue

    work_queue()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
