"""Nephrotic syndrome criteria and steroid response under each rule set.

Expected verdicts follow the definitions quoted in the rule sets: seed Methods
(study), IPNA 2022 SSNS Table 1 repeating IPNA 2020 (ipna2020), KDIGO 2021 via
kidneywiki (kdigo2021).
"""

import pytest

from nephrocohort.clinical import nephrotic_syndrome, steroid_response
from nephrocohort.exceptions import ClinicalInputError


class TestNephroticSyndrome:
    def test_study_needs_all_four_features(self):
        # seed: edema, proteinuria > 40 mg/m2/h, albumin < 2.5 g/dL, hypercholesterolemia
        verdict = nephrotic_syndrome(
            rule_set="study",
            proteinuria_category="nephrotic",
            serum_albumin_g_dl=1.8,
            edema=True,
            serum_cholesterol_mg_dl=320,
        )
        assert verdict.present is True
        assert len(verdict.reasons) == 4

    def test_study_albumin_2_5_is_not_below(self):
        verdict = nephrotic_syndrome(
            rule_set="study",
            proteinuria_category="nephrotic",
            serum_albumin_g_dl=2.5,
            edema=True,
            serum_cholesterol_mg_dl=320,
        )
        assert verdict.present is False
        assert any("not below 2.5" in r for r in verdict.reasons)

    def test_study_without_edema_is_not_ns(self):
        verdict = nephrotic_syndrome(
            rule_set="study",
            proteinuria_category="nephrotic",
            serum_albumin_g_dl=2.0,
            edema=False,
            serum_cholesterol_mg_dl=300,
        )
        assert verdict.present is False

    def test_ipna_albumin_2_8_is_hypoalbuminemia(self):
        # IPNA: albumin < 30 g/L; edema and cholesterol not required
        verdict = nephrotic_syndrome(
            rule_set="ipna2020",
            proteinuria_category="nephrotic",
            serum_albumin_g_dl=2.8,
            edema=False,
        )
        assert verdict.present is True

    def test_ipna_edema_stands_in_for_missing_albumin(self):
        verdict = nephrotic_syndrome(
            rule_set="ipna2020",
            proteinuria_category="nephrotic",
            serum_albumin_g_dl=None,
            edema=True,
        )
        assert verdict.present is True
        assert any("stands in" in r for r in verdict.reasons)

    def test_missing_input_gives_cannot_tell_and_says_why(self):
        verdict = nephrotic_syndrome(
            rule_set="study",
            proteinuria_category="nephrotic",
            serum_albumin_g_dl=2.0,
            edema=True,
            serum_cholesterol_mg_dl=None,
        )
        assert verdict.present is None
        assert any("could not be checked" in r for r in verdict.reasons)

    def test_a_failed_criterion_decides_despite_unknowns(self):
        verdict = nephrotic_syndrome(
            rule_set="study", proteinuria_category="partial", serum_albumin_g_dl=None, edema=None
        )
        assert verdict.present is False

    def test_bad_category_is_refused(self):
        with pytest.raises(
            ClinicalInputError,
            check=lambda error: (
                (error.code, error.params)
                == ("clinical.syndrome.proteinuria_category", {"value": "heavy"})
            ),
        ):
            nephrotic_syndrome(
                rule_set="study", proteinuria_category="heavy", serum_albumin_g_dl=2, edema=True
            )


class TestSteroidResponse:
    # IPNA 2020 Table 1, repeated in IPNA 2022 SSNS Table 1: SRNS is "lack of
    # complete remission within 4 weeks"; the confirmation period (4-6 weeks)
    # is for "patients achieving only partial remission at 4 weeks"; "a patient
    # achieving complete remission during the confirmation period" is an SSNS
    # late responder; "a patient not achieving complete remission by 6 weeks,
    # although partial remission was achieved at 4 weeks, is defined as SRNS".
    # KDIGO 2021 adopts these definitions (secondary source, see its YAML).
    # Seed Methods (study): complete remission within 4-6 weeks is sensitive.
    @pytest.mark.parametrize(
        ("rule_set", "days", "cr", "state_at_4_weeks", "observed_to", "expected"),
        [
            # all: complete remission within 4 weeks is sensitive
            ("study", 28, 20, None, None, "sensitive"),
            ("ipna2020", 28, 28, None, None, "sensitive"),
            ("kdigo2021", 28, 27, None, None, "sensitive"),
            # study (4-6 weeks): late complete remission by day 42 still counts
            ("study", 42, 35, None, None, "sensitive"),
            # study: 4 weeks without complete remission is resistance
            ("study", 30, None, "partial", None, "resistant"),
            # IPNA: partial at 4 weeks, complete in the confirmation period = late responder
            ("ipna2020", 42, 38, "partial", 42, "late_responder"),
            # KDIGO 2021 (adopting IPNA): the same
            ("kdigo2021", 42, 35, "partial", 42, "late_responder"),
            # IPNA: partial at 4 weeks but no complete remission by 6 weeks = SRNS
            ("ipna2020", 42, None, "partial", 42, "resistant"),
            # IPNA: nephrotic range at 4 weeks (no partial remission) = SRNS at 4 weeks
            ("ipna2020", 28, None, "nephrotic", None, "resistant"),
            # IPNA: no remission at 4 weeks (no partial remission) = SRNS at 4 weeks
            ("ipna2020", 28, None, "none", None, "resistant"),
            # IPNA: no reading at 4 weeks = the state at 4 weeks is unknown
            ("ipna2020", 28, None, None, None, None),
            # IPNA: partial at 4 weeks, readings stop inside the confirmation period
            ("ipna2020", 33, None, "partial", 33, None),
            # any: trial shorter than 4 weeks = cannot tell
            ("study", 20, None, None, None, None),
            ("ipna2020", 20, None, "partial", 20, None),
            # remission after the window does not count
            ("study", 60, 50, None, None, "resistant"),
        ],
    )
    def test_trial_outcomes(self, rule_set, days, cr, state_at_4_weeks, observed_to, expected):
        result = steroid_response(
            rule_set=rule_set,
            days_of_standard_dose=days,
            complete_remission_day=cr,
            state_at_trial_end=state_at_4_weeks,
            observed_to_day=observed_to,
        )
        assert result.response == expected
        assert result.reasons

    def test_negative_days_are_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            steroid_response(rule_set="study", days_of_standard_dose=28, complete_remission_day=-1)
        assert (caught.value.code, caught.value.params) == (
            "clinical.not_days",
            {"name": "complete_remission_day", "value": -1},
        )
