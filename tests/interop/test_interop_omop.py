"""OMOP CDM source (issue 15): synthetic OMOP DuckDB, the PEDSnet-style phenotype, extraction.

The truth is the generator's own list of nephrotic-syndrome patients (persons 1..n);
the background persons are children without nephrotic syndrome, a few of them near-misses.
"""

from __future__ import annotations

import pytest

ibis = pytest.importorskip("ibis", reason="the omop extra (ibis-framework) is not installed")
duckdb = pytest.importorskip("duckdb", reason="the omop extra (duckdb) is not installed")

if int(duckdb.__version__.split(".")[0]) >= 2:
    pytest.skip(
        f"duckdb {duckdb.__version__} is installed; ibis 12 needs duckdb<2 "
        "(DuckDBPyConnection.fetch_arrow_table was removed in duckdb 2)",
        allow_module_level=True,
    )

from nephrocohort.cohort.synthetic import generate_synthetic  # noqa: E402
from nephrocohort.interop import extract_omop, load_phenotype, write_synthetic_omop  # noqa: E402

PATIENTS = 40
BACKGROUND = 400


@pytest.fixture(scope="module")
def omop_db(tmp_path_factory):
    cohort = generate_synthetic(PATIENTS, seed=7)
    path = tmp_path_factory.mktemp("omop") / "cdm.duckdb"
    counts, kinds = write_synthetic_omop(path, cohort, background_persons=BACKGROUND, seed=3)
    return path, cohort, counts, kinds


def test_demo_database_holds_cohort_and_background_persons(omop_db):
    _, _, counts, kinds = omop_db
    assert counts["person"] == PATIENTS + BACKGROUND
    assert len(kinds) == BACKGROUND
    assert counts["concept"] > 0 and counts["concept_ancestor"] > 0


def test_phenotype_is_named_and_versioned():
    phenotype = load_phenotype()
    assert phenotype.name == "pedsnet-ns"
    assert phenotype.version
    # PEDSnet (Denburg et al., JASN 2019): qualifying codes "on separate dates".
    assert phenotype.min_distinct_dates == 2


def test_phenotype_finds_every_ns_patient_and_attrition_decreases(omop_db):
    path, cohort, _, _ = omop_db
    extract = extract_omop(f"duckdb:///{path}")
    truth = set(cohort.patients["patient_id"])
    selected = set(extract.tables["patients"]["patient_id"])
    true_positives = len(truth & selected)
    print(
        f"sensitivity {true_positives}/{len(truth)}, PPV {true_positives}/{len(selected)}",
    )
    assert true_positives == len(truth)
    counts = [step.persons for step in extract.attrition]
    assert counts[0] == PATIENTS + BACKGROUND
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] == len(selected)
    # Each step is a catalogue message, written in the language it is shown in.
    assert [step.label.code for step in extract.attrition][:2] == [
        "omop.step.persons",
        "omop.step.qualifying_any",
    ]
    from nephrocohort.i18n import use_language

    with use_language("pt-BR"):
        assert "Pessoas no banco de dados: 440" in extract.notes()[0]
