"""How the project's Redis clients connect: the Django cache and the channels_redis layer.

Nothing else in the project talks to Redis (sessions and the task queue live in the database).
Every option is set here explicitly instead of taking redis-py's defaults, because those defaults
are what broke the chat in production (issue 12): redis-py 8 gives each connection a 5-second
socket timeout (redis/_defaults.py), and channels_redis waits for a socket's next message with a
blocking BZPOPMIN of up to 5 seconds (`RedisChannelLayer.brpop_timeout`). On an idle socket Redis
answers "nothing yet" after 5 s, just as the client gives up reading, so the read fails with
`redis.exceptions.TimeoutError` and daphne closes the websocket with 1011.

So the channel layer's read timeout is the blocking time plus a generous margin, and a dead Redis
is noticed by other means than a short read timeout: TCP keepalive probes on every connection, a
PING before a command on a connection idle for `HEALTH_CHECK_INTERVAL_SECONDS`, and a short
connect timeout (a Redis that is down refuses or does not answer the connect, which fails fast).
The cache sends only quick commands, so a short read timeout suits it.

This module must stay importable from settings.py: no Django imports.
"""

from __future__ import annotations

import socket
from typing import Any

#: Seconds to establish a connection. Redis is on the local network: longer means it is down.
CONNECT_TIMEOUT_SECONDS = 2.0
#: Read timeout of the cache's commands (GET/SET/INCR …, none of them blocking).
CACHE_SOCKET_TIMEOUT_SECONDS = 5.0
#: How much longer than channels_redis' blocking receive a channel-layer read may take.
BLOCKING_READ_MARGIN_SECONDS = 15.0
#: A connection idle this long is PINGed before its next command, so one broken while idle (a
#: restarted Redis, a dropped NAT entry) fails at the PING and is dropped, not half-way through a
#: command; the next use connects afresh.
HEALTH_CHECK_INTERVAL_SECONDS = 15
#: TCP keepalive: first probe after 15 s of silence, then every 5 s; 3 unanswered probes close
#: the connection, so a Redis host that vanished without a FIN is noticed within about 30 s,
#: even by a socket blocked in a receive.
KEEPALIVE_IDLE_SECONDS = 15
KEEPALIVE_INTERVAL_SECONDS = 5
KEEPALIVE_PROBES = 3
#: Connections one process's channel layer may open at once. Every group send, group add and
#: receive in flight holds one, so a daphne process with hundreds of chatting sockets needs
#: hundreds; redis-py 8's asyncio pool defaults to 100 and then fails at once with
#: MaxConnectionsError (seen at 500 sockets: broadcasts failed and sockets closed with 4503).
#: Redis itself accepts 10,000 clients by default.
CHANNEL_LAYER_MAX_CONNECTIONS = 2000


def keepalive_options() -> dict[int, int]:
    """The TCP keepalive options this platform supports (Linux has all three)."""
    wanted = {
        "TCP_KEEPIDLE": KEEPALIVE_IDLE_SECONDS,
        "TCP_KEEPINTVL": KEEPALIVE_INTERVAL_SECONDS,
        "TCP_KEEPCNT": KEEPALIVE_PROBES,
    }
    return {getattr(socket, name): value for name, value in wanted.items() if hasattr(socket, name)}


def _common_options() -> dict[str, Any]:
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_keepalive": True,
        "socket_keepalive_options": keepalive_options(),
        "health_check_interval": HEALTH_CHECK_INTERVAL_SECONDS,
    }


def cache_options() -> dict[str, Any]:
    """OPTIONS of Django's RedisCache (passed to redis-py's `ConnectionPool.from_url`)."""
    return {**_common_options(), "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS}


def channel_layer_socket_timeout() -> float:
    """The channel layer's read timeout: comfortably above its blocking receive."""
    from channels_redis.core import RedisChannelLayer

    return RedisChannelLayer.brpop_timeout + BLOCKING_READ_MARGIN_SECONDS


def channel_layer_host(url: str, *, max_connections: int = CHANNEL_LAYER_MAX_CONNECTIONS) -> dict[str, Any]:
    """One entry of channels_redis' `hosts`: a dict with `address` is turned into
    `redis.asyncio.ConnectionPool.from_url(address, **the rest)` (channels_redis.utils.create_pool)."""
    return {
        "address": url,
        **_common_options(),
        "socket_timeout": channel_layer_socket_timeout(),
        "max_connections": max_connections,
    }
