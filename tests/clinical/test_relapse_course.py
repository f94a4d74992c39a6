"""Frequently/infrequently relapsing and steroid-dependent NS, from hand-built relapse dates.

Expected values come from the guideline sentences quoted in each test, not from the code.
"""

import datetime as dt

import pytest

from nephrocohort.clinical.relapse_course import (
    IPNA_2022,
    KDIGO_2021,
    add_calendar_months,
    relapse_course,
)

D = dt.date
ONSET = D(2015, 1, 1)
REMISSION = D(2015, 1, 20)  # complete remission of the initial episode
END = D(2018, 1, 1)


def course(relapses, criteria, *, steroids=(), end=END):
    return relapse_course(
        relapses,
        onset=ONSET,
        initial_remission=REMISSION,
        end_of_observation=end,
        steroid_courses=list(steroids),
        criteria=criteria,
    )


def test_three_relapses_in_twelve_months_differ_between_the_guidelines():
    # IPNA 2022 Table 1: infrequently relapsing is "fewer than 3 relapses in any subsequent
    # 12-month period", so 3 in 12 months is frequent. KDIGO 2021: ">= 4 relapses in any
    # subsequent 12 month period", so 3 is not. One relapse per 4 months from month 8.
    relapses = [D(2015, 9, 1), D(2016, 1, 1), D(2016, 5, 1)]
    ipna = course(relapses, IPNA_2022)
    kdigo = course(relapses, KDIGO_2021)
    assert (ipna.frequently_relapsing, ipna.infrequently_relapsing) == (True, False)
    assert (kdigo.frequently_relapsing, kdigo.infrequently_relapsing) == (False, True)


def test_four_relapses_in_twelve_months_are_frequent_under_both():
    # KDIGO 2021: ">= 4 relapses in any subsequent 12 month period".
    relapses = [D(2016, 1, 1), D(2016, 4, 1), D(2016, 7, 1), D(2016, 10, 1)]
    assert course(relapses, KDIGO_2021).frequently_relapsing is True
    assert course(relapses, IPNA_2022).frequently_relapsing is True


def test_two_relapses_in_the_first_six_months():
    # IPNA 2022: "< 2 relapses in the 6 months following remission of the initial episode"
    # is infrequent, so 2 in those months is frequent (remission 2015-01-20, to 2015-07-20).
    relapses = [D(2015, 3, 1), D(2015, 7, 20)]
    assert course(relapses, IPNA_2022).frequently_relapsing is True
    # KDIGO 2021 counts "within 6 months of disease onset" (2015-01-01 to 2015-07-01):
    # the second relapse is outside, and 2 relapses in 12 months are fewer than 4.
    assert course(relapses, KDIGO_2021).frequently_relapsing is False


def test_one_relapse_is_infrequent_and_none_is_neither():
    # "< 2 relapses in the 6 months ... or fewer than 3 ... in any subsequent 12-month period"
    one = course([D(2016, 6, 1)], IPNA_2022)
    assert (one.frequently_relapsing, one.infrequently_relapsing) == (False, True)
    none = course([], IPNA_2022)
    assert (none.frequently_relapsing, none.infrequently_relapsing) == (False, False)


def test_first_six_months_not_observed_cannot_tell():
    # One relapse and follow-up ending at month 3: a second relapse in the first 6 months
    # is still possible, so frequent relapses can be neither confirmed nor excluded.
    short = course([D(2015, 3, 1)], IPNA_2022, end=D(2015, 4, 20))
    assert (short.frequently_relapsing, short.infrequently_relapsing) == (None, None)


def test_steroid_dependence_window_after_stopping():
    # KDIGO 2021: "Two consecutive relapses during therapy with prednisone or prednisolone
    # (either at full daily dose or during tapering) or within 15 days of stopping
    # steroids"; IPNA 2022 / KDIGO 2025: within 14 days.
    steroids = [(D(2016, 1, 1), D(2016, 3, 1)), (D(2016, 6, 1), D(2016, 8, 1))]
    # first relapse during the taper; second 15 days after the second course stopped
    relapses = [D(2016, 2, 15), D(2016, 8, 16)]
    assert course(relapses, KDIGO_2021, steroids=steroids).steroid_dependent is True
    assert course(relapses, IPNA_2022, steroids=steroids).steroid_dependent is False


def test_relapses_that_are_not_consecutive_on_steroids_are_not_dependence():
    # "Two consecutive relapses": on steroid, off steroid, on steroid is not.
    steroids = [(D(2016, 1, 1), D(2016, 3, 1)), (D(2016, 9, 1), D(2016, 12, 1))]
    relapses = [D(2016, 2, 1), D(2016, 6, 1), D(2016, 10, 1)]
    assert course(relapses, IPNA_2022, steroids=steroids).steroid_dependent is False


def test_a_course_started_on_the_relapse_day_treats_it():
    # The relapse is not "during therapy" with the course it starts.
    steroids = [(D(2016, 2, 1), D(2016, 4, 1)), (D(2016, 6, 1), D(2016, 8, 1))]
    relapses = [D(2016, 2, 1), D(2016, 6, 1)]
    assert course(relapses, IPNA_2022, steroids=steroids).steroid_dependent is False


def test_without_steroid_records_dependence_cannot_be_told():
    assert course([D(2016, 2, 1), D(2016, 3, 1)], IPNA_2022).steroid_dependent is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(D(2012, 1, 31), 1, D(2012, 2, 29)), (D(2012, 1, 1), 12, D(2013, 1, 1))],
)
def test_calendar_months(day, months, expected):
    # docs/derivation.md: "2012-01-31 + 1 month = 2012-02-29"; 12 months after 2012-01-01
    # is 2013-01-01.
    assert add_calendar_months(day, months) == expected


def test_any_twelve_month_period_is_twelve_months_not_a_day_more():
    # IPNA 2022 Table 1: infrequently relapsing is "fewer than 3 relapses in any subsequent
    # 12-month period". 2020-07-19 to 2021-07-19 is 12 months and a day, so no 12-month
    # period holds all three; none falls in the 6 months after the remission (2020-01-11).
    relapses = [D(2020, 7, 19), D(2021, 1, 10), D(2021, 7, 19)]
    result = relapse_course(
        relapses,
        onset=D(2020, 1, 1),
        initial_remission=D(2020, 1, 11),
        end_of_observation=D(2022, 1, 1),
        steroid_courses=[],
        criteria=IPNA_2022,
    )
    assert (result.frequently_relapsing, result.infrequently_relapsing) == (False, True)
    # one day earlier, the third relapse is inside 2020-07-19..2021-07-18: 3 in 12 months
    earlier = relapse_course(
        [D(2020, 7, 19), D(2021, 1, 10), D(2021, 7, 18)],
        onset=D(2020, 1, 1),
        initial_remission=D(2020, 1, 11),
        end_of_observation=D(2022, 1, 1),
        steroid_courses=[],
        criteria=IPNA_2022,
    )
    assert earlier.frequently_relapsing is True
    assert earlier.reasons[0].params["end"] == "2021-07-18"
