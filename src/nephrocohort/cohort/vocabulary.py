"""The vocabulary of the cohort data contract, declared once as data.

Allowed codes, lab tests with their accepted units, and plausible ranges
(with units) live here; the schemas, the validator, the data dictionary and
the XLSX template all read these tables instead of repeating them.

Plausible ranges are deliberately wide: they catch values that cannot be
true for a child or young adult (a unit typed wrongly, a decimal point lost),
not values that are merely unusual. Sources: DESIGN.md (the data contract)
for codes and units; the ranges are physiological limits chosen by the
project (not clinical thresholds) and are documented in docs/data-dictionary.md.
"""

from dataclasses import dataclass

from nephrocohort.clinical.units import ACCEPTED_UNITS, CANONICAL_UNITS, DIPSTICK_GRADES_MG_DL

__all__ = [
    "SEX",
    "SEROLOGY",
    "YES_NO_UNKNOWN",
    "YES_NO",
    "HISTOLOGY",
    "GENETIC_CLASSIFICATION",
    "DRUGS",
    "DOSE_UNITS",
    "SCHEDULES",
    "EVENTS",
    "LAB_TESTS",
    "DIPSTICK_GRADES",
    "DIPSTICK_NOTATIONS",
    "DIPSTICK_UNITS",
    "DIPSTICK_UNIT_OF_GRADE",
    "LabTest",
    "PlausibleRange",
    "UnitSlip",
    "COLUMN_RANGES",
]

SEX = ("M", "F")
SEROLOGY = ("positive", "negative", "unknown")
YES_NO_UNKNOWN = ("yes", "no", "unknown")
YES_NO = ("yes", "no")
HISTOLOGY = ("MCD", "FSGS", "MN", "DMS", "MesPGN", "C3G", "IgAN", "other")
GENETIC_CLASSIFICATION = ("pathogenic", "likely_pathogenic", "vus", "benign", "negative")
DRUGS = (
    "prednisolone",
    "prednisone",
    "methylprednisolone_pulse",
    "mmf",
    "mycophenolate_sodium",
    "cyclosporine",
    "tacrolimus",
    "cyclophosphamide",
    "rituximab",
    "enalapril",
    "losartan",
    "other",
)
DOSE_UNITS = ("mg/day", "mg/kg/day", "mg/m2/day", "mg/kg/dose", "mg/m2/dose", "mg")
SCHEDULES = ("daily", "alternate_day", "bid", "single")
EVENTS = (
    "relapse",
    "remission",
    "severe_infection",
    "diarrhea",
    "leukopenia",
    "aki",
    "ckd",
    "dialysis",
    "transplant",
    "death",
    "mmf_reduced",
    "mmf_suspended",
    "mmf_withdrawn",
    "other",
)

# Dipstick results are grades, not numbers; both notations of DESIGN.md are
# accepted and converted to mg/dL by nephrocohort.clinical.units.dipstick_to_mg_dl.
DIPSTICK_GRADES = tuple(DIPSTICK_GRADES_MG_DL)

# The unit written with a dipstick result names its notation:
# - ``mg/dL``: negative, trace, 30, 100, 300, 1000 as printed on Multistix-type strips. The
#   plus grades are accepted with mg/dL too, because each is defined as an mg/dL band (1+ is
#   30 to < 100 mg/dL) and bundles, FHIR imports and the registry have always written them so;
# - ``grade``: 0, +/-, 1+, 2+, 3+, 4+. A concentration (30, 100, 300, 1000) with unit
#   ``grade`` contradicts itself and is refused: which of the two was meant is not guessed.
# ``negative``, ``trace`` and ``0`` are accepted with either unit.
# An empty unit is filled from the notation (issue 10 item 6): each grade names one unit,
# the one of its list below (negative, trace, 30 ... 1000 -> mg/dL; 0, +/-, 1+ ... 4+ ->
# grade, also in the spellings of clinical.units.DIPSTICK_SPELLINGS, "++" or "trazas"), and
# the loaded row records it in ``unit_from_notation``. A value that is no grade (a bare "2":
# 2+ or 2 mg/dL?) is refused whatever its unit.
DIPSTICK_NOTATIONS: dict[str, tuple[str, ...]] = {
    "mg/dL": ("negative", "trace", "30", "100", "300", "1000"),
    "grade": ("0", "+/-", "1+", "2+", "3+", "4+"),
}
DIPSTICK_UNITS = tuple(DIPSTICK_NOTATIONS)
DIPSTICK_UNIT_OF_GRADE = {
    grade: unit for unit, grades in DIPSTICK_NOTATIONS.items() for grade in grades
}


