"""Running the registry: configure Django, migrate, load the demo, serve with waitress.

``nephrocohort serve`` and ``nephrocohort createuser`` call these functions;
they hold no logic of their own. Configuration goes through the same
environment variables the settings module reads (see ``_config``), so
``manage.py`` run later with the same variables sees the same database.
"""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from nephrocohort.exceptions import NephroCohortError

__all__ = [
    "RegistryError",
    "DemoLogin",
    "configure",
    "prepare",
    "has_users",
    "DEMO_LOGIN_FILE",
    "serve",
    "waitress_options",
    "create_user",
    "read_password",
    "DEMO_USERNAME",
]

DEMO_USERNAME = "demo"
DEMO_LOGIN_FILE = "demo-login.txt"
_DEFAULT_CENTER = "DEMO"


class RegistryError(NephroCohortError):
    """A registry command cannot do what was asked (bad role, weak password, busy port...)."""


@dataclass(frozen=True)
class DemoLogin:
    """The demo account made on first run (its password is kept in the data folder)."""

    username: str
    password: str
    patients_loaded: int

    def __repr__(self) -> str:
        return f"DemoLogin(username={self.username!r}, patients_loaded={self.patients_loaded})"


def configure(*, data_dir: Path | None = None, database_url: str | None = None) -> Path:
    """Point the settings at ``data_dir`` and ``database_url`` and set Django up."""
    if data_dir is not None:
        os.environ["NEPHROCOHORT_DATA_DIR"] = str(Path(data_dir).expanduser())
    if database_url:
        os.environ["NEPHROCOHORT_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nephrocohort.registry.settings")
    import django
    from django.conf import settings

    django.setup()
    return Path(settings.DATA_DIR)


def _migrate() -> None:
    from django.core.management import call_command
    from django.db.utils import OperationalError

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except OperationalError as error:
        raise RegistryError("registry.database_unreachable", detail=str(error)) from error


def migrate_only() -> None:
    """Apply migrations and nothing else (the audit and backup commands)."""
    _migrate()


def prepare(*, load_demo: bool = False) -> DemoLogin | None:
    """Apply migrations; with ``load_demo``, load the demo cohort into a registry with no center.

    The demo (and its all-centers ``demo`` administrator) is never loaded
    unless asked for (``serve --demo``): a real deployment's first start
    leaves the database empty (issue 14). Returns the demo login when asked
    for and the demo account exists (made now or on an earlier run), else None.
    """
    from django.conf import settings

    from nephrocohort.registry.models import Center, Role, UserProfile
    from nephrocohort.registry.models._access import sync_admin_site_access

    _migrate()
    # Administrators made before they were given the admin site (or by hand) get it now.
    for profile in UserProfile.objects.filter(role=Role.ADMIN).select_related("user"):
        sync_admin_site_access(profile)
    if not load_demo:
        return None
    login_file = Path(settings.DATA_DIR) / DEMO_LOGIN_FILE
    if not Center.objects.exists():
        return _load_demo(login_file)
    if login_file.exists():
        username, password, count = login_file.read_text(encoding="utf-8").split("\n")[:3]
        return DemoLogin(username, password, int(count))
    return None


def has_users() -> bool:
    """Whether any registry user exists (else the server is useless until one is made)."""
    from nephrocohort.registry.models import UserProfile

    return UserProfile.objects.exists()


