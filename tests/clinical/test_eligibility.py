"""The seed study's inclusion and exclusion criteria (seed Methods, Selection and Exclusion criteria)."""

import dataclasses

import pytest

from nephrocohort.clinical import Verdict, assess_eligibility
from nephrocohort.exceptions import ClinicalInputError

ELIGIBLE = {
    "rule_set": "study",
    "age_at_mmf_start_years": 9.5,
    "steroid_response": "resistant",
    "egfr_before_mmf": 110,
    "hbv": "negative",
    "hcv": "negative",
    "syphilis": "negative",
    "hiv": "negative",
    "family_history_ns": "no",
    "rituximab_before_mmf": False,
}


def assess(**changes) -> Verdict:
    return assess_eligibility(**(ELIGIBLE | changes))


class TestEligibility:
    def test_complete_eligible_patient_has_no_reasons(self):
        verdict = assess()
        assert verdict.eligible is True
        assert verdict.reasons == ()
        assert verdict.unchecked == ()

    @pytest.mark.parametrize(
        ("changes", "phrase"),
        [
            ({"age_at_mmf_start_years": 18.0}, "under 18"),  # "below 18 years": 18 is out
            ({"steroid_response": "sensitive"}, "Steroid sensitive"),
            ({"egfr_before_mmf": 60}, "above 60"),  # "above 60 ml/min": 60 is out
            ({"hbv": "positive"}, "Hepatitis B positive"),
            ({"hcv": "Positive"}, "Hepatitis C positive"),
            ({"syphilis": "positive"}, "Syphilis positive"),
            ({"hiv": "positive"}, "HIV positive"),
            ({"family_history_ns": "yes"}, "Family history"),
            ({"rituximab_before_mmf": True}, "Rituximab before MMF"),
        ],
    )
    def test_each_criterion_excludes_with_a_reason(self, changes, phrase):
        verdict = assess(**changes)
        assert verdict.eligible is False
        assert len(verdict.exclusions) == 1
        assert phrase in verdict.reasons[0]

    def test_boundaries_just_inside(self):
        assert assess(age_at_mmf_start_years=17.99, egfr_before_mmf=60.5).eligible is True

    def test_several_exclusions_are_all_listed(self):
        verdict = assess(hbv="positive", hiv="positive", rituximab_before_mmf=True)
        assert len(verdict.exclusions) == 3

    def test_unknown_exclusion_criteria_do_not_exclude_but_are_named(self):
        verdict = assess(hiv="unknown", family_history_ns=None, rituximab_before_mmf=None)
        assert verdict.eligible is True
        assert verdict.exclusions == ()
        assert set(verdict.unchecked) == {"hiv", "family_history_ns", "rituximab_before_mmf"}
        assert all("could not be checked" in reason for reason in verdict.reasons)

    @pytest.mark.parametrize(
        ("changes", "criterion"),
        [
            ({"age_at_mmf_start_years": None}, "age"),
            ({"steroid_response": None}, "steroid_response"),
            ({"steroid_response": "unknown"}, "steroid_response"),
            ({"egfr_before_mmf": None}, "egfr"),
        ],
    )
    def test_unknown_inclusion_criterion_is_not_met(self, changes, criterion):
        # seed Methods: inclusion criteria must be met; an unknown one is not confirmed
        verdict = assess(**changes)
        assert verdict.eligible is False
        assert verdict.unconfirmed == (criterion,)
        assert verdict.unchecked == ()
        assert len(verdict.exclusions) == 1
        assert "could not be confirmed: " in verdict.exclusions[0]

    def test_exclusions_come_before_unchecked_criteria(self):
        verdict = assess(hbv="positive", hiv=None)
        assert verdict.reasons[0] == "Hepatitis B positive."
        assert "could not be checked" in verdict.reasons[1]

    def test_rule_set_limits_are_used(self, tmp_path):
        # a user's rule set can move the eGFR limit
        import yaml

        from nephrocohort.clinical.rules import load_rule_set

        source = load_rule_set("study").path
        assert source is None  # built-in; copy its text from the package
        from importlib import resources

        data = yaml.safe_load(
            (resources.files("nephrocohort.clinical") / "rulesets" / "study.yaml").read_text()
        )
        data["derivation"]["eligibility_min_egfr"]["value"] = 120
        path = tmp_path / "strict.yaml"
        path.write_text(yaml.safe_dump(data))
        assert assess(rule_set=str(path)).eligible is False

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"hbv": "maybe"}, "clinical.one_of"),
            ({"family_history_ns": "perhaps"}, "clinical.one_of"),
            ({"steroid_response": "partial"}, "clinical.one_of"),
            ({"age_at_mmf_start_years": -1}, "clinical.negative_age"),
            ({"egfr_before_mmf": "high"}, "clinical.not_a_number"),
            ({"rituximab_before_mmf": "no"}, "clinical.true_or_false"),
        ],
    )
    def test_invalid_values_are_refused(self, changes, code):
        with pytest.raises(ClinicalInputError) as caught:
            assess(**changes)
        ((name, value),) = changes.items()
        assert (caught.value.code, caught.value.params["name"]) == (code, name)
        assert caught.value.params["value"] == value

    def test_verdict_is_frozen_with_a_readable_repr(self):
        verdict = assess(hbv="positive")
        with pytest.raises(dataclasses.FrozenInstanceError):
            verdict.eligible = True
        assert "eligible=False" in repr(verdict)
