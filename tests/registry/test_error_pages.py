"""Error pages say why, in the registry's layout; pages show only what a role may do."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
class TestErrorPages:
    def test_refused_identifiable_export_says_why_with_navigation(
        self, client, make_user, patient_a
    ):
        client.force_login(make_user("inv", "investigator", "A"))
        response = client.post(reverse("registry:export"), {"identifiable": "on"})
        assert response.status_code == 403
        page = response.content.decode()
        assert "Your role may export de-identified data only." in page
        assert reverse("registry:patient_list") in page and "Log out" in page

    def test_read_only_role_is_told_what_it_may_do(self, client, make_user, patient_a):
        client.force_login(make_user("mon", "monitor", "A"))
        response = client.get(reverse("registry:patient_edit", args=[patient_a.pk]))
        assert response.status_code == 403
        assert "Your role may look at patients but not enter or change data." in (
            response.content.decode()
        )

    def test_other_centers_patient_gets_a_page_that_confirms_nothing(
        self, client, entry_a, patient_b
    ):
        client.force_login(entry_a)
        response = client.get(reverse("registry:patient_detail", args=[patient_b.pk]))
        assert response.status_code == 404
        page = response.content.decode()
        assert "does not exist, or it shows a patient or record you may not see" in page
        assert "B-001" not in page and "Patient" not in page.split("<main>")[1].split("</h1>")[0]

    @pytest.mark.parametrize("url_name", ["patient_detail", "cohort"])
    def test_unknown_rule_set_names_the_ones_there_are(self, client, entry_a, patient_a, url_name):
        client.force_login(entry_a)
        args = [patient_a.pk] if url_name == "patient_detail" else []
        response = client.get(reverse(f"registry:{url_name}", args=args), {"rule_set": "bogus"})
        assert response.status_code == 404
        page = response.content.decode()
        assert "There is no rule set named &#x27;bogus&#x27;" in page
        assert "ipna2020, kdigo2021, study." in page


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "fix_links"), [("monitor", False), ("data_entry", True)])
def test_quality_page_offers_fix_links_only_to_roles_that_edit(
    client, make_user, centers, role, fix_links
):
    from nephrocohort.registry.models import Patient

    Patient.objects.create(patient_id="A-050", center=centers["A"], sex="F")
    client.force_login(make_user(f"u_{role}", role, "A"))
    page = client.get(reverse("registry:quality")).content.decode()
    assert "A-050" in page
    assert (">Fix<" in page) is fix_links
