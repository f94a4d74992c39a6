"""The course thresholds are named, sourced rule-set parameters (issue 10 item 5).

IPNA 2022 SSNS Table 1 (PMC9589698): infrequently relapsing is "< 2 relapses in the 6
months following remission of the initial episode or fewer than 3 relapses in any
subsequent 12-month period"; KDIGO 2021 (secondary, kidneywiki): frequently relapsing
">= 2 relapses within 6 months of disease onset or >= 4 relapses in any subsequent 12
month period", steroid-dependent "... within 15 days of stopping steroids".
"""

import pytest

from nephrocohort.clinical.rules import load_rule_set

EXPECTED = {
    # name: (first months, first min, anchor, any months, any min, SD days)
    "ipna2020": (6, 2, "initial_remission", 12, 3, 14),
    "kdigo2021": (6, 2, "onset", 12, 4, 15),
    "study": (None, None, None, None, None, None),
}
NAMES = (
    "frequent_relapse_first_months",
    "frequent_relapse_first_min",
    "frequent_relapse_first_from",
    "frequent_relapse_any_months",
    "frequent_relapse_any_min",
    "steroid_dependence_days_after_stop",
)


@pytest.mark.parametrize("name", EXPECTED)
def test_relapse_course_thresholds_and_their_sources(name):
    rule_set = load_rule_set(name)
    values = tuple(getattr(rule_set.derivation, parameter) for parameter in NAMES)
    assert values == EXPECTED[name]
    for parameter in NAMES:
        assert rule_set.parameter_sources[parameter]  # every one says where it comes from


def test_sources_quote_the_sentence_and_say_when_secondary():
    ipna, kdigo = load_rule_set("ipna2020"), load_rule_set("kdigo2021")
    assert (
        "fewer than 3 relapses in any subsequent 12-month period"
        in (ipna.parameter_sources["frequent_relapse_any_min"])
    )
    assert (
        "within 15 days of stopping steroids"
        in (kdigo.parameter_sources["steroid_dependence_days_after_stop"])
    )
    assert "Secondary only" in kdigo.parameter_sources["frequent_relapse_any_min"]
    assert "Secondary only" in ipna.parameter_sources["cni_resistance_months"]
    assert "not defined" in load_rule_set("study").parameter_sources["cni_resistance_months"]


def test_rules_show_reads_the_course_parameters():
    rows = {label: value for label, value, _source in load_rule_set("kdigo2021").parameter_rows()}
    assert rows["derivation.frequent_relapse_first_from"] == "disease onset"
    assert rows["derivation.steroid_dependence_days_after_stop"] == "15 days after stopping"
    assert rows["derivation.cni_adequate_tacrolimus_mg_kg_day"] == ">= 0.08 mg/kg/day"
    study = {label: value for label, value, _source in load_rule_set("study").parameter_rows()}
    assert study["derivation.cni_resistance_months"] == "not defined by this rule set"


def test_a_misspelt_course_value_is_refused(tmp_path):
    from importlib import resources

    from nephrocohort.exceptions import RuleSetError

    shipped = resources.files("nephrocohort.clinical") / "rulesets" / "ipna2020.yaml"
    text = shipped.read_text(encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("value: initial_remission", "value: first_remission"), "utf-8")
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(path)
    (fault,) = caught.value.params["faults"]
    assert (fault.code, fault.params["field"], fault.params["got"]) == (
        "rules.field_invalid",
        "derivation.frequent_relapse_first_from.value",
        "'first_remission'",
    )
    assert fault.params["expected"].code == "rules.expected.one_of"
