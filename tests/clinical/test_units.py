"""Unit conversions: published factors, refusal of unknown units, round trips."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nephrocohort.clinical import (
    CANONICAL_UNITS,
    creatinine_mg_dl_to_umol_l,
    creatinine_umol_l_to_mg_dl,
    dipstick_to_mg_dl,
    factor_to_canonical,
    to_canonical,
    upcr_mg_mg_to_mg_mmol,
    upcr_mg_mmol_to_mg_mg,
)
from nephrocohort.clinical.units import (
    albumin_g_dl_to_g_l,
    albumin_g_l_to_g_dl,
    cholesterol_mg_dl_to_mmol_l,
    cholesterol_mmol_l_to_mg_dl,
)
from nephrocohort.exceptions import UnitError


class TestCanonicalUnits:
    def test_canonical_units_are_those_of_the_contract(self):
        # docs/architecture.md, clinical core: canonical units per labs.test
        assert dict(CANONICAL_UNITS) == {
            "urine_protein_timed": "mg/m2/h",
            "upcr": "mg/mg",
            "dipstick_protein": "mg/dL",
            "serum_albumin": "g/dL",
            "serum_cholesterol": "mg/dL",
            "serum_creatinine": "mg/dL",
            "cystatin_c": "mg/L",
            "leukocytes": "10^9/L",
        }

    @pytest.mark.parametrize("quantity", list(CANONICAL_UNITS))
    def test_canonical_unit_factor_is_one(self, quantity):
        assert factor_to_canonical(quantity, CANONICAL_UNITS[quantity]) == 1.0


class TestPublishedFactors:
    def test_creatinine_factor_is_88_4(self):
        # clinical-reference.md section 4: transplantr R/unit_conversion.R uses 88.4
        assert factor_to_canonical("serum_creatinine", "umol/L") == pytest.approx(1 / 88.4)
        assert creatinine_mg_dl_to_umol_l(1.0) == pytest.approx(88.4)

    def test_transplantr_example_64_umol_l_is_0_724_mg_dl(self):
        # clinical-reference.md 2b: transplantr docs schwartz(64, 101); 64 / 88.4 = 0.724
        assert creatinine_umol_l_to_mg_dl(64) == pytest.approx(0.724, abs=0.0005)

    def test_upcr_factor_is_113_12(self):
        # clinical-reference.md section 4: 1 mmol creatinine = 113.12 mg
        assert upcr_mg_mg_to_mg_mmol(2.0) == pytest.approx(226.24)
        assert factor_to_canonical("upcr", "mg/mmol") == pytest.approx(1 / 113.12)

    def test_cholesterol_factor_is_38_67(self):
        # docs/architecture.md: cholesterol 38.67
        assert cholesterol_mmol_l_to_mg_dl(5.0) == pytest.approx(193.35)
        assert to_canonical("serum_cholesterol", 5.0, "mmol/L") == pytest.approx(193.35)

    def test_albumin_g_l_is_ten_times_g_dl(self):
        assert to_canonical("serum_albumin", 25, "g/L") == pytest.approx(2.5)
        assert albumin_g_dl_to_g_l(2.5) == pytest.approx(25)

    def test_leukocytes_per_microlitre(self):
        assert to_canonical("leukocytes", 4500, "/uL") == pytest.approx(4.5)

    def test_timed_protein_per_day_is_divided_by_24(self):
        assert to_canonical("urine_protein_timed", 960, "mg/m2/day") == pytest.approx(40)

    def test_arrays_are_converted_elementwise(self):
        values = to_canonical("serum_creatinine", np.array([44.2, 88.4]), "µmol/L")
        np.testing.assert_allclose(values, [0.5, 1.0])


class TestUnitSpelling:
    @pytest.mark.parametrize("spelling", ["umol/L", "µmol/L", "μmol/l", " UMOL/L "])
    def test_spelling_variants_of_one_unit_are_accepted(self, spelling):
        assert factor_to_canonical("serum_creatinine", spelling) == pytest.approx(1 / 88.4)

    def test_unknown_unit_names_the_unit_and_the_accepted_ones(self):
        with pytest.raises(UnitError) as caught:
            factor_to_canonical("serum_creatinine", "mmol/L")
        error = caught.value
        assert (error.code, error.params["unit"], error.params["quantity"]) == (
            "units.not_accepted",
            "mmol/L",
            "serum_creatinine",
        )
        assert {"mg/dL", "umol/L"} <= set(error.params["accepted"].split(", "))

    def test_unknown_quantity_lists_known_quantities(self):
        with pytest.raises(UnitError) as caught:
            factor_to_canonical("serum_sodium", "mmol/L")
        assert (caught.value.code, caught.value.params["quantity"]) == (
            "units.unknown_quantity",
            "serum_sodium",
        )
        assert "serum_creatinine" in caught.value.params["known"].split(", ")

    def test_unit_error_is_a_value_error(self):
        with pytest.raises(ValueError):
            to_canonical("upcr", 1.0, "mg/dL")


class TestDipstick:
    # KDIGO 2025 Fig 1 bands (clinical-reference.md 1c): lower edge of each band
    @pytest.mark.parametrize(
        ("grade", "mg_dl"),
        [
            ("negative", 0),
            ("trace", 15),
            ("30", 30),
            (100, 100),
            ("300", 300),
            ("1000", 1000),
            ("0", 0),
            ("+/-", 15),
            ("1+", 30),
            ("2+", 100),
            ("3+", 300),
            ("4+", 1000),
            ("Negative", 0),
            ("300 mg/dL", 300),
        ],
    )
    def test_grades_map_to_the_lower_edge_of_their_band(self, grade, mg_dl):
        assert dipstick_to_mg_dl(grade) == mg_dl

    # "++" is a spelling of 2+ (clinical.units.DIPSTICK_SPELLINGS, issue 10 item 6), not unknown.
    @pytest.mark.parametrize("grade", ["5+", "positive", 50, "", "+++++"])
    def test_unknown_grades_are_refused_with_the_accepted_list(self, grade):
        with pytest.raises(UnitError) as caught:
            dipstick_to_mg_dl(grade)
        assert (caught.value.code, caught.value.params["grade"]) == ("units.unknown_grade", grade)
        assert caught.value.params["accepted"].startswith("negative, trace")


finite_positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)


@given(finite_positive)
def test_creatinine_round_trip(value):
    assert math.isclose(
        creatinine_umol_l_to_mg_dl(creatinine_mg_dl_to_umol_l(value)), value, rel_tol=1e-12
    )


@given(finite_positive)
def test_upcr_round_trip(value):
    assert math.isclose(upcr_mg_mmol_to_mg_mg(upcr_mg_mg_to_mg_mmol(value)), value, rel_tol=1e-12)


@given(finite_positive)
def test_albumin_round_trip(value):
    assert math.isclose(albumin_g_l_to_g_dl(albumin_g_dl_to_g_l(value)), value, rel_tol=1e-12)


@given(finite_positive)
def test_cholesterol_round_trip(value):
    assert math.isclose(
        cholesterol_mg_dl_to_mmol_l(cholesterol_mmol_l_to_mg_dl(value)), value, rel_tol=1e-12
    )


@given(finite_positive, finite_positive)
def test_conversion_preserves_order(a, b):
    converted = to_canonical("serum_creatinine", np.array([a, b]), "umol/L")
    assert (a < b) == (converted[0] < converted[1])
