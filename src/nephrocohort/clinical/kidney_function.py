"""Pediatric eGFR equations and the KDIGO GFR category (CKD stage).

One function per equation, each with unit-named keyword arguments; all accept
numbers or numpy arrays and refuse impossible inputs with a
``ClinicalInputError`` naming the input, the value and the accepted range.
``egfr(equation, **inputs)`` dispatches by name. Creatinine is in mg/dL
(convert umol/L with ``units.creatinine_umol_l_to_mg_dl``; ``egfr`` accepts
``creatinine_umol_l`` and converts it).

Missing values: a single number that is NaN or infinite is refused (a
calculator must not answer without its input); in arrays, as the vectorised
derivation passes them, a NaN element gives a NaN eGFR for that element, also
when it is the age that selects k (no k is ever guessed for an unknown age).

Which equation for which creatinine:

- ``schwartz-1976``: k x height / SCr with Jaffe-era creatinine. Use it only
  for historical data (the seed study, 2005-2011). With IDMS-traceable
  (enzymatic) creatinine it overestimates GFR by 20-40% (NKF).
- ``schwartz-bedside``: 0.413 x height / SCr, IDMS creatinine, ages 1-18
  (checked when the age is given; the age is optional).
- ``ckid-u25`` / ``ckid-u25-cystatin`` / ``ckid-u25-combined``: age- and
  sex-dependent CKiD U25 equations, ages 1-25.

References
----------
.. [1] Schwartz GJ, Haycock GB, Edelmann CM Jr, Spitzer A. A simple estimate of
   glomerular filtration rate in children derived from body length and plasma
   creatinine. Pediatrics 1976;58:259-263.
.. [2] Schwartz GJ, Brion LP, Spitzer A. The use of plasma creatinine
   concentration for estimating glomerular filtration rate in infants,
   children, and adolescents. Pediatr Clin North Am 1987;34:571-590 (k by age
   group: 0.33 preterm infants, 0.45 term infants, 0.55 children and adolescent
   girls, 0.70 adolescent boys).
.. [3] Schwartz GJ, Munoz A, Schneider MF, et al. New equations to estimate GFR
   in children with CKD. J Am Soc Nephrol 2009;20:629-637.
   doi:10.1681/ASN.2008030287
.. [4] Pierce CB, Munoz A, Ng DK, Warady BA, Furth SL, Schwartz GJ. Age- and
   sex-dependent clinical equations to estimate glomerular filtration rates in
   children and young adults with chronic kidney disease. Kidney Int
   2021;99:948-956. doi:10.1016/j.kint.2020.10.047 (coefficients and input
   ranges from the official code, github.com/ckidstudy/CKiD_U25).
.. [5] KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management
   of Chronic Kidney Disease. Kidney Int Suppl 2013;3:1-150 (GFR categories
   G1-G5).
"""

from __future__ import annotations

import numpy as np

from nephrocohort.clinical._checks import Range, check_range, check_sex, is_scalar
from nephrocohort.clinical.units import creatinine_umol_l_to_mg_dl
from nephrocohort.exceptions import ClinicalInputError

__all__ = [
    "EGFR_EQUATIONS",
    "EGFR_EQUATION_INPUTS",
    "EGFR_OPTIONAL_INPUTS",
    "CKD_STAGES",
    "egfr_schwartz_1976",
    "egfr_schwartz_bedside",
    "egfr_ckid_u25_creatinine",
    "egfr_ckid_u25_cystatin",
    "egfr_ckid_u25_combined",
    "egfr",
    "ckd_stage",
]

