"""Options shared by the commands that use patients' data: consent and assent.

``report``, ``derive`` and ``export`` leave out patients whose consent was
withdrawn, or who lack the assent their age requires when assent is asked
for (``--assent-required-from-age``); ``--include-withdrawn-consent`` is the
explicit override, which the pipeline logs (counts only, on stderr).
"""

from __future__ import annotations

from typing import Annotated

import typer

IncludeWithdrawnOption = Annotated[
    bool,
    typer.Option(
        "--include-withdrawn-consent",
        help="Also use patients whose consent was withdrawn or whose required assent is "
        "missing (left out by default). The override is logged.",
    ),
]
AssentAgeOption = Annotated[
    float | None,
    typer.Option(
        "--assent-required-from-age",
        help="Every center requires the child's assent from this age in years (e.g. 7; ICH "
        "E11 leaves the age to the ethics committee). Patients that old at consent or last "
        "follow-up without an assent_date are left out. Default: assent not required.",
    ),
]


def consent_policy(assent_age_years: float | None):
    """The pipeline's ConsentPolicy for the command-line options (a bad age: a usage error)."""
    from nephrocohort.cohort.consent import ConsentPolicy, ConsentPolicyError

    try:
        return ConsentPolicy(every_center_from_age_years=assent_age_years)
    except ConsentPolicyError as error:
        raise typer.BadParameter(str(error), param_hint="--assent-required-from-age") from error
