"""Synthetic cohorts of any size: reproducible, valid, realistic, with real gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import (
    derive,
    generate_synthetic,
    load_bundle,
    save_bundle,
    validate_bundle,
)
from nephrocohort.cohort.derive import onset_hypertension_warnings
from nephrocohort.cohort.synthetic import SyntheticCohortError, write_synthetic_bundle


@pytest.fixture(scope="module")
def cohort():
    return generate_synthetic(1500, seed=11)


@pytest.fixture(scope="module")
def analysis(cohort):
    return derive(cohort, load_rule_set("study"))


class TestReproducible:
    def test_same_seed_gives_the_same_cohort(self):
        first, second = generate_synthetic(40, seed=7), generate_synthetic(40, seed=7)
        for name, frame in first.tables.items():
            pd.testing.assert_frame_equal(frame, second.tables[name], obj=name)

    def test_another_seed_gives_another_cohort(self):
        first, second = generate_synthetic(40, seed=7), generate_synthetic(40, seed=8)
        assert not first.patients["birth_date"].equals(second.patients["birth_date"])

    def test_repr_counts_patients(self):
        assert repr(generate_synthetic(5, seed=1)).startswith("Cohort(5 patients;")


class TestBadInput:
    @pytest.mark.parametrize("n_patients", [0, -3, 2_000_001])
    def test_size_out_of_range_is_refused(self, n_patients):
        with pytest.raises(SyntheticCohortError) as caught:
            generate_synthetic(n_patients, seed=1)
        assert (caught.value.code, caught.value.params) == (
            "synthetic.size_range",
            {"maximum": 2_000_000, "value": n_patients},
        )

    @pytest.mark.parametrize("n_patients", [2.5, "10", True, None])
    def test_size_that_is_not_a_whole_number_is_refused(self, n_patients):
        with pytest.raises(SyntheticCohortError) as caught:
            generate_synthetic(n_patients, seed=1)
        assert (caught.value.code, caught.value.params) == (
            "synthetic.not_whole",
            {"value": n_patients},
        )


class TestValidBundle:
    def test_saved_cohort_passes_validation_without_a_problem(self, tmp_path):
        save_bundle(generate_synthetic(400, seed=3), tmp_path)
        assert validate_bundle(tmp_path) == []

    def test_recorded_onset_hypertension_agrees_with_the_onset_blood_pressure(self, tmp_path):
        # The acceptance pass of issues 13/15 found 77 onset_hypertension_disagrees
        # warnings on `demo --patients 200 --seed 1`; validate reads the saved bundle.
        write_synthetic_bundle(tmp_path, n_patients=200, seed=1)
        cohort = load_bundle(tmp_path)
        assert [w.code for w in onset_hypertension_warnings(cohort)] == []
        flags = cohort.patients["hypertension_at_onset"].value_counts()
        assert flags.get("yes", 0) > 0 and flags.get("no", 0) > 0  # both kinds compared

    def test_write_bundle_adds_parquet_on_request(self, tmp_path):
        cohort, written = write_synthetic_bundle(tmp_path, n_patients=20, seed=2, parquet=True)
        names = sorted(path.name for path in written)
        assert "labs.parquet" in names and "labs.csv" in names
        labs = pd.read_parquet(tmp_path / "parquet" / "labs.parquet")
        assert len(labs) == len(cohort.labs)
        assert {"value", "unit", "measured_value", "measured_unit"} <= set(labs.columns)

    def test_write_bundle_is_csv_only_for_small_cohorts_by_default(self, tmp_path):
        _, written = write_synthetic_bundle(tmp_path, n_patients=20, seed=2)
        assert {path.suffix for path in written} == {".csv"}


class TestRealistic:
    """Shares are those of the demo cohort (the seed study), within sampling error."""

    def test_about_100_lab_rows_per_patient(self, cohort):
        assert 85 <= len(cohort.labs) / cohort.n_patients <= 115

    def test_sex_and_histology_shares(self, cohort):
        male = (cohort.patients["sex"] == "M").mean()
        assert male == pytest.approx(18 / 26, abs=0.05)
        histology = cohort.biopsies["histology"].value_counts(normalize=True)
        assert histology["FSGS"] == pytest.approx(15 / 26, abs=0.05)
        assert histology["MCD"] == pytest.approx(9 / 26, abs=0.05)

    def test_everyone_is_steroid_resistant_and_on_mmf(self, analysis):
        assert (analysis["steroid_response"] == "resistant").all()
        assert analysis["received_mmf"].all()

    def test_derived_distributions_look_like_the_study(self, analysis):
        relapses_before = analysis["relapses_per_year_before"].astype(float).median()
        relapses_after = analysis["relapses_per_year_after"].astype(float).median()
        assert 1.5 <= relapses_before <= 4
        assert relapses_after < relapses_before
        steroid_before = analysis["steroid_mg_kg_day_before"].astype(float).median()
        steroid_after = analysis["steroid_mg_kg_day_after"].astype(float).median()
        assert 0.6 <= steroid_before <= 1.4 and steroid_after < steroid_before
        assert 130 <= analysis["egfr_mmf_start"].astype(float).mean() <= 185
        assert analysis["group"].value_counts(normalize=True)[1] == pytest.approx(0.77, abs=0.07)
        crf_fsgs = analysis.loc[analysis["histology"] == "FSGS", "crf"].astype(bool).mean()
        assert 0.08 <= crf_fsgs <= 0.3

    def test_follow_up_varies_from_one_to_sixteen_years(self, analysis):
        years = analysis["follow_up_years"].astype(float)
        assert years.min() >= 0.99 and years.max() <= 16.01
        assert years.quantile(0.75) - years.quantile(0.25) > 3


class TestRealGaps:
    def test_unknown_onset_features_and_serologies(self, cohort):
        assert (cohort.patients["aki_at_onset"] == "unknown").mean() == pytest.approx(
            9 / 26, abs=0.06
        )
        assert (cohort.patients["hbv"] == "unknown").any()

    def test_visits_without_height_weight_or_blood_pressure(self, cohort):
        visits = cohort.visits
        assert 0.05 < visits["height_cm"].isna().mean() < 0.2
        assert visits["weight_kg"].isna().any() and visits["sbp_mmhg"].isna().any()

    def test_some_charts_lack_a_biopsy_or_a_time_point(self, cohort, analysis):
        assert cohort.biopsies["patient_id"].nunique() < cohort.n_patients
        assert analysis["state_month12"].isna().any()

    def test_a_few_children_do_not_meet_the_criteria(self, analysis):
        excluded = ~analysis["eligible"].astype(bool)
        assert 0 < excluded.mean() < 0.15

    def test_lab_units_are_mixed_and_canonical_values_are_converted(self, cohort):
        labs = cohort.labs
        creatinine = labs[
            (labs["test"] == "serum_creatinine") & (labs["measured_unit"] == "umol/L")
        ]
        assert len(creatinine) > 0
        np.testing.assert_allclose(
            creatinine["value"], creatinine["measured_value"] / 88.4, rtol=1e-9
        )
        assert set(labs["unit"].unique()) <= {
            "mg/m2/h",
            "mg/mg",
            "mg/dL",
            "g/dL",
            "10^9/L",
        }


@pytest.mark.slow
def test_one_hundred_thousand_patients_make_about_ten_million_lab_rows():
    cohort = generate_synthetic(100_000, seed=1)
    assert cohort.n_patients == 100_000
    assert 8_500_000 <= len(cohort.labs) <= 11_500_000


def test_csv_and_parquet_copies_are_each_a_valid_bundle(tmp_path):
    """A bundle folder holds one file per table, so the Parquet copy has its own folder."""
    write_synthetic_bundle(tmp_path, n_patients=30, seed=5, parquet=True)
    assert validate_bundle(tmp_path) == []
    assert validate_bundle(tmp_path / "parquet") == []
