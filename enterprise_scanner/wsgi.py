"""WSGI entry point, for running the HTTP part under a WSGI server (no websockets)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")

application = get_wsgi_application()

from .gc_startup import freeze_after_startup  # noqa: E402

freeze_after_startup()
