"""Centers, user roles, and the one place that decides which patients a user sees.

``Patient.objects.visible_to(user)`` (``PatientQuerySet.visible_to``) is the
only access rule for clinical data; every child table filters through it,
and views, exports, the cohort report and the admin all call it. What a role
may *do* with the patients it sees is the table ``ROLE_PERMISSIONS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from nephrocohort.cohort.consent import ADULT_AGE_YEARS, DEFAULT_ASSENT_AGE_YEARS
from nephrocohort.exceptions import NephroCohortError
from nephrocohort.registry.models._base import LiveQuerySet
from nephrocohort.registry.models._history import audited_history

__all__ = [
    "Center",
    "Role",
    "UserProfile",
    "ROLE_PERMISSIONS",
    "user_can",
    "profile_of",
    "centers_visible_to",
    "PatientQuerySet",
    "RecordQuerySet",
    "UserWithHistoryDeleteError",
    "users_with_history",
]


class Center(models.Model):
    """A participating center; every patient belongs to exactly one."""

    code = models.CharField(
        max_length=40, unique=True, help_text=_("Short code used in bundles (patients.center).")
    )
    name = models.CharField(max_length=200, blank=True)
    # Consent drives use (nephrocohort.cohort.consent): where the ethics committee asks for
    # the child's own assent, patients that old without an assent date are left out of
    # reports and exports. ICH E11 leaves the age to the committee or local law.
    assent_required = models.BooleanField(
        default=False,
        help_text=_(
            "The ethics committee requires the child's own assent (leave unticked if not)."
        ),
    )
    assent_from_age_years = models.PositiveSmallIntegerField(
        default=int(DEFAULT_ASSENT_AGE_YEARS),
        validators=[MaxValueValidator(ADULT_AGE_YEARS - 1)],
        help_text=_(
            "Age (years) from which assent is required, as the center's ethics committee "
            "or local law sets it (ICH E11 leaves it to them; Colombia, Resolución 309 de 2025: "
            "assent under 14 years, the adolescent's own consent from 14)."
        ),
    )
    history = audited_history()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    INVESTIGATOR = "investigator", _("Investigator")
    DATA_ENTRY = "data_entry", _("Data entry")
    MONITOR = "monitor", _("Monitor")
    # Signs reviewed patient records, which locks them, and unlocks them with a reason.
    PRINCIPAL_INVESTIGATOR = "pi", _("Principal investigator")


# What each role may do with the patients visible to it, declared once.
# "dates": sees calendar dates on screen. Those who enter the data, administrators (who may
# export it identifiable) and principal investigators do: a PI signs "I have reviewed this
# patient's record and its data" (21 CFR 11.50) for patients of their own center, which means
# checking the record, dates included, against the clinical chart they already have access to.
# Investigators and monitors see ages and days since onset
# (nephrocohort.registry.relative_dates). Seeing dates on screen is not exporting them: a PI
# still exports de-identified data only.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "view",
            "dates",
            "edit",
            "import",
            "export",
            "export_identifiable",
            "report",
            "audit",
            "access_log",
            "consent_override",
        }
    ),
    Role.INVESTIGATOR: frozenset({"view", "export", "report", "audit"}),
    Role.DATA_ENTRY: frozenset({"view", "dates", "edit", "import", "report", "audit"}),
    Role.MONITOR: frozenset({"view", "report", "audit"}),
    # "lock": sign a patient record (which locks it) and unlock it (registry/signatures.py).
    Role.PRINCIPAL_INVESTIGATOR: frozenset({"view", "dates", "export", "report", "audit", "lock"}),
}


class UserProfile(models.Model):
    """A registry user's role and centers (a login without a profile sees nothing)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry_profile"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    centers = models.ManyToManyField(Center, blank=True, related_name="members")
    #: The language the user chose for the registry ("" = the browser's); applied at each login.
    language = models.CharField(max_length=10, blank=True, default="", choices=settings.LANGUAGES)
    # Who was given which role and centers, and when: access changes are audited too.
    history = audited_history(m2m_fields=[centers])

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        sync_admin_site_access(self)


