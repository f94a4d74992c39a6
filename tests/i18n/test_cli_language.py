"""NEPHROCOHORT_LANG: the command line's messages (and the report by default) in es / pt-BR."""

import json
import re

import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.i18n import active_language


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("es", "/no/such/folder no existe."), ("pt-BR", "/no/such/folder não existe.")],
)
def test_catalogue_messages_follow_the_language_variable(language, sentence):
    result = CliRunner().invoke(
        app, ["validate", "/no/such/folder"], env={"NEPHROCOHORT_LANG": language}
    )
    assert sentence in result.output
    assert active_language() == "en"  # nothing leaks past the command


def test_without_the_variable_the_messages_are_english():
    result = CliRunner().invoke(app, ["validate", "/no/such/folder"], env={"NEPHROCOHORT_LANG": ""})
    assert "/no/such/folder does not exist." in result.output


def test_an_unknown_language_in_the_variable_is_refused_with_the_languages():
    result = CliRunner().invoke(
        app, ["validate", "/no/such/folder"], env={"NEPHROCOHORT_LANG": "fr"}
    )
    assert result.exit_code == 2
    assert "NEPHROCOHORT_LANG" in result.output and "pt-BR" in result.output


def test_the_report_defaults_to_the_language_variable(tmp_path):
    result = CliRunner().invoke(
        app,
        ["report", "--out", str(tmp_path), "--format", "html"],
        env={"NEPHROCOHORT_LANG": "pt-BR"},
    )
    assert result.exit_code == 0, result.output
    assert "Relatório de 26 pacientes (conjunto de regras 'study'):" in result.output
    assert '<html lang="pt-BR">' in (tmp_path / "report.html").read_text(encoding="utf-8")


def _bundle(folder, patients_csv, labs_csv=None):
    folder.mkdir()
    (folder / "patients.csv").write_text(patients_csv, encoding="utf-8")
    if labs_csv:
        (folder / "labs.csv").write_text(labs_csv, encoding="utf-8")
    return folder


_PATIENTS = "patient_id,sex,birth_date\nP1,F,2012-03-14\nP2,M,2010-01-02\n"
_LABS = "patient_id,date,test,value,unit\nP1,2014-01-10,serum_creatinine,30,umol/L\n"


@pytest.mark.parametrize(
    ("language", "valid", "one_row", "no_rows"),
    [
        ("en", "is a valid cohort bundle: 2 patients.", "1 row", "0 rows"),
        ("es", "es un paquete de cohorte válido: 2 pacientes.", "1 fila", "0 filas"),
        # CLDR plural rules: Portuguese (Brazil) counts 0 with 1 (category "one": i = 0..1).
        ("pt-BR", "é um pacote de coorte válido: 2 pacientes.", "1 linha", "0 linha"),
    ],
)
def test_the_validation_summary_has_each_language_s_plural_forms(
    tmp_path, language, valid, one_row, no_rows
):
    bundle = _bundle(tmp_path / "b", _PATIENTS, _LABS)
    result = CliRunner().invoke(
        app, ["validate", str(bundle), "--as-of", "2025-01-01"], env={"NEPHROCOHORT_LANG": language}
    )
    assert result.exit_code == 0, result.output
    assert valid in result.output
    assert re.search(rf"^  labs +{one_row}$", result.output, re.MULTILINE), result.output
    assert re.search(rf"^  events +{no_rows}$", result.output, re.MULTILINE), result.output


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "1 problem found in"),
        ("es", "Se encontró 1 problema en"),
        ("pt-BR", "1 problema encontrado em"),
    ],
)
def test_one_problem_is_counted_in_the_singular(tmp_path, language, sentence):
    bundle = _bundle(tmp_path / "b", "patient_id,sex,birth_date\nP1,F,2012-13-14\n")
    result = CliRunner().invoke(app, ["validate", str(bundle)], env={"NEPHROCOHORT_LANG": language})
    assert result.exit_code == 1
    assert sentence in result.output, result.output


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "BSA 0.68 m2 (mosteller; height 100 cm, weight 16.5 kg)"),
        ("es", "Superficie corporal 0,68 m2 (mosteller; talla 100 cm, peso 16,5 kg)"),
        ("pt-BR", "Superfície corporal 0,68 m2 (mosteller; estatura 100 cm, peso 16,5 kg)"),
    ],
)
def test_calculator_numbers_have_the_language_s_decimal_sign(language, line):
    # Mosteller (N Engl J Med 1987): sqrt(100 cm x 16.5 kg / 3600) = 0.677 m2.
    result = CliRunner().invoke(
        app,
        ["calc", "bsa", "--height-cm", "100", "--weight-kg", "16.5"],
        env={"NEPHROCOHORT_LANG": language},
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == line


def test_an_age_in_years_is_written_with_a_decimal_comma_in_spanish():
    result = CliRunner().invoke(
        app,
        ["calc", "bp", "--age-years", "5.5", "--sex", "F", "--sbp-mmhg", "100", "--dbp-mmhg", "60"],
        env={"NEPHROCOHORT_LANG": "es"},
    )
    assert result.exit_code != 0
    assert "--height-cm es obligatorio para un niño de 5,5 años" in result.output


def test_written_files_are_announced_in_the_language(tmp_path):
    result = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path / "demo")], env={"NEPHROCOHORT_LANG": "pt-BR"}
    )
    assert result.exit_code == 0, result.output
    assert "A coorte de demonstração (26 pacientes sintéticos," in result.output
    assert "Próximo passo: nephrocohort validate" in result.output


