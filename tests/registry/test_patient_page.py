"""The patient page: derived values with explanations, eGFR for the timeline, calculators."""

import datetime as dt

import pytest
from django.urls import reverse

from nephrocohort.registry.conversion import cohort_from_db
from nephrocohort.registry.models import Lab, Patient, Visit
from nephrocohort.registry.patient_summary import calculator_inputs, egfr_points


@pytest.fixture
def school_child(patient_a):
    """A later visit of 120 cm and 22 kg with a creatinine of 0.6 mg/dL the same day."""
    Visit.objects.create(
        patient=patient_a, date=dt.date(2019, 6, 1), height_cm=120.0, weight_kg=22.0
    )
    Lab.objects.create(
        patient=patient_a,
        date=dt.date(2019, 6, 1),
        test="serum_creatinine",
        value="53.04",
        unit="umol/L",
    )
    return patient_a


@pytest.mark.django_db
class TestPatientSummary:
    def test_egfr_uses_the_height_of_the_nearest_visit(self, school_child):
        cohort = cohort_from_db(Patient.objects.filter(pk=school_child.pk))
        points = egfr_points(cohort, equation="schwartz-bedside")
        latest = points.sort_values("date").iloc[-1]
        # Bedside Schwartz, 120 cm and 0.6 mg/dL (53.04 umol/L / 88.4): 0.413 x 120 / 0.6 = 82.6
        # (clinical-reference.md section 2b, public test vector).
        assert latest["egfr"] == pytest.approx(82.6, abs=0.05)

    def test_calculator_inputs_come_from_the_latest_records(self, school_child):
        latest = calculator_inputs(cohort_from_db(Patient.objects.filter(pk=school_child.pk)))
        assert (latest.height_cm, latest.weight_kg) == (120.0, 22.0)
        assert latest.creatinine_mg_dl == pytest.approx(0.6)
        # Born 2012-03-01, measured 2019-06-01: 2648 days / 365.25 = 7.25 years.
        assert latest.age_years == pytest.approx(7.25, abs=0.01)