# Accepted input ranges, declared once. CKiD ranges are those of the official code [4].
_HEIGHT = Range(30, 250, "cm", "clinical.hint.metres_or_inches")
_CREATININE = Range(0.05, 25, "mg/dL", "clinical.hint.creatinine_umol")
_SCHWARTZ_1976_AGE = Range(0, 21, "years")
_CKID_AGE = Range(1, 25, "years")
_BEDSIDE_AGE = Range(
    1,
    18,
    "years",
    # Schwartz et al., J Am Soc Nephrol 2009 (NKF: ages 1-18).
    "clinical.hint.bedside_age",
)
_CKID_HEIGHT = Range(60, 200, "cm")
_CKID_CREATININE = Range(0.1, 10, "mg/dL", "clinical.hint.creatinine_umol")
_CKID_CYSTATIN = Range(0.2, 8, "mg/L")
_EGFR = Range(0, 1000, "mL/min/1.73m2")
_AGE_ANY = Range(0, 130, "years")

# Original Schwartz k [2]. Age cut-points (the 1987 text was not read; see docs/clinical/egfr.md):
# < 1 year infant (0.33 preterm, 0.45 term); 1 to < 13 years 0.55; >= 13 years 0.70 boys, 0.55 girls.
_K_PRETERM_INFANT = 0.33
_K_TERM_INFANT = 0.45
_K_CHILD = 0.55
_K_ADOLESCENT_BOY = 0.70
_ADOLESCENT_FROM_YEARS = 13.0

_BEDSIDE_K = 0.413  # [3]


def _result(value):
    return float(value) if np.ndim(value) == 0 else value


def _unknown_age_gives_nan(k, age):
    """k where the age is known, NaN where it is not (an age-dependent k is never guessed)."""
    return np.where(np.isnan(age), np.nan, k)


def egfr_schwartz_1976(*, height_cm, creatinine_mg_dl, age_years, sex, preterm=False):
    """Original Schwartz eGFR (mL/min/1.73m2) = k x height (cm) / creatinine (mg/dL), Jaffe creatinine.

    k by age and sex [2]: 0.33 preterm infant and 0.45 term infant in the
    first year (age < 1); 0.55 from 1 to under 13 years and for adolescent
    girls; 0.70 for adolescent boys (age >= 13). Ages 0-21 years.

    Decision on the unverified cut-points: the 1987 paper was not available;
    the ski-nephrology.org calculator states "1-12 years K=0.55 ... adolescent
    boys K=0.7", so 13 years is where adolescence starts here, and 21 years
    is the upper limit of the adolescent group Schwartz studied.

    Examples
    --------
    >>> round(egfr_schwartz_1976(height_cm=120, creatinine_mg_dl=0.6, age_years=8, sex="M"), 2)
    110.0

    References
    ----------
    Schwartz et al. Pediatrics 1976 [1]; Schwartz, Brion & Spitzer, Pediatr
    Clin North Am 1987 [2]; k values as listed by the ski-nephrology.org GFR
    calculator (clinical-reference.md section 2a).
    """
    height = check_range("height_cm", height_cm, _HEIGHT, context="clinical.for.schwartz_1976")
    creatinine = check_range("creatinine_mg_dl", creatinine_mg_dl, _CREATININE)
    age = check_range(
        "age_years", age_years, _SCHWARTZ_1976_AGE, context="clinical.for.schwartz_1976"
    )
    sex = check_sex(sex)
    preterm = np.asarray(preterm, dtype=bool)
    infant_k = np.where(preterm, _K_PRETERM_INFANT, _K_TERM_INFANT)
    adolescent_k = np.where(np.asarray(sex, dtype=object) == "M", _K_ADOLESCENT_BOY, _K_CHILD)
    k = np.where(age < 1, infant_k, np.where(age < _ADOLESCENT_FROM_YEARS, _K_CHILD, adolescent_k))
    return _result(_unknown_age_gives_nan(k, age) * height / creatinine)