def test_a_proteinuria_category_is_written_with_the_standard_terms_and_decimal_comma():
    # KDIGO 2021 (children): complete remission UPCR <= 0.2 mg/mg, nephrotic range >= 2 mg/mg;
    # 0.25 mg/mg lies between them. Terms as issue 13 gives them: remisión parcial/completa.
    result = CliRunner().invoke(
        app, ["calc", "proteinuria", "--upcr-mg-mg", "0.25"], env={"NEPHROCOHORT_LANG": "es"}
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "Remisión parcial según el conjunto de reglas 'study': upcr 0,25 mg/mg "
        "(nefrótico >= 2 mg/mg; remisión completa <= 0,2 mg/mg)"
    )


_BP_8_YEAR_OLD_BOY = [
    "calc", "bp", "--age-years", "8", "--sex", "M", "--sbp-mmhg", "112", "--dbp-mmhg", "70",
    "--height-cm", "128",
]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "table_row", "thresholds"),
    [
        (
            "es",
            "Tabla 4 (niños), edad 8 años, columna de talla percentil 50: "
            "p90 110/71, p95 114/74, p95 + 12 126/86 mmHg",
            "Umbrales usados (PAS/PAD, el menor entre el percentil y 120/80, 130/80, 140/90): "
            "elevada 110/71, estadio 1 114/74, estadio 2 126/86 mmHg",
        ),
        (
            "pt-BR",
            "Tabela 4 (meninos), idade 8 anos, coluna de estatura percentil 50: "
            "p90 110/71, p95 114/74, p95 + 12 126/86 mmHg",
            "Limiares usados (PAS/PAD, o menor entre o percentil e 120/80, 130/80, 140/90): "
            "elevada 110/71, estágio 1 114/74, estágio 2 126/86 mmHg",
        ),
    ],
)
def test_the_bp_table_row_and_thresholds_are_in_the_language(language, table_row, thresholds):
    # AAP 2017 (Flynn et al.), Table 4, boys aged 8, 50th height percentile column:
    # 90th 110/71, 95th 114/74, 95th + 12 mmHg 126/86 (128 cm is near the CDC 2000 median).
    result = CliRunner().invoke(app, _BP_8_YEAR_OLD_BOY, env={"NEPHROCOHORT_LANG": language})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert table_row in lines and thresholds in lines
    assert "Table 4 (boys)" not in result.output and "Thresholds used" not in result.output


