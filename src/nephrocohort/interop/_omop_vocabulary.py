"""The shipped OMOP vocabulary subset and the concept sets, as data files.

``data/omop/concept.csv`` lists the concepts the synthetic OMOP database needs,
each with the public list its ``concept_id`` was read from (PEDSnet's
Variable-Dictionary for the conditions, procedures, labs and drugs); concepts
whose id could not be checked carry a local id from OMOP's custom range
(2,000,000,000 and above) and say so in ``source``. Nothing downstream relies on
the ids: concept sets (``concept_sets.csv``: vocabulary, code, include
descendants) are resolved at run time through the database's own ``concept``
and ``concept_ancestor`` tables, so the same files select from a real CDM.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from nephrocohort.interop._fhir_codes import LAB_UNITS

__all__ = [
    "LOCAL_VOCABULARY",
    "BUNDLE_UNIT_TO_UCUM",
    "concept_table",
    "concept_ancestor_table",
    "drug_strength_table",
    "concept_sets",
    "concept_id",
]

LOCAL_VOCABULARY = "NephroCohort"
#: Unit as the bundle writes it -> UCUM code: the inverse of the FHIR import's LAB_UNITS
#: (where two UCUM spellings give one unit, the later: mg/(m2.h), as concept.csv has it).
BUNDLE_UNIT_TO_UCUM = {unit: ucum for ucum, unit in LAB_UNITS.items()}


def _read(name: str, **kwargs) -> pd.DataFrame:
    path = resources.files("nephrocohort") / "data" / "omop" / name
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, **kwargs)


@cache
def _concepts() -> pd.DataFrame:
    frame = _read("concept.csv")
    frame["concept_id"] = frame["concept_id"].astype("int64")
    return frame


@cache
def _ids() -> dict[tuple[str, str], int]:
    frame = _concepts()
    return {
        (vocabulary, code): int(cid)
        for vocabulary, code, cid in zip(
            frame["vocabulary_id"], frame["concept_code"], frame["concept_id"], strict=True
        )
    }


def concept_id(vocabulary: str, code: str) -> int:
    """The shipped concept id of ``(vocabulary, code)`` (KeyError if not shipped)."""
    return _ids()[(vocabulary, code)]


def concept_table() -> pd.DataFrame:
    """The OMOP ``concept`` table of the subset (CDM v5.4 columns)."""
    frame = _concepts().drop(columns=["source"]).copy()
    frame["valid_start_date"] = pd.Timestamp("1970-01-01")
    frame["valid_end_date"] = pd.Timestamp("2099-12-31")
    frame["invalid_reason"] = None
    return frame


def concept_ancestor_table() -> pd.DataFrame:
    """``concept_ancestor``: every concept its own ancestor, the shipped SNOMED pairs, and
    each RxNorm ingredient above the clinical drugs that contain it (as in OMOP)."""
    concepts = _concepts()
    pairs = [(cid, cid, 0) for cid in concepts["concept_id"]]
    for row in _read("hierarchy.csv").itertuples():
        pairs.append(
            (
                concept_id(row.vocabulary_id, row.ancestor_code),
                concept_id(row.vocabulary_id, row.descendant_code),
                int(row.levels),
            )
        )
    for row in _read("drug_strength.csv").itertuples():
        pairs.append((concept_id("RxNorm", row.ingredient_code), _drug_id(row.drug_code), 1))
    frame = pd.DataFrame(
        pairs, columns=["ancestor_concept_id", "descendant_concept_id", "min_levels_of_separation"]
    )
    frame["max_levels_of_separation"] = frame["min_levels_of_separation"]
    return frame


def _drug_id(code: str) -> int:
    return concept_id("RxNorm", code)


def _unit_id(code: str) -> int | None:
    return concept_id("UCUM", code) if code else None


def drug_strength_table() -> pd.DataFrame:
    """``drug_strength`` of the shipped clinical drugs (amount, or numerator per denominator)."""
    rows = []
    for row in _read("drug_strength.csv").itertuples():
        rows.append(
            {
                "drug_concept_id": _drug_id(row.drug_code),
                "ingredient_concept_id": concept_id("RxNorm", row.ingredient_code),
                "amount_value": float(row.amount_value) if row.amount_value else None,
                "amount_unit_concept_id": _unit_id(row.amount_unit),
                "numerator_value": float(row.numerator_value) if row.numerator_value else None,
                "numerator_unit_concept_id": _unit_id(row.numerator_unit),
                "denominator_value": float(row.denominator_value)
                if row.denominator_value
                else None,
                "denominator_unit_concept_id": _unit_id(row.denominator_unit),
                "box_size": None,
                "valid_start_date": pd.Timestamp("1970-01-01"),
                "valid_end_date": pd.Timestamp("2099-12-31"),
                "invalid_reason": None,
            }
        )
    return pd.DataFrame(rows)


@cache
def concept_sets() -> pd.DataFrame:
    """The shipped concept sets: concept_set, vocabulary_id, concept_code,
    include_descendants (bool), value (what the code means in the bundle)."""
    frame = _read("concept_sets.csv")
    frame["include_descendants"] = frame["include_descendants"].str.lower().eq("true")
    return frame


@cache
def clinical_drug_code(ingredient_code: str) -> str:
    """The shipped clinical drug of an RxNorm ingredient (the synthetic data prescribe it)."""
    strengths = _read("drug_strength.csv")
    return str(strengths.loc[strengths["ingredient_code"] == ingredient_code, "drug_code"].iloc[0])


@cache
def strength_mg(drug_code: str) -> float:
    """Milligrams of ingredient in one unit of the shipped clinical drug ``drug_code``."""
    strengths = _read("drug_strength.csv")
    row = strengths.loc[strengths["drug_code"] == drug_code].iloc[0]
    return float(row["amount_value"] or row["numerator_value"])
