"""Named rule sets: every clinical threshold and derivation window, as data with its source.

A rule set is a YAML file. Three ship in ``clinical/rulesets/``: ``study`` (the
seed study's own definitions, to reproduce it), ``ipna2020`` (IPNA clinical
practice recommendations for SRNS) and ``kdigo2021`` (KDIGO 2021 glomerular
diseases guideline, chapter 4, children). A user copies one, edits it and
passes the path. Each threshold states its comparison operator (the boundary
convention) and its source; ``docs/clinical/`` describes each rule set.

Proteinuria thresholds are applied in the unit that was measured: a UPCR in
mg/mmol is compared with the mg/mmol threshold of the rule set and never
converted to mg/mg first, because the guidelines pair 200 mg/mmol with
2 mg/mg although the exact equivalent is 226 mg/mmol. Only exact conversions
within one kind of unit are made (mg/m2/day <-> mg/m2/h by 24; g/g = mg/mg).

References
----------
.. [1] Trautmann A, Vivarelli M, Samuel S, et al. IPNA clinical practice
   recommendations for the diagnosis and management of children with
   steroid-resistant nephrotic syndrome. Pediatr Nephrol 2020;35:1529-1561.
   doi:10.1007/s00467-020-04519-1
.. [2] KDIGO 2021 Clinical Practice Guideline for the Management of Glomerular
   Diseases. Kidney Int 2021;100(4S):S1-S276. doi:10.1016/j.kint.2021.05.021
.. [3] The seed study (shared/seed/srns-mmf-single-center-study.txt), Methods.

The IPNA 2020 Table 1 text itself was not available: the ``ipna2020``
definitions are those of IPNA 2022 SSNS Table 1 (Pediatr Nephrol
2023;38:877-919, PMC9589698), which repeats the 2020 wording; the KDIGO 2021
definitions were read in secondary sources. Each YAML ``source`` says which.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from nephrocohort.clinical.units import dipstick_to_mg_dl, normalise_unit
from nephrocohort.exceptions import ClinicalInputError, RuleSetError

__all__ = [
    "PROTEINURIA_TESTS",
    "PROTEINURIA_CATEGORIES",
    "EGFR_EQUATION_NAMES",
    "FrozenMapping",
    "Threshold",
    "ProteinuriaCriterion",
    "SyndromeCriteria",
    "Timepoint",
    "DerivationParameters",
    "RuleSet",
    "load_rule_set",
    "list_rule_sets",
]

PROTEINURIA_TESTS = ("urine_protein_timed", "upcr", "dipstick_protein")
PROTEINURIA_CATEGORIES = ("nephrotic", "partial", "complete")
EGFR_EQUATION_NAMES = (
    "schwartz-1976",
    "schwartz-bedside",
    "ckid-u25",
    "ckid-u25-cystatin",
    "ckid-u25-combined",
)
_TIMEPOINT_NAMES = ("month0", "month1", "month3", "month6", "month12")
_RELAPSE_PERIODS = ("12_months", "whole")
_OPERATORS = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}

# Units of one kind, with the exact factor to the first unit of the kind. A measured
# unit is compared with a threshold only when both are of the same kind, so a UPCR
# in mg/mmol is never compared with a mg/mg threshold.
_UNIT_KINDS = (
    {"mg/m2/h": 1.0, "mg/m2/day": 1.0 / 24.0},
    {"mg/mg": 1.0, "g/g": 1.0, "mg/g": 0.001},
    {"mg/mmol": 1.0},
    {"mg/dl": 1.0},
)


def _kind_factor(unit: str) -> tuple[int, float] | None:
    key = normalise_unit(unit)
    for index, kind in enumerate(_UNIT_KINDS):
        if key in kind:
            return index, kind[key]
    return None


class FrozenMapping(Mapping):
    """A read-only, hashable mapping (so that rule sets stay frozen and hashable).

    References
    ----------
    Container type; no clinical source.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping | None = None):
        self._items = tuple((items or {}).items())

    def __getitem__(self, key):
        for name, value in self._items:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self._items) == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMapping({dict(self._items)!r})"


@dataclass(frozen=True)
class Threshold:
    """One comparison (``value <operator> threshold``) and where it comes from.

    References
    ----------
    The ``source`` field of each threshold in the rule-set YAML.
    """

    operator: str
    value: float
    unit: str
    source: str
    note: str = ""

    def applies(self, values):
        """True where ``values`` (already in ``unit``) meet the threshold.

        References
        ----------
        The threshold's own ``source``.
        """
        return _OPERATORS[self.operator](values, self.value)

    def __str__(self) -> str:
        return f"{self.operator} {self.value:g} {self.unit}"


