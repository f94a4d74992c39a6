"""WSGI entry point (waitress serves it; any WSGI server can)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nephrocohort.registry.settings")
application = get_wsgi_application()
