"""Calculator and rule-set commands: ``nephrocohort calc ...`` and ``nephrocohort rules ...``.

Thin shells over ``nephrocohort.clinical``: parse unit-named options, call one
function, render the result (human text by default, ``--json`` for scripts).
Numbers are rounded only here, for display: JSON values to 2 decimals.
Wrong input prints ``Error: <what was wrong>`` and exits 2, without a
traceback, both through ``nephrocohort.cli.main`` and under a test runner.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Annotated

import typer

from nephrocohort.exceptions import NephroCohortError
from nephrocohort.i18n import N_, localize_number
from nephrocohort.i18n import gettext as _

calc_app = typer.Typer(
    help="Bedside calculators: BSA, eGFR, CKD stage, proteinuria category, doses, blood pressure.",
    no_args_is_help=True,
)
rules_app = typer.Typer(
    help="Rule sets: the clinical definitions an analysis uses.", no_args_is_help=True
)

_EQUATION_LABELS = {
    "schwartz-1976": N_("original Schwartz 1976, k by age and sex, Jaffe creatinine"),
    "schwartz-bedside": N_("bedside Schwartz 2009, IDMS creatinine"),
    "ckid-u25": N_("CKiD U25 creatinine 2021"),
    "ckid-u25-cystatin": N_("CKiD U25 cystatin C 2021"),
    "ckid-u25-combined": N_("CKiD U25 creatinine and cystatin C average 2021"),
}


def _limit(value) -> str:
    """A table or threshold value as the table prints it (``str``), with the language's decimal sign."""
    return localize_number(str(value))


def _n(value: float, spec: str) -> str:
    """``value`` formatted by ``spec`` (``.1f``, ``g``) with the language's decimal sign."""
    return localize_number(format(value, spec))


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
RuleSetOption = Annotated[
    str,
    typer.Option(
        "--rule-set", help="Rule set name (see `nephrocohort rules list`) or a YAML file path."
    ),
]


@contextlib.contextmanager
def _clinical_errors() -> Iterator[None]:
    """Print an expected error as one sentence and exit 2 (SystemExit survives non-standalone click)."""
    try:
        yield
    except NephroCohortError as error:
        typer.echo(_("Error: {error}").format(error=error), err=True)
        raise SystemExit(2) from None


def _fail(message: str) -> None:
    typer.echo(_("Error: {error}").format(error=message), err=True)
    raise SystemExit(2)


def _emit(as_json: bool, payload: dict, text: str) -> None:
    if as_json:
        # allow_nan=False: NaN or Infinity is not JSON; the clinical core refuses them
        # as inputs, so one here is a bug that must fail loudly, never print.
        typer.echo(json.dumps(payload, ensure_ascii=False, allow_nan=False))
    else:
        typer.echo(text)


def _round(value: float, digits: int = 2) -> float:
    return round(float(value), digits)


def _option_name(input_name: str) -> str:
    return "--" + input_name.replace("_", "-")


# ----------------------------------------------------------------------------- calc


@calc_app.command("bsa")
def calc_bsa(
    height_cm: Annotated[float, typer.Option("--height-cm", help="Height in cm.")],
    weight_kg: Annotated[float, typer.Option("--weight-kg", help="Weight in kg.")],
    formula: Annotated[
        str, typer.Option("--formula", help="mosteller (default), dubois, haycock or gehan-george.")
    ] = "mosteller",
    as_json: JsonOption = False,
) -> None:
    """Body surface area (m2) from height and weight."""
    from nephrocohort.clinical import bsa_m2

    with _clinical_errors():
        value = bsa_m2(height_cm=height_cm, weight_kg=weight_kg, formula=formula)
    _emit(
        as_json,
        {
            "bsa_m2": _round(value, 4),
            "formula": formula,
            "height_cm": height_cm,
            "weight_kg": weight_kg,
        },
        _("BSA {bsa} m2 ({formula}; height {height} cm, weight {weight} kg)").format(
            bsa=_n(value, ".2f"),
            formula=formula,
            height=_n(height_cm, "g"),
            weight=_n(weight_kg, "g"),
        ),  # fmt: skip
    )


