"""Rule sets: loading, validation of user files, and proteinuria classification at the boundaries.

Expected categories come from the definitions quoted in each rule set's sources:
the seed study's Methods (study), IPNA 2022 SSNS Table 1 repeating the IPNA 2020
wording (ipna2020), and the KDIGO 2021 definitions as read in kidneywiki (kdigo2021).
"""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from nephrocohort.clinical import (
    EGFR_EQUATION_NAMES,
    DerivationParameters,
    RuleSet,
    Timepoint,
    list_rule_sets,
    load_rule_set,
)
from nephrocohort.exceptions import ClinicalInputError, RuleSetError

RULESET_DIR = Path(__file__).parents[2] / "src" / "nephrocohort" / "clinical" / "rulesets"


class TestLoading:
    def test_three_rule_sets_ship(self):
        assert list_rule_sets() == ("ipna2020", "kdigo2021", "study")

    @pytest.mark.parametrize("name", ["study", "ipna2020", "kdigo2021"])
    def test_each_shipped_rule_set_loads_with_title_and_sources(self, name):
        rule_set = load_rule_set(name)
        assert isinstance(rule_set, RuleSet)
        assert rule_set.name == name
        assert rule_set.title
        assert rule_set.sources

    @pytest.mark.parametrize("name", ["study", "ipna2020", "kdigo2021"])
    def test_every_threshold_and_parameter_has_a_source(self, name):
        rule_set = load_rule_set(name)
        for criterion in rule_set.proteinuria:
            assert criterion.nephrotic.source and criterion.complete.source
        for parameter, value, source in rule_set.parameter_rows():
            assert source, f"{name}: {parameter} ({value}) has no source"

    def test_rule_set_is_frozen_and_hashable(self):
        rule_set = load_rule_set("study")
        with pytest.raises(dataclasses.FrozenInstanceError):
            rule_set.name = "other"
        with pytest.raises(dataclasses.FrozenInstanceError):
            rule_set.derivation.egfr_equation = "ckid-u25"
        assert hash(rule_set) == hash(load_rule_set("study"))
        assert "study" in repr(rule_set)

    def test_unknown_name_lists_available_rule_sets(self):
        with pytest.raises(RuleSetError) as caught:
            load_rule_set("ipna2021")
        assert (caught.value.code, caught.value.params["name"]) == ("rules.unknown", "ipna2021")
        for name in ("study", "ipna2020", "kdigo2021"):
            assert name in caught.value.params["available"].split(", ")

    def test_missing_file_is_reported(self, tmp_path):
        with pytest.raises(RuleSetError) as caught:
            load_rule_set(tmp_path / "absent.yaml")
        assert caught.value.code == "rules.no_file"
        assert caught.value.params["path"] == str(tmp_path / "absent.yaml")

    def test_user_file_copied_from_a_shipped_one_loads(self, tmp_path):
        data = yaml.safe_load((RULESET_DIR / "study.yaml").read_text())
        data["name"] = "my-centre"
        data["derivation"]["eligibility_min_egfr"]["value"] = 75
        path = tmp_path / "my-centre.yaml"
        path.write_text(yaml.safe_dump(data))
        rule_set = load_rule_set(str(path))
        assert rule_set.name == "my-centre"
        assert rule_set.derivation.eligibility_min_egfr == 75
        assert rule_set.path == str(path)


def _faults(error) -> list:
    """Each fault a refused rule set names: the schema's list, or the one relation check."""
    faults = error.params.get("faults") or (error,)
    for fault in faults:
        assert fault.params["where"].code == "rules.where.file"
        assert fault.params["where"].params["path"].endswith("broken.yaml")
    return list(faults)


def _fields(error) -> list[tuple[str, str]]:
    """(code, field) of each fault of a refused rule set."""
    return [(fault.code, fault.params.get("field")) for fault in _faults(error)]


