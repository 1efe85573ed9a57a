"""ASGI entry point: Django for HTTP, Channels for websockets (served by daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")

# Initialise Django before importing anything that touches models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from .gc_startup import freeze_after_startup  # noqa: E402
from .request_guard import WebsocketNulGuard  # noqa: E402
from .routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Each route checks the Origin itself (see routing.py): the chat widget's sockets come from
        # customers' sites, which ALLOWED_HOSTS-based validation would refuse.
        # A NUL in the query string or cookies is refused first (PostgreSQL cannot compare it).
        "websocket": WebsocketNulGuard(URLRouter(websocket_urlpatterns)),
    }
)
freeze_after_startup()  # last: everything above is loaded and stays for the process's life
