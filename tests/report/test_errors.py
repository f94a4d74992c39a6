"""Bad input to the report: clear messages, raised as ReportError (the CLI prints them)."""

import pytest

from nephrocohort.exceptions import ReportError, RuleSetError
from nephrocohort.report import ReportOptions, build_results
from nephrocohort.report._options import parse_formats


def test_missing_columns_are_all_named(analysis):
    broken = analysis.drop(columns=["sex", "egfr_month12"])
    with pytest.raises(ReportError, match="lacks 2 column") as raised:
        build_results(broken, rule_set="study")
    assert "sex" in str(raised.value) and "egfr_month12" in str(raised.value)
    assert "derive" in str(raised.value)


def test_not_a_dataframe_is_refused():
    with pytest.raises(ReportError, match="pandas DataFrame"):
        build_results([{"patient_id": "P1"}], rule_set="study")


def test_no_eligible_patient_says_what_to_check(analysis):
    nobody = analysis.assign(eligible=False)
    with pytest.raises(ReportError, match="No patient is eligible under the rule set 'study'"):
        build_results(nobody, rule_set="study")


def test_unknown_rule_set_lists_the_known_ones(analysis):
    with pytest.raises(RuleSetError) as caught:
        build_results(analysis, rule_set="no-such-rules")
    assert (caught.value.code, caught.value.params["name"]) == ("rules.unknown", "no-such-rules")
    assert "study" in caught.value.params["available"].split(", ")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"percentile_method": "excel"}, "'percentile_method' must be one of spss, linear"),
        ({"normality_test": "ks"}, "'normality_test' must be one of lilliefors, shapiro"),
        ({"alpha": 5}, "'alpha' must be between 0 and 1"),
    ],
)
def test_bad_options_name_the_option_and_the_choices(options, message):
    with pytest.raises(ReportError, match=message):
        ReportOptions(**options)


def test_formats_are_parsed_in_writing_order():
    assert parse_formats("html, JSON") == ("json", "html")
    assert parse_formats(["xlsx", "docx"]) == ("docx", "xlsx")


@pytest.mark.parametrize("text", ["pdf", "html,pdf", " , "])
def test_unknown_or_empty_formats_are_refused(text):
    with pytest.raises(ReportError, match="json, html, docx, xlsx"):
        parse_formats(text)