@dataclass(frozen=True)
class ProteinuriaCriterion:
    """Thresholds for one test in one unit: nephrotic above, complete remission below.

    A value that is neither nephrotic nor complete is ``partial``.

    References
    ----------
    The thresholds' ``source`` fields.
    """

    test: str
    unit: str
    nephrotic: Threshold
    complete: Threshold

    def classify(self, values_in_unit):
        """Category per value (object array); NaN stays None.

        References
        ----------
        The thresholds' ``source`` fields.
        """
        values_in_unit = np.asarray(values_in_unit, dtype=float)
        with np.errstate(invalid="ignore"):
            out = np.where(
                self.nephrotic.applies(values_in_unit),
                "nephrotic",
                np.where(self.complete.applies(values_in_unit), "complete", "partial"),
            ).astype(object)
        out[np.isnan(values_in_unit)] = None
        return out


@dataclass(frozen=True)
class SyndromeCriteria:
    """Nephrotic syndrome criteria and the steroid trial that defines steroid response.

    References
    ----------
    Each field's source is in the rule set's ``parameter_sources``.
    """

    albumin_below_g_dl: float
    requires_edema: bool
    edema_replaces_missing_albumin: bool
    cholesterol_at_least_mg_dl: float | None
    steroid_dose_mg_m2_day: float
    steroid_max_mg_day: float
    steroid_trial_days: int
    steroid_late_response_until_day: int
    steroid_confirmation_only_after_partial: bool


@dataclass(frozen=True)
class Timepoint:
    """A follow-up time point: target day after MMF start and the window around it.

    References
    ----------
    DESIGN.md, derivation defaults (baseline 30 days before to the start day;
    month 1 +/-15 days; later +/-30 days).
    """

    months: int
    target_day: int
    window_before_days: int
    window_after_days: int


@dataclass(frozen=True)
class DerivationParameters:
    """Every window and cut-off the derivation of the analysis dataset uses.

    References
    ----------
    docs/architecture.md (contract); sources per field in the rule-set YAML.
    """

    measurement_priority: tuple[str, ...]
    timepoints: FrozenMapping
    relapse_merge_days: int
    relapse_period_months: int
    relapse_period: str
    relapse_confirmation_days: int
    remission_confirmation_days: int
    steroid_followup_months: int
    egfr_equation: str
    crf_egfr_below: float
    crf_min_duration_days: int
    crf_min_age_years: float
    eligibility_max_age_years: float
    eligibility_min_egfr: float
    # Partial remission also needs serum albumin >= this (IPNA 2020, KDIGO 2021:
    # >= 30 g/L); None: proteinuria alone decides (the seed study). An albumin
    # counts only within ``albumin_window_days`` of the proteinuria measurement;
    # without one, proteinuria decides alone ("if available", KDIGO 2025).
    partial_remission_min_albumin_g_dl: float | None = None
    albumin_window_days: int = 3


