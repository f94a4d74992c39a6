"""The seed study's analysis, for any cohort: analysis dataset in, result items out.

Every result of the seed's Results section (and Tables 1 and 2, Figure 1)
has a function here that reads the analysis dataset (docs/architecture.md)
and returns items with stable dotted ids (the list is in docs/report.md).
Study results use the eligible patients only; the eligibility flow uses all.
"""

from __future__ import annotations

import pandas as pd

from nephrocohort.cohort.analysis import CONFIRMABLE_COLUMNS
from nephrocohort.i18n import N_, ngettext
from nephrocohort.i18n import gettext as _
from nephrocohort.report._columns import HISTOLOGY_ORDER, TIMEPOINTS
from nephrocohort.report._items import CountItem, FindingItem, count_levels, count_true
from nephrocohort.report._options import ReportOptions
from nephrocohort.report._stats import (
    group_comparison_item,
    kaplan_meier_item,
    summary_item,
    wilcoxon_item,
)

__all__ = [
    "data_quality_items",
    "study_items",
    "consent_items",
    "eligibility_items",
    "excluded_patients",
    "eligible_rows",
]

_HISTOLOGY_LABELS = {
    "MCD": N_("Minimal change disease"),
    "FSGS": N_("Focal segmental glomerulosclerosis"),
    "MN": N_("Membranous nephropathy"),
    "DMS": N_("Diffuse mesangial sclerosis"),
    "MesPGN": N_("Mesangial proliferative glomerulonephritis"),
    "C3G": N_("C3 glomerulopathy"),
    "IgAN": N_("IgA nephropathy"),
    "other": N_("Other histology"),
}
#: The four proteinuria states of derive (IPNA 2022 SSNS Table 1: complete remission,
#: partial remission, no remission, nephrotic range), worst first. A rule set without
#: a no-remission state (``study``) has none of them: the row counts 0.
_STATE_LABELS = {
    "nephrotic": N_("Nephrotic-range proteinuria"),
    "none": N_("No remission, below the nephrotic range"),
    "partial": N_("Non-nephrotic proteinuria (partial remission)"),
    "complete": N_("No proteinuria (complete remission)"),
}
#: response_month1: "none" is no remission or the nephrotic range (the four-state rule sets
#: have both; a UPCR of 100 mg/mmol with albumin 2.7 g/dL is no remission, not nephrotic),
#: and partial remission needs what the rule set says (IPNA 2020: albumin >= 30 g/L too).
_RESPONSE_LABELS = {
    "complete": N_("Complete remission"),
    "partial": N_("Partial remission"),
    "none": N_("No response (no remission or nephrotic-range proteinuria)"),
}


# -- small helpers -------------------------------------------------------------


def _as_boolean(series: pd.Series) -> pd.Series:
    return series.astype("boolean")


def eligible_rows(analysis: pd.DataFrame) -> pd.DataFrame:
    """Patients the study analyses: eligibility verdict True (NA is not eligible)."""
    mask = _as_boolean(analysis["eligible"]).fillna(False).astype(bool)
    return analysis.loc[mask.to_numpy()]


def _histologies_present(study: pd.DataFrame) -> list[str]:
    present = set(study["histology"].dropna().astype(str))
    ordered = [h for h in HISTOLOGY_ORDER if h in present or h in ("MCD", "FSGS")]
    return ordered + sorted(present - set(HISTOLOGY_ORDER))


# -- sections --------------------------------------------------------------------


def selection_items(attrition) -> list[CountItem]:
    """The OMOP phenotype's inclusion-attrition steps (``selection.<step>``), before eligibility.

    Each step counts the persons it kept out of the persons in the database.
    """
    steps = list(attrition)
    if not steps:
        return []
    total = int(steps[0].persons)
    return [
        CountItem(f"selection.{step.step}", str(step.label), int(step.persons), total)
        for step in steps
    ]


def consent_items(selection) -> list[CountItem]:
    """Before eligibility: patients registered, left out for consent, kept by the override.

    ``selection`` is a :class:`~nephrocohort.cohort.consent.ConsentSelection`
    (None: no items, as for an analysis-dataset file).
    """
    if selection is None:
        return []
    registered = selection.registered
    # The reason codes of nephrocohort.cohort.consent.REASONS, as the report words them.
    reasons = {
        "consent_withdrawn": _("Consent withdrawn"),
        "assent_missing": _("Assent required for the child's age not recorded"),
    }

    def labelled(pairs):
        return tuple((reasons[code], n) for code, n in pairs)

    return [
        CountItem("eligibility.registered", _("Patients registered"), registered, registered),
        CountItem(
            "eligibility.consent_left_out",
            _("Left out: consent withdrawn or assent missing"),
            selection.n_left_out,
            registered,
            reasons=labelled(selection.left_out),
        ),
        CountItem(
            "eligibility.consent_override",
            _("Included although consent withdrawn or assent missing (explicit override)"),
            selection.n_kept_by_override,
            registered,
            reasons=labelled(selection.kept_by_override),
        ),
    ]


