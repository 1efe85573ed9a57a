"""Websocket routes of all apps, gathered in one list for the ASGI router.

Every route wraps its own Origin check, because the right rule differs: the chat widget runs on
customers' sites (allowed: the origins of its site key), staff sockets only on this site. A new
staff route should be wrapped like ws/agent/ (chat.middleware.SameSiteOriginGuard + AuthMiddlewareStack).
"""

from chat.routing import websocket_urlpatterns as chat_websocket_urlpatterns

websocket_urlpatterns = [
    *chat_websocket_urlpatterns,
]
