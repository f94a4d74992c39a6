"""The cohort report from the database (same code as the CLI) and the data-quality list.

The cohort: three synthetic children of center A with the same course:
prednisone 60 mg/m2/day for 46 days with nephrotic-range proteinuria
throughout (steroid resistant), MMF from 2016-01-01 with proteinuria 60
mg/m2/h before and 2 mg/m2/h one month after. A3 has a family history of
nephrotic syndrome, which excludes A3 (seed exclusion criterion 3), so two
patients are analysed.
"""

import json

import pandas as pd
import pytest
from django.urls import reverse

from nephrocohort.cohort import load_bundle
from nephrocohort.registry.bundle_io import write_cohort
from nephrocohort.registry.models import Patient


def _bundle(folder):
    patients, medications, labs, visits, biopsies = [], [], [], [], []
    for pid, sex, family in (("A1", "M", "no"), ("A2", "F", "no"), ("A3", "M", "yes")):
        patients.append(
            dict(patient_id=pid, center="A", sex=sex, birth_date="2008-01-01",
                 onset_date="2012-01-01", last_followup_date="2019-01-01", hbv="negative",
                 hcv="negative", syphilis="negative", hiv="negative", family_history_ns=family,
                 edema_at_onset="yes", hypertension_at_onset="no", aki_at_onset="no",
                 hematuria_at_onset="yes")
        )  # fmt: skip
        medications += [
            dict(patient_id=pid, drug="prednisone", start_date="2012-01-05",
                 end_date="2012-02-20", dose=60, dose_unit="mg/m2/day", schedule="daily"),
            dict(patient_id=pid, drug="mmf", start_date="2016-01-01", end_date=None, dose=600,
                 dose_unit="mg/m2/day", schedule="bid"),
        ]  # fmt: skip
        labs += [
            dict(patient_id=pid, date=date, test="urine_protein_timed", value=value,
                 unit="mg/m2/h")
            for date, value in (("2012-01-04", 80), ("2012-02-15", 70), ("2015-12-20", 60),
                                ("2016-01-31", 2), ("2016-04-01", 2))
        ]  # fmt: skip
        labs.append(
            dict(patient_id=pid, date="2015-12-20", test="serum_creatinine", value=0.5,
                 unit="mg/dL")
        )  # fmt: skip
        visits += [
            dict(patient_id=pid, date="2012-01-04", weight_kg=14, height_cm=95),
            dict(patient_id=pid, date="2015-12-20", weight_kg=25, height_cm=125),
        ]
        biopsies.append(dict(patient_id=pid, biopsy_date="2012-03-01", histology="FSGS"))
    folder.mkdir()
    for name, rows in (("patients", patients), ("medications", medications), ("labs", labs),
                       ("visits", visits), ("biopsies", biopsies)):  # fmt: skip
        pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture
def study_cohort(tmp_path, make_user):
    admin = make_user("loader", "admin")
    write_cohort(load_bundle(_bundle(tmp_path / "bundle")), admin)
    return Patient.objects.filter(patient_id__in=["A1", "A2", "A3"])


@pytest.mark.django_db
class TestCohortReport:
    def test_json_report_from_the_database(self, client, make_user, study_cohort):
        client.force_login(make_user("inv", "investigator", "A"))
        response = client.get(reverse("registry:cohort_report", args=["json"]))
        assert response.status_code == 200
        items = {item["id"]: item for item in json.loads(response.content)}
        assert items["cohort.n"]["n"] == 2

    def test_html_docx_and_xlsx_download(self, client, make_user, study_cohort):
        client.force_login(make_user("inv", "investigator", "A"))
        html = client.get(reverse("registry:cohort_report", args=["html"]))
        assert html["Content-Type"].startswith("text/html") and b"<html" in html.content
        docx = client.get(reverse("registry:cohort_report", args=["docx"]))
        assert docx.content[:2] == b"PK" and "report-study.docx" in docx["Content-Disposition"]
        xlsx = client.get(
            reverse("registry:cohort_report", args=["xlsx"]), {"rule_set": "ipna2020"}
        )
        assert xlsx.content[:2] == b"PK" and "report-ipna2020.xlsx" in xlsx["Content-Disposition"]

    def test_another_centers_user_gets_the_report_of_their_own_patients_only(
        self, client, make_user, study_cohort
    ):
        client.force_login(make_user("inv_b", "investigator", "B"))
        response = client.get(reverse("registry:cohort_report", args=["json"]))
        assert response.status_code == 422
        assert b"The report cannot be computed" in response.content

    def test_unknown_format_or_rule_set_is_404(self, client, make_user, study_cohort):
        client.force_login(make_user("inv", "investigator", "A"))
        assert client.get(reverse("registry:cohort_report", args=["pdf"])).status_code == 404
        response = client.get(reverse("registry:cohort"), {"rule_set": "nope"})
        assert response.status_code == 404


@pytest.mark.django_db
class TestDataQuality:
    def test_lists_gaps_and_contradictions_with_links_to_fix(self, client, entry_a, patient_a):
        from nephrocohort.registry.models import Event

        Patient.objects.filter(pk=patient_a.pk).update(death_date="2019-12-01")
        Event.objects.create(patient=patient_a, date="2021-01-01", event="dialysis")
        client.force_login(entry_a)
        response = client.get(reverse("registry:quality"))
        [(patient_id, pk, findings)] = response.context["by_patient"]
        messages = {f.message: f for f in findings}
        assert patient_id == "A-001"
        assert "a date of death is recorded but no death event" in messages
        after_death = next(f for f in findings if "after the date of death" in f.message)
        assert after_death.fix_url.startswith(f"/patients/{pk}/events/")

    def test_implausible_value_confirmed_in_a_form_is_listed(self, client, entry_a, patient_a):
        visit = patient_a.visits.get()
        visit.height_cm = 1.02
        visit.save_checked(expected_version=visit.version)
        client.force_login(entry_a)
        response = client.get(reverse("registry:quality"))
        findings = response.context["by_patient"][0][2]
        implausible = [f for f in findings if f.kind == "implausible"]
        assert implausible and "Was it entered in metres?" in implausible[0].message
        assert implausible[0].fix_url.endswith(f"/visits/{visit.pk}/edit/")

    def test_other_centers_patients_are_not_listed(self, client, entry_a, patient_b):
        client.force_login(entry_a)
        assert client.get(reverse("registry:quality")).context["by_patient"] == []


@pytest.mark.django_db
@pytest.mark.slow
def test_report_from_the_database_equals_the_report_from_the_demo_bundle(make_user):
    """Demo cohort -> registry -> Cohort gives the same results as the CLI on the bundle."""
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.cohort import demo_cohort, derive
    from nephrocohort.registry.conversion import cohort_from_db
    from nephrocohort.report import build_results

    demo = demo_cohort()
    write_cohort(demo, make_user("loader", "admin"))
    rule_set = load_rule_set("study")
    from_db = build_results(derive(cohort_from_db(), rule_set), rule_set=rule_set)
    from_bundle = build_results(derive(demo, rule_set), rule_set=rule_set)
    assert from_db.to_records() == from_bundle.to_records()
