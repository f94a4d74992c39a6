"""Names a clinician reads for the data model's codes (the codes themselves stay in exports).

Each label is translatable; the code is what is stored and exported.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = ["TEST_LABELS", "DRUG_LABELS", "SCHEDULE_LABELS", "YES_NO_LABELS", "choices"]

TEST_LABELS = {
    "urine_protein_timed": _("Timed urine protein"),
    "upcr": _("Urine protein/creatinine ratio"),
    "dipstick_protein": _("Urine dipstick protein"),
    "serum_albumin": _("Serum albumin"),
    "serum_cholesterol": _("Serum cholesterol"),
    "serum_creatinine": _("Serum creatinine"),
    "cystatin_c": _("Cystatin C"),
    "leukocytes": _("Leukocytes"),
}

DRUG_LABELS = {
    "prednisolone": _("Prednisolone"),
    "prednisone": _("Prednisone"),
    "methylprednisolone_pulse": _("Methylprednisolone pulse"),
    "mmf": _("Mycophenolate mofetil (MMF)"),
    "mycophenolate_sodium": _("Mycophenolate sodium"),
    "cyclosporine": _("Cyclosporine"),
    "tacrolimus": _("Tacrolimus"),
    "cyclophosphamide": _("Cyclophosphamide"),
    "rituximab": _("Rituximab"),
    "enalapril": _("Enalapril"),
    "losartan": _("Losartan"),
    "other": _("Other"),
}

SCHEDULE_LABELS = {
    "daily": _("Daily"),
    "alternate_day": _("Alternate days"),
    "bid": _("Twice a day"),
    "single": _("Single dose"),
}

YES_NO_LABELS = {"yes": _("Yes"), "no": _("No")}


def choices(labels: dict, *, blank: bool = True) -> list[tuple[str, str]]:
    """Form choices: stored code, shown label."""
    return ([("", "---------")] if blank else []) + list(labels.items())
