"""The embedded demo cohort: shipped bundle, design table, and the seed study's figures.

Three layers of checks:

- the bundle in the package is exactly what the seeded generator writes;
- deriving the bundle gives back, patient by patient, what the design table
  asked for (relapses, states, doses, eGFR, dates, treatments, outcomes);
- the cohort-level figures computed from the derived dataset with the
  project's SPSS-compatible statistics are the figures printed in the seed
  study (shared/seed/srns-mmf-single-center-study.txt; the list is
  shared/reference/seed-results.md). Expected values are typed in from the
  paper, never computed by the code under test; where the paper cannot be met
  exactly, the decision is in docs/demo-cohort.md and the test says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import demo_cohort, derive, generate_demo_bundle
from nephrocohort.cohort._demo_design import DEMO_DESIGN
from nephrocohort.cohort.demo import demo_bundle_path
from nephrocohort.stats import percentiles, wilcoxon_signed_rank

DAYS_PER_MONTH = 365.25 / 12


@pytest.fixture(scope="module")
def cohort():
    return demo_cohort()


@pytest.fixture(scope="module")
def analysis(cohort):
    return derive(cohort, load_rule_set("study")).set_index("patient_id")


class TestShippedBundle:
    def test_regenerated_bundle_is_byte_for_byte_the_shipped_one(self, tmp_path):
        generate_demo_bundle(tmp_path)
        shipped = sorted(p.name for p in demo_bundle_path().glob("*.csv"))
        assert shipped == sorted(p.name for p in tmp_path.glob("*.csv"))
        for name in shipped:
            assert (tmp_path / name).read_bytes() == (demo_bundle_path() / name).read_bytes(), name

    def test_demo_cohort_loads_26_patients_with_every_table(self, cohort):
        assert cohort.n_patients == 26
        counts = cohort.row_counts()
        assert all(counts[name] > 0 for name in counts)
        # longitudinal charts: many visits and labs per child
        assert counts["labs"] / 26 > 100
        assert counts["visits"] / 26 > 20

    def test_lab_units_are_mixed_as_entered_in_a_clinic(self, cohort):
        units = set(cohort.labs["measured_unit"].dropna())
        assert {"mg/m2/h", "mg/mg", "mg/mmol", "g/dL", "g/L", "mg/dL", "umol/L"} <= units

    def test_no_summary_numbers_are_stored_in_the_records(self):
        headers = " ".join(
            (demo_bundle_path() / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
            for name in ("patients", "visits", "labs", "medications", "events")
        )
        for derived in ("relapses_per_year", "egfr", "group", "response", "steroid_mg_kg"):
            assert derived not in headers


def _design_rows():
    return [pytest.param(design, id=design.patient_id) for design in DEMO_DESIGN]


class TestDerivedValuesEqualTheDesign:
    """Each chart's derived values are the ones its design row asked for."""

    @pytest.mark.parametrize("design", _design_rows())
    def test_dates_and_durations(self, analysis, design):
        row = analysis.loc[design.patient_id]
        assert row["age_at_diagnosis_months"] == pytest.approx(design.onset_age_months, abs=0.02)
        assert row["follow_up_years"] == pytest.approx(design.followup_years, abs=0.002)
        assert row["months_diagnosis_to_mmf"] == pytest.approx(design.months_to_mmf, abs=0.02)
        if design.mmf_months is not None:
            assert row["mmf_duration_months"] == pytest.approx(design.mmf_months, abs=0.02)
            assert not pd.isna(row["mmf_stop_date"])
        else:
            assert pd.isna(row["mmf_stop_date"])

    @pytest.mark.parametrize("design", _design_rows())
    def test_relapses_before_and_on_mmf(self, analysis, design):
        row = analysis.loc[design.patient_id]
        assert row["relapses_before"] == design.relapses_before
        assert row["relapses_after"] == design.relapses_after
        # the rate is the count over the observed part of the 12 months
        on_mmf_days = min(
            365.25,
            (design.mmf_months or 1e9) * DAYS_PER_MONTH,
            design.followup_years * 365.25 - design.months_to_mmf * DAYS_PER_MONTH,
        )
        expected_after = design.relapses_after / (round(on_mmf_days) / 365.25)
        if on_mmf_days >= 365.25:
            expected_after = design.relapses_after
        assert row["relapses_per_year_after"] == pytest.approx(expected_after, abs=0.01)
        if design.months_to_mmf >= 12.1:
            assert row["relapses_per_year_before"] == design.relapses_before

    @pytest.mark.parametrize("design", _design_rows())
    def test_proteinuria_states_and_response(self, analysis, design):
        row = analysis.loc[design.patient_id]
        assert row["state_month0"] == design.state_month0
        assert row["state_month1"] == design.state_month1
        response = {"complete": "complete", "partial": "partial", "nephrotic": "none"}
        assert row["response_month1"] == response[design.state_month1]
        assert row["steroid_response"] == "resistant"

    @pytest.mark.parametrize("design", _design_rows())
    def test_steroid_doses(self, analysis, design):
        row = analysis.loc[design.patient_id]
        assert row["steroid_mg_kg_day_before"] == pytest.approx(design.steroid_before, abs=0.0025)
        assert row["steroid_mg_kg_day_after"] == pytest.approx(design.steroid_after, abs=0.0025)
        assert bool(row["prednisolone_stopped"]) == (design.steroid_after == 0)

    @pytest.mark.parametrize("design", _design_rows())
    def test_egfr(self, analysis, design):
        row = analysis.loc[design.patient_id]
        assert row["egfr_mmf_start"] == pytest.approx(design.egfr_start, abs=0.1)
        if design.egfr_month12 is None:
            assert pd.isna(row["egfr_month12"])
        else:
            assert row["egfr_month12"] == pytest.approx(design.egfr_month12, abs=0.1)

    @pytest.mark.parametrize("design", _design_rows())
    def test_treatments_group_outcomes_and_eligibility(self, analysis, design):
        row = analysis.loc[design.patient_id]
        assert row["sex"] == design.sex
        assert row["histology"] == design.histology
        assert row["group"] == (1 if design.cyclosporine or design.cyclophosphamide else 2)
        assert bool(row["prior_cyclosporine"]) == design.cyclosporine
        assert bool(row["prior_cyclophosphamide"]) == design.cyclophosphamide
        assert bool(row["prior_steroid_pulses"]) == design.steroid_pulses
        assert not row["prior_rituximab"]
        assert bool(row["received_rituximab_after_mmf"]) == design.rituximab_after_mmf
        assert bool(row["received_enalapril"]) == design.enalapril
        assert bool(row["received_losartan"]) == design.losartan
        assert bool(row["crf"]) == (design.kidney_outcome is not None)
        assert bool(row["transplant"]) == (design.kidney_outcome == "transplant")
        assert bool(row["ae_diarrhea"]) == (design.adverse_event == "diarrhea")
        assert bool(row["ae_severe_infection"]) == (design.adverse_event == "severe_infection")
        assert not row["ae_leukopenia"]
        assert not row["death"]
        assert row["eligible"]


