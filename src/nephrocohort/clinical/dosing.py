"""Doses of MMF and prednisolone from body surface area, rounded to what can be given.

A dose is computed in mg from mg/m2 and BSA, capped at the maximum, then
rounded to the nearest amount the chosen formulation can deliver (whole
tablets or capsules; oral liquids to 0.1 mL), never above the cap or the top
of the prescribed range. The result says what was rounded and capped.

References
----------
.. [1] The seed study, Methods: MMF 600-1200 mg/m2/day in two divided doses;
   with gastrointestinal side effects the total daily dose was decreased 50%
   for 4 weeks, then increased to the recommended dose, and withdrawn if the
   symptoms persisted after 4 weeks; prednisolone 60 mg/m2/day, then 40 mg/m2
   per dose on alternate days.
.. [2] KDIGO 2021 Clinical Practice Guideline for the Management of Glomerular
   Diseases, chapter 4, and IPNA 2022 SSNS recommendations Table 1: prednisone
   60 mg/m2/day or 2 mg/kg/day (maximum 60 mg/day); 40 mg/m2 or 1.5 mg/kg on
   alternate days (maximum 40 mg).
.. [3] CellCept (mycophenolate mofetil) prescribing information / SmPC:
   250 mg capsules, 500 mg tablets, oral suspension 200 mg/mL; pediatric dose
   600 mg/m2 twice daily up to a maximum of 2 g daily. Used for the MMF cap
   because the nephrotic-syndrome guideline maximum could not be verified.
.. [4] Prednisolone strengths: 1 mg and 5 mg tablets, oral solution 1 mg/mL
   (5 mg/5 mL) and 3 mg/mL (15 mg/5 mL), as listed in national formularies
   (e.g. BNF for Children). Centres can define their own ``Formulation``.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np

from nephrocohort.clinical._checks import Range, check_range
from nephrocohort.exceptions import ClinicalInputError
from nephrocohort.i18n import N_, localize_number, localize_percent, ngettext, use_language
from nephrocohort.i18n import gettext as _
from nephrocohort.messages import Message

__all__ = [
    "Formulation",
    "FORMULATIONS",
    "DoseRecommendation",
    "PlanStep",
    "DosePlan",
    "mmf_dose",
    "prednisolone_daily_dose",
    "prednisolone_alternate_day_dose",
    "mmf_gi_side_effect_plan",
]


@dataclass(frozen=True)
class Formulation:
    """A product form: mg per unit (per tablet, capsule or mL) and the smallest amount that can be given.

    References
    ----------
    Module references [3] (MMF) and [4] (prednisolone).
    """

    name: str
    drug: str
    mg_per_unit: float
    unit: str  # "tablet", "capsule" or "mL"
    step: float  # smallest giveable amount in ``unit`` (1 tablet, 0.1 mL)


FORMULATIONS = {
    "mmf-capsule-250": Formulation(N_("MMF 250 mg capsule"), "mmf", 250, "capsule", 1),
    "mmf-tablet-500": Formulation(N_("MMF 500 mg tablet"), "mmf", 500, "tablet", 1),
    "mmf-suspension-200": Formulation(N_("MMF oral suspension 200 mg/mL"), "mmf", 200, "mL", 0.1),
    "prednisolone-tablet-5": Formulation(
        N_("Prednisolone 5 mg tablet"), "prednisolone", 5, "tablet", 1
    ),
    "prednisolone-tablet-1": Formulation(
        N_("Prednisolone 1 mg tablet"), "prednisolone", 1, "tablet", 1
    ),
    "prednisolone-solution-1": Formulation(
        N_("Prednisolone oral solution 1 mg/mL"), "prednisolone", 1, "mL", 0.1
    ),
    "prednisolone-solution-3": Formulation(
        N_("Prednisolone oral solution 3 mg/mL"), "prednisolone", 3, "mL", 0.1
    ),
}

_BSA = Range(0.1, 3.0, "m2", "clinical.hint.bsa_slip")
_MMF_RANGE_MG_M2_DAY = (600.0, 1200.0)  # seed [1]
_MMF_MAX_MG_DAY = 2000.0  # labelled pediatric maximum [3]
_PRED_DAILY_MG_M2 = 60.0  # [1], [2]
_PRED_DAILY_MAX_MG = 60.0  # [2]
_PRED_ALT_MG_M2 = 40.0  # [1], [2]
_PRED_ALT_MAX_MG = 40.0  # [2]
_GI_REDUCTION_DAYS = 28  # seed: 4 weeks [1]
# BSA is itself rounded (2-4 decimals), so a dose within 1% under the bottom of the
# prescribed range (e.g. 200 mg for 600 mg/m2/day at BSA 0.6667) is accepted as in range.
_BOTTOM_TOLERANCE = 0.99


@dataclass(frozen=True)
class DoseRecommendation:
    """A dose that can be given: per administration, per day and as mg/m2 actually achieved.

    References
    ----------
    Module references [1]-[4].
    """

    drug: str
    schedule: str  # "bid" (two doses a day), "daily" or "alternate_day"
    bsa_m2: float
    target_mg_m2: float  # per day (bid, daily) or per dose (alternate_day)
    mg_per_dose: float
    doses_per_day: float  # 2, 1, or 0.5 for alternate days
    formulation: Formulation
    amount_per_dose: float
    capped: bool
    notes: tuple[str, ...] = ()  # in English, as the JSON output and logs carry them
    # The notes as (kind, values), written in the language of the moment by note_texts().
    note_details: tuple[tuple[str, dict], ...] = ()

    @property
    def mg_per_day(self) -> float:
        """Mean mg per day (alternate-day doses count half).

        References
        ----------
        Arithmetic.
        """
        return self.mg_per_dose * self.doses_per_day

    @property
    def achieved_mg_m2(self) -> float:
        """The given dose in mg/m2, on the same basis as ``target_mg_m2``.

        References
        ----------
        Arithmetic.
        """
        per = self.mg_per_dose if self.schedule == "alternate_day" else self.mg_per_day
        return per / self.bsa_m2

    @property
    def target_basis(self) -> str:
        """The unit of ``target_mg_m2`` and ``achieved_mg_m2``: ``mg/m2/day`` or ``mg/m2 per dose``.

        References
        ----------
        Module references [1], [2] (daily doses per day; alternate-day doses per dose).
        """
        return "mg/m2 per dose" if self.schedule == "alternate_day" else "mg/m2/day"

    def describe(self) -> str:
        """One line a clinician reads, e.g. ``MMF 500 mg twice daily (2 x MMF 250 mg capsule)``.

        References
        ----------
        Display only.
        """
        name = _(self.formulation.name)
        amount = _number(self.amount_per_dose)
        given = (
            _("{amount} mL of {formulation}").format(amount=amount, formulation=name)
            if self.formulation.unit == "mL"
            else _("{amount} x {formulation}").format(amount=amount, formulation=name)
        )
        return _("{drug} {mg} mg {when} ({given})").format(
            drug=_(self.drug),
            mg=_number(self.mg_per_dose),
            when=_(_WHEN[self.schedule]),
            given=given,
        )

    def note_texts(self) -> list[str]:
        """The notes (what was capped or rounded) in the active language.

        References
        ----------
        Display only.
        """
        return [_note_text(kind, values) for kind, values in self.note_details]

    def __repr__(self) -> str:
        with use_language("en"):
            return f"DoseRecommendation({self.describe()!r})"


# The words of a dose line; drug names as ``_dose`` receives them.
_WHEN = {
    "bid": N_("twice daily"),
    "daily": N_("once daily"),
    "alternate_day": N_("on alternate days"),
}
_DRUG_LABELS = (N_("MMF"), N_("Prednisolone"))
_CAP_SOURCES = (N_("labelled pediatric maximum, CellCept"), N_("IPNA; KDIGO 2021"))
_NOTES = {
    "capped_per_day": N_(
        "Capped at the maximum of {cap_mg} mg per day ({source}); the target {target} "
        "mg/m2/day would be {wanted_mg} mg per dose."
    ),
    "capped_per_dose": N_(
        "Capped at the maximum of {cap_mg} mg per dose ({source}); the target {target} "
        "mg/m2 per dose would be {wanted_mg} mg per dose."
    ),
    "rounded": N_("Rounded from {wanted_mg} mg to {mg} mg per dose to fit {formulation}."),
    "below_target": N_(
        "The rounded dose is {percent} below the target; a liquid gives it more exactly: {liquids}."
    ),
    "above_target": N_(
        "The rounded dose is {percent} above the target; a liquid gives it more exactly: {liquids}."
    ),
}


def _number(value: float, spec: str = "g") -> str:
    """``value`` formatted by ``spec`` with the active language's decimal sign."""
    return localize_number(format(value, spec))