@pytest.mark.django_db
class TestPatientPage:
    def test_page_shows_derived_values_with_their_rules(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        # Their own tab since issue 13 (the patient page leads with the records).
        response = client.get(reverse("registry:patient_derived", args=[patient_a.pk]))
        page = response.content.decode()
        assert "Derived values (rule set study)" in page
        assert "relapses_per_year_before" in page and 'id="derived-values"' in page
        columns = {row["column"] for row in response.context["derived_key"]}
        assert {"state_month1", "eligible", "egfr_mmf_start"} <= columns

    def test_calculators_are_prefilled_and_computed(self, client, entry_a, school_child):
        client.force_login(entry_a)
        response = client.get(reverse("registry:calculators", args=[school_child.pk]))
        results = response.context["results"]
        # Mosteller BSA for 120 cm, 22 kg: 0.8563 m2 (clinical-reference.md section 3).
        assert results["bsa"] == pytest.approx(0.8563, abs=1e-4)
        assert results["egfr"] == pytest.approx(82.6, abs=0.05)
        # 1200 mg/m2/day x 0.8563 m2 / 2 doses = 514 mg, given as two 250 mg capsules.
        assert results["mmf"].mg_per_dose == 500
        # 60 mg/m2/day x 0.8563 m2 = 51.4 mg, given in 5 mg tablets: 50 mg.
        assert results["pred_daily"].mg_per_dose == 50

    def test_calculator_out_of_range_input_says_why(self, client, entry_a, school_child):
        client.force_login(entry_a)
        response = client.get(
            reverse("registry:calculators", args=[school_child.pk]),
            {
                "height_cm": "1.2",
                "weight_kg": "22",
                "sex": "M",
                "age_years": "7",
                "creatinine_mg_dl": "0.6",
                "equation": "schwartz-bedside",
                "mmf_mg_m2_day": "1200",
            },
        )
        results = response.context["results"]
        assert results["bsa"] is None and "height_cm" in results["bsa_error"]


@pytest.mark.django_db
class TestCaching:
    def test_stamp_changes_with_every_save_and_delete(self, patient_a):
        from nephrocohort.registry.caching import patient_stamp

        first = patient_stamp(patient_a)
        visit = patient_a.visits.get()
        visit.weight_kg = 14.9
        visit.save_checked(expected_version=visit.version)
        second = patient_stamp(patient_a)
        lab = patient_a.labs.first()
        lab.soft_delete(expected_version=lab.version)
        third = patient_stamp(patient_a)
        assert len({first, second, third}) == 3

    def test_page_shows_new_data_right_after_an_edit(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        url = reverse("registry:patient_derived", args=[patient_a.pk])
        before = {row["column"]: row["value"] for row in client.get(url).context["derived_key"]}
        Patient.objects.filter(pk=patient_a.pk).update(hbv="positive")
        patient_a.refresh_from_db()
        patient_a.save_checked(expected_version=patient_a.version)
        after = client.get(url).context
        reasons = next(r for r in after["derived_key"] if r["column"] == "exclusion_reasons")
        assert before["exclusion_reasons"] != reasons["value"]
        assert "Hepatitis B positive" in reasons["value"]


@pytest.mark.django_db
def test_timeline_panels_use_the_rule_sets_thresholds(patient_a):
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.registry.timeline import timeline_figure

    cohort = cohort_from_db(Patient.objects.filter(pk=patient_a.pk))
    figure = timeline_figure(cohort, rule_set=load_rule_set("study"), egfr=None)
    proteinuria, albumin, egfr_axis, medications = figure.axes[:4]
    bands = sorted(
        (round(patch.get_y(), 6), round(patch.get_y() + patch.get_height(), 6))
        for patch in proteinuria.patches
    )
    # Seed study: complete remission < 4 mg/m2/h, nephrotic > 40 mg/m2/h (study rule set).
    assert bands[1] == (4.0, 40.0)
    assert proteinuria.get_yscale() == "log"
    # Seed study: hypoalbuminemia is albumin < 2.5 g/dL.
    assert [line.get_ydata()[0] for line in albumin.lines][0] == 2.5
    assert "schwartz-1976" in egfr_axis.get_ylabel()
    assert [label.get_text() for label in medications.get_yticklabels()] == ["MMF"]


@pytest.mark.django_db
def test_patient_page_under_another_rule_set(client, entry_a, patient_a):
    client.force_login(entry_a)
    url = reverse("registry:patient_detail", args=[patient_a.pk])
    response = client.get(url, {"rule_set": "ipna2020"})
    assert "timeline.png?rule_set=ipna2020" in response.content.decode()
    # The derived values' tab keeps the rule set chosen.
    derived = reverse("registry:patient_derived", args=[patient_a.pk])
    assert f'href="{derived}?rule_set=ipna2020"' in response.content.decode()
    response = client.get(derived, {"rule_set": "ipna2020"})
    assert "Derived values (rule set ipna2020)" in response.content.decode()
    assert client.get(url, {"rule_set": "made-up"}).status_code == 404
    png = client.get(
        reverse("registry:timeline_png", args=[patient_a.pk]), {"rule_set": "kdigo2021"}
    )
    assert png["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_timeline_bands_of_a_per_day_rule_set_are_converted_to_per_hour(patient_a):
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.registry.timeline import timeline_figure

    cohort = cohort_from_db(Patient.objects.filter(pk=patient_a.pk))
    figure = timeline_figure(cohort, rule_set=load_rule_set("ipna2020"), egfr=None)
    proteinuria = figure.axes[0]
    partial = sorted(
        (patch.get_y(), patch.get_y() + patch.get_height()) for patch in proteinuria.patches
    )[1]
    # IPNA 2020: complete < 100 mg/m2/day, nephrotic >= 1000 mg/m2/day; / 24 h per day.
    assert partial == pytest.approx((100 / 24, 1000 / 24))
