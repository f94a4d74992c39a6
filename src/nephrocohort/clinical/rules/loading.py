"""Loading a rule set: a shipped name or a user's YAML file, checked against a pydantic schema.

The schema says what each field must be (type, range, allowed words), so a
malformed file is refused with one sentence per fault naming the file, the
field (``proteinuria[1].complete.value``) and the expected form. Unknown
fields are refused too: a misspelt optional parameter would otherwise fall
back to its default without a word. Checks that relate two fields (the
nephrotic threshold above the complete-remission one, every test covered,
every time point present) follow the schema.

References
----------
docs/clinical/rule-sets.md (the file format); pydantic v2 (validation).
"""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources
from pathlib import Path
from typing import Annotated, Generic, Literal, TypeVar

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from nephrocohort.clinical.rules.model import (
    DerivationParameters,
    FrozenMapping,
    ProteinuriaCriterion,
    RuleSet,
    SyndromeCriteria,
    Threshold,
    Timepoint,
)
from nephrocohort.clinical.rules.vocabulary import (
    MEASURED_UNITS,
    PROTEINURIA_TESTS,
    TIMEPOINT_NAMES,
    kind_factor,
)
from nephrocohort.exceptions import RuleSetError
from nephrocohort.messages import Message

__all__ = ["load_rule_set", "list_rule_sets"]

_Value = TypeVar("_Value")
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_Number = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_Count = Annotated[int, Field(ge=1)]
_CountOrZero = Annotated[int, Field(ge=0)]
_Test = Literal["urine_protein_timed", "upcr", "dipstick_protein"]
_Equation = Literal[
    "schwartz-1976", "schwartz-bedside", "ckid-u25", "ckid-u25-cystatin", "ckid-u25-combined"
]


class _Schema(BaseModel):
    # strict: a quoted "3" or a true where a number belongs is an error, not a guess.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _Sourced(_Schema, Generic[_Value]):
    """A parameter written as ``{value: ..., source: ...}``."""

    value: _Value
    source: _Text


class _Nephrotic(_Schema):
    operator: Literal[">", ">="]
    value: _Number
    source: _Text
    note: str = ""


class _Complete(_Schema):
    operator: Literal["<", "<="]
    value: _Number
    source: _Text
    note: str = ""


class _Criterion(_Schema):
    test: _Test
    unit: _Text
    nephrotic: _Nephrotic
    complete: _Complete

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if kind_factor(unit) is None:
            # A fault of its own kind: _fault names the units accepted (rules.expected.one_of).
            raise PydanticCustomError("unknown_unit", "unknown unit")
        return unit


class _Timepoint(_Schema):
    months: _CountOrZero
    target_day: _CountOrZero
    window_before_days: _CountOrZero
    window_after_days: _CountOrZero


class _Syndrome(_Schema):
    albumin_below_g_dl: _Sourced[_Number]
    requires_edema: _Sourced[bool]
    edema_replaces_missing_albumin: _Sourced[bool]
    cholesterol_at_least_mg_dl: _Sourced[_Number | None]
    steroid_dose_mg_m2_day: _Sourced[_Number]
    steroid_max_mg_day: _Sourced[_Number]
    steroid_trial_days: _Sourced[_Count]
    steroid_late_response_until_day: _Sourced[_Count]
    steroid_confirmation_only_after_partial: _Sourced[bool]