def egfr_schwartz_bedside(*, height_cm, creatinine_mg_dl, age_years=None):
    """Bedside Schwartz eGFR (mL/min/1.73m2) = 0.413 x height (cm) / creatinine (mg/dL).

    For IDMS-traceable (enzymatic) creatinine, children 1-18 years (NKF). The
    equation itself does not use the age, so ``age_years`` is optional: a
    caller that has it passes it and an age outside 1-18 years is refused
    (arrays: NaN ages pass as unknown); a caller without it gets the
    estimate unchecked for age, and must itself be sure the child is 1-18.

    Examples
    --------
    >>> round(egfr_schwartz_bedside(height_cm=100, creatinine_mg_dl=0.4), 2)
    103.25

    References
    ----------
    Schwartz et al. JASN 2009 [3]; kidney.org "bedside Schwartz 2009" page;
    worked example 100 cm / 0.4 mg/dL = 103 (doctaverse).
    """
    height = check_range("height_cm", height_cm, _HEIGHT, context="clinical.for.schwartz_bedside")
    creatinine = check_range("creatinine_mg_dl", creatinine_mg_dl, _CREATININE)
    if age_years is not None:
        check_range("age_years", age_years, _BEDSIDE_AGE, context="clinical.for.schwartz_bedside")
    return _result(_BEDSIDE_K * height / creatinine)


def _ckid_inputs(age_years, sex):
    age = check_range("age_years", age_years, _CKID_AGE, context="clinical.for.ckid_u25")
    male = np.asarray(check_sex(sex), dtype=object) == "M"
    return np.asarray(age, dtype=float), male


def egfr_ckid_u25_creatinine(*, height_cm, creatinine_mg_dl, age_years, sex):
    """CKiD U25 creatinine eGFR (mL/min/1.73m2) = K x height (m) / creatinine (mg/dL).

    K, male: 39.0 x 1.008^(age-12) under 12, 39.0 x 1.045^(age-12) from 12 to
    under 18, 50.8 from 18. Female: 36.1 x 1.008^(age-12), 36.1 x
    1.023^(age-12), 41.4. Ages 1-25, height 60-200 cm, creatinine 0.1-10 mg/dL.

    Examples
    --------
    >>> round(egfr_ckid_u25_creatinine(height_cm=120, creatinine_mg_dl=0.9, age_years=11, sex="M"), 1)
    51.6

    References
    ----------
    Pierce et al. Kidney Int 2021 [4]; official code (ckidstudy/CKiD_U25) and
    its shinyapps calculator vectors.
    """
    age, male = _ckid_inputs(age_years, sex)
    height = check_range("height_cm", height_cm, _CKID_HEIGHT, context="clinical.for.ckid_u25")
    creatinine = check_range("creatinine_mg_dl", creatinine_mg_dl, _CKID_CREATININE)
    base = np.where(male, 39.0, 36.1)
    teen_rate = np.where(male, 1.045, 1.023)
    adult = np.where(male, 50.8, 41.4)
    k = np.where(
        age < 12,
        base * np.power(1.008, age - 12),
        np.where(age < 18, base * np.power(teen_rate, age - 12), adult),
    )
    return _result(_unknown_age_gives_nan(k, age) * (np.asarray(height) / 100.0) / creatinine)


def egfr_ckid_u25_cystatin(*, cystatin_c_mg_l, age_years, sex):
    """CKiD U25 cystatin C eGFR (mL/min/1.73m2) = K / cystatin C (mg/L, IFCC-calibrated).

    K, male: 87.2 x 1.011^(age-15) under 15, 87.2 x 0.960^(age-15) from 15 to
    under 18, 77.1 from 18. Female: 79.9 x 1.004^(age-12) under 12, 79.9 x
    0.974^(age-12) from 12 to under 18, 68.3 from 18. A non-calibrated Siemens
    cystatin C should be multiplied by 1.17 first. Cystatin C 0.2-8 mg/L.

    Examples
    --------
    >>> round(egfr_ckid_u25_cystatin(cystatin_c_mg_l=1.3, age_years=11, sex="M"), 1)
    64.2

    References
    ----------
    Pierce et al. Kidney Int 2021 [4]; official code (ckidstudy/CKiD_U25).
    """
    age, male = _ckid_inputs(age_years, sex)
    cystatin = check_range("cystatin_c_mg_l", cystatin_c_mg_l, _CKID_CYSTATIN)
    male_k = np.where(
        age < 15,
        87.2 * np.power(1.011, age - 15),
        np.where(age < 18, 87.2 * np.power(0.960, age - 15), 77.1),
    )
    female_k = np.where(
        age < 12,
        79.9 * np.power(1.004, age - 12),
        np.where(age < 18, 79.9 * np.power(0.974, age - 12), 68.3),
    )
    return _result(_unknown_age_gives_nan(np.where(male, male_k, female_k), age) / cystatin)


