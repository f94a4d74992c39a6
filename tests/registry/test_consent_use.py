"""Consent drives use in the registry (issue 14 item 5): the report and the export.

The cohort of ``test_cohort_pages``: three synthetic children of center A
(A1, A2 analysed; A3 excluded for a family history of nephrotic syndrome).
A2's consent is withdrawn here, so the report analyses A1 only and counts A2
in its flow; the export leaves A2's rows out. An administrator may include
A2 with an explicit checkbox, which writes a ``consent_override`` access event.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse
from tests.registry.exports import export_tables

from nephrocohort.cohort import load_bundle, save_bundle
from nephrocohort.registry.bundle_io import write_cohort
from nephrocohort.registry.models import AccessEvent, Center, Patient


@pytest.fixture
def withdrawn_a2(tmp_path, make_user, make_small_study_cohort):
    admin = make_user("loader", "admin")
    save_bundle(make_small_study_cohort(("A1", "A2", "A3"), center="A"), tmp_path / "bundle")
    write_cohort(load_bundle(tmp_path / "bundle"), admin)
    patient = Patient.objects.get(patient_id="A2")
    patient.consent_withdrawn_date = dt.date(2017, 3, 1)
    patient.save_checked(expected_version=patient.version)
    return Patient.objects.filter(patient_id__in=["A1", "A2", "A3"])


def _report_items(client, **query) -> dict:
    start = reverse("registry:cohort_report_start")
    response = client.post(f"{start}?{'&'.join(f'{k}={v}' for k, v in query.items())}")
    assert response.status_code == 302, response.status_code
    response = client.get(reverse("registry:cohort_report", args=["json"]), query)
    assert response.status_code == 200
    return {item["id"]: item for item in json.loads(response.content)}


@pytest.mark.django_db
class TestReport:
    def test_withdrawn_consent_is_left_out_and_counted(self, client, make_user, withdrawn_a2):
        client.force_login(make_user("inv", "investigator", "A"))
        items = _report_items(client, rule_set="study")
        assert items["eligibility.registered"]["n"] == 3
        assert items["eligibility.consent_left_out"]["n"] == 1
        assert items["eligibility.assessed"]["n"] == 2
        assert items["cohort.n"]["n"] == 1
        assert not AccessEvent.objects.filter(action="consent_override").exists()

    def test_an_admin_may_include_them_and_it_is_logged(self, client, make_user, withdrawn_a2):
        admin = make_user("boss", "admin")
        client.force_login(admin)
        items = _report_items(client, rule_set="study", include_withdrawn_consent="1")
        assert items["eligibility.consent_override"]["n"] == 1
        assert items["cohort.n"]["n"] == 2
        event = AccessEvent.objects.get(action="consent_override")
        assert (event.username, event.what) == ("boss", "cohort report (study)")
        download = AccessEvent.objects.filter(action="report_download").latest("when")
        assert "withdrawn consent included" in download.what
        # The default report stays apart from the overridden one.
        assert _report_items(client, rule_set="study")["cohort.n"]["n"] == 1

    def test_the_checkbox_is_offered_to_admins_only(self, client, make_user, withdrawn_a2):
        client.force_login(make_user("boss", "admin"))
        assert b'id="include_withdrawn_consent"' in client.get(reverse("registry:cohort")).content
        client.force_login(make_user("inv", "investigator", "A"))
        assert b"include_withdrawn_consent" not in client.get(reverse("registry:cohort")).content

    def test_others_asking_for_the_override_are_refused(self, client, make_user, withdrawn_a2):
        client.force_login(make_user("inv", "investigator", "A"))
        start = reverse("registry:cohort_report_start")
        response = client.post(f"{start}?rule_set=study&include_withdrawn_consent=1")
        assert response.status_code == 403
        assert not AccessEvent.objects.filter(action="consent_override").exists()

    def test_a_center_requiring_assent_leaves_out_a_child_without_it(
        self, client, make_user, withdrawn_a2
    ):
        # Born 2008-01-01 and followed to 2019-01-01 (make_small_study_cohort): 11.0 years,
        # old enough at a center asking for assent from 7. A1 assented, A3 did not.
        center = Center.objects.get(code="A")
        center.assent_required, center.assent_from_age_years = True, 7
        center.save()
        a1 = Patient.objects.get(patient_id="A1")
        a1.assent_date = dt.date(2016, 1, 1)
        a1.save_checked(expected_version=a1.version)
        client.force_login(make_user("inv", "investigator", "A"))
        items = _report_items(client, rule_set="study")
        left_out = items["eligibility.consent_left_out"]
        assert left_out["n"] == 2
        reasons = {r["reason"]: r["n"] for r in left_out["reasons"]}
        assert reasons == {
            "Consent withdrawn": 1,
            "Assent required for the child's age not recorded": 1,
        }
        assert items["cohort.n"]["n"] == 1


@pytest.mark.django_db
class TestExport:
    def test_export_leaves_out_withdrawn_consent(self, client, make_user, withdrawn_a2):
        client.force_login(make_user("boss", "admin"))
        tables = export_tables(client, identifiable="on")
        for name, frame in tables.items():
            assert "A2" not in set(frame["patient_id"]), name
        assert set(tables["patients"]["patient_id"]) == {"A1", "A3"}
        assert not AccessEvent.objects.filter(action="consent_override").exists()

    def test_admin_override_exports_them_and_is_logged(self, client, make_user, withdrawn_a2):
        client.force_login(make_user("boss", "admin"))
        tables = export_tables(client, identifiable="on", include_withdrawn_consent="on")
        assert set(tables["patients"]["patient_id"]) == {"A1", "A2", "A3"}
        event = AccessEvent.objects.get(action="consent_override")
        assert event.what == "identifiable bundle (zip)"

    def test_investigators_cannot_override(self, client, make_user, withdrawn_a2):
        client.force_login(make_user("inv", "investigator", "A"))
        response = client.post(reverse("registry:export"), {"include_withdrawn_consent": "on"})
        assert response.status_code == 403
        assert len(export_tables(client)["patients"]) == 2
