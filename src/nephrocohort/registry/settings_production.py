"""Settings for a registry server behind an HTTPS reverse proxy (multi-center use).

Use with ``DJANGO_SETTINGS_MODULE=nephrocohort.registry.settings_production``;
``manage.py check --deploy`` passes with these settings. The proxy must set
``X-Forwarded-Proto: https``.
"""

from nephrocohort.registry.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Behind one reverse proxy, the client's address for login throttling is the
# last address the proxy appended to X-Forwarded-For, not the proxy's own.
AXES_IPWARE_PROXY_COUNT = 1
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
