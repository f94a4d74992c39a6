"""Blood-pressure category by the AAP 2017 guideline: normal, elevated, stage 1 or stage 2.

Children aged 1 to 12 years are compared with the percentile tables of the
guideline (Table 4 boys, Table 5 girls: the 50th, 90th and 95th percentiles
of SBP and DBP by age and height percentile; the 95th + 12 mmHg is the 95th
plus 12); from 13 years the fixed thresholds of Table 3 apply. Systolic and
diastolic are categorised separately and the higher category is the child's,
as the guideline's thresholds are stated for either ("SBP and/or DBP").

Decisions (docs/clinical/blood-pressure.md):

* Age row: completed years (a child of 9.8 years is read in the "9" row), the
  tables being by single year of age.
* Height column: the nearest of the table's columns (5th, 10th, 25th, 50th,
  75th, 90th, 95th); a tie goes to the lower column; below the 5th the 5th,
  above the 95th the 95th. The tables print one column per height
  percentile (with the height in cm it corresponds to) and no rule for
  reading between columns; interpolating would produce thresholds the paper
  does not print. The R package pedbp (Martin et al. 2022) also reads the
  nearest column of the Flynn tables.
* "Whichever is lower" (Table 3) is applied to SBP and DBP separately: the
  elevated SBP threshold is min(90th percentile, 120), the DBP one min(90th, 80).
* Under 1 year: not classified. Tables 4 and 5 begin at 1 year, so there is
  no percentile for an infant to be compared with.

References
----------
.. [1] Flynn JT, Kaelber DC, Baker-Smith CM, et al. Clinical Practice Guideline for
   Screening and Management of High Blood Pressure in Children and Adolescents.
   Pediatrics 2017;140(3):e20171904. doi:10.1542/peds.2017-1904. Table 3 (updated
   definitions of BP categories and stages), Tables 4 and 5 (BP levels for boys /
   girls by age and height percentile); errata Pediatrics 2017;140(6):e20173035
   and 2018;142(3):e20181739.
.. [2] Table values as transcribed in the R package pedbp (github dewittpe/pedbp,
   data-raw/flynn2017_bp_boys.dat and _girls.dat), checked against the paper's
   table text (nephrocohort/data/reference/README.md).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from nephrocohort.clinical._checks import Range, check_range, check_sex
from nephrocohort.clinical._reference_data import reference_rows
from nephrocohort.clinical.growth import HeightPercentile, height_for_age_percentile
from nephrocohort.exceptions import ClinicalInputError

__all__ = [
    "BP_CATEGORIES",
    "HEIGHT_PERCENTILE_COLUMNS",
    "BpClassification",
    "BpTableRow",
    "BpThresholds",
    "aap2017_table_row",
    "aap2017_thresholds",
    "classify_bp_aap2017",
    "classify_bp_aap2017_array",
    "nearest_height_column",
    "BpArrayClassification",
    "BP_NOT_CLASSIFIED_REASONS",
]

#: The categories in increasing order of severity (codes; labels are the caller's to translate).
BP_CATEGORIES = ("normal", "elevated", "stage_1_hypertension", "stage_2_hypertension")
#: Why an element of :func:`classify_bp_aap2017_array` has no category (codes).
BP_NOT_CLASSIFIED_REASONS = (
    "under_1_year",
    "bp_missing",
    "dbp_not_below_sbp",
    "age_missing",
    "height_missing",
)
#: The height-percentile columns of Tables 4 and 5 [1].
HEIGHT_PERCENTILE_COLUMNS = (5, 10, 25, 50, 75, 90, 95)
#: Tables 4 and 5 start at 1 year; from 13 years Table 3's fixed thresholds apply [1].
TABLE_MIN_AGE_YEARS = 1
FIXED_THRESHOLDS_FROM_YEARS = 13
#: Table 3: stage 2 is the 95th percentile + 12 mmHg [1].
STAGE_2_ABOVE_95TH_MMHG = 12
#: Table 3, ages 1-<13: the fixed values that apply when lower than the percentile [1].
CHILD_CAPS_MMHG = {"elevated": (120, 80), "stage_1": (130, 80), "stage_2": (140, 90)}
#: Table 3, age >= 13: elevated 120/<80-129/<80, stage 1 130/80-139/89, stage 2 >= 140/90 [1].
ADOLESCENT_MMHG = {"elevated": (120, None), "stage_1": (130, 80), "stage_2": (140, 90)}

_TABLE_FILE = "aap2017_bp_tables.csv"
_AGE = Range(0, 20, "years", "clinical.hint.bp_height_charts")
_SBP = Range(40, 250, "mmHg")
_DBP = Range(15, 180, "mmHg")
_HEIGHT_PERCENTILE = Range(0, 100, "percent")


@dataclass(frozen=True)
class BpTableRow:
    """One age-sex-height column of Table 4 (boys) or 5 (girls), in mmHg.

    References
    ----------
    Flynn et al. 2017 [1], Tables 4 and 5; transcription [2].
    """

    sex: str
    age_years: int
    height_percentile_column: int
    sbp_p50_mmhg: int
    sbp_p90_mmhg: int
    sbp_p95_mmhg: int
    dbp_p50_mmhg: int
    dbp_p90_mmhg: int
    dbp_p95_mmhg: int

    @property
    def sbp_p95_plus_12_mmhg(self) -> int:
        """The table's "95th + 12 mm Hg" SBP.

        References
        ----------
        Flynn et al. 2017 [1], Table 3 (stage 2: >= 95th percentile + 12 mmHg).
        """
        return self.sbp_p95_mmhg + STAGE_2_ABOVE_95TH_MMHG

    @property
    def dbp_p95_plus_12_mmhg(self) -> int:
        """The table's "95th + 12 mm Hg" DBP.

        References
        ----------
        Flynn et al. 2017 [1], Table 3 (stage 2: >= 95th percentile + 12 mmHg).
        """
        return self.dbp_p95_mmhg + STAGE_2_ABOVE_95TH_MMHG


@dataclass(frozen=True)
class BpThresholds:
    """The lowest SBP and DBP (mmHg) of each category; ``None``: no DBP level for that category.

    References
    ----------
    Flynn et al. 2017 [1], Table 3.
    """

    elevated_sbp_mmhg: int
    stage_1_sbp_mmhg: int
    stage_2_sbp_mmhg: int
    elevated_dbp_mmhg: int | None
    stage_1_dbp_mmhg: int
    stage_2_dbp_mmhg: int
    basis: str  # "percentile_table" (ages 1-12) or "fixed_adolescent" (13 and over)


@dataclass(frozen=True)
class BpClassification:
    """The category of one BP reading, with what it was compared against.

    ``category`` is None when the reading is not classified; ``reason`` then
    says why (``under_1_year``); it is ``classified`` otherwise.

    References
    ----------
    Flynn et al. 2017 [1], Tables 3-5.
    """

    category: str | None
    reason: str
    sbp_category: str | None = None
    dbp_category: str | None = None
    thresholds: BpThresholds | None = None
    table_row: BpTableRow | None = None
    height: HeightPercentile | None = None


@functools.cache
def _table_index() -> dict[tuple[str, int, int], dict[tuple[int, str], int]]:
    """(sex, age, height column) -> {(bp percentile, "sbp"|"dbp"): mmHg}, from the data file."""
    index: dict[tuple[str, int, int], dict[tuple[int, str], int]] = {}
    for row in reference_rows(_TABLE_FILE):
        key = (row["sex"], int(row["age_years"]), int(row["height_percentile"]))
        cell = index.setdefault(key, {})
        for kind in ("sbp", "dbp"):
            cell[int(row["bp_percentile"]), kind] = int(row[f"{kind}_mmhg"])
    return index


def nearest_height_column(height_percentile: float) -> int:
    """The column of Tables 4-5 nearest to a height percentile (tie: the lower column).

    References
    ----------
    Flynn et al. 2017 [1], Tables 4 and 5 (columns 5th-95th); the nearest-column
    reading is this project's decision (module docstring), as in pedbp [2].
    """
    percentile = check_range("height_percentile", height_percentile, _HEIGHT_PERCENTILE)
    return min(HEIGHT_PERCENTILE_COLUMNS, key=lambda column: (abs(column - percentile), column))


def aap2017_table_row(*, age_years: float, sex: str, height_percentile: float) -> BpTableRow:
    """The Table 4/5 values for a child of 1-12 years (completed years) and height percentile.

    References
    ----------
    Flynn et al. 2017 [1], Table 4 (boys) and Table 5 (girls); data file
    nephrocohort/data/reference/aap2017_bp_tables.csv [2].
    """
    age = check_range(
        "age_years", age_years, Range(1, 13, "years"), context="clinical.for.bp_tables"
    )
    if age >= FIXED_THRESHOLDS_FROM_YEARS:
        raise ClinicalInputError("clinical.bp.tables_age", age=age)
    sex = check_sex(sex)
    column = nearest_height_column(height_percentile)
    year = math.floor(age)
    values = _table_index()[sex, year, column]
    return BpTableRow(
        sex=sex,
        age_years=year,
        height_percentile_column=column,
        sbp_p50_mmhg=values[50, "sbp"],
        sbp_p90_mmhg=values[90, "sbp"],
        sbp_p95_mmhg=values[95, "sbp"],
        dbp_p50_mmhg=values[50, "dbp"],
        dbp_p90_mmhg=values[90, "dbp"],
        dbp_p95_mmhg=values[95, "dbp"],
    )


def aap2017_thresholds(row: BpTableRow | None) -> BpThresholds:
    """Table 3 thresholds: from a Table 4/5 row (ages 1-12), or the fixed ones (``None``, 13+).

    Ages 1-<13: elevated >= 90th percentile or 120/80, stage 1 >= 95th or
    130/80, stage 2 >= 95th + 12 mmHg or 140/90, "whichever is lower". Age
    >= 13: elevated 120/<80, stage 1 130/80, stage 2 140/90.

    References
    ----------
    Flynn et al. 2017 [1], Table 3.
    """
    if row is None:
        return BpThresholds(
            elevated_sbp_mmhg=ADOLESCENT_MMHG["elevated"][0],
            stage_1_sbp_mmhg=ADOLESCENT_MMHG["stage_1"][0],
            stage_2_sbp_mmhg=ADOLESCENT_MMHG["stage_2"][0],
            elevated_dbp_mmhg=ADOLESCENT_MMHG["elevated"][1],
            stage_1_dbp_mmhg=ADOLESCENT_MMHG["stage_1"][1],
            stage_2_dbp_mmhg=ADOLESCENT_MMHG["stage_2"][1],
            basis="fixed_adolescent",
        )
    caps = CHILD_CAPS_MMHG
    return BpThresholds(
        elevated_sbp_mmhg=min(row.sbp_p90_mmhg, caps["elevated"][0]),
        stage_1_sbp_mmhg=min(row.sbp_p95_mmhg, caps["stage_1"][0]),
        stage_2_sbp_mmhg=min(row.sbp_p95_plus_12_mmhg, caps["stage_2"][0]),
        elevated_dbp_mmhg=min(row.dbp_p90_mmhg, caps["elevated"][1]),
        stage_1_dbp_mmhg=min(row.dbp_p95_mmhg, caps["stage_1"][1]),
        stage_2_dbp_mmhg=min(row.dbp_p95_plus_12_mmhg, caps["stage_2"][1]),
        basis="percentile_table",
    )


def _category(value: float, elevated: int | None, stage_1: int, stage_2: int) -> str:
    if value >= stage_2:
        return "stage_2_hypertension"
    if value >= stage_1:
        return "stage_1_hypertension"
    if elevated is not None and value >= elevated:
        return "elevated"
    return "normal"


def classify_bp_aap2017(
    *,
    sbp_mmhg: float,
    dbp_mmhg: float,
    age_years: float,
    sex: str,
    height_cm: float | None = None,
    height_percentile: float | None = None,
) -> BpClassification:
    """Category of one BP reading by the AAP 2017 guideline (the higher of SBP and DBP).

    Ages 1-12 need the height (``height_cm``, turned into a CDC 2000
    percentile) or the height percentile itself; from 13 years the height is
    not used. Under 1 year the reading is not classified (``reason``
    ``under_1_year``). Diastolic must be below systolic.

    References
    ----------
    Flynn et al. 2017 [1], Tables 3, 4 and 5; height percentile by the CDC 2000
    charts (nephrocohort.clinical.growth).
    """
    sbp = check_range("sbp_mmhg", sbp_mmhg, _SBP)
    dbp = check_range("dbp_mmhg", dbp_mmhg, _DBP)
    if dbp >= sbp:
        raise ClinicalInputError("clinical.bp.dbp_not_below_sbp", dbp=dbp, sbp=sbp)
    age = check_range("age_years", age_years, _AGE, context="clinical.for.aap_2017")
    sex = check_sex(sex)
    if age < TABLE_MIN_AGE_YEARS:
        return BpClassification(category=None, reason="under_1_year")
    height = None
    row = None
    if age < FIXED_THRESHOLDS_FROM_YEARS:
        if height_cm is not None:
            height = height_for_age_percentile(height_cm=height_cm, age_years=age, sex=sex)
            height_percentile = height.percentile
        elif height_percentile is None:
            raise ClinicalInputError("clinical.bp.height_required", age=age)
        row = aap2017_table_row(age_years=age, sex=sex, height_percentile=height_percentile)
    elif height_cm is not None:
        height = height_for_age_percentile(height_cm=height_cm, age_years=age, sex=sex)
    limits = aap2017_thresholds(row)
    sbp_category = _category(
        sbp, limits.elevated_sbp_mmhg, limits.stage_1_sbp_mmhg, limits.stage_2_sbp_mmhg
    )
    dbp_category = _category(
        dbp, limits.elevated_dbp_mmhg, limits.stage_1_dbp_mmhg, limits.stage_2_dbp_mmhg
    )
    category = max(sbp_category, dbp_category, key=BP_CATEGORIES.index)
    return BpClassification(
        category=category,
        reason="classified",
        sbp_category=sbp_category,
        dbp_category=dbp_category,
        thresholds=limits,
        table_row=row,
        height=height,
    )


@dataclass(frozen=True)
class BpArrayClassification:
    """Per element: ``category`` (a code of BP_CATEGORIES or None) and ``reason``.

    ``reason`` is ``classified`` or one of BP_NOT_CLASSIFIED_REASONS.

    References
    ----------
    Flynn et al. 2017 [1], Tables 3-5.
    """

    category: np.ndarray
    reason: np.ndarray


@functools.cache
def _table_array() -> np.ndarray:
    """Tables 4-5 as an array [sex M/F, age 1-12, height column, (90th, 95th), (SBP, DBP)]."""
    index = _table_index()
    table = np.empty((2, FIXED_THRESHOLDS_FROM_YEARS - 1, len(HEIGHT_PERCENTILE_COLUMNS), 2, 2))
    for i, sex in enumerate(("M", "F")):
        for j, year in enumerate(range(TABLE_MIN_AGE_YEARS, FIXED_THRESHOLDS_FROM_YEARS)):
            for k, column in enumerate(HEIGHT_PERCENTILE_COLUMNS):
                cell = index[sex, year, column]
                for p, percentile in enumerate((90, 95)):
                    table[i, j, k, p] = (cell[percentile, "sbp"], cell[percentile, "dbp"])
    return table


def _levels(value, elevated, stage_1, stage_2) -> np.ndarray:
    """0 normal .. 3 stage 2: how many of the (ordered) thresholds the value reaches."""
    return (value >= elevated).astype(int) + (value >= stage_1).astype(int) + (value >= stage_2)


def classify_bp_aap2017_array(
    *, sbp_mmhg, dbp_mmhg, age_years, sex, height_percentile
) -> BpArrayClassification:
    """The AAP 2017 category of arrays of readings (the derivation's form).

    The rules of :func:`classify_bp_aap2017`; an element that cannot be
    classified gets no category and a reason instead of an error: a missing
    SBP, DBP or age, DBP not below SBP, under 1 year, or (1-12 years) no
    height percentile. Values out of the accepted ranges are refused.

    References
    ----------
    Flynn et al. 2017 [1], Tables 3, 4 and 5.
    """
    sbp = np.atleast_1d(check_range("sbp_mmhg", sbp_mmhg, _SBP)).astype(float)
    dbp = np.atleast_1d(check_range("dbp_mmhg", dbp_mmhg, _DBP)).astype(float)
    age = np.atleast_1d(check_range("age_years", age_years, _AGE)).astype(float)
    height = np.atleast_1d(
        check_range("height_percentile", height_percentile, _HEIGHT_PERCENTILE)
    ).astype(float)
    sexes = np.atleast_1d(np.asarray(check_sex(sex), dtype=object))
    sbp, dbp, age, height, sexes = np.broadcast_arrays(sbp, dbp, age, height, sexes)
    child = (age >= TABLE_MIN_AGE_YEARS) & (age < FIXED_THRESHOLDS_FROM_YEARS)
    reason = np.full(sbp.shape, "classified", dtype=object)
    for code, failed in (
        ("height_missing", child & np.isnan(height)),
        ("under_1_year", age < TABLE_MIN_AGE_YEARS),
        ("age_missing", np.isnan(age)),
        ("dbp_not_below_sbp", dbp >= sbp),
        ("bp_missing", np.isnan(sbp) | np.isnan(dbp)),
    ):
        reason[failed] = code  # later codes win: the most basic reason is given
    classified = reason == "classified"
    from_table = classified & child
    columns = np.asarray(HEIGHT_PERCENTILE_COLUMNS, dtype=float)
    column = np.argmin(np.abs(np.nan_to_num(height)[..., None] - columns), axis=-1)
    year = np.clip(np.nan_to_num(np.floor(age)).astype(int), 1, 12) - TABLE_MIN_AGE_YEARS
    row = _table_array()[(sexes == "F").astype(int), year, column]  # [..., (90, 95), (sbp, dbp)]
    caps, fixed = CHILD_CAPS_MMHG, ADOLESCENT_MMHG
    levels = []
    for k, value in enumerate((sbp, dbp)):
        p90, p95 = row[..., 0, k], row[..., 1, k]
        fixed_elevated = (
            fixed["elevated"][k] if fixed["elevated"][k] is not None else fixed["stage_1"][k]
        )
        elevated = np.where(from_table, np.minimum(p90, caps["elevated"][k]), fixed_elevated)
        stage_1 = np.where(from_table, np.minimum(p95, caps["stage_1"][k]), fixed["stage_1"][k])
        stage_2 = np.where(
            from_table,
            np.minimum(p95 + STAGE_2_ABOVE_95TH_MMHG, caps["stage_2"][k]),
            fixed["stage_2"][k],
        )
        levels.append(_levels(value, elevated, stage_1, stage_2))
    level = np.maximum(*levels)
    category = np.where(classified, np.asarray(BP_CATEGORIES, dtype=object)[level], None)
    return BpArrayClassification(category=category, reason=reason)