@calc_app.command("egfr")
def calc_egfr(
    equation: Annotated[
        str | None,
        typer.Option(
            "--equation",
            help="schwartz-1976, schwartz-bedside, ckid-u25, ckid-u25-cystatin or ckid-u25-combined. "
            "Default: the rule set's equation.",
        ),
    ] = None,
    height_cm: Annotated[float | None, typer.Option("--height-cm", help="Height in cm.")] = None,
    creatinine_mg_dl: Annotated[
        float | None, typer.Option("--creatinine-mg-dl", help="Serum creatinine in mg/dL.")
    ] = None,
    creatinine_umol_l: Annotated[
        float | None, typer.Option("--creatinine-umol-l", help="Serum creatinine in umol/L.")
    ] = None,
    cystatin_c_mg_l: Annotated[
        float | None,
        typer.Option("--cystatin-c-mg-l", help="Cystatin C in mg/L (IFCC-calibrated)."),
    ] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="M or F.")] = None,
    age_years: Annotated[
        float | None, typer.Option("--age-years", help="Age in years (decimal).")
    ] = None,
    preterm: Annotated[
        bool, typer.Option("--preterm", help="Born preterm (original Schwartz, first year only).")
    ] = False,
    rule_set: RuleSetOption = "study",
    as_json: JsonOption = False,
) -> None:
    """Estimated GFR (mL/min/1.73m2) by a named pediatric equation."""
    from nephrocohort.clinical import ckd_stage, egfr, load_rule_set
    from nephrocohort.clinical.kidney_function import EGFR_EQUATION_INPUTS, EGFR_OPTIONAL_INPUTS

    with _clinical_errors():
        if equation is None:
            equation = load_rule_set(rule_set).derivation.egfr_equation
        if equation not in EGFR_EQUATION_INPUTS:
            _fail(
                _("Unknown equation '{equation}'. Choose one of: {choices}.").format(
                    equation=equation, choices=", ".join(EGFR_EQUATION_INPUTS)
                )
            )
        given = {
            "height_cm": height_cm,
            "creatinine_mg_dl": creatinine_mg_dl
            if creatinine_mg_dl is not None
            else creatinine_umol_l,
            "cystatin_c_mg_l": cystatin_c_mg_l,
            "sex": sex,
            "age_years": age_years,
        }
        missing = [
            _("--creatinine-mg-dl (or --creatinine-umol-l)")
            if name == "creatinine_mg_dl"
            else _option_name(name)
            for name in EGFR_EQUATION_INPUTS[equation]
            if name not in EGFR_OPTIONAL_INPUTS[equation] and given.get(name) is None
        ]
        if missing:
            _fail(
                _("The {equation} equation needs {inputs}.").format(
                    equation=equation, inputs=", ".join(missing)
                )
            )
        value = egfr(
            equation,
            height_cm=height_cm,
            creatinine_mg_dl=creatinine_mg_dl,
            creatinine_umol_l=creatinine_umol_l,
            cystatin_c_mg_l=cystatin_c_mg_l,
            sex=sex,
            age_years=age_years,
            preterm=preterm,
        )
        stage = ckd_stage(value, age_years=age_years)
    payload = {
        "egfr": _round(value),
        "unit": "mL/min/1.73m2",
        "equation": equation,
        "ckd_stage": stage,
    }
    stage_text = (
        _("; GFR category {stage}").format(stage=stage)
        if stage
        else _("; no GFR category under 2 years of age")
        if age_years is not None and age_years < 2
        else ""
    )
    _emit(
        as_json,
        payload,
        _("eGFR {egfr} mL/min/1.73m2 ({equation}){stage}").format(
            egfr=_n(value, ".1f"), equation=_(_EQUATION_LABELS[equation]), stage=stage_text
        ),
    )


