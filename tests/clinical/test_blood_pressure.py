"""AAP 2017 blood-pressure categories (Flynn et al., Pediatrics 2017;140(3):e20171904).

Expected values are the paper's own: Table 3 (category definitions), Table 4
(boys) as reproduced by UpToDate ("Blood pressure levels for males by age and
height percentile", ages 1-4 with the 95th + 12 mm Hg rows), and Table 6
(screening values: the 90th percentile at the 5th height percentile, ages
1-12, boys and girls), as quoted by blk-pediatric-practice.com. Where a value
is only in the pedbp transcription of Tables 4-5, the test says so.
"""

import numpy as np
import pytest

from nephrocohort.clinical import (
    aap2017_table_row,
    aap2017_thresholds,
    classify_bp_aap2017,
    classify_bp_aap2017_array,
    nearest_height_column,
)
from nephrocohort.exceptions import ClinicalInputError

# Table 6, "Screening BP Values Requiring Further Evaluation": age -> (boys SBP, boys DBP,
# girls SBP, girls DBP), mmHg. "based on the 90th percentile BP for age and sex for children
# at the 5th percentile of height".
TABLE_6 = {
    1: (98, 52, 98, 54),
    2: (100, 55, 101, 58),
    3: (101, 58, 102, 60),
    4: (102, 60, 103, 62),
    5: (103, 63, 104, 64),
    6: (105, 66, 105, 67),
    7: (106, 68, 106, 68),
    8: (107, 69, 107, 69),
    9: (107, 70, 108, 71),
    10: (108, 72, 109, 72),
    11: (110, 74, 111, 74),
    12: (113, 75, 114, 75),
}


@pytest.mark.parametrize("age", sorted(TABLE_6))
def test_table_6_screening_values_are_the_90th_percentile_at_the_5th_height(age):
    boys_sbp, boys_dbp, girls_sbp, girls_dbp = TABLE_6[age]
    boys = aap2017_table_row(age_years=age, sex="M", height_percentile=5)
    girls = aap2017_table_row(age_years=age, sex="F", height_percentile=5)
    assert (boys.sbp_p90_mmhg, boys.dbp_p90_mmhg) == (boys_sbp, boys_dbp)
    assert (girls.sbp_p90_mmhg, girls.dbp_p90_mmhg) == (girls_sbp, girls_dbp)


@pytest.mark.parametrize(
    ("age", "column", "sbp", "dbp"),
    [
        # Table 4, boys (UpToDate copy). Each tuple: 50th, 90th, 95th, 95th + 12 mm Hg.
        # "1 year" 50th height column: SBP 86 100 103 115; DBP 41 53 55 67.
        (1, 50, (86, 100, 103, 115), (41, 53, 55, 67)),
        # "2 years" 5th column: SBP 87 100 104 116; DBP 43 55 57 69.
        (2, 5, (87, 100, 104, 116), (43, 55, 57, 69)),
        # "3 years" 95th column: SBP 92 105 109 121; DBP 49 61 64 76.
        (3, 95, (92, 105, 109, 121), (49, 61, 64, 76)),
        # "4 years" 75th column: SBP 93 105 109 121; DBP 51 63 67 79.
        (4, 75, (93, 105, 109, 121), (51, 63, 67, 79)),
    ],
)
def test_table_4_boys_rows(age, column, sbp, dbp):
    row = aap2017_table_row(age_years=age, sex="M", height_percentile=column)
    assert row.height_percentile_column == column
    assert (row.sbp_p50_mmhg, row.sbp_p90_mmhg, row.sbp_p95_mmhg, row.sbp_p95_plus_12_mmhg) == sbp
    assert (row.dbp_p50_mmhg, row.dbp_p90_mmhg, row.dbp_p95_mmhg, row.dbp_p95_plus_12_mmhg) == dbp


@pytest.mark.parametrize(
    ("height_percentile", "column"),
    [(27.1, 25), (17.5, 10), (3.0, 5), (0.0, 5), (99.0, 95), (62.5, 50), (92.5, 90), (83, 90)],
)
def test_nearest_height_column_tie_to_the_lower(height_percentile, column):
    assert nearest_height_column(height_percentile) == column


def test_age_row_is_completed_years():
    # A child of 3.99 years is read in the "3 years" row: Table 4, boys, 3 years, 50th height:
    # 95th SBP 107.
    assert aap2017_table_row(age_years=3.99, sex="M", height_percentile=50).sbp_p95_mmhg == 107