def eligibility_items(analysis: pd.DataFrame) -> list[CountItem]:
    """The eligibility flow: assessed -> excluded (with reasons) / not assessable -> included."""
    verdict = _as_boolean(analysis["eligible"])
    assessed = int(len(analysis))
    excluded = analysis.loc[(verdict == False).fillna(False).to_numpy()]  # noqa: E712
    included = analysis.loc[(verdict == True).fillna(False).to_numpy()]  # noqa: E712
    items = [
        CountItem(
            "eligibility.assessed", _("Patients assessed for eligibility"), assessed, assessed
        ),
        CountItem(
            "eligibility.excluded",
            _("Excluded (a patient may have several reasons)"),
            int(len(excluded)),
            assessed,
            reasons=_reason_counts(excluded["exclusion_reasons"]),
        ),
        CountItem(
            "eligibility.not_assessable",
            _("Eligibility could not be assessed (data missing)"),
            int(verdict.isna().sum()),
            assessed,
        ),
        CountItem(
            "eligibility.included", _("Included in the analysis"), int(len(included)), assessed
        ),
    ]
    if "eligibility_unchecked" in analysis.columns:  # optional column of derive
        unchecked = (
            included["eligibility_unchecked"].astype("string").str.strip().replace("", pd.NA)
        )
        items.append(
            CountItem(
                "eligibility.included_unchecked",
                _("Included with a criterion that could not be checked (not recorded)"),
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
            rows.append((patient_id, _("Eligibility could not be assessed (data missing)")))
        elif not eligible:
            rows.append((patient_id, "" if pd.isna(reasons) else str(reasons)))
    return pd.DataFrame(rows, columns=["patient_id", "reasons"])


def _demographics(study, options):
    n = int(len(study))
    return [
        CountItem("cohort.n", _("Patients analysed"), n, n),
        *count_levels(
            "sex",
            study["sex"],
            {"M": _("Male"), "F": _("Female")},
            keys={"M": "male", "F": "female"},
        ),
        summary_item(
            "age_at_diagnosis_months",
            _("Age at diagnosis"),
            "months",
            study["age_at_diagnosis_months"],
            options,
        ),
        summary_item(
            "age_at_assessment_years",
            _("Age at assessment (last follow-up)"),
            "years",
            study["age_at_assessment_years"],
            options,
        ),
        summary_item(
            "follow_up_years",
            _("Follow-up from onset to last check"),
            "years",
            study["follow_up_years"],
            options,
        ),
    ]


def _onset(study):
    return [
        count_true("onset.edema", _("Edema at onset"), study["onset_edema"]),
        count_true(
            "onset.hypertension", _("Arterial hypertension at onset"), study["onset_hypertension"]
        ),
        count_true("onset.aki", _("Acute kidney injury at onset"), study["onset_aki"]),
        count_true("onset.hematuria", _("Hematuria at onset"), study["onset_hematuria"]),
    ]


def _histology(study):
    """Table 2: biopsy findings, and chronic renal failure within each histology."""
    items = []
    histology = study["histology"].astype("string")
    known = histology.dropna()
    for code in _histologies_present(study):
        label = _(_HISTOLOGY_LABELS.get(code, code))
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
            count_true(
                f"histology.{code}.crf",
                _("{histology}: chronic renal failure").format(histology=label),
                within["crf"],
            )
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
        label = _(_HISTOLOGY_LABELS.get(code, code))
        sex = within["sex"].dropna().astype(str)
        items += [
            CountItem(
                f"table1.{code}.n",
                _("{histology}: patients").format(histology=label),
                int(len(within)),
                with_histology,
            ),
            CountItem(
                f"table1.{code}.sex",
                _("{histology}: male sex (M:F)").format(histology=label),
                int((sex == "M").sum()),
                int(len(sex)),
                missing=int(len(within) - len(sex)),
            ),
            summary_item(
                f"table1.{code}.age_years",
                _("{histology}: current age").format(histology=label),
                "years",
                within["age_at_assessment_years"],
                options,
            ),
            summary_item(
                f"table1.{code}.months_diagnosis_to_mmf",
                _("{histology}: time from diagnosis to MMF").format(histology=label),
                "months",
                within["months_diagnosis_to_mmf"],
                options,
            ),
            count_true(
                f"table1.{code}.hypertension",
                _("{histology}: high blood pressure at onset").format(histology=label),
                within["onset_hypertension"],
            ),
            summary_item(
                f"table1.{code}.egfr_mmf_start",
                _("{histology}: eGFR at MMF start").format(histology=label),
                "mL/min/1.73 m2",
                within["egfr_mmf_start"],
                options,
            ),
        ]
    return items


def _treatment(study, options):
    return [
        count_true(
            "treatment.steroid_pulses",
            _("Steroid pulses before MMF"),
            study["prior_steroid_pulses"],
        ),
        count_true(
            "treatment.cyclophosphamide",
            _("Cyclophosphamide before MMF"),
            study["prior_cyclophosphamide"],
        ),
        count_true(
            "treatment.cyclosporine", _("Cyclosporine before MMF"), study["prior_cyclosporine"]
        ),
        count_true("treatment.tacrolimus", _("Tacrolimus before MMF"), study["prior_tacrolimus"]),
        count_true("treatment.mmf", _("Mycophenolate mofetil"), study["received_mmf"]),
        count_true(
            "treatment.rituximab",
            _("Rituximab after MMF start"),
            study["received_rituximab_after_mmf"],
        ),
        count_true("treatment.enalapril", _("Enalapril"), study["received_enalapril"]),
        count_true("treatment.losartan", _("Losartan"), study["received_losartan"]),
        *count_levels(
            "group",
            study["group"].astype("Int64").astype("string"),
            {
                "1": N_("Group 1: cyclophosphamide and/or a calcineurin inhibitor before MMF"),
                "2": N_("Group 2: MMF as first immunosuppressant after steroids"),
            },
        ),
        summary_item(
            "mmf.years_from_diagnosis",
            _("Time from diagnosis to MMF start"),
            "years",
            study["years_diagnosis_to_mmf"],
            options,
        ),
        summary_item(
            "mmf.duration_months",
            _("MMF treatment duration"),
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
            _("at MMF start")
            if months == 0
            else ngettext("{months} month on MMF", "{months} months on MMF", months).format(
                months=months
            )
        )
        labels = {
            state: _("{state}, {when}").format(state=_(text), when=when)
            for state, text in _STATE_LABELS.items()
        }
        items += count_levels(f"proteinuria.{name}", study[f"state_{name}"], labels)
    return items


def _response(study, options):
    items = count_levels("response.month1", study["response_month1"], _RESPONSE_LABELS)
    groups = study["group"].astype("Int64")
    for group in (1, 2):
        within = study.loc[(groups == group).fillna(False).to_numpy()]
        labels = {
            level: _("Group {group}: {response}").format(group=group, response=_(text).lower())
            for level, text in _RESPONSE_LABELS.items()
        }
        items += count_levels(f"response.month1.group{group}", within["response_month1"], labels)
    comparison = group_comparison_item(
        "response.month1.group_test",
        _("One-month response, group 1 vs group 2"),
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
        ("relapses_per_year", "relapses/year", "relapses_per_year_before",
         "relapses_per_year_after", N_("Relapses per year in the 12 months before MMF"),
         N_("Relapses per year on MMF"), N_("Relapses per year, before vs after MMF")),
        ("steroid_dose", "mg/kg/day", "steroid_mg_kg_day_before", "steroid_mg_kg_day_after",
         N_("Steroid dose at MMF start"), N_("Steroid dose at follow-up on MMF"),
         N_("Steroid dose, before vs after MMF")),
    )  # fmt: skip
    for prefix, unit, before, after, label_before, label_after, label_test in pairs:
        items += [
            summary_item(f"{prefix}.before", _(label_before), unit, study[before], options),
            summary_item(f"{prefix}.after", _(label_after), unit, study[after], options),
            wilcoxon_item(f"{prefix}.test", _(label_test), study[before], study[after], options),
        ]
    items.append(
        count_true(
            "prednisolone_stopped", _("Prednisolone stopped on MMF"), study["prednisolone_stopped"]
        )
    )
    items += [
        summary_item(
            "egfr.mmf_start",
            _("eGFR at MMF start"),
            "mL/min/1.73 m2",
            study["egfr_mmf_start"],
            options,
        ),
        summary_item(
            "egfr.month12",
            _("eGFR after one year on MMF"),
            "mL/min/1.73 m2",
            study["egfr_month12"],
            options,
        ),
        wilcoxon_item(
            "egfr.test",
            _("eGFR, MMF start vs one year"),
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
        count_true("outcomes.medical_only", _("Medical treatment only"), study["medical_only"]),
        count_true(
            "outcomes.rrt",
            _("Renal replacement therapy without transplant (dialysis)"),
            _rrt_without_transplant(study),
        ),
        count_true("outcomes.transplant", _("Kidney transplantation"), study["transplant"]),
        count_true("outcomes.crf", _("Chronic renal failure"), study["crf"]),
        count_true("outcomes.death", _("Death"), study["death"]),
        count_true("adverse.diarrhea", _("Diarrhea on MMF"), study["ae_diarrhea"]),
        count_true(
            "adverse.severe_infection", _("Severe infection on MMF"), study["ae_severe_infection"]
        ),
        count_true("adverse.leukopenia", _("Leukopenia on MMF"), study["ae_leukopenia"]),
    ]


def _survival(study):
    return [
        kaplan_meier_item(
            "km.complete_remission",
            _("Time to complete remission after MMF start"),
            study["days_to_complete_remission"],
            study["complete_remission_observed"],
        ),
        kaplan_meier_item(
            "km.crf",
            _("Time to chronic renal failure after MMF start"),
            study["days_to_crf"],
            study["crf_observed"],
        ),
    ]


def _confirmation(study):
    """Values resting on a single (unconfirmed) reading: counted and shown, never hidden.

    Issue 10 (IPNA 2020 / KDIGO 2021 confirm remission and relapse "on three
    consecutive days"): where the records are too sparse to confirm, derive keeps
    the value and marks it; the report says how many. ``n`` is the sum of
    ``n_unconfirmed_values`` over the analysed patients, out of the values derived
    in the columns that can be marked; ``reasons`` holds (column, values) pairs.
    An analysis-dataset file without the column gets no item.
    """
    if "n_unconfirmed_values" not in study.columns:
        return []
    counts = pd.to_numeric(study["n_unconfirmed_values"], errors="coerce")
    known = counts.dropna()
    columns = [column for column in CONFIRMABLE_COLUMNS if column in study.columns]
    derived = int(study[columns].notna().to_numpy().sum())
    per_column = dict.fromkeys(CONFIRMABLE_COLUMNS, 0)
    if "unconfirmed_values" in study.columns:
        for text in study["unconfirmed_values"].dropna().astype(str):
            for name in (part.strip() for part in text.split(",")):
                if name:
                    per_column[name] = per_column.get(name, 0) + 1
    return [
        CountItem(
            "confirmation.unconfirmed_values",
            _("Values resting on a single (unconfirmed) reading"),
            int(known.sum()),
            derived,
            reasons=tuple((name, n) for name, n in per_column.items() if n),
        ),
        CountItem(
            "confirmation.patients_with_unconfirmed",
            _("Patients with a value resting on a single reading"),
            int((known > 0).sum()),
            int(len(known)),
            missing=int(len(counts) - len(known)),
        ),
    ]


def data_quality_items(analysis: pd.DataFrame) -> list[FindingItem]:
    """The data-quality findings of the patients assessed: shown, never resolved.

    ``data_quality.onset_hypertension_disagrees`` (issue 10 item 7): the recorded
    ``hypertension_at_onset`` against the AAP 2017 category of the onset visits'
    blood pressure (Flynn et al. 2017, Table 3), the same finding ``validate`` and
    ``derive`` list; over every patient assessed (the eligibility flow), since a
    record is worth correcting whether or not the patient is analysed. ``n`` the
    patients whose two values disagree, ``denominator`` those with both known,
    ``patient_ids`` who they are. A dataset without the derived column (an
    analysis-dataset file) gets no item.
    """
    from nephrocohort.cohort._derive_blood_pressure import onset_hypertension_disagreement

    if not {"onset_hypertension", "onset_hypertension_bp"} <= set(analysis.columns):
        return []
    disagree, compared = onset_hypertension_disagreement(analysis)
    ids = analysis["patient_id"].astype("string").to_numpy()[disagree]
    return [
        FindingItem(
            "data_quality.onset_hypertension_disagrees",
            _(
                "Recorded hypertension at onset disagrees with the AAP 2017 category of the "
                "onset blood pressure"
            ),
            int(disagree.sum()),
            int(compared.sum()),
            missing=int(len(analysis) - compared.sum()),
            patient_ids=tuple(str(i) for i in ids),
        )
    ]


def study_items(study: pd.DataFrame, options: ReportOptions) -> list:
    """Every study result for the analysed (eligible) patients, in report order."""
    from nephrocohort.report._course import course_items

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
        *course_items(study),
        *_survival(study),
        *_confirmation(study),
    ]
