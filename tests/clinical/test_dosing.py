"""Doses by BSA, rounded to what can be given, and the seed's GI side-effect plan.

Expected doses are worked by hand from the source doses (seed Methods; KDIGO 2021 /
IPNA: prednisone 60 mg/m2/day max 60 mg, 40 mg/m2 alternate days max 40 mg; CellCept
label: 250 mg capsules, 500 mg tablets, 200 mg/mL suspension, max 2 g/day).
BSA values are clinical-reference.md section 3 Mosteller values.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nephrocohort.clinical import (
    mmf_dose,
    mmf_gi_side_effect_plan,
    prednisolone_alternate_day_dose,
    prednisolone_daily_dose,
)
from nephrocohort.exceptions import ClinicalInputError


class TestMmf:
    def test_120_cm_22_kg_child_on_capsules(self):
        # BSA 0.8563 (Mosteller 120 cm / 22 kg); 1200 x 0.8563 / 2 = 513.8 mg -> 2 x 250 mg
        dose = mmf_dose(bsa_m2=0.8563)
        assert dose.mg_per_dose == 500
        assert dose.amount_per_dose == 2
        assert dose.doses_per_day == 2
        assert dose.achieved_mg_m2 == pytest.approx(1000 / 0.8563)

    def test_suspension_is_rounded_to_a_tenth_of_a_millilitre(self):
        # 1200 x 0.8563 / 2 = 513.8 mg = 2.569 mL -> 2.6 mL would be 520 mg = 1214.5 mg/m2/day > 1200,
        # so 2.5 mL (500 mg)
        dose = mmf_dose(bsa_m2=0.8563, formulation="mmf-suspension-200")
        assert dose.amount_per_dose == 2.5
        assert dose.mg_per_dose == 500

    def test_lower_target_on_suspension(self):
        # 600 x 0.6667 / 2 = 200 mg = 1.0 mL of 200 mg/mL
        dose = mmf_dose(bsa_m2=0.6667, mg_m2_day=600, formulation="mmf-suspension-200")
        assert (dose.mg_per_dose, dose.amount_per_dose) == (200, 1.0)

    def test_adolescent_is_capped_at_2_g_a_day(self):
        # 1200 x 2.1506 = 2580.7 mg/day > 2000 -> 1000 mg twice daily on 500 mg tablets
        dose = mmf_dose(bsa_m2=2.1506, formulation="mmf-tablet-500")
        assert (dose.mg_per_dose, dose.amount_per_dose, dose.capped) == (1000, 2, True)
        assert any("Capped" in note for note in dose.notes)

    def test_never_above_1200_mg_m2_day_after_rounding(self):
        # BSA 1.2: 720 mg/dose wanted; 3 capsules (750) = 1250 mg/m2/day, so 2 capsules (500)
        assert mmf_dose(bsa_m2=1.2).mg_per_dose == 500

    def test_too_small_for_capsules_points_to_the_suspension(self):
        with pytest.raises(ClinicalInputError) as caught:
            mmf_dose(bsa_m2=0.3)
        assert caught.value.code == "dosing.below_one_unit"
        assert "mmf-suspension-200" in caught.value.params["fitting"]

    def test_target_outside_the_seed_range_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            mmf_dose(bsa_m2=1.0, mg_m2_day=1500)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "mg_m2_day",
            1500,
        )
        expected = error.params["expected"].params
        assert (expected["low"], expected["high"], expected["context"].code) == (
            600,
            1200,
            "clinical.for.mmf_seed",
        )

    def test_bsa_entered_as_weight_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            mmf_dose(bsa_m2=22)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "bsa_m2",
            22,
        )
        assert error.params["hint"].code == "clinical.hint.bsa_slip"

    def test_unknown_or_wrong_drug_formulation_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            mmf_dose(bsa_m2=1.0, formulation="mmf-capsule-125")
        error = caught.value
        assert (error.code, error.params["formulation"]) == (
            "dosing.unknown_formulation",
            "mmf-capsule-125",
        )
        assert "mmf-capsule-250" in error.params["known"].split(", ")
        with pytest.raises(ClinicalInputError) as caught:
            mmf_dose(bsa_m2=1.0, formulation="prednisolone-tablet-5")
        error = caught.value
        assert (error.code, error.params["drug"].code) == ("dosing.wrong_drug", "dosing.drug.mmf")
        assert error.params["known"].startswith("mmf-capsule-250, mmf-tablet-500")

    def test_describe_reads_as_a_prescription(self):
        assert (
            mmf_dose(bsa_m2=0.8563).describe() == "MMF 500 mg twice daily (2 x MMF 250 mg capsule)"
        )


class TestPrednisolone:
    def test_daily_dose_120_cm_22_kg(self):
        # clinical-reference.md 6: BSA 0.856 -> 60 mg/m2 = 51 mg; 5 mg tablets -> 50 mg
        dose = prednisolone_daily_dose(bsa_m2=0.8563)
        assert (dose.mg_per_dose, dose.amount_per_dose) == (50, 10)

    def test_daily_dose_on_solution(self):
        # 60 x 0.8563 = 51.38 mg -> 51.4 mL of 1 mg/mL
        dose = prednisolone_daily_dose(bsa_m2=0.8563, formulation="prednisolone-solution-1")
        assert dose.amount_per_dose == pytest.approx(51.4)

    def test_daily_dose_is_capped_at_60_mg(self):
        # 60 x 1.8819 = 112.9 mg -> max 60 mg/day
        dose = prednisolone_daily_dose(bsa_m2=1.8819)
        assert (dose.mg_per_dose, dose.capped) == (60, True)

    def test_alternate_day_dose(self):
        # 40 x 0.6667 = 26.7 mg -> nearest 5 mg tablet amount 25 mg
        dose = prednisolone_alternate_day_dose(bsa_m2=0.6667)
        assert dose.mg_per_dose == 25
        assert dose.schedule == "alternate_day"
        assert dose.mg_per_day == 12.5

    def test_alternate_day_dose_is_capped_at_40_mg(self):
        dose = prednisolone_alternate_day_dose(bsa_m2=1.8819)
        assert (dose.mg_per_dose, dose.capped) == (40, True)


@given(st.floats(min_value=0.45, max_value=2.5))
def test_mmf_dose_stays_in_range_and_under_the_cap(bsa):
    dose = mmf_dose(bsa_m2=bsa, formulation="mmf-suspension-200")
    assert dose.mg_per_day <= 2000 + 1e-6
    assert dose.achieved_mg_m2 <= 1200 + 1e-6
    assert dose.capped or dose.achieved_mg_m2 >= 600 * 0.99  # 1% tolerance for rounded BSA


@given(st.floats(min_value=0.2, max_value=2.9), st.floats(min_value=0.01, max_value=0.5))
def test_prednisolone_dose_never_falls_as_bsa_rises(bsa, step):
    smaller = prednisolone_daily_dose(bsa_m2=bsa, formulation="prednisolone-solution-1")
    larger = prednisolone_daily_dose(
        bsa_m2=min(bsa + step, 3.0), formulation="prednisolone-solution-1"
    )
    assert larger.mg_per_dose >= smaller.mg_per_dose
    assert larger.mg_per_dose <= 60


class TestGiSideEffectPlan:
    def test_seed_rule_as_dated_steps(self):
        # seed: total daily dose decreased 50% for 4 weeks, then back to the recommended dose;
        # withdrawn if GI symptoms persisted after 4 weeks
        full = mmf_dose(bsa_m2=0.8563)
        plan = mmf_gi_side_effect_plan(full_dose=full, onset_date=dt.date(2024, 3, 1))
        reduce, restore, withdraw = plan.steps
        assert (reduce.action, reduce.date, reduce.mg_per_dose) == (
            "reduce",
            dt.date(2024, 3, 1),
            250,
        )
        assert (restore.action, restore.date, restore.mg_per_dose) == (
            "restore",
            dt.date(2024, 3, 29),
            500,
        )
        assert (withdraw.action, withdraw.date, withdraw.mg_per_dose) == (
            "withdraw",
            dt.date(2024, 3, 29),
            0,
        )
        assert "resolved" in restore.condition and "persist" in withdraw.condition

    def test_onset_as_iso_text(self):
        plan = mmf_gi_side_effect_plan(full_dose=mmf_dose(bsa_m2=1.0), onset_date="2024-12-20")
        assert plan.steps[1].date == dt.date(2025, 1, 17)

    def test_half_dose_never_above_half(self):
        # full 1000 mg/dose of 500 mg tablets -> half 500 mg = 1 tablet
        plan = mmf_gi_side_effect_plan(
            full_dose=mmf_dose(bsa_m2=2.1506, formulation="mmf-tablet-500"), onset_date="2024-01-01"
        )
        assert plan.steps[0].mg_per_dose == 500

    def test_half_of_one_capsule_cannot_be_given(self):
        with pytest.raises(ClinicalInputError) as caught:
            mmf_gi_side_effect_plan(full_dose=mmf_dose(bsa_m2=0.45), onset_date="2024-01-01")
        assert caught.value.code == "dosing.half_not_giveable"

    def test_bad_date_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            mmf_gi_side_effect_plan(full_dose=mmf_dose(bsa_m2=1.0), onset_date="soon")
        assert (caught.value.code, caught.value.params) == (
            "clinical.not_a_date",
            {"name": "onset_date", "value": "soon"},
        )

    def test_needs_an_mmf_dose(self):
        with pytest.raises(ClinicalInputError, check=lambda e: e.code == "dosing.not_an_mmf_dose"):
            mmf_gi_side_effect_plan(
                full_dose=prednisolone_daily_dose(bsa_m2=1.0), onset_date="2024-01-01"
            )


class TestMessagesForClinicians:
    """Doses and refusals read as a prescription: units with their basis, what to use instead."""

    def test_describe_counts_tablets_without_repeating_the_unit(self):
        # clinical-reference.md 6: BSA 0.856 -> 60 mg/m2 = 51 mg; 5 mg tablets -> 50 mg.
        assert (
            prednisolone_daily_dose(bsa_m2=0.8563).describe()
            == "Prednisolone 50 mg once daily (10 x Prednisolone 5 mg tablet)"
        )
        # Liquids are measured in mL: 600 mg = 3 mL of 200 mg/mL (CellCept label strength).
        assert (
            mmf_dose(bsa_m2=1.0, formulation="mmf-suspension-200").describe()
            == "MMF 600 mg twice daily (3 mL of MMF oral suspension 200 mg/mL)"
        )

    def test_target_basis_is_per_day_or_per_dose(self):
        assert mmf_dose(bsa_m2=1.0).target_basis == "mg/m2/day"
        assert prednisolone_daily_dose(bsa_m2=1.0).target_basis == "mg/m2/day"
        assert prednisolone_alternate_day_dose(bsa_m2=1.0).target_basis == "mg/m2 per dose"

    def test_large_rounding_error_points_to_a_liquid(self):
        # 60 mg/m2 x 0.1 m2 = 6 mg -> one 5 mg tablet = 50 mg/m2, 17% under the target.
        dose = prednisolone_daily_dose(bsa_m2=0.1)
        assert dose.mg_per_dose == 5
        assert any(
            note.startswith("The rounded dose is 17% below the target")
            and "prednisolone-solution-1" in note
            for note in dose.notes
        )

    def test_small_rounding_gives_no_liquid_note(self):
        assert not any("liquid" in note for note in prednisolone_daily_dose(bsa_m2=0.8563).notes)

    def test_cap_names_its_source(self):
        # 1200 x 2.1506 = 2580.7 mg/day > 2000 (CellCept labelled pediatric maximum).
        dose = mmf_dose(bsa_m2=2.1506, formulation="mmf-tablet-500")
        assert any("(labelled pediatric maximum, CellCept)" in note for note in dose.notes)

    def test_dose_below_one_tablet_names_the_smaller_strength_first(self):
        # 1200 x 0.45 / 2 = 270 mg per dose: less than one 500 mg tablet, but a 250 mg capsule fits.
        with pytest.raises(ClinicalInputError) as caught:
            mmf_dose(bsa_m2=0.45, formulation="mmf-tablet-500")
        error = caught.value
        assert (error.code, error.params["formulation"]) == (
            "dosing.below_one_unit",
            "MMF 500 mg tablet",
        )
        assert error.params["mg_per_dose"] == pytest.approx(270.0)
        assert error.params["fitting"] == (
            "mmf-capsule-250 (MMF 250 mg capsule), mmf-suspension-200 (MMF oral suspension 200 mg/mL)"
        )
