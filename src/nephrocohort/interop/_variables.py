"""Every exported column, described once: label, kind, codes, unit and plausible range.

SPSS and Stata labels, the REDCap data dictionary and the legacy-sheet
validator all read this one table, so a code added here appears everywhere
(STYLE.md 2.4: allowed values are declared once, as data).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Variable",
    "RAW_TABLES",
    "ANALYSIS_VARIABLES",
    "TABLE_ORDER",
    "variable_for",
]

YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"))
SEROLOGY = (("positive", "Positive"), ("negative", "Negative"), ("unknown", "Unknown"))

HISTOLOGY = (
    ("MCD", "Minimal change disease"),
    ("FSGS", "Focal segmental glomerulosclerosis"),
    ("MN", "Membranous nephropathy"),
    ("DMS", "Diffuse mesangial sclerosis"),
    ("MesPGN", "Mesangial proliferative glomerulonephritis"),
    ("C3G", "C3 glomerulopathy"),
    ("IgAN", "IgA nephropathy"),
    ("other", "Other"),
)
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
PROTEINURIA_STATES = (
    ("complete", "Complete remission"),
    ("partial", "Partial remission"),
    ("nephrotic", "Nephrotic range"),
)
RESPONSES = (("complete", "Complete"), ("partial", "Partial"), ("none", "None"))


@dataclass(frozen=True)
class Variable:
    """One column: what it means, what kind of value it holds and what is allowed.

    ``kind`` is one of ``id``, ``text``, ``free_text`` (dropped when
    de-identifying), ``date``, ``category``, ``boolean``, ``integer`` or
    ``number``. ``choices`` are ``(code, label)`` pairs in display order;
    ``ordered`` marks an ordinal scale. ``minimum``/``maximum`` are plausible
    limits in ``unit`` used for REDCap validation and legacy-sheet checks.
    """

    name: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    ordered: bool = False

    @property
    def measure(self) -> str:
        """The SPSS measurement level: nominal, ordinal or scale."""
        if self.kind in ("integer", "number", "date"):
            return "scale"
        if self.kind == "category" and self.ordered:
            return "ordinal"
        return "nominal"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.choices)


def _v(name, label, kind, choices=(), unit=None, minimum=None, maximum=None, ordered=False):
    return Variable(name, label, kind, tuple(choices), unit, minimum, maximum, ordered)


_PATIENT_ID = _v("patient_id", "Patient identifier (pseudonymous)", "id")

RAW_TABLES: dict[str, tuple[Variable, ...]] = {
    "patients": (
        _PATIENT_ID,
        _v("center", "Center", "text"),
        _v("sex", "Sex", "category", (("M", "Male"), ("F", "Female"))),
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

_GROUPS = (("1", "CYC and/or CNI before MMF"), ("2", "MMF first"))

ANALYSIS_VARIABLES: tuple[Variable, ...] = (
    _PATIENT_ID,
    _v("center", "Center", "text"),
    _v("sex", "Sex", "category", (("M", "Male"), ("F", "Female"))),
    _v("histology", "Histology of the diagnostic biopsy", "category", HISTOLOGY),
    _v("group", "Treatment group", "category", _GROUPS),
    _v("eligible", "Eligible for the study", "boolean"),
    _v("exclusion_reasons", "Reasons for exclusion", "text"),
    _v(
        "steroid_response",
        "Steroid response",
        "category",
        (("resistant", "Resistant"), ("sensitive", "Sensitive")),
    ),
    _v("onset_date", "Date of onset", "date"),
    _v("last_followup_date", "Date of last follow-up", "date"),
    _v("mmf_start_date", "MMF start date", "date"),
    _v("mmf_stop_date", "MMF stop date", "date"),
    _v(
        "age_at_diagnosis_months",
        "Age at diagnosis (months)",
        "number",
        unit="months",
        minimum=0,
        maximum=216,
    ),
    _v(
        "age_at_assessment_years",
        "Age at assessment (years)",
        "number",
        unit="years",
        minimum=0,
        maximum=30,
    ),
    _v("follow_up_years", "Follow-up (years)", "number", unit="years", minimum=0, maximum=30),
    _v("onset_edema", "Edema at onset", "boolean"),
    _v("onset_hypertension", "Hypertension at onset", "boolean"),
    _v("onset_aki", "Acute kidney injury at onset", "boolean"),
    _v("onset_hematuria", "Hematuria at onset", "boolean"),
    _v(
        "months_diagnosis_to_mmf",
        "Months from diagnosis to MMF",
        "number",
        unit="months",
        minimum=0,
        maximum=360,
    ),
    _v(
        "years_diagnosis_to_mmf",
        "Years from diagnosis to MMF",
        "number",
        unit="years",
        minimum=0,
        maximum=30,
    ),
    _v(
        "mmf_duration_months",
        "MMF duration (months)",
        "number",
        unit="months",
        minimum=0,
        maximum=360,
    ),
    _v("prior_steroid_pulses", "Steroid pulses before MMF", "boolean"),
    _v("prior_cyclophosphamide", "Cyclophosphamide before MMF", "boolean"),
    _v("prior_cyclosporine", "Cyclosporine before MMF", "boolean"),
    _v("prior_tacrolimus", "Tacrolimus before MMF", "boolean"),
    _v("prior_rituximab", "Rituximab before MMF", "boolean"),
    _v("received_mmf", "Received MMF", "boolean"),
    _v("received_rituximab_after_mmf", "Rituximab after MMF start", "boolean"),
    _v("received_enalapril", "Received enalapril", "boolean"),
    _v("received_losartan", "Received losartan", "boolean"),
    *(
        _v(
            f"state_month{m}",
            f"Proteinuria state at month {m} of MMF",
            "category",
            PROTEINURIA_STATES,
            ordered=True,
        )
        for m in (0, 1, 3, 6, 12)
    ),
    _v("response_month1", "Response at one month of MMF", "category", RESPONSES, ordered=True),
    _v("relapses_before", "Relapses in the period before MMF", "integer", minimum=0, maximum=100),
    _v("relapses_after", "Relapses in the period on MMF", "integer", minimum=0, maximum=100),
    _v(
        "relapses_per_year_before",
        "Relapses per year before MMF",
        "number",
        unit="per year",
        minimum=0,
        maximum=100,
    ),
    _v(
        "relapses_per_year_after",
        "Relapses per year on MMF",
        "number",
        unit="per year",
        minimum=0,
        maximum=100,
    ),
    _v(
        "steroid_mg_kg_day_before",
        "Steroid dose at MMF start (mg/kg/day)",
        "number",
        unit="mg/kg/day",
        minimum=0,
        maximum=10,
    ),
    _v(
        "steroid_mg_kg_day_after",
        "Steroid dose at follow-up (mg/kg/day)",
        "number",
        unit="mg/kg/day",
        minimum=0,
        maximum=10,
    ),
    _v("prednisolone_stopped", "Prednisolone stopped", "boolean"),
    _v(
        "egfr_mmf_start",
        "eGFR at MMF start (mL/min/1.73 m2)",
        "number",
        unit="mL/min/1.73m2",
        minimum=1,
        maximum=400,
    ),
    _v(
        "egfr_month12",
        "eGFR at 12 months (mL/min/1.73 m2)",
        "number",
        unit="mL/min/1.73m2",
        minimum=1,
        maximum=400,
    ),
    _v("crf", "Chronic renal failure", "boolean"),
    _v("crf_date", "Date of chronic renal failure", "date"),
    _v("rrt", "Renal replacement therapy", "boolean"),
    _v("transplant", "Kidney transplant", "boolean"),
    _v("death", "Death", "boolean"),
    _v("medical_only", "Medical treatment only", "boolean"),
    _v("ae_diarrhea", "Diarrhea on MMF", "boolean"),
    _v("ae_severe_infection", "Severe infection on MMF", "boolean"),
    _v("ae_leukopenia", "Leukopenia on MMF", "boolean"),
    _v(
        "days_to_complete_remission",
        "Days from MMF start to complete remission or censoring",
        "number",
        unit="days",
        minimum=0,
        maximum=20000,
    ),
    _v("complete_remission_observed", "Complete remission observed", "boolean"),
    _v(
        "days_to_crf",
        "Days from MMF start to CRF or censoring",
        "number",
        unit="days",
        minimum=0,
        maximum=20000,
    ),
    _v("crf_observed", "CRF observed", "boolean"),
)


def variable_for(table: str, column: str) -> Variable | None:
    """The description of ``column`` in ``table`` (``"analysis"`` for the analysis dataset)."""
    variables = ANALYSIS_VARIABLES if table == "analysis" else RAW_TABLES.get(table, ())
    for variable in variables:
        if variable.name == column:
            return variable
    return None
