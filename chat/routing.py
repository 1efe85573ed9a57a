"""Chat websocket routes. Each carries its own origin guard (see chat.middleware): visitors come
from the customer's website, agents only from this site with their admin session; outermost, the
failure guard that ends a socket with a frame the client can act on."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from .consumers import AgentConsumer, VisitorConsumer
from .middleware import SameSiteOriginGuard, SiteKeyOriginGuard, SocketFailureGuard

websocket_urlpatterns = [
    path("ws/chat/", SocketFailureGuard(SiteKeyOriginGuard(VisitorConsumer.as_asgi()))),
    path(
        "ws/agent/",
        SocketFailureGuard(SameSiteOriginGuard(AuthMiddlewareStack(AgentConsumer.as_asgi()))),
    ),
]
