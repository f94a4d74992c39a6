"""FHIR Observations -> labs, visit vitals and biopsy histology.

LOINC codes come from :mod:`nephrocohort.interop._fhir_codes`; UCUM units
are translated to the data contract's units and converted on load. A value
with a comparator ("<0.2 mg/dL", ">20") is censored: the data model stores
exact values only, so it is reported, never stored without its comparator.
"""

from __future__ import annotations

from nephrocohort.interop import _fhir_codes as codes
from nephrocohort.interop._fhir_collect import Collector
from nephrocohort.interop._fhir_fields import codings, day, first_label, precision, raw_date

__all__ = ["observation", "histology_of"]

_GRADE_NOTATION = {"0", "+/-", "1+", "2+", "3+", "4+"}
_MG_DL_NOTATION = {"negative", "trace", "30", "100", "300", "1000"}


def _date(resource) -> str | None:
    if resource.effectiveDateTime is not None:
        return day(resource.effectiveDateTime)
    if resource.effectivePeriod is not None:
        return day(resource.effectivePeriod.start)
    return None


def histology_of(concept) -> str | None:
    for coding in codings(concept):
        if coding.system == codes.SNOMED and coding.code in codes.HISTOLOGY_CODES:
            return codes.HISTOLOGY_CODES[coding.code]
    return None


def _dipstick_text(resource) -> str | None:
    if resource.valueString:
        return resource.valueString.strip().lower()
    concept = resource.valueCodeableConcept
    if concept is not None:
        texts = [concept.text] + [c.display for c in codings(concept)]
        for text in texts:
            if text and (text.strip().lower() in _GRADE_NOTATION | _MG_DL_NOTATION):
                return text.strip().lower()
    return None


def _censored(quantity, found: Collector, loinc: str, test: str) -> bool:
    if quantity is not None and quantity.comparator:
        found.skip("censored", loinc=loinc, test=test, comparator=quantity.comparator)
        return True
    return False


def _dipstick(resource, patient: str, date: str, found: Collector, loinc: str) -> None:
    quantity = resource.valueQuantity
    if quantity is not None and quantity.value is not None:
        # A numeric strip reading (LOINC 5804-0, mg/dL) is a grade only when it is one.
        value = float(quantity.value)
        words = {float(w) for w in _MG_DL_NOTATION if w.isdigit()}
        unit = quantity.code or quantity.unit
        if unit == "mg/dL" and value in words:
            grade = f"{value:g}"
        else:
            found.skip("dipstick_grade", loinc=loinc)
            return
    else:
        grade = _dipstick_text(resource)
    if grade is None:
        found.skip("dipstick_grade", loinc=loinc)
        return
    # The bundle loader reads both notations (negative ... 1000 and 0, +/-, 1+ ... 4+) with mg/dL.
    found.add(
        "labs",
        {
            "patient_id": patient,
            "date": date,
            "test": "dipstick_protein",
            "value": grade,
            "unit": "mg/dL",
        },
    )


def _lab(resource, test: str, patient: str, date: str, found: Collector, loinc: str) -> None:
    quantity = resource.valueQuantity
    if test == "dipstick_protein":
        if not _censored(quantity, found, loinc, test):
            _dipstick(resource, patient, date, found, loinc)
        return
    if quantity is None or quantity.value is None:
        found.skip("no_value", loinc=loinc)
        return
    if _censored(quantity, found, loinc, test):
        return
    ucum = quantity.code or quantity.unit
    unit = codes.LAB_UNITS.get(ucum or "")
    if unit is None:
        found.skip("lab_unit", loinc=loinc, test=test, unit=ucum)
        return
    found.add(
        "labs",
        {
            "patient_id": patient,
            "date": date,
            "test": test,
            "value": float(quantity.value),
            "unit": unit,
        },
    )


def _vital(column: str, quantity, patient: str, date: str, found: Collector, loinc: str) -> None:
    if quantity is None or quantity.value is None:
        found.skip("no_value", loinc=loinc)
        return
    if _censored(quantity, found, loinc, column):
        return
    ucum = quantity.code or quantity.unit or ""
    factors = {"weight_kg": codes.WEIGHT_KG_FACTORS, "height_cm": codes.HEIGHT_CM_FACTORS}.get(
        column
    )
    if factors is None:  # blood pressure
        if ucum != "mm[Hg]":
            found.skip("pressure_unit", loinc=loinc, unit=ucum)
            return
        factor = 1.0
    elif ucum not in factors:
        found.skip("vital_unit", column=column, loinc=loinc, unit=ucum)
        return
    else:
        factor = factors[ucum]
    found.set_vital(patient, date, column, float(quantity.value) * factor)


def _undated(resource, found: Collector, what: str) -> None:
    """Skip an observation without a usable date, saying when the date is only partial."""
    value = resource.effectiveDateTime
    if value is None and resource.effectivePeriod is not None:
        value = resource.effectivePeriod.start
    partial = precision(value)
    if partial:
        found.skip(f"{what}_partial_date", precision=partial, value=raw_date(value))
    else:
        found.skip(f"{what}_without_date")


def _timed_protein(resource, patient: str, date: str, found: Collector, loinc: str) -> None:
    quantity = resource.valueQuantity
    if _censored(quantity, found, loinc, "urine_protein_timed"):
        return
    ucum = (quantity.code or quantity.unit) if quantity is not None else None
    unit = codes.LAB_UNITS.get(ucum or "")
    if unit in ("mg/m2/h", "mg/m2/day") and quantity.value is not None:
        found.add(
            "labs",
            {
                "patient_id": patient,
                "date": date,
                "test": "urine_protein_timed",
                "value": float(quantity.value),
                "unit": unit,
            },
        )
    else:
        found.skip("protein_24h", loinc=loinc, unit=ucum)


def _pressures(resource, patient: str, date: str, found: Collector) -> None:
    for component in resource.component or []:
        parts = [c.code for c in codings(component.code) if c.system == codes.LOINC]
        if codes.SBP in parts:
            _vital("sbp_mmhg", component.valueQuantity, patient, date, found, codes.SBP)
        elif codes.DBP in parts:
            _vital("dbp_mmhg", component.valueQuantity, patient, date, found, codes.DBP)


def observation(resource, patient: str, found: Collector) -> None:
    """Map one Observation (already checked for status) onto the tables."""
    date = _date(resource)
    histology = histology_of(resource.valueCodeableConcept)
    if histology:
        if date is None:
            _undated(resource, found, "histology")
            return
        found.add("biopsies", {"patient_id": patient, "biopsy_date": date, "histology": histology})
        return
    loincs = [c.code for c in codings(resource.code) if c.system == codes.LOINC]
    if date is None:
        _undated(resource, found, "observation")
        return
    for loinc in loincs:
        if loinc in codes.LAB_CODES:
            _lab(resource, codes.LAB_CODES[loinc], patient, date, found, loinc)
            return
        if loinc in codes.VITAL_CODES:
            _vital(codes.VITAL_CODES[loinc], resource.valueQuantity, patient, date, found, loinc)
            return
        if loinc in (codes.SBP, codes.DBP):
            column = "sbp_mmhg" if loinc == codes.SBP else "dbp_mmhg"
            _vital(column, resource.valueQuantity, patient, date, found, loinc)
            return
        if loinc in codes.BP_PANELS:
            _pressures(resource, patient, date, found)
            return
        if loinc == codes.TIMED_PROTEIN:
            _timed_protein(resource, patient, date, found, loinc)
            return
    found.skip("observation_unknown", shown=first_label(resource.code))