def _liquids_text(liquids) -> str:
    return ", ".join(f"{code} ({_(name)})" for code, name in liquids)


def _note_text(kind: str, values: dict) -> str:
    """One note of a dose in the active language (numbers with its decimal sign)."""
    shown = {
        "cap_mg": lambda v: _number(v),
        "target": lambda v: _number(v),
        "wanted_mg": lambda v: _number(v, ".0f" if kind.startswith("capped") else ".1f"),
        "mg": lambda v: _number(v),
        "source": _,
        "formulation": _,
        "percent": lambda v: localize_percent(format(v * 100, ".0f")),
        "liquids": _liquids_text,
    }
    return _(_NOTES[kind]).format(**{key: shown[key](value) for key, value in values.items()})


def _formulation(name_or_formulation, drug: str) -> Formulation:
    if isinstance(name_or_formulation, Formulation):
        formulation = name_or_formulation
    elif name_or_formulation in FORMULATIONS:
        formulation = FORMULATIONS[name_or_formulation]
    else:
        names = ", ".join(n for n, f in FORMULATIONS.items() if f.drug == drug)
        raise ClinicalInputError(
            "dosing.unknown_formulation",
            formulation=name_or_formulation,
            drug=_DRUG_NAMES[drug],
            known=names,
        )
    if formulation.drug != drug:
        names = ", ".join(n for n, f in FORMULATIONS.items() if f.drug == drug)
        raise ClinicalInputError(
            "dosing.wrong_drug", formulation=formulation.name, drug=_DRUG_NAMES[drug], known=names
        )
    return formulation


