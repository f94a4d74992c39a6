"""The seed study's analysis, for any cohort: analysis dataset in, result items out.

Every result of the seed's Results section (and Tables 1 and 2, Figure 1)
has a function here that reads the analysis dataset (docs/architecture.md)
and returns items with stable dotted ids (the list is in docs/report.md).
Study results use the eligible patients only; the eligibility flow uses all.
"""

from __future__ import annotations

import pandas as pd

from nephrocohort.report._columns import HISTOLOGY_ORDER, TIMEPOINTS
from nephrocohort.report._items import CountItem
from nephrocohort.report._options import ReportOptions
from nephrocohort.report._stats import (
    group_comparison_item,
    kaplan_meier_item,
    summary_item,
    wilcoxon_item,
)

__all__ = ["study_items", "eligibility_items", "excluded_patients", "eligible_rows"]

_HISTOLOGY_LABELS = {
    "MCD": "Minimal change disease",
    "FSGS": "Focal segmental glomerulosclerosis",
    "MN": "Membranous nephropathy",
    "DMS": "Diffuse mesangial sclerosis",
    "MesPGN": "Mesangial proliferative glomerulonephritis",
    "C3G": "C3 glomerulopathy",
    "IgAN": "IgA nephropathy",
    "other": "Other histology",
}
_STATE_LABELS = {
    "nephrotic": "Nephrotic-range proteinuria",
    "partial": "Non-nephrotic proteinuria (partial remission)",
    "complete": "No proteinuria (complete remission)",
}
_RESPONSE_LABELS = {
    "complete": "Complete remission",
    "partial": "Partial remission (non-nephrotic proteinuria)",
    "none": "No response (nephrotic-range proteinuria)",
}


# -- small helpers -------------------------------------------------------------


def _as_boolean(series: pd.Series) -> pd.Series:
    return series.astype("boolean")


def count_true(item_id: str, label: str, series: pd.Series) -> CountItem:
    """Patients with True among those with a recorded value."""
    values = _as_boolean(series)
    known = values.dropna()
    return CountItem(
        id=item_id,
        label=label,
        n=int(known.sum()),
        denominator=int(len(known)),
        missing=int(len(values) - len(known)),
    )


def count_levels(prefix: str, series: pd.Series, labels: dict, *, keys=None) -> list[CountItem]:
    """One item per level, each out of the patients with a recorded value."""
    known = series.dropna().astype(str)
    missing = int(len(series) - len(known))
    keys = keys or {level: level for level in labels}
    return [
        CountItem(
            id=f"{prefix}.{keys[level]}",
            label=label,
            n=int((known == level).sum()),
            denominator=int(len(known)),
            missing=missing,
        )
        for level, label in labels.items()
    ]


def eligible_rows(analysis: pd.DataFrame) -> pd.DataFrame:
    """Patients the study analyses: eligibility verdict True (NA is not eligible)."""
    mask = _as_boolean(analysis["eligible"]).fillna(False).astype(bool)
    return analysis.loc[mask.to_numpy()]


def _histologies_present(study: pd.DataFrame) -> list[str]:
    present = set(study["histology"].dropna().astype(str))
    ordered = [h for h in HISTOLOGY_ORDER if h in present or h in ("MCD", "FSGS")]
    return ordered + sorted(present - set(HISTOLOGY_ORDER))


# -- sections --------------------------------------------------------------------


def eligibility_items(analysis: pd.DataFrame) -> list[CountItem]:
    """The eligibility flow: assessed -> excluded (with reasons) / not assessable -> included."""
    verdict = _as_boolean(analysis["eligible"])
    assessed = int(len(analysis))
    excluded = analysis.loc[(verdict == False).fillna(False).to_numpy()]  # noqa: E712
    included = analysis.loc[(verdict == True).fillna(False).to_numpy()]  # noqa: E712
    items = [
        CountItem("eligibility.assessed", "Patients assessed for eligibility", assessed, assessed),
        CountItem(
            "eligibility.excluded",
            "Excluded (a patient may have several reasons)",
            int(len(excluded)),
            assessed,
            reasons=_reason_counts(excluded["exclusion_reasons"]),
        ),
        CountItem(
            "eligibility.not_assessable",
            "Eligibility could not be assessed (data missing)",
            int(verdict.isna().sum()),
            assessed,
        ),
        CountItem("eligibility.included", "Included in the analysis", int(len(included)), assessed),
    ]
    if "eligibility_unchecked" in analysis.columns:  # optional column of derive
        unchecked = (
            included["eligibility_unchecked"].astype("string").str.strip().replace("", pd.NA)
        )
        items.append(
            CountItem(
                "eligibility.included_unchecked",
                "Included with a criterion that could not be checked (not recorded)",
                int(unchecked.notna().sum()),
                int(len(included)),
                reasons=_reason_counts(unchecked),
            )
        )
    return items


