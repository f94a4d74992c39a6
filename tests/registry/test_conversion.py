"""The database rows become a Cohort (the data model the analysis reads)."""

import pytest

from nephrocohort.registry.conversion import cohort_from_db, raw_tables
from nephrocohort.registry.models import Patient


@pytest.mark.django_db
class TestCohortFromDb:
    def test_tables_have_the_contract_columns_and_rows(self, patient_a, patient_b):
        cohort = cohort_from_db(Patient.objects.filter(pk=patient_a.pk))
        assert list(cohort.patients["patient_id"]) == ["A-001"]
        assert list(cohort.patients["center"]) == ["A"]
        assert cohort.row_counts() == {
            "patients": 1,
            "biopsies": 1,
            "genetics": 1,
            "visits": 1,
            "labs": 3,
            "medications": 1,
            "events": 1,
        }
        assert str(cohort.visits["date"].dtype) == "datetime64[ns]"

    def test_labs_are_converted_to_canonical_units_and_keep_the_measured_value(self, patient_a):
        from nephrocohort.registry.models import Lab

        Lab.objects.create(
            patient=patient_a,
            date=patient_a.onset_date,
            test="serum_creatinine",
            value="35.36",
            unit="umol/L",
        )
        Lab.objects.create(
            patient=patient_a,
            date=patient_a.onset_date,
            test="dipstick_protein",
            value="3+",
            unit="grade",
        )
        labs = cohort_from_db(Patient.objects.filter(pk=patient_a.pk)).labs
        creatinine = labs[labs["measured_unit"] == "umol/L"].iloc[0]
        # 35.36 umol/L / 88.4 = 0.4 mg/dL (factor from the architecture contract).
        assert creatinine["value"] == pytest.approx(0.4)
        assert creatinine["unit"] == "mg/dL" and creatinine["measured_value"] == 35.36
        dipstick = labs[labs["test"] == "dipstick_protein"].iloc[0]
        # 3+ is the 300 mg/dL band (KDIGO 2025 Figure 1 semi-quantitation).
        assert dipstick["value"] == 300.0

    def test_soft_deleted_rows_are_left_out(self, patient_a):
        visit = patient_a.visits.get()
        visit.soft_delete(expected_version=visit.version)
        tables = raw_tables(Patient.objects.filter(pk=patient_a.pk))
        assert len(tables["visits"]) == 0

    def test_extra_columns_of_an_imported_bundle_are_carried(self, patient_a):
        Patient.objects.filter(pk=patient_a.pk).update(extra={"ethnicity_code": "07"})
        tables = raw_tables(Patient.objects.filter(pk=patient_a.pk))
        assert tables["patients"]["ethnicity_code"].tolist() == ["07"]
