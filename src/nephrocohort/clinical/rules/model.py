"""The rule-set model: every clinical threshold and derivation window, as frozen data with its source.

A rule set is a YAML file (``loading``); three ship in ``clinical/rulesets/``:
``study`` (the seed study's own definitions, to reproduce it), ``ipna2020``
(IPNA clinical practice recommendations for SRNS) and ``kdigo2021`` (KDIGO 2021
glomerular diseases guideline, chapter 4, children). Each threshold states its
comparison operator (the boundary convention) and its source;
``docs/clinical/`` describes each rule set. Thresholds apply in the unit
measured (``vocabulary``).

References
----------
.. [1] Trautmann A, Vivarelli M, Samuel S, et al. IPNA clinical practice
   recommendations for the diagnosis and management of children with
   steroid-resistant nephrotic syndrome. Pediatr Nephrol 2020;35:1529-1561.
   doi:10.1007/s00467-020-04519-1
.. [2] KDIGO 2021 Clinical Practice Guideline for the Management of Glomerular
   Diseases. Kidney Int 2021;100(4S):S1-S276. doi:10.1016/j.kint.2021.05.021
.. [3] The seed study (shared/seed/srns-mmf-single-center-study.txt), Methods.

Each YAML ``source`` says which sentence of which text a parameter comes from,
and where only a secondary source was read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from nephrocohort.clinical.rules import classification, display
from nephrocohort.clinical.rules.vocabulary import PROTEINURIA_TESTS, kind_factor
from nephrocohort.clinical.units import dipstick_to_mg_dl
from nephrocohort.exceptions import ClinicalInputError

__all__ = [
    "FrozenMapping",
    "Threshold",
    "ProteinuriaCriterion",
    "SyndromeCriteria",
    "Timepoint",
    "DerivationParameters",
    "RuleSet",
]

_OPERATORS = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
# A methods paragraph lists this many changes of a modified copy; `rules show` lists all.
_CHANGES_LISTED = 5


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
    # Defaults are the seed study's reading (files written before these existed):
    # one reading not contradicted within the confirmation days confirms; every test
    # can show partial remission; a relapse may follow any remission.
    confirmation: str = "not_contradicted_within_days"
    partial_remission_tests: tuple[str, ...] = PROTEINURIA_TESTS
    partial_remission_without_albumin: str = "proteinuria_decides"
    relapse_after: str = "any_remission"
    # The steroid response at day T (and day L) is read from the readings this close.
    steroid_assessment_window_days: int = 7
    # The course of the disease (issue 10 item 5): frequently relapsing, steroid
    # dependence, CNI response, multidrug and secondary resistance. None: the rule set
    # defines it not (the seed study), and the column is NA with that reason.
    frequent_relapse_first_months: int | None = None
    frequent_relapse_first_min: int | None = None
    frequent_relapse_first_from: str | None = None
    frequent_relapse_any_months: int | None = None
    frequent_relapse_any_min: int | None = None
    steroid_dependence_days_after_stop: int | None = None
    # The dose of the first steroid trial (issue 10 item 4); None: not checked (study).
    steroid_trial_standard_mg_kg_day: float | None = None
    steroid_trial_dose_tolerance: float | None = None
    secondary_resistance_standard_mg_kg_day: float | None = None
    secondary_resistance_dose_tolerance: float | None = None
    cni_resistance_months: int | None = None
    cni_complete_remission_months: int | None = None
    cni_adequate_cyclosporine_mg_kg_day: float | None = None
    cni_adequate_tacrolimus_mg_kg_day: float | None = None
    multidrug_resistance_months: int | None = None


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
        # Catalogue messages, written in the language active when shown (the report's).
        from nephrocohort.messages import Message

        fingerprint = self.fingerprint
        title = display.title_text(self.title)
        if self.path is None:
            return Message(
                "rules.provenance.shipped",
                {"name": self.name, "title": title, "fingerprint": fingerprint},
            ).text
        if self.based_on is not None and self.changes:
            listed = "; ".join(self.changes[:_CHANGES_LISTED])
            more = len(self.changes) - _CHANGES_LISTED
            if more > 0:
                listed += Message("rules.provenance.more", {"more": more, "path": self.path}).text
            return Message(
                "rules.provenance.modified",
                {
                    "based_on": self.based_on,
                    "path": self.path,
                    "changes": listed,
                    "fingerprint": fingerprint,
                },
            ).text
        params = {"name": self.name, "title": title, "path": self.path}
        if self.based_on:
            return Message(
                "rules.provenance.file_same",
                {**params, "based_on": self.based_on, "fingerprint": fingerprint},
            ).text
        return Message("rules.provenance.file", {**params, "fingerprint": fingerprint}).text

    def criterion_for(self, test: str, unit: str) -> tuple[ProteinuriaCriterion, float]:
        """The criterion that applies to ``test`` measured in ``unit`` and the exact factor to its unit.

        References
        ----------
        Module docstring: thresholds apply in the unit measured.
        """
        if test not in PROTEINURIA_TESTS:
            raise ClinicalInputError(
                "rules.not_a_test", test=test, known=", ".join(PROTEINURIA_TESTS)
            )
        measured = kind_factor(unit) if unit is not None else None
        if measured is not None:
            for criterion in self.proteinuria:
                if criterion.test != test:
                    continue
                kind = kind_factor(criterion.unit)
                if kind is not None and kind[0] == measured[0]:
                    return criterion, measured[1] / kind[1]
        units = ", ".join(c.unit for c in self.proteinuria if c.test == test)
        raise ClinicalInputError(
            "rules.no_threshold_for_unit", rule_set=self.name, test=test, unit=unit, units=units
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
            raise ClinicalInputError("rules.value_not_a_number", test=test, value=value) from None
        if np.isnan(number):
            raise ClinicalInputError("rules.value_missing", test=test)
        if np.isinf(number):
            raise ClinicalInputError("rules.value_infinite", test=test)
        if number < 0:
            raise ClinicalInputError("rules.value_negative", test=test, value=value)
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
        return classification.classify_array(self.criterion_for, tests, values, units)

    def parameter_rows(self) -> list[tuple[str, str, str]]:
        """(parameter, value, source) rows, thresholds first, for display.

        References
        ----------
        The rule-set YAML.
        """
        return display.parameter_rows(self)

    def parameter_label(self, parameter: str) -> str:
        """What a parameter of ``parameter_rows`` decides, in words a clinician reads.

        References
        ----------
        Display only; docs/clinical/rule-sets.md.
        """
        return display.parameter_label(parameter)


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
