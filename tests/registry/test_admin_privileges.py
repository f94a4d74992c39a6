"""Who changed what cannot be erased through the admin site (issue 14).

A registry administrator is staff with the user-management permissions, not
a Django superuser: they cannot give anyone (themselves included) superuser
status, permissions or groups; nobody deletes a user who has history
(they are deactivated instead); and the audit trail keeps the acting
user's name even when the account row is removed from the database.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from nephrocohort.registry.audit import patient_audit_trail
from nephrocohort.registry.models import Patient
from nephrocohort.registry.models._access import users_with_history


def _change_form(user, **changes):
    data = {
        "username": user.username,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "first_name": "",
        "last_name": "",
        "email": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.fixture
def boss(make_user):
    return make_user("boss", "admin")


@pytest.mark.django_db
class TestNoSuperuserByAdmins:
    def test_an_administrator_cannot_make_themselves_superuser(self, client, boss):
        client.force_login(boss)
        url = f"/admin/auth/user/{boss.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200
        assert b'name="is_superuser"' not in page.content
        client.post(url, _change_form(boss, is_superuser="on"))
        boss.refresh_from_db()
        assert not boss.is_superuser

    def test_an_administrator_cannot_grant_permissions_or_groups(self, client, boss, entry_a):
        from django.contrib.auth.models import Permission

        client.force_login(boss)
        delete_user = Permission.objects.get(codename="delete_user")
        url = f"/admin/auth/user/{entry_a.pk}/change/"
        client.post(
            url,
            _change_form(entry_a, is_superuser="on", user_permissions=[str(delete_user.pk)]),
        )
        entry_a.refresh_from_db()
        assert not entry_a.is_superuser
        assert not entry_a.user_permissions.exists()

    def test_a_superuser_still_can(self, client, boss, entry_a):
        root = get_user_model().objects.create_superuser("root", password="a long passphrase 1")
        client.force_login(root)
        page = client.get(f"/admin/auth/user/{entry_a.pk}/change/")
        assert b'name="is_superuser"' in page.content


@pytest.mark.django_db
class TestUsersWithHistoryAreKept:
    def _edit(self, user, patient):
        patient.sex = "F"
        patient._history_user = user
        patient.save()

    def test_a_user_with_edits_cannot_be_deleted_even_by_a_superuser(
        self, client, entry_a, patient_a
    ):
        self._edit(entry_a, patient_a)
        root = get_user_model().objects.create_superuser("root", password="a long passphrase 1")
        client.force_login(root)
        page = client.get(f"/admin/auth/user/{entry_a.pk}/delete/")
        assert page.status_code == 403
        client.post(f"/admin/auth/user/{entry_a.pk}/delete/", {"post": "yes"})
        assert get_user_model().objects.filter(pk=entry_a.pk).exists()

    def test_deleting_a_user_with_history_in_code_is_refused(self, entry_a, patient_a):
        from nephrocohort.registry.models import UserWithHistoryDeleteError

        self._edit(entry_a, patient_a)
        assert entry_a in users_with_history(get_user_model().objects.all())
        # Its own transaction, as in autocommit: the refused delete rolls back.
        with pytest.raises(UserWithHistoryDeleteError) as caught, transaction.atomic():
            entry_a.delete()
        assert (caught.value.code, caught.value.params) == (
            "registry.user_has_history",
            {"username": entry_a.get_username()},
        )
        assert get_user_model().objects.filter(pk=entry_a.pk).exists()

    def test_a_user_without_history_can_be_deleted(self, client, make_user):
        root = get_user_model().objects.create_superuser("root", password="a long passphrase 1")
        newcomer = make_user("newcomer", "monitor", "A")
        client.force_login(root)
        client.post(f"/admin/auth/user/{newcomer.pk}/delete/", {"post": "yes"})
        assert not get_user_model().objects.filter(pk=newcomer.pk).exists()

    def test_the_audit_keeps_the_name_when_the_account_row_goes(self, entry_a, patient_a):
        self._edit(entry_a, patient_a)
        # What deleting the account does to its history rows (history_user is SET_NULL).
        Patient.history.filter(history_user=entry_a).update(history_user=None)
        patient = Patient.objects.get(pk=patient_a.pk)
        changed = [e for e in patient_audit_trail(patient) if e.action == "changed"]
        assert changed and changed[0].user == "entry_a"
