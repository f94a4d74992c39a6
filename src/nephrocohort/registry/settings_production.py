"""Settings for a registry server behind an HTTPS reverse proxy (multi-center use).

Use with ``DJANGO_SETTINGS_MODULE=nephrocohort.registry.settings_production``;
``manage.py check --deploy`` passes with these settings. The proxy must set
``X-Forwarded-Proto: https`` and ``X-Forwarded-For``, and the server must be
started with ``nephrocohort serve --trusted-proxy ADDR`` so that waitress
believes those headers from that address only.
"""

from nephrocohort.registry.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# The client's address for login throttling is REMOTE_ADDR, which waitress sets
# from X-Forwarded-For only for connections from the trusted proxy
# (serve --trusted-proxy): reading the header here would let any client that
# reaches the server directly choose its own address.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