class _Derivation(_Schema):
    measurement_priority: _Sourced[Annotated[list[_Test], Field(min_length=1)]]
    timepoints: _Sourced[dict[str, _Timepoint]]
    relapse_merge_days: _Sourced[_Count]
    relapse_period_months: _Sourced[_Count]
    relapse_period: _Sourced[Literal["12_months", "whole"]]
    relapse_confirmation_days: _Sourced[_Count]
    remission_confirmation_days: _Sourced[_Count]
    steroid_followup_months: _Sourced[_Count]
    egfr_equation: _Sourced[_Equation]
    crf_egfr_below: _Sourced[_Number]
    crf_min_duration_days: _Sourced[_Count]
    crf_min_age_years: _Sourced[_Number]
    eligibility_max_age_years: _Sourced[_Number]
    eligibility_min_egfr: _Sourced[_Number]
    # Optional: absent in files written before they existed (no albumin clause).
    partial_remission_min_albumin_g_dl: _Sourced[_Number | None] | None = None
    albumin_window_days: _Sourced[_CountOrZero] | None = None
    confirmation: _Sourced[Literal["consecutive_days", "not_contradicted_within_days"]] | None = (
        None
    )
    partial_remission_tests: _Sourced[Annotated[list[_Test], Field(min_length=1)]] | None = None
    partial_remission_without_albumin: (
        _Sourced[Literal["no_remission", "proteinuria_decides"]] | None
    ) = None
    relapse_after: _Sourced[Literal["complete_remission", "any_remission"]] | None = None
    steroid_assessment_window_days: _Sourced[_CountOrZero] | None = None
    # The course of the disease (issue 10 item 5); a null value: not defined by the rule set.
    frequent_relapse_first_months: _Sourced[_Count | None] | None = None
    frequent_relapse_first_min: _Sourced[_Count | None] | None = None
    frequent_relapse_first_from: _Sourced[Literal["initial_remission", "onset"] | None] | None = (
        None
    )
    frequent_relapse_any_months: _Sourced[_Count | None] | None = None
    frequent_relapse_any_min: _Sourced[_Count | None] | None = None
    steroid_dependence_days_after_stop: _Sourced[_CountOrZero | None] | None = None
    steroid_trial_standard_mg_kg_day: _Sourced[_Number | None] | None = None
    steroid_trial_dose_tolerance: _Sourced[Annotated[float, Field(ge=0, lt=1)] | None] | None = None
    secondary_resistance_standard_mg_kg_day: _Sourced[_Number | None] | None = None
    secondary_resistance_dose_tolerance: (
        _Sourced[Annotated[float, Field(ge=0, lt=1)] | None] | None
    ) = None
    cni_resistance_months: _Sourced[_Count | None] | None = None
    cni_complete_remission_months: _Sourced[_Count | None] | None = None
    cni_adequate_cyclosporine_mg_kg_day: _Sourced[_Number | None] | None = None
    cni_adequate_tacrolimus_mg_kg_day: _Sourced[_Number | None] | None = None
    multidrug_resistance_months: _Sourced[_Count | None] | None = None


class _File(_Schema):
    name: _Text
    title: _Text
    description: str = ""
    sources: Annotated[list[_Text], Field(min_length=1)]
    proteinuria: Annotated[list[_Criterion], Field(min_length=1)]
    syndrome: _Syndrome
    derivation: _Derivation


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
    missing file, or a malformed file (naming the file, the field at fault and
    the expected form).

    References
    ----------
    docs/clinical/rule-sets.md.
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
            raise RuleSetError("rules.no_file", path=text)
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RuleSetError("rules.unreadable", path=text, error=str(error)) from None
        where = Message("rules.where.file", {"path": text})
        return _compared_with_shipped(_parse(content, where, str(path)))
    # A catalogue message (code + params), written in the language of the command when shown.
    raise RuleSetError("rules.unknown", name=text, available=", ".join(names))


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
    where = Message("rules.where.builtin", {"name": name})
    return _parse(resource.read_text(encoding="utf-8"), where, None)


def _parse(content: str, where: Message, path: str | None) -> RuleSet:
    """The rule set in ``content``; ``where`` names it (``rules.where.file`` or ``.builtin``)."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        # The sentence begins with the rule set's name, so each kind has its own template.
        code = {"rules.where.file": "rules.invalid_yaml.file"}.get(
            where.code, "rules.invalid_yaml.builtin"
        )
        raise RuleSetError(code, **where.params, detail=str(error)) from None
    try:
        spec = _File.model_validate(data)
    except pydantic.ValidationError as error:
        # One sentence per fault, in the order pydantic found them (rules.field_*).
        faults = tuple(_fault(where, e) for e in error.errors())
        raise RuleSetError("rules.invalid", faults=faults) from None
    _check_relations(spec, where)
    sources: dict[str, str] = {}
    return RuleSet(
        name=spec.name,
        title=spec.title,
        sources=tuple(spec.sources),
        proteinuria=tuple(_criterion(c) for c in spec.proteinuria),
        syndrome=SyndromeCriteria(**_values(spec.syndrome, sources)),
        derivation=_derivation(spec.derivation, sources),
        parameter_sources=FrozenMapping(sources),
        description=spec.description.strip(),
        path=path,
    )


def _values(section: _Schema, sources: dict) -> dict:
    """``{parameter: value}`` of a section's given parameters, recording each source."""
    values = {}
    for key in type(section).model_fields:
        entry = getattr(section, key)
        if entry is None:
            continue
        values[key], sources[key] = entry.value, entry.source
    return values


def _criterion(spec: _Criterion) -> ProteinuriaCriterion:
    def threshold(raw) -> Threshold:
        return Threshold(raw.operator, float(raw.value), spec.unit, raw.source, raw.note.strip())

    return ProteinuriaCriterion(
        spec.test, spec.unit, threshold(spec.nephrotic), threshold(spec.complete)
    )


