"""CNI response of hand-built patients, expected values from the guideline sentences.

"CNI-resistant SRNS: absence of at least partial remission after >= 6 months of CNI at
adequate doses and/or levels"; "CNI-responsive SRNS: partial remission within 6 months
and/or complete remission within 12 months" (IPNA 2020 Table 1 as KDIGO 2025 Figure 1
repeats it; secondary source).
"""

import datetime as dt

from nephrocohort.clinical.cni_response import CNI_IPNA_2020, cni_response

D = dt.date
START = D(2016, 1, 1)  # 6 months later: 2016-07-01; 12 months: 2017-01-01


def response(**overrides):
    arguments = dict(
        start=START,
        end=None,
        end_of_observation=D(2018, 1, 1),
        adequate_dose=True,
        first_partial_or_complete=None,
        first_complete=None,
    )
    arguments.update(overrides)
    return cni_response(**arguments).verdict


def test_no_remission_after_six_months_at_an_adequate_dose_is_resistant():
    assert response() == "resistant"


def test_partial_remission_on_the_last_day_of_six_months_is_responsive():
    assert response(first_partial_or_complete=D(2016, 7, 1)) == "responsive"


def test_partial_remission_a_day_later_is_not():
    assert response(first_partial_or_complete=D(2016, 7, 2)) == "resistant"


def test_complete_remission_within_twelve_months_is_responsive():
    # "and/or complete remission within 12 months"
    late = D(2016, 12, 20)
    assert response(first_partial_or_complete=late, first_complete=late) == "responsive"


def test_a_course_shorter_than_six_months_gives_no_verdict():
    # "after >= 6 months of CNI": a course stopped at 4 months is no trial.
    assert response(end=D(2016, 5, 1)) is None


def test_an_inadequate_or_unknown_dose_gives_no_verdict():
    # "at adequate doses": a low dose without response is not resistance.
    assert response(adequate_dose=False) is None
    assert response(adequate_dose=None) is None


def test_the_adequate_dose_is_stated_per_drug():
    # KDIGO 2025 Fig 4: cyclosporine 5 mg/kg/day, tacrolimus 0.1 mg/kg/day, less 20 %.
    assert CNI_IPNA_2020.min_mg_kg_day == {"cyclosporine": 4.0, "tacrolimus": 0.08}