class TestChildCategories:
    """Boy, 3 years, 50th height column (Table 4): SBP 90th 103, 95th 107, 95th + 12 119;
    DBP 90th 59, 95th 62, 95th + 12 74. Table 3 (1-<13 y): elevated >= 90th, stage 1 >= 95th,
    stage 2 >= 95th + 12 mm Hg."""

    @pytest.mark.parametrize(
        ("sbp", "dbp", "category"),
        [
            (102, 58, "normal"),
            (103, 58, "elevated"),
            (106, 58, "elevated"),
            (107, 58, "stage_1_hypertension"),
            (118, 58, "stage_1_hypertension"),
            (119, 58, "stage_2_hypertension"),
            (100, 59, "elevated"),
            (100, 62, "stage_1_hypertension"),
            (100, 74, "stage_2_hypertension"),
            # The higher of SBP and DBP: SBP elevated, DBP stage 1.
            (104, 63, "stage_1_hypertension"),
        ],
    )
    def test_category(self, sbp, dbp, category):
        result = classify_bp_aap2017(
            sbp_mmhg=sbp, dbp_mmhg=dbp, age_years=3.5, sex="M", height_percentile=50
        )
        assert result.category == category
        assert result.thresholds.basis == "percentile_table"

    def test_height_cm_gives_the_column(self):
        # Table 4, boys, "3 years": Height (cm) 99.0 is the 50th percentile column.
        result = classify_bp_aap2017(
            sbp_mmhg=107, dbp_mmhg=58, age_years=3.5, sex="M", height_cm=99.0
        )
        assert result.table_row.height_percentile_column == 50
        assert result.category == "stage_1_hypertension"


class TestWhicheverIsLower:
    """Table 3: "120/80 mm Hg to <95th percentile (whichever is lower)", "130/80 to 139/89",
    "≥140/90 mm Hg (whichever is lower)". Boys 12 years, 95th height column (Table 4 as
    transcribed in pedbp): SBP 90th 122, 95th 128 (+12 = 140); DBP 90th 76, 95th 79 (+12 = 91)."""

    def test_thresholds(self):
        row = aap2017_table_row(age_years=12, sex="M", height_percentile=95)
        limits = aap2017_thresholds(row)
        assert limits.elevated_sbp_mmhg == 120  # 120 is lower than the 90th percentile 122
        assert limits.stage_1_sbp_mmhg == 128  # the 95th percentile is lower than 130
        assert limits.stage_2_sbp_mmhg == 140
        assert limits.elevated_dbp_mmhg == 76
        assert limits.stage_1_dbp_mmhg == 79
        assert limits.stage_2_dbp_mmhg == 90  # 90 is lower than 95th + 12 = 91

    @pytest.mark.parametrize(
        ("sbp", "dbp", "category"),
        [
            (121, 70, "elevated"),
            (119, 70, "normal"),
            (128, 70, "stage_1_hypertension"),
            (110, 90, "stage_2_hypertension"),
            (110, 89, "stage_1_hypertension"),
        ],
    )
    def test_category(self, sbp, dbp, category):
        result = classify_bp_aap2017(
            sbp_mmhg=sbp, dbp_mmhg=dbp, age_years=12.4, sex="M", height_percentile=97
        )
        assert result.category == category


class TestAdolescentFixedThresholds:
    """Table 3, age >= 13 y: "Normal BP: <120/<80 mm Hg; Elevated BP: 120/<80 to 129/<80 mm Hg;
    Stage 1 HTN: 130/80 to 139/89 mm Hg; Stage 2 HTN: ≥140/90 mm Hg"."""

    @pytest.mark.parametrize(
        ("sbp", "dbp", "category"),
        [
            (119, 79, "normal"),
            (120, 79, "elevated"),
            (129, 79, "elevated"),
            (130, 79, "stage_1_hypertension"),
            (118, 80, "stage_1_hypertension"),
            (139, 89, "stage_1_hypertension"),
            (140, 70, "stage_2_hypertension"),
            (118, 90, "stage_2_hypertension"),
            (125, 85, "stage_1_hypertension"),
        ],
    )
    def test_category(self, sbp, dbp, category):
        result = classify_bp_aap2017(sbp_mmhg=sbp, dbp_mmhg=dbp, age_years=13.0, sex="F")
        assert result.category == category
        assert result.thresholds.basis == "fixed_adolescent"
        assert result.table_row is None


def test_under_one_year_is_not_classified():
    # Tables 4 and 5 begin at 1 year: there is no percentile to compare an infant with.
    result = classify_bp_aap2017(sbp_mmhg=100, dbp_mmhg=60, age_years=0.9, sex="M", height_cm=74)
    assert result.category is None
    assert result.reason == "under_1_year"