# The drug as a refusal names it, in the user's language.
_DRUG_NAMES = {
    "mmf": Message("dosing.drug.mmf"),
    "prednisolone": Message("dosing.drug.prednisolone"),
}
# A rounded dose further than this from the target gets a note naming a liquid that fits better.
_ROUNDING_NOTE_FRACTION = 0.10


def _giveable(mg_wanted: float, limit_mg: float, formulation: Formulation) -> tuple[float, float]:
    """Nearest giveable amount (in units) to ``mg_wanted``, not above ``limit_mg``; returns (amount, mg)."""
    step_mg = formulation.mg_per_unit * formulation.step
    steps = round(mg_wanted / step_mg)
    # Step down while rounding up went past the limit (a tiny tolerance absorbs float error).
    while steps > 0 and steps * step_mg > limit_mg * (1 + 1e-9):
        steps -= 1
    amount = round(steps * formulation.step, 6)
    return amount, float(round(amount * formulation.mg_per_unit, 6))


def _amount_text(amount: float, unit: str) -> str:
    """``2 capsules``, ``1 tablet``, ``2.5 mL`` in the active language."""
    shown = _number(amount)
    if unit == "mL":
        return _("{amount} mL").format(amount=shown)
    count = int(amount) if float(amount).is_integer() else 2  # a fraction of a unit: plural
    if unit == "capsule":
        return ngettext("{amount} capsule", "{amount} capsules", count).format(amount=shown)
    if unit == "tablet":
        return ngettext("{amount} tablet", "{amount} tablets", count).format(amount=shown)
    return f"{shown} {unit}{'s' if amount != 1 else ''}"  # a centre's own unit, as it names it


