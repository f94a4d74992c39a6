"""Rule-set parameters in words a clinician reads (``rules show``, explain, the report's methods).

Each parameter's label and the way its value reads are declared once here;
the comparison written in each value is the one the code applies.
"""

from __future__ import annotations

from nephrocohort.i18n import N_, gettext, ngettext, use_language

__all__ = [
    "parameter_rows",
    "parameter_label",
    "parameter_texts",
    "title_text",
    "SHIPPED_TITLES",
    "TEST_TEXT",
    "CATEGORY_TEXT",
]

#: The titles of the shipped rule sets (``clinical/rulesets/*.yaml``), marked so the
#: catalogues translate them (YAML is not extracted); a test keeps them equal to the files.
SHIPPED_TITLES = {
    "ipna2020": N_(
        "IPNA 2020 recommendations for steroid-resistant nephrotic syndrome in children"
    ),
    "kdigo2021": N_("KDIGO 2021 glomerular diseases guideline, nephrotic syndrome in children"),
    "study": N_("Seed study: SRNS treated with MMF, single centre, 2005-2011"),
}


def title_text(title: str) -> str:
    """A rule set's title as shown: a shipped title in the active language, any other as written.

    The title stays English in the rule set and in results.json (it identifies
    the rule set); only text for a reader is translated.
    """
    return gettext(title) if title in SHIPPED_TITLES.values() else title


def parameter_rows(rule_set, *, with_notes: bool = True) -> list[tuple[str, str, str]]:
    """(parameter, value, source) rows, thresholds first.

    References
    ----------
    The rule-set YAML.
    """
    # English: the values read as the rule set writes them (``rules show`` translates only its
    # frame: origin, fingerprint, source labels).
    with use_language("en"):
        return _parameter_rows(rule_set, with_notes)


def _parameter_rows(rule_set, with_notes: bool) -> list[tuple[str, str, str]]:
    rows = []
    for criterion in rule_set.proteinuria:
        for category, threshold in (
            ("nephrotic", criterion.nephrotic),
            ("complete", criterion.complete),
        ):
            label = f"proteinuria.{criterion.test}[{criterion.unit}].{category}"
            value = (
                f"{threshold}. {threshold.note}"
                if threshold.note and with_notes
                else str(threshold)
            )
            rows.append((label, value, threshold.source))
        rows.append(
            (
                f"proteinuria.{criterion.test}[{criterion.unit}].partial",
                f"neither {criterion.nephrotic} nor {criterion.complete} "
                "(between the two thresholds)",
                "follows from the nephrotic and complete-remission thresholds",
            )
        )
    for section, obj in (("syndrome", rule_set.syndrome), ("derivation", rule_set.derivation)):
        for name in obj.__dataclass_fields__:
            text = _value_text(name, getattr(obj, name))
            rows.append((f"{section}.{name}", text, rule_set.parameter_sources.get(name, "")))
    return rows


def parameter_texts(rule_set) -> dict[str, str]:
    """``{parameter: value as read}`` for the syndrome and derivation parameters, plus ``rule_set``.

    The keys a column's rule template (``cohort.analysis``) may use, in the
    active language (explain's).

    References
    ----------
    Display only; the rule-set YAML.
    """
    texts = {"rule_set": rule_set.name}
    for obj in (rule_set.syndrome, rule_set.derivation):
        for name in obj.__dataclass_fields__:
            texts[name] = _value_text(name, getattr(obj, name))
    return texts


def parameter_label(parameter: str) -> str:
    """What a parameter of ``parameter_rows`` decides.

    References
    ----------
    Display only; docs/clinical/rule-sets.md.
    """
    if parameter.startswith("proteinuria."):
        test_unit, category = parameter[len("proteinuria.") :].rsplit(".", 1)
        test, unit = test_unit.rstrip("]").split("[", 1)
        return f"{CATEGORY_TEXT[category]}, {TEST_TEXT[test]} ({unit})"
    return _PARAMETER_TEXT.get(parameter.split(".", 1)[-1], (parameter, None))[0]


def _value_text(name: str, value) -> str:
    """How the value of the syndrome or derivation parameter ``name`` reads."""
    show = _PARAMETER_TEXT.get(name, (name, None))[1]
    return show(value) if show is not None else str(value)


def _not_defined(value) -> str:
    """The text of a parameter the rule set leaves undefined ('' when it is defined)."""
    return gettext("not defined by this rule set") if value is None else ""


def _if_defined(template: str):
    """A value reader: ``template`` formatted with the value ``v``, or the undefined text."""
    return lambda v: _not_defined(v) or gettext(template).format(v=v)


def _yes_no(value) -> str:
    return gettext("yes") if value else gettext("no")


def _shown(text: str) -> str:
    """A text looked up in a table of this module (marked with ``N_`` there), translated."""
    return gettext(text)


def _percent_of_standard(tolerance: float) -> str:
    return gettext("{percent:g} % of the standard dose").format(percent=(1 - tolerance) * 100)


