"""A calculator's or a rule set's refusal is written in the active language when shown (issue 9).

The error carries a code and params (the range, what it is for, the hint and
a rule set's faults are nested messages), so the whole sentence follows the
language, not only its first template. The expected sentences are the es and
pt-BR catalogue texts, written out here by hand.
"""

import pytest
import yaml

from nephrocohort.clinical.kidney_function import egfr_schwartz_bedside
from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.exceptions import ClinicalInputError, RuleSetError
from nephrocohort.i18n import use_language


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "en",
            "height_cm is 1.2; expected 30-250 cm for the bedside Schwartz equation. "
            "Was it entered in metres or inches?",
        ),
        (
            "es",
            "height_cm es 1.2; se esperaba 30-250 cm para la ecuación de Schwartz bedside "
            "(a pie de cama). ¿Se ingresó en metros o en pulgadas?",
        ),
        (
            "pt-BR",
            "height_cm é 1.2; era esperado 30-250 cm para a equação de Schwartz bedside "
            "(à beira do leito). Foi digitado em metros ou em polegadas?",
        ),
    ],
)
def test_an_out_of_range_input_is_refused_in_the_language(language, sentence):
    with pytest.raises(ClinicalInputError) as caught:
        egfr_schwartz_bedside(height_cm=1.2, creatinine_mg_dl=0.5)
    with use_language(language):
        assert str(caught.value) == sentence


def test_an_out_of_range_input_without_a_hint_ends_at_its_stop():
    with pytest.raises(ClinicalInputError) as caught:
        egfr_schwartz_bedside(height_cm=120, creatinine_mg_dl=0.5, age_years=40.0)
    assert caught.value.params["hint"].code == "clinical.hint.bedside_age"
    with pytest.raises(ClinicalInputError) as caught:
        egfr_schwartz_bedside(height_cm=120, creatinine_mg_dl=30)
    assert str(caught.value).endswith("Use creatinine_umol_l.")
    from nephrocohort.clinical.kidney_function import ckd_stage

    with pytest.raises(ClinicalInputError) as caught:
        ckd_stage(-5)
    assert str(caught.value) == "egfr_ml_min_1_73m2 is -5; expected 0-1000 mL/min/1.73m2."


def test_a_rule_set_fault_names_file_and_field_in_the_language(tmp_path):
    from importlib import resources

    data = yaml.safe_load(
        (resources.files("nephrocohort.clinical") / "rulesets" / "study.yaml").read_text()
    )
    data["derivation"]["bogus"] = 1
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(path)
    with use_language("es"):
        assert str(caught.value) == (
            f"En el archivo de conjunto de reglas '{path}', el campo 'derivation.bogus' no es un "
            "campo de conjunto de reglas; revise cómo está escrito (docs/clinical/rule-sets.md "
            "enumera los campos)."
        )