def _dose(
    *,
    drug,
    schedule,
    bsa_m2,
    target_mg_m2,
    doses_per_day,
    cap_mg_per_dose,
    top_mg_m2,
    formulation,
    cap_source,
    bottom_mg_m2=0.0,
):
    bsa = check_range("bsa_m2", bsa_m2, _BSA)
    if np.ndim(bsa) != 0:
        raise ClinicalInputError("dosing.bsa_not_one")
    basis_per_dose = 1.0 if schedule == "alternate_day" else doses_per_day
    wanted = target_mg_m2 * bsa / basis_per_dose
    capped = wanted > cap_mg_per_dose
    limit = min(cap_mg_per_dose, top_mg_m2 * bsa / basis_per_dose)
    amount, mg = _giveable(min(wanted, cap_mg_per_dose), limit, formulation)
    liquid_formulations = tuple(
        (n, f.name) for n, f in FORMULATIONS.items() if f.drug == drug.lower() and f.unit == "mL"
    )
    liquids = ", ".join(f"{n} ({name})" for n, name in liquid_formulations)
    if amount <= 0:
        fitting = ", ".join(
            f"{n} ({f.name})"
            for n, f in FORMULATIONS.items()
            if f.drug == drug.lower() and f is not formulation and f.mg_per_unit * f.step <= wanted
        )
        raise ClinicalInputError(
            "dosing.below_one_unit",
            mg_per_dose=wanted,
            formulation=formulation.name,
            fitting=fitting or liquids,
        )
    achieved = mg * basis_per_dose / bsa
    step_mg = formulation.mg_per_unit * formulation.step
    if (
        achieved < bottom_mg_m2 * _BOTTOM_TOLERANCE
        and not capped
        and mg + step_mg <= limit * (1 + 1e-9)
    ):
        # Rounding fell under the prescribed range: one step up still respects the top and the cap.
        amount = round(amount + formulation.step, 6)
        mg = float(round(amount * formulation.mg_per_unit, 6))
        achieved = mg * basis_per_dose / bsa
    if achieved < bottom_mg_m2 * _BOTTOM_TOLERANCE and not capped:
        raise ClinicalInputError(
            "dosing.below_range",
            formulation=formulation.name,
            mg_per_dose=mg,
            mg_m2_day=achieved,
            bottom_mg_m2_day=bottom_mg_m2,
            liquids=liquids,
        )
    details = []
    if capped:
        details.append(
            (
                "capped_per_dose" if schedule == "alternate_day" else "capped_per_day",
                {
                    "cap_mg": cap_mg_per_dose * basis_per_dose,
                    "source": cap_source,
                    "target": target_mg_m2,
                    "wanted_mg": wanted,
                },
            )
        )
    if abs(mg - min(wanted, cap_mg_per_dose)) > 0.05:
        details.append(
            (
                "rounded",
                {
                    "wanted_mg": min(wanted, cap_mg_per_dose),
                    "mg": mg,
                    "formulation": formulation.name,
                },
            )
        )
    if (
        not capped
        and formulation.unit != "mL"
        and abs(achieved - target_mg_m2) > _ROUNDING_NOTE_FRACTION * target_mg_m2
    ):
        details.append(
            (
                "below_target" if achieved < target_mg_m2 else "above_target",
                {
                    "percent": abs(achieved - target_mg_m2) / target_mg_m2,
                    "liquids": liquid_formulations,
                },
            )
        )
    with use_language("en"):
        notes = [_note_text(kind, values) for kind, values in details]
    return DoseRecommendation(
        drug=drug,
        schedule=schedule,
        bsa_m2=bsa,
        target_mg_m2=target_mg_m2,
        mg_per_dose=mg,
        doses_per_day=doses_per_day,
        formulation=formulation,
        amount_per_dose=amount,
        capped=capped,
        notes=tuple(notes),
        note_details=tuple(details),
    )