@pytest.mark.parametrize(
    ("kwargs", "code", "params"),
    [
        (
            {"sbp_mmhg": 70, "dbp_mmhg": 110},
            "clinical.bp.dbp_not_below_sbp",
            {"dbp": 110, "sbp": 70},
        ),
        (
            {"sbp_mmhg": 1180, "dbp_mmhg": 76},
            "clinical.out_of_range",
            {"name": "sbp_mmhg", "value": 1180},
        ),
        (
            {"sbp_mmhg": 118, "dbp_mmhg": 5},
            "clinical.out_of_range",
            {"name": "dbp_mmhg", "value": 5},
        ),
        ({"sbp_mmhg": float("nan"), "dbp_mmhg": 76}, "clinical.missing", {"name": "sbp_mmhg"}),
        (
            {"sbp_mmhg": 118, "dbp_mmhg": 76, "height_cm": None},
            "clinical.bp.height_required",
            {"age": 9},
        ),
        ({"sbp_mmhg": 118, "dbp_mmhg": 76, "sex": "boy"}, "clinical.sex", {"value": "boy"}),
        (
            {"sbp_mmhg": 118, "dbp_mmhg": 76, "age_years": 30},
            "clinical.out_of_range",
            {"name": "age_years", "value": 30},
        ),
        (
            {"sbp_mmhg": 118, "dbp_mmhg": 76, "height_cm": 1.3},
            "clinical.out_of_range",
            {"name": "height_cm", "value": 1.3},
        ),
    ],
)
def test_impossible_input_is_refused(kwargs, code, params):
    arguments = {"age_years": 9, "sex": "M", "height_cm": 130, **kwargs}
    with pytest.raises(ClinicalInputError) as caught:
        classify_bp_aap2017(**arguments)
    error = caught.value
    assert error.code == code
    assert {key: error.params[key] for key in params} == params


class TestArrays:
    """The array form (used by the derivation) follows the same rules as the scalar form."""

    def test_the_table_4_examples_in_one_call(self):
        # Boy 3 years, 50th height column (Table 4): 102/58 normal, 103/58 elevated (90th SBP 103),
        # 107/58 stage 1 (95th 107), 119/58 stage 2 (95th + 12 = 119); adolescent 130/79 stage 1.
        result = classify_bp_aap2017_array(
            sbp_mmhg=np.array([102, 103, 107, 119, 130]),
            dbp_mmhg=np.array([58, 58, 58, 58, 79]),
            age_years=np.array([3.5, 3.5, 3.5, 3.5, 14.0]),
            sex=np.array(["M", "M", "M", "M", "F"], dtype=object),
            height_percentile=np.array([50, 50, 50, 50, np.nan]),
        )
        assert list(result.category) == [
            "normal",
            "elevated",
            "stage_1_hypertension",
            "stage_2_hypertension",
            "stage_1_hypertension",
        ]
        assert set(result.reason) == {"classified"}

    def test_reasons_for_no_category(self):
        result = classify_bp_aap2017_array(
            sbp_mmhg=np.array([100, np.nan, 70, 100, 100]),
            dbp_mmhg=np.array([60, 60, 80, 60, 60]),
            age_years=np.array([0.5, 5, 5, 5, np.nan]),
            sex=np.array(["M"] * 5, dtype=object),
            height_percentile=np.array([50, 50, 50, np.nan, 50]),
        )
        assert list(result.category) == [None] * 5
        assert list(result.reason) == [
            "under_1_year",
            "bp_missing",
            "dbp_not_below_sbp",
            "height_missing",
            "age_missing",
        ]

    def test_agrees_with_the_scalar_form_over_a_grid(self):
        rng = np.random.default_rng(7)
        n = 400
        sbp = rng.integers(85, 150, n).astype(float)
        dbp = np.minimum(rng.integers(40, 100, n), sbp - 1).astype(float)
        age = rng.uniform(1, 17, n)
        sex = rng.choice(np.array(["M", "F"], dtype=object), n)
        height = rng.uniform(0, 100, n)
        arrays = classify_bp_aap2017_array(
            sbp_mmhg=sbp, dbp_mmhg=dbp, age_years=age, sex=sex, height_percentile=height
        )
        for i in range(n):
            one = classify_bp_aap2017(
                sbp_mmhg=sbp[i],
                dbp_mmhg=dbp[i],
                age_years=age[i],
                sex=sex[i],
                height_percentile=height[i],
            )
            assert arrays.category[i] == one.category, i
