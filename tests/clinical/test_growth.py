"""Height-for-age percentile by the CDC 2000 growth charts.

Expected values come from the CDC itself (its worked LMS example and the
selected percentiles printed in its STATAGE file) and from the height rows of
the AAP 2017 Table 4, which print the CDC heights at each height percentile
(Flynn et al., Pediatrics 2017;140:e20171904, as reproduced by UpToDate).
"""

import numpy as np
import pytest

from nephrocohort.clinical import (
    LENGTH_FOR_AGE,
    STATURE_FOR_AGE,
    height_for_age_percentile,
    height_for_age_percentile_array,
    lms_z_score,
)
from nephrocohort.exceptions import ClinicalInputError


def test_cdc_worked_example_of_the_lms_z_score():
    # CDC "Percentile Data Files with LMS Values": "to obtain the weight-for-age z-score of a
    # 9-month-old male who weighs 9.7 kg, we would look up ... L=-0.1600954, M=9.476500305, and
    # S=0.11218624 ... the z-score for this child is 0.207. This z-score corresponds to the 58th
    # percentile."
    z = lms_z_score(9.7, l=-0.1600954, m=9.476500305, s=0.11218624)
    assert z == pytest.approx(0.207, abs=0.0005)


def test_lms_z_score_with_l_zero_is_the_log_form():
    # CDC: "Z = ln(X/M)/S, L=0": a value at the median has z 0.
    assert lms_z_score(100.0, l=0, m=100.0, s=0.05) == 0.0


@pytest.mark.parametrize(
    ("sex", "height_cm", "expected_percentile"),
    [
        # CDC STATAGE, Sex 1, Agemos 114.5: P50 136.3342577, P90 144.6609548, P5 126.035825.
        ("M", 136.3342577, 50),
        ("M", 144.6609548, 90),
        ("M", 126.035825, 5),
        # CDC STATAGE, Sex 2, Agemos 114.5: P50 135.634186, P95 146.6214882.
        ("F", 135.634186, 50),
        ("F", 146.6214882, 95),
    ],
)
def test_cdc_statage_printed_percentiles(sex, height_cm, expected_percentile):
    # Agemos 114.5 "represents" 114.0 to 114.99 months (CDC): age 9.5 years = 114 months.
    result = height_for_age_percentile(height_cm=height_cm, age_years=9.5, sex=sex)
    assert result.percentile == pytest.approx(expected_percentile, abs=0.01)
    assert result.chart == STATURE_FOR_AGE
    assert result.table_age_months == 114.5


@pytest.mark.parametrize("age_years", [114.0 / 12, 114.99 / 12])
def test_age_uses_the_completed_month_row(age_years):
    # CDC: "1.5 months represents 1.0-1.99 months".
    result = height_for_age_percentile(height_cm=136.0, age_years=age_years, sex="M")
    assert result.table_age_months == 114.5


@pytest.mark.parametrize(
    ("age_years", "height_cm", "expected_percentile", "chart"),
    [
        # Table 4, boys, "1 year", Height (cm) row: 5th 77.2, 50th 82.4, 95th 87.9; the table's
        # heights are those of the middle of the year of age (18.5 months), length-for-age.
        (1.5, 77.2, 5, LENGTH_FOR_AGE),
        (1.5, 82.4, 50, LENGTH_FOR_AGE),
        (1.5, 87.9, 95, LENGTH_FOR_AGE),
        # Table 4, boys, "2 years": 50th 92.1, 95th 98.5 (length-for-age at 30.5 months; the
        # STATAGE median at 30.5 months is 91.3 cm).
        (2.5, 92.1, 50, LENGTH_FOR_AGE),
        (2.5, 98.5, 95, LENGTH_FOR_AGE),
        # Table 4, boys, "3 years": 5th 92.5, 50th 99.0, 95th 105.8 (stature-for-age, 42.5 months).
        (3.5, 92.5, 5, STATURE_FOR_AGE),
        (3.5, 99.0, 50, STATURE_FOR_AGE),
        (3.5, 105.8, 95, STATURE_FOR_AGE),
        # Table 4, boys, "4 years": 25th 102.9, 75th 108.9.
        (4.5, 102.9, 25, STATURE_FOR_AGE),
        (4.5, 108.9, 75, STATURE_FOR_AGE),
    ],
)
def test_aap_table_4_height_rows(age_years, height_cm, expected_percentile, chart):
    # The table prints heights to 0.1 cm: within 1 percentile point (0.5 at the tails).
    result = height_for_age_percentile(height_cm=height_cm, age_years=age_years, sex="M")
    tolerance = 0.5 if expected_percentile in (5, 95) else 1.0
    assert result.percentile == pytest.approx(expected_percentile, abs=tolerance)
    assert result.chart == chart


def test_length_chart_below_36_months_stature_chart_from_36():
    below = height_for_age_percentile(height_cm=95.0, age_years=35.9 / 12, sex="F")
    at = height_for_age_percentile(height_cm=95.0, age_years=3.0, sex="F")
    assert (below.chart, below.table_age_months) == (LENGTH_FOR_AGE, 35.5)
    assert (at.chart, at.table_age_months) == (STATURE_FOR_AGE, 36.5)


def test_at_birth_the_birth_row():
    result = height_for_age_percentile(height_cm=49.98888408, age_years=0, sex="M")
    # CDC LENAGEINF, Sex 1, Agemos 0: M = 49.98888408 (the median).
    assert result.table_age_months == 0
    assert result.percentile == pytest.approx(50, abs=0.01)


@pytest.mark.parametrize(
    ("kwargs", "code", "name", "hint"),
    [  # the CDC 2000 charts cover birth to 20 years
        (
            {"height_cm": 130, "age_years": 21, "sex": "M"},
            "clinical.out_of_range",
            "age_years",
            "clinical.hint.growth_charts",
        ),
        (
            {"height_cm": 1.3, "age_years": 9, "sex": "M"},
            "clinical.out_of_range",
            "height_cm",
            "clinical.hint.metres_or_inches",
        ),
        ({"height_cm": 130, "age_years": 9, "sex": "X"}, "clinical.sex", None, None),
        (
            {"height_cm": 130, "age_years": -1, "sex": "F"},
            "clinical.out_of_range",
            "age_years",
            "clinical.hint.growth_charts",
        ),
    ],
)
def test_impossible_input_is_refused(kwargs, code, name, hint):
    with pytest.raises(ClinicalInputError) as caught:
        height_for_age_percentile(**kwargs)
    error = caught.value
    assert (error.code, error.params.get("name")) == (code, name)
    if hint:
        assert error.params["value"] == kwargs[name]
        assert error.params["hint"].code == hint


def test_array_form_matches_the_cdc_printed_percentiles_and_passes_nan():
    # CDC STATAGE Agemos 114.5: boys P50 136.3342577, girls P95 146.6214882; LENAGEINF boys
    # Agemos 18.5: P50 82.40543643.
    result = height_for_age_percentile_array(
        height_cm=np.array([136.3342577, 146.6214882, 82.40543643, np.nan]),
        age_years=np.array([9.5, 9.5, 1.5, 9.5]),
        sex=np.array(["M", "F", "M", "F"], dtype=object),
    )
    assert result[:3] == pytest.approx([50, 95, 50], abs=0.01)
    assert np.isnan(result[3])
