"""Chat websocket routes. Each carries its own origin guard (see chat.middleware): visitors come
from the customer's website, agents only from this site with their admin session."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from .consumers import AgentConsumer, VisitorConsumer
from .middleware import SameSiteOriginGuard, SiteKeyOriginGuard

websocket_urlpatterns = [
    path("ws/chat/", SiteKeyOriginGuard(VisitorConsumer.as_asgi())),
    path("ws/agent/", SameSiteOriginGuard(AuthMiddlewareStack(AgentConsumer.as_asgi()))),
]
