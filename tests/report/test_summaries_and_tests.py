"""Quantitative summaries, Wilcoxon tests and Kaplan-Meier on the hand-made dataset.

Expected values are worked by hand; the percentiles, tests and Kaplan-Meier
numbers were confirmed in R 4.2.2:
  quantile(c(7,20,25,30,48,192), c(.25,.5,.75), type = 6)   -> 16.75 27.5 84
  wilcox.test(a, b, paired = TRUE, exact = FALSE, correct = FALSE)$p.value
    relapses  b = c(3,4,2,5,1,2), a = c(1,1,0,2,0,2)              -> 0.04122683
    steroids  b = c(1,.5,2,1.5,.8,1.2), a = c(.2,0,.5,.6,0,.3)    -> 0.0268567
    eGFR      b = c(100,120,140,160,200), a = c(110,118,150,150,190) -> 0.8875371
  nortest::lillie.test(c(4,6,8,10,12))                          -> D = 0.13646, p = 0.9912
  survival::survfit(Surv(c(30,200,25,31,400), c(1,0,1,1,0)) ~ 1) -> S = .8 .6 .4 at 25 30 31,
    median 31
"""

import math

import pytest

from nephrocohort.report import ReportOptions, build_results


@pytest.fixture
def results(fixture_results):
    return fixture_results  # built once per module (conftest.py)


def test_skewed_age_at_diagnosis_uses_spss_quartiles(results):
    item = results["age_at_diagnosis_months"]
    # sorted 7 20 25 30 48 192; (n+1)p = 1.75 -> 7 + 0.75*13; 5.25 -> 48 + 0.25*144
    assert (item.n, item.p25, item.median, item.p75) == (6, 16.75, 27.5, 84.0)
    assert (item.min, item.max) == (7, 192)
    assert item.percentile_method == "spss"


def test_linear_percentile_option_changes_the_quartiles(analysis):
    results = build_results(
        analysis, rule_set="study", options=ReportOptions(percentile_method="linear")
    )
    item = results["age_at_diagnosis_months"]
    # R type 7: 1 + (n-1)p = 2.25 -> 20 + 0.25*5; 4.75 -> 30 + 0.75*18
    assert (item.p25, item.p75) == (21.25, 43.5)


def test_evenly_spread_ages_are_normal_and_shown_as_mean_sd(results):
    item = results["age_at_assessment_years"]
    # 4 6 8 10 12 (P6 missing): mean 8, SD sqrt(40/4); Lilliefors D = 0.136, p = 0.99
    assert (item.n, item.missing) == (5, 1)
    assert item.mean == pytest.approx(8.0)
    assert item.sd == pytest.approx(math.sqrt(10))
    assert item.normal is True
    assert item.normality_test == "lilliefors"
    assert item.normality_statistic == pytest.approx(0.13646, abs=5e-5)
    assert item.summary == "mean_sd"
    assert "normality not rejected" in item.reason


def test_tiny_groups_are_shown_as_min_max(results):
    item = results["table1.MCD.age_years"]  # P3 8 years, P4 10 years
    assert (item.n, item.min, item.max, item.summary) == (2, 8, 10, "min_max")


def test_relapses_before_after_wilcoxon_matches_r(results):
    before, after = results["relapses_per_year.before"], results["relapses_per_year.after"]
    assert (before.median, before.p25, before.p75) == (2.5, 1.75, 4.25)
    assert (after.median, after.p25, after.p75) == (1.0, 0.0, 2.0)
    test = results["relapses_per_year.test"]
    assert test.test == "Wilcoxon signed-rank"
    assert test.n == 5  # P6 has no change and is dropped
    assert test.statistic == 0  # no patient had more relapses on MMF
    assert test.z == pytest.approx(-7.5 / math.sqrt(13.5))
    assert test.p == pytest.approx(0.04122683, abs=1e-8)
    # Exact conditional p with tied differences (as exactRankTests::wilcox.exact):
    # all five non-zero differences are negative, the single most extreme of the
    # 2^5 equally likely sign patterns in each tail, so p = 2 / 32.
    assert test.p_exact == pytest.approx(2 / 32)


def test_steroid_dose_wilcoxon_compares_differences_at_data_precision(results):
    test = results["steroid_dose.test"]
    # differences 0.8 and 0.9 occur twice each; they must tie despite floating point
    assert test.n == 6
    assert test.p == pytest.approx(0.0268567, abs=1e-7)


def test_egfr_wilcoxon_uses_only_patients_with_both_values(results):
    test = results["egfr.test"]
    assert test.n == 5
    assert test.p == pytest.approx(0.8875371, abs=1e-7)
    assert results["egfr.mmf_start"].mean == pytest.approx(150.0)
    assert results["egfr.mmf_start"].sd == pytest.approx(math.sqrt(1400))


def test_kaplan_meier_time_to_remission_matches_r(results):
    km = results["km.complete_remission"]
    assert (km.n, km.events, km.censored) == (5, 3, 2)  # P4 has no time and is left out
    assert km.median_days == 31
    curve = dict(zip(km.timeline_days, km.survival, strict=True))
    assert curve[25.0] == pytest.approx(0.8)
    assert curve[30.0] == pytest.approx(0.6)
    assert curve[31.0] == pytest.approx(0.4)