class TestMalformedFiles:
    def _write(self, tmp_path, mutate):
        data = yaml.safe_load((RULESET_DIR / "study.yaml").read_text())
        mutate(data)
        path = tmp_path / "broken.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    def _error(self, tmp_path, mutate) -> RuleSetError:
        path = self._write(tmp_path, mutate)
        with pytest.raises(RuleSetError) as caught:
            load_rule_set(path)
        return caught.value

    def test_missing_source_names_the_field(self, tmp_path):
        error = self._error(tmp_path, lambda d: d["proteinuria"][0]["nephrotic"].pop("source"))
        assert _fields(error) == [("rules.field_missing", "proteinuria[0].nephrotic.source")]

    def test_text_threshold_names_the_field_and_value(self, tmp_path):
        def mutate(d):
            d["proteinuria"][1]["complete"]["value"] = "low"

        (fault,) = _faults(self._error(tmp_path, mutate))
        assert (fault.code, fault.params["field"], fault.params["got"]) == (
            "rules.field_invalid",
            "proteinuria[1].complete.value",
            "'low'",
        )
        assert fault.params["expected"].code == "rules.expected.number"

    def test_wrong_operator_is_refused(self, tmp_path):
        def mutate(d):
            d["proteinuria"][0]["nephrotic"]["operator"] = "<"

        assert _fields(self._error(tmp_path, mutate)) == [
            ("rules.field_invalid", "proteinuria[0].nephrotic.operator")
        ]

    def test_overlapping_thresholds_are_refused(self, tmp_path):
        def mutate(d):
            d["proteinuria"][0]["nephrotic"]["value"] = 2

        (fault,) = _faults(self._error(tmp_path, mutate))
        assert (fault.code, fault.params["field"]) == (
            "rules.field_invalid",
            "proteinuria[0].nephrotic.value",
        )
        assert fault.params["expected"].code == "rules.expected.above_complete"

    def test_unknown_egfr_equation_lists_the_known_ones(self, tmp_path):
        def mutate(d):
            d["derivation"]["egfr_equation"]["value"] = "mdrd"

        (fault,) = _faults(self._error(tmp_path, mutate))
        assert (fault.code, fault.params["field"]) == (
            "rules.field_invalid",
            "derivation.egfr_equation.value",
        )
        expected = fault.params["expected"]
        assert expected.code == "rules.expected.one_of"
        assert all(name in expected.params["values"] for name in EGFR_EQUATION_NAMES)

    def test_missing_timepoint_is_named(self, tmp_path):
        error = self._error(
            tmp_path, lambda d: d["derivation"]["timepoints"]["value"].pop("month6")
        )
        assert (error.code, error.params["names"]) == ("rules.timepoints_lack", "month6")

    def test_missing_test_is_named(self, tmp_path):
        def mutate(d):
            d["proteinuria"] = [c for c in d["proteinuria"] if c["test"] != "dipstick_protein"]

        error = self._error(tmp_path, mutate)
        assert (error.code, error.params["tests"]) == ("rules.no_criterion", "dipstick_protein")

    def test_invalid_yaml_is_reported_with_the_file(self, tmp_path):
        path = tmp_path / "broken.yaml"
        path.write_text("name: [unclosed\n")
        with pytest.raises(RuleSetError) as caught:
            load_rule_set(path)
        assert (caught.value.code, caught.value.params["path"]) == (
            "rules.invalid_yaml.file",
            str(path),
        )

    def test_top_level_must_be_a_mapping(self, tmp_path):
        path = tmp_path / "broken.yaml"
        path.write_text("- just\n- a list\n")
        with pytest.raises(RuleSetError) as caught:
            load_rule_set(path)
        (fault,) = _faults(caught.value)
        assert (fault.code, fault.params["expected"].code) == (
            "rules.field_invalid",
            "rules.expected.mapping",
        )


class TestDerivationParameters:
    def test_study_derivation_matches_the_contract(self):
        # docs/architecture.md and DESIGN.md derivation defaults
        d = load_rule_set("study").derivation
        assert isinstance(d, DerivationParameters)
        assert d.measurement_priority == ("urine_protein_timed", "upcr", "dipstick_protein")
        assert dict(d.timepoints) == {
            "month0": Timepoint(0, 0, 30, 0),
            "month1": Timepoint(1, 30, 15, 15),
            "month3": Timepoint(3, 91, 30, 30),
            "month6": Timepoint(6, 183, 30, 30),
            "month12": Timepoint(12, 365, 30, 30),
        }
        assert (d.relapse_merge_days, d.relapse_period_months, d.relapse_period) == (
            14,
            12,
            "12_months",
        )
        assert d.steroid_followup_months == 12
        assert d.egfr_equation == "schwartz-1976"
        assert (d.crf_egfr_below, d.crf_min_duration_days) == (60, 90)
        assert (d.eligibility_max_age_years, d.eligibility_min_egfr) == (18, 60)

    def test_guideline_rule_sets_confirm_over_three_days(self):
        # IPNA 2022 Table 1 (IPNA 2020 wording): remission and relapse on 3 consecutive days
        for name in ("ipna2020", "kdigo2021"):
            d = load_rule_set(name).derivation
            assert d.remission_confirmation_days == 3
            assert d.relapse_confirmation_days == 3