@dataclass(frozen=True)
class UnitSlip:
    """A common unit mistake: the value times ``factor`` would be plausible.

    ``question`` is the catalogue code of the question shown as the hint
    (``nephrocohort.messages``: written in the language of the command).
    """

    factor: float
    question: str


@dataclass(frozen=True)
class PlausibleRange:
    """Values outside ``low``-``high`` (in ``unit``) cannot be right."""

    low: float
    high: float
    unit: str
    slips: tuple[UnitSlip, ...] = ()


@dataclass(frozen=True)
class LabTest:
    """One ``labs.test`` code: its plausible range (in the canonical unit) and an example.

    Accepted units and conversion factors are owned by ``nephrocohort.clinical.units``.
    """

    name: str
    plausible: PlausibleRange | None
    description: str
    example_value: str
    example_unit: str

    @property
    def canonical_unit(self) -> str:
        """The unit the analysis works in (owned by ``clinical.units``)."""
        return CANONICAL_UNITS[self.name]

    @property
    def units(self) -> tuple[str, ...]:
        """Accepted units, canonical first (a dipstick result: its notations, see above)."""
        if self.name == "dipstick_protein":
            return DIPSTICK_UNITS
        others = [unit for unit in ACCEPTED_UNITS[self.name] if unit != self.canonical_unit]
        return (self.canonical_unit, *others)


LAB_TESTS: dict[str, LabTest] = {
    test.name: test
    for test in (
        LabTest(
            "urine_protein_timed",
            PlausibleRange(0.0, 2000.0, "mg/m2/h"),
            "Timed (usually 24-hour) urine protein excretion",
            "52",
            "mg/m2/h",
        ),
        LabTest(
            "upcr",
            PlausibleRange(0.0, 60.0, "mg/mg"),
            "Spot urine protein-to-creatinine ratio",
            "3.1",
            "mg/mg",
        ),
        LabTest(
            "dipstick_protein",
            None,
            "Urine dipstick protein grade: negative, trace, 30, 100, 300, 1000 with unit "
            "mg/dL; 0, +/-, 1+, 2+, 3+, 4+ with unit grade (mg/dL is accepted for them too); "
            "an empty unit is read from the notation",
            "300",
            "mg/dL",
        ),
        LabTest(
            "serum_albumin",
            PlausibleRange(
                0.3,
                6.5,
                "g/dL",
                (UnitSlip(0.1, "slip.g_per_l"),),
            ),
            "Serum albumin",
            "1.9",
            "g/dL",
        ),
        LabTest(
            "serum_cholesterol",
            PlausibleRange(
                40.0,
                2000.0,
                "mg/dL",
                (UnitSlip(38.67, "slip.mmol_per_l"),),
            ),
            "Serum total cholesterol",
            "320",
            "mg/dL",
        ),
        LabTest(
            "serum_creatinine",
            PlausibleRange(
                0.05,
                25.0,
                "mg/dL",
                (UnitSlip(1 / 88.4, "slip.umol_per_l"),),
            ),
            "Serum creatinine (enzymatic/IDMS-traceable where available)",
            "0.45",
            "mg/dL",
        ),
        LabTest(
            "cystatin_c",
            PlausibleRange(0.2, 10.0, "mg/L"),
            "Serum cystatin C",
            "0.9",
            "mg/L",
        ),
        LabTest(
            "leukocytes",
            PlausibleRange(
                0.05,
                200.0,
                "10^9/L",
                (UnitSlip(0.001, "slip.per_ul"),),
            ),
            "Blood leukocyte count",
            "7.2",
            "10^9/L",
        ),
    )
}

# Plausible ranges of numeric columns that carry their unit in their name.
COLUMN_RANGES: dict[tuple[str, str], PlausibleRange] = {
    ("visits", "height_cm"): PlausibleRange(
        30.0,
        220.0,
        "cm",
        (
            UnitSlip(100.0, "slip.metres"),
            UnitSlip(2.54, "slip.inches"),
        ),
    ),
    ("visits", "weight_kg"): PlausibleRange(
        0.5,
        200.0,
        "kg",
        (
            UnitSlip(0.001, "slip.grams"),
            UnitSlip(0.4536, "slip.pounds"),
        ),
    ),
    ("visits", "sbp_mmhg"): PlausibleRange(40.0, 250.0, "mmHg"),
    ("visits", "dbp_mmhg"): PlausibleRange(15.0, 180.0, "mmHg"),
}