@calc_app.command("ckd-stage")
def calc_ckd_stage(
    egfr_value: Annotated[float, typer.Option("--egfr", help="eGFR in mL/min/1.73m2.")],
    age_years: Annotated[
        float | None, typer.Option("--age-years", help="Age in years; no stage under 2.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """KDIGO GFR category (G1-G5) of an eGFR."""
    from nephrocohort.clinical import ckd_stage

    with _clinical_errors():
        stage = ckd_stage(egfr_value, age_years=age_years)
    text = (
        _("GFR category {stage} (eGFR {egfr} mL/min/1.73m2; KDIGO 2012)").format(
            stage=stage, egfr=_n(egfr_value, "g")
        )
        if stage
        else _("No GFR category: the KDIGO categories do not apply under 2 years of age.")
    )
    _emit(as_json, {"stage": stage, "egfr": egfr_value, "age_years": age_years}, text)


@calc_app.command("proteinuria")
def calc_proteinuria(
    upcr_mg_mg: Annotated[
        float | None,
        typer.Option("--upcr-mg-mg", help="Urine protein/creatinine ratio in mg/mg (= g/g)."),
    ] = None,
    upcr_mg_mmol: Annotated[
        float | None,
        typer.Option("--upcr-mg-mmol", help="Urine protein/creatinine ratio in mg/mmol."),
    ] = None,
    timed_mg_m2_h: Annotated[
        float | None, typer.Option("--timed-mg-m2-h", help="Timed urine protein in mg/m2/h.")
    ] = None,
    dipstick: Annotated[
        str | None,
        typer.Option(
            "--dipstick",
            help="Dipstick grade: negative, trace, 30, 100, 300, 1000 or 0, +/-, 1+ ... 4+.",
        ),
    ] = None,
    rule_set: RuleSetOption = "study",
    as_json: JsonOption = False,
) -> None:
    """Proteinuria category (nephrotic, partial, complete) of one measurement under a rule set."""
    from nephrocohort.clinical import dipstick_to_mg_dl, load_rule_set

    given = [
        (name, test, value, unit)
        for name, test, value, unit in (
            ("--upcr-mg-mg", "upcr", upcr_mg_mg, "mg/mg"),
            ("--upcr-mg-mmol", "upcr", upcr_mg_mmol, "mg/mmol"),
            ("--timed-mg-m2-h", "urine_protein_timed", timed_mg_m2_h, "mg/m2/h"),
            ("--dipstick", "dipstick_protein", dipstick, "mg/dL"),
        )
        if value is not None
    ]
    if len(given) != 1:
        if given:
            _fail(
                _(
                    "Give exactly one measurement: --upcr-mg-mg, --upcr-mg-mmol, --timed-mg-m2-h "
                    "or --dipstick (got {given})."
                ).format(given=", ".join(g[0] for g in given))
            )
        _fail(
            _(
                "Give exactly one measurement: --upcr-mg-mg, --upcr-mg-mmol, --timed-mg-m2-h "
                "or --dipstick."
            )
        )
    _given, test, value, unit = given[0]
    with _clinical_errors():
        rules = load_rule_set(rule_set)
        if test == "dipstick_protein":
            value = dipstick_to_mg_dl(value)
        category = rules.classify_proteinuria(test, value, unit)
        criterion, _basis = rules.criterion_for(test, unit)
    payload = {
        "category": category,
        "test": test,
        "value": value,
        "unit": unit,
        "rule_set": rules.name,
        "nephrotic_if": str(criterion.nephrotic),
        "complete_if": str(criterion.complete),
    }
    label = {
        "nephrotic": N_("Nephrotic range"),
        "partial": N_("Partial remission"),
        "complete": N_("Complete remission"),
    }
    text = _(
        "{category} under rule set '{rule_set}': {test} {value} {unit} "
        "(nephrotic {nephrotic}; complete remission {complete})"
    ).format(
        category=_(label[category]),
        rule_set=rules.name,
        test=test,
        value=_n(value, "g"),
        unit=unit,
        nephrotic=localize_number(str(criterion.nephrotic)),
        complete=localize_number(str(criterion.complete)),
    )
    _emit(as_json, payload, text)


@calc_app.command("dose")
def calc_dose(
    drug: Annotated[str, typer.Option("--drug", help="mmf or prednisolone.")],
    bsa: Annotated[float | None, typer.Option("--bsa-m2", help="Body surface area in m2.")] = None,
    height_cm: Annotated[
        float | None, typer.Option("--height-cm", help="Height in cm (BSA by Mosteller).")
    ] = None,
    weight_kg: Annotated[
        float | None, typer.Option("--weight-kg", help="Weight in kg (BSA by Mosteller).")
    ] = None,
    mg_m2_day: Annotated[
        float, typer.Option("--mg-m2-day", help="MMF target, 600-1200 mg/m2/day (default 1200).")
    ] = 1200.0,
    schedule: Annotated[
        str | None,
        typer.Option(
            "--schedule",
            help="Prednisolone only: daily (60 mg/m2/day, the default) or alternate-day "
            "(40 mg/m2 per dose). MMF is always given twice daily.",
        ),
    ] = None,
    formulation: Annotated[
        str | None,
        typer.Option(
            "--formulation",
            help="e.g. mmf-capsule-250, mmf-tablet-500, mmf-suspension-200, prednisolone-tablet-5.",
        ),
    ] = None,
    gi_onset_date: Annotated[
        str | None,
        typer.Option(
            "--gi-onset-date",
            help="MMF only: date (YYYY-MM-DD) GI side effects began; prints the seed's plan.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """MMF or prednisolone dose by BSA, rounded to what can be given."""
    from nephrocohort.clinical import (
        bsa_m2,
        mmf_dose,
        mmf_gi_side_effect_plan,
        prednisolone_alternate_day_dose,
        prednisolone_daily_dose,
    )

    drug = drug.strip().lower()
    if drug not in ("mmf", "prednisolone"):
        _fail(_("Unknown drug '{drug}'. Choose mmf or prednisolone.").format(drug=drug))
    if schedule is not None and drug == "mmf":
        _fail(_("--schedule applies to prednisolone only; MMF is given twice daily."))
    schedule = schedule or "daily"
    if schedule not in ("daily", "alternate-day"):
        _fail(
            _("Unknown schedule '{schedule}'. Choose daily or alternate-day.").format(
                schedule=schedule
            )
        )
    if gi_onset_date is not None and drug != "mmf":
        _fail(_("--gi-onset-date applies to MMF only."))
    with _clinical_errors():
        if bsa is None:
            if height_cm is None or weight_kg is None:
                _fail(_("Give --bsa-m2, or both --height-cm and --weight-kg."))
            bsa = bsa_m2(height_cm=height_cm, weight_kg=weight_kg)
        extra = {"formulation": formulation} if formulation else {}
        if drug == "mmf":
            dose = mmf_dose(bsa_m2=bsa, mg_m2_day=mg_m2_day, **extra)
        elif schedule == "daily":
            dose = prednisolone_daily_dose(bsa_m2=bsa, **extra)
        else:
            dose = prednisolone_alternate_day_dose(bsa_m2=bsa, **extra)
        plan = (
            mmf_gi_side_effect_plan(full_dose=dose, onset_date=gi_onset_date)
            if gi_onset_date
            else None
        )
    payload = {
        "drug": dose.drug,
        "schedule": dose.schedule,
        "bsa_m2": _round(dose.bsa_m2, 4),
        "mg_per_dose": dose.mg_per_dose,
        "amount_per_dose": dose.amount_per_dose,
        "amount_unit": dose.formulation.unit,
        "formulation": dose.formulation.name,
        "mg_per_day": _round(dose.mg_per_day),
        "achieved_mg_m2": _round(dose.achieved_mg_m2, 1),
        "target_mg_m2": dose.target_mg_m2,
        "mg_m2_basis": dose.target_basis,
        "capped": dose.capped,
        "notes": list(dose.notes),
    }
    lines = [
        dose.describe(),
        "  "
        + _("BSA {bsa} m2; this gives {achieved} {basis} (target {target} {basis})").format(
            bsa=_n(dose.bsa_m2, ".2f"),
            achieved=_n(dose.achieved_mg_m2, ".0f"),
            target=_n(dose.target_mg_m2, "g"),
            basis=_(_DOSE_BASES[dose.target_basis]),
        ),  # fmt: skip
    ]
    lines += [f"  {note}" for note in dose.note_texts()]
    if plan is not None:
        payload["gi_plan"] = [
            {
                "date": step.date.isoformat(),
                "action": step.action,
                "mg_per_dose": step.mg_per_dose,
                "condition": step.condition,
                "instruction": step.instruction,
            }
            for step in plan.steps
        ]
        lines.append(_("Gastrointestinal side effects (seed study rule):"))
        for step in plan.steps:
            when = f" {step.condition_text()}" if step.condition else ""
            lines.append(f"  {step.date.isoformat()}{when}: {step.instruction_text()}")
    _emit(as_json, payload, "\n".join(lines))


# The unit of a dose's target and achieved mg/m2 (DoseRecommendation.target_basis).
_DOSE_BASES = {"mg/m2/day": N_("mg/m2/day"), "mg/m2 per dose": N_("mg/m2 per dose")}

_BP_LABELS = {
    "normal": N_("normal"),
    "elevated": N_("elevated"),
    "stage_1_hypertension": N_("stage 1 hypertension"),
    "stage_2_hypertension": N_("stage 2 hypertension"),
}
# The AAP 2017 table a row comes from (Flynn et al. 2017, Tables 4 and 5), by sex.
_BP_TABLES = {"M": N_("Table 4 (boys)"), "F": N_("Table 5 (girls)")}
_BP_THRESHOLD_BASES = {
    "percentile_table": N_("the lower of the percentile and 120/80, 130/80, 140/90"),
    "fixed_adolescent": N_("fixed thresholds from 13 years"),
}
_BP_NOT_CLASSIFIED = {
    "under_1_year": N_(
        "Not classified: the AAP 2017 tables (Tables 4 and 5) begin at 1 year of age, "
        "so there is no percentile to compare an infant's blood pressure with."
    ),
}


@calc_app.command("bp")
def calc_bp(
    age_years: Annotated[float, typer.Option("--age-years", help="Age in years (decimal).")],
    sex: Annotated[str, typer.Option("--sex", help="M or F.")],
    sbp_mmhg: Annotated[float, typer.Option("--sbp-mmhg", help="Systolic BP in mmHg.")],
    dbp_mmhg: Annotated[float, typer.Option("--dbp-mmhg", help="Diastolic BP in mmHg.")],
    height_cm: Annotated[
        float | None,
        typer.Option("--height-cm", help="Height in cm (required for ages 1-12)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Blood-pressure category by the AAP 2017 guideline (Flynn et al., Pediatrics 2017)."""
    from nephrocohort.clinical import classify_bp_aap2017
    from nephrocohort.clinical.blood_pressure import (
        FIXED_THRESHOLDS_FROM_YEARS,
        TABLE_MIN_AGE_YEARS,
    )

    if height_cm is None and TABLE_MIN_AGE_YEARS <= age_years < FIXED_THRESHOLDS_FROM_YEARS:
        _fail(
            _(
                "--height-cm is required for a child of {age} years: the AAP 2017 tables "
                "for 1-12 years are by height percentile (CDC 2000 growth charts)."
            ).format(age=_n(age_years, "g"))
        )
    with _clinical_errors():
        result = classify_bp_aap2017(
            sbp_mmhg=sbp_mmhg, dbp_mmhg=dbp_mmhg, age_years=age_years, sex=sex, height_cm=height_cm
        )
    payload: dict = {
        "category": result.category,
        "reason": result.reason,
        "sbp_category": result.sbp_category,
        "dbp_category": result.dbp_category,
        "age_years": age_years,
        "sex": sex,
        "sbp_mmhg": sbp_mmhg,
        "dbp_mmhg": dbp_mmhg,
        "guideline": "AAP 2017 (Flynn et al., Pediatrics 2017;140(3):e20171904)",
    }
    if result.category is None:
        _emit(as_json, payload, _(_BP_NOT_CLASSIFIED[result.reason]))
        return
    lines = []
    if result.height is not None:
        payload.update(
            height_cm=height_cm,
            height_percentile=_round(result.height.percentile, 1),
            height_chart=f"CDC 2000 {result.height.chart}",
        )
        lines.append(
            _(
                "Height {height} cm: height-for-age percentile {percentile} (CDC 2000 {chart})"
            ).format(
                height=_n(height_cm, "g"),
                percentile=_n(result.height.percentile, ".1f"),
                chart=result.height.chart,
            )  # fmt: skip
        )
    limits = result.thresholds
    row = result.table_row
    if row is not None:
        payload["table"] = {
            "table": "Table 4 (boys)" if row.sex == "M" else "Table 5 (girls)",
            "age_row_years": row.age_years,
            "height_percentile_column": row.height_percentile_column,
            "sbp_p90_mmhg": row.sbp_p90_mmhg,
            "sbp_p95_mmhg": row.sbp_p95_mmhg,
            "sbp_p95_plus_12_mmhg": row.sbp_p95_plus_12_mmhg,
            "dbp_p90_mmhg": row.dbp_p90_mmhg,
            "dbp_p95_mmhg": row.dbp_p95_mmhg,
            "dbp_p95_plus_12_mmhg": row.dbp_p95_plus_12_mmhg,
        }
        lines.append(
            _(
                "{table}, age {age} y, height column {column}th: 90th {sbp_90}/{dbp_90}, "
                "95th {sbp_95}/{dbp_95}, 95th + 12 {sbp_95_12}/{dbp_95_12} mmHg"
            ).format(
                table=_(_BP_TABLES[row.sex]),
                age=_limit(row.age_years),
                column=_limit(row.height_percentile_column),
                sbp_90=_limit(row.sbp_p90_mmhg),
                dbp_90=_limit(row.dbp_p90_mmhg),
                sbp_95=_limit(row.sbp_p95_mmhg),
                dbp_95=_limit(row.dbp_p95_mmhg),
                sbp_95_12=_limit(row.sbp_p95_plus_12_mmhg),
                dbp_95_12=_limit(row.dbp_p95_plus_12_mmhg),
            )  # fmt: skip
        )
    payload["thresholds"] = {
        "basis": limits.basis,
        "elevated_sbp_mmhg": limits.elevated_sbp_mmhg,
        "stage_1_sbp_mmhg": limits.stage_1_sbp_mmhg,
        "stage_2_sbp_mmhg": limits.stage_2_sbp_mmhg,
        "elevated_dbp_mmhg": limits.elevated_dbp_mmhg,
        "stage_1_dbp_mmhg": limits.stage_1_dbp_mmhg,
        "stage_2_dbp_mmhg": limits.stage_2_dbp_mmhg,
    }
    elevated_dbp = "-" if limits.elevated_dbp_mmhg is None else _limit(limits.elevated_dbp_mmhg)
    lines.append(
        _(
            "Thresholds used (SBP/DBP, {basis}): elevated {elevated_sbp}/{elevated_dbp}, "
            "stage 1 {stage_1_sbp}/{stage_1_dbp}, stage 2 {stage_2_sbp}/{stage_2_dbp} mmHg"
        ).format(
            basis=_(_BP_THRESHOLD_BASES[limits.basis]),
            elevated_sbp=_limit(limits.elevated_sbp_mmhg),
            elevated_dbp=elevated_dbp,
            stage_1_sbp=_limit(limits.stage_1_sbp_mmhg),
            stage_1_dbp=_limit(limits.stage_1_dbp_mmhg),
            stage_2_sbp=_limit(limits.stage_2_sbp_mmhg),
            stage_2_dbp=_limit(limits.stage_2_dbp_mmhg),
        )  # fmt: skip
    )
    lines.append(
        _(
            "BP {sbp}/{dbp} mmHg: {category} (systolic {systolic}, diastolic {diastolic}; AAP 2017)"
        ).format(
            sbp=_n(sbp_mmhg, "g"),
            dbp=_n(dbp_mmhg, "g"),
            category=_(_BP_LABELS[result.category]),
            systolic=_(_BP_LABELS[result.sbp_category]),
            diastolic=_(_BP_LABELS[result.dbp_category]),
        )  # fmt: skip
    )
    _emit(as_json, payload, "\n".join(lines))


# ----------------------------------------------------------------------------- rules


@rules_app.command("list")
def rules_list(as_json: JsonOption = False) -> None:
    """The rule sets that ship with NephroCohort."""
    from nephrocohort.clinical import list_rule_sets, load_rule_set
    from nephrocohort.clinical.rules.display import title_text

    with _clinical_errors():
        sets = [load_rule_set(name) for name in list_rule_sets()]
    _emit(
        as_json,
        {"rule_sets": [{"name": r.name, "title": r.title} for r in sets]},
        "\n".join(f"{r.name:<10} {title_text(r.title)}" for r in sets),
    )


@rules_app.command("show")
def rules_show(
    name: Annotated[str, typer.Argument(help="Rule set name or YAML file path.")],
    as_json: JsonOption = False,
) -> None:
    """Every threshold and parameter of a rule set, with its source."""
    from nephrocohort.clinical import load_rule_set
    from nephrocohort.clinical.rules.display import title_text

    with _clinical_errors():
        rules = load_rule_set(name)
        rows = rules.parameter_rows()
    payload = {
        "name": rules.name,
        "title": rules.title,
        "origin": rules.origin,
        "fingerprint": rules.fingerprint,
        "based_on": rules.based_on,
        "changes": list(rules.changes),
        "described_as": rules.provenance,
        "sources": list(rules.sources),
        "parameters": [
            {"parameter": p, "label": rules.parameter_label(p), "value": v, "source": s}
            for p, v, s in rows
        ],
    }
    # The frame is in the user's language; parameter labels, values, sources and codes stay
    # as the rule set writes them (clinical.rules.display.parameter_rows).
    heading = f"{rules.name}: {title_text(rules.title)}"
    if rules.changes:
        heading += _(" (a modified copy of '{based_on}')").format(based_on=rules.based_on)
    origin = (
        _("shipped with NephroCohort")
        if rules.path is None
        else _("file {path}").format(path=rules.path)
    )
    lines = [
        heading,
        _("Origin: {origin}").format(origin=origin),
        _("Fingerprint: {fingerprint} (changes when any definition changes)").format(
            fingerprint=rules.fingerprint
        ),
    ]
    if rules.based_on is not None:
        lines.append(
            _("A modified copy of the shipped '{based_on}'; changed:").format(
                based_on=rules.based_on
            )
            if rules.changes
            else _("Definitions identical to the shipped '{based_on}'.").format(
                based_on=rules.based_on
            )
        )
        lines += [f"  - {change}" for change in rules.changes]
    lines.append("")
    source_label = _("source:")
    lines += [
        f"{rules.parameter_label(p)}: {v}\n    {source_label} {s}\n    [{p}]" for p, v, s in rows
    ]
    lines += ["", _("Sources:")] + [f"  - {source}" for source in rules.sources]
    _emit(as_json, payload, "\n".join(lines))


def register(app) -> None:
    """Add the ``calc`` and ``rules`` command groups to ``app``."""
    app.add_typer(calc_app, name="calc")
    app.add_typer(rules_app, name="rules")