# (test, value, unit, study, ipna2020, kdigo2021)
BOUNDARY_CASES = [
    # seed: > 40 nephrotic, 4-40 partial, < 4 complete (mg/m2/h)
    ("urine_protein_timed", 40.01, "mg/m2/h", "nephrotic", "partial", "nephrotic"),
    ("urine_protein_timed", 40, "mg/m2/h", "partial", "partial", "nephrotic"),
    ("urine_protein_timed", 4, "mg/m2/h", "partial", "complete", "partial"),
    ("urine_protein_timed", 3.99, "mg/m2/h", "complete", "complete", "complete"),
    # IPNA: >= 1000 mg/m2/day nephrotic (= 41.67 mg/m2/h), < 100 mg/m2/day complete
    ("urine_protein_timed", 1000, "mg/m2/day", "nephrotic", "nephrotic", "nephrotic"),
    ("urine_protein_timed", 999, "mg/m2/day", "nephrotic", "partial", "nephrotic"),
    ("urine_protein_timed", 100, "mg/m2/day", "partial", "partial", "partial"),
    # UPCR: >= 2 mg/mg nephrotic, <= 0.2 complete; in mg/mmol >= 200, <= 20
    ("upcr", 2.0, "mg/mg", "nephrotic", "nephrotic", "nephrotic"),
    ("upcr", 1.99, "mg/mg", "partial", "partial", "partial"),
    ("upcr", 0.2, "mg/mg", "complete", "complete", "complete"),
    ("upcr", 0.21, "g/g", "partial", "partial", "partial"),
    ("upcr", 200, "mg/mmol", "nephrotic", "nephrotic", "nephrotic"),
    ("upcr", 199, "mg/mmol", "partial", "partial", "partial"),
    ("upcr", 20, "mg/mmol", "complete", "complete", "complete"),
    ("upcr", 21, "mg/mmol", "partial", "partial", "partial"),
    # seed dipstick: 30-300 partial; guidelines: >= 3+ (300) nephrotic
    ("dipstick_protein", 1000, "mg/dL", "nephrotic", "nephrotic", "nephrotic"),
    ("dipstick_protein", 300, "mg/dL", "partial", "nephrotic", "nephrotic"),
    ("dipstick_protein", 30, "mg/dL", "partial", "partial", "partial"),
    ("dipstick_protein", 15, "mg/dL", "complete", "complete", "complete"),
    ("dipstick_protein", "trace", None, "complete", "complete", "complete"),
    ("dipstick_protein", "negative", "mg/dL", "complete", "complete", "complete"),
    ("dipstick_protein", "2+", None, "partial", "partial", "partial"),
]


