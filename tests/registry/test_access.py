"""Who sees which patients: ``Patient.objects.visible_to`` and the role table."""

import pytest

from nephrocohort.registry.models import Lab, Patient, Visit, user_can


@pytest.mark.django_db
class TestVisibleTo:
    def test_user_sees_only_patients_of_their_centers(self, entry_a, patient_a, patient_b):
        assert list(Patient.objects.visible_to(entry_a)) == [patient_a]

    def test_child_tables_are_scoped_through_the_patient(self, entry_a, patient_a, patient_b):
        visits = Visit.objects.visible_to(entry_a)
        assert {visit.patient_id for visit in visits} == {patient_a.pk}
        assert Lab.objects.visible_to(entry_a).count() == 3

    def test_user_of_two_centers_sees_both(self, make_user, patient_a, patient_b):
        both = make_user("both", "monitor", "A", "B")
        assert set(Patient.objects.visible_to(both)) == {patient_a, patient_b}

    def test_admin_sees_every_center(self, make_user, patient_a, patient_b):
        admin = make_user("boss", "admin")
        assert set(Patient.objects.visible_to(admin)) == {patient_a, patient_b}

    def test_login_without_registry_profile_sees_nothing(self, django_user_model, patient_a):
        superuser = django_user_model.objects.create_superuser("root", password="x" * 12)
        assert Patient.objects.visible_to(superuser).count() == 0

    def test_inactive_user_sees_nothing(self, entry_a, patient_a):
        entry_a.is_active = False
        entry_a.save()
        assert Patient.objects.visible_to(entry_a).count() == 0

    def test_anonymous_user_sees_nothing(self, patient_a):
        from django.contrib.auth.models import AnonymousUser

        assert Patient.objects.visible_to(AnonymousUser()).count() == 0

    def test_soft_deleted_patient_and_its_records_are_hidden(self, entry_a, patient_a):
        patient_a.soft_delete(expected_version=patient_a.version)
        assert Patient.objects.visible_to(entry_a).count() == 0
        assert Visit.objects.visible_to(entry_a).count() == 0
        assert Patient.all_objects.filter(pk=patient_a.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("admin", {"view", "edit", "import", "export", "export_identifiable"}, set()),
        ("investigator", {"view", "export", "report"}, {"edit", "import", "export_identifiable"}),
        ("data_entry", {"view", "edit", "import"}, {"export", "export_identifiable"}),
        ("monitor", {"view", "report", "audit"}, {"edit", "import", "export"}),
    ],
)
def test_role_permissions(make_user, role, allowed, refused):
    user = make_user(f"u_{role}", role, "A")
    assert all(user_can(user, action) for action in allowed)
    assert not any(user_can(user, action) for action in refused)


@pytest.mark.django_db
def test_admin_site_shows_clinical_rows_read_only_and_scoped(
    client, make_user, patient_a, patient_b
):
    user = make_user("staff_a", "data_entry", "A")
    user.is_staff = True
    user.is_superuser = True
    user.save()
    client.force_login(user)
    listing = client.get("/admin/registry/patient/")
    assert b"A-001" in listing.content and b"B-001" not in listing.content
    assert client.get(f"/admin/registry/patient/{patient_b.pk}/change/").status_code == 302
    response = client.post(f"/admin/registry/patient/{patient_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Patient.objects.filter(pk=patient_a.pk).exists()


@pytest.mark.django_db
def test_changes_of_role_and_centers_are_audited(make_user, centers):
    user = make_user("auditee", "monitor", "A")
    profile = user.registry_profile
    profile.role = "data_entry"
    profile.save()
    profile.centers.add(centers["B"])
    roles = [record.role for record in profile.history.order_by("history_id")]
    assert roles[0] == "monitor" and roles[-1] == "data_entry"
    latest = profile.history.order_by("-history_id").first()
    assert sorted(link.center.code for link in latest.centers.all()) == ["A", "B"]