def _derivation(spec: _Derivation, sources: dict) -> DerivationParameters:
    values = _values(spec, sources)
    values["measurement_priority"] = tuple(values["measurement_priority"])
    if "partial_remission_tests" in values:
        values["partial_remission_tests"] = tuple(values["partial_remission_tests"])
    values["timepoints"] = FrozenMapping(
        {name: Timepoint(**point.model_dump()) for name, point in values["timepoints"].items()}
    )
    for key in ("crf_egfr_below", "crf_min_age_years", "eligibility_max_age_years"):
        values[key] = float(values[key])
    values["eligibility_min_egfr"] = float(values["eligibility_min_egfr"])
    for key in (
        "steroid_trial_standard_mg_kg_day",
        "steroid_trial_dose_tolerance",
        "secondary_resistance_standard_mg_kg_day",
        "secondary_resistance_dose_tolerance",
        "cni_adequate_cyclosporine_mg_kg_day",
        "cni_adequate_tacrolimus_mg_kg_day",
    ):
        if values.get(key) is not None:
            values[key] = float(values[key])
    albumin = values.get("partial_remission_min_albumin_g_dl")
    if albumin is not None:
        values["partial_remission_min_albumin_g_dl"] = float(albumin)
    return DerivationParameters(**values)


def _check_relations(spec: _File, where: Message) -> None:
    """The checks that relate fields to each other, after the schema."""

    def fail(field_name: str, expected: Message, got) -> RuleSetError:
        return RuleSetError(
            "rules.field_invalid", where=where, field=field_name, expected=expected, got=repr(got)
        )

    for index, criterion in enumerate(spec.proteinuria):
        nephrotic, complete = criterion.nephrotic, criterion.complete
        if nephrotic.value < complete.value or (
            nephrotic.value == complete.value
            and nephrotic.operator == ">="
            and complete.operator == "<="
        ):
            raise fail(
                f"proteinuria[{index}].nephrotic.value",
                Message(
                    "rules.expected.above_complete",
                    {
                        "operator": complete.operator,
                        "value": complete.value,
                        "unit": criterion.unit,
                    },
                ),
                nephrotic.value,
            )
    missing = [t for t in PROTEINURIA_TESTS if t not in {c.test for c in spec.proteinuria}]
    if missing:
        raise RuleSetError("rules.no_criterion", where=where, tests=", ".join(missing))
    syndrome = spec.syndrome
    if syndrome.steroid_late_response_until_day.value < syndrome.steroid_trial_days.value:
        raise fail(
            "syndrome.steroid_late_response_until_day.value",
            Message(
                "rules.expected.at_least_trial_days", {"days": syndrome.steroid_trial_days.value}
            ),
            syndrome.steroid_late_response_until_day.value,
        )
    priority = spec.derivation.measurement_priority.value
    if len(set(priority)) != len(priority):
        raise fail(
            "derivation.measurement_priority.value",
            Message("rules.expected.distinct_tests", {"tests": ", ".join(PROTEINURIA_TESTS)}),
            priority,
        )
    points = spec.derivation.timepoints.value
    absent = [name for name in TIMEPOINT_NAMES if name not in points]
    if absent:
        raise RuleSetError("rules.timepoints_lack", where=where, names=", ".join(absent))


# What a schema fault means, as the expected form of the field (rules.expected.*).
_EXPECTED = {
    "float_type": "rules.expected.number",
    "float_parsing": "rules.expected.number",
    "finite_number": "rules.expected.finite_number",
    "int_type": "rules.expected.whole_number",
    "int_parsing": "rules.expected.whole_number",
    "int_from_float": "rules.expected.whole_number",
    "bool_type": "rules.expected.true_or_false",
    "string_type": "rules.expected.text",
    "string_too_short": "rules.expected.non_empty_text",
    "dict_type": "rules.expected.mapping",
    "model_type": "rules.expected.mapping",
    "model_attributes_type": "rules.expected.mapping",
    "list_type": "rules.expected.list",
    "too_short": "rules.expected.non_empty_list",
}


def _fault(where: Message, error: dict) -> Message:
    """One sentence for one schema fault: the file, the field, the expected form, the value."""
    place = {"where": where, "field": _field_name(error["loc"])}
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return Message("rules.field_missing", place)
    if kind == "extra_forbidden":
        return Message("rules.field_unknown", place)
    if kind == "literal_error":
        expected = Message("rules.expected.one_of", {"values": context["expected"]})
    elif kind == "unknown_unit":
        expected = Message("rules.expected.one_of", {"values": str(MEASURED_UNITS)})
    elif kind == "greater_than_equal":
        expected = Message("rules.expected.at_least", {"minimum": context["ge"]})
    elif kind in _EXPECTED:
        expected = Message(_EXPECTED[kind])
    else:  # a fault this table does not name: pydantic's own words
        expected = Message("rules.expected.other", {"detail": error["msg"].lower()})
    got = repr(error.get("input"))
    if len(got) > 80:
        got = got[:77] + "..."
    return Message("rules.field_invalid", {**place, "expected": expected, "got": got})


def _field_name(location: tuple) -> str:
    """``('proteinuria', 1, 'complete', 'value')`` -> ``proteinuria[1].complete.value``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not str(part).startswith(("_Sourced", "function-")):
            text += f".{part}" if text else str(part)
    return text or "(top level)"