class TestProteinuriaClassification:
    @pytest.mark.parametrize(("test", "value", "unit", "study", "ipna", "kdigo"), BOUNDARY_CASES)
    def test_boundaries_follow_each_rule_sets_definitions(
        self, test, value, unit, study, ipna, kdigo
    ):
        expected = {"study": study, "ipna2020": ipna, "kdigo2021": kdigo}
        for name, category in expected.items():
            got = load_rule_set(name).classify_proteinuria(test, value, unit)
            assert got == category, f"{name}: {test} {value} {unit}"

    def test_upcr_is_compared_in_the_unit_measured_not_converted(self):
        # 2 mg/mg is 226 mg/mmol exactly, yet 210 mg/mmol is nephrotic (>= 200 mg/mmol)
        # and 1.9 mg/mg (= 215 mg/mmol) is not: each unit has its own guideline threshold.
        rule_set = load_rule_set("ipna2020")
        assert rule_set.classify_proteinuria("upcr", 210, "mg/mmol") == "nephrotic"
        assert rule_set.classify_proteinuria("upcr", 1.9, "mg/mg") == "partial"

    @pytest.mark.parametrize("name", ["study", "ipna2020", "kdigo2021"])
    def test_array_version_agrees_with_scalar_version(self, name):
        rule_set = load_rule_set(name)
        tests = [c[0] for c in BOUNDARY_CASES]
        values = [c[1] for c in BOUNDARY_CASES]
        units = [c[2] for c in BOUNDARY_CASES]
        expected = [
            rule_set.classify_proteinuria(t, v, u)
            for t, v, u in zip(tests, values, units, strict=True)
        ]
        got = rule_set.classify_proteinuria_array(tests, values, units)
        assert list(got) == expected

    def test_array_with_numeric_values_and_missing(self):
        rule_set = load_rule_set("study")
        got = rule_set.classify_proteinuria_array(
            np.array(["urine_protein_timed"] * 4), np.array([50.0, np.nan, 10.0, 1.0]), "mg/m2/h"
        )
        assert list(got) == ["nephrotic", None, "partial", "complete"]

    def test_array_refuses_negative_values(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria_array(["upcr"], [-1.0], ["mg/mg"])
        assert (caught.value.code, caught.value.params) == (
            "rules.array_negative",
            {"value": -1.0, "position": 0},
        )

    def test_negative_value_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria("upcr", -0.1, "mg/mg")
        assert (caught.value.code, caught.value.params) == (
            "rules.value_negative",
            {"test": "upcr", "value": -0.1},
        )

    def test_unit_without_a_threshold_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria("upcr", 1.0, "mg/dL")
        error = caught.value
        assert (error.code, error.params["test"], error.params["unit"]) == (
            "rules.no_threshold_for_unit",
            "upcr",
            "mg/dL",
        )

    def test_unknown_test_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria("serum_albumin", 2.0, "g/dL")
        assert (caught.value.code, caught.value.params["test"]) == (
            "rules.not_a_test",
            "serum_albumin",
        )

    def test_text_value_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria("upcr", "high", "mg/mg")
        assert (caught.value.code, caught.value.params) == (
            "rules.value_not_a_number",
            {"test": "upcr", "value": "high"},
        )


class TestDocumentation:
    """docs/clinical/ has one page per rule set listing each proteinuria threshold as the code reads it."""

    @pytest.mark.parametrize("name", ["study", "ipna2020", "kdigo2021"])
    def test_rule_set_page_lists_every_threshold(self, name):
        page = Path(__file__).parents[2] / "docs" / "clinical" / f"rule-set-{name}.md"
        text = page.read_text(encoding="utf-8")
        for criterion in load_rule_set(name).proteinuria:
            for threshold in (criterion.nephrotic, criterion.complete):
                assert f"`{threshold}`" in text, f"{page.name} does not show {threshold}"


_ORDER = {"complete": 0, "partial": 1, "nephrotic": 2}


@given(
    st.sampled_from(["study", "ipna2020", "kdigo2021"]),
    st.sampled_from(
        [
            ("urine_protein_timed", "mg/m2/h"),
            ("upcr", "mg/mg"),
            ("upcr", "mg/mmol"),
            ("dipstick_protein", "mg/dL"),
        ]
    ),
    st.floats(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=5000),
)
def test_more_protein_never_gives_a_better_category(name, test_unit, a, b):
    rule_set = load_rule_set(name)
    test, unit = test_unit
    low, high = sorted((a, b))
    assert (
        _ORDER[rule_set.classify_proteinuria(test, low, unit)]
        <= _ORDER[rule_set.classify_proteinuria(test, high, unit)]
    )


def test_large_arrays_are_classified_in_one_call():
    rule_set = load_rule_set("study")
    values = np.linspace(0, 100, 200_000)
    result = rule_set.classify_proteinuria_array("urine_protein_timed", values, "mg/m2/h")
    assert result[0] == "complete" and result[-1] == "nephrotic"
    assert (result == "partial").sum() == ((values >= 4) & (values <= 40)).sum()


# Rows for the property test: every (test, unit) a rule set classifies, plus exact
# conversions (mg/m2/day, g/g, mg/g) and dipstick grades given as text.
_THRESHOLD_VALUES = [0.0, 0.2, 2.0, 4.0, 15.0, 20.0, 30.0, 40.0, 100.0, 200.0, 300.0, 960.0]
_ROW = st.one_of(
    st.tuples(
        st.sampled_from(
            [
                ("urine_protein_timed", "mg/m2/h"),
                ("urine_protein_timed", "mg/m2/day"),
                ("upcr", "mg/mg"),
                ("upcr", "g/g"),
                ("upcr", "mg/g"),
                ("upcr", "mg/mmol"),
                ("dipstick_protein", "mg/dL"),
            ]
        ),
        st.one_of(
            st.sampled_from(_THRESHOLD_VALUES),
            st.floats(min_value=0, max_value=5000, allow_nan=False),
            st.just(float("nan")),
            st.none(),
        ),
    ),
    st.tuples(
        st.just(("dipstick_protein", "mg/dL")),
        st.sampled_from(["negative", "trace", "30", "100", "300", "1000", "+/-", "1+", "4+"]),
    ),
)


def _scalar_or_none(rule_set, test, value, unit):
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    return None if missing else rule_set.classify_proteinuria(test, value, unit)


@given(st.sampled_from(["study", "ipna2020", "kdigo2021"]), st.lists(_ROW, min_size=1))
def test_vectorised_classification_equals_the_scalar_one_row_by_row(name, rows):
    rule_set = load_rule_set(name)
    tests = [test for (test, _), _ in rows]
    units = [unit for (_, unit), _ in rows]
    values = [value for _, value in rows]
    expected = [
        _scalar_or_none(rule_set, t, v, u) for t, v, u in zip(tests, values, units, strict=True)
    ]
    assert list(rule_set.classify_proteinuria_array(tests, values, units)) == expected
    if not any(isinstance(v, str) for v in values):
        numbers = np.array([np.nan if v is None else v for v in values], dtype=float)
        got = rule_set.classify_proteinuria_array(
            np.array(tests, dtype=object), numbers, np.array(units, dtype=object)
        )
        assert list(got) == expected


class TestVectorisedClassificationErrors:
    def test_infinite_value_is_refused_with_its_position(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria_array(
                ["upcr", "upcr"], [1.0, np.inf], ["mg/mg", "mg/mg"]
            )
        assert (caught.value.code, caught.value.params["position"]) == ("rules.array_infinite", 1)

    def test_unit_without_threshold_names_the_first_row(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria_array(
                ["upcr"] * 3, [1.0, 2.0, 3.0], ["mg/mg", "mg/mg", "mg/dL"]
            )
        error = caught.value
        assert (error.code, error.params["position"]) == ("rules.array_at", 2)
        inner = error.params["error"]
        assert (inner.code, inner.params["unit"]) == ("rules.no_threshold_for_unit", "mg/dL")

    def test_text_that_is_not_a_number_names_its_row(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria_array(
                ["upcr", "upcr"], np.array([1.0, "high"], dtype=object), "mg/mg"
            )
        assert (caught.value.code, caught.value.params) == (
            "rules.array_not_a_number",
            {"value": "high", "position": 1},
        )

    def test_one_unit_per_value(self):
        with pytest.raises(ClinicalInputError) as caught:
            load_rule_set("study").classify_proteinuria_array(
                "upcr", [1.0, 2.0, 3.0], ["mg/mg", "mg/mg"]
            )
        assert (caught.value.code, caught.value.params) == (
            "rules.array_lengths",
            {"given": 2, "values": 3},
        )

    def test_pandas_string_columns_are_accepted(self):
        import pandas as pd

        tests = pd.Series(["upcr", "dipstick_protein", "upcr"], dtype="string[pyarrow]")
        got = load_rule_set("study").classify_proteinuria_array(
            tests, pd.Series([2.5, 15.0, np.nan]), pd.Series(["mg/mg", "mg/dL", "mg/mg"])
        )
        # UPCR 2.5 mg/mg >= 2 is nephrotic (IPNA 2020); trace (15 mg/dL) < 30 is complete (seed).
        assert list(got) == ["nephrotic", "complete", None]


class TestProvenance:
    """A rule set records where it came from and a fingerprint of its definitions."""

    @staticmethod
    def _copy(tmp_path, name="study", edit=None, filename="my.yaml"):
        text = (RULESET_DIR / f"{name}.yaml").read_text(encoding="utf-8")
        if edit:
            old, new = edit
            assert old in text
            text = text.replace(old, new, 1)
        path = tmp_path / filename
        path.write_text(text, encoding="utf-8")
        return load_rule_set(str(path)), path

    def test_shipped_rule_set_is_described_as_shipped(self):
        study = load_rule_set("study")
        assert study.origin == "built-in"
        assert len(study.fingerprint) == 12
        assert int(study.fingerprint, 16) >= 0
        assert study.provenance.startswith("the rule set 'study' (Seed study")
        assert "shipped with NephroCohort" in study.provenance
        assert study.fingerprint in study.provenance

    def test_the_three_shipped_rule_sets_have_different_fingerprints(self):
        prints = {load_rule_set(name).fingerprint for name in ("study", "ipna2020", "kdigo2021")}
        assert len(prints) == 3

    def test_unchanged_copy_has_the_same_fingerprint_and_says_so(self, tmp_path):
        copy, path = self._copy(tmp_path)
        assert copy.fingerprint == load_rule_set("study").fingerprint
        assert copy.origin == str(path)
        assert copy.based_on == "study" and copy.changes == ()
        assert "definitions identical to the shipped 'study'" in copy.provenance

    def test_edited_source_text_keeps_the_fingerprint(self, tmp_path):
        copy, _ = self._copy(
            tmp_path, edit=("complete remission 'below 4 mg/m2/hour'.", "our wording.")
        )
        assert copy.fingerprint == load_rule_set("study").fingerprint

    def test_changed_threshold_is_reported_as_a_modified_copy(self, tmp_path):
        # The acceptance review's case: study.yaml copied, nephrotic 40 -> 50 mg/m2/h.
        copy, path = self._copy(tmp_path, edit=("value: 40\n", "value: 50\n"))
        assert copy.name == "study"
        assert copy.fingerprint != load_rule_set("study").fingerprint
        assert copy.changes == (
            "proteinuria.urine_protein_timed[mg/m2/h].nephrotic > 40 mg/m2/h -> > 50 mg/m2/h",
        )
        assert copy.provenance.startswith(f"a modified copy of 'study' (file {path}; changed: ")
        assert "> 40 mg/m2/h -> > 50 mg/m2/h" in copy.provenance

    def test_a_renamed_file_still_claims_the_original_by_its_title(self, tmp_path):
        copy, _ = self._copy(
            tmp_path,
            name="kdigo2021",
            edit=("name: kdigo2021", "name: centre"),
        )
        assert copy.based_on == "kdigo2021"

    def test_a_file_with_its_own_name_and_title_is_its_own_rule_set(self, tmp_path):
        text = (RULESET_DIR / "study.yaml").read_text(encoding="utf-8")
        text = text.replace("name: study", "name: centre", 1).replace(
            'title: "Seed study', 'title: "Centre definitions, after the seed study', 1
        )
        path = tmp_path / "centre.yaml"
        path.write_text(text.replace("value: 40\n", "value: 50\n", 1), encoding="utf-8")
        centre = load_rule_set(str(path))
        assert centre.based_on is None and centre.changes == ()
        assert centre.provenance.startswith("the rule set 'centre' (Centre definitions")
        assert f"file {path}" in centre.provenance

    def test_several_changes_are_all_listed(self, tmp_path):
        text = (RULESET_DIR / "study.yaml").read_text(encoding="utf-8")
        text = text.replace("value: 40\n", "value: 50\n", 1).replace(
            "value: schwartz-1976", "value: ckid-u25", 1
        )
        path = tmp_path / "my.yaml"
        path.write_text(text, encoding="utf-8")
        copy = load_rule_set(str(path))
        assert len(copy.changes) == 2
        assert "derivation.egfr_equation schwartz-1976 -> ckid-u25" in copy.changes


def test_a_copy_changed_in_many_places_lists_five_changes_and_points_to_rules_show(tmp_path):
    # ipna2020's definitions under the name 'study': far more than five differences.
    text = (RULESET_DIR / "ipna2020.yaml").read_text(encoding="utf-8")
    path = tmp_path / "study-like.yaml"
    path.write_text(text.replace("name: ipna2020", "name: study", 1), encoding="utf-8")
    copy = load_rule_set(str(path))
    assert copy.based_on == "study" and len(copy.changes) > 5
    listed = copy.provenance.split("changed: ", 1)[1]
    assert listed.count(" -> ") == 5
    assert f"and {len(copy.changes) - 5} more (nephrocohort rules show {path})" in listed


# ----------------------------------------------------------------------------- albumin clause
# IPNA 2020 / KDIGO 2021: partial remission needs serum albumin >= 30 g/L (3.0 g/dL);
# the seed study has no albumin clause (clinical-reference.md sections 1b and 1c).


def test_albumin_clause_of_partial_remission_per_shipped_rule_set():
    assert load_rule_set("ipna2020").derivation.partial_remission_min_albumin_g_dl == 3.0
    assert load_rule_set("kdigo2021").derivation.partial_remission_min_albumin_g_dl == 3.0
    assert load_rule_set("study").derivation.partial_remission_min_albumin_g_dl is None


def test_changing_the_albumin_clause_is_listed_and_changes_the_fingerprint(tmp_path):
    data = yaml.safe_load((RULESET_DIR / "ipna2020.yaml").read_text())
    data["derivation"]["partial_remission_min_albumin_g_dl"]["value"] = 2.5
    data["derivation"]["albumin_window_days"]["value"] = 7
    path = tmp_path / "my.yaml"
    path.write_text(yaml.safe_dump(data))
    copy = load_rule_set(str(path))
    assert copy.derivation.partial_remission_min_albumin_g_dl == 2.5
    assert "derivation.partial_remission_min_albumin_g_dl 3 -> 2.5" in copy.changes
    assert "derivation.albumin_window_days 3 -> 7" in copy.changes
    assert copy.fingerprint != load_rule_set("ipna2020").fingerprint


def test_a_file_without_the_albumin_fields_has_no_albumin_clause(tmp_path):
    # A copy written before the field existed: proteinuria alone, as the seed study.
    data = yaml.safe_load((RULESET_DIR / "ipna2020.yaml").read_text())
    del data["derivation"]["partial_remission_min_albumin_g_dl"]
    del data["derivation"]["albumin_window_days"]
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data))
    copy = load_rule_set(str(path))
    assert copy.derivation.partial_remission_min_albumin_g_dl is None
    assert "derivation.partial_remission_min_albumin_g_dl 3 -> none" in copy.changes


@pytest.mark.parametrize(
    ("key", "bad"),
    [("partial_remission_min_albumin_g_dl", "low"), ("albumin_window_days", -1)],
)
def test_a_bad_albumin_field_names_the_file_and_field(tmp_path, key, bad):
    data = yaml.safe_load((RULESET_DIR / "ipna2020.yaml").read_text())
    data["derivation"][key]["value"] = bad
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(str(path))
    assert _fields(caught.value) == [("rules.field_invalid", f"derivation.{key}.value")]


# ----------------------------------------------------------------------------- schema strictness
# The YAML is checked by a pydantic schema: values are taken as written, unknown fields refused.


def _broken_copy(tmp_path, mutate) -> RuleSetError:
    data = yaml.safe_load((RULESET_DIR / "ipna2020.yaml").read_text())
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(str(path))
    return caught.value


def test_a_misspelt_optional_field_is_refused_not_defaulted(tmp_path):
    def mutate(d):
        d["derivation"]["albumin_window_day"] = d["derivation"].pop("albumin_window_days")

    error = _broken_copy(tmp_path, mutate)
    assert _fields(error) == [("rules.field_unknown", "derivation.albumin_window_day")]


@pytest.mark.parametrize("bad", [True, "14", 14.5])
def test_a_whole_number_is_not_guessed_from_other_types(tmp_path, bad):
    def mutate(d):
        d["derivation"]["relapse_merge_days"]["value"] = bad

    (fault,) = _faults(_broken_copy(tmp_path, mutate))
    assert (fault.code, fault.params["field"], fault.params["expected"].code) == (
        "rules.field_invalid",
        "derivation.relapse_merge_days.value",
        "rules.expected.whole_number",
    )


def test_several_faults_are_all_named(tmp_path):
    def mutate(d):
        d["syndrome"]["steroid_max_mg_day"]["value"] = "sixty"
        del d["derivation"]["egfr_equation"]["source"]

    error = _broken_copy(tmp_path, mutate)
    assert _fields(error) == [
        ("rules.field_invalid", "syndrome.steroid_max_mg_day.value"),
        ("rules.field_missing", "derivation.egfr_equation.source"),
    ]
    assert error.params["faults"][0].params["got"] == "'sixty'"
    # The sentence shown names both, one after the other.
    assert str(error) == " ".join(fault.text for fault in error.params["faults"])


def test_an_unknown_unit_lists_the_units_the_rule_set_can_use(tmp_path):
    error = _broken_copy(tmp_path, lambda d: d["proteinuria"][0].update(unit="mmol/l"))
    (fault,) = _faults(error)
    assert (fault.code, fault.params["field"], fault.params["got"]) == (
        "rules.field_invalid",
        "proteinuria[0].unit",
        "'mmol/l'",
    )
    assert "mg/mmol" in fault.params["expected"].params["values"]
