"""Age from dates and body surface area.

Ages use the year of 365.25 days and the month of 365.25/12 days (the
convention of the analysis dataset). BSA formulas take height in cm and
weight in kg; Mosteller is the default because it is the one most pediatric
dosing references use and its square-root form is easy to check by hand.

References
----------
.. [1] Mosteller RD. Simplified calculation of body-surface area. N Engl J Med
   1987;317:1098. doi:10.1056/NEJM198710223171717
.. [2] Du Bois D, Du Bois EF. A formula to estimate the approximate surface area
   if height and weight be known. Arch Intern Med 1916;17:863-871.
.. [3] Haycock GB, Schwartz GJ, Wisotsky DH. Geometric method for measuring body
   surface area: a height-weight formula validated in infants, children, and
   adults. J Pediatr 1978;93:62-66. doi:10.1016/S0022-3476(78)80601-5
.. [4] Gehan EA, George SL. Estimation of human body surface area from height and
   weight. Cancer Chemother Rep 1970;54:225-235.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from nephrocohort.clinical._checks import Range, check_range
from nephrocohort.exceptions import ClinicalInputError

__all__ = [
    "BSA_FORMULAS",
    "DAYS_PER_YEAR",
    "DAYS_PER_MONTH",
    "age_days",
    "age_months",
    "age_years",
    "bsa_m2",
]

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

# (coefficient, height exponent, weight exponent): BSA = c * height_cm**a * weight_kg**b
_BSA_COEFFICIENTS = {
    "mosteller": (1 / 60, 0.5, 0.5),  # sqrt(h * w / 3600) [1]
    "dubois": (0.007184, 0.725, 0.425),  # [2]
    "haycock": (0.024265, 0.3964, 0.5378),  # [3]
    "gehan-george": (0.0235, 0.42246, 0.51456),  # [4]
}
BSA_FORMULAS = tuple(_BSA_COEFFICIENTS)

_HEIGHT = Range(30, 250, "cm", "clinical.hint.metres_or_inches")
_WEIGHT = Range(0.5, 250, "kg", "clinical.hint.grams_or_pounds")


def _as_datetime64(name: str, value):
    if value is None:
        raise ClinicalInputError("clinical.required", name=name)
    try:
        if isinstance(value, _dt.date | str | np.datetime64):
            return np.datetime64(value, "D")
        return np.asarray(value, dtype="datetime64[D]")
    except (TypeError, ValueError):
        raise ClinicalInputError("clinical.not_a_date", name=name, value=value) from None


def age_days(birth_date, on_date):
    """Whole days from ``birth_date`` to ``on_date`` (dates or arrays of dates).

    Refuses an ``on_date`` before the birth date; a missing date (NaT) gives NaN.

    References
    ----------
    Calendar arithmetic (proleptic Gregorian calendar, numpy datetime64).
    """
    birth = _as_datetime64("birth_date", birth_date)
    on = _as_datetime64("on_date", on_date)
    delta = on - birth
    days = np.where(
        np.isnat(delta), np.nan, delta.astype("timedelta64[D]").astype("int64").astype(float)
    )
    if np.any(days < 0):
        raise ClinicalInputError("clinical.date_before_birth")
    return float(days) if np.ndim(days) == 0 else days


def age_months(birth_date, on_date):
    """Age in months of 365.25/12 days (decimal).

    References
    ----------
    Julian year of 365.25 days; docs/architecture.md (analysis dataset months).
    """
    return age_days(birth_date, on_date) / DAYS_PER_MONTH


def age_years(birth_date, on_date):
    """Age in years of 365.25 days (decimal), as the CKiD equations expect.

    References
    ----------
    Julian year of 365.25 days; Pierce et al. Kidney Int 2021;99:948 use decimal age.
    """
    return age_days(birth_date, on_date) / DAYS_PER_YEAR


def bsa_m2(*, height_cm, weight_kg, formula: str = "mosteller"):
    """Body surface area in m2 from height (cm) and weight (kg).

    Formulas: ``mosteller`` sqrt(h x w / 3600) [1]; ``dubois``
    0.007184 x w^0.425 x h^0.725 [2]; ``haycock`` 0.024265 x h^0.3964 x w^0.5378
    [3]; ``gehan-george`` 0.0235 x h^0.42246 x w^0.51456 [4]. Accepts numbers
    or arrays; NaN gives NaN. Height must be 30-250 cm, weight 0.5-250 kg.

    Examples
    --------
    >>> round(bsa_m2(height_cm=170, weight_kg=75), 4)
    1.8819

    References
    ----------
    See the module references [1]-[4]; test vectors in
    shared/reference/clinical-reference.md section 3 (admiral test inputs).
    """
    if formula not in _BSA_COEFFICIENTS:
        raise ClinicalInputError(
            "clinical.bsa.unknown_formula", formula=formula, known=", ".join(BSA_FORMULAS)
        )
    height = check_range("height_cm", height_cm, _HEIGHT)
    weight = check_range("weight_kg", weight_kg, _WEIGHT)
    coefficient, height_power, weight_power = _BSA_COEFFICIENTS[formula]
    result = coefficient * np.power(height, height_power) * np.power(weight, weight_power)
    return float(result) if np.ndim(result) == 0 else result