def split_reasons(text: str) -> list[str]:
    """The reasons in a "; "-joined text, keeping a reason's own "; " clause with it.

    derive joins a patient's reasons with "; ", and a reason may itself hold
    one ("eGFR before MMF 59 mL/min/1.73m2; the study needs above 60."). A
    part that starts with a lower-case word (not an acronym such as eGFR) and
    follows a part without a final full stop continues that reason.
    """
    reasons: list[str] = []
    for part in (piece.strip() for piece in text.split(";")):
        if not part:
            continue
        continues = part[:2].islower() and part[:2].isalpha()
        if reasons and continues and not reasons[-1].endswith("."):
            reasons[-1] = f"{reasons[-1]}; {part}"
        else:
            reasons.append(part)
    return reasons


def _reason_counts(texts: pd.Series) -> tuple:
    """(reason, patients) pairs from "; "-joined sentences, most frequent first."""
    counts: dict[str, int] = {}
    for text in texts.dropna().astype(str):
        for reason in split_reasons(text):
            counts[reason] = counts.get(reason, 0) + 1
    return tuple(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))


def excluded_patients(analysis: pd.DataFrame) -> pd.DataFrame:
    """One row per patient not analysed, with the reasons a clinician reads."""
    verdict = _as_boolean(analysis["eligible"])
    rows = []
    for patient_id, eligible, reasons in zip(
        analysis["patient_id"], verdict, analysis["exclusion_reasons"], strict=True
    ):
        if eligible is pd.NA or pd.isna(eligible):
            rows.append((patient_id, "Eligibility could not be assessed (data missing)"))
        elif not eligible:
            rows.append((patient_id, "" if pd.isna(reasons) else str(reasons)))
    return pd.DataFrame(rows, columns=["patient_id", "reasons"])


def _demographics(study, options):
    n = int(len(study))
    return [
        CountItem("cohort.n", "Patients analysed", n, n),
        *count_levels(
            "sex",
            study["sex"],
            {"M": "Male", "F": "Female"},
            keys={"M": "male", "F": "female"},
        ),
        summary_item(
            "age_at_diagnosis_months",
            "Age at diagnosis",
            "months",
            study["age_at_diagnosis_months"],
            options,
        ),
        summary_item(
            "age_at_assessment_years",
            "Age at assessment (last follow-up)",
            "years",
            study["age_at_assessment_years"],
            options,
        ),
        summary_item(
            "follow_up_years",
            "Follow-up from onset to last check",
            "years",
            study["follow_up_years"],
            options,
        ),
    ]


def _onset(study):
    return [
        count_true("onset.edema", "Edema at onset", study["onset_edema"]),
        count_true(
            "onset.hypertension", "Arterial hypertension at onset", study["onset_hypertension"]
        ),
        count_true("onset.aki", "Acute kidney injury at onset", study["onset_aki"]),
        count_true("onset.hematuria", "Hematuria at onset", study["onset_hematuria"]),
    ]


def _histology(study):
    """Table 2: biopsy findings, and chronic renal failure within each histology."""
    items = []
    histology = study["histology"].astype("string")
    known = histology.dropna()
    for code in _histologies_present(study):
        label = _HISTOLOGY_LABELS.get(code, code)
        items.append(
            CountItem(
                f"histology.{code}",
                label,
                int((known == code).sum()),
                int(len(known)),
                missing=int(len(histology) - len(known)),
            )
        )
        within = study.loc[(histology == code).fillna(False).to_numpy()]
        items.append(
            count_true(f"histology.{code}.crf", f"{label}: chronic renal failure", within["crf"])
        )
    return items


