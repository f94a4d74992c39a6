"""The methods paragraph says what was run, and only that."""

from nephrocohort.report import ReportOptions, build_results


def test_methods_name_rule_set_conventions_tests_and_versions(analysis):
    import pandas
    import scipy

    text = build_results(analysis, rule_set="study").methods
    assert "Of 8 patients assessed, 6 met the eligibility criteria of the rule set 'study'" in text
    assert "Kolmogorov-Smirnov test with Lilliefors correction" in text
    assert "HAVERAGE" in text
    assert "fewer than 5 patients" in text
    assert "Wilcoxon signed-rank test" in text
    assert "Kaplan-Meier" in text
    assert f"pandas {pandas.__version__}" in text and f"scipy {scipy.__version__}" in text


def test_methods_follow_the_options(analysis):
    options = ReportOptions(percentile_method="linear", normality_test="shapiro")
    text = build_results(analysis, rule_set="ipna2020", options=options).methods
    assert "Shapiro-Wilk" in text and "Lilliefors" not in text
    assert "type 7" in text and "HAVERAGE" not in text
    assert "rule set 'ipna2020'" in text


def test_methods_leave_out_kaplan_meier_when_no_times(analysis):
    no_times = analysis.assign(days_to_complete_remission=None, days_to_crf=None)
    assert "Kaplan-Meier" not in build_results(no_times, rule_set="study").methods


def test_methods_say_the_differences_were_tested_and_which_test_is_primary(analysis):
    text = build_results(analysis, rule_set="study").methods
    assert "For each paired comparison the differences were tested for normality" in text
    assert "the Wilcoxon signed-rank test is the primary test" in text
    # fixture: relapse and eGFR differences are normal by Lilliefors, steroid ones are not
    assert "paired t test is reported as well (relapses per year and eGFR)" in text