def egfr_ckid_u25_combined(*, height_cm, creatinine_mg_dl, cystatin_c_mg_l, age_years, sex):
    """CKiD U25 combined eGFR: the mean of the creatinine and cystatin C estimates.

    Examples
    --------
    >>> round(egfr_ckid_u25_combined(height_cm=120, creatinine_mg_dl=0.9, cystatin_c_mg_l=1.3, age_years=11, sex="M"), 1)
    57.9

    References
    ----------
    Pierce et al. Kidney Int 2021 [4]; official code (eGFRU25ave).
    """
    creatinine_based = egfr_ckid_u25_creatinine(
        height_cm=height_cm, creatinine_mg_dl=creatinine_mg_dl, age_years=age_years, sex=sex
    )
    cystatin_based = egfr_ckid_u25_cystatin(
        cystatin_c_mg_l=cystatin_c_mg_l, age_years=age_years, sex=sex
    )
    return _result((np.asarray(creatinine_based) + np.asarray(cystatin_based)) / 2.0)


EGFR_EQUATIONS = {
    "schwartz-1976": egfr_schwartz_1976,
    "schwartz-bedside": egfr_schwartz_bedside,
    "ckid-u25": egfr_ckid_u25_creatinine,
    "ckid-u25-cystatin": egfr_ckid_u25_cystatin,
    "ckid-u25-combined": egfr_ckid_u25_combined,
}
EGFR_EQUATION_INPUTS = {
    "schwartz-1976": ("height_cm", "creatinine_mg_dl", "age_years", "sex", "preterm"),
    "schwartz-bedside": ("height_cm", "creatinine_mg_dl", "age_years"),
    "ckid-u25": ("height_cm", "creatinine_mg_dl", "age_years", "sex"),
    "ckid-u25-cystatin": ("cystatin_c_mg_l", "age_years", "sex"),
    "ckid-u25-combined": ("height_cm", "creatinine_mg_dl", "cystatin_c_mg_l", "age_years", "sex"),
}
# Inputs an equation reads but does not require: "preterm" (default False) of the
# original Schwartz; "age_years" of the bedside Schwartz (checked against 1-18 when given).
EGFR_OPTIONAL_INPUTS = {
    "schwartz-1976": frozenset({"preterm"}),
    "schwartz-bedside": frozenset({"age_years"}),
    "ckid-u25": frozenset(),
    "ckid-u25-cystatin": frozenset(),
    "ckid-u25-combined": frozenset(),
}
_KNOWN_INPUTS = {
    "height_cm",
    "creatinine_mg_dl",
    "creatinine_umol_l",
    "cystatin_c_mg_l",
    "age_years",
    "sex",
    "preterm",
}