def test_kaplan_meier_median_not_reached_is_none(results):
    km = results["km.crf"]
    assert (km.n, km.events) == (6, 1)
    assert km.median_days is None
    assert min(km.survival) == pytest.approx(5 / 6)


def test_shapiro_option_is_recorded_in_items(analysis):
    results = build_results(
        analysis, rule_set="study", options=ReportOptions(normality_test="shapiro")
    )
    assert results["age_at_assessment_years"].normality_test == "shapiro"
    assert "Shapiro-Wilk" in results.methods


def test_one_month_response_by_group_uses_fisher_exact_on_the_r_x_c_table(results):
    test = results["response.month1.group_test"]
    # group 1 (P1, P2, P4): complete 1, partial 1, none 1; group 2 (P3, P5): complete 2.
    # R 4.2.2: fisher.test(matrix(c(1, 2, 1, 0, 1, 0), nrow = 2))$p.value -> 1
    assert (test.test, test.n) == ("Fisher exact", 5)
    assert test.p == pytest.approx(1.0)
    assert "2 x 3 table (exact)" in test.note


def test_kaplan_meier_keeps_censoring_times_for_the_plot(results):
    # P2 censored at 200 days and P6 at 400 (no remission observed)
    assert results["km.complete_remission"].censored_days == (200.0, 400.0)


# Paired differences (after - before) of the fixture, P1-P6:
#   relapses per year: -2, -3, -2, -3, -1, 0
#   steroid dose: -0.8, -0.5, -1.5, -0.9, -0.8, -0.9
#   eGFR (P5 has no one-year value): 10, -2, 10, -10, -10
# Expected values from R 4.2.2 Patched (2022-11-10): nortest::lillie.test(d)$statistic,
# shapiro.test(d), t.test(after, before, paired = TRUE). Lilliefors p above 0.1 comes from
# statsmodels' table (nortest extrapolates Dallal-Wilkinson there), so only D and the decision
# are compared for those.


def test_paired_differences_are_tested_for_normality_lilliefors(results):
    relapses = results["relapses_per_year.test"].normality_of_differences
    assert relapses["test"] == "lilliefors" and relapses["n"] == 6
    assert relapses["statistic"] == pytest.approx(0.22335, abs=1e-5)  # R: D = 0.22335
    assert relapses["normal"] is True  # R: p = 0.4572
    steroid = results["steroid_dose.test"].normality_of_differences
    assert steroid["statistic"] == pytest.approx(1 / 3, abs=1e-7)  # R: D = 0.3333333
    assert steroid["p"] == pytest.approx(0.03591944, abs=1e-6)  # R: p = 0.03591944
    assert steroid["normal"] is False
    egfr = results["egfr.test"].normality_of_differences
    assert egfr["statistic"] == pytest.approx(0.2498674, abs=1e-6)  # R: D = 0.2498674
    assert egfr["normal"] is True  # R: p = 0.3842752


def test_paired_t_is_reported_only_when_the_differences_are_normal(results):
    relapses = results["relapses_per_year.test"]
    assert relapses.test == "Wilcoxon signed-rank"  # the primary test stays the seed's
    t = relapses.paired_t
    # R: t = -3.8414, df = 5, p-value = 0.01211, 95% CI -3.0601710 -0.6064956
    assert (t["df"], t["n"]) == (5, 6)
    assert t["statistic"] == pytest.approx(-3.8414, abs=1e-4)
    assert t["p"] == pytest.approx(0.01211, abs=1e-5)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((-3.0601710, -0.6064956), abs=1e-6)
    assert "secondary" in t["role"]
    assert results["steroid_dose.test"].paired_t is None  # Lilliefors rejects normality
    # R: t = -0.08908708, p = 0.93329493
    assert results["egfr.test"].paired_t["p"] == pytest.approx(0.93329493, abs=1e-7)


def test_shapiro_option_tests_the_differences_with_shapiro_wilk(analysis):
    results = build_results(
        analysis, rule_set="study", options=ReportOptions(normality_test="shapiro")
    )
    steroid = results["steroid_dose.test"]
    # R: shapiro.test(d): W = 0.85596, p-value = 0.1757
    assert steroid.normality_of_differences["statistic"] == pytest.approx(0.85596, abs=1e-5)
    assert steroid.normality_of_differences["p"] == pytest.approx(0.1757, abs=1e-4)
    # R: t = -6.708203932, p = 0.001114438
    assert steroid.paired_t["statistic"] == pytest.approx(-6.708203932, abs=1e-8)
    assert steroid.paired_t["p"] == pytest.approx(0.001114438, abs=1e-8)
    assert "differences were tested for normality with the Shapiro-Wilk test" in results.methods


def test_fewer_than_five_pairs_are_not_tested_for_normality(analysis):
    few = analysis.assign(egfr_month12=[110.0, 118.0, None, None, None, 190.0, 40.0, 40.0])
    checked = build_results(few, rule_set="study")["egfr.test"].normality_of_differences
    assert (checked["n"], checked["normal"], checked["p"]) == (3, None, None)
    assert checked["reason"] == "Fewer than 5 pairs: not tested."
