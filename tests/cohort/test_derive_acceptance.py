"""Acceptance cases for the derivation, each a small hand-built cohort.

Every expected value follows from DESIGN.md's derivation defaults and the
data dictionary (``medications.end_date`` is the last day of the course),
worked out by hand: a steroid dose of 20 mg/day for a 30 kg child is
20 / 30 = 0.667 mg/kg/day; the original Schwartz eGFR is k x height / creatinine
(shared/reference/clinical-reference.md section 2a: k 0.55 for children,
0.70 for adolescent boys).
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_derive import MMF_START, event, lab, make_cohort, med, one, patient, timed, visit

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive, explain, load_bundle, save_bundle

DAYS_PER_MONTH = 365.25 / 12


@pytest.fixture(scope="module")
def study():
    return load_rule_set("study")


def _is(value, expected: bool) -> bool:
    return (not pd.isna(value)) and bool(value) is expected


# --------------------------------------------------------------------------- 1. end_date inclusive


class TestEndDateIsTheLastDay:
    def test_course_ending_on_the_mmf_start_day_is_active_that_day(self, study):
        cohort = make_cohort(
            medications=[
                med("mmf", "2010-01-01", None, 600, "mg/m2/day", "bid"),
                med("prednisolone", "2009-12-02", "2010-01-01", 20, "mg/day", "daily"),
            ],
            visits=[visit("2010-01-01", weight_kg=30, height_cm=130)],
            patients=[patient(onset_date="2009-06-01")],
        )
        assert one(derive(cohort, study))["steroid_mg_kg_day_before"] == pytest.approx(20 / 30)

    def test_course_ending_on_mmf_stop_day_is_not_stopped(self, study):
        # follow-up day = MMF stop (2010-06-30, sooner than 12 months); prednisolone runs to that day
        cohort = make_cohort(
            medications=[
                med("mmf", "2010-01-01", "2010-06-30", 600, "mg/m2/day", "bid"),
                med("prednisolone", "2009-12-01", "2010-06-30", 20, "mg/day", "daily"),
            ],
            visits=[visit("2010-01-01", weight_kg=30, height_cm=130)],
            patients=[patient(onset_date="2009-06-01")],
        )
        row = one(derive(cohort, study))
        assert row["steroid_mg_kg_day_after"] == pytest.approx(20 / 30)
        assert _is(row["prednisolone_stopped"], False)

    def test_hand_over_day_counts_the_new_course_only(self, study):
        # 20 mg/day to 2010-01-01, then 10 mg/day from 2010-01-01: that day is 10 / 30, not 30 / 30
        cohort = make_cohort(
            medications=[
                med("mmf", "2010-01-01", None, 600, "mg/m2/day", "bid"),
                med("prednisolone", "2009-12-01", "2010-01-01", 20, "mg/day", "daily"),
                med("prednisolone", "2010-01-01", None, 10, "mg/day", "daily"),
            ],
            visits=[visit("2010-01-01", weight_kg=30, height_cm=130)],
            patients=[patient(onset_date="2009-06-01")],
        )
        assert one(derive(cohort, study))["steroid_mg_kg_day_before"] == pytest.approx(10 / 30)

    def test_trial_of_28_days_by_inclusive_dates_is_decided(self, study):
        # 2012-01-01..2012-01-28 is 28 days of 60 mg/m2/day; no remission -> resistant
        cohort = make_cohort(
            medications=[
                med("prednisolone", "2012-01-01", "2012-01-28", 60, "mg/m2/day", "daily"),
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
            ],
            labs=[timed("2012-01-10", 80), timed("2012-01-28", 80)],
        )
        assert one(derive(cohort, study))["steroid_response"] == "resistant"

    def test_adverse_event_on_the_mmf_stop_day_is_on_mmf(self, study):
        cohort = make_cohort(
            medications=[med("mmf", MMF_START, "2016-06-30", 600, "mg/m2/day", "bid")],
            events=[event("2016-06-30", "diarrhea"), event("2016-07-01", "leukopenia")],
        )
        row = one(derive(cohort, study))
        assert _is(row["ae_diarrhea"], True)
        assert _is(row["ae_leukopenia"], False)


# --------------------------------------------------------------------------- 2. death as an event


class TestDeathEventEndsObservation:
    def test_death_event_ends_observation_on_mmf(self, study):
        # MMF ongoing from 2016-01-01, last follow-up 2019-01-01, death event 2016-07-01 (182 days)
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
                med("prednisolone", "2015-12-01", "2016-12-31", 20, "mg/day", "daily"),
            ],
            visits=[visit("2016-01-01", weight_kg=30, height_cm=130)],
            events=[event("2016-07-01", "death"), event("2016-09-01", "relapse")],
        )
        row = one(derive(cohort, study))
        assert row["mmf_duration_months"] == pytest.approx(182 / DAYS_PER_MONTH)
        assert row["relapses_after"] == 0  # the relapse dated after death is outside observation
        assert row["relapses_per_year_after"] == pytest.approx(0.0)
        assert row["days_to_crf"] == 182
        # follow-up steroid day is the death day (dose still 20 mg/day), not 2017-01-01 (none)
        assert row["steroid_mg_kg_day_after"] == pytest.approx(20 / 30)


# --------------------------------------------------------------------------- 10. no last follow-up


class TestEmptyLastFollowUp:
    def test_latest_record_stands_in_for_the_last_follow_up(self, study):
        cohort = make_cohort(
            patients=[patient(last_followup_date=None)],
            labs=[timed("2016-07-01", 2)],
            events=[event("2016-03-01", "relapse")],
        )
        row = one(derive(cohort, study))
        assert row["mmf_duration_months"] == pytest.approx(182 / DAYS_PER_MONTH)
        assert row["relapses_after"] == 1
        assert row["relapses_per_year_after"] == pytest.approx(1 / (182 / 365.25))
        assert pd.isna(row["last_followup_date"])  # copied as recorded

    def test_explain_says_where_observation_ends(self, study):
        no_follow_up = make_cohort(
            patients=[patient(last_followup_date=None)], labs=[timed("2016-07-01", 2)]
        )
        item = explain(no_follow_up, study, "P1")["mmf_duration_months"]
        assert "end of observation 2016-07-01" in item.window
        assert "latest dated record" in item.window
        died = make_cohort(events=[event("2016-07-01", "death")])
        assert "death (a death event)" in explain(died, study, "P1")["mmf_duration_months"].window


# --------------------------------------------------------------------------- 3. eGFR precision


class TestEgfrPrecision:
    def test_egfr_of_exactly_60_is_not_crf(self, study):
        # 0.55 x 120 / 1.1 = 60 (floating point: 59.99999999999999); 60 is not < 60
        cohort = make_cohort(
            labs=[lab(d, "serum_creatinine", 1.1, "mg/dL") for d in ("2017-01-01", "2017-05-01")],
            visits=[visit("2017-01-01", height_cm=120)],
        )
        row = one(derive(cohort, study))
        assert _is(row["crf"], False)

    def test_egfr_of_exactly_60_before_mmf_is_not_eligible(self, study, tmp_path):
        # 97.24 umol/L = 1.1 mg/dL (/ 88.4; floating point 1.0999999999999999) -> 0.55 x 120 / 1.1
        # = 60 (floating point 60.00000000000001); the study needs > 60. Loaded from a bundle, so
        # the unit is converted as on any load.
        cohort = make_cohort(
            labs=[lab("2015-12-20", "serum_creatinine", 97.24, "umol/L")],
            visits=[visit("2015-12-20", height_cm=120)],
        )
        save_bundle(cohort, tmp_path / "bundle")
        row = one(derive(load_bundle(tmp_path / "bundle"), study))
        assert row["egfr_mmf_start"] == 60
        assert _is(row["eligible"], False)
        assert "eGFR before MMF 60" in row["exclusion_reasons"]


# --------------------------------------------------------------------------- 4. completed years


class TestCompletedYears:
    def test_18th_birthday_on_the_mmf_start_day_is_not_eligible(self, study):
        cohort = make_cohort(
            patients=[patient(birth_date="1992-03-01", onset_date="2009-06-01")],
            medications=[med("mmf", "2010-03-01", None, 600, "mg/m2/day", "bid")],
        )
        row = one(derive(cohort, study))
        assert _is(row["eligible"], False)
        assert "Age at MMF start 18" in row["exclusion_reasons"]

    def test_day_before_the_18th_birthday_is_not_excluded_for_age(self, study):
        cohort = make_cohort(
            patients=[patient(birth_date="1992-03-02", onset_date="2009-06-01")],
            medications=[med("mmf", "2010-03-01", None, 600, "mg/m2/day", "bid")],
        )
        assert "Age at MMF start" not in one(derive(cohort, study))["exclusion_reasons"]

    def test_adolescent_boy_k_from_the_13th_birthday(self, study):
        # born 1997-03-01, sample on 2010-03-01 (13th birthday; 4748 days = 12.9993 decimal
        # years): k 0.70 -> 0.70 x 150 / 0.7 = 150 (not 0.55 x 150 / 0.7 = 117.86)
        cohort = make_cohort(
            patients=[patient(birth_date="1997-03-01", onset_date="2009-06-01")],
            medications=[med("mmf", "2010-03-01", None, 600, "mg/m2/day", "bid")],
            labs=[lab("2010-03-01", "serum_creatinine", 0.7, "mg/dL")],
            visits=[visit("2010-03-01", height_cm=150)],
        )
        assert one(derive(cohort, study))["egfr_mmf_start"] == pytest.approx(150)


# --------------------------------------------------------------------------- 5. empty lab unit


class TestLabWithoutUnit:
    def test_one_upcr_without_unit_does_not_stop_the_cohort(self, study):
        no_unit = {
            **lab("2016-01-20", "upcr", 3.0, None),
            "measured_value": 3.0,
            "measured_unit": None,
        }
        cohort = make_cohort(
            patients=[patient("P1"), patient("P2")],
            medications=[
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid", patient_id=pid)
                for pid in ("P1", "P2")
            ],
            labs=[
                {**timed("2016-01-31", 50), "measured_value": 50.0, "measured_unit": "mg/m2/h"},
                no_unit,
                {
                    **timed("2016-01-31", 2, patient_id="P2"),
                    "measured_value": 2.0,
                    "measured_unit": "mg/m2/h",
                },
            ],
        )
        dataset = derive(cohort, study)
        assert one(dataset, "P1")["state_month1"] == "nephrotic"  # the row without unit is unused
        assert one(dataset, "P2")["state_month1"] == "complete"


# --------------------------------------------------------------------------- 7. eligibility


class TestEligibilityWithUnknowns:
    @staticmethod
    def _cohort(labs, **patient_overrides):
        # resistant: 60 mg/m2/day 2012-01-01..2012-03-01, nephrotic on days 14 and 35
        return make_cohort(
            patients=[patient(**patient_overrides)],
            medications=[
                med("prednisolone", "2012-01-01", "2012-03-01", 60, "mg/m2/day", "daily"),
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
            ],
            labs=[timed("2012-01-15", 80), timed("2012-02-05", 80), *labs],
            visits=[visit("2015-12-15", height_cm=120)],
        )

    def test_unknown_egfr_before_mmf_is_not_eligible(self, study):
        row = one(derive(self._cohort([]), study))
        assert _is(row["eligible"], False)
        assert "could not be confirmed: " in row["exclusion_reasons"]
        assert row["eligibility_unchecked"] == ""

    def test_unknown_serology_does_not_exclude_but_is_listed(self, study):
        creatinine = lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL")  # 0.55 x 120 / 0.6 = 110
        row = one(derive(self._cohort([creatinine], hbv=None), study))
        assert _is(row["eligible"], True)
        assert row["exclusion_reasons"] == ""
        assert "Hepatitis B" in row["eligibility_unchecked"]


# --------------------------------------------------------------------------- 8. relapse merging


def _dip(day_offset: int, mg_dl: float, start="2015-01-01"):
    """A dipstick in mg/dL (0 = negative) ``day_offset`` days after ``start``."""
    date = (pd.Timestamp(start) + pd.Timedelta(days=day_offset)).strftime("%Y-%m-%d")
    row = lab(date, "dipstick_protein", float(mg_dl), "mg/dL")
    return {**row, "measured_value": float(mg_dl), "measured_unit": "mg/dL"}


def _on(day_offset: int, start="2015-01-01") -> str:
    return (pd.Timestamp(start) + pd.Timedelta(days=day_offset)).strftime("%Y-%m-%d")


class TestRelapseMerging:
    """DESIGN.md: only a recorded relapse and a derived one within 14 days are one relapse."""

    @staticmethod
    def _cohort(labs, events=()):
        # MMF from 2016-01-01; everything below is in the 12 months before it (day 0 = 2015-01-01)
        return make_cohort(
            patients=[patient(onset_date="2014-06-01")], labs=labs, events=list(events)
        )

    def test_two_derived_relapses_ten_days_apart_are_two(self, study):
        # negative day 50, 1000 day 100 (relapse), negative day 105, 1000 day 110 (relapse)
        labs = [_dip(50, 0), _dip(100, 1000), _dip(105, 0), _dip(110, 1000)]
        assert one(derive(self._cohort(labs), study))["relapses_before"] == 2

    def test_merges_do_not_chain(self, study):
        # derived day 100, recorded day 110, remission day 115, derived day 122 -> 2
        labs = [_dip(50, 0), _dip(100, 1000), _dip(115, 0), _dip(122, 1000)]
        events = [event(_on(110), "relapse")]
        assert one(derive(self._cohort(labs, events), study))["relapses_before"] == 2

    def test_recorded_and_derived_within_14_days_are_one(self, study):
        labs = [_dip(50, 0), _dip(100, 1000)]
        events = [event(_on(110), "relapse")]
        assert one(derive(self._cohort(labs, events), study))["relapses_before"] == 1


# --------------------------------------------------------------------------- 9. calendar months


class TestCalendarMonths:
    def test_anniversary_relapse_counts_in_the_first_year_on_mmf(self, study):
        # MMF 2012-01-01 (a leap year: the anniversary is day 366)
        cohort = make_cohort(
            patients=[patient(onset_date="2011-01-01")],
            medications=[med("mmf", "2012-01-01", None, 600, "mg/m2/day", "bid")],
            events=[event("2013-01-01", "relapse")],
        )
        row = one(derive(cohort, study))
        assert row["relapses_after"] == 1
        assert row["relapses_per_year_after"] == pytest.approx(1.0)  # a whole year observed

    def test_day_after_the_anniversary_is_outside(self, study):
        cohort = make_cohort(
            patients=[patient(onset_date="2011-01-01")],
            medications=[med("mmf", "2012-01-01", None, 600, "mg/m2/day", "bid")],
            events=[event("2013-01-02", "relapse")],
        )
        assert one(derive(cohort, study))["relapses_after"] == 0

    def test_relapse_on_the_anniversary_before_mmf_is_outside(self, study):
        # before-period (2012-01-01, 2013-01-01]: 2012-01-01 itself is outside
        cohort = make_cohort(
            patients=[patient(onset_date="2011-01-01")],
            medications=[med("mmf", "2013-01-01", None, 600, "mg/m2/day", "bid")],
            events=[event("2012-01-01", "relapse"), event("2012-01-02", "relapse")],
        )
        row = one(derive(cohort, study))
        assert row["relapses_before"] == 1
        assert row["relapses_per_year_before"] == pytest.approx(1.0)

    def test_steroid_follow_up_is_the_anniversary(self, study):
        # MMF 2012-01-01; prednisolone 20 mg/day ends 2012-12-31: on 2013-01-01 (the anniversary,
        # day 366) the dose is 0, so prednisolone stopped
        cohort = make_cohort(
            patients=[patient(onset_date="2011-01-01")],
            medications=[
                med("mmf", "2012-01-01", None, 600, "mg/m2/day", "bid"),
                med("prednisolone", "2011-12-01", "2012-12-31", 20, "mg/day", "daily"),
            ],
            visits=[visit("2012-01-01", weight_kg=30, height_cm=130)],
        )
        row = one(derive(cohort, study))
        assert row["steroid_mg_kg_day_after"] == 0
        assert _is(row["prednisolone_stopped"], True)

    def test_month12_target_is_the_anniversary(self, study):
        # MMF 2012-01-01: target 2013-01-01 (day 366). 2012-12-30 is 2 days before it and
        # 2013-01-02 1 day after it -> the later one is nearer (with a fixed day 365 both
        # would be 1 day away and the earlier would win)
        cohort = make_cohort(
            patients=[patient(onset_date="2011-01-01")],
            medications=[med("mmf", "2012-01-01", None, 600, "mg/m2/day", "bid")],
            labs=[timed("2012-12-30", 2), timed("2013-01-02", 80)],
        )
        assert one(derive(cohort, study))["state_month12"] == "nephrotic"
