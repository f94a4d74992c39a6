"""Typical height and weight for age, used to give synthetic children plausible sizes.

The values are rounded medians of the WHO child growth standards (under 5
years) and the CDC 2000 growth charts (5 to 18 years), to the nearest
centimetre and half kilogram. They only make synthetic records look like a
child's chart; no clinical calculation uses them.

References
----------
WHO Multicentre Growth Reference Study Group. WHO Child Growth Standards:
length/height-for-age, weight-for-age. Geneva: WHO; 2006.
Kuczmarski RJ, et al. 2000 CDC Growth Charts for the United States: methods
and development. Vital Health Stat 11 2002;(246):1-190.
"""

from __future__ import annotations

import numpy as np

_AGES = np.arange(0, 19, dtype=float)
_HEIGHT_CM = {
    "M": (
        50,
        76,
        88,
        96,
        103,
        110,
        116,
        122,
        128,
        133,
        139,
        144,
        150,
        157,
        164,
        170,
        174,
        176,
        177,
    ),
    "F": (
        49,
        74,
        86,
        95,
        102,
        109,
        115,
        121,
        127,
        133,
        138,
        145,
        151,
        157,
        160,
        162,
        163,
        163,
        164,
    ),
}
_WEIGHT_KG = {
    "M": (
        3.5,
        9.5,
        12.0,
        14.5,
        16.5,
        18.5,
        20.5,
        23.0,
        25.5,
        28.5,
        32.0,
        36.0,
        40.5,
        45.5,
        51.0,
        56.5,
        61.0,
        64.5,
        67.0,
    ),
    "F": (
        3.5,
        9.0,
        11.5,
        14.0,
        16.0,
        18.0,
        20.5,
        23.0,
        26.0,
        29.0,
        33.0,
        37.0,
        41.5,
        46.0,
        49.5,
        52.0,
        54.0,
        55.5,
        56.5,
    ),
}


def typical_height_cm(age_years, sex) -> np.ndarray:
    """Median height (cm) for age in years (0-18) and sex ("M"/"F"), arrays allowed."""
    return _lookup(_HEIGHT_CM, age_years, sex)


def typical_weight_kg(age_years, sex) -> np.ndarray:
    """Median weight (kg) for age in years (0-18) and sex ("M"/"F"), arrays allowed."""
    return _lookup(_WEIGHT_KG, age_years, sex)


def _lookup(table, age_years, sex) -> np.ndarray:
    age = np.clip(np.asarray(age_years, dtype=float), 0.0, 18.0)
    sex = np.broadcast_to(np.asarray(sex, dtype=object), age.shape)
    boys = np.interp(age, _AGES, np.asarray(table["M"], dtype=float))
    girls = np.interp(age, _AGES, np.asarray(table["F"], dtype=float))
    return np.where(sex == "F", girls, boys)
