"""Logging filters that keep patient values and noise out of the server log.

A database error's text can quote the values of the row it refused (PostgreSQL's
``DETAIL:  Key (patient_id)=(...) already exists``), and Django logs a 500 with
the whole traceback, exception text included. A refused request (403) is an
expected outcome, not a fault, and needs one line, not a traceback. So does a
malformed one (400): its message can quote what was sent (a version number, a
search term), so only the path is logged.
"""

from __future__ import annotations

import logging

__all__ = ["WithholdErrorDetails"]


def _is_database_error(error: BaseException | None) -> bool:
    from django.db import DatabaseError

    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DatabaseError) or type(error).__module__.startswith("psycopg"):
            return True
        error = error.__cause__ or error.__context__
    return False


class WithholdErrorDetails(logging.Filter):
    """Drop the traceback of database errors (their text can carry patient values), 403s and 400s.

    The record is kept, reduced to its message (which names the path with
    database ids only) and, for a database error, the error's type.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if _is_database_error(error):
            record.msg = (
                f"{record.getMessage()} [{type(error).__name__}; details withheld from the log "
                "because they can contain patient values]"
            )
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        elif getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        elif getattr(record, "status_code", None) == 400:
            request = getattr(record, "request", None)
            path = getattr(request, "path", None) or (record.args[-1] if record.args else "")
            record.msg = "Bad request (malformed input; what was sent is not logged): %s"
            record.args = (path,)
            record.exc_info = None
            record.exc_text = None
        return True
