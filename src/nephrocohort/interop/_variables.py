"""Every exported column, described once: label, kind, codes, unit and plausible range.

SPSS and Stata labels, the REDCap data dictionary and the legacy-sheet
validator all read these tables, so a code added here appears everywhere
(STYLE.md 2.4: allowed values are declared once, as data). The raw tables
are described here; the analysis dataset's columns are declared in
:mod:`nephrocohort.cohort.analysis` and re-exported as ``ANALYSIS_VARIABLES``.
"""

from __future__ import annotations

from nephrocohort.cohort.analysis import (
    ANALYSIS_VARIABLES,
    HISTOLOGY,
    SEX,
    Variable,
    analysis_variable,
)

__all__ = [
    "Variable",
    "RAW_TABLES",
    "ANALYSIS_VARIABLES",
    "TABLE_ORDER",
    "REGISTRY_TABLES",
    "variable_for",
]

YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"))
SEROLOGY = (("positive", "Positive"), ("negative", "Negative"), ("unknown", "Unknown"))

DRUGS = (
    ("prednisolone", "Prednisolone"),
    ("prednisone", "Prednisone"),
    ("methylprednisolone_pulse", "Methylprednisolone pulse"),
    ("mmf", "Mycophenolate mofetil"),
    ("mycophenolate_sodium", "Mycophenolate sodium"),
    ("cyclosporine", "Cyclosporine"),
    ("tacrolimus", "Tacrolimus"),
    ("cyclophosphamide", "Cyclophosphamide"),
    ("rituximab", "Rituximab"),
    ("enalapril", "Enalapril"),
    ("losartan", "Losartan"),
    ("other", "Other"),
)
LAB_TESTS = (
    ("urine_protein_timed", "Timed urine protein"),
    ("upcr", "Urine protein/creatinine ratio"),
    ("dipstick_protein", "Urine dipstick protein"),
    ("serum_albumin", "Serum albumin"),
    ("serum_cholesterol", "Serum cholesterol"),
    ("serum_creatinine", "Serum creatinine"),
    ("cystatin_c", "Cystatin C"),
    ("leukocytes", "Blood leukocytes"),
)
EVENTS = (
    ("relapse", "Relapse"),
    ("remission", "Remission"),
    ("severe_infection", "Severe infection"),
    ("diarrhea", "Diarrhea"),
    ("leukopenia", "Leukopenia"),
    ("aki", "Acute kidney injury"),
    ("ckd", "Chronic kidney disease"),
    ("dialysis", "Dialysis"),
    ("transplant", "Kidney transplant"),
    ("death", "Death"),
    ("mmf_reduced", "MMF dose reduced"),
    ("mmf_suspended", "MMF suspended"),
    ("mmf_withdrawn", "MMF withdrawn"),
    ("other", "Other"),
)
DOSE_UNITS = (
    ("mg/day", "mg/day"),
    ("mg/kg/day", "mg/kg/day"),
    ("mg/m2/day", "mg/m2/day"),
    ("mg/kg/dose", "mg/kg/dose"),
    ("mg/m2/dose", "mg/m2/dose"),
    ("mg", "mg"),
)
SCHEDULES = (
    ("daily", "Daily"),
    ("alternate_day", "Alternate days"),
    ("bid", "Twice a day"),
    ("single", "Single dose"),
)
CLASSIFICATIONS = (
    ("pathogenic", "Pathogenic"),
    ("likely_pathogenic", "Likely pathogenic"),
    ("vus", "Variant of uncertain significance"),
    ("benign", "Benign"),
    ("negative", "Negative"),
)
_v = Variable

_PATIENT_ID = _v("patient_id", "Patient identifier (pseudonymous)", "id")

