"""The admin site's user pages: registry administrators manage accounts, not privileges.

A registry administrator is staff with the user-management permissions
(``ADMIN_GROUP_PERMISSIONS``), not a Django superuser. Superuser status,
groups and individual permissions are shown read-only to anyone who is not
already a superuser, so an administrator cannot give themselves (or anyone)
the right to delete users or edit clinical rows (issue 14). A user who has
history is never deleted, by anyone: untick "Active" instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from nephrocohort.registry.models._access import users_with_history

__all__ = ["RegistryUserAdmin", "PRIVILEGE_FIELDS"]

#: Fields only a superuser may change.
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


class RegistryUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return fields + PRIVILEGE_FIELDS

    def has_delete_permission(self, request, obj=None):
        if obj is not None and users_with_history(type(obj).objects.filter(pk=obj.pk)).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk "delete selected" action would bypass the per-user check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def register() -> None:
    """Replace Django's user admin with the registry's."""
    model = get_user_model()
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, RegistryUserAdmin)
