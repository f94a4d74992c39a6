"""The analysis dataset's columns, each declared once: name, type, label, codes, unit, rule.

derive builds exactly these columns with these dtypes, the analysis CSV
reader and writer (:mod:`nephrocohort.cohort.analysis_csv`) type and check
cells by them, the SPSS/Stata/REDCap exports take labels, codes and
measurement levels from them, the report checks the columns it needs
(``report=True``) and the registry's patient page shows the ``shown_first``
ones first. Adding a column to the dataset is one entry in
``ANALYSIS_VARIABLES`` (and the code in derive that computes it).

Labels and code labels are English source strings, the keys a translation
will use. Plausible ranges (``minimum``/``maximum`` in ``unit``) are
physiological limits chosen by the project, not clinical thresholds
(docs/data-dictionary.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from nephrocohort.clinical import blood_pressure
from nephrocohort.cohort import vocabulary as vocab
from nephrocohort.i18n import N_, gettext

__all__ = [
    "Variable",
    "ANALYSIS_VARIABLES",
    "ANALYSIS_COLUMNS",
    "REPORT_COLUMNS",
    "CONFIRMABLE_COLUMNS",
    "SHOWN_FIRST_COLUMNS",
    "STATE_MONTHS",
    "analysis_variable",
    "rule_template",
    "labelled",
    "SEX",
    "HISTOLOGY",
    "PROTEINURIA_STATES",
    "RESPONSES",
    "RELAPSE_COURSES",
    "CNI_RESPONSES",
]

#: pandas dtype of each kind of value (``category`` and text columns are pandas strings).
KIND_DTYPES = {
    "id": "string",
    "text": "string",
    "free_text": "string",
    "category": "string",
    "date": "datetime64[ns]",
    # The time of an action in the registry (a signature), not of the patient's care.
    "timestamp": "datetime64[ns, UTC]",
    "boolean": "boolean",
    "integer": "Int64",
    "number": "float64",
}


@dataclass(frozen=True)
class Variable:
    """One column: what it means, what kind of value it holds and what is allowed.

    ``kind`` is one of ``id``, ``text``, ``free_text`` (dropped when
    de-identifying), ``date``, ``timestamp`` (when something was done in the
    registry, in UTC; dropped when de-identifying), ``category``, ``boolean``,
    ``integer`` or ``number``; ``dtype`` is the pandas dtype (default from the kind).
    ``choices`` are ``(code, label)`` pairs in display order; ``ordered``
    marks an ordinal scale. ``minimum``/``maximum`` are plausible limits in
    ``unit``. ``rule`` is the sentence ``explain`` shows for how the value is
    derived (a ``str.format`` template over the rule set's parameter texts
    and explain's constants, ``explain._rule_context``): the one place a
    rule is written in words. It is an English source string marked for
    translation, or a tuple of them written one after the other (a shared
    rule after a column's own sentence); :func:`rule_template` gives it in the
    active language. ``report`` marks a
    column the report needs; ``shown_first`` one the registry's patient page
    shows before the others.
    """

    name: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    ordered: bool = False
    dtype: str = ""
    rule: str | tuple[str, ...] = ""
    report: bool = False
    shown_first: bool = False

    def __post_init__(self):
        if self.kind not in KIND_DTYPES:
            raise ValueError(f"unknown kind {self.kind!r} of variable {self.name!r}")
        object.__setattr__(self, "choices", tuple(self.choices))
        if not self.dtype:
            object.__setattr__(self, "dtype", KIND_DTYPES[self.kind])

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


def labelled(codes: tuple[str, ...], labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """``(code, label)`` pairs in the vocabulary's order; every code needs exactly one label."""
    if set(codes) != set(labels):
        raise ValueError(f"labels {sorted(labels)} do not match the codes {sorted(codes)}")
    return tuple((code, labels[code]) for code in codes)


SEX = labelled(vocab.SEX, {"M": "Male", "F": "Female"})
HISTOLOGY = labelled(
    vocab.HISTOLOGY,
    {
        "MCD": "Minimal change disease",
        "FSGS": "Focal segmental glomerulosclerosis",
        "MN": "Membranous nephropathy",
        "DMS": "Diffuse mesangial sclerosis",
        "MesPGN": "Mesangial proliferative glomerulonephritis",
        "C3G": "C3 glomerulopathy",
        "IgAN": "IgA nephropathy",
        "other": "Other",
    },
)
PROTEINURIA_STATES = (
    ("complete", "Complete remission"),
    ("partial", "Partial remission"),
    ("none", "No remission"),
    ("nephrotic", "Nephrotic range"),
)
BP_CATEGORIES = labelled(
    blood_pressure.BP_CATEGORIES,
    {
        "normal": "Normal",
        "elevated": "Elevated",
        "stage_1_hypertension": "Stage 1 hypertension",
        "stage_2_hypertension": "Stage 2 hypertension",
    },
)
RESPONSES = (("complete", "Complete"), ("partial", "Partial"), ("none", "None"))
STEROID_RESPONSES = (
    ("resistant", "Resistant"),
    ("sensitive", "Sensitive"),
    ("late_responder", "Late responder (sensitive in the confirmation period)"),
)
GROUPS = (("1", "CYC and/or CNI before MMF"), ("2", "MMF first"))
#: The proteinuria time points of the dataset, in months after the MMF start.
STATE_MONTHS = (0, 1, 3, 6, 12)
#: The columns derive can mark as resting on an unconfirmed reading (``unconfirmed_values``);
#: the report counts the derived values of these columns (a column derive starts marking
#: must be added here: tests/report/test_unconfirmed_count.py checks it on the demo).
CONFIRMABLE_COLUMNS = (
    *(f"state_month{month}" for month in STATE_MONTHS),
    "response_month1",
    "relapses_before",
    "relapses_after",
    "relapses_per_year_before",
    "relapses_per_year_after",
    "partial_remission_losses_before",
    "partial_remission_losses_after",
    "steroid_response",
    "days_to_complete_remission",
    "complete_remission_observed",
    "relapse_course",
    "cni_response",
)

#: How a day's steroid dose in mg/kg/day is summed (steroid_mg_kg_day_before/_after).
STEROID_DOSE_RULE = N_(
    "Sum of the {steroid_drugs} rows active that day (start <= day <= end; on a "
    "hand-over day only the new row), in mg/kg/day: alternate-day doses halved, "
    "mg/day divided by the nearest visit's weight, mg/m2 converted with Mosteller BSA"
    " from the nearest visit's height and weight; 0 when none is active; NA without "
    "MMF or when a needed weight or height is missing."
)
#: Which creatinine gives the eGFR of a time point (egfr_mmf_start, egfr_month12).
EGFR_RULE = N_(
    "eGFR ({egfr_equation}) of the serum creatinine nearest the time point inside the"
    " window (equal distance: the earlier), with the height of the nearest visit and "
    "the age and sex on that day."
)
#: When chronic renal failure begins (crf, crf_date).
CRF_RULE = N_(
    "eGFR < {crf_egfr_below} on consecutive measurements spanning more than "
    "{crf_min_duration_days} days (values before age {crf_min_age_years} not used), "
    "or a recorded {crf_events} event; date = the earlier of the first low value and "
    "the event."
)
#: How a day's proteinuria state is decided and confirmed (templates over the rule
#: set's parameter texts, ``clinical.rules.display.parameter_texts``).
STATE_RULE = N_(
    "The day's best proteinuria reading ({measurement_priority}) in four states under rule set "
    "'{rule_set}': complete remission, partial remission (tests: {partial_remission_tests}; "
    "serum albumin {partial_remission_min_albumin_g_dl}, nearest within {albumin_window_days}; "
    "without albumin: {partial_remission_without_albumin}), no remission (above the partial "
    "range or partial without its albumin, below the nephrotic threshold) and nephrotic range. "
    "Confirmation: {confirmation}; complete remission {remission_confirmation_days}, nephrotic "
    "range {relapse_confirmation_days}. A state contradicted within its confirmation days is "
    "disregarded; one recorded on too few consecutive days, with nothing against it, is used "
    "and marked unconfirmed."
)
TIMEPOINT_RULE = (
    N_(
        "The reading nearest the target inside the window (equal distance: the earlier one); "
        "no reading in the window = NA."
    ),
    STATE_RULE,
)
RELAPSE_RULE = N_(
    "Relapses in the period: a return to the nephrotic range after {relapse_after}, confirmed "
    "as the nephrotic range is ({confirmation}; {relapse_confirmation_days}); periods: "
    "{relapse_period}. A derived relapse and a recorded relapse event within "
    "{relapse_merge_days} of each other are one relapse (two derived or two recorded relapses "
    "are two; merges do not chain)."
)
LOSS_RULE = N_(
    "Returns to the nephrotic range after a partial remission with no complete remission "
    "since the last nephrotic range (relapse counted after: {relapse_after}), in the same "
    "period as the relapses; never counted as relapses."
)
STEROID_RULE = N_(
    "clinical.syndrome.steroid_response on the first continuous daily prednisolone/prednisone "
    "course (day 0 = its start): complete remission within {steroid_trial_days} = sensitive; "
    "confirmation period only after partial remission: {steroid_confirmation_only_after_partial} "
    "(up to {steroid_late_response_until_day}); the states at the end of the trial and of the "
    "confirmation period are read from the readings within {steroid_assessment_window_days}."
)
REMISSION_RULE = N_(
    "Days from MMF start to the first complete-remission reading on MMF that stands "
    "({confirmation}; {remission_confirmation_days}); censored at MMF stop or end of follow-up."
)
UNCONFIRMED_RULE = N_(
    "The values of this row that rest on a state recorded on fewer consecutive days than "
    "rule set '{rule_set}' needs ({confirmation}), with nothing contradicting it."
)

RELAPSE_COURSES = (
    ("steroid_dependent", "Steroid-dependent"),
    ("frequently_relapsing", "Frequently relapsing"),
    ("infrequently_relapsing", "Infrequently relapsing"),
    ("no_relapse", "No relapse"),
)
CNI_RESPONSES = (("responsive", "CNI-responsive"), ("resistant", "CNI-resistant"))
#: The course of the disease (issue 10 item 5), under the rule set's named parameters;
#: NA with the reason explain gives where the rule set defines nothing (the seed study).
RELAPSE_COURSE_RULE = N_(
    "clinical.relapse_course under rule set '{rule_set}', for children steroid-sensitive at "
    "onset (steroid_response sensitive or late responder; NA otherwise), on the relapses of "
    "relapses_before/after over the whole follow-up: frequently relapsing = at least "
    "{frequent_relapse_first_min} relapses in the first {frequent_relapse_first_months} from "
    "{frequent_relapse_first_from}, or at least {frequent_relapse_any_min} in any "
    "{frequent_relapse_any_months}; steroid-dependent = two consecutive relapses on "
    "prednisolone/prednisone or up to {steroid_dependence_days_after_stop}; infrequently "
    "relapsing = relapses, neither of these; no relapse = none, the first period observed. "
    "Steroid-dependent is shown before frequently relapsing when both hold."
)
SECONDARY_RESISTANCE_RULE = N_(
    "clinical.resistance.secondary_steroid_resistance under rule set '{rule_set}': "
    "steroid-sensitive at onset (steroid_response), and at a later relapse no complete "
    "remission within {steroid_trial_days}: the daily prednisolone/prednisone course starting "
    "from the relapse day to {relapse_merge_days} after it, at standard dose "
    "({secondary_resistance_standard_mg_kg_day} or {steroid_max_mg_day}; a dose counts down to "
    "{secondary_resistance_dose_tolerance}), judged by its complete-remission days and the "
    "first reading from the trial's last day on. NA when not sensitive at onset or a relapse "
    "course cannot be judged. Source: KDIGO 2025 Figure 1 (secondary)."
)
CNI_RULE = N_(
    "clinical.cni_response on the first cyclosporine/tacrolimus course (switches between the "
    "two continue it), for steroid-resistant children (primary or secondary): responsive = "
    "partial or complete remission within {cni_resistance_months}, or complete remission "
    "within {cni_complete_remission_months}; resistant = neither, the CNI given at least that "
    "long at an adequate dose (cyclosporine {cni_adequate_cyclosporine_mg_kg_day}, tacrolimus "
    "{cni_adequate_tacrolimus_mg_kg_day}, every course row of the first months, weight at the "
    "row's start); NA otherwise. Source: IPNA 2020 Table 1 via KDIGO 2025 Figure 1 (secondary)."
)
MULTIDRUG_RULE = N_(
    "clinical.resistance.multidrug_resistant for steroid-resistant children given two "
    "mechanistically distinct steroid-sparing agents (calcineurin inhibitor, antimetabolite, "
    "alkylating agent, anti-CD20): no complete remission from the first agent's start up to "
    "{multidrug_resistance_months}; a CNI counts at the adequate dose of cni_response, the "
    "other agents at any recorded dose (the rule set gives no minimum). Source: IPNA 2020 via "
    "KDIGO 2025 Figure 1 (secondary)."
)

V = Variable

ANALYSIS_VARIABLES: tuple[Variable, ...] = (
    V(
        "patient_id",
        "Patient identifier (pseudonymous)",
        "id",
        report=True,
        rule=N_("Copied from the patients table (patient_id)."),
    ),
    V("center", "Center", "text", rule=N_("Copied from the patients table (center).")),
    V("sex", "Sex", "category", SEX, report=True, rule=N_("Copied from the patients table (sex).")),
    V(
        "histology",
        "Histology of the diagnostic biopsy",
        "category",
        HISTOLOGY,
        report=True,
        rule=N_("Histology of the diagnostic (first) biopsy by date."),
    ),
    V(
        "group",
        "Treatment group",
        "category",
        GROUPS,
        dtype="Int64",
        report=True,
        shown_first=True,
        rule=N_("1 if {group_1_drugs} was started before MMF, else 2; NA without MMF."),
    ),
    V(
        "eligible",
        "Eligible for the study",
        "boolean",
        report=True,
        shown_first=True,
        rule=N_(
            "clinical.eligibility.assess_eligibility under rule set '{rule_set}' with: "
            "{inputs}. Without MMF a patient is not eligible."
        ),
    ),
    V(
        "exclusion_reasons",
        "Reasons for exclusion",
        "text",
        report=True,
        shown_first=True,
        rule=N_(
            "Why the patient is not eligible, joined with '; ' (empty when eligible): proven "
            "exclusions, then inclusion criteria (age, steroid resistance, eGFR before MMF) "
            "that could not be confirmed."
        ),
    ),
    V(
        "eligibility_unchecked",
        "Exclusion criteria that could not be checked",
        "text",
        rule=N_(
            "Exclusion criteria the verdict could not check because the value is not recorded"
            " (these never exclude)."
        ),
    ),
    V(
        "steroid_response",
        "Steroid response",
        "category",
        STEROID_RESPONSES,
        shown_first=True,
        rule=STEROID_RULE,
    ),
    V("onset_date", "Date of onset", "date", rule=N_("Copied from patients.onset_date.")),
    V(
        "last_followup_date",
        "Date of last follow-up",
        "date",
        report=True,
        rule=N_("Copied from patients.last_followup_date."),
    ),
    V(
        "mmf_start_date",
        "MMF start date",
        "date",
        report=True,
        shown_first=True,
        rule=N_("Earliest start_date of the {mmf_drugs} rows."),
    ),
    V(
        "mmf_stop_date",
        "MMF stop date",
        "date",
        rule=N_("Latest end_date of the MMF rows; NA while any MMF row has no end date (ongoing)."),
    ),
    V(
        "age_at_diagnosis_months",
        "Age at diagnosis (months)",
        "number",
        unit="months",
        minimum=0,
        maximum=216,
        report=True,
        rule=N_("(onset_date - birth_date) in days / {days_per_month}."),
    ),
    V(
        "age_at_assessment_years",
        "Age at assessment (years)",
        "number",
        unit="years",
        minimum=0,
        maximum=30,
        report=True,
        rule=N_("(last_followup_date - birth_date) in days / {days_per_year}."),
    ),
    V(
        "follow_up_years",
        "Follow-up (years)",
        "number",
        unit="years",
        minimum=0,
        maximum=30,
        report=True,
        rule=N_("(last_followup_date - onset_date) in days / {days_per_year}."),
    ),
    V(
        "onset_edema",
        "Edema at onset",
        "boolean",
        report=True,
        rule=N_("patients.edema_at_onset: yes = true, no = false, unknown or empty = NA."),
    ),
    V(
        "onset_hypertension",
        "Hypertension at onset (recorded)",
        "boolean",
        report=True,
        rule=N_("patients.hypertension_at_onset: yes = true, no = false, unknown or empty = NA."),
    ),
    V(
        "onset_bp_category",
        "Blood pressure at onset, AAP 2017 category (highest of the onset visits)",
        "category",
        BP_CATEGORIES,
        ordered=True,
        rule=N_(
            "The highest AAP 2017 category (Flynn et al., Pediatrics 2017) of the visits from "
            "{onset_window_days_before} days before to "
            "{onset_window_days_after} days after onset_date with SBP and DBP (height: "
            "the visit's, else the nearest within {onset_height_within_days} days); ages 1-12 by the "
            "Table 4/5 percentiles for age, sex and CDC 2000 height percentile, from 13 years "
            "the fixed thresholds; no category under 1 year."
        ),
    ),
    V(
        "onset_hypertension_bp",
        "Hypertension at onset by the onset visits' blood pressure (AAP 2017 stage 1 or 2)",
        "boolean",
        rule=N_(
            "True when onset_bp_category is stage 1 or stage 2 hypertension, False when an "
            "onset visit was classified and none reached stage 1, missing otherwise. A "
            "disagreement with the recorded hypertension_at_onset is a warning "
            "(onset_hypertension_disagrees), never resolved."
        ),
    ),
    V(
        "onset_aki",
        "Acute kidney injury at onset",
        "boolean",
        report=True,
        rule=N_("patients.aki_at_onset: yes = true, no = false, unknown or empty = NA."),
    ),
    V(
        "onset_hematuria",
        "Hematuria at onset",
        "boolean",
        report=True,
        rule=N_("patients.hematuria_at_onset: yes = true, no = false, unknown or empty = NA."),
    ),
    V(
        "months_diagnosis_to_mmf",
        "Months from diagnosis to MMF",
        "number",
        unit="months",
        minimum=0,
        maximum=360,
        report=True,
        rule=N_("(mmf_start_date - onset_date) in days / {days_per_month}."),
    ),
    V(
        "years_diagnosis_to_mmf",
        "Years from diagnosis to MMF",
        "number",
        unit="years",
        minimum=0,
        maximum=30,
        report=True,
        rule=N_("(mmf_start_date - onset_date) in days / {days_per_year}."),
    ),
    V(
        "mmf_duration_months",
        "MMF duration (months)",
        "number",
        unit="months",
        minimum=0,
        maximum=360,
        report=True,
        rule=N_(
            "(mmf_stop_date, or for an ongoing course the end of observation, - "
            "mmf_start_date) / {days_per_month} days; a death before the stop ends it. End of"
            " observation = the earlier of death (death_date or a death event) and the last "
            "follow-up; with no last_followup_date, the patient's latest dated record."
        ),
    ),
    V(
        "prior_steroid_pulses",
        "Steroid pulses before MMF",
        "boolean",
        report=True,
        rule=N_(
            "A methylprednisolone_pulse row started before the MMF start date (NA without MMF)."
        ),
    ),
    V(
        "prior_cyclophosphamide",
        "Cyclophosphamide before MMF",
        "boolean",
        report=True,
        rule=N_("A cyclophosphamide row started before the MMF start date (NA without MMF)."),
    ),
    V(
        "prior_cyclosporine",
        "Cyclosporine before MMF",
        "boolean",
        report=True,
        rule=N_("A cyclosporine row started before the MMF start date (NA without MMF)."),
    ),
    V(
        "prior_tacrolimus",
        "Tacrolimus before MMF",
        "boolean",
        report=True,
        rule=N_("A tacrolimus row started before the MMF start date (NA without MMF)."),
    ),
    V(
        "prior_rituximab",
        "Rituximab before MMF",
        "boolean",
        rule=N_("A rituximab row started before the MMF start date (NA without MMF)."),
    ),
    V(
        "received_mmf",
        "Received MMF",
        "boolean",
        report=True,
        rule=N_("Any medication row of {mmf_drugs_or}."),
    ),
    V(
        "received_rituximab_after_mmf",
        "Rituximab after MMF start",
        "boolean",
        report=True,
        rule=N_("A rituximab row started on or after the MMF start date (NA without MMF)."),
    ),
    V(
        "received_enalapril",
        "Received enalapril",
        "boolean",
        report=True,
        rule=N_("Any enalapril row."),
    ),
    V(
        "received_losartan",
        "Received losartan",
        "boolean",
        report=True,
        rule=N_("Any losartan row."),
    ),
    *(
        V(
            f"state_month{month}",
            f"Proteinuria state at month {month} of MMF",
            "category",
            PROTEINURIA_STATES,
            ordered=True,
            rule=TIMEPOINT_RULE,
            report=True,
            shown_first=True,
        )
        for month in STATE_MONTHS
    ),
    V(
        "response_month1",
        "Response at one month of MMF",
        "category",
        RESPONSES,
        ordered=True,
        rule=N_(
            "state_month1: complete -> complete, partial -> partial, no remission or "
            "nephrotic range -> none."
        ),
        report=True,
        shown_first=True,
    ),
    V(
        "relapses_before",
        "Relapses in the period before MMF",
        "integer",
        minimum=0,
        maximum=100,
        rule=RELAPSE_RULE,
    ),
    V(
        "relapses_after",
        "Relapses in the period on MMF",
        "integer",
        minimum=0,
        maximum=100,
        rule=RELAPSE_RULE,
    ),
    V(
        "relapses_per_year_before",
        "Relapses per year before MMF",
        "number",
        unit="per year",
        minimum=0,
        maximum=100,
        report=True,
        shown_first=True,
        rule=(
            N_("relapses_before / observed years of the period; NA if nothing observed."),
            RELAPSE_RULE,
        ),
    ),
    V(
        "relapses_per_year_after",
        "Relapses per year on MMF",
        "number",
        unit="per year",
        minimum=0,
        maximum=100,
        report=True,
        shown_first=True,
        rule=(
            N_("relapses_after / observed years of the period; NA if nothing observed."),
            RELAPSE_RULE,
        ),
    ),
    V(
        "partial_remission_losses_before",
        "Losses of partial remission in the period before MMF",
        "integer",
        minimum=0,
        maximum=100,
        rule=LOSS_RULE,
    ),
    V(
        "partial_remission_losses_after",
        "Losses of partial remission in the period on MMF",
        "integer",
        minimum=0,
        maximum=100,
        rule=LOSS_RULE,
    ),
    V(
        "steroid_mg_kg_day_before",
        "Steroid dose at MMF start (mg/kg/day)",
        "number",
        unit="mg/kg/day",
        minimum=0,
        maximum=10,
        report=True,
        shown_first=True,
        rule=STEROID_DOSE_RULE,
    ),
    V(
        "steroid_mg_kg_day_after",
        "Steroid dose at follow-up (mg/kg/day)",
        "number",
        unit="mg/kg/day",
        minimum=0,
        maximum=10,
        report=True,
        shown_first=True,
        rule=STEROID_DOSE_RULE,
    ),
    V(
        "prednisolone_stopped",
        "Prednisolone stopped",
        "boolean",
        report=True,
        rule=N_(
            "Steroid dose at MMF start > 0 and 0 at the follow-up point; NA if either dose is NA."
        ),
    ),
    V(
        "egfr_mmf_start",
        "eGFR at MMF start (mL/min/1.73 m2)",
        "number",
        unit="mL/min/1.73m2",
        minimum=1,
        maximum=400,
        report=True,
        shown_first=True,
        rule=EGFR_RULE,
    ),
    V(
        "egfr_month12",
        "eGFR at 12 months (mL/min/1.73 m2)",
        "number",
        unit="mL/min/1.73m2",
        minimum=1,
        maximum=400,
        report=True,
        shown_first=True,
        rule=EGFR_RULE,
    ),
    V("crf", "Chronic renal failure", "boolean", report=True, shown_first=True, rule=CRF_RULE),
    V("crf_date", "Date of chronic renal failure", "date", rule=CRF_RULE),
    V(
        "rrt",
        "Renal replacement therapy",
        "boolean",
        report=True,
        rule=N_("A dialysis or transplant event."),
    ),
    V("transplant", "Kidney transplant", "boolean", report=True, rule=N_("A transplant event.")),
    V(
        "death",
        "Death",
        "boolean",
        report=True,
        rule=N_("patients.death_date present or a death event."),
    ),
    V(
        "medical_only",
        "Medical treatment only",
        "boolean",
        report=True,
        rule=N_("No dialysis and no transplant (not rrt)."),
    ),
    V(
        "ae_diarrhea",
        "Diarrhea on MMF",
        "boolean",
        report=True,
        rule=N_(
            "A diarrhea event between MMF start and MMF stop (or end of follow-up) inclusive;"
            " NA without MMF."
        ),
    ),
    V(
        "ae_severe_infection",
        "Severe infection on MMF",
        "boolean",
        report=True,
        rule=N_(
            "A severe_infection event between MMF start and MMF stop (or end of follow-up) "
            "inclusive; NA without MMF."
        ),
    ),
    V(
        "ae_leukopenia",
        "Leukopenia on MMF",
        "boolean",
        report=True,
        rule=N_(
            "A leukopenia event between MMF start and MMF stop (or end of follow-up) "
            "inclusive; NA without MMF."
        ),
    ),
    V(
        "days_to_complete_remission",
        "Days from MMF start to complete remission or censoring",
        "number",
        unit="days",
        minimum=0,
        maximum=20000,
        report=True,
        rule=REMISSION_RULE,
    ),
    V(
        "complete_remission_observed",
        "Complete remission observed",
        "boolean",
        report=True,
        rule=N_(
            "True when the remission of days_to_complete_remission was observed; false when "
            "censored."
        ),
    ),
    V(
        "days_to_crf",
        "Days from MMF start to CRF or censoring",
        "number",
        unit="days",
        minimum=0,
        maximum=20000,
        report=True,
        rule=N_(
            "Days from MMF start to crf_date; censored at the last follow-up (or death); NA "
            "if CRF preceded MMF."
        ),
    ),
    V(
        "crf_observed",
        "CRF observed",
        "boolean",
        report=True,
        rule=N_("True when CRF began on or after MMF start; false when censored."),
    ),
    V(
        "relapse_course",
        "Course of steroid-sensitive NS (frequently relapsing, steroid-dependent, infrequently "
        "relapsing)",
        "category",
        RELAPSE_COURSES,
        rule=RELAPSE_COURSE_RULE,
    ),
    V(
        "secondary_steroid_resistance",
        "Secondary steroid resistance (sensitive at onset, resistant at a later relapse)",
        "boolean",
        rule=SECONDARY_RESISTANCE_RULE,
    ),
    V(
        "cni_response",
        "Response to a calcineurin inhibitor (SRNS)",
        "category",
        CNI_RESPONSES,
        rule=CNI_RULE,
    ),
    V(
        "multidrug_resistant_srns",
        "Multidrug-resistant SRNS",
        "boolean",
        rule=MULTIDRUG_RULE,
    ),
    V(
        "n_unconfirmed_values",
        "Values resting on a single (unconfirmed) reading",
        "integer",
        minimum=0,
        maximum=100,
        rule=UNCONFIRMED_RULE,
    ),
    V(
        "unconfirmed_values",
        "Columns whose value rests on an unconfirmed reading",
        "text",
        rule=UNCONFIRMED_RULE,
    ),
)
del V

_BY_NAME: dict[str, Variable] = {variable.name: variable for variable in ANALYSIS_VARIABLES}
if len(_BY_NAME) != len(ANALYSIS_VARIABLES):  # a column declared twice
    raise ValueError("an analysis-dataset column is declared more than once")

#: The columns of the analysis dataset, in order (docs/architecture.md).
ANALYSIS_COLUMNS: tuple[str, ...] = tuple(_BY_NAME)
#: The columns the report reads; the report stops if a derived dataset lacks one.
REPORT_COLUMNS: tuple[str, ...] = tuple(v.name for v in ANALYSIS_VARIABLES if v.report)
#: The derived values the registry's patient page shows first.
SHOWN_FIRST_COLUMNS: tuple[str, ...] = tuple(v.name for v in ANALYSIS_VARIABLES if v.shown_first)


def analysis_variable(name: str) -> Variable | None:
    """The declaration of analysis-dataset column ``name``, or None if it is not one."""
    return _BY_NAME.get(name)


def rule_template(variable: Variable) -> str:
    """The rule template of ``variable`` in the active language ('' when it declares none).

    Each part of a tuple rule is translated on its own and the parts are
    joined with a space, so a shared rule (``STATE_RULE``, ``RELAPSE_RULE``)
    has one catalogue entry however many columns end with it.
    """
    parts = (variable.rule,) if isinstance(variable.rule, str) else variable.rule
    return " ".join(gettext(part) for part in parts if part)
