"""The reasons of results.json and the report are written in the report's language.

They are catalogue messages (code + params) written out when the report is built, inside
``use_language`` (``report --lang``): the eligibility reasons (also derive's
``exclusion_reasons``), why a summary shows what it shows, why a paired test was not run,
and the rule set's provenance in the methods. A Spanish report had them in English.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nephrocohort.clinical.eligibility import assess_eligibility
from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.i18n import use_language
from nephrocohort.stats import describe

BUNDLE = Path(__file__).parents[1] / "cohort" / "data" / "i10_diaries"

_SENSITIVE = dict(
    rule_set="ipna2020",
    age_at_mmf_start_years=None,
    steroid_response="sensitive",
    egfr_before_mmf=None,
    hbv="negative",
    hcv=None,
    syphilis="negative",
    hiv="negative",
    family_history_ns="no",
    rituximab_before_mmf=False,
)


def test_eligibility_reasons_in_english_by_default_and_in_spanish_when_asked():
    english = assess_eligibility(**_SENSITIVE).reasons
    assert "Steroid sensitive; the study includes steroid-resistant patients only." in english
    assert (
        "Hepatitis C serology is not recorded, so this exclusion could not be checked." in english
    )
    with use_language("es"):
        spanish = assess_eligibility(**_SENSITIVE).reasons
    assert "Corticosensible; el estudio incluye solo pacientes corticorresistentes." in spanish
    assert any("serología de Hepatitis C no está registrada" in r for r in spanish)
    assert not any("the study" in r or "could not" in r for r in spanish)


def test_summary_reason_and_rule_set_provenance_in_portuguese():
    with use_language("pt-BR"):
        reason = describe([1.0, 2.0]).reason
        provenance = load_rule_set("ipna2020").provenance
    assert reason.startswith("Apenas 2 pacientes com dados (menos de 5)")
    assert provenance.startswith("o conjunto de regras 'ipna2020' (")
    assert "incluído no NephroCohort" in provenance
    assert describe([1.0, 2.0]).reason.startswith("Only 2 patients with data (fewer than 5)")


@pytest.mark.slow
def test_a_spanish_report_has_no_english_reason(tmp_path):
    from nephrocohort.pipeline import run_report

    with use_language("es"):
        run_report(data=str(BUNDLE), rule_set="ipna2020", out_dir=tmp_path, formats=["json"])
    records = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    reasons = []

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "reason" and isinstance(value, str):
                    reasons.append(value)
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(records)
    written = [r for r in reasons if " " in r]  # column names (unconfirmed values) are ids
    assert written, "the report has reasons to show"
    assert "Corticosensible; el estudio incluye solo pacientes corticorresistentes." in written
    english = ("the study", "could not", "Fewer than", "Only ", "No patient", "not tested")
    assert not [r for r in written if any(word in r for word in english)]
    labels = {record["id"]: record.get("label") for record in records}
    # the treatment groups' labels were plain (unmarked) English strings
    assert labels["group.1"].startswith("Grupo 1: ciclofosfamida")
    assert labels["group.2"].startswith("Grupo 2: MMF como primer inmunosupresor")
