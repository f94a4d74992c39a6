"""The computable phenotype: which persons of an OMOP CDM database are the cohort.

A phenotype is a named, versioned YAML file (``data/omop/phenotypes/``; a
user's copy is passed by path). It is run as Ibis expressions, so the scan of
condition_occurrence and procedure_occurrence happens inside the engine
(DuckDB, PostgreSQL, Spark); only counts and, at the end, the selected persons'
ids leave it. Each step's count is kept for the inclusion-attrition table.

Concept sets are resolved through the database's own ``concept`` and
``concept_ancestor`` tables: (vocabulary, code) -> concept_id, plus every
descendant where the set says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from nephrocohort.interop._errors import InteropError
from nephrocohort.interop._omop_vocabulary import concept_sets
from nephrocohort.messages import Message

__all__ = [
    "AttritionStep",
    "Phenotype",
    "SHIPPED_PHENOTYPES",
    "load_phenotype",
    "resolve_concept_sets",
    "select_persons",
]

SHIPPED_PHENOTYPES = ("pedsnet-ns",)


@dataclass(frozen=True)
class Phenotype:
    """A computable phenotype (see ``pedsnet-ns.yaml`` for the meaning of each field)."""

    name: str
    version: str
    description: str
    source: str
    qualifying_sets: tuple[str, ...]
    min_distinct_dates: int
    min_age_years: float
    max_age_years_exclusive: float
    transplant_sets: tuple[str, ...] = ()
    exclude_transplant_before_first_date: bool = True


@dataclass(frozen=True)
class AttritionStep:
    """One row of the inclusion-attrition table: a step and the persons it kept."""

    step: str
    #: A catalogue message, written in the language the report or command is shown in.
    label: Message
    persons: int


@dataclass(frozen=True)
class Selection:
    """The persons a phenotype selected (an Ibis table: person_id, first_date) and its counts."""

    persons: object
    attrition: tuple[AttritionStep, ...]
    problems: tuple = field(default=())


def _shipped_path(name: str):
    return resources.files("nephrocohort") / "data" / "omop" / "phenotypes" / f"{name}.yaml"


def load_phenotype(phenotype="pedsnet-ns") -> Phenotype:
    """A shipped phenotype by name, or one from a YAML file path."""
    if isinstance(phenotype, Phenotype):
        return phenotype
    text_name = str(phenotype)
    if text_name in SHIPPED_PHENOTYPES:
        source, text = text_name, _shipped_path(text_name).read_text(encoding="utf-8")
    elif Path(text_name).is_file():
        source, text = text_name, Path(text_name).read_text(encoding="utf-8")
    else:
        raise InteropError(
            "omop.phenotype_not_found", name=text_name, shipped=", ".join(SHIPPED_PHENOTYPES)
        )
    try:
        spec = yaml.safe_load(text)
        qualifying = spec["qualifying"]
        age = spec.get("age_at_first_date_years") or {}
        transplant = spec.get("transplant") or {}
        result = Phenotype(
            name=str(spec["name"]),
            version=str(spec["version"]),
            description=str(spec.get("description", "")),
            source=str(spec.get("source", "")),
            qualifying_sets=tuple(qualifying["concept_sets"]),
            min_distinct_dates=int(qualifying.get("min_distinct_dates", 1)),
            min_age_years=float(age.get("min", 0)),
            max_age_years_exclusive=float(age.get("max_exclusive", 200)),
            transplant_sets=tuple(transplant.get("concept_sets", ())),
            exclude_transplant_before_first_date=bool(
                transplant.get("exclude_if_before_first_date", False)
            ),
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise InteropError("omop.phenotype_invalid", path=source, reason=repr(error)) from None
    known = set(concept_sets()["concept_set"])
    for name in (*result.qualifying_sets, *result.transplant_sets):
        if name not in known:
            raise InteropError(
                "omop.phenotype_unknown_set",
                name=result.name,
                concept_set=name,
                known=", ".join(sorted(known)),
            )
    return result


def resolve_concept_sets(tables, names) -> tuple[dict[str, dict[int, str]], list]:
    """``{concept set: {concept_id: value}}`` from the database's vocabulary, and the
    (concept set, vocabulary, code) of shipped codes the database does not have."""
    wanted = concept_sets()[concept_sets()["concept_set"].isin(list(names))]
    concept = tables.table("concept")
    found = (
        concept.filter(
            concept.vocabulary_id.isin(sorted(set(wanted["vocabulary_id"])))
            & concept.concept_code.isin(sorted(set(wanted["concept_code"])))
        )
        .select("concept_id", "vocabulary_id", "concept_code")
        .to_pandas()
    )
    ids = {(row.vocabulary_id, row.concept_code): int(row.concept_id) for row in found.itertuples()}
    with_descendants = sorted(
        {
            ids[(row.vocabulary_id, row.concept_code)]
            for row in wanted.itertuples()
            if row.include_descendants and (row.vocabulary_id, row.concept_code) in ids
        }
    )
    below: dict[int, list[int]] = {}
    if with_descendants:
        ancestor = tables.table("concept_ancestor")
        pairs = (
            ancestor.filter(ancestor.ancestor_concept_id.isin(with_descendants))
            .select("ancestor_concept_id", "descendant_concept_id")
            .to_pandas()
        )
        for row in pairs.itertuples():
            below.setdefault(int(row.ancestor_concept_id), []).append(
                int(row.descendant_concept_id)
            )
    resolved: dict[str, dict[int, str]] = {name: {} for name in names}
    missing = []
    for row in wanted.itertuples():
        key = (row.vocabulary_id, row.concept_code)
        if key not in ids:
            missing.append((row.concept_set, row.vocabulary_id, row.concept_code))
            continue
        members = [ids[key], *(below.get(ids[key], []) if row.include_descendants else [])]
        for member in members:
            resolved[row.concept_set].setdefault(member, row.value)
    return resolved, missing


def _dated(tables, ids: list[int]):
    """(person_id, day) of every condition or procedure whose concept is in ``ids``."""
    condition = tables.table("condition_occurrence")
    procedure = tables.table("procedure_occurrence")
    return (
        condition.filter(condition.condition_concept_id.isin(ids))
        .select(person_id=condition.person_id, day=condition.condition_start_date.cast("date"))
        .union(
            procedure.filter(procedure.procedure_concept_id.isin(ids)).select(
                person_id=procedure.person_id, day=procedure.procedure_date.cast("date")
            ),
            distinct=True,
        )
    )


def _ymd(year, month, day):
    return year * 10000 + month * 100 + day


def select_persons(tables, phenotype: Phenotype, resolved: dict) -> Selection:
    """Run ``phenotype`` in the engine: the selected persons and the attrition counts."""
    qualifying = sorted({cid for name in phenotype.qualifying_sets for cid in resolved[name]})
    person = tables.table("person")
    steps = [AttritionStep("persons", Message("omop.step.persons"), int(person.count().execute()))]
    events = _dated(tables, qualifying or [-1])
    per_person = events.group_by("person_id").aggregate(
        dates=events.day.nunique(), first_date=events.day.min()
    )
    steps.append(
        AttritionStep(
            "qualifying_any",
            Message("omop.step.qualifying_any"),
            int(per_person.count().execute()),
        )
    )
    repeated = per_person.filter(per_person.dates >= phenotype.min_distinct_dates)
    steps.append(
        AttritionStep(
            "qualifying_dates",
            Message("omop.step.qualifying_dates", {"dates": phenotype.min_distinct_dates}),
            int(repeated.count().execute()),
        )
    )
    joined = repeated.join(person, "person_id")
    first = joined.first_date
    born = _ymd(
        joined.year_of_birth, joined.month_of_birth.fill_null(1), joined.day_of_birth.fill_null(1)
    )
    age_years = (_ymd(first.year(), first.month(), first.day()) - born) // 10000
    aged = joined.filter(
        (age_years >= phenotype.min_age_years) & (age_years < phenotype.max_age_years_exclusive)
    ).select("person_id", "first_date")
    steps.append(
        AttritionStep(
            "age",
            Message(
                "omop.step.age",
                {
                    "min": f"{phenotype.min_age_years:g}",
                    "max": f"{phenotype.max_age_years_exclusive:g}",
                },
            ),
            int(aged.count().execute()),
        )
    )
    selected = aged
    if phenotype.exclude_transplant_before_first_date and phenotype.transplant_sets:
        transplant_ids = sorted(
            {cid for name in phenotype.transplant_sets for cid in resolved[name]}
        )
        grafts = _dated(tables, transplant_ids or [-1])
        first_graft = grafts.group_by("person_id").aggregate(graft_date=grafts.day.min())
        with_graft = aged.left_join(first_graft, "person_id")
        selected = with_graft.filter(
            with_graft.graft_date.isnull() | (with_graft.graft_date >= with_graft.first_date)
        ).select("person_id", "first_date")
        steps.append(
            AttritionStep(
                "transplant",
                Message("omop.step.transplant"),
                int(selected.count().execute()),
            )
        )
    return Selection(selected, tuple(steps))
