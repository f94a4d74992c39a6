"""Per-patient timelines for the swimmer plot: drug bars and event markers.

Times are months from MMF start (month = 365.25/12 days, as in the analysis
dataset), so every line lines up at 0 and drugs before MMF extend left.
An ongoing drug runs to the patient's last follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from nephrocohort.clinical.anthropometry import DAYS_PER_MONTH

__all__ = ["Timelines", "build_timelines", "SWIMMER_DRUGS", "SWIMMER_EVENTS"]


#: Drugs drawn as bars, in drawing order (prednisone and prednisolone share a row colour).
SWIMMER_DRUGS = {
    "prednisolone": "Prednisolone",
    "prednisone": "Prednisolone",
    "cyclophosphamide": "Cyclophosphamide",
    "cyclosporine": "Cyclosporine",
    "tacrolimus": "Tacrolimus",
    "mmf": "MMF",
    "mycophenolate_sodium": "MMF",
    "rituximab": "Rituximab",
}

#: Events drawn as markers.
SWIMMER_EVENTS = {
    "relapse": "Relapse",
    "remission": "Remission",
    "severe_infection": "Severe infection",
    "diarrhea": "Diarrhea",
    "leukopenia": "Leukopenia",
    "ckd": "Chronic kidney disease",
    "dialysis": "Dialysis",
    "transplant": "Transplant",
    "death": "Death",
}


@dataclass(frozen=True, eq=False)
class Timelines:
    """Swimmer-plot data: ``bars`` (patient_id, drug, start_month, end_month),
    ``markers`` (patient_id, event, month) and ``patients`` (patient_id,
    end_month) in plotting order (longest MMF course at the top)."""

    bars: pd.DataFrame
    markers: pd.DataFrame
    patients: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Timelines({len(self.patients)} patients, {len(self.bars)} drug bars, "
            f"{len(self.markers)} events)"
        )


def _months(dates: pd.Series, origin: pd.Series) -> pd.Series:
    return (pd.to_datetime(dates) - pd.to_datetime(origin)).dt.days / DAYS_PER_MONTH


def build_timelines(study: pd.DataFrame, cohort) -> Timelines | None:
    """Timelines of the analysed patients with an MMF start date, or None without a cohort."""
    if cohort is None:
        return None
    anchors = study.loc[
        study["mmf_start_date"].notna(), ["patient_id", "mmf_start_date", "last_followup_date"]
    ]
    anchors = anchors.assign(patient_id=anchors["patient_id"].astype(str))
    medications = cohort.medications.assign(patient_id=cohort.medications["patient_id"].astype(str))
    medications = medications.loc[medications["drug"].isin(list(SWIMMER_DRUGS))]
    medications = medications.merge(anchors, on="patient_id", how="inner")
    end_dates = medications["end_date"].fillna(medications["last_followup_date"])
    bars = pd.DataFrame(
        {
            "patient_id": medications["patient_id"],
            "drug": medications["drug"].map(SWIMMER_DRUGS),
            "start_month": _months(medications["start_date"], medications["mmf_start_date"]),
            "end_month": _months(end_dates, medications["mmf_start_date"]),
        }
    ).dropna(subset=["start_month"])
    bars["end_month"] = bars["end_month"].fillna(bars["start_month"])

    events = cohort.events.assign(patient_id=cohort.events["patient_id"].astype(str))
    events = events.loc[events["event"].isin(list(SWIMMER_EVENTS))].merge(anchors, on="patient_id")
    markers = pd.DataFrame(
        {
            "patient_id": events["patient_id"],
            "event": events["event"].map(SWIMMER_EVENTS),
            "month": _months(events["date"], events["mmf_start_date"]),
        }
    ).dropna(subset=["month"])

    patients = pd.DataFrame(
        {
            "patient_id": anchors["patient_id"],
            "end_month": _months(anchors["last_followup_date"], anchors["mmf_start_date"]),
        }
    ).sort_values(["end_month", "patient_id"], ascending=[True, True], na_position="first")
    return Timelines(
        bars=bars.reset_index(drop=True),
        markers=markers.reset_index(drop=True),
        patients=patients.reset_index(drop=True),
    )