def _timepoints_text(points) -> str:
    template = gettext(
        "{name}: day {day} after MMF start (nearest measurement from {before} days before to "
        "{after} days after)"
    )
    return "; ".join(
        template.format(
            name=name, day=p.target_day, before=p.window_before_days, after=p.window_after_days
        )
        for name, p in points.items()
    )


TEST_TEXT = {
    "urine_protein_timed": N_("timed urine protein"),
    "upcr": "UPCR",
    "dipstick_protein": N_("dipstick protein"),
}
CATEGORY_TEXT = {
    "nephrotic": "Nephrotic range",
    "complete": "Complete remission",
    "partial": "Partial remission",
}
_EGFR_TEXT = {
    "schwartz-1976": N_("original Schwartz 1976, k by age and sex, Jaffe creatinine"),
    "schwartz-bedside": N_("bedside Schwartz 2009, IDMS creatinine, ages 1-18"),
    "ckid-u25": N_("CKiD U25 creatinine 2021, ages 1-25"),
    "ckid-u25-cystatin": N_("CKiD U25 cystatin C 2021, ages 1-25"),
    "ckid-u25-combined": N_("CKiD U25 creatinine and cystatin C average 2021, ages 1-25"),
}
_RELAPSE_PERIOD_TEXT = {
    "12_months": N_("the 12 months before MMF start vs the first 12 months on MMF"),
    "whole": N_("the whole time before MMF start vs the whole time on MMF"),
}
# Parameter name -> (what it decides, how its value reads). The comparison written in
# each value is the one the code applies (eligibility.py, syndrome.py, the derivation).
_PARAMETER_TEXT = {
    "albumin_below_g_dl": ("Nephrotic syndrome, serum albumin", lambda v: f"< {v:g} g/dL"),
    "requires_edema": ("Nephrotic syndrome, edema required", _yes_no),
    "edema_replaces_missing_albumin": (
        "Nephrotic syndrome, edema accepted when albumin was not measured",
        _yes_no,
    ),
    "cholesterol_at_least_mg_dl": (
        "Nephrotic syndrome, total cholesterol",
        lambda v: gettext("not required") if v is None else f">= {v:g} mg/dL",
    ),
    "steroid_dose_mg_m2_day": (
        "Steroid trial, standard prednisone dose",
        lambda v: gettext("{v:g} mg/m2/day").format(v=v),
    ),
    "steroid_max_mg_day": (
        "Steroid trial, maximum prednisone dose",
        lambda v: gettext("{v:g} mg/day").format(v=v),
    ),
    "steroid_trial_days": (
        "Steroid trial, resistant without complete remission after",
        lambda v: gettext("{v} days of the standard dose").format(v=v),
    ),
    "steroid_late_response_until_day": (
        "Steroid trial, a complete remission still counts as response up to",
        lambda v: gettext("day {v}").format(v=v),
    ),
    "steroid_confirmation_only_after_partial": (
        "Steroid trial, confirmation period only after a partial remission",
        _yes_no,
    ),
    "measurement_priority": (
        "Proteinuria of a day, measurement used, best first",
        lambda v: gettext(", then ").join(gettext(TEST_TEXT.get(t, t)) for t in v),
    ),
    "timepoints": ("Follow-up time points and their windows", _timepoints_text),
    "relapse_merge_days": (
        "Relapses less than this apart are one relapse",
        lambda v: gettext("{v} days").format(v=v),
    ),
    "relapse_period_months": (
        "Relapse rate, length of each period",
        lambda v: gettext("{v} months").format(v=v),
    ),
    "relapse_period": (
        "Relapse rate, periods compared",
        lambda v: f"{v} ({gettext(_RELAPSE_PERIOD_TEXT.get(v, v))})",
    ),
    "relapse_confirmation_days": (
        "Relapse, days the nephrotic range must last",
        lambda v: ngettext(
            "{v} day (1 = one measurement suffices)",
            "{v} days (1 = one measurement suffices)",
            v,
        ).format(v=v),
    ),
    "remission_confirmation_days": (
        "Remission, days it must last",
        lambda v: ngettext(
            "{v} day (1 = one measurement suffices)",
            "{v} days (1 = one measurement suffices)",
            v,
        ).format(v=v),
    ),
    "partial_remission_min_albumin_g_dl": (
        "Partial remission, serum albumin also required",
        lambda v: gettext("not required (proteinuria alone)") if v is None else f">= {v:g} g/dL",
    ),
    "albumin_window_days": (
        "Partial remission, albumin used when measured within",
        lambda v: ngettext(
            "{v} day of the proteinuria reading", "{v} days of the proteinuria reading", v
        ).format(v=v),
    ),
    "confirmation": (
        "Complete remission and nephrotic range, how they are confirmed",
        lambda v: _shown(
            {
                "consecutive_days": N_(
                    "consecutive_days (readings of that state on the confirmation number of "
                    "consecutive days; readings on non-consecutive days do not confirm)"
                ),
                "not_contradicted_within_days": N_(
                    "not_contradicted_within_days (one reading counts unless another state "
                    "follows within the confirmation days)"
                ),
            }.get(v, v)
        ),
    ),
    "partial_remission_tests": (
        "Partial remission, tests that can show it",
        lambda v: ", ".join(gettext(TEST_TEXT.get(t, t)) for t in v),
    ),
    "partial_remission_without_albumin": (
        "Partial remission, partial-range proteinuria without albumin in the window",
        lambda v: _shown(
            {
                "no_remission": N_("no remission (albumin is part of the definition)"),
                "proteinuria_decides": N_("partial remission (proteinuria alone decides)"),
            }.get(v, v)
        ),
    ),
    "relapse_after": (
        "Relapse, counted after",
        lambda v: _shown(
            {
                "complete_remission": N_(
                    "a complete remission only (nephrotic range after partial remission only "
                    "is a loss of partial remission)"
                ),
                "any_remission": N_("a complete or partial remission"),
            }.get(v, v)
        ),
    ),
    "steroid_assessment_window_days": (
        "Steroid trial, response read from the readings within",
        lambda v: gettext("{v} days of the end of the trial and of the confirmation period").format(
            v=v
        ),
    ),
    "steroid_followup_months": (
        "Steroid dose compared at MMF start and after",
        lambda v: gettext("{v} months (or at MMF stop if sooner)").format(v=v),
    ),
    "frequent_relapse_first_months": (
        "Frequently relapsing, first period",
        _if_defined(N_("{v} months")),
    ),
    "frequent_relapse_first_min": (
        "Frequently relapsing, relapses in the first period at least",
        _if_defined("{v}"),
    ),
    "frequent_relapse_first_from": (
        "Frequently relapsing, first period counted from",
        lambda v: (
            _not_defined(v)
            or _shown(
                {
                    "initial_remission": N_("the remission of the initial episode"),
                    "onset": N_("disease onset"),
                }.get(v, v)
            )
        ),
    ),
    "frequent_relapse_any_months": (
        "Frequently relapsing, any period of",
        _if_defined(N_("{v} months")),
    ),
    "frequent_relapse_any_min": (
        "Frequently relapsing, relapses in any such period at least",
        _if_defined("{v}"),
    ),
    "steroid_dependence_days_after_stop": (
        "Steroid dependence, a relapse still counts as on steroids up to",
        _if_defined(N_("{v} days after stopping")),
    ),
    "steroid_trial_standard_mg_kg_day": (
        "Steroid trial, standard prednisone dose by weight",
        _if_defined(N_("{v:g} mg/kg/day")),
    ),
    "steroid_trial_dose_tolerance": (
        "Steroid trial, a first course counts as standard dose down to",
        lambda v: _not_defined(v) or _percent_of_standard(v),
    ),
    "secondary_resistance_standard_mg_kg_day": (
        "Secondary steroid resistance, standard prednisone dose",
        _if_defined(N_("{v:g} mg/kg/day")),
    ),
    "secondary_resistance_dose_tolerance": (
        "Secondary steroid resistance, a dose counts as standard down to",
        lambda v: _not_defined(v) or _percent_of_standard(v),
    ),
    "cni_resistance_months": (
        "CNI response, at least partial remission within",
        _if_defined(N_("{v} months of the CNI start")),
    ),
    "cni_complete_remission_months": (
        "CNI response, or complete remission within",
        _if_defined(N_("{v} months of the CNI start")),
    ),
    "cni_adequate_cyclosporine_mg_kg_day": (
        "CNI response, adequate cyclosporine dose",
        _if_defined(N_(">= {v:g} mg/kg/day")),
    ),
    "cni_adequate_tacrolimus_mg_kg_day": (
        "CNI response, adequate tacrolimus dose",
        _if_defined(N_(">= {v:g} mg/kg/day")),
    ),
    "multidrug_resistance_months": (
        "Multidrug resistance, no complete remission up to",
        _if_defined(N_("{v} months after the second steroid-sparing mechanism's start")),
    ),
    "egfr_equation": ("eGFR equation", lambda v: f"{v} ({gettext(_EGFR_TEXT.get(v, v))})"),
    "crf_egfr_below": (
        "Chronic renal failure, eGFR",
        lambda v: f"< {v:g} mL/min/1.73m2",
    ),
    "crf_min_duration_days": (
        "Chronic renal failure, low eGFR lasting",
        lambda v: gettext("more than {v} days").format(v=v),
    ),
    "crf_min_age_years": (
        "Chronic renal failure, eGFR used from age",
        lambda v: (
            gettext("any age")
            if v == 0
            else gettext("{v:g} years (earlier values not used)").format(v=v)
        ),
    ),
    "eligibility_max_age_years": (
        "Inclusion, age at MMF start",
        lambda v: gettext("< {v:g} years").format(v=v),
    ),
    "eligibility_min_egfr": (
        "Inclusion, eGFR before MMF",
        lambda v: f"> {v:g} mL/min/1.73m2",
    ),
}
