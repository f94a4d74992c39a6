"""The Django admin: centers and user roles are managed here; clinical rows are read-only.

Clinical data is entered through the registry's own forms (which validate
and lock); the admin shows it, scoped by ``visible_to`` like every other view,
with its history, and never deletes it.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from nephrocohort.registry import admin_users
from nephrocohort.registry.models import (
    Biopsy,
    Center,
    Event,
    Genetics,
    Lab,
    Medication,
    Patient,
    UserProfile,
    Visit,
)


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role", "centers")
    filter_horizontal = ("centers",)


class _ReadOnlyClinicalAdmin(SimpleHistoryAdmin):
    """Read-only, scoped to the user's centers, history visible, no delete."""

    def get_queryset(self, request):
        queryset = self.model.objects.visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(_ReadOnlyClinicalAdmin):
    list_display = ("patient_id", "center", "sex", "onset_date", "version")
    search_fields = ("patient_id",)


for _model in (Biopsy, Genetics, Visit, Lab, Medication, Event):
    admin.site.register(_model, _ReadOnlyClinicalAdmin)


# Users: accounts managed here, privileges only by a superuser (see admin_users).
admin_users.register()
