"""Derivation of the analysis dataset from hand-built cohorts.

Expected values are worked out by hand from the rules in docs/derivation.md
and the rule set ``study`` (thresholds and windows), with formula values
from shared/reference/clinical-reference.md: Mosteller BSA (section 3: 120 cm,
22 kg -> 0.8563 m2) and the original Schwartz equation (section 2a:
k = 0.55 for a child 1-12 years, 0.70 for an adolescent boy).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import ANALYSIS_COLUMNS, Cohort, derive
from nephrocohort.exceptions import RuleSetError

MMF_START = "2016-01-01"


@pytest.fixture(scope="module")
def study():
    return load_rule_set("study")


def patient(patient_id="P1", **overrides):
    row = {
        "patient_id": patient_id,
        "center": "C1",
        "sex": "M",
        "birth_date": "2008-01-01",
        "onset_date": "2012-01-01",
        "last_followup_date": "2019-01-01",
        "hbv": "negative",
        "hcv": "negative",
        "syphilis": "negative",
        "hiv": "negative",
        "family_history_ns": "no",
        "edema_at_onset": "yes",
        "hypertension_at_onset": "no",
        "aki_at_onset": "unknown",
        "hematuria_at_onset": "yes",
    }
    row.update(overrides)
    return row


def lab(date, test, value, unit, patient_id="P1"):
    return {"patient_id": patient_id, "date": date, "test": test, "value": value, "unit": unit}


def timed(date, value, patient_id="P1"):
    return lab(date, "urine_protein_timed", value, "mg/m2/h", patient_id)


def med(drug, start, end=None, dose=None, unit=None, schedule=None, patient_id="P1"):
    return {
        "patient_id": patient_id,
        "drug": drug,
        "start_date": start,
        "end_date": end,
        "dose": dose,
        "dose_unit": unit,
        "schedule": schedule,
    }


def visit(date, weight_kg=None, height_cm=None, patient_id="P1"):
    return {"patient_id": patient_id, "date": date, "weight_kg": weight_kg, "height_cm": height_cm}


def event(date, name, patient_id="P1"):
    return {"patient_id": patient_id, "date": date, "event": name}


def make_cohort(patients=None, labs=(), medications=None, visits=(), events=(), biopsies=()):
    """A cohort with source rows numbered as in a file (header is row 1)."""

    def frame(rows):
        rows = list(rows)
        data = pd.DataFrame(rows)
        if rows:
            data["source_row"] = range(2, len(rows) + 2)
        return data if rows else None

    if patients is None:
        patients = [patient()]
    if medications is None:
        medications = [med("mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid")]
    return Cohort(
        patients=frame(patients),
        labs=frame(labs),
        medications=frame(medications),
        visits=frame(visits),
        events=frame(events),
        biopsies=frame(biopsies),
    )


def one(dataset, patient_id="P1"):
    return dataset.set_index("patient_id").loc[patient_id]


# --------------------------------------------------------------------------- contract


class TestDatasetShape:
    def test_has_every_contract_column_in_order(self, study):
        dataset = derive(make_cohort(), study)
        assert tuple(dataset.columns[: len(ANALYSIS_COLUMNS)]) == ANALYSIS_COLUMNS

    def test_one_row_per_patient_in_patients_order(self, study):
        cohort = make_cohort(patients=[patient("B"), patient("A"), patient("C")], medications=[])
        assert list(derive(cohort, study)["patient_id"]) == ["B", "A", "C"]

    def test_booleans_are_nullable_and_states_are_text(self, study):
        dataset = derive(make_cohort(), study)
        assert isinstance(dataset["crf"].dtype, pd.BooleanDtype)
        assert isinstance(dataset["eligible"].dtype, pd.BooleanDtype)
        assert pd.api.types.is_string_dtype(dataset["state_month1"])
        assert pd.api.types.is_datetime64_any_dtype(dataset["mmf_start_date"])

    def test_empty_cohort_gives_empty_dataset_with_all_columns(self, study):
        dataset = derive(Cohort(), study)
        assert len(dataset) == 0
        assert tuple(dataset.columns[: len(ANALYSIS_COLUMNS)]) == ANALYSIS_COLUMNS

    def test_patients_derive_the_same_alone_and_together(self, study):
        """No value may leak between patients in the vectorised steps."""
        rows = {
            "A": dict(
                labs=[timed("2015-12-20", 80), timed("2016-01-30", 2)],
                events=[event("2015-06-01", "relapse")],
            ),
            "B": dict(
                labs=[timed("2016-01-01", 20), timed("2016-12-20", 60)],
                events=[event("2016-03-01", "diarrhea")],
            ),
            "C": dict(labs=[], events=[]),
        }
        per_patient = []
        for pid, parts in rows.items():
            cohort = make_cohort(
                patients=[patient(pid)],
                labs=[{**r, "patient_id": pid} for r in parts["labs"]],
                medications=[
                    med(
                        "mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid", patient_id=pid
                    )
                ],
                events=[{**e, "patient_id": pid} for e in parts["events"]],
            )
            per_patient.append(derive(cohort, study))
        together = derive(
            make_cohort(
                patients=[patient(pid) for pid in rows],
                labs=[{**r, "patient_id": pid} for pid, p in rows.items() for r in p["labs"]],
                medications=[
                    med(
                        "mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid", patient_id=pid
                    )
                    for pid in rows
                ],
                events=[{**e, "patient_id": pid} for pid, p in rows.items() for e in p["events"]],
            ),
            study,
        )
        pd.testing.assert_frame_equal(pd.concat(per_patient, ignore_index=True), together)


# --------------------------------------------------------------------------- edge cases


class TestEdgeCases:
    def test_patient_without_mmf_has_na_for_everything_relative_to_mmf(self, study):
        cohort = make_cohort(
            medications=[med("cyclosporine", "2014-01-01", "2015-01-01", 100, "mg/day", "bid")],
            labs=[timed("2016-01-01", 80)],
        )
        row = one(derive(cohort, study))
        assert row["received_mmf"] is False or row["received_mmf"] == False  # noqa: E712
        assert pd.isna(row["mmf_start_date"]) and pd.isna(row["mmf_duration_months"])
        assert pd.isna(row["group"])
        assert pd.isna(row["state_month0"]) and pd.isna(row["response_month1"])
        assert pd.isna(row["relapses_per_year_before"]) and pd.isna(row["steroid_mg_kg_day_before"])
        assert pd.isna(row["prior_cyclosporine"]) and pd.isna(row["ae_diarrhea"])
        assert pd.isna(row["days_to_complete_remission"]) and pd.isna(row["crf_observed"])

    def test_mmf_never_stopped_runs_to_last_follow_up(self, study):
        # MMF from 2016-01-01, no end date; last follow-up 2019-01-01 = 1096 days later.
        row = one(derive(make_cohort(), study))
        assert pd.isna(row["mmf_stop_date"])
        assert row["mmf_duration_months"] == pytest.approx(1096 / (365.25 / 12))

    def test_mmf_stopped_uses_the_latest_end_date(self, study):
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, "2016-07-01", 600, "mg/m2/day", "bid"),
                med("mycophenolate_sodium", "2016-07-01", "2017-01-01", 400, "mg/m2/day", "bid"),
            ]
        )
        row = one(derive(cohort, study))
        assert row["mmf_stop_date"] == pd.Timestamp("2017-01-01")
        assert row["mmf_duration_months"] == pytest.approx(366 / (365.25 / 12))

    def test_missing_weight_makes_mg_per_day_dose_missing(self, study):
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid"),
                med("prednisolone", "2015-06-01", None, 20, "mg/day", "daily"),
            ],
            visits=[visit("2016-01-01", weight_kg=None, height_cm=120)],
        )
        row = one(derive(cohort, study))
        assert pd.isna(row["steroid_mg_kg_day_before"])
        assert pd.isna(row["prednisolone_stopped"])

    def test_missing_weight_does_not_matter_for_mg_per_kg_doses(self, study):
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid"),
                med("prednisolone", "2015-06-01", "2016-06-01", 1.5, "mg/kg/day", "daily"),
            ]
        )
        row = one(derive(cohort, study))
        assert row["steroid_mg_kg_day_before"] == pytest.approx(1.5)
        assert row["steroid_mg_kg_day_after"] == 0
        assert row["prednisolone_stopped"] == True  # noqa: E712

    def test_no_measurement_in_window_gives_missing_state(self, study):
        # month 1 target is one calendar month after the start (2016-02-01), window +/-15 days
        # (2016-01-17 .. 2016-02-16)
        cohort = make_cohort(labs=[timed("2016-01-16", 2), timed("2016-02-17", 2)])
        row = one(derive(cohort, study))
        assert pd.isna(row["state_month1"])
        assert pd.isna(row["response_month1"])

    def test_measurement_on_the_window_edge_counts(self, study):
        cohort = make_cohort(labs=[timed("2016-02-15", 50), timed("2015-12-02", 2)])
        row = one(derive(cohort, study))
        assert row["state_month1"] == "nephrotic"  # day 45, the last day of the month-1 window
        assert row["response_month1"] == "none"
        assert (
            row["state_month0"] == "complete"
        )  # 30 days before the start, the first day of the baseline window

    def test_relapse_on_mmf_start_day_counts_before_mmf(self, study):
        cohort = make_cohort(events=[event(MMF_START, "relapse")])
        row = one(derive(cohort, study))
        assert row["relapses_before"] == 1
        assert row["relapses_after"] == 0

    @staticmethod
    def _two_patients(date_a, date_b):
        return make_cohort(
            patients=[patient("A"), patient("B")],
            medications=[
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid", patient_id=p) for p in "AB"
            ],
            events=[
                event(date_a, "relapse", patient_id="A"),
                event(date_b, "relapse", patient_id="B"),
            ],
        )

    def test_relapse_on_the_last_day_of_the_first_year_counts_on_mmf(self, study):
        # calendar months: the anniversary 2017-01-01 (day 366, 2016 is a leap year) is inside,
        # 2017-01-02 outside
        dataset = derive(self._two_patients("2017-01-01", "2017-01-02"), study)
        assert list(dataset["relapses_after"]) == [1, 0]

    def test_relapse_on_the_first_day_of_the_year_before_counts_before(self, study):
        # the year before is (start - 12 calendar months, start] = (2015-01-01, 2016-01-01]:
        # 2015-01-02 is in, 2015-01-01 out
        dataset = derive(self._two_patients("2015-01-02", "2015-01-01"), study)
        assert list(dataset["relapses_before"]) == [1, 0]

    def test_several_labs_on_one_day_take_timed_then_upcr_then_dipstick(self, study):
        cohort = make_cohort(
            labs=[
                lab("2016-01-31", "dipstick_protein", 1000, "mg/dL"),  # nephrotic by dipstick
                lab("2016-01-31", "upcr", 0.1, "mg/mg"),  # complete by UPCR
                lab("2016-01-31", "urine_protein_timed", 10, "mg/m2/h"),  # partial by timed: wins
                lab("2016-04-01", "dipstick_protein", 1000, "mg/dL"),
                lab("2016-04-01", "upcr", 0.1, "mg/mg"),  # UPCR beats dipstick
            ]
        )
        row = one(derive(cohort, study))
        assert row["state_month1"] == "partial"
        assert row["response_month1"] == "partial"
        assert row["state_month3"] == "complete"

    def test_transplanted_during_follow_up(self, study):
        cohort = make_cohort(events=[event("2017-06-01", "transplant")])
        row = one(derive(cohort, study))
        assert row["transplant"] == True  # noqa: E712
        assert row["rrt"] == True  # noqa: E712
        assert row["medical_only"] == False  # noqa: E712
        assert row["crf"] == True  # noqa: E712
        assert row["crf_date"] == pd.Timestamp("2017-06-01")
        assert row["days_to_crf"] == 517  # 2016-01-01 to 2017-06-01
        assert row["crf_observed"] == True  # noqa: E712

    def test_death(self, study):
        cohort = make_cohort(
            patients=[patient(death_date="2017-03-01", last_followup_date="2017-03-01")],
        )
        row = one(derive(cohort, study))
        assert row["death"] == True  # noqa: E712
        assert row["crf"] == False  # noqa: E712
        assert row["days_to_crf"] == 425  # censored at death: 2016-01-01 to 2017-03-01
        assert row["crf_observed"] == False  # noqa: E712

    def test_death_recorded_only_as_an_event(self, study):
        row = one(derive(make_cohort(events=[event("2018-01-01", "death")]), study))
        assert row["death"] == True  # noqa: E712

    def test_alternate_day_dosing_is_halved(self, study):
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid"),
                med("prednisolone", "2015-10-01", "2016-03-01", 1.5, "mg/kg/dose", "alternate_day"),
                med("prednisone", "2016-11-01", None, 30, "mg/day", "alternate_day"),
            ],
            visits=[visit("2016-12-15", weight_kg=20, height_cm=120)],
        )
        row = one(derive(cohort, study))
        assert row["steroid_mg_kg_day_before"] == pytest.approx(0.75)
        assert row["steroid_mg_kg_day_after"] == pytest.approx(15 / 20)
        assert row["prednisolone_stopped"] == False  # noqa: E712

    def test_mg_m2_dosing_uses_mosteller_bsa_and_weight_of_nearest_visit(self, study):
        # 120 cm, 22 kg: BSA 0.8563 m2 (clinical-reference.md section 3);
        # 60 mg/m2/day x 0.8563 m2 / 22 kg = 2.3354 mg/kg/day
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, dose=600, unit="mg/m2/day", schedule="bid"),
                med("prednisolone", "2015-12-01", "2016-02-01", 60, "mg/m2/day", "daily"),
            ],
            visits=[
                visit("2015-06-01", weight_kg=18, height_cm=110),
                visit("2015-12-28", weight_kg=22, height_cm=120),
                visit("2016-03-01", weight_kg=23, height_cm=121),
            ],
        )
        row = one(derive(cohort, study))
        assert row["steroid_mg_kg_day_before"] == pytest.approx(60 * 0.8563 / 22, rel=1e-3)
        assert row["steroid_mg_kg_day_after"] == 0
        assert row["prednisolone_stopped"] == True  # noqa: E712


# --------------------------------------------------------------------------- proteinuria


class TestTimepoints:
    def test_nearest_measurement_wins(self, study):
        cohort = make_cohort(
            labs=[timed("2016-01-20", 50), timed("2016-02-02", 2)]
        )  # day 19 vs day 32
        assert one(derive(cohort, study))["state_month1"] == "complete"

    def test_equal_distance_takes_the_earlier_measurement(self, study):
        cohort = make_cohort(
            labs=[timed("2016-01-27", 50), timed("2016-02-06", 2)]
        )  # 5 days before and 5 days after the month-1 target 2016-02-01
        assert one(derive(cohort, study))["state_month1"] == "nephrotic"

    def test_baseline_window_ends_on_the_start_day(self, study):
        cohort = make_cohort(labs=[timed("2016-01-02", 50)])
        assert pd.isna(one(derive(cohort, study))["state_month0"])

    def test_all_time_points_and_response(self, study):
        cohort = make_cohort(
            labs=[
                timed("2015-12-28", 60),
                timed("2016-02-01", 20),
                timed("2016-04-01", 3),
                timed("2016-07-02", 4),
                timed("2016-12-31", 40),
            ]
        )
        row = one(derive(cohort, study))
        # study thresholds: nephrotic > 40, complete < 4 mg/m2/h; 4 and 40 are partial
        assert [row[f"state_month{m}"] for m in (0, 1, 3, 6, 12)] == [
            "nephrotic",
            "partial",
            "complete",
            "partial",
            "partial",
        ]
        assert row["response_month1"] == "partial"

    def test_upcr_in_mg_per_mmol_uses_the_mmol_threshold(self, study):
        # 210 mg/mmol is nephrotic (>= 200 mg/mmol) although 210/113.12 = 1.86 mg/mg is not >= 2
        cohort = make_cohort(labs=[lab("2016-01-31", "upcr", 210, "mg/mmol")])
        assert one(derive(cohort, study))["state_month1"] == "nephrotic"


class TestRelapses:
    def test_derived_and_recorded_relapse_within_14_days_are_one(self, study):
        cohort = make_cohort(
            labs=[timed("2016-03-01", 2), timed("2016-05-01", 80)],
            events=[event("2016-05-10", "relapse")],
        )
        assert one(derive(cohort, study))["relapses_after"] == 1

    def test_relapses_15_days_apart_are_two(self, study):
        cohort = make_cohort(
            labs=[timed("2016-03-01", 2), timed("2016-05-01", 80)],
            events=[event("2016-05-16", "relapse")],
        )
        assert one(derive(cohort, study))["relapses_after"] == 2

    def test_return_to_nephrotic_after_partial_remission_is_a_relapse(self, study):
        cohort = make_cohort(
            labs=[
                timed("2016-02-01", 80),
                timed("2016-03-01", 20),
                timed("2016-04-01", 80),
                timed("2016-05-01", 90),
            ]
        )
        row = one(derive(cohort, study))
        assert row["relapses_after"] == 1  # the first nephrotic value has no remission before it

    def test_rates_per_year(self, study):
        # onset 2012-01-01: the whole year before MMF is observed; 3 relapses before, 1 after
        cohort = make_cohort(
            events=[
                event(d, "relapse")
                for d in ("2015-02-01", "2015-06-01", "2015-10-01", "2016-06-01")
            ]
        )
        row = one(derive(cohort, study))
        assert row["relapses_per_year_before"] == pytest.approx(3 / (365.25 / 365.25))
        assert row["relapses_per_year_after"] == pytest.approx(1.0)

    def test_shorter_observation_gives_rate_per_observed_year(self, study):
        # onset 2015-07-01 -> 184 days observed before MMF; 2 relapses -> 2 / (184 / 365.25)
        cohort = make_cohort(
            patients=[patient(onset_date="2015-07-01")],
            events=[event("2015-09-01", "relapse"), event("2015-12-01", "relapse")],
        )
        row = one(derive(cohort, study))
        assert row["relapses_before"] == 2
        assert row["relapses_per_year_before"] == pytest.approx(2 / (184 / 365.25))

    def test_on_mmf_period_ends_at_mmf_stop(self, study):
        cohort = make_cohort(
            medications=[med("mmf", MMF_START, "2016-07-01", 600, "mg/m2/day", "bid")],
            events=[event("2016-03-01", "relapse"), event("2016-09-01", "relapse")],
        )
        row = one(derive(cohort, study))
        assert row["relapses_after"] == 1
        assert row["relapses_per_year_after"] == pytest.approx(1 / (182 / 365.25))

    def test_whole_period_option(self, study):
        whole = dataclasses.replace(
            study, derivation=dataclasses.replace(study.derivation, relapse_period="whole")
        )
        cohort = make_cohort(
            events=[
                event(d, "relapse")
                for d in ("2013-01-01", "2015-06-01", "2017-06-01", "2018-06-01")
            ]
        )
        row = one(derive(cohort, whole))
        assert row["relapses_before"] == 2  # onset 2012-01-01 to 2016-01-01 (1461 days)
        assert row["relapses_after"] == 2  # 2016-01-01 to last follow-up 2019-01-01 (1096 days)
        assert row["relapses_per_year_before"] == pytest.approx(2 / (1461 / 365.25))
        assert row["relapses_per_year_after"] == pytest.approx(2 / (1096 / 365.25))


# --------------------------------------------------------------------------- kidney


class TestKidneyFunction:
    def test_egfr_at_start_uses_original_schwartz_with_nearest_height(self, study):
        # boy of 8 years: k = 0.55; 0.55 x 120 cm / 0.6 mg/dL = 110 (clinical-reference.md 2a)
        cohort = make_cohort(
            labs=[lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL")],
            visits=[visit("2015-12-15", height_cm=120), visit("2015-06-01", height_cm=115)],
        )
        row = one(derive(cohort, study))
        assert row["egfr_mmf_start"] == pytest.approx(110.0)

    def test_egfr_month12_adolescent_boy(self, study):
        # born 2002-01-01, 15 years at 2016-12-20: k = 0.70; 0.70 x 160 / 1.0 = 112
        cohort = make_cohort(
            patients=[patient(birth_date="2002-01-01")],
            labs=[lab("2016-12-20", "serum_creatinine", 1.0, "mg/dL")],
            visits=[visit("2016-12-01", height_cm=160)],
        )
        row = one(derive(cohort, study))
        assert row["egfr_month12"] == pytest.approx(112.0)
        assert pd.isna(row["egfr_mmf_start"])

    def test_two_visits_on_the_nearest_day_take_the_first_in_the_file(self, study):
        # 0.55 x 120 / 0.6 = 110 with the first visit's height (130 cm would give 119.2)
        cohort = make_cohort(
            labs=[lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL")],
            visits=[visit("2015-12-15", height_cm=120), visit("2015-12-15", height_cm=130)],
        )
        assert one(derive(cohort, study))["egfr_mmf_start"] == pytest.approx(110.0)

    def test_creatinine_in_umol_per_l_is_used_in_mg_per_dl(self, study):
        # 53.04 umol/L / 88.4 = 0.6 mg/dL -> 110 as above
        cohort = make_cohort(
            labs=[
                {
                    **lab("2016-01-01", "serum_creatinine", 0.6, "mg/dL"),
                    "measured_value": 53.04,
                    "measured_unit": "umol/L",
                }
            ],
            visits=[visit("2015-12-15", height_cm=120)],
        )
        assert one(derive(cohort, study))["egfr_mmf_start"] == pytest.approx(110.0)

    def test_age_outside_the_equation_range_gives_missing_egfr(self, study):
        # the original Schwartz equation covers 0-21 years; this patient is 26 at MMF start
        cohort = make_cohort(
            patients=[patient(birth_date="1990-01-01")],
            labs=[lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL")],
            visits=[visit("2015-12-15", height_cm=120)],
        )
        assert pd.isna(one(derive(cohort, study))["egfr_mmf_start"])

    def test_rule_set_equation_is_used(self, study):
        # bedside Schwartz: 0.413 x 120 / 0.6 = 82.6 (clinical-reference.md 2b test vector)
        bedside = dataclasses.replace(
            study,
            derivation=dataclasses.replace(study.derivation, egfr_equation="schwartz-bedside"),
        )
        cohort = make_cohort(
            labs=[lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL")],
            visits=[visit("2015-12-15", height_cm=120)],
        )
        assert one(derive(cohort, bedside))["egfr_mmf_start"] == pytest.approx(82.6)

    def test_cystatin_equation_is_refused_with_a_clear_error(self, study):
        cystatin = dataclasses.replace(
            study,
            derivation=dataclasses.replace(study.derivation, egfr_equation="ckid-u25-cystatin"),
        )
        cohort = make_cohort(
            labs=[lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL")],
            visits=[visit("2015-12-15", height_cm=120)],
        )
        with pytest.raises(RuleSetError) as caught:
            derive(cohort, cystatin)
        assert (caught.value.code, caught.value.params["equation"]) == (
            "rules.egfr_needs_cystatin",
            "ckid-u25-cystatin",
        )

    @pytest.mark.parametrize(("rule_set_name", "crf"), [("study", True), ("ipna2020", False)])
    def test_egfr_before_age_2_counts_for_crf_only_under_study(self, rule_set_name, crf):
        # born 2015-06-01; low values at 1.6 and 1.95 years (0.55 or 0.413 x 85 / 1.5 < 60), 134 days
        # apart. study (crf_min_age_years 0): the seed's CRF has no age limit -> CRF. ipna2020 (2):
        # KDIGO G categories do not apply under 2 -> ignored.
        cohort = make_cohort(
            patients=[patient(birth_date="2015-06-01", onset_date="2015-09-01")],
            labs=[lab(d, "serum_creatinine", 1.5, "mg/dL") for d in ("2017-01-01", "2017-05-15")],
            visits=[visit("2017-01-01", height_cm=85)],
        )
        assert one(derive(cohort, load_rule_set(rule_set_name)))["crf"] == crf

    def test_sustained_low_egfr_is_crf(self, study):
        # 0.55 x 120 / 1.5 = 44 < 60 on 2017-01-01 and 2017-05-01 (120 days apart > 90)
        cohort = make_cohort(
            labs=[lab(d, "serum_creatinine", 1.5, "mg/dL") for d in ("2017-01-01", "2017-05-01")],
            visits=[visit("2017-01-01", height_cm=120)],
        )
        row = one(derive(cohort, study))
        assert row["crf"] == True  # noqa: E712
        assert row["crf_date"] == pd.Timestamp("2017-01-01")
        assert row["rrt"] == False  # noqa: E712

    def test_short_low_egfr_is_not_crf(self, study):
        cohort = make_cohort(
            labs=[lab(d, "serum_creatinine", 1.5, "mg/dL") for d in ("2017-01-01", "2017-03-01")]
            + [lab("2017-06-01", "serum_creatinine", 0.6, "mg/dL")],
            visits=[visit("2017-01-01", height_cm=120)],
        )
        assert one(derive(cohort, study))["crf"] == False  # noqa: E712

    def test_low_egfr_broken_by_a_normal_value_restarts(self, study):
        dates = ("2017-01-01", "2017-03-01", "2017-04-01", "2017-05-01")
        values = (1.5, 1.5, 0.6, 1.5)
        cohort = make_cohort(
            labs=[
                lab(d, "serum_creatinine", v, "mg/dL") for d, v in zip(dates, values, strict=True)
            ],
            visits=[visit("2017-01-01", height_cm=120)],
        )
        assert one(derive(cohort, study))["crf"] == False  # noqa: E712


# --------------------------------------------------------------------------- treatments and events


class TestTreatmentsAndEvents:
    def test_group_1_after_cyclophosphamide_or_cni(self, study):
        cohort = make_cohort(
            patients=[patient("A"), patient("B"), patient("C")],
            medications=[
                med(
                    "cyclophosphamide",
                    "2014-01-01",
                    "2014-03-01",
                    2,
                    "mg/kg/day",
                    "daily",
                    patient_id="A",
                ),
                med("tacrolimus", "2017-01-01", None, 0.1, "mg/kg/day", "bid", patient_id="B"),
                med(
                    "methylprednisolone_pulse",
                    "2015-01-01",
                    "2015-01-03",
                    500,
                    "mg/m2/day",
                    "daily",
                    patient_id="C",
                ),
            ]
            + [med("mmf", MMF_START, None, 600, "mg/m2/day", "bid", patient_id=p) for p in "ABC"],
        )
        dataset = derive(cohort, study).set_index("patient_id")
        assert list(dataset["group"]) == [1, 2, 2]
        assert dataset.loc["C", "prior_steroid_pulses"] == True  # noqa: E712
        assert dataset.loc["B", "prior_tacrolimus"] == False  # noqa: E712

    def test_rituximab_before_and_after_mmf(self, study):
        cohort = make_cohort(
            medications=[
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
                med("rituximab", "2017-01-01", "2017-01-01", 375, "mg/m2/dose", "single"),
                med("enalapril", "2014-01-01", None, 0.2, "mg/kg/day", "daily"),
            ]
        )
        row = one(derive(cohort, study))
        assert row["prior_rituximab"] == False  # noqa: E712
        assert row["received_rituximab_after_mmf"] == True  # noqa: E712
        assert row["received_enalapril"] == True  # noqa: E712
        assert row["received_losartan"] == False  # noqa: E712

    def test_adverse_events_count_only_on_mmf(self, study):
        cohort = make_cohort(
            medications=[med("mmf", MMF_START, "2017-01-01", 600, "mg/m2/day", "bid")],
            events=[
                event("2015-06-01", "diarrhea"),
                event("2017-01-01", "severe_infection"),
                event("2017-02-01", "leukopenia"),
            ],
        )
        row = one(derive(cohort, study))
        assert row["ae_diarrhea"] == False  # noqa: E712
        assert row["ae_severe_infection"] == True  # noqa: E712
        assert row["ae_leukopenia"] == False  # noqa: E712

    def test_first_biopsy_gives_histology(self, study):
        cohort = make_cohort(
            biopsies=[
                {"patient_id": "P1", "biopsy_date": "2015-01-01", "histology": "FSGS"},
                {"patient_id": "P1", "biopsy_date": "2012-03-01", "histology": "MCD"},
            ]
        )
        assert one(derive(cohort, study))["histology"] == "MCD"

    def test_onset_features_and_ages(self, study):
        row = one(derive(make_cohort(), study))
        assert row["onset_edema"] == True  # noqa: E712
        assert row["onset_hypertension"] == False  # noqa: E712
        assert pd.isna(row["onset_aki"])
        assert row["age_at_diagnosis_months"] == pytest.approx(1461 / (365.25 / 12))  # 2008 -> 2012
        assert row["follow_up_years"] == pytest.approx(2557 / 365.25)  # 2012 -> 2019
        assert row["months_diagnosis_to_mmf"] == pytest.approx(1461 / (365.25 / 12))


class TestKaplanMeierColumns:
    def test_first_complete_remission_on_mmf(self, study):
        cohort = make_cohort(
            labs=[timed("2015-12-20", 60), timed("2016-02-01", 10), timed("2016-03-01", 2)]
        )
        row = one(derive(cohort, study))
        assert row["days_to_complete_remission"] == 60
        assert row["complete_remission_observed"] == True  # noqa: E712

    def test_no_remission_is_censored_at_mmf_stop(self, study):
        cohort = make_cohort(
            medications=[med("mmf", MMF_START, "2016-07-01", 600, "mg/m2/day", "bid")],
            labs=[timed("2016-02-01", 60), timed("2016-09-01", 2)],
        )
        row = one(derive(cohort, study))
        assert row["days_to_complete_remission"] == 182
        assert row["complete_remission_observed"] == False  # noqa: E712

    def test_crf_before_mmf_is_not_at_risk(self, study):
        row = one(derive(make_cohort(events=[event("2015-01-01", "ckd")]), study))
        assert row["crf"] == True  # noqa: E712
        assert pd.isna(row["days_to_crf"]) and pd.isna(row["crf_observed"])


def test_steroid_doses_are_numbers_not_objects(study):
    dataset = derive(make_cohort(), study)
    assert dataset["steroid_mg_kg_day_before"].dtype == np.float64


class TestSteroidResponseAndEligibility:
    """Trial rules of rule set ``study``: complete remission by day 28 (late up to 42) = sensitive."""

    @staticmethod
    def _trial_cohort(labs, steroid_end="2012-03-01", **patient_overrides):
        return make_cohort(
            patients=[patient(**patient_overrides)],
            medications=[
                med("prednisolone", "2012-01-01", steroid_end, 60, "mg/m2/day", "daily"),
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
            ],
            labs=labs,
        )

    def test_no_complete_remission_in_the_trial_is_resistant(self, study):
        cohort = self._trial_cohort([timed("2012-01-15", 80), timed("2012-02-05", 30)])
        assert one(derive(cohort, study))["steroid_response"] == "resistant"

    def test_complete_remission_by_day_28_is_sensitive(self, study):
        cohort = self._trial_cohort([timed("2012-01-15", 80), timed("2012-01-21", 2)])  # day 20
        row = one(derive(cohort, study))
        assert row["steroid_response"] == "sensitive"
        assert row["eligible"] == False  # noqa: E712
        assert "Steroid sensitive" in row["exclusion_reasons"]

    def test_trial_continued_by_a_new_daily_row_is_one_course(self, study):
        # day 0-20 then a dose change from day 20 to day 60; complete remission on day 40 (late responder)
        cohort = make_cohort(
            medications=[
                med("prednisolone", "2012-01-01", "2012-01-21", 60, "mg/m2/day", "daily"),
                med("prednisolone", "2012-01-21", "2012-03-01", 50, "mg/m2/day", "daily"),
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
            ],
            labs=[timed("2012-01-15", 80), timed("2012-02-10", 2)],
        )
        assert one(derive(cohort, study))["steroid_response"] == "sensitive"

    def test_no_measurement_in_the_trial_is_missing(self, study):
        cohort = self._trial_cohort([timed("2013-01-01", 80)])
        assert pd.isna(one(derive(cohort, study))["steroid_response"])

    def test_recorded_response_fills_a_missing_derivation(self, study):
        cohort = self._trial_cohort([], steroid_response="Resistant")
        assert one(derive(cohort, study))["steroid_response"] == "resistant"

    def test_eligible_patient(self, study):
        cohort = make_cohort(
            patients=[patient()],
            medications=[
                med("prednisolone", "2012-01-01", "2012-03-01", 60, "mg/m2/day", "daily"),
                med("mmf", MMF_START, None, 600, "mg/m2/day", "bid"),
            ],
            labs=[
                timed("2012-01-15", 80),
                timed("2012-02-05", 80),
                lab("2015-12-20", "serum_creatinine", 0.6, "mg/dL"),
            ],
            visits=[visit("2015-12-15", height_cm=120)],
        )
        row = one(derive(cohort, study))
        assert row["eligible"] == True  # noqa: E712
        assert row["exclusion_reasons"] == ""
        assert row["eligibility_unchecked"] == ""

    def test_positive_serology_and_low_egfr_exclude(self, study):
        cohort = make_cohort(
            patients=[patient(hbv="positive")],
            labs=[lab("2015-12-20", "serum_creatinine", 1.5, "mg/dL")],  # 0.55 x 120 / 1.5 = 44
            visits=[visit("2015-12-15", height_cm=120)],
        )
        row = one(derive(cohort, study))
        assert row["eligible"] == False  # noqa: E712
        assert "Hepatitis B positive" in row["exclusion_reasons"]
        assert "eGFR before MMF 44" in row["exclusion_reasons"]

    def test_patient_without_mmf_is_not_eligible(self, study):
        row = one(derive(make_cohort(medications=[]), study))
        assert row["eligible"] == False  # noqa: E712
        assert row["exclusion_reasons"].startswith("No MMF")


def test_synthetic_patients_derive_the_same_alone_and_together(study):
    """On realistic records (generate_synthetic), the vectorised steps keep patients apart."""
    from nephrocohort.cohort import generate_synthetic

    cohort = generate_synthetic(30, seed=7)
    together = derive(cohort, study)
    alone = []
    for patient_id in cohort.patients["patient_id"]:
        tables = {
            name: frame[(frame["patient_id"] == patient_id).fillna(False).to_numpy()].reset_index(
                drop=True
            )
            for name, frame in cohort.tables.items()
        }
        alone.append(derive(Cohort(**tables), study))
    pd.testing.assert_frame_equal(pd.concat(alone, ignore_index=True), together)
