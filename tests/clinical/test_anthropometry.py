"""Age from dates and BSA formulas against published test vectors."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nephrocohort.clinical.anthropometry import (
    BSA_FORMULAS,
    age_days,
    age_months,
    age_years,
    bsa_m2,
)
from nephrocohort.exceptions import ClinicalInputError

# clinical-reference.md section 3. Inputs 170/75 and 185/90 are pharmaverse/admiral's
# test-compute_bsa.R inputs; expected values to 4 decimals as tabulated there.
BSA_VECTORS = [
    (170, 75, {"mosteller": 1.8819, "dubois": 1.8636, "haycock": 1.8947, "gehan-george": 1.8975}),
    (185, 90, {"mosteller": 2.1506, "dubois": 2.1410, "haycock": 2.1611, "gehan-george": 2.1599}),
    (120, 22, {"mosteller": 0.8563, "dubois": 0.8596, "haycock": 0.8533, "gehan-george": 0.8714}),
    (100, 16, {"mosteller": 0.6667, "dubois": 0.6578, "haycock": 0.6689, "gehan-george": 0.6848}),
    (75, 9, {"mosteller": 0.4330, "dubois": 0.4182, "haycock": 0.4380, "gehan-george": 0.4510}),
]


class TestBsa:
    @pytest.mark.parametrize(("height", "weight", "expected"), BSA_VECTORS)
    @pytest.mark.parametrize("formula", ["mosteller", "dubois", "haycock", "gehan-george"])
    def test_reference_vectors(self, height, weight, expected, formula):
        assert bsa_m2(height_cm=height, weight_kg=weight, formula=formula) == pytest.approx(
            expected[formula], abs=5e-5
        )

    def test_mosteller_is_the_default(self):
        # Mosteller 1987: sqrt(170 x 75 / 3600) = 1.8819
        assert bsa_m2(height_cm=170, weight_kg=75) == pytest.approx(1.8819, abs=5e-5)

    def test_arrays_and_missing_values(self):
        result = bsa_m2(height_cm=np.array([170, np.nan]), weight_kg=np.array([75, 20]))
        assert result[0] == pytest.approx(1.8819, abs=5e-5)
        assert np.isnan(result[1])

    def test_height_in_metres_is_refused_with_a_hint(self):
        with pytest.raises(ClinicalInputError) as caught:
            bsa_m2(height_cm=1.45, weight_kg=30)
        error = caught.value
        assert (error.code, error.params["name"], error.params["value"]) == (
            "clinical.out_of_range",
            "height_cm",
            1.45,
        )
        expected = error.params["expected"].params
        assert (expected["low"], expected["high"], expected["unit"]) == (30, 250, "cm")
        assert error.params["hint"].code == "clinical.hint.metres_or_inches"

    @pytest.mark.parametrize(
        ("height", "weight", "name"),
        [(0, 20, "height_cm"), (120, -3, "weight_kg"), (120, 0, "weight_kg")],
    )
    def test_impossible_values_are_refused(self, height, weight, name):
        with pytest.raises(ClinicalInputError) as caught:
            bsa_m2(height_cm=height, weight_kg=weight)
        assert (caught.value.code, caught.value.params["name"]) == ("clinical.out_of_range", name)

    def test_unknown_formula_lists_the_known_ones(self):
        with pytest.raises(ClinicalInputError) as caught:
            bsa_m2(height_cm=120, weight_kg=22, formula="boyd")
        assert (caught.value.code, caught.value.params) == (
            "clinical.bsa.unknown_formula",
            {"formula": "boyd", "known": "mosteller, dubois, haycock, gehan-george"},
        )

    def test_text_input_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            bsa_m2(height_cm="tall", weight_kg=22)
        assert (caught.value.code, caught.value.params) == (
            "clinical.not_a_number",
            {"name": "height_cm", "value": "tall"},
        )

    def test_arguments_are_keyword_only(self):
        with pytest.raises(TypeError):
            bsa_m2(120, 22)


@given(
    st.floats(min_value=40, max_value=200),
    st.floats(min_value=2, max_value=120),
    st.floats(min_value=0.1, max_value=20),
    st.sampled_from(BSA_FORMULAS),
)
def test_bsa_increases_with_height_and_weight(height, weight, step, formula):
    base = bsa_m2(height_cm=height, weight_kg=weight, formula=formula)
    assert bsa_m2(height_cm=height + step, weight_kg=weight, formula=formula) > base
    assert bsa_m2(height_cm=height, weight_kg=weight + step, formula=formula) > base


class TestAge:
    def test_ten_julian_years(self):
        # 2010-01-01 to 2020-01-01 is 3652 days (3 leap days: 2012, 2016, 2020 not yet)
        assert age_days("2010-01-01", "2020-01-01") == 3652
        assert age_years("2010-01-01", "2020-01-01") == pytest.approx(3652 / 365.25)

    def test_months_use_365_25_over_12_days(self):
        assert age_months(dt.date(2020, 1, 1), dt.date(2020, 1, 31)) == pytest.approx(
            30 / (365.25 / 12)
        )

    def test_arrays_with_missing_dates(self):
        births = np.array(["2015-03-01", "NaT"], dtype="datetime64[D]")
        result = age_days(births, dt.date(2016, 3, 1))
        assert result[0] == 366
        assert np.isnan(result[1])

    def test_date_before_birth_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            age_years("2020-01-01", "2019-12-31")
        assert caught.value.code == "clinical.date_before_birth"

    def test_unreadable_date_is_refused(self):
        with pytest.raises(ClinicalInputError) as caught:
            age_years("first of May", "2019-12-31")
        assert (caught.value.code, caught.value.params["value"]) == (
            "clinical.not_a_date",
            "first of May",
        )
