"""Django settings for the registry as it runs embedded (``nephrocohort serve``).

Everything that differs between installations comes from the environment
(see ``_config``). DEBUG is never on: a debug page would show patient values.
``settings_production`` adds the HTTPS-only settings for a server behind a
TLS-terminating proxy; it passes ``manage.py check --deploy``.
"""

import os
from pathlib import Path

from nephrocohort.registry._config import data_dir, database_settings, secret_key

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = False
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("NEPHROCOHORT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "nephrocohort.registry.apps.RegistryConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the language cookie / the browser's Accept-Language (i18n.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL byte anywhere in the request is 400 before any view or login check sees it.
    "nephrocohort.registry.middleware.RefuseNulBytes",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language saved on the user's profile wins over cookie and browser (languages.py).
    "nephrocohort.registry.languages.UserLanguageMiddleware",
    # Two-factor login: who verified a second factor, and no page until they did (two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "nephrocohort.registry.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires, so that it sees the outcome of every login.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out user before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "nephrocohort.registry.urls"
WSGI_APPLICATION = "nephrocohort.registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nephrocohort.registry.context_processors.role",
                "nephrocohort.registry.context_processors.languages",
            ],
        },
    },
]

DATABASES = {"default": database_settings(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
#: English, Spanish and Brazilian Portuguese (nephrocohort.i18n), one catalogue set for all.
LANGUAGES = [("en", "English"), ("es", "Español"), ("pt-br", "Português (Brasil)")]
LOCALE_PATHS = [str(Path(__file__).resolve().parent.parent / "locale")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

LOGIN_URL = "registry:login"
LOGIN_REDIRECT_URL = "registry:patient_list"
LOGOUT_REDIRECT_URL = "registry:login"

# Sessions and cookies: not readable by scripts, not sent cross-site, short-lived.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only
# from the registry itself; no inline script or style (the templates have none:
# tests/registry/test_content_security_policy.py checks), no plugins, no
# framing, forms post only here. The HTML report (inline style, data: figures,
# no script) gets its own policy in views/cohort.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Uploaded bundles stay in memory up to 5 MB, and a request may not exceed 50 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Login throttling: five failures for one user name from one address lock it for an hour, and
# so do five failures from one address whatever the names (one password tried on many users).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registry/locked_out.html"

# Only warnings and errors, and never a request body or query string: log
# lines name paths with database ids, never a patient value.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Database errors can quote patient values, and a 403 needs no traceback.
    "filters": {
        "withhold_details": {"()": "nephrocohort.registry.log_filters.WithholdErrorDetails"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["withhold_details"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.db.backends": {"level": "WARNING", "propagate": True},
    },
}

# Administrators and roles that may export identifiable data must log in with a second factor
# (two_factor.py). Only the tests of other features turn this off.
REGISTRY_TWO_FACTOR_REQUIRED = True
OTP_TOTP_ISSUER = "NephroCohort"
