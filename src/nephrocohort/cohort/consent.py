"""Consent drives use: which patients a report or an export may include.

A patient whose parents withdrew consent (``consent_withdrawn_date`` set), or
who lacks the assent their age requires where the center asks for assent,
is left out of reports and exports; the report counts them in its
eligibility flow. Including them anyway is an explicit choice of the caller
(``include_withdrawn=True``: ``--include-withdrawn-consent`` on the command
line, an administrator's checkbox in the registry), which the caller logs.

The age from which a child's own assent is needed is not fixed
internationally, so it is a per-center setting. ICH E11 (2000), section
2.6.3: "Where appropriate, participants should assent to enroll in a study
(age of assent to be determined by IRB's/IEC's or be consistent with local
legal requirements)." Colombia, Resolución 309 de 2025 of the Ministerio de
Salud, article 3 (read in secondary summaries only): children under 14 give
"asentimiento pediátrico", adolescents of 14 or more their own consent.
Brazil, Resolução CNS 466/2012, asks for the "assentimento livre e
esclarecido" of children and adolescents without fixing an age (the text was
not found in the library; stated from the resolution's definition II.2).
The default threshold, 7 years, is the common practice of ethics committees
that follow the "rule of sevens" (no guideline sentence fixes it); a center
sets its own.

Which age: the child's age at the later of ``consent_date`` and
``last_followup_date``, so a child who reaches the age while followed needs
to assent too. Without a birth date (or both of those dates) the need cannot
be judged and the patient is not left out for assent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from nephrocohort.clinical.anthropometry import DAYS_PER_YEAR
from nephrocohort.cohort.model import Cohort
from nephrocohort.exceptions import NephroCohortError

__all__ = [
    "ConsentPolicyError",
    "DEFAULT_ASSENT_AGE_YEARS",
    "ADULT_AGE_YEARS",
    "REASONS",
    "ConsentPolicy",
    "ConsentSelection",
    "consent_reasons",
    "select_consented",
]

#: Default age (years) from which a center that requires assent needs it (see the module notes).
DEFAULT_ASSENT_AGE_YEARS = 7.0
#: An age of assent is below this: ICH E11 (2000) section 2.5 ends the paediatric population
#: at "16-18 years (dependent on region)"; 18 is its widest reading. From then on a patient
#: consents as an adult.
ADULT_AGE_YEARS = 18

#: Reason code -> sentence (the report's flow shows the sentence).
REASONS: dict[str, str] = {
    "consent_withdrawn": "Consent withdrawn",
    "assent_missing": "Assent required for the child's age not recorded",
}


class ConsentPolicyError(NephroCohortError, ValueError):
    """An age of assent that no child can have (code ``consent.assent_age_invalid``)."""


@dataclass(frozen=True)
class ConsentPolicy:
    """Which centers require the child's assent, and from what age (years).

    ``assent_from_age_years`` maps a center code to its threshold; a center
    not listed gets ``every_center_from_age_years`` (None: it asks for no
    assent). Withdrawn consent always counts.
    """

    assent_from_age_years: Mapping[str, float] = field(default_factory=dict)
    every_center_from_age_years: float | None = None

    def __post_init__(self) -> None:
        ages = dict(self.assent_from_age_years)
        if self.every_center_from_age_years is not None:
            ages[None] = self.every_center_from_age_years
        for center, age_years in ages.items():
            if not (isinstance(age_years, int | float) and 0 <= age_years < ADULT_AGE_YEARS):
                where = "every center" if center is None else f"center {center!r}"
                raise ConsentPolicyError("consent.assent_age_invalid", where=where, age=age_years)

    def threshold_for(self, center) -> float | None:
        if center is not None and not pd.isna(center) and str(center) in self.assent_from_age_years:
            return float(self.assent_from_age_years[str(center)])
        return self.every_center_from_age_years


def consent_reasons(patients: pd.DataFrame, policy: ConsentPolicy | None = None) -> pd.Series:
    """Per patient (same index): the reason code it is left out for, or NA when it may be used."""
    policy = policy or ConsentPolicy()
    reasons = pd.Series(pd.NA, index=patients.index, dtype="string")
    withdrawn = pd.to_datetime(patients["consent_withdrawn_date"]).notna()
    reasons[withdrawn.to_numpy()] = "consent_withdrawn"
    birth = pd.to_datetime(patients["birth_date"])
    on = pd.concat(
        [pd.to_datetime(patients["consent_date"]), pd.to_datetime(patients["last_followup_date"])],
        axis=1,
    ).max(axis=1)
    age_years = (on - birth).dt.days / DAYS_PER_YEAR
    threshold_years = patients["center"].map(policy.threshold_for).astype("Float64")
    assented = pd.to_datetime(patients["assent_date"]).notna()
    needs = (age_years >= threshold_years).fillna(False).astype(bool)
    missing = needs & ~assented & reasons.isna()
    reasons[missing.to_numpy()] = "assent_missing"
    return reasons


@dataclass(frozen=True, eq=False)
class ConsentSelection:
    """The cohort a report or export may use, and who was left out (or kept by the override).

    ``left_out`` and ``kept_by_override`` are ``(reason code, n)`` pairs;
    with the override nothing is left out and the patients are counted in
    ``kept_by_override`` instead.
    """

    cohort: Cohort
    registered: int
    left_out: tuple[tuple[str, int], ...]
    kept_by_override: tuple[tuple[str, int], ...]
    dropped_ids: frozenset[str] = frozenset()

    def keep(self, tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """Other tables of the same patients (e.g. as stored) without the left-out patients' rows."""
        return {name: _without(frame, self.dropped_ids) for name, frame in tables.items()}

    @property
    def n_left_out(self) -> int:
        return sum(n for _, n in self.left_out)

    @property
    def n_kept_by_override(self) -> int:
        return sum(n for _, n in self.kept_by_override)

    def __repr__(self) -> str:
        return (
            f"ConsentSelection({self.registered} registered, {self.n_left_out} left out, "
            f"{self.n_kept_by_override} kept by override)"
        )


def select_consented(
    cohort: Cohort, policy: ConsentPolicy | None = None, *, include_withdrawn: bool = False
) -> ConsentSelection:
    """The patients (and their records) that may be used; the rest counted by reason.

    ``include_withdrawn``: keep everyone (the explicit override; the caller logs it).
    """
    reasons = consent_reasons(cohort.patients, policy)
    counts = tuple(
        (code, int((reasons == code).sum())) for code in REASONS if (reasons == code).any()
    )
    if include_withdrawn:
        return ConsentSelection(cohort, cohort.n_patients, (), counts)
    if not counts:
        return ConsentSelection(cohort, cohort.n_patients, (), ())
    dropped = frozenset(cohort.patients.loc[reasons.notna().to_numpy(), "patient_id"].astype(str))
    tables = {name: _without(frame, dropped) for name, frame in cohort.tables.items()}
    return ConsentSelection(Cohort.from_tables(tables), cohort.n_patients, counts, (), dropped)


def _without(frame: pd.DataFrame, patient_ids: frozenset[str]) -> pd.DataFrame:
    if not patient_ids:
        return frame
    kept = ~frame["patient_id"].astype(str).isin(patient_ids).to_numpy()
    return frame.loc[kept].reset_index(drop=True)