@dataclass(frozen=True)
class RuleSet:
    """A named set of clinical definitions, each threshold with its source.

    References
    ----------
    See the module references; each threshold carries its own ``source``.
    """

    name: str
    title: str
    sources: tuple[str, ...]
    proteinuria: tuple[ProteinuriaCriterion, ...]
    syndrome: SyndromeCriteria
    derivation: DerivationParameters
    parameter_sources: FrozenMapping = field(default_factory=FrozenMapping, repr=False)
    description: str = field(default="", repr=False)
    path: str | None = field(default=None, compare=False, repr=False)
    based_on: str | None = field(default=None, compare=False, repr=False)
    changes: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __repr__(self) -> str:
        return (
            f"RuleSet(name={self.name!r}, title={self.title!r}, fingerprint={self.fingerprint!r})"
        )

    @property
    def origin(self) -> str:
        """Where the rule set came from: ``built-in`` or the path of the user's file.

        References
        ----------
        Provenance only; no clinical source.
        """
        return "built-in" if self.path is None else self.path

    @property
    def fingerprint(self) -> str:
        """12 hex digits of a SHA-256 over every definition (operators, values, units, windows).

        Names, titles, sources and comments do not enter it, so two files with
        the same definitions have the same fingerprint and any changed
        threshold or window gives another one. Report it with results so a
        reader can tell which definitions produced them.

        References
        ----------
        Provenance only; SHA-256 (FIPS 180-4).
        """
        text = json.dumps(sorted(self.definitions().items()), separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def definitions(self) -> dict[str, str]:
        """Every definition as ``{parameter: value}`` text, the content the fingerprint covers.

        References
        ----------
        The rule-set YAML.
        """
        items = {}
        for criterion in self.proteinuria:
            prefix = f"proteinuria.{criterion.test}[{criterion.unit}]"
            items[f"{prefix}.nephrotic"] = str(criterion.nephrotic)
            items[f"{prefix}.complete"] = str(criterion.complete)
        for section, obj in (("syndrome", self.syndrome), ("derivation", self.derivation)):
            for name in obj.__dataclass_fields__:
                items[f"{section}.{name}"] = _definition_text(getattr(obj, name))
        return items

    @property
    def provenance(self) -> str:
        """One phrase saying which rule set this is, where it came from and its fingerprint.

        E.g. "the rule set 'study' (Seed study: ...; shipped with NephroCohort;
        fingerprint 1a2b3c4d5e6f)" or "a modified copy of 'study' (file my.yaml; changed:
        ...; fingerprint ...)". A file that claims a shipped rule set by its
        name or title but changes a definition is never described by the
        shipped name alone.

        References
        ----------
        Provenance only; no clinical source.
        """
        print_ = f"fingerprint {self.fingerprint}"
        if self.path is None:
            return f"the rule set '{self.name}' ({self.title}; shipped with NephroCohort; {print_})"
        if self.based_on is not None and self.changes:
            listed = "; ".join(self.changes[:_CHANGES_LISTED])
            more = len(self.changes) - _CHANGES_LISTED
            if more > 0:
                listed += f"; and {more} more (nephrocohort rules show {self.path})"
            return (
                f"a modified copy of '{self.based_on}' (file {self.path}; changed: "
                f"{listed}; {print_})"
            )
        same = f", definitions identical to the shipped '{self.based_on}'" if self.based_on else ""
        return f"the rule set '{self.name}' ({self.title}; file {self.path}{same}; {print_})"

    def criterion_for(self, test: str, unit: str) -> tuple[ProteinuriaCriterion, float]:
        """The criterion that applies to ``test`` measured in ``unit`` and the exact factor to its unit.

        References
        ----------
        Module docstring: thresholds apply in the unit measured.
        """
        if test not in PROTEINURIA_TESTS:
            raise ClinicalInputError(
                f"'{test}' is not a proteinuria test. Expected one of: {', '.join(PROTEINURIA_TESTS)}."
            )
        measured = _kind_factor(unit) if unit is not None else None
        if measured is not None:
            for criterion in self.proteinuria:
                if criterion.test != test:
                    continue
                kind = _kind_factor(criterion.unit)
                if kind is not None and kind[0] == measured[0]:
                    return criterion, measured[1] / kind[1]
        units = ", ".join(c.unit for c in self.proteinuria if c.test == test)
        raise ClinicalInputError(
            f"Rule set '{self.name}' has no {test} threshold for unit '{unit}'. "
            f"It classifies {test} measured in: {units}."
        )

    def classify_proteinuria(self, test: str, value, unit: str) -> str:
        """Classify one measurement as ``nephrotic``, ``partial`` or ``complete``.

        ``value`` is as measured, in ``unit``; a dipstick may also be given as a
        grade (``"trace"``, ``"2+"``, ``"300"``). This classifies the
        proteinuria only: the albumin part of partial remission
        (``derivation.partial_remission_min_albumin_g_dl``) and the
        consecutive-days confirmation are the derivation's job
        (``derivation.remission_confirmation_days``).

        References
        ----------
        The rule set's thresholds and their sources (``rules show NAME``).
        """
        if test == "dipstick_protein" and isinstance(value, str):
            value, unit = dipstick_to_mg_dl(value), "mg/dL"
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ClinicalInputError(f"The {test} value '{value}' is not a number.") from None
        if np.isnan(number):
            raise ClinicalInputError(f"The {test} value is missing; nothing to classify.")
        if np.isinf(number):
            raise ClinicalInputError(f"The {test} value is infinite; expected a measured number.")
        if number < 0:
            raise ClinicalInputError(
                f"The {test} value {value} is negative; proteinuria cannot be below 0."
            )
        criterion, factor = self.criterion_for(test, unit)
        return str(criterion.classify(np.array([number * factor]))[0])

    def classify_proteinuria_array(self, tests, values, units):
        """Vectorised ``classify_proteinuria``: an object array of categories, None where the value is missing.

        ``tests`` and ``units`` are arrays (or one string for all); ``values``
        are numbers as measured (dipstick grades such as ``"2+"`` are accepted
        in an object array). Same categories as ``classify_proteinuria`` row by
        row; the work is done per distinct (test, unit) with numpy masks, so
        ten million rows classify in seconds. Negative or infinite values, an
        unknown test or a unit without a threshold are refused with the
        position of the first such row.

        References
        ----------
        The rule set's thresholds and their sources (``rules show NAME``).
        """
        numbers, dipstick_grade = _measured_numbers(values, tests)
        count = numbers.size
        test_codes, test_names = _codes(tests, count)
        unit_codes, unit_names = _codes(units, count)
        # A dipstick grade given as text is in mg/dL whatever the unit column says.
        if dipstick_grade.any():
            unit_codes = np.where(dipstick_grade, len(unit_names), unit_codes)
            unit_names = [*unit_names, "mg/dL"]
        known = ~np.isnan(numbers)
        for condition, problem in (
            (known & (numbers < 0), "is negative; proteinuria cannot be below 0"),
            (np.isinf(numbers), "is infinite; expected a measured number"),
        ):
            bad = np.flatnonzero(condition)
            if bad.size:
                raise ClinicalInputError(
                    f"Proteinuria value {numbers[bad[0]]:g} at position {bad[0]} {problem}."
                )
        state = np.full(
            count, -1, dtype=np.int8
        )  # -1 missing; else index in PROTEINURIA_CATEGORIES
        width = len(unit_names)
        pair = np.where(known, test_codes * width + unit_codes, -1)
        for key in np.flatnonzero(np.bincount(pair[known], minlength=1)):
            test_code, unit_code = divmod(int(key), width)
            mask = pair == key
            try:
                criterion, factor = self.criterion_for(test_names[test_code], unit_names[unit_code])
            except ClinicalInputError as error:
                raise ClinicalInputError(f"At position {int(np.argmax(mask))}: {error}") from None
            in_unit = numbers[mask] * factor
            state[mask] = np.where(
                criterion.nephrotic.applies(in_unit),
                0,
                np.where(criterion.complete.applies(in_unit), 2, 1),
            )
        return _CATEGORY_OR_NONE[state + 1]

    def parameter_rows(self) -> list[tuple[str, str, str]]:
        """(parameter, value, source) rows, thresholds first, for display.

        References
        ----------
        The rule-set YAML.
        """
        return self._rows(with_notes=True)

    def parameter_label(self, parameter: str) -> str:
        """What a parameter of ``parameter_rows`` decides, in words a clinician reads.

        References
        ----------
        Display only; docs/clinical/rule-sets.md.
        """
        if parameter.startswith("proteinuria."):
            test_unit, category = parameter[len("proteinuria.") :].rsplit(".", 1)
            test, unit = test_unit.rstrip("]").split("[", 1)
            return f"{_CATEGORY_TEXT[category]}, {_TEST_TEXT[test]} ({unit})"
        return _PARAMETER_TEXT.get(parameter.split(".", 1)[-1], (parameter, None))[0]

    def _rows(self, *, with_notes: bool) -> list[tuple[str, str, str]]:
        rows = []
        for criterion in self.proteinuria:
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
        for section, obj in (("syndrome", self.syndrome), ("derivation", self.derivation)):
            for name in obj.__dataclass_fields__:
                value = getattr(obj, name)
                show = _PARAMETER_TEXT.get(name, (name, None))[1]
                text = show(value) if show is not None else str(value)
                rows.append((f"{section}.{name}", text, self.parameter_sources.get(name, "")))
        return rows


def _definition_text(value) -> str:
    """A definition's value as plain text (what the fingerprint and the change list use)."""
    if isinstance(value, Mapping):
        return "; ".join(
            f"{k}: day {v.target_day} (-{v.window_before_days}/+{v.window_after_days})"
            for k, v in value.items()
        )
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _yes_no(value) -> str:
    return "yes" if value else "no"


def _timepoints_text(points) -> str:
    return "; ".join(
        f"{name}: day {p.target_day} after MMF start (nearest measurement from "
        f"{p.window_before_days} days before to {p.window_after_days} days after)"
        for name, p in points.items()
    )


_TEST_TEXT = {
    "urine_protein_timed": "timed urine protein",
    "upcr": "UPCR",
    "dipstick_protein": "dipstick protein",
}
_CATEGORY_TEXT = {
    "nephrotic": "Nephrotic range",
    "complete": "Complete remission",
    "partial": "Partial remission",
}
_EGFR_TEXT = {
    "schwartz-1976": "original Schwartz 1976, k by age and sex, Jaffe creatinine",
    "schwartz-bedside": "bedside Schwartz 2009, IDMS creatinine, ages 1-18",
    "ckid-u25": "CKiD U25 creatinine 2021, ages 1-25",
    "ckid-u25-cystatin": "CKiD U25 cystatin C 2021, ages 1-25",
    "ckid-u25-combined": "CKiD U25 creatinine and cystatin C average 2021, ages 1-25",
}
_RELAPSE_PERIOD_TEXT = {
    "12_months": "the 12 months before MMF start vs the first 12 months on MMF",
    "whole": "the whole time before MMF start vs the whole time on MMF",
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
        lambda v: "not required" if v is None else f">= {v:g} mg/dL",
    ),
    "steroid_dose_mg_m2_day": (
        "Steroid trial, standard prednisone dose",
        lambda v: f"{v:g} mg/m2/day",
    ),
    "steroid_max_mg_day": ("Steroid trial, maximum prednisone dose", lambda v: f"{v:g} mg/day"),
    "steroid_trial_days": (
        "Steroid trial, resistant without complete remission after",
        lambda v: f"{v} days of the standard dose",
    ),
    "steroid_late_response_until_day": (
        "Steroid trial, a complete remission still counts as response up to",
        lambda v: f"day {v}",
    ),
    "steroid_confirmation_only_after_partial": (
        "Steroid trial, confirmation period only after a partial remission",
        _yes_no,
    ),
    "measurement_priority": (
        "Proteinuria of a day, measurement used, best first",
        lambda v: ", then ".join(_TEST_TEXT.get(t, t) for t in v),
    ),
    "timepoints": ("Follow-up time points and their windows", _timepoints_text),
    "relapse_merge_days": (
        "Relapses less than this apart are one relapse",
        lambda v: f"{v} days",
    ),
    "relapse_period_months": ("Relapse rate, length of each period", lambda v: f"{v} months"),
    "relapse_period": (
        "Relapse rate, periods compared",
        lambda v: f"{v} ({_RELAPSE_PERIOD_TEXT.get(v, v)})",
    ),
    "relapse_confirmation_days": (
        "Relapse, days the nephrotic range must last",
        lambda v: f"{v} day{'s' if v != 1 else ''} (1 = one measurement suffices)",
    ),
    "remission_confirmation_days": (
        "Remission, days it must last",
        lambda v: f"{v} day{'s' if v != 1 else ''} (1 = one measurement suffices)",
    ),
    "partial_remission_min_albumin_g_dl": (
        "Partial remission, serum albumin also required",
        lambda v: "not required (proteinuria alone)" if v is None else f">= {v:g} g/dL",
    ),
    "albumin_window_days": (
        "Partial remission, albumin used when measured within",
        lambda v: f"{v} day{'s' if v != 1 else ''} of the proteinuria (none: proteinuria alone)",
    ),
    "steroid_followup_months": (
        "Steroid dose compared at MMF start and after",
        lambda v: f"{v} months (or at MMF stop if sooner)",
    ),
    "egfr_equation": ("eGFR equation", lambda v: f"{v} ({_EGFR_TEXT.get(v, v)})"),
    "crf_egfr_below": (
        "Chronic renal failure, eGFR",
        lambda v: f"< {v:g} mL/min/1.73m2",
    ),
    "crf_min_duration_days": (
        "Chronic renal failure, low eGFR lasting",
        lambda v: f"more than {v} days",
    ),
    "crf_min_age_years": (
        "Chronic renal failure, eGFR used from age",
        lambda v: "any age" if v == 0 else f"{v:g} years (earlier values not used)",
    ),
    "eligibility_max_age_years": (
        "Inclusion, age at MMF start",
        lambda v: f"< {v:g} years",
    ),
    "eligibility_min_egfr": (
        "Inclusion, eGFR before MMF",
        lambda v: f"> {v:g} mL/min/1.73m2",
    ),
}


