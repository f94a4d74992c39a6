"""Height-for-age percentile from the CDC 2000 growth charts (LMS method).

The AAP 2017 blood-pressure tables are indexed by height percentile "based on
the CDC growth charts"; their own height rows show which chart: the heights
printed for age 1 and age 2 years are the CDC *length*-for-age percentiles at
18.5 and 30.5 months (boys age 2, 50th percentile: 92.1 cm = LENAGEINF 30.5
months; STATAGE at 30.5 months gives 91.3 cm), and from age 3 they are the
*stature*-for-age percentiles (age 3, 50th: 99.0 cm = STATAGE 42.5 months).
So below 36 months the length-for-age chart is used, from 36 months the
stature-for-age chart, as the tables were built.

References
----------
.. [1] Kuczmarski RJ, Ogden CL, Guo SS, et al. 2000 CDC Growth Charts for the
   United States: methods and development. Vital Health Stat 11. 2002;(246):1-190.
.. [2] CDC/NCHS, "Percentile Data Files with LMS Values" (cdc.gov/growthcharts/
   percentile_data_files.htm): files LENAGEINF (length-for-age, birth to 36
   months) and STATAGE (stature-for-age, 2 to 20 years), shipped in
   nephrocohort/data/reference/. "Age is listed at the half month point for the
   entire month; for example, 1.5 months represents 1.0-1.99 months"; the
   z-score is Z = ((X/M)**L - 1)/(L*S), or ln(X/M)/S when L = 0.
.. [3] Flynn JT, Kaelber DC, Baker-Smith CM, et al. Clinical Practice Guideline for
   Screening and Management of High Blood Pressure in Children and Adolescents.
   Pediatrics 2017;140(3):e20171904, Tables 4 and 5 (height rows).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from nephrocohort.clinical._checks import Range, check_range, check_sex
from nephrocohort.clinical._reference_data import reference_rows
from nephrocohort.exceptions import ClinicalInputError

__all__ = [
    "LENGTH_FOR_AGE",
    "STATURE_FOR_AGE",
    "HeightPercentile",
    "height_for_age_percentile",
    "height_for_age_percentile_array",
    "lms_z_score",
]

LENGTH_FOR_AGE = "length-for-age"
STATURE_FOR_AGE = "stature-for-age"

_CHART_FILES = {
    LENGTH_FOR_AGE: "cdc2000_lenageinf_lms.csv",
    STATURE_FOR_AGE: "cdc2000_statage_lms.csv",
}
#: Below this age the length-for-age chart is used (it covers birth to 36 months) [2][3].
LENGTH_CHART_BELOW_MONTHS = 36.0
#: The stature-for-age chart ends at 20 years (240 months) [2].
STATURE_CHART_MAX_MONTHS = 240.0
_CDC_SEX_CODES = {"M": "1", "F": "2"}  # CDC files: 1 = male, 2 = female [2]

_AGE = Range(0, 20, "years", "clinical.hint.growth_charts")
_HEIGHT = Range(30, 250, "cm", "clinical.hint.metres_or_inches")


@dataclass(frozen=True)
class HeightPercentile:
    """A height-for-age percentile and where it came from (chart and table row).

    References
    ----------
    CDC 2000 growth charts, LMS data files [2].
    """

    percentile: float
    z_score: float
    chart: str
    table_age_months: float


def lms_z_score(value: float, *, l: float, m: float, s: float) -> float:  # noqa: E741
    """Z-score of ``value`` for LMS parameters (L = Box-Cox power, M = median, S = CV).

    References
    ----------
    CDC "Percentile Data Files with LMS Values" [2]: Z = ((X/M)**L - 1)/(L*S),
    L != 0, or Z = ln(X/M)/S, L = 0. CDC's worked example: a 9-month-old boy of
    9.7 kg (WTAGEINF L=-0.1600954, M=9.476500305, S=0.11218624) has Z = 0.207,
    the 58th percentile.
    """
    if value <= 0 or m <= 0 or s <= 0:
        raise ClinicalInputError("clinical.growth.lms_not_positive", value=value, m=m, s=s)
    if l == 0:
        return math.log(value / m) / s
    return ((value / m) ** l - 1) / (l * s)


def _table_age_months(age_months: np.ndarray, stature: np.ndarray) -> np.ndarray:
    """The CDC row of each age: the half month of the month the child is in (birth = 0) [2]."""
    row = np.where(age_months == 0, 0.0, np.floor(age_months) + 0.5)
    return np.where(
        stature & (age_months >= STATURE_CHART_MAX_MONTHS), STATURE_CHART_MAX_MONTHS, row
    )


@functools.cache
def _lms_table(chart: str, sex: str) -> tuple[np.ndarray, np.ndarray]:
    """(Agemos ascending, L/M/S rows) of one chart and sex, from the shipped CDC file."""
    code = _CDC_SEX_CODES[sex]
    rows = sorted(
        (float(row["Agemos"]), float(row["L"]), float(row["M"]), float(row["S"]))
        for row in reference_rows(_CHART_FILES[chart])
        if row["Sex"] == code
    )
    table = np.array(rows)
    return table[:, 0], table[:, 1:]


def _lms_parameters(table_age: np.ndarray, stature: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """L, M, S (columns) for each element's chart, sex and CDC row; NaN for an unknown age."""
    parameters = np.full((table_age.size, 3), np.nan)
    for chart, in_chart in ((LENGTH_FOR_AGE, ~stature), (STATURE_FOR_AGE, stature)):
        for code in _CDC_SEX_CODES:
            chosen = np.flatnonzero(in_chart & (sex == code) & ~np.isnan(table_age))
            if chosen.size == 0:
                continue
            ages, lms = _lms_table(chart, code)
            position = np.searchsorted(ages, table_age[chosen])
            parameters[chosen] = lms[np.minimum(position, ages.size - 1)]
    return parameters