def _table1(study, options):
    """Table 1: baseline characteristics by histology."""
    items = []
    histology = study["histology"].astype("string")
    with_histology = int(histology.notna().sum())
    for code in _histologies_present(study):
        within = study.loc[(histology == code).fillna(False).to_numpy()]
        if within.empty:
            continue
        label = _HISTOLOGY_LABELS.get(code, code)
        sex = within["sex"].dropna().astype(str)
        items += [
            CountItem(f"table1.{code}.n", f"{label}: patients", int(len(within)), with_histology),
            CountItem(
                f"table1.{code}.sex",
                f"{label}: male sex (M:F)",
                int((sex == "M").sum()),
                int(len(sex)),
                missing=int(len(within) - len(sex)),
            ),
            summary_item(
                f"table1.{code}.age_years",
                f"{label}: current age",
                "years",
                within["age_at_assessment_years"],
                options,
            ),
            summary_item(
                f"table1.{code}.months_diagnosis_to_mmf",
                f"{label}: time from diagnosis to MMF",
                "months",
                within["months_diagnosis_to_mmf"],
                options,
            ),
            count_true(
                f"table1.{code}.hypertension",
                f"{label}: high blood pressure at onset",
                within["onset_hypertension"],
            ),
            summary_item(
                f"table1.{code}.egfr_mmf_start",
                f"{label}: eGFR at MMF start",
                "mL/min/1.73 m2",
                within["egfr_mmf_start"],
                options,
            ),
        ]
    return items


def _treatment(study, options):
    return [
        count_true(
            "treatment.steroid_pulses", "Steroid pulses before MMF", study["prior_steroid_pulses"]
        ),
        count_true(
            "treatment.cyclophosphamide",
            "Cyclophosphamide before MMF",
            study["prior_cyclophosphamide"],
        ),
        count_true(
            "treatment.cyclosporine", "Cyclosporine before MMF", study["prior_cyclosporine"]
        ),
        count_true("treatment.tacrolimus", "Tacrolimus before MMF", study["prior_tacrolimus"]),
        count_true("treatment.mmf", "Mycophenolate mofetil", study["received_mmf"]),
        count_true(
            "treatment.rituximab",
            "Rituximab after MMF start",
            study["received_rituximab_after_mmf"],
        ),
        count_true("treatment.enalapril", "Enalapril", study["received_enalapril"]),
        count_true("treatment.losartan", "Losartan", study["received_losartan"]),
        *count_levels(
            "group",
            study["group"].astype("Int64").astype("string"),
            {
                "1": "Group 1: cyclophosphamide and/or a calcineurin inhibitor before MMF",
                "2": "Group 2: MMF as first immunosuppressant after steroids",
            },
        ),
        summary_item(
            "mmf.years_from_diagnosis",
            "Time from diagnosis to MMF start",
            "years",
            study["years_diagnosis_to_mmf"],
            options,
        ),
        summary_item(
            "mmf.duration_months",
            "MMF treatment duration",
            "months",
            study["mmf_duration_months"],
            options,
        ),
    ]


def _proteinuria(study):
    """Figure 1: proteinuria category at baseline and 1, 3, 6, 12 months on MMF."""
    items = []
    for name, months in TIMEPOINTS.items():
        when = (
            "at MMF start" if months == 0 else f"{months} month{'s' if months > 1 else ''} on MMF"
        )
        labels = {state: f"{text}, {when}" for state, text in _STATE_LABELS.items()}
        items += count_levels(f"proteinuria.{name}", study[f"state_{name}"], labels)
    return items


def _response(study, options):
    items = count_levels("response.month1", study["response_month1"], _RESPONSE_LABELS)
    groups = study["group"].astype("Int64")
    for group in (1, 2):
        within = study.loc[(groups == group).fillna(False).to_numpy()]
        labels = {
            level: f"Group {group}: {text.lower()}" for level, text in _RESPONSE_LABELS.items()
        }
        items += count_levels(f"response.month1.group{group}", within["response_month1"], labels)
    comparison = group_comparison_item(
        "response.month1.group_test",
        "One-month response, group 1 vs group 2",
        groups,
        study["response_month1"],
        levels=tuple(_RESPONSE_LABELS),
    )
    if comparison is not None:
        items.append(comparison)
    return items