def egfr(equation: str, **inputs):
    """eGFR (mL/min/1.73m2) by the named equation.

    ``equation`` is one of ``schwartz-1976``, ``schwartz-bedside``,
    ``ckid-u25``, ``ckid-u25-cystatin``, ``ckid-u25-combined``. ``inputs`` are
    unit-named keywords (``height_cm``, ``creatinine_mg_dl`` or
    ``creatinine_umol_l``, ``cystatin_c_mg_l``, ``age_years``, ``sex``,
    ``preterm``); inputs the equation does not use are ignored, so a caller
    may pass everything it has. A missing required input is named in the error.

    References
    ----------
    See the equation functions and the module references [1]-[4].
    """
    if equation not in EGFR_EQUATIONS:
        raise ClinicalInputError(
            "clinical.egfr.unknown_equation", equation=equation, known=", ".join(EGFR_EQUATIONS)
        )
    unknown = sorted(set(inputs) - _KNOWN_INPUTS)
    if unknown:
        raise ClinicalInputError(
            "clinical.egfr.unknown_inputs",
            inputs=", ".join(unknown),
            known=", ".join(sorted(_KNOWN_INPUTS)),
        )
    inputs = {name: value for name, value in inputs.items() if value is not None}
    if "creatinine_umol_l" in inputs:
        if "creatinine_mg_dl" in inputs:
            raise ClinicalInputError("clinical.egfr.creatinine_twice")
        umol = check_range(
            "creatinine_umol_l", inputs.pop("creatinine_umol_l"), Range(4, 2200, "umol/L")
        )
        inputs["creatinine_mg_dl"] = creatinine_umol_l_to_mg_dl(umol)
    needed = EGFR_EQUATION_INPUTS[equation]
    optional = EGFR_OPTIONAL_INPUTS[equation]
    missing = [name for name in needed if name not in inputs and name not in optional]
    if missing:
        raise ClinicalInputError(
            "clinical.egfr.needs", equation=equation, inputs=", ".join(missing), count=len(missing)
        )
    return EGFR_EQUATIONS[equation](**{name: inputs[name] for name in needed if name in inputs})


CKD_STAGES = ("G1", "G2", "G3a", "G3b", "G4", "G5")
_STAGE_LOWER_BOUNDS = (90.0, 60.0, 45.0, 30.0, 15.0)  # G1 >= 90, G2 >= 60, ... G5 < 15 [5]
_STAGING_MIN_AGE_YEARS = 2.0


def ckd_stage(egfr_ml_min_1_73m2, *, age_years=None):
    """KDIGO GFR category: G1 >= 90, G2 60-<90, G3a 45-<60, G3b 30-<45, G4 15-<30, G5 < 15.

    Each category includes its lower bound (60.0 is G2, 59.9 is G3a). Returns
    None when the child is under 2 years old, because the adult categories do
    not apply while normal GFR is still rising. A single eGFR or age must be a
    finite number (NaN is refused); in arrays, a missing eGFR or a missing age
    (when ages are given) gives None for that element. A
    stage alone is not a CKD diagnosis: CKD also needs >= 3 months' duration.
    Numbers in, a string (or None) out; arrays in, an object array out.

    References
    ----------
    KDIGO 2012 CKD guideline [5] (thresholds 90/60/45/30/15); pediatric caveat
    (not applicable under 2 years): Pottel, Pediatr Nephrol 2015;30:821 and
    clinical-reference.md section 5.
    """
    values = check_range("egfr_ml_min_1_73m2", egfr_ml_min_1_73m2, _EGFR)
    array = np.atleast_1d(np.asarray(values, dtype=float))
    stages = np.full(array.shape, None, dtype=object)
    with np.errstate(invalid="ignore"):
        index = np.searchsorted(-np.asarray(_STAGE_LOWER_BOUNDS), -array, side="left")
    known = ~np.isnan(array)
    stages[known] = np.asarray(CKD_STAGES, dtype=object)[index[known]]
    if age_years is not None:
        ages = np.broadcast_to(
            np.atleast_1d(check_range("age_years", age_years, _AGE_ANY)), array.shape
        )
        with np.errstate(invalid="ignore"):
            stages[(ages < _STAGING_MIN_AGE_YEARS) | np.isnan(ages)] = None
    return stages[0] if is_scalar(egfr_ml_min_1_73m2) else stages
