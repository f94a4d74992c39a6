"""Names a clinician reads for the data model's codes (the codes themselves stay in exports).

Each label is translatable; the code is what is stored and exported.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = [
    "TEST_LABELS",
    "DRUG_LABELS",
    "SCHEDULE_LABELS",
    "YES_NO_LABELS",
    "EVENT_LABELS",
    "SEX_LABELS",
    "TABLE_LABELS",
    "COLUMN_HEADERS",
    "LABELS_BY_KIND",
    "choices",
]

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


EVENT_LABELS = {
    "relapse": _("Relapse"),
    "remission": _("Remission"),
    "severe_infection": _("Severe infection"),
    "diarrhea": _("Diarrhea"),
    "leukopenia": _("Leukopenia"),
    "aki": _("Acute kidney injury"),
    "ckd": _("Chronic kidney disease"),
    "dialysis": _("Dialysis"),
    "transplant": _("Kidney transplant"),
    "death": _("Death"),
    "mmf_reduced": _("MMF dose reduced"),
    "mmf_suspended": _("MMF suspended"),
    "mmf_withdrawn": _("MMF withdrawn"),
    "other": _("Other"),
}

SEX_LABELS = {"M": _("Male"), "F": _("Female")}

#: The patient page's record sections: title, one record's name (the "add" links).
TABLE_LABELS = {
    "biopsies": (_("Biopsies"), _("biopsy")),
    "genetics": (_("Genetic tests"), _("genetic test")),
    "visits": (_("Visits"), _("visit")),
    "labs": (_("Lab results"), _("lab result")),
    "medications": (_("Medications"), _("medication")),
    "events": (_("Events"), _("event")),
}

#: Column headers of each record table on the patient page.
COLUMN_HEADERS = {
    "biopsies": (_("Date"), _("Histology")),
    "genetics": (_("Date"), _("Gene"), _("Variant"), _("Classification")),
    "visits": (_("Date"), _("Weight"), _("Height"), _("Blood pressure"), _("Edema")),
    "labs": (_("Date"), _("Test"), _("Value")),
    "medications": (_("Drug"), _("Start"), _("End"), _("Dose and schedule"), _("Reason")),
    "events": (_("Date"), _("Event"), _("Detail")),
}

#: Which labels a code of a kind is shown with (``{{ code|label:"drug" }}``).
LABELS_BY_KIND = {
    "test": TEST_LABELS,
    "drug": DRUG_LABELS,
    "schedule": SCHEDULE_LABELS,
    "yes_no": YES_NO_LABELS,
    "event": EVENT_LABELS,
    "sex": SEX_LABELS,
}


def choices(labels: dict, *, blank: bool = True) -> list[tuple[str, str]]:
    """Form choices: stored code, shown label."""
    return ([("", "---------")] if blank else []) + list(labels.items())
