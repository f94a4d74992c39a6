"""The dose of a FHIR Dosage in the data model's units: amount per dose x doses per day.

``doseAndRate.doseQuantity`` is the amount given each time, and ``timing``
says how often (``repeat.frequency`` times per ``repeat.period``
``repeat.periodUnit``, or a ``timing.code`` such as BID). The data model
keeps the schedules it knows (daily, twice daily, alternate days, a single
dose) as written; any other frequency (three times a day, every 8 hours,
weekly) becomes the same amount per day, so the steroid dose derivation
(``cohort/_derive_steroids.py``) can use it. Mass units are converted to mg
(UCUM: g = 1000 mg, ug = 0.001 mg). A dose that cannot be read is reported
and left empty; nothing is assumed (a tablet count is not a dose in mg).
"""

from __future__ import annotations

import math

__all__ = ["dose_of", "days_given", "DOSE_UNITS"]

#: UCUM code -> (factor to mg, per, basis): per is "dose" or "day"; basis "", "kg" or "m2".
DOSE_UNITS: dict[str, tuple[float, str, str]] = {
    "mg": (1.0, "dose", ""),
    "g": (1000.0, "dose", ""),
    "ug": (0.001, "dose", ""),
    "mg/kg": (1.0, "dose", "kg"),
    "mg/m2": (1.0, "dose", "m2"),
    "mg/d": (1.0, "day", ""),
    "g/d": (1000.0, "day", ""),
    "mg/kg/d": (1.0, "day", "kg"),
    "mg/(kg.d)": (1.0, "day", "kg"),
    "mg/m2/d": (1.0, "day", "m2"),
    "mg/(m2.d)": (1.0, "day", "m2"),
}
#: (per, basis) -> medications.dose_unit.
CONTRACT_UNIT = {
    ("dose", ""): "mg",
    ("dose", "kg"): "mg/kg/dose",
    ("dose", "m2"): "mg/m2/dose",
    ("day", ""): "mg/day",
    ("day", "kg"): "mg/kg/day",
    ("day", "m2"): "mg/m2/day",
}
#: Timing.repeat.periodUnit (UCUM, FHIR R4 UnitsOfTime) -> days; mo and a have no fixed length.
PERIOD_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
#: Timing.code (FHIR R4 TimingAbbreviation, from HL7 v3 GTSAbbreviation) -> (times, days).
TIMING_CODES = {"QD": (1, 1.0), "BID": (2, 1.0), "TID": (3, 1.0), "QID": (4, 1.0), "QOD": (1, 2.0)}
#: Doses per day -> the schedules of the data model.
SCHEDULES = {1.0: "daily", 2.0: "bid", 0.5: "alternate_day"}


def _per_day(timing) -> tuple[float | None, bool]:
    """(doses per day or None, single dose?) from a FHIR Timing."""
    if timing is None:
        return None, False
    repeat = getattr(timing, "repeat", None)
    if repeat is not None and repeat.count == 1:
        return None, True
    if repeat is not None and repeat.period is not None:
        days = PERIOD_DAYS.get(repeat.periodUnit or "")
        if days is None or not repeat.period:
            return None, False
        return float(repeat.frequency or 1) / (float(repeat.period) * days), False
    codes = [c.code for c in getattr(getattr(timing, "code", None), "coding", None) or []]
    for code in codes:
        if code in TIMING_CODES:
            times, days = TIMING_CODES[code]
            return times / days, False
    return None, False


def days_given(dosage) -> int | None:
    """Days a dosage with ``repeat.count`` lasts (a single dose: 1 day), else None.

    FHIR R4 Timing.repeat.count: "a total count of the desired number of
    repetitions across the duration of the entire timing specification".
    """
    timing = getattr(dosage, "timing", None)
    repeat = getattr(timing, "repeat", None) if timing is not None else None
    if repeat is None or not repeat.count:
        return None
    if repeat.count == 1:
        return 1
    per_day, _ = _per_day(timing)
    if not per_day:
        return None
    return math.ceil(repeat.count / per_day)


def dose_of(dosage, drug: str) -> tuple[dict, tuple[str, dict] | None]:
    """``({dose, dose_unit, schedule}, problem)``: the row's dose columns and what was wrong."""
    per_day, single = _per_day(getattr(dosage, "timing", None))
    schedule = "single" if single else SCHEDULES.get(per_day) if per_day else None
    rates = getattr(dosage, "doseAndRate", None) or []
    quantity = rates[0].doseQuantity if rates else None
    if quantity is None or quantity.value is None:
        return {"schedule": schedule}, None
    ucum = quantity.code or quantity.unit
    if ucum not in DOSE_UNITS:
        return {"schedule": schedule}, ("dose_unit", {"drug": drug, "unit": ucum or "none"})
    factor, per, basis = DOSE_UNITS[ucum]
    amount = float(quantity.value) * factor
    if per == "dose" and per_day is not None and schedule is None:
        # Three times a day, every 8 hours, weekly...: the same amount per day.
        return {
            "dose": amount * per_day,
            "dose_unit": CONTRACT_UNIT[("day", basis)],
            "schedule": "daily",
        }, None
    return {"dose": amount, "dose_unit": CONTRACT_UNIT[(per, basis)], "schedule": schedule}, None
