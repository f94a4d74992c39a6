"""eGFR equations against official calculator vectors and published worked examples."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nephrocohort.clinical.kidney_function import (
    CKD_STAGES,
    ckd_stage,
    egfr,
    egfr_ckid_u25_combined,
    egfr_ckid_u25_creatinine,
    egfr_ckid_u25_cystatin,
    egfr_schwartz_1976,
    egfr_schwartz_bedside,
)
from nephrocohort.exceptions import ClinicalInputError

# CKiD U25 vectors from the official CKiD shinyapps calculator, quoted in the official
# R file (github ckidstudy/CKiD_U25, "R Code for U25eGFR calculation.R"); 1 decimal.
CKID_VECTORS = [
    # sex, age, height cm, SCr mg/dL, CysC mg/L, eGFR_cr, eGFR_cys, average
    ("M", 11, 120, 0.9, 1.3, 51.6, 64.2, 57.9),
    ("F", 11, 120, 0.9, 1.3, 47.8, 61.2, 54.5),
    ("M", 15, 160, 1.9, 1.6, 37.5, 54.5, 46.0),
    ("F", 15, 160, 1.9, 1.6, 32.5, 46.1, 39.3),
    ("M", 20, 181, 2.1, 1.8, 43.8, 42.8, 43.3),
    ("F", 20, 181, 2.1, 1.8, 35.7, 37.9, 36.8),
]


class TestCkidU25:
    @pytest.mark.parametrize(
        ("sex", "age", "height", "scr", "cys", "cr", "cy", "avg"), CKID_VECTORS
    )
    def test_official_calculator_vectors(self, sex, age, height, scr, cys, cr, cy, avg):
        assert egfr_ckid_u25_creatinine(
            height_cm=height, creatinine_mg_dl=scr, age_years=age, sex=sex
        ) == pytest.approx(cr, abs=0.05)
        assert egfr_ckid_u25_cystatin(cystatin_c_mg_l=cys, age_years=age, sex=sex) == pytest.approx(
            cy, abs=0.05
        )
        combined = egfr_ckid_u25_combined(
            height_cm=height, creatinine_mg_dl=scr, cystatin_c_mg_l=cys, age_years=age, sex=sex
        )
        assert combined == pytest.approx(avg, abs=0.06)

    def test_vectorised_over_the_six_vectors(self):
        sexes, ages, heights, scrs, cyss, crs, _, _ = (
            list(column) for column in zip(*CKID_VECTORS, strict=True)
        )
        result = egfr(
            "ckid-u25", height_cm=heights, creatinine_mg_dl=scrs, age_years=ages, sex=sexes
        )
        np.testing.assert_allclose(result, crs, atol=0.05)

    def test_female_15_years_to_three_decimals(self):
        # clinical-reference.md 2c: official calculator gives 32.546 for F 15 y, 1.6 m, SCr 1.9
        assert egfr_ckid_u25_creatinine(
            height_cm=160, creatinine_mg_dl=1.9, age_years=15, sex="F"
        ) == pytest.approx(32.546, abs=0.0005)

    def test_not_the_kidney_epi_constant(self):
        # kidney.epi 1.3/1.4 uses K = 41.8 for boys 15-18 and gives 35.2 here; official code gives 37.5
        value = egfr_ckid_u25_creatinine(height_cm=160, creatinine_mg_dl=1.9, age_years=15, sex="M")
        assert value != pytest.approx(35.2, abs=0.05)

    @pytest.mark.parametrize(
        ("kwargs", "name", "low", "high"),
        [  # the official CKiD U25 code's ranges [4]
            ({"age_years": 0.5}, "age_years", 1, 25),
            ({"age_years": 26}, "age_years", 1, 25),
            ({"height_cm": 1.2}, "height_cm", 60, 200),
            ({"creatinine_mg_dl": 80}, "creatinine_mg_dl", 0.1, 10),
        ],
    )
    def test_official_input_ranges_are_enforced(self, kwargs, name, low, high):
        inputs = {"height_cm": 120, "creatinine_mg_dl": 0.9, "age_years": 11, "sex": "M"} | kwargs
        with pytest.raises(ClinicalInputError) as caught:
            egfr_ckid_u25_creatinine(**inputs)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            name,
            kwargs[name],
        )
        expected = error.params["expected"]
        assert (expected.params["low"], expected.params["high"]) == (low, high)

    def test_sex_other_than_m_or_f_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_ckid_u25_creatinine(height_cm=120, creatinine_mg_dl=0.9, age_years=11, sex="X")
        assert (caught.value.code, caught.value.params) == ("clinical.sex", {"value": "X"})

    def test_umol_hint_for_creatinine_out_of_range(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_ckid_u25_creatinine(height_cm=120, creatinine_mg_dl=64, age_years=11, sex="M")
        assert caught.value.params["hint"].code == "clinical.hint.creatinine_umol"

    def test_cystatin_range(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_ckid_u25_cystatin(cystatin_c_mg_l=0.1, age_years=11, sex="F")
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "cystatin_c_mg_l",
            0.1,
        )
        expected = error.params["expected"].params
        assert (expected["low"], expected["high"], expected["unit"]) == (0.2, 8, "mg/L")


class TestSchwartzBedside:
    # clinical-reference.md 2b
    @pytest.mark.parametrize(
        ("height", "scr", "expected", "source"),
        [
            (100, 0.4, 103.25, "doctaverse worked example (displayed as 103)"),
            (120, 0.6, 82.6, "public jest test 0.413*120/0.6"),
            (100, 0.5, 82.6, "calculatorlib.com pediatric GFR worked example"),
            (101, 0.7, 59.59, "transplantr docs schwartz_US(0.7, 101)"),
            (120, 0.5, 99.12, "issue 2 acceptance: 0.413 x 120 / 0.5"),
        ],
    )
    def test_worked_examples(self, height, scr, expected, source):
        assert egfr_schwartz_bedside(height_cm=height, creatinine_mg_dl=scr) == pytest.approx(
            expected, abs=0.005
        ), source

    def test_umol_input_through_egfr(self):
        # transplantr docs schwartz(64, 101): 64 umol/L / 88.4 = 0.724 mg/dL -> 57.62
        assert egfr("schwartz-bedside", height_cm=101, creatinine_umol_l=64) == pytest.approx(
            57.62, abs=0.005
        )

    @pytest.mark.parametrize(
        ("height", "scr", "name", "value"),
        [
            (0, 0.5, "height_cm", 0),
            (120, -0.5, "creatinine_mg_dl", -0.5),
            (120, 0, "creatinine_mg_dl", 0),
        ],
    )
    def test_impossible_inputs(self, height, scr, name, value):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_schwartz_bedside(height_cm=height, creatinine_mg_dl=scr)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            name,
            value,
        )


class TestSchwartz1976:
    # k values from the ski-nephrology.org GFR calculator (clinical-reference.md 2a):
    # preterm 0.33, term infant 0.45, 1-12 years 0.55, adolescent boys 0.70.
    # Expected values are k x height / SCr worked by hand.
    @pytest.mark.parametrize(
        ("height", "scr", "age", "sex", "preterm", "expected"),
        [
            (120, 0.6, 8, "M", False, 110.0),  # 0.55 x 120 / 0.6
            (160, 0.8, 15, "M", False, 140.0),  # 0.70 x 160 / 0.8
            (160, 0.8, 15, "F", False, 110.0),  # 0.55 x 160 / 0.8
            (65, 0.3, 0.5, "F", False, 97.5),  # 0.45 x 65 / 0.3
            (45, 0.9, 0.2, "M", True, 16.5),  # 0.33 x 45 / 0.9
            (150, 0.75, 12.99, "M", False, 110.0),  # still a child: 0.55 x 150 / 0.75
            (150, 0.75, 13.0, "M", False, 140.0),  # adolescent boy from 13: 0.70 x 150 / 0.75
        ],
    )
    def test_k_by_age_group(self, height, scr, age, sex, preterm, expected):
        value = egfr_schwartz_1976(
            height_cm=height, creatinine_mg_dl=scr, age_years=age, sex=sex, preterm=preterm
        )
        assert value == pytest.approx(expected)

    def test_age_above_21_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_schwartz_1976(height_cm=170, creatinine_mg_dl=1, age_years=22, sex="M")
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "age_years",
            22,
        )
        expected = error.params["expected"].params
        assert (expected["low"], expected["high"], expected["context"].code) == (
            0,
            21,
            "clinical.for.schwartz_1976",
        )


class TestEgfrDispatch:
    def test_unknown_equation_lists_the_names(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr("cockcroft-gault", height_cm=120, creatinine_mg_dl=0.5)
        assert caught.value.code == "clinical.egfr.unknown_equation"
        assert caught.value.params["equation"] == "cockcroft-gault"
        assert caught.value.params["known"].startswith("schwartz-1976, schwartz-bedside, ckid-u25")

    def test_missing_input_is_named(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr("ckid-u25", height_cm=120, creatinine_mg_dl=0.5)
        assert (caught.value.code, caught.value.params) == (
            "clinical.egfr.needs",
            {"equation": "ckid-u25", "inputs": "age_years, sex", "count": 2},
        )

    def test_unused_inputs_are_ignored(self):
        assert egfr(
            "schwartz-bedside", height_cm=120, creatinine_mg_dl=0.5, sex="F", age_years=9
        ) == pytest.approx(99.12)

    def test_misspelled_input_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr("schwartz-bedside", height=120, creatinine_mg_dl=0.5)
        assert (caught.value.code, caught.value.params["inputs"]) == (
            "clinical.egfr.unknown_inputs",
            "height",
        )

    def test_creatinine_given_twice_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr("schwartz-bedside", height_cm=120, creatinine_mg_dl=0.5, creatinine_umol_l=44)
        assert caught.value.code == "clinical.egfr.creatinine_twice"

    def test_missing_values_in_arrays_give_nan(self):
        result = egfr(
            "schwartz-bedside",
            height_cm=np.array([120.0, 120.0]),
            creatinine_mg_dl=np.array([0.5, np.nan]),
        )
        assert result[0] == pytest.approx(99.12)
        assert np.isnan(result[1])


@given(
    st.floats(min_value=60, max_value=200),
    st.floats(min_value=0.1, max_value=9),
    st.floats(min_value=0.01, max_value=1),
)
def test_creatinine_equations_fall_as_creatinine_rises(height, scr, step):
    for equation in ("schwartz-bedside", "ckid-u25", "schwartz-1976"):
        inputs = {"height_cm": height, "age_years": 10, "sex": "F"}
        assert egfr(equation, creatinine_mg_dl=scr + step, **inputs) < egfr(
            equation, creatinine_mg_dl=scr, **inputs
        )


@given(
    st.floats(min_value=60, max_value=199),
    st.floats(min_value=0.1, max_value=9),
    st.floats(min_value=0.1, max_value=1),
)
def test_creatinine_equations_rise_with_height(height, scr, step):
    for equation in ("schwartz-bedside", "ckid-u25"):
        inputs = {"creatinine_mg_dl": scr, "age_years": 10, "sex": "M"}
        assert egfr(equation, height_cm=height + step, **inputs) > egfr(
            equation, height_cm=height, **inputs
        )


@given(
    st.floats(min_value=0.2, max_value=7.9),
    st.floats(min_value=0.01, max_value=0.1),
    st.floats(min_value=1, max_value=25),
    st.sampled_from(["M", "F"]),
)
def test_cystatin_equation_falls_as_cystatin_rises(cys, step, age, sex):
    assert egfr_ckid_u25_cystatin(
        cystatin_c_mg_l=cys + step, age_years=age, sex=sex
    ) < egfr_ckid_u25_cystatin(cystatin_c_mg_l=cys, age_years=age, sex=sex)


class TestCkdStage:
    # KDIGO 2012 GFR categories (clinical-reference.md section 5): lower bound inclusive
    @pytest.mark.parametrize(
        ("value", "stage"),
        [
            (120, "G1"),
            (90, "G1"),
            (89.9, "G2"),
            (60, "G2"),
            (59.9, "G3a"),
            (45, "G3a"),
            (44.9, "G3b"),
            (30, "G3b"),
            (29.9, "G4"),
            (15, "G4"),
            (14.9, "G5"),
            (0, "G5"),
        ],
    )
    def test_kdigo_thresholds(self, value, stage):
        assert ckd_stage(value) == stage

    def test_suppressed_under_two_years(self):
        assert ckd_stage(50, age_years=1.9) is None
        assert ckd_stage(50, age_years=2) == "G3a"

    def test_arrays_with_missing(self):
        assert list(ckd_stage(np.array([95, np.nan, 10]), age_years=[5, 5, 1])) == [
            "G1",
            None,
            None,
        ]

    def test_negative_egfr_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            ckd_stage(-5)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "egfr_ml_min_1_73m2",
            -5,
        )


@given(st.floats(min_value=0, max_value=300), st.floats(min_value=0, max_value=300))
def test_stage_never_improves_as_egfr_falls(a, b):
    low, high = sorted((a, b))
    assert CKD_STAGES.index(ckd_stage(low)) >= CKD_STAGES.index(ckd_stage(high))


class TestMissingAndInfiniteInputs:
    """A single NaN or infinite input is refused; in arrays NaN gives NaN, never a guessed branch.

    Before the fix, a NaN age picked the adult k (CKiD U25 gave 121.92 for 120 cm /
    0.5 mg/dL, the 18+ male K 50.8) and the original Schwartz gave 168.0 (k 0.70).
    """

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
    @pytest.mark.parametrize("equation", ["ckid-u25", "schwartz-1976", "ckid-u25-cystatin"])
    def test_single_nan_or_infinite_age_is_refused(self, equation, bad):
        inputs = {"height_cm": 120, "creatinine_mg_dl": 0.5, "cystatin_c_mg_l": 1.0, "sex": "M"}
        with pytest.raises(ClinicalInputError) as caught:
            egfr(equation, age_years=bad, **inputs)
        code = "clinical.missing" if np.isnan(bad) else "clinical.infinite"
        assert (caught.value.code, caught.value.params["name"]) == (code, "age_years")

    @pytest.mark.parametrize("name", ["height_cm", "creatinine_mg_dl"])
    def test_single_nan_measurement_is_refused(self, name):
        inputs = {"height_cm": 120, "creatinine_mg_dl": 0.5, name: float("nan")}
        with pytest.raises(ClinicalInputError) as caught:
            egfr("schwartz-bedside", **inputs)
        assert (caught.value.code, caught.value.params["name"]) == ("clinical.missing", name)

    def test_nan_age_in_an_array_gives_nan_for_ckid(self):
        # Row 0: the official CKiD vector (M, 11 y, 120 cm, SCr 0.9) = 51.6.
        result = egfr_ckid_u25_creatinine(
            height_cm=np.array([120.0, 120.0]),
            creatinine_mg_dl=np.array([0.9, 0.5]),
            age_years=np.array([11.0, np.nan]),
            sex="M",
        )
        assert result[0] == pytest.approx(51.6, abs=0.05)
        assert np.isnan(result[1])

    def test_nan_age_in_an_array_gives_nan_for_ckid_cystatin(self):
        result = egfr_ckid_u25_cystatin(
            cystatin_c_mg_l=np.array([1.3, 1.3]), age_years=np.array([11.0, np.nan]), sex="M"
        )
        assert result[0] == pytest.approx(64.2, abs=0.05)
        assert np.isnan(result[1])

    def test_nan_age_in_an_array_gives_nan_for_original_schwartz(self):
        # Row 0: k 0.55 x 120 / 0.6 = 110 (ski-nephrology k for ages 1-12).
        result = egfr_schwartz_1976(
            height_cm=np.array([120.0, 120.0]),
            creatinine_mg_dl=np.array([0.6, 0.5]),
            age_years=np.array([8.0, np.nan]),
            sex="M",
        )
        assert result[0] == pytest.approx(110.0)
        assert np.isnan(result[1])

    def test_infinite_element_in_an_array_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_schwartz_bedside(
                height_cm=np.array([120.0, np.inf]), creatinine_mg_dl=np.array([0.5, 0.5])
            )
        error = caught.value
        assert (error.code, error.params["name"], error.params["position"]) == (
            "clinical.infinite_at",
            "height_cm",
            1,
        )

    def test_ckd_stage_refuses_a_single_nan(self):
        with pytest.raises(ClinicalInputError) as caught:
            ckd_stage(float("nan"))
        assert (caught.value.code, caught.value.params["name"]) == (
            "clinical.missing",
            "egfr_ml_min_1_73m2",
        )
        with pytest.raises(ClinicalInputError) as caught:
            ckd_stage(50, age_years=float("nan"))
        assert (caught.value.code, caught.value.params["name"]) == ("clinical.missing", "age_years")

    def test_ckd_stage_unknown_age_in_an_array_gives_no_stage(self):
        # Whether the under-2 rule applies is unknown, so no category is given.
        assert list(ckd_stage(np.array([50.0, 50.0]), age_years=np.array([5.0, np.nan]))) == [
            "G3a",
            None,
        ]


class TestBedsideSchwartzAge:
    """Bedside Schwartz is validated for 1-18 years (NKF; clinical-reference.md 2b).

    The age is optional (the equation does not use it); when given it is checked.
    """

    @pytest.mark.parametrize("age", [40, 0.2, 18.5, 0.99])
    def test_age_outside_1_to_18_is_refused_with_range_and_source(self, age):
        with pytest.raises(ClinicalInputError) as caught:
            egfr_schwartz_bedside(height_cm=120, creatinine_mg_dl=0.5, age_years=age)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "age_years",
            age,
        )
        expected = error.params["expected"].params
        assert (expected["low"], expected["high"], expected["unit"]) == (1, 18, "years")
        # The hint names the source (Schwartz et al., J Am Soc Nephrol 2009) and ckid-u25.
        assert error.params["hint"].code == "clinical.hint.bedside_age"

    @pytest.mark.parametrize("age", [1, 9, 18])
    def test_age_inside_the_range_gives_the_worked_example(self, age):
        # 0.413 x 120 / 0.5 = 99.12 (issue 2 acceptance example).
        assert egfr_schwartz_bedside(
            height_cm=120, creatinine_mg_dl=0.5, age_years=age
        ) == pytest.approx(99.12)

    def test_age_is_optional(self):
        assert egfr("schwartz-bedside", height_cm=100, creatinine_mg_dl=0.4) == pytest.approx(
            103.25
        )

    def test_dispatcher_checks_the_age_when_given(self):
        with pytest.raises(ClinicalInputError) as caught:
            egfr("schwartz-bedside", height_cm=120, creatinine_mg_dl=0.5, age_years=40)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "age_years",
            40,
        )
        # Schwartz et al. 2009 validated the bedside equation for ages 1-18.
        expected = error.params["expected"].params
        assert (expected["low"], expected["high"]) == (1, 18)
        assert error.params["hint"].code == "clinical.hint.bedside_age"

    def test_arrays_refuse_an_out_of_range_age_and_pass_unknown_ones(self):
        result = egfr_schwartz_bedside(
            height_cm=np.array([120.0, 100.0]),
            creatinine_mg_dl=np.array([0.5, 0.4]),
            age_years=np.array([9.0, np.nan]),
        )
        assert result == pytest.approx([99.12, 103.25])
        with pytest.raises(ClinicalInputError) as caught:
            egfr_schwartz_bedside(
                height_cm=np.array([120.0, 100.0]),
                creatinine_mg_dl=np.array([0.5, 0.4]),
                age_years=np.array([9.0, 40.0]),
            )
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range_at",
            "age_years",
            40,
        )
        assert error.params["position"] == 1