# A methods paragraph lists this many changes of a modified copy; `rules show` lists all.
_CHANGES_LISTED = 5

_CATEGORY_OR_NONE = np.array([None, *PROTEINURIA_CATEGORIES], dtype=object)


def _codes(labels, count: int) -> tuple[np.ndarray, list]:
    """Integer code per row and the distinct labels (a missing label is the label None)."""
    if labels is None or isinstance(labels, str) or np.ndim(labels) == 0:
        return np.zeros(count, dtype=np.int64), [labels]
    if not isinstance(labels, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        labels = np.asarray(labels, dtype=object).reshape(-1)
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    if len(codes) == 1 and count != 1:
        codes = np.repeat(codes, count)
    if len(codes) != count:
        raise ClinicalInputError(
            f"Got {len(codes)} tests or units for {count} proteinuria values; give one per value."
        )
    names = [str(name) for name in uniques] + [None]
    return np.where(codes < 0, len(names) - 1, codes).astype(np.int64), names


def _measured_numbers(values, tests) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats (NaN for missing) and the rows where a dipstick grade was given as text.

    Numbers are converted by numpy in one pass; text is converted once per
    distinct text, not once per row.
    """
    if isinstance(values, pd.Series | pd.Index):
        values = values.to_numpy()
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.dtype.kind in "fiu":
        numbers = array.astype(float).reshape(-1)
        return numbers, np.zeros(numbers.size, dtype=bool)
    values = np.asarray(values, dtype=object).reshape(-1)
    text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=values.size)
    numbers = np.full(values.size, np.nan)
    others = np.flatnonzero(~text)
    try:
        numbers[others] = values[others].astype(float)  # None becomes NaN
    except (TypeError, ValueError):
        for position in others:
            if not _is_number(values[position]):
                raise ClinicalInputError(
                    f"Proteinuria value '{values[position]}' at position {position} is not a number."
                ) from None
    grade_rows = np.zeros(values.size, dtype=bool)
    text_rows = np.flatnonzero(text)
    if text_rows.size == 0:
        return numbers, grade_rows
    if isinstance(tests, str) or np.ndim(tests) == 0:
        dipstick = np.full(text_rows.size, tests == "dipstick_protein", dtype=bool)
    else:
        test_array = np.asarray(tests, dtype=object).reshape(-1)
        dipstick = np.broadcast_to(test_array, values.shape)[text_rows] == "dipstick_protein"
    grade_rows[text_rows[dipstick]] = True
    codes, uniques = pd.factorize(values[text_rows])
    for index, unique in enumerate(uniques):
        rows = codes == index
        as_grade, as_number = rows & dipstick, rows & ~dipstick
        if as_grade.any():
            numbers[text_rows[as_grade]] = dipstick_to_mg_dl(unique)
        if as_number.any():
            try:
                numbers[text_rows[as_number]] = float(unique)
            except ValueError:
                first = int(text_rows[as_number][0])
                raise ClinicalInputError(
                    f"Proteinuria value '{unique}' at position {first} is not a number."
                ) from None
    return numbers, grade_rows


def _is_number(value) -> bool:
    try:
        float(value if value is not None else "nan")
    except (TypeError, ValueError):
        return False
    return True


# ----------------------------------------------------------------------------- loading


def list_rule_sets() -> tuple[str, ...]:
    """Names of the rule sets shipped with NephroCohort.

    References
    ----------
    Files in ``nephrocohort/clinical/rulesets/``; see docs/clinical/.
    """
    folder = resources.files("nephrocohort.clinical") / "rulesets"
    return tuple(
        sorted(
            item.name[: -len(".yaml")] for item in folder.iterdir() if item.name.endswith(".yaml")
        )
    )


def load_rule_set(name_or_path) -> RuleSet:
    """Load a shipped rule set by name, or a user's rule set from a YAML file path.

    Raises ``RuleSetError`` for an unknown name (listing the available ones), a
    missing file, or a malformed file (naming the file and the field at fault).

    References
    ----------
    See the module references and docs/clinical/rule-sets.md.
    """
    if isinstance(name_or_path, RuleSet):
        return name_or_path
    text = str(name_or_path)
    names = list_rule_sets()
    if text in names:
        return _load_builtin(text)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists() or "/" in text or "\\" in text:
        if not path.is_file():
            raise RuleSetError(f"No rule set file at '{text}'. Check the path.")
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RuleSetError(f"Rule set file '{text}' could not be read: {error}.") from None
        return _compared_with_shipped(_parse(content, f"rule set file '{text}'", str(path)))
    raise RuleSetError(
        f"Unknown rule set '{text}'. Available rule sets: {', '.join(names)}; "
        "or give the path to your own YAML file."
    )


def _compared_with_shipped(rule_set: RuleSet) -> RuleSet:
    """Record which shipped rule set a user's file claims to be (by name or title) and what differs."""
    shipped = {name: _load_builtin(name) for name in list_rule_sets()}
    claimed = rule_set.name if rule_set.name in shipped else None
    if claimed is None:
        claimed = next((n for n, r in shipped.items() if r.title == rule_set.title), None)
    if claimed is None:
        return rule_set
    original, edited = shipped[claimed].definitions(), rule_set.definitions()
    changes = tuple(
        f"{key} {original.get(key, '(absent)')} -> {edited.get(key, '(absent)')}"
        for key in [*original, *(k for k in edited if k not in original)]
        if original.get(key) != edited.get(key)
    )
    return dataclasses.replace(rule_set, based_on=claimed, changes=changes)


@functools.cache
def _load_builtin(name: str) -> RuleSet:
    # Built-in files do not change while the program runs, and a RuleSet is frozen,
    # so one parsed copy per name is shared. User files are read on every call.
    resource = resources.files("nephrocohort.clinical") / "rulesets" / f"{name}.yaml"
    return _parse(resource.read_text(encoding="utf-8"), f"built-in rule set '{name}'", None)


class _Reader:
    """Reads fields of the YAML mapping and names the file and field in every error."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, field_name: str, expected: str, got: Any = None) -> RuleSetError:
        got_text = "" if got is None else f"; got {got!r}"
        return RuleSetError(f"In {self.where}, field '{field_name}' must be {expected}{got_text}.")

    def mapping(self, data, field_name: str) -> dict:
        if not isinstance(data, dict):
            raise self.fail(field_name, "a mapping (key: value lines)", data)
        return data

    def get(self, data: dict, key: str, field_name: str):
        if key not in data:
            raise RuleSetError(f"In {self.where}, field '{field_name}' is missing.")
        return data[key]

    def text(self, data: dict, key: str, field_name: str) -> str:
        value = self.get(data, key, field_name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field_name, "a non-empty text", value)
        return value.strip()

    def number(self, value, field_name: str, *, minimum: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(field_name, f"a number of at least {minimum:g}", value)
        return float(value)

    def integer(self, value, field_name: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(field_name, f"a whole number of at least {minimum}", value)
        return value

    def boolean(self, value, field_name: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field_name, "true or false", value)
        return value

    def sourced(self, data: dict, key: str, section: str) -> tuple[Any, str]:
        """A parameter written as {value: ..., source: ...}."""
        field_name = f"{section}.{key}"
        entry = self.mapping(self.get(data, key, field_name), field_name)
        source = self.text(entry, "source", f"{field_name}.source")
        return self.get(entry, "value", f"{field_name}.value"), source


def _parse(content: str, where: str, path: str | None) -> RuleSet:
    reader = _Reader(where)
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise RuleSetError(f"{where[0].upper()}{where[1:]} is not valid YAML: {error}") from None
    data = reader.mapping(data, "(top level)")
    sources_raw = reader.get(data, "sources", "sources")
    if not isinstance(sources_raw, list) or not sources_raw:
        raise reader.fail("sources", "a non-empty list of citations", sources_raw)
    for index, item in enumerate(sources_raw):
        if not isinstance(item, str) or not item.strip():
            raise reader.fail(f"sources[{index}]", "a citation text", item)
    parameter_sources: dict[str, str] = {}
    return RuleSet(
        name=reader.text(data, "name", "name"),
        title=reader.text(data, "title", "title"),
        sources=tuple(s.strip() for s in sources_raw),
        proteinuria=_parse_proteinuria(reader, data),
        syndrome=_parse_syndrome(reader, data, parameter_sources),
        derivation=_parse_derivation(reader, data, parameter_sources),
        parameter_sources=FrozenMapping(parameter_sources),
        description=str(data.get("description", "")).strip(),
        path=path,
    )


def _parse_threshold(
    reader: _Reader, entry: dict, key: str, prefix: str, unit: str, allowed: tuple
):
    field_name = f"{prefix}.{key}"
    raw = reader.mapping(reader.get(entry, key, field_name), field_name)
    operator = reader.get(raw, "operator", f"{field_name}.operator")
    if operator not in allowed:
        raise reader.fail(f"{field_name}.operator", f"one of {', '.join(allowed)}", operator)
    return Threshold(
        operator=operator,
        value=reader.number(reader.get(raw, "value", f"{field_name}.value"), f"{field_name}.value"),
        unit=unit,
        source=reader.text(raw, "source", f"{field_name}.source"),
        note=str(raw.get("note", "")).strip(),
    )


def _parse_proteinuria(reader: _Reader, data: dict) -> tuple[ProteinuriaCriterion, ...]:
    raw = reader.get(data, "proteinuria", "proteinuria")
    if not isinstance(raw, list) or not raw:
        raise reader.fail("proteinuria", "a list of criteria (one per test and unit)", raw)
    criteria = []
    for index, entry in enumerate(raw):
        prefix = f"proteinuria[{index}]"
        entry = reader.mapping(entry, prefix)
        test = reader.text(entry, "test", f"{prefix}.test")
        if test not in PROTEINURIA_TESTS:
            raise reader.fail(f"{prefix}.test", f"one of {', '.join(PROTEINURIA_TESTS)}", test)
        unit = reader.text(entry, "unit", f"{prefix}.unit")
        if _kind_factor(unit) is None:
            raise reader.fail(
                f"{prefix}.unit", "one of mg/m2/h, mg/m2/day, mg/mg, g/g, mg/mmol, mg/dL", unit
            )
        nephrotic = _parse_threshold(reader, entry, "nephrotic", prefix, unit, (">", ">="))
        complete = _parse_threshold(reader, entry, "complete", prefix, unit, ("<", "<="))
        overlap = nephrotic.value < complete.value or (
            nephrotic.value == complete.value
            and nephrotic.operator == ">="
            and complete.operator == "<="
        )
        if overlap:
            raise reader.fail(
                f"{prefix}.nephrotic.value",
                f"above the complete-remission threshold ({complete})",
                nephrotic.value,
            )
        criteria.append(ProteinuriaCriterion(test, unit, nephrotic, complete))
    covered = {c.test for c in criteria}
    missing = [t for t in PROTEINURIA_TESTS if t not in covered]
    if missing:
        raise RuleSetError(
            f"In {reader.where}, field 'proteinuria' has no criterion for: {', '.join(missing)}."
        )
    return tuple(criteria)


def _parse_syndrome(reader: _Reader, data: dict, sources: dict) -> SyndromeCriteria:
    section = reader.mapping(reader.get(data, "syndrome", "syndrome"), "syndrome")
    values = {}
    spec = {
        "albumin_below_g_dl": "number",
        "requires_edema": "boolean",
        "edema_replaces_missing_albumin": "boolean",
        "cholesterol_at_least_mg_dl": "optional number",
        "steroid_dose_mg_m2_day": "number",
        "steroid_max_mg_day": "number",
        "steroid_trial_days": "integer",
        "steroid_late_response_until_day": "integer",
        "steroid_confirmation_only_after_partial": "boolean",
    }
    for key, kind in spec.items():
        value, sources[key] = reader.sourced(section, key, "syndrome")
        field_name = f"syndrome.{key}.value"
        if kind == "number":
            value = reader.number(value, field_name)
        elif kind == "optional number":
            value = None if value is None else reader.number(value, field_name)
        elif kind == "integer":
            value = reader.integer(value, field_name, minimum=1)
        else:
            value = reader.boolean(value, field_name)
        values[key] = value
    if values["steroid_late_response_until_day"] < values["steroid_trial_days"]:
        raise reader.fail(
            "syndrome.steroid_late_response_until_day.value",
            f"at least steroid_trial_days ({values['steroid_trial_days']})",
            values["steroid_late_response_until_day"],
        )
    return SyndromeCriteria(**values)


def _parse_derivation(reader: _Reader, data: dict, sources: dict) -> DerivationParameters:
    section = reader.mapping(reader.get(data, "derivation", "derivation"), "derivation")
    values: dict[str, Any] = {}

    priority, sources["measurement_priority"] = reader.sourced(
        section, "measurement_priority", "derivation"
    )
    if (
        not isinstance(priority, list)
        or not priority
        or any(t not in PROTEINURIA_TESTS for t in priority)
        or len(set(priority)) != len(priority)
    ):
        raise reader.fail(
            "derivation.measurement_priority.value",
            f"a list of distinct tests from {', '.join(PROTEINURIA_TESTS)}",
            priority,
        )
    values["measurement_priority"] = tuple(priority)

    raw_points, sources["timepoints"] = reader.sourced(section, "timepoints", "derivation")
    raw_points = reader.mapping(raw_points, "derivation.timepoints.value")
    missing = [name for name in _TIMEPOINT_NAMES if name not in raw_points]
    if missing:
        raise RuleSetError(
            f"In {reader.where}, field 'derivation.timepoints.value' lacks: {', '.join(missing)}."
        )
    points = {}
    for name, raw in raw_points.items():
        prefix = f"derivation.timepoints.value.{name}"
        raw = reader.mapping(raw, prefix)
        points[name] = Timepoint(
            **{
                key: reader.integer(reader.get(raw, key, f"{prefix}.{key}"), f"{prefix}.{key}")
                for key in ("months", "target_day", "window_before_days", "window_after_days")
            }
        )
    values["timepoints"] = FrozenMapping(points)

    integers = (
        "relapse_merge_days",
        "relapse_period_months",
        "relapse_confirmation_days",
        "remission_confirmation_days",
        "steroid_followup_months",
        "crf_min_duration_days",
    )
    for key in integers:
        value, sources[key] = reader.sourced(section, key, "derivation")
        values[key] = reader.integer(value, f"derivation.{key}.value", minimum=1)
    for key in (
        "crf_egfr_below",
        "crf_min_age_years",
        "eligibility_max_age_years",
        "eligibility_min_egfr",
    ):
        value, sources[key] = reader.sourced(section, key, "derivation")
        values[key] = reader.number(value, f"derivation.{key}.value")

    period, sources["relapse_period"] = reader.sourced(section, "relapse_period", "derivation")
    if period not in _RELAPSE_PERIODS:
        raise reader.fail(
            "derivation.relapse_period.value", f"one of {', '.join(_RELAPSE_PERIODS)}", period
        )
    values["relapse_period"] = period

    equation, sources["egfr_equation"] = reader.sourced(section, "egfr_equation", "derivation")
    if equation not in EGFR_EQUATION_NAMES:
        raise reader.fail(
            "derivation.egfr_equation.value", f"one of {', '.join(EGFR_EQUATION_NAMES)}", equation
        )
    values["egfr_equation"] = equation

    # Optional (absent in files written before it existed): no albumin clause.
    if "partial_remission_min_albumin_g_dl" in section:
        value, sources["partial_remission_min_albumin_g_dl"] = reader.sourced(
            section, "partial_remission_min_albumin_g_dl", "derivation"
        )
        values["partial_remission_min_albumin_g_dl"] = (
            None
            if value is None
            else reader.number(value, "derivation.partial_remission_min_albumin_g_dl.value")
        )
    if "albumin_window_days" in section:
        value, sources["albumin_window_days"] = reader.sourced(
            section, "albumin_window_days", "derivation"
        )
        values["albumin_window_days"] = reader.integer(
            value, "derivation.albumin_window_days.value", minimum=0
        )
    return DerivationParameters(**values)
