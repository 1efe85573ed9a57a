"""Websocket routes of all apps, gathered in one list for the ASGI router."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = [
    # The chat app adds ws/chat/ and ws/agent/ here.
]