def _height_percentiles(height_cm, age_years, sex):
    """Checked inputs to (percentile, z, stature-chart flag, CDC row) arrays (NaN in, NaN out)."""
    height = np.atleast_1d(check_range("height_cm", height_cm, _HEIGHT)).astype(float)
    age = np.atleast_1d(
        check_range("age_years", age_years, _AGE, context="clinical.for.cdc_growth")
    ).astype(float)
    sexes = np.atleast_1d(np.asarray(check_sex(sex), dtype=object))
    height, age, sexes = np.broadcast_arrays(height, age, sexes)
    age_months = age * 12
    stature = age_months >= LENGTH_CHART_BELOW_MONTHS
    table_age = _table_age_months(age_months, stature)
    lms = _lms_parameters(table_age.ravel(), stature.ravel(), sexes.ravel())
    l, m, s = (lms[:, i].reshape(height.shape) for i in range(3))  # noqa: E741
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(l == 0, np.log(height / m) / s, ((height / m) ** l - 1) / (l * s))
    return 100 * special.ndtr(z), z, stature, table_age


def height_for_age_percentile(*, height_cm: float, age_years: float, sex: str) -> HeightPercentile:
    """Height-for-age percentile (0-100) by the CDC 2000 growth charts.

    Age in decimal years (x 12 for months); the row is the completed month
    (CDC lists each month at its half month) [2]. Under 36 months the
    length-for-age chart, from 36 months the stature-for-age chart, as the
    AAP 2017 tables' own height rows were built [3] (module docstring).

    References
    ----------
    Kuczmarski et al. 2002 [1]; CDC LMS data files and z-score formula [2];
    chart choice from Flynn et al. 2017 Tables 4-5 [3].
    """
    for name, value in (("height_cm", height_cm), ("age_years", age_years)):
        if np.ndim(value) != 0:
            raise ClinicalInputError("clinical.growth.one_number", name=name)
    percentile, z, stature, table_age = _height_percentiles(height_cm, age_years, sex)
    return HeightPercentile(
        percentile=float(percentile[0]),
        z_score=float(z[0]),
        chart=STATURE_FOR_AGE if stature[0] else LENGTH_FOR_AGE,
        table_age_months=float(table_age[0]),
    )


def height_for_age_percentile_array(*, height_cm, age_years, sex) -> np.ndarray:
    """Height-for-age percentiles of arrays (the derivation's form); NaN height or age gives NaN.

    The same charts, rows and formula as :func:`height_for_age_percentile`.

    References
    ----------
    Kuczmarski et al. 2002 [1]; CDC LMS data files and z-score formula [2];
    chart choice from Flynn et al. 2017 Tables 4-5 [3].
    """
    return _height_percentiles(height_cm, age_years, sex)[0]