def _before_after(study, options):
    items = []
    pairs = (
        ("relapses_per_year", "Relapses per year", "relapses/year", "relapses_per_year_before",
         "relapses_per_year_after", "in the 12 months before MMF", "on MMF"),
        ("steroid_dose", "Steroid dose", "mg/kg/day", "steroid_mg_kg_day_before",
         "steroid_mg_kg_day_after", "at MMF start", "at follow-up on MMF"),
    )  # fmt: skip
    for prefix, label, unit, before, after, when_before, when_after in pairs:
        items += [
            summary_item(
                f"{prefix}.before", f"{label} {when_before}", unit, study[before], options
            ),
            summary_item(f"{prefix}.after", f"{label} {when_after}", unit, study[after], options),
            wilcoxon_item(
                f"{prefix}.test",
                f"{label}, before vs after MMF",
                study[before],
                study[after],
                options,
            ),
        ]
    items.append(
        count_true(
            "prednisolone_stopped", "Prednisolone stopped on MMF", study["prednisolone_stopped"]
        )
    )
    items += [
        summary_item(
            "egfr.mmf_start",
            "eGFR at MMF start",
            "mL/min/1.73 m2",
            study["egfr_mmf_start"],
            options,
        ),
        summary_item(
            "egfr.month12",
            "eGFR after one year on MMF",
            "mL/min/1.73 m2",
            study["egfr_month12"],
            options,
        ),
        wilcoxon_item(
            "egfr.test",
            "eGFR, MMF start vs one year",
            study["egfr_mmf_start"],
            study["egfr_month12"],
            options,
        ),
    ]
    return items


def _rrt_without_transplant(study) -> pd.Series:
    """RRT short of a transplant, so that medical only / RRT / transplant partition the cohort.

    The seed reports them as three exclusive groups (24 + 1 + 1 of 26); ``rrt``
    in the analysis dataset is dialysis or transplant, so a transplanted child
    counts under transplant only. Unknown when either flag is unknown, except
    that a known transplant settles it.
    """
    rrt, transplant = _as_boolean(study["rrt"]), _as_boolean(study["transplant"])
    result = rrt & ~transplant
    return result.mask(transplant.fillna(False).astype(bool), False)


def _outcomes(study):
    return [
        count_true("outcomes.medical_only", "Medical treatment only", study["medical_only"]),
        count_true(
            "outcomes.rrt",
            "Renal replacement therapy without transplant (dialysis)",
            _rrt_without_transplant(study),
        ),
        count_true("outcomes.transplant", "Kidney transplantation", study["transplant"]),
        count_true("outcomes.crf", "Chronic renal failure", study["crf"]),
        count_true("outcomes.death", "Death", study["death"]),
        count_true("adverse.diarrhea", "Diarrhea on MMF", study["ae_diarrhea"]),
        count_true(
            "adverse.severe_infection", "Severe infection on MMF", study["ae_severe_infection"]
        ),
        count_true("adverse.leukopenia", "Leukopenia on MMF", study["ae_leukopenia"]),
    ]


def _survival(study):
    return [
        kaplan_meier_item(
            "km.complete_remission",
            "Time to complete remission after MMF start",
            study["days_to_complete_remission"],
            study["complete_remission_observed"],
        ),
        kaplan_meier_item(
            "km.crf",
            "Time to chronic renal failure after MMF start",
            study["days_to_crf"],
            study["crf_observed"],
        ),
    ]


def study_items(study: pd.DataFrame, options: ReportOptions) -> list:
    """Every study result for the analysed (eligible) patients, in report order."""
    return [
        *_demographics(study, options),
        *_onset(study),
        *_histology(study),
        *_table1(study, options),
        *_treatment(study, options),
        *_proteinuria(study),
        *_response(study, options),
        *_before_after(study, options),
        *_outcomes(study),
        *_survival(study),
    ]
