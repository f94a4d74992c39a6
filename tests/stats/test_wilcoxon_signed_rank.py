"""Wilcoxon signed-rank test against R on twelve study-like paired datasets."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nephrocohort.exceptions import StatisticalWarning
from nephrocohort.stats import WILCOXON_EXACT_MAX_N, StatisticsInputError, wilcoxon_signed_rank

# Produced by tests/stats/r/wilcoxon.R (R 4.2.2, coin 1.4.2): V and p from
# wilcox.test(d, exact = FALSE, correct = FALSE) on d = round(after - before, decimals)
# with zeros dropped; z by SPSS's formula in R; coin_z from coin::wilcoxsign_test (on
# the unrounded differences, so it differs where float noise splits a tie); p_exact
# from wilcox.test(d, exact = TRUE) where n <= 25 and no ties (None: R's classical exact
# test does not apply; see test_wilcoxon_r.py for the exact conditional p with ties).
WILCOXON_R = {
    "relapses_26": dict(
        V=3.5,
        z=-3.79820957019045,
        coin_z=-3.79820957019045,
        p=0.000145745072655798,
        p_exact=None,
        n=20,
        n_pos=1,
        n_neg=19,
        n_zero=6,
        n_missing=0,
        decimals=2,
    ),
    "steroid_26": dict(
        V=0,
        z=-4.28965557593274,
        coin_z=-4.28943633003671,
        p=1.7895042146751e-05,
        p_exact=None,
        n=24,
        n_pos=0,
        n_neg=24,
        n_zero=2,
        n_missing=0,
        decimals=2,
    ),
    "relapses_6": dict(
        V=1,
        z=-1.99174118977164,
        coin_z=-1.99174118977164,
        p=0.0463994618709046,
        p_exact=0.0625,
        n=6,
        n_pos=1,
        n_neg=5,
        n_zero=0,
        n_missing=0,
        decimals=2,
    ),
    "steroid_8": dict(
        V=0,
        z=-2.12132034355964,
        coin_z=-2.12132034355964,
        p=0.0338948535246893,
        p_exact=None,
        n=5,
        n_pos=0,
        n_neg=5,
        n_zero=3,
        n_missing=0,
        decimals=2,
    ),
    "egfr_12": dict(
        V=25.5,
        z=-1.05943468301498,
        coin_z=-1.05943468301498,
        p=0.28940186128034,
        p_exact=None,
        n=12,
        n_pos=5,
        n_neg=7,
        n_zero=0,
        n_missing=0,
        decimals=1,
    ),
    "relapses_10": dict(
        V=2.5,
        z=-2.43432247780074,
        coin_z=-2.43432247780074,
        p=0.0149196963058219,
        p_exact=None,
        n=9,
        n_pos=1,
        n_neg=8,
        n_zero=1,
        n_missing=0,
        decimals=0,
    ),
    "relapse_counts_30": dict(
        V=8.5,
        z=-3.66148116461415,
        coin_z=-3.66148116461415,
        p=0.00025076129981292,
        p_exact=None,
        n=18,
        n_pos=1,
        n_neg=17,
        n_zero=12,
        n_missing=0,
        decimals=0,
    ),
    "float_trap_7": dict(
        V=1,
        z=-2.20133553466997,
        coin_z=-2.19740106229414,
        p=0.0277122790251598,
        p_exact=None,
        n=7,
        n_pos=1,
        n_neg=6,
        n_zero=0,
        n_missing=0,
        decimals=1,
    ),
    "steroid_missing_15": dict(
        V=0,
        z=-2.80488149626012,
        coin_z=-2.80488149626012,
        p=0.00503350820060625,
        p_exact=None,
        n=10,
        n_pos=0,
        n_neg=10,
        n_zero=1,
        n_missing=4,
        decimals=2,
    ),
    "steroid_20_exact": dict(
        V=69,
        z=-1.3439761073038,
        coin_z=-1.3439761073038,
        p=0.178956113198432,
        p_exact=0.189348220825195,
        n=20,
        n_pos=7,
        n_neg=13,
        n_zero=0,
        n_missing=0,
        decimals=3,
    ),
    "relapses_9_all_down": dict(
        V=0,
        z=-2.66556994991592,
        coin_z=-2.66556994991592,
        p=0.00768579405521327,
        p_exact=0.00390625,
        n=9,
        n_pos=0,
        n_neg=9,
        n_zero=0,
        n_missing=0,
        decimals=2,
    ),
    "relapses_13": dict(
        V=4,
        z=-2.20920130589817,
        coin_z=-2.20920130589817,
        p=0.027160642107178,
        p_exact=None,
        n=9,
        n_pos=2,
        n_neg=7,
        n_zero=4,
        n_missing=0,
        decimals=1,
    ),
}
# Also from wilcoxon.R: R on the *unrounded* float_trap_7 differences, where
# 0.8 - 0.2 and 0.6 - 0.0 differ in binary floating point and are not tied.
FLOAT_TRAP_UNROUNDED_P = 0.0279918154856658


class TestAgainstR:
    @pytest.mark.parametrize("name", sorted(WILCOXON_R))
    def test_counts_statistic_z_and_p_match_r(self, name, paired_datasets):
        expected = WILCOXON_R[name]
        pair = paired_datasets[name]
        result = wilcoxon_signed_rank(pair["before"], pair["after"])
        assert result.n == expected["n"]
        assert result.n_positive == expected["n_pos"]
        assert result.n_negative == expected["n_neg"]
        assert result.n_ties == expected["n_zero"]
        assert result.n_missing_pairs == expected["n_missing"]
        assert result.decimals == expected["decimals"]
        assert result.statistic == pytest.approx(expected["V"], rel=1e-12)
        assert result.z == pytest.approx(expected["z"], rel=1e-12)
        assert abs(result.z) == pytest.approx(abs(expected["coin_z"]), rel=2e-3)
        assert result.p == pytest.approx(expected["p"], rel=1e-10)

    @pytest.mark.parametrize("name", sorted(WILCOXON_R))
    def test_exact_p_matches_the_classical_exact_test_without_ties(self, name, paired_datasets):
        # With ties the exact conditional p is checked against exactRankTests and coin
        # in test_wilcoxon_r.py; here the untied sets against wilcox.test(exact = TRUE).
        expected = WILCOXON_R[name]["p_exact"]
        pair = paired_datasets[name]
        result = wilcoxon_signed_rank(pair["before"], pair["after"])
        assert result.p_exact is not None
        if expected is not None:
            assert result.p_exact == pytest.approx(expected, rel=1e-10)

    def test_seed_like_relapses_are_significant_with_ties_counted(self, paired_datasets):
        pair = paired_datasets["relapses_26"]
        result = wilcoxon_signed_rank(pair["before"], pair["after"])
        assert result.tied_ranks
        assert result.z_based_on == "positive ranks"
        assert result.mean_rank_positive == pytest.approx(3.5)
        assert result.sum_ranks_negative == pytest.approx(20 * 21 / 2 - 3.5)


class TestPrecision:
    def test_float_noise_does_not_break_ties(self, paired_datasets):
        pair = paired_datasets["float_trap_7"]
        result = wilcoxon_signed_rank(pair["before"], pair["after"])
        assert result.tied_ranks
        assert result.p == pytest.approx(WILCOXON_R["float_trap_7"]["p"], rel=1e-10)
        assert result.p != pytest.approx(FLOAT_TRAP_UNROUNDED_P, rel=1e-6)

    def test_explicit_decimals_override_detection(self):
        result = wilcoxon_signed_rank([1.04, 2.0, 3.0], [1.0, 1.0, 1.0], decimals=1)
        assert result.decimals == 1
        assert result.n_ties == 1  # 1.04 -> 1.0 at one decimal

    def test_differences_far_below_1e_10_are_not_zero(self):
        # R 4.2.2: wilcox.test((1:6) * 1e-12, exact = FALSE, correct = FALSE)$p.value
        # is 0.02770785; R compares differences with 0 exactly, not at 10 decimals.
        tiny = [k * 1e-12 for k in range(1, 7)]
        result = wilcoxon_signed_rank([0.0] * 6, tiny)
        assert (result.n, result.n_ties, result.decimals) == (6, 0, 12)
        assert result.p == pytest.approx(0.02770785, rel=1e-6)

    def test_float_noise_at_tiny_scale_still_ties(self):
        # 0.8e-12 - 0.2e-12 and 0.6e-12 - 0 differ in binary, as at scale 1.
        result = wilcoxon_signed_rank([0.2e-12, 0.0, 0.1e-12], [0.8e-12, 0.6e-12, 0.4e-12])
        assert result.tied_ranks

    def test_negative_decimals_are_refused(self):
        with pytest.raises(StatisticsInputError) as caught:
            wilcoxon_signed_rank([1, 2], [2, 3], decimals=-1)
        assert (caught.value.code, caught.value.params) == ("stats.decimals", {"value": -1})


class TestBadInput:
    def test_lengths_must_match(self):
        with pytest.raises(StatisticsInputError) as caught:
            wilcoxon_signed_rank([1, 2, 3], [1, 2])
        assert (caught.value.code, caught.value.params) == (
            "stats.paired_lengths",
            {"before": 3, "after": 2},
        )

    def test_text_value_is_named_with_its_position(self):
        with pytest.raises(StatisticsInputError) as caught:
            wilcoxon_signed_rank([1, 2, 3], [1, "n/a", 2])
        assert (caught.value.code, caught.value.params) == (
            "stats.values.not_a_number",
            {"name": "after", "item": 2, "value": "n/a"},
        )

    def test_exact_p_stops_at_its_budget(self):
        before = list(range(WILCOXON_EXACT_MAX_N + 1))
        after = [value + 1 + (index % 3) for index, value in enumerate(before)]
        assert wilcoxon_signed_rank(before, after).p_exact is None
        small = wilcoxon_signed_rank(before[:30], after[:30])
        assert small.p_exact is not None and small.p_exact_method is not None

    def test_all_equal_pairs_warn_and_give_nan(self):
        with pytest.warns(StatisticalWarning, match="same value before and after"):
            result = wilcoxon_signed_rank([1, 2, 3], [1, 2, 3])
        assert result.n == 0 and result.n_ties == 3
        assert math.isnan(result.p) and result.p_exact is None
        assert result.as_dict()["p"] is None


class TestResult:
    def test_repr_and_dict(self, paired_datasets):
        pair = paired_datasets["relapses_6"]
        result = wilcoxon_signed_rank(pair["before"], pair["after"])
        assert repr(result).startswith("WilcoxonResult(statistic=1, z=-1.99174")
        data = result.as_dict()
        assert data["test"] == "Wilcoxon signed-rank"
        assert data["p_exact"] == pytest.approx(0.0625)
        assert data["effect_size_r"] == pytest.approx(abs(result.z) / math.sqrt(6))
        assert data["rank_biserial"] == pytest.approx((1 - 20) / 21)

    def test_result_is_frozen(self):
        result = wilcoxon_signed_rank([1, 2, 3], [2, 4, 7])
        with pytest.raises(AttributeError):
            result.p = 0.5


_values = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40).map(lambda k: k / 4),
        st.integers(min_value=0, max_value=40).map(lambda k: k / 4),
    ),
    min_size=1,
    max_size=30,
)


@given(_values)
def test_swapping_sides_keeps_z_and_p_and_swaps_rank_sums(pairs):
    before = [pair[0] for pair in pairs]
    after = [pair[1] for pair in pairs]
    if before == after:
        return
    forward = wilcoxon_signed_rank(before, after)
    backward = wilcoxon_signed_rank(after, before)
    assert backward.n == forward.n
    assert backward.z == pytest.approx(forward.z)
    assert backward.p == pytest.approx(forward.p)
    assert backward.p_exact == (None if forward.p_exact is None else pytest.approx(forward.p_exact))
    assert backward.statistic == pytest.approx(forward.sum_ranks_negative)
    assert backward.n_positive == forward.n_negative