@pytest.mark.parametrize(
    ("language", "thresholds"),
    [
        ("es", "Umbrales usados (PAS/PAD, umbrales fijos desde los 13 años): elevada 120/-, "),
        (
            "pt-BR",
            "Limiares usados (PAS/PAD, limiares fixos a partir dos 13 anos): elevada 120/-, ",
        ),
    ],
)
def test_the_adolescent_bp_thresholds_are_in_the_language(language, thresholds):
    # AAP 2017 Table 3, 13 years and older: elevated 120-129/<80, stage 1 130/80, stage 2 140/90.
    result = CliRunner().invoke(
        app,
        ["calc", "bp", "--age-years", "14", "--sex", "F", "--sbp-mmhg", "132", "--dbp-mmhg", "70"],
        env={"NEPHROCOHORT_LANG": language},
    )
    assert result.exit_code == 0, result.output
    assert thresholds in result.output and "Thresholds used" not in result.output


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "es",
            [
                "MMF 500 mg dos veces al día (2 x cápsula de micofenolato mofetilo 250 mg)",
                "  Superficie corporal 1,10 m2; esto da 909 mg/m2/día (objetivo 1200 mg/m2/día)",
                "  Redondeada de 660,0 mg a 500 mg por dosis para ajustarse a cápsula de "
                "micofenolato mofetilo 250 mg.",
                "Efectos adversos gastrointestinales (regla del estudio de referencia):",
                "  2026-01-05: Reducir el MMF a la mitad: 250 mg dos veces al día (1 cápsula) "
                "hasta el 2026-02-02.",
                "  2026-02-02 si los síntomas gastrointestinales se resolvieron: Volver a la dosis "
                "completa: 500 mg dos veces al día (2 cápsulas).",
                "  2026-02-02 si los síntomas gastrointestinales persisten después de 4 semanas: "
                "Suspender el MMF.",
            ],
            ["twice daily", "Rounded from", "Halve MMF", "capsules", "Withdraw MMF"],
        ),
        (
            "pt-BR",
            [
                "MMF 500 mg duas vezes ao dia (2 x cápsula de micofenolato de mofetila 250 mg)",
                "  Superfície corporal 1,10 m2; isso dá 909 mg/m2/dia (alvo 1200 mg/m2/dia)",
                "  Arredondada de 660,0 mg para 500 mg por dose para se ajustar a cápsula de "
                "micofenolato de mofetila 250 mg.",
                "Efeitos adversos gastrointestinais (regra do estudo de referência):",
                "  2026-01-05: Reduzir o MMF à metade: 250 mg duas vezes ao dia (1 cápsula) "
                "até 2026-02-02.",
                "  2026-02-02 se os sintomas gastrointestinais se resolveram: Voltar à dose "
                "completa: 500 mg duas vezes ao dia (2 cápsulas).",
                "  2026-02-02 se os sintomas gastrointestinais persistirem após 4 semanas: "
                "Suspender o MMF.",
            ],
            ["twice daily", "Rounded from", "Halve MMF", "capsules", "Withdraw MMF"],
        ),
    ],
)
def test_an_mmf_dose_its_notes_and_the_gi_plan_are_in_the_language(language, expected, english):
    # Seed study Methods: MMF 1200 mg/m2/day in two doses (1.1 m2: 660 mg per dose, 500 mg with
    # 250 mg capsules); GI side effects: half the daily dose for 4 weeks (28 days), then the full
    # dose if resolved, withdrawn if they persist.
    result = CliRunner().invoke(
        app,
        ["calc", "dose", "--drug", "mmf", "--bsa-m2", "1.1", "--gi-onset-date", "2026-01-05"],
        env={"NEPHROCOHORT_LANG": language},
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for line in expected:
        assert line in lines
    for words in english:
        assert words not in result.output


@pytest.mark.parametrize(
    ("language", "dose_line", "cap_note"),
    [
        (
            "es",
            "Prednisolona 60 mg una vez al día (12 x comprimido de prednisolona 5 mg)",
            "  Limitada al máximo de 60 mg por día (IPNA; KDIGO 2021); el objetivo de "
            "60 mg/m2/día serían 120 mg por dosis.",
        ),
        (
            "pt-BR",
            "Prednisolona 60 mg uma vez ao dia (12 x comprimido de prednisolona 5 mg)",
            "  Limitada ao máximo de 60 mg por dia (IPNA; KDIGO 2021); a meta de "
            "60 mg/m2/dia seria 120 mg por dose.",
        ),
    ],
)
def test_a_capped_prednisolone_dose_is_in_the_language(language, dose_line, cap_note):
    # KDIGO 2021 / IPNA: prednisone 60 mg/m2/day, maximum 60 mg/day; 2 m2 would be 120 mg.
    result = CliRunner().invoke(
        app,
        ["calc", "dose", "--drug", "prednisolone", "--bsa-m2", "2.0"],
        env={"NEPHROCOHORT_LANG": language},
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert dose_line in lines and cap_note in lines
    assert "Capped at" not in result.output and "once daily" not in result.output


def test_the_json_dose_notes_stay_english_under_another_language():
    result = CliRunner().invoke(
        app,
        ["calc", "dose", "--drug", "prednisolone", "--bsa-m2", "2.0", "--json"],
        env={"NEPHROCOHORT_LANG": "es"},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["notes"][0].startswith(
        "Capped at the maximum of 60 mg per day"
    )


def _modified_study(tmp_path):
    from importlib import resources

    text = (resources.files("nephrocohort.clinical") / "rulesets" / "study.yaml").read_text()
    path = tmp_path / "my.yaml"
    path.write_text(text.replace("value: 40\n", "value: 50\n", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "es",
            [
                "Origen: archivo {path}",
                "Una copia modificada del conjunto incluido 'study'; cambios:",
                "Fuentes:",
                "    fuente: Seed Methods: NS 'proteinuria higher than 40 mg/m2/hour'.",
            ],
            ["Origin:", "Fingerprint:", "Sources:", "    source:", "A modified copy"],
        ),
        (
            "pt-BR",
            [
                "Origem: arquivo {path}",
                "Uma cópia modificada do conjunto incluído 'study'; alterações:",
                "Fontes:",
                "    fonte: Seed Methods: NS 'proteinuria higher than 40 mg/m2/hour'.",
            ],
            ["Origin:", "Fingerprint:", "Sources:", "    source:", "A modified copy"],
        ),
    ],
)
def test_rules_show_labels_are_in_the_language_and_codes_stay(
    tmp_path, language, expected, english
):
    path = _modified_study(tmp_path)
    result = CliRunner().invoke(
        app, ["rules", "show", str(path)], env={"NEPHROCOHORT_LANG": language}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for line in expected:
        assert line.format(path=path) in lines
    for words in english:
        assert words not in result.output
    # The parameter's code and the change list keep the rule set's own words.
    assert "    [proteinuria.urine_protein_timed[mg/m2/h].nephrotic]" in lines
    assert (
        "  - proteinuria.urine_protein_timed[mg/m2/h].nephrotic > 40 mg/m2/h -> > 50 mg/m2/h"
        in lines
    )


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("es", "study      Estudio original: SNCR tratado con MMF, un solo centro, 2005-2011"),
        ("pt-BR", "study      Estudo original: SNCR tratada com MMF, centro único, 2005-2011"),
    ],
)
def test_rules_list_shows_the_shipped_titles_in_the_language(language, line):
    result = CliRunner().invoke(app, ["rules", "list"], env={"NEPHROCOHORT_LANG": language})
    assert result.exit_code == 0, result.output
    assert line in result.output.splitlines()
    assert "Seed study: SRNS" not in result.output


@pytest.mark.parametrize(
    ("language", "arguments", "sentence"),
    [
        ("es", ["calc", "dose", "--drug", "aspirin", "--bsa-m2", "1"], "Medicamento desconocido"),
        (
            "pt-BR",
            ["calc", "dose", "--drug", "aspirin", "--bsa-m2", "1"],
            "Medicamento desconhecido",
        ),
        ("es", ["calc", "dose", "--drug", "mmf"], "Indique --bsa-m2, o bien --height-cm"),
        ("pt-BR", ["calc", "proteinuria"], "Informe exatamente uma medida"),
        ("es", ["calc", "egfr", "--equation", "nope"], "Ecuación desconocida 'nope'"),
    ],
)
def test_the_calculators_refusals_follow_the_language(language, arguments, sentence):
    result = CliRunner().invoke(app, arguments, env={"NEPHROCOHORT_LANG": language})
    assert result.exit_code == 2
    assert sentence in result.output
    assert "Unknown" not in result.output and "Give " not in result.output