RAW_TABLES: dict[str, tuple[Variable, ...]] = {
    "patients": (
        _PATIENT_ID,
        _v("center", "Center", "text"),
        _v("sex", "Sex", "category", SEX),
        _v("birth_date", "Date of birth", "date"),
        _v("onset_date", "Date of the first nephrotic episode", "date"),
        _v("family_history_ns", "Family history of nephrotic syndrome", "category", YES_NO_UNKNOWN),
        _v("consanguinity", "Parental consanguinity", "category", YES_NO_UNKNOWN),
        _v("consent_date", "Date of informed consent", "date"),
        _v("assent_date", "Date of assent", "date"),
        _v("consent_withdrawn_date", "Date consent was withdrawn", "date"),
        _v("hbv", "Hepatitis B serology", "category", SEROLOGY),
        _v("hcv", "Hepatitis C serology", "category", SEROLOGY),
        _v("syphilis", "Syphilis serology", "category", SEROLOGY),
        _v("hiv", "HIV serology", "category", SEROLOGY),
        _v("edema_at_onset", "Edema at onset", "category", YES_NO_UNKNOWN),
        _v("hypertension_at_onset", "Hypertension at onset", "category", YES_NO_UNKNOWN),
        _v("aki_at_onset", "Acute kidney injury at onset", "category", YES_NO_UNKNOWN),
        _v("hematuria_at_onset", "Hematuria at onset", "category", YES_NO_UNKNOWN),
        _v("last_followup_date", "Date of last follow-up", "date"),
        _v("death_date", "Date of death", "date"),
    ),
    "biopsies": (
        _PATIENT_ID,
        _v("biopsy_date", "Date of kidney biopsy", "date"),
        _v("histology", "Histology", "category", HISTOLOGY),
    ),
    "genetics": (
        _PATIENT_ID,
        _v("test_date", "Date of genetic test", "date"),
        _v("gene", "Gene", "text"),
        _v("variant", "Variant (free text)", "free_text"),
        _v("classification", "Variant classification", "category", CLASSIFICATIONS, ordered=False),
    ),
    "visits": (
        _PATIENT_ID,
        _v("date", "Visit date", "date"),
        _v("weight_kg", "Weight (kg)", "number", unit="kg", minimum=0.5, maximum=200),
        _v("height_cm", "Height (cm)", "number", unit="cm", minimum=30, maximum=220),
        _v(
            "sbp_mmhg",
            "Systolic blood pressure (mmHg)",
            "integer",
            unit="mmHg",
            minimum=40,
            maximum=260,
        ),
        _v(
            "dbp_mmhg",
            "Diastolic blood pressure (mmHg)",
            "integer",
            unit="mmHg",
            minimum=20,
            maximum=180,
        ),
        _v("edema", "Edema at the visit", "category", (("yes", "Yes"), ("no", "No"))),
    ),
    "labs": (
        _PATIENT_ID,
        _v("date", "Sample date", "date"),
        _v("test", "Laboratory test", "category", LAB_TESTS),
        _v("value", "Result in the canonical unit", "number"),
        _v("unit", "Canonical unit", "text"),
        _v("measured_value", "Result as measured", "number"),
        _v("measured_unit", "Unit as measured", "text"),
        _v("unit_from_notation", "Unit named by the dipstick notation (unit cell empty)", "text"),
    ),
    "medications": (
        _PATIENT_ID,
        _v("drug", "Drug", "category", DRUGS),
        _v("start_date", "Start date", "date"),
        _v("end_date", "End date (empty = ongoing)", "date"),
        _v("dose", "Dose", "number", minimum=0),
        _v("dose_unit", "Dose unit", "category", DOSE_UNITS),
        _v("schedule", "Schedule", "category", SCHEDULES),
        _v("stop_reason", "Reason for stopping (free text)", "free_text"),
    ),
    "events": (
        _PATIENT_ID,
        _v("date", "Event date", "date"),
        _v("event", "Event", "category", EVENTS),
        _v("detail", "Event detail (free text)", "free_text"),
    ),
}

TABLE_ORDER: tuple[str, ...] = tuple(RAW_TABLES)

# Tables the web registry writes beside the bundle's in its export zip; not part of the data
# contract (a bundle never has them, the command line's exports neither). They go through the
# same de-identification as the bundle's tables (``deidentify``), column by column.
REGISTRY_TABLES: dict[str, tuple[Variable, ...]] = {
    # A principal investigator's signatures (21 CFR 11.50: printed name, time, meaning),
    # the standing one and the ones voided by unlocking.
    "signatures": (
        _PATIENT_ID,
        _v("signed_at", "Signed at (UTC)", "timestamp"),
        _v("signer_username", "Signer's user name", "text"),
        _v("signer_name", "Signer's printed name", "text"),
        _v("meaning", "Meaning of the signature (reviewed, approved, responsibility)", "text"),
        _v("status", "standing (the record is locked) or void (unlocked)", "text"),
        _v("voided_at", "Unlocked at (UTC; the signature is void)", "timestamp"),
        _v("voided_by_username", "Unlocked by (user name)", "text"),
        _v("void_reason", "Reason for unlocking (free text)", "free_text"),
    ),
}


def variable_for(table: str, column: str) -> Variable | None:
    """The description of ``column`` in ``table`` (``"analysis"`` for the analysis dataset)."""
    if table == "analysis":
        return analysis_variable(column)
    for variable in RAW_TABLES.get(table) or REGISTRY_TABLES.get(table, ()):
        if variable.name == column:
            return variable
    return None