def mmf_dose(
    *, bsa_m2, mg_m2_day=1200.0, formulation="mmf-capsule-250", max_mg_day=_MMF_MAX_MG_DAY
):
    """MMF in two doses a day: ``mg_m2_day`` (600-1200) x BSA, capped at ``max_mg_day`` (2000 mg).

    The dose per administration is rounded to the nearest amount of the
    formulation, never above 1200 mg/m2/day or the cap, and not more than 1%
    under 600 mg/m2/day (BSA is itself rounded); a dose that cannot be given in
    that range is refused with the liquid to use instead.

    Examples
    --------
    >>> mmf_dose(bsa_m2=0.8563).describe()
    'MMF 500 mg twice daily (2 x MMF 250 mg capsule)'

    References
    ----------
    Seed study Methods [1] (600-1200 mg/m2/day in two doses); KDIGO 2021 [2]
    (1200 mg/m2/day in two doses); strengths and the 2 g/day pediatric maximum
    from the CellCept label [3].
    """
    low, high = _MMF_RANGE_MG_M2_DAY
    target = check_range(
        "mg_m2_day", mg_m2_day, Range(low, high, "mg/m2/day"), context="clinical.for.mmf_seed"
    )
    cap = check_range("max_mg_day", max_mg_day, Range(1, 3000, "mg/day"))
    return _dose(
        drug="MMF",
        schedule="bid",
        bsa_m2=bsa_m2,
        target_mg_m2=target,
        doses_per_day=2,
        cap_mg_per_dose=cap / 2,
        top_mg_m2=high,
        bottom_mg_m2=low,
        formulation=_formulation(formulation, "mmf"),
        cap_source="labelled pediatric maximum, CellCept",
    )


def prednisolone_daily_dose(*, bsa_m2, formulation="prednisolone-tablet-5"):
    """Prednisolone 60 mg/m2/day as one daily dose, maximum 60 mg.

    Examples
    --------
    >>> prednisolone_daily_dose(bsa_m2=0.8563).mg_per_dose
    50.0

    References
    ----------
    Seed study Methods [1]; KDIGO 2021 and IPNA [2] (60 mg/m2/day, max 60 mg/day).
    """
    return _dose(
        drug="Prednisolone",
        schedule="daily",
        bsa_m2=bsa_m2,
        target_mg_m2=_PRED_DAILY_MG_M2,
        doses_per_day=1,
        cap_mg_per_dose=_PRED_DAILY_MAX_MG,
        top_mg_m2=math.inf,
        formulation=_formulation(formulation, "prednisolone"),
        cap_source="IPNA; KDIGO 2021",
    )


def prednisolone_alternate_day_dose(*, bsa_m2, formulation="prednisolone-tablet-5"):
    """Prednisolone 40 mg/m2 per dose on alternate days, maximum 40 mg.

    References
    ----------
    Seed study Methods [1]; KDIGO 2021 and IPNA [2] (40 mg/m2 alternate days, max 40 mg).
    """
    return _dose(
        drug="Prednisolone",
        schedule="alternate_day",
        bsa_m2=bsa_m2,
        target_mg_m2=_PRED_ALT_MG_M2,
        doses_per_day=0.5,
        cap_mg_per_dose=_PRED_ALT_MAX_MG,
        top_mg_m2=math.inf,
        formulation=_formulation(formulation, "prednisolone"),
        cap_source="IPNA; KDIGO 2021",
    )


@dataclass(frozen=True)
class PlanStep:
    """One dated step of a dose plan; ``condition`` says when it applies (empty: always).

    References
    ----------
    Seed study Methods [1].
    """

    date: _dt.date
    action: str  # "reduce", "restore", "withdraw"
    mg_per_dose: float
    amount_per_dose: float
    instruction: str  # in English, as the JSON output carries it
    condition: str = ""
    # The instruction's values, written in the language of the moment by instruction_text().
    values: tuple[tuple[str, object], ...] = ()

    def instruction_text(self) -> str:
        """The instruction in the active language.

        References
        ----------
        Display only.
        """
        return (
            _plan_instruction(self.action, dict(self.values)) if self.values else self.instruction
        )

    def condition_text(self) -> str:
        """The condition (``if ... resolved``) in the active language; empty when there is none.

        References
        ----------
        Display only.
        """
        return _(self.condition) if self.condition else ""