def _spss(values, q):
    return float(percentiles(np.asarray(values, dtype=float), [q], method="spss")[0])


def _count(series) -> int:
    return int(series.astype("boolean").fillna(False).sum())


class TestSeedFigures:
    """Figures of the seed study's Results, recomputed from the derived demo dataset."""

    def test_cohort_sex_and_histology(self, analysis):
        assert len(analysis) == 26
        assert (analysis["sex"] == "M").sum() == 18
        assert (analysis["sex"] == "F").sum() == 8
        counts = analysis["histology"].value_counts().to_dict()
        assert counts == {"FSGS": 15, "MCD": 9, "MN": 1, "DMS": 1}

    @pytest.mark.parametrize(
        ("histology", "boys", "girls", "hypertension"),
        [("MCD", 8, 1, 4), ("FSGS", 9, 6, 7), ("MN", 0, 1, 1), ("DMS", 1, 0, 1)],
    )
    def test_table1_sex_and_hypertension(self, analysis, histology, boys, girls, hypertension):
        rows = analysis[analysis["histology"] == histology]
        assert (rows["sex"] == "M").sum() == boys
        assert (rows["sex"] == "F").sum() == girls
        assert _count(rows["onset_hypertension"]) == hypertension

    @pytest.mark.parametrize(
        ("histology", "age_mean", "age_sd", "months_mean", "months_sd"),
        [
            # Table 1; FSGS age SD 8.34 is impossible (docs/demo-cohort.md): not checked.
            ("MCD", 10.52, 4.93, 59.7, 49),
            ("FSGS", 10, None, 59.5, 48),
            ("MN", 13, None, 60, None),
            ("DMS", 12, None, 72, None),
        ],
    )
    def test_table1_age_and_time_to_mmf(
        self, analysis, histology, age_mean, age_sd, months_mean, months_sd
    ):
        rows = analysis[analysis["histology"] == histology]
        age = rows["age_at_assessment_years"].astype(float)
        months = rows["months_diagnosis_to_mmf"].astype(float)
        assert round(age.mean(), 2) == age_mean
        assert round(months.mean(), 1) == months_mean
        if age_sd is not None:
            assert round(age.std(), 2) == age_sd
        if months_sd is not None:
            assert round(months.std()) == months_sd

    def test_crf_only_in_three_fsgs(self, analysis):
        crf = analysis[analysis["crf"].astype(bool)]
        assert list(crf["histology"]) == ["FSGS"] * 3

    def test_ages_and_follow_up(self, analysis):
        dx = analysis["age_at_diagnosis_months"].astype(float)
        assert (round(_spss(dx, 25), 2), round(_spss(dx, 50)), round(_spss(dx, 75))) == (
            21.75,
            25,
            39,
        )
        assert round(dx.min()) == 7 and round(dx.max() / 12) == 16
        age = analysis["age_at_assessment_years"].astype(float)
        # The paper prints 10 (SD 4.98); Table 1 implies 10.37 (docs/demo-cohort.md).
        assert round(age.mean()) == 10 and round(age.std(), 2) == 4.98
        assert round(age.min()) == 2 and round(age.max()) == 18
        follow = analysis["follow_up_years"].astype(float)
        quartiles = [round(_spss(follow, q), 2) for q in (25, 50, 75)]
        assert quartiles == [2.54, 6, 11]
        assert round(follow.min()) == 1 and round(follow.max()) == 16

    def test_onset_features(self, analysis):
        assert _count(analysis["onset_edema"]) == 25
        assert _count(analysis["onset_hypertension"]) == 13
        assert _count(analysis["onset_hematuria"]) == 13
        # 17.7% has no n/26; 3 of the 17 with data = 17.6% (docs/demo-cohort.md).
        aki = analysis["onset_aki"].astype("boolean")
        assert (int(aki.sum()), int(aki.notna().sum())) == (3, 17)

    def test_treatments_and_groups(self, analysis):
        assert _count(analysis["prior_steroid_pulses"]) == 9
        assert _count(analysis["prior_cyclophosphamide"]) == 6
        assert _count(analysis["prior_cyclosporine"]) == 18
        assert _count(analysis["received_mmf"]) == 26
        assert _count(analysis["received_rituximab_after_mmf"]) == 6
        assert _count(analysis["received_enalapril"]) == 23
        assert _count(analysis["received_losartan"]) == 15
        assert analysis["group"].value_counts().to_dict() == {1: 20, 2: 6}

    def test_mmf_timing(self, analysis):
        years = analysis["years_diagnosis_to_mmf"].astype(float)
        assert round(years.mean()) == 5 and round(years.std(), 1) == 3.8
        months = analysis["mmf_duration_months"].astype(float)
        assert [round(_spss(months, q), 1) for q in (25, 50, 75)] == [10.5, 22, 46.5]

    def test_proteinuria_and_one_month_response(self, analysis):
        assert analysis["state_month0"].value_counts().to_dict() == {
            "nephrotic": 19,
            "partial": 6,
            "complete": 1,
        }
        assert analysis["response_month1"].value_counts().to_dict() == {
            "complete": 16,
            "partial": 8,
            "none": 2,
        }
        by_group = analysis.groupby("group")["response_month1"].value_counts().to_dict()
        assert by_group == {
            (1, "complete"): 12,
            (1, "partial"): 6,
            (1, "none"): 2,
            (2, "complete"): 4,
            (2, "partial"): 2,
        }

    def test_relapses_per_year_before_and_after(self, analysis):
        before = analysis["relapses_per_year_before"].astype(float)
        after = analysis["relapses_per_year_after"].astype(float)
        assert [round(_spss(before, q), 2) for q in (50, 25, 75)] == [3, 2.75, 4]
        assert [round(_spss(after, q), 2) for q in (50, 25, 75)] == [1, 1, 3.25]
        assert round(wilcoxon_signed_rank(before, after).p, 2) == 0.08

    def test_steroid_dose_before_and_after(self, analysis):
        before = analysis["steroid_mg_kg_day_before"].astype(float)
        after = analysis["steroid_mg_kg_day_after"].astype(float)
        assert [round(_spss(before, q), 2) for q in (50, 25, 75)] == [1, 0.5, 1.62]
        assert [round(_spss(after, q), 2) for q in (50, 25, 75)] == [0.07, 0, 0.55]
        assert wilcoxon_signed_rank(before, after).p < 0.001
        assert _count(analysis["prednisolone_stopped"]) == 8

    def test_egfr_means(self, analysis):
        start = analysis["egfr_mmf_start"].astype(float)
        month12 = analysis["egfr_month12"].astype(float).dropna()
        assert (round(start.mean(), 1), round(start.std(), 1)) == (158.3, 65.6)
        assert (round(month12.mean(), 2), round(month12.std(), 1)) == (151.08, 53.8)

    def test_outcomes_and_adverse_events(self, analysis):
        assert _count(analysis["crf"]) == 3
        assert _count(analysis["transplant"]) == 1
        assert _count(analysis["death"]) == 0
        assert _count(analysis["ae_diarrhea"]) == 3
        assert _count(analysis["ae_severe_infection"]) == 4
        # The seed's RRT (1) is dialysis; its 24 'medical treatment only' exclude RRT and
        # transplant. One dialysis and one transplant patient, as printed:
        assert _count(analysis["rrt"] & ~analysis["transplant"].astype(bool)) == 1
        assert _count(~analysis["rrt"].astype(bool)) == 24
