"""Bedside calculators (BSA, eGFR, MMF and prednisolone doses), prefilled from the latest data."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from nephrocohort.clinical.anthropometry import bsa_m2
from nephrocohort.clinical.dosing import (
    mmf_dose,
    prednisolone_alternate_day_dose,
    prednisolone_daily_dose,
)
from nephrocohort.clinical.kidney_function import ckd_stage, egfr
from nephrocohort.exceptions import ClinicalInputError
from nephrocohort.registry.conversion import cohort_from_db
from nephrocohort.registry.models import Patient
from nephrocohort.registry.patient_summary import calculator_inputs
from nephrocohort.registry.relative_dates import date_shown_for
from nephrocohort.registry.views._common import registry_view, visible_patient

_CREATININE_EQUATIONS = ("schwartz-bedside", "ckid-u25", "schwartz-1976")


class CalculatorForm(forms.Form):
    height_cm = forms.FloatField(label=_("Height (cm)"))
    weight_kg = forms.FloatField(label=_("Weight (kg)"))
    sex = forms.ChoiceField(choices=[("M", "M"), ("F", "F")])
    age_years = forms.FloatField(label=_("Age (years)"))
    creatinine_mg_dl = forms.FloatField(label=_("Serum creatinine (mg/dL)"), required=False)
    equation = forms.ChoiceField(
        choices=[(name, name) for name in _CREATININE_EQUATIONS],
        help_text=_("schwartz-bedside and ckid-u25 assume enzymatic (IDMS) creatinine."),
    )
    mmf_mg_m2_day = forms.FloatField(
        label=_("MMF target (mg/m2/day)"), initial=1200, help_text=_("600-1200 mg/m2/day.")
    )


def _attempt(compute):
    try:
        return compute(), None
    except ClinicalInputError as error:
        return None, str(error)


def _results(data: dict) -> dict:
    results = {}
    bsa, results["bsa_error"] = _attempt(
        lambda: float(bsa_m2(height_cm=data["height_cm"], weight_kg=data["weight_kg"]))
    )
    results["bsa"] = bsa
    if data.get("creatinine_mg_dl") is not None:
        value, results["egfr_error"] = _attempt(
            lambda: float(
                egfr(
                    data["equation"],
                    creatinine_mg_dl=data["creatinine_mg_dl"],
                    height_cm=data["height_cm"],
                    age_years=data["age_years"],
                    sex=data["sex"],
                )
            )
        )
        results["egfr"] = value
        if value is not None:
            results["ckd_stage"] = ckd_stage(value, age_years=data["age_years"])
    if bsa is not None:
        results["mmf"], results["mmf_error"] = _attempt(
            lambda: mmf_dose(bsa_m2=bsa, mg_m2_day=data["mmf_mg_m2_day"])
        )
        results["pred_daily"], results["pred_daily_error"] = _attempt(
            lambda: prednisolone_daily_dose(bsa_m2=bsa)
        )
        results["pred_alternate"], results["pred_alternate_error"] = _attempt(
            lambda: prednisolone_alternate_day_dose(bsa_m2=bsa)
        )
    return results


@registry_view("view")
def calculators(request, pk: int):
    patient = visible_patient(request, pk)
    latest = calculator_inputs(cohort_from_db(Patient.objects.filter(pk=patient.pk)))
    initial = {
        "height_cm": latest.height_cm,
        "weight_kg": latest.weight_kg,
        "sex": latest.sex,
        "age_years": latest.age_years,
        "creatinine_mg_dl": latest.creatinine_mg_dl,
        "equation": "schwartz-bedside",
        "mmf_mg_m2_day": 1200,
    }
    data = request.GET if "height_cm" in request.GET else {**initial}
    form = CalculatorForm(data)
    results = _results(form.cleaned_data) if form.is_valid() else None
    context = {
        "patient": patient,
        "form": form,
        "latest": latest,
        "results": results,
        "dates": date_shown_for(request.user, patient),
    }
    return render(request, "registry/calculators.html", context)