@dataclass(frozen=True)
class DosePlan:
    """A dated sequence of dose steps, with the full dose it starts from.

    References
    ----------
    Seed study Methods [1].
    """

    full_dose: DoseRecommendation
    steps: tuple[PlanStep, ...]

    def __repr__(self) -> str:
        return f"DosePlan({len(self.steps)} steps from {self.steps[0].date.isoformat()})"


_GI_CONDITIONS = {
    "restore": N_("if the gastrointestinal symptoms have resolved"),
    "withdraw": N_("if the gastrointestinal symptoms persist after 4 weeks"),
}


def _plan_instruction(action: str, values: dict) -> str:
    """A step of the GI plan in the active language."""
    if action == "withdraw":
        return _("Withdraw MMF.")
    amount = _amount_text(values["amount"], values["unit"])
    if action == "reduce":
        return _("Halve MMF: {mg} mg twice daily ({amount}) until {until}.").format(
            mg=_number(values["mg"]), amount=amount, until=values["until"]
        )
    return _("Return to the full dose: {mg} mg twice daily ({amount}).").format(
        mg=_number(values["mg"]), amount=amount
    )


def mmf_gi_side_effect_plan(*, full_dose: DoseRecommendation, onset_date) -> DosePlan:
    """The seed's rule for gastrointestinal side effects of MMF, as dated steps.

    From ``onset_date``: halve the total daily dose for 4 weeks (rounded to the
    formulation, never above half); on day 28 return to the full dose if the
    symptoms have resolved, or withdraw MMF if they persist.

    References
    ----------
    Seed study Methods [1]: "the total daily dose of mycophenolate was
    decreased 50% for 4 weeks and then increased to the recommended dose and it
    was withdrawn if gastrointestinal symptoms persisted after 4 weeks".
    """
    if not isinstance(full_dose, DoseRecommendation) or full_dose.drug != "MMF":
        raise ClinicalInputError("dosing.not_an_mmf_dose")
    try:
        start = (
            _dt.date.fromisoformat(str(onset_date)[:10])
            if not isinstance(onset_date, _dt.date)
            else onset_date
        )
    except ValueError:
        raise ClinicalInputError(
            "clinical.not_a_date", name="onset_date", value=onset_date
        ) from None
    if isinstance(start, _dt.datetime):
        start = start.date()
    formulation = full_dose.formulation
    half_mg = full_dose.mg_per_dose / 2
    amount, mg = _giveable(half_mg, half_mg, formulation)
    if amount <= 0:
        raise ClinicalInputError(
            "dosing.half_not_giveable", mg=half_mg, formulation=formulation.name
        )
    review = start + _dt.timedelta(days=_GI_REDUCTION_DAYS)
    unit = formulation.unit
    values = {
        "reduce": (("mg", mg), ("amount", amount), ("unit", unit), ("until", review.isoformat())),
        "restore": (
            ("mg", full_dose.mg_per_dose),
            ("amount", full_dose.amount_per_dose),
            ("unit", unit),
        ),
        "withdraw": (("drug", "MMF"),),
    }
    with use_language("en"):
        english = {action: _plan_instruction(action, dict(v)) for action, v in values.items()}
    steps = (
        PlanStep(start, "reduce", mg, amount, english["reduce"], values=values["reduce"]),
        PlanStep(
            review,
            "restore",
            full_dose.mg_per_dose,
            full_dose.amount_per_dose,
            english["restore"],
            condition=_GI_CONDITIONS["restore"],
            values=values["restore"],
        ),
        PlanStep(
            review,
            "withdraw",
            0.0,
            0.0,
            english["withdraw"],
            condition=_GI_CONDITIONS["withdraw"],
            values=values["withdraw"],
        ),
    )
    return DosePlan(full_dose=full_dose, steps=steps)
