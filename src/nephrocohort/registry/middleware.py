"""Request checks that apply to every view, before any of them runs.

A NUL byte cannot be stored in or compared with a PostgreSQL text column
(psycopg refuses the query, which was a 500 in the search box); no field of
the registry ever holds one, so a request carrying one anywhere in its query
string or form data is refused with 400 (issue 14).
"""

from __future__ import annotations

from nephrocohort.registry.views._common import ReasonedBadRequest

__all__ = ["RefuseNulBytes"]

NUL_REFUSED = (
    "The request contains a NUL character (\\0), which no registry field can hold; "
    "remove it and try again."
)


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in query_dict.lists()
    )


class RefuseNulBytes:
    """400 for a NUL byte in a query parameter or a form field (names or values)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            raise ReasonedBadRequest(NUL_REFUSED)
        return self.get_response(request)