# An administrator manages users, roles and centers in Django's admin site
# (/admin/): staff status plus these permissions, given through one group.
# Clinical rows are view-only there (see admin.py).
ADMIN_GROUP_NAME = "Registry administrators"
ADMIN_GROUP_PERMISSIONS = (
    ("auth", "user", ("add", "change", "view")),
    ("registry", "center", ("add", "change", "view")),
    ("registry", "userprofile", ("add", "change", "view")),
    *(
        ("registry", model, ("view",))
        for model in ("patient", "biopsy", "genetics", "visit", "lab", "medication", "event")
    ),
)


def _admin_group():
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP_NAME)
    wanted = [
        f"{action}_{model}" for _, model, actions in ADMIN_GROUP_PERMISSIONS for action in actions
    ]
    apps = {app for app, _, _ in ADMIN_GROUP_PERMISSIONS}
    permissions = Permission.objects.filter(content_type__app_label__in=apps, codename__in=wanted)
    group.permissions.set(permissions)
    return group


def sync_admin_site_access(profile: UserProfile) -> None:
    """Give an administrator staff status and the admin group; take them away from other roles.

    A Django superuser keeps its staff status whatever its registry role.
    """
    user = profile.user
    group = _admin_group()
    is_admin = profile.role == Role.ADMIN
    if is_admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    staff = is_admin or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


def profile_of(user) -> UserProfile | None:
    """The registry profile of an active, logged-in user, else None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.registry_profile
    except UserProfile.DoesNotExist:
        return None


def user_can(user, action: str) -> bool:
    """Whether the user's role allows ``action`` (a key of ``ROLE_PERMISSIONS``)."""
    profile = profile_of(user)
    return profile is not None and action in ROLE_PERMISSIONS.get(profile.role, frozenset())


def centers_visible_to(user):
    """The centers whose patients ``user`` sees: their own (every center for an administrator).

    This is the registry's single access rule; ``PatientQuerySet.visible_to``,
    the patient form's center choices and the bundle import all use it. A user
    without a registry profile, or an inactive one, has no center.
    """
    profile = profile_of(user)
    if profile is None:
        return Center.objects.none()
    if profile.role == Role.ADMIN:
        return Center.objects.all()
    return profile.centers.all()


def _sees_every_center(user) -> bool:
    profile = profile_of(user)
    return profile is not None and profile.role == Role.ADMIN


class PatientQuerySet(LiveQuerySet):
    def visible_to(self, user) -> PatientQuerySet:
        """The patients ``user`` may see: those of ``centers_visible_to(user)``.

        An administrator sees every patient (also one not yet given a center).
        """
        if _sees_every_center(user):
            return self.all()
        return self.filter(center__in=centers_visible_to(user))


class RecordQuerySet(LiveQuerySet):
    def _patient_pks(self):
        return self.values("patient")

    def visible_to(self, user) -> RecordQuerySet:
        """Records of the patients ``user`` may see (delegates to ``Patient.objects.visible_to``)."""
        patients = self.model._meta.get_field("patient").related_model.objects
        return self.filter(patient__in=patients.visible_to(user))


class UserWithHistoryDeleteError(NephroCohortError):
    """A user who saved any audited row is kept (deactivated), never deleted."""


def users_with_history(users):
    """The users of ``users`` named in any history row of the registry (who changed what).

    Such an account is never deleted, so that the audit trail keeps pointing at it;
    it is deactivated instead.
    """
    from django.apps import apps

    acted = set()
    for model in apps.get_app_config("registry").get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_user"):
            acted.update(
                model.objects.filter(history_user__in=users).values_list("history_user", flat=True)
            )
    return users.filter(pk__in=acted)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def _refuse_deleting_users_with_history(sender, instance, **kwargs):
    if users_with_history(sender.objects.filter(pk=instance.pk)).exists():
        raise UserWithHistoryDeleteError(
            "registry.user_has_history", username=instance.get_username()
        )
