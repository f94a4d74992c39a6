"""The state of a day from several measurements, by the rule set's priority (DESIGN.md)."""

import pytest

from nephrocohort.clinical import (
    classify_proteinuria,
    load_rule_set,
    response_from_state,
    state_of_day,
)
from nephrocohort.exceptions import ClinicalInputError


class TestStateOfDay:
    def test_timed_collection_outranks_upcr_and_dipstick(self):
        # DESIGN.md: timed urine protein, then UPCR, then dipstick
        day = [
            ("dipstick_protein", "4+", None),
            ("upcr", 3.0, "mg/mg"),
            ("urine_protein_timed", 2.0, "mg/m2/h"),
        ]
        assert state_of_day(day, rule_set="study") == "complete"

    def test_upcr_outranks_dipstick(self):
        day = [("dipstick_protein", "trace", None), ("upcr", 250, "mg/mmol")]
        assert state_of_day(day, rule_set="ipna2020") == "nephrotic"

    def test_worst_result_of_the_best_test_counts(self):
        day = [("upcr", 0.1, "mg/mg"), ("upcr", 2.5, "mg/mg")]
        assert state_of_day(day, rule_set="study") == "nephrotic"

    def test_missing_values_are_skipped(self):
        day = [("upcr", None, "mg/mg"), ("dipstick_protein", "2+", None)]
        assert state_of_day(day, rule_set="study") == "partial"

    def test_no_measurement_gives_none(self):
        assert state_of_day([], rule_set="study") is None

    def test_non_proteinuria_test_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            state_of_day([("serum_albumin", 2.0, "g/dL")])
        assert (caught.value.code, caught.value.params["test"]) == (
            "rules.not_a_test",
            "serum_albumin",
        )

    def test_accepts_a_loaded_rule_set(self):
        assert (
            state_of_day([("upcr", 0.5, "mg/mg")], rule_set=load_rule_set("kdigo2021")) == "partial"
        )


class TestClassifyFunction:
    def test_module_function_uses_the_named_rule_set(self):
        # seed: 3+ (300 mg/dL) is partial; IPNA: >= 3+ is nephrotic range
        assert classify_proteinuria("dipstick_protein", "3+", None, rule_set="study") == "partial"
        assert (
            classify_proteinuria("dipstick_protein", "3+", None, rule_set="ipna2020") == "nephrotic"
        )


class TestResponse:
    @pytest.mark.parametrize(
        ("state", "response"),
        [("complete", "complete"), ("partial", "partial"), ("nephrotic", "none"), (None, None)],
    )
    def test_seed_response_categories(self, state, response):
        # seed Results: remission / non-nephrotic / nephrotic at one month
        assert response_from_state(state) == response

    def test_unknown_state_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            response_from_state("remission")
        assert (caught.value.code, caught.value.params) == (
            "clinical.proteinuria.unknown_state",
            {"state": "remission", "known": "nephrotic, partial, complete"},
        )
