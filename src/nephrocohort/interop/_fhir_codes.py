"""The FHIR codes NephroCohort understands, each with the public source it was checked against.

Only codes verified in a source are listed (docs/interop.md has the table
with the sources); any other code is reported as not imported, never guessed
from its display text. The one exception is mycophenolate: ATC L04AA06 and
RxNorm 7145 name mycophenolic acid, which covers both mycophenolate mofetil
and mycophenolate sodium, so the product text must say which.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LOINC",
    "SNOMED",
    "ATC",
    "RXNORM",
    "LAB_CODES",
    "VITAL_CODES",
    "BP_PANEL",
    "BP_PANELS",
    "SBP",
    "DBP",
    "LAB_UNITS",
    "WEIGHT_KG_FACTORS",
    "HEIGHT_CM_FACTORS",
    "DRUG_CODES",
    "MYCOPHENOLIC_ACID_CODES",
    "HISTOLOGY_CODES",
    "NEPHROTIC_SYNDROME_CODES",
    "CKD_CODES",
    "KIDNEY_BIOPSY_CODES",
    "KIDNEY_EVENT_CODES",
    "KIDNEY_NOT_EVENT_CODES",
    "DOSE_UNITS",
    "TimedProteinCode",
]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


@dataclass(frozen=True)
class TimedProteinCode:
    """LOINC 2889-4 is mass per 24 h; it becomes mg/m2/h only with a body surface area."""

    code: str = "2889-4"


#: LOINC -> labs.test of the data contract.
LAB_CODES: dict[str, str] = {
    "2890-2": "upcr",  # Protein/Creatinine [Mass Ratio] in Urine
    "20454-5": "dipstick_protein",  # Protein [Presence] in Urine by Test strip
    "1751-7": "serum_albumin",  # Albumin [Mass/volume] in Serum or Plasma
    "2160-0": "serum_creatinine",  # Creatinine [Mass/volume] in Serum or Plasma
    "14682-9": "serum_creatinine",  # Creatinine [Moles/volume] in Serum or Plasma
    "38483-4": "serum_creatinine",  # Creatinine [Mass/volume] in Blood (Synthea writes it)
    "61151-7": "serum_albumin",  # Albumin [Mass/volume] in Serum or Plasma by BCG dye binding
    "61152-5": "serum_albumin",  # Albumin [Mass/volume] in Serum or Plasma by BCP dye binding
    "5804-0": "dipstick_protein",  # Protein [Mass/volume] in Urine by Test strip
    "2093-3": "serum_cholesterol",  # Cholesterol [Mass/volume] in Serum or Plasma
    "14647-2": "serum_cholesterol",  # Cholesterol [Moles/volume] in Serum or Plasma
    "33863-2": "cystatin_c",  # Cystatin C [Mass/volume] in Serum or Plasma
    "6690-2": "leukocytes",  # Leukocytes [#/volume] in Blood by Automated count
    "26464-8": "leukocytes",  # Leukocytes [#/volume] in Blood
}
#: LOINC 2889-4 Protein [Mass/time] in 24 hour Urine: timed urine protein, usable
#: only when the sender already normalised it per body surface area.
TIMED_PROTEIN = "2889-4"

VITAL_CODES: dict[str, str] = {
    "29463-7": "weight_kg",  # Body weight
    "3141-9": "weight_kg",  # Body weight Measured
    "8302-2": "height_cm",  # Body height
    "8306-3": "height_cm",  # Body height --lying (length, in infants)
}
BP_PANEL = "85354-9"  # Blood pressure panel with all children optional
#: Panels whose components are the systolic (8480-6) and diastolic (8462-4) pressures.
BP_PANELS = {BP_PANEL, "55284-4"}  # 55284-4: Blood pressure systolic and diastolic
SBP = "8480-6"  # Systolic blood pressure
DBP = "8462-4"  # Diastolic blood pressure

#: UCUM unit code -> unit as the data contract writes it (conversion happens on load).
LAB_UNITS: dict[str, str] = {
    "mg/dL": "mg/dL",
    "g/dL": "g/dL",
    "g/L": "g/L",
    "umol/L": "umol/L",
    "mmol/L": "mmol/L",
    "mg/L": "mg/L",
    "10*9/L": "10^9/L",
    "10*3/uL": "10^3/uL",
    "/uL": "/uL",
    "/mm3": "/mm3",
    "mg/mg": "mg/mg",
    "g/g": "g/g",
    "mg/g": "mg/g",
    "mg/mmol": "mg/mmol",
    "mg/m2/h": "mg/m2/h",
    "mg/(m2.h)": "mg/m2/h",
    "mg/m2/d": "mg/m2/day",
    "mg/(m2.d)": "mg/m2/day",
}
#: UCUM -> factor to kg. [lb_av] is the avoirdupois pound, 0.45359237 kg exactly
#: (international yard and pound agreement, 1959; UCUM defines it so).
WEIGHT_KG_FACTORS: dict[str, float] = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237}
#: UCUM -> factor to cm. [in_i] is the international inch, 2.54 cm exactly.
HEIGHT_CM_FACTORS: dict[str, float] = {"cm": 1.0, "m": 100.0, "mm": 0.1, "[in_i]": 2.54}

#: (system, code) -> medications.drug.
DRUG_CODES: dict[tuple[str, str], str] = {
    (ATC, "H02AB06"): "prednisolone",
    (ATC, "H02AB07"): "prednisone",
    # Methylprednisolone appears in the data model only as IV pulses.
    (ATC, "H02AB04"): "methylprednisolone_pulse",
    (ATC, "L04AD01"): "cyclosporine",
    (ATC, "L04AD02"): "tacrolimus",
    (ATC, "L01AA01"): "cyclophosphamide",
    (ATC, "L01XC02"): "rituximab",  # ATC before 2022
    (ATC, "L01FA01"): "rituximab",  # ATC since 2022
    (ATC, "C09AA02"): "enalapril",
    (ATC, "C09CA01"): "losartan",
    (RXNORM, "8640"): "prednisone",
    (RXNORM, "68149"): "mmf",
    (RXNORM, "3008"): "cyclosporine",
    (RXNORM, "42316"): "tacrolimus",
    # Clinical drugs Synthea prescribes (kidney_transplant module; Synthea bulk output).
    (RXNORM, "108515"): "tacrolimus",  # 1 ML tacrolimus 5 MG/ML Injection
    (RXNORM, "1664463"): "tacrolimus",  # 24 HR tacrolimus 1 MG Extended Release Oral Tablet
    (RXNORM, "3002"): "cyclophosphamide",
    (RXNORM, "121191"): "rituximab",
    (RXNORM, "3827"): "enalapril",
    (RXNORM, "52175"): "losartan",
}
MYCOPHENOLIC_ACID_CODES = {(ATC, "L04AA06"), (RXNORM, "7145")}

#: SNOMED CT histology findings -> biopsies.histology.
HISTOLOGY_CODES: dict[str, str] = {
    "44785005": "MCD",  # Minimal change disease
    "236403004": "FSGS",  # Focal segmental glomerulosclerosis
    "236404005": "FSGS",  # Classical focal segmental glomerulosclerosis
    "77182004": "MN",  # Membranous glomerulonephritis
    "111406002": "DMS",  # Diffuse mesangial sclerosis
    "35546006": "MesPGN",  # Mesangial proliferative glomerulonephritis
    "722758004": "C3G",  # Complement component 3 glomerulopathy
    "236407003": "IgAN",  # IgA nephropathy
    "68779003": "IgAN",  # Primary IgA nephropathy
}
NEPHROTIC_SYNDROME_CODES = {
    "52254009",  # Nephrotic syndrome
    "236381000",  # Steroid-resistant nephrotic syndrome
    "449820008",  # Steroid resistant nephrotic syndrome of childhood
    "236380004",  # Steroid-sensitive nephrotic syndrome
    "705065000",  # Childhood nephrotic syndrome
}
CKD_CODES = {"709044004"}  # Chronic kidney disease
#: SNOMED CT Conditions and Procedures -> events.event. The CKD stage, ESRD, dialysis and
#: transplant codes are those Synthea writes (modules metabolic_syndrome/kidney_conditions,
#: dialysis, kidney_transplant and chronic_kidney_disease).
KIDNEY_EVENT_CODES: dict[str, str] = {
    "709044004": "ckd",  # Chronic kidney disease
    "431855005": "ckd",  # Chronic kidney disease stage 1 (disorder)
    "431856006": "ckd",  # Chronic kidney disease stage 2 (disorder)
    "433144002": "ckd",  # Chronic kidney disease stage 3 (disorder)
    "431857002": "ckd",  # Chronic kidney disease stage 4 (disorder)
    "46177005": "ckd",  # End-stage renal disease (disorder)
    "265764009": "dialysis",  # Renal dialysis (procedure)
    "70536003": "transplant",  # Transplant of kidney (procedure)
    "161665007": "transplant",  # History of renal transplant (situation)
}
#: SNOMED CT kidney codes Synthea writes that are not events of the data model, with the
#: reason (a code of ``fhir.skip.<code>`` in the catalogue): a waiting list, a rejection and the
#: daily care after a transplant are not the transplant (modules kidney_transplant,
#: metabolic_syndrome/kidney_conditions and chronic_kidney_disease). They are listed
#: apart in the Not imported summary, so kidney outcomes are not buried among findings
#: such as "Full-time employment".
KIDNEY_NOT_EVENT_CODES: dict[str, str] = {
    "698306007": "kidney_waiting",  # Awaiting transplantation of kidney (situation)
    "213150003": "kidney_rejection",  # Kidney transplant failure and rejection (disorder)
    "711446003": "kidney_regime",  # Transplantation of kidney regime (regime/therapy)
    "127013003": "kidney_disorder",  # Disorder of kidney due to diabetes mellitus (disorder)
    "204949001": "kidney_disorder",  # Renal dysplasia (disorder)
    "90781000119102": "kidney_disorder",  # Microalbuminuria due to type 2 diabetes mellitus
    "157141000119108": "kidney_disorder",  # Proteinuria due to type 2 diabetes mellitus
}
KIDNEY_BIOPSY_CODES = {
    "48426002",  # Fine needle biopsy of kidney
    "708940003",  # Image-guided percutaneous biopsy of kidney
}


#: UCUM dose unit -> medications.dose_unit, as the FHIR export writes doses (the importer
#: reads more units, see ``_fhir_dose.DOSE_UNITS``).
DOSE_UNITS: dict[str, str] = {
    "mg": "mg",
    "mg/kg": "mg/kg/dose",
    "mg/m2": "mg/m2/dose",
    "mg/d": "mg/day",
    "mg/kg/d": "mg/kg/day",
    "mg/m2/d": "mg/m2/day",
}
