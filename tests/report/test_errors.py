"""Bad input to the report: clear messages, raised as ReportError (the CLI prints them)."""

import pytest

from nephrocohort.exceptions import ReportError, RuleSetError
from nephrocohort.report import ReportOptions, build_results
from nephrocohort.report._options import parse_formats


def test_missing_columns_are_all_named(analysis):
    broken = analysis.drop(columns=["sex", "egfr_month12"])
    with pytest.raises(ReportError) as raised:
        build_results(broken, rule_set="study")
    assert raised.value.code == "report.missing_columns"
    assert raised.value.params["count"] == 2
    assert set(raised.value.params["columns"].split(", ")) == {"sex", "egfr_month12"}


def test_not_a_dataframe_is_refused():
    with pytest.raises(ReportError) as raised:
        build_results([{"patient_id": "P1"}], rule_set="study")
    assert (raised.value.code, raised.value.params) == ("report.not_a_dataframe", {"type": "list"})


def test_no_eligible_patient_says_what_to_check(analysis):
    nobody = analysis.assign(eligible=False)
    with pytest.raises(ReportError) as raised:
        build_results(nobody, rule_set="study")
    assert (raised.value.code, raised.value.params) == (
        "report.none_eligible",
        {"rule_set": "study", "assessed": len(analysis)},
    )


def test_unknown_rule_set_lists_the_known_ones(analysis):
    with pytest.raises(RuleSetError) as caught:
        build_results(analysis, rule_set="no-such-rules")
    assert (caught.value.code, caught.value.params["name"]) == ("rules.unknown", "no-such-rules")
    assert "study" in caught.value.params["available"].split(", ")


@pytest.mark.parametrize(
    ("options", "code", "params"),
    [
        (
            {"percentile_method": "excel"},
            "report.option_choice",
            {"option": "percentile_method", "allowed": "spss, linear", "value": "excel"},
        ),
        (
            {"normality_test": "ks"},
            "report.option_choice",
            {"option": "normality_test", "allowed": "lilliefors, shapiro", "value": "ks"},
        ),
        ({"alpha": 5}, "report.option_alpha", {"value": 5}),
    ],
)
def test_bad_options_name_the_option_and_the_choices(options, code, params):
    with pytest.raises(ReportError) as raised:
        ReportOptions(**options)
    assert (raised.value.code, raised.value.params) == (code, params)


def test_formats_are_parsed_in_writing_order():
    assert parse_formats("html, JSON") == ("json", "html")
    assert parse_formats(["xlsx", "docx"]) == ("docx", "xlsx")


@pytest.mark.parametrize("text", ["pdf", "html,pdf", " , "])
def test_unknown_or_empty_formats_are_refused(text):
    with pytest.raises(ReportError) as raised:
        parse_formats(text)
    assert raised.value.code in ("report.unknown_format", "report.no_format")
    assert raised.value.params["known"] == "json, html, docx, xlsx"