def _load_demo(login_file: Path) -> DemoLogin:
    from django.db import transaction

    from nephrocohort.cohort import demo_cohort
    from nephrocohort.registry.bundle_io import write_cohort
    from nephrocohort.registry.models import Center, Role

    cohort = demo_cohort()
    codes = sorted({str(code) for code in cohort.patients["center"].dropna()}) or [_DEFAULT_CENTER]
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        centers = [Center.objects.create(code=code, name=f"Demo center {code}") for code in codes]
        user = create_user(
            DEMO_USERNAME, role=Role.ADMIN, centers=[c.code for c in centers], password=password
        )
        count = write_cohort(cohort, user)
    _write_private(login_file, f"{DEMO_USERNAME}\n{password}\n{count}\n")
    return DemoLogin(DEMO_USERNAME, password, count)


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def create_user(
    username: str, *, role: str, centers: list[str], password: str, full_name: str = ""
):
    """Make a registry user with a role and centers (centers are created if new).

    The password must pass the registry's password rules (at least 10
    characters, not common, not all digits, not like the user name).
    ``full_name`` is the name printed with the user's signatures (21 CFR 11.50(a)(1):
    "the printed name of the signer"), kept whole, as written (two surnames stay together);
    without it a signature shows the user name.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from nephrocohort.registry.models import Center, Role, UserProfile

    if role not in Role.values:
        raise RegistryError("registry.unknown_role", role=role, known=", ".join(Role.values))
    if role != Role.ADMIN and not centers:
        raise RegistryError("registry.needs_center", role=role)
    model = get_user_model()
    if model.objects.filter(username=username).exists():
        raise RegistryError("registry.user_exists", username=username)
    full_name = " ".join(full_name.split())
    name_length = model._meta.get_field("first_name").max_length
    if len(full_name) > name_length:
        raise RegistryError("registry.name_too_long", length=len(full_name), maximum=name_length)
    candidate = model(username=username)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        # Django's validators word (and translate) the reasons themselves.
        raise RegistryError("registry.weak_password", reasons=" ".join(error.messages)) from error
    with transaction.atomic():
        # The whole name in first_name: get_full_name() gives it back as written.
        user = model.objects.create_user(username, password=password, first_name=full_name)
        profile = UserProfile.objects.create(user=user, role=role)
        profile.centers.set(
            [
                Center.objects.get_or_create(code=code, defaults={"name": code})[0]
                for code in centers
            ]
        )
    return user


def _registry_user(username: str):
    from django.contrib.auth import get_user_model

    from nephrocohort.registry.models import UserProfile

    try:
        user = get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise RegistryError("registry.no_user", username=username) from None
    try:
        return user, user.registry_profile
    except UserProfile.DoesNotExist:
        raise RegistryError("registry.no_role", username=username) from None


def set_role(username: str, *, role: str, centers: list[str] | None = None):
    """Change a user's role and, when ``centers`` are given, replace their centers.

    Centers not given are kept. A role other than admin needs at least one
    center. The change is recorded in the profile's history.
    """
    from django.db import transaction

    from nephrocohort.registry.models import Center, Role

    if role not in Role.values:
        raise RegistryError("registry.unknown_role", role=role, known=", ".join(Role.values))
    user, profile = _registry_user(username)
    with transaction.atomic():
        profile.role = role
        profile.save()
        if centers:
            profile.centers.set(
                [Center.objects.get_or_create(code=c, defaults={"name": c})[0] for c in centers]
            )
        if role != Role.ADMIN and not profile.centers.exists():
            raise RegistryError("registry.needs_center", role=role)
    return profile


def deactivate_user(username: str):
    """Stop a user from logging in (kept, with their history; their sessions end)."""
    user, _ = _registry_user(username)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def restore_patient(patient_id: str):
    """Undo the deletion of a patient (its records were never marked deleted with it)."""
    from nephrocohort.registry.models import Patient

    patient = Patient.all_objects.filter(patient_id=patient_id, is_deleted=True).first()
    if patient is None:
        raise RegistryError("registry.no_deleted_patient", patient_id=patient_id)
    patient.is_deleted = False
    patient.deleted_at = None
    patient.save_checked(expected_version=patient.version)
    return patient


def read_password(*, prompt: bool = True) -> str:
    """The new user's password: ``NEPHROCOHORT_PASSWORD``, else standard input.

    Never a command-line argument, which other users of the machine can see.
    At a terminal it is asked twice without echo; from a pipe, the first line.
    """
    from_env = os.environ.get("NEPHROCOHORT_PASSWORD")
    if from_env:
        return from_env
    if prompt and sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise RegistryError("registry.passwords_differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise RegistryError("registry.no_password")
    return line


#: The headers a trusted reverse proxy sets: the scheme the browser used and its address.
TRUSTED_PROXY_HEADERS = ("x-forwarded-proto", "x-forwarded-for")


def waitress_options(*, trusted_proxy: str | None) -> dict:
    """Waitress's proxy options: trust ``trusted_proxy`` (one address) for the two headers.

    Waitress then sets the request's scheme from X-Forwarded-Proto and its
    client address (REMOTE_ADDR, which the login throttle reads) from the last
    X-Forwarded-For entry, only for connections from that address; the same
    headers from any other peer are removed, so no client can forge them.
    """
    if not trusted_proxy:
        return {}
    return {
        "trusted_proxy": trusted_proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": " ".join(TRUSTED_PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    threads: int = 8,
    trusted_proxy: str | None = None,
    announce=print,
) -> None:
    """Serve the configured registry with waitress until interrupted."""
    from waitress import serve as waitress_serve

    from nephrocohort.i18n import gettext
    from nephrocohort.registry.wsgi import application

    url = f"http://{host}:{port}/"
    if trusted_proxy:
        text = gettext(
            "NephroCohort registry at {url}, behind the proxy at {proxy}  (Ctrl+C to stop)"
        )
    else:
        text = gettext("NephroCohort registry at {url}  (Ctrl+C to stop)")
    announce(text.format(url=url, proxy=trusted_proxy))
    try:
        waitress_serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="NephroCohort",
            **waitress_options(trusted_proxy=trusted_proxy),
        )
    except OSError as error:
        raise RegistryError(
            "registry.cannot_listen", host=host, port=port, detail=str(error.strerror or error)
        ) from error
