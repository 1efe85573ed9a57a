"""How the async consumers run the chat's synchronous services and selectors.

Two things decide the latency of a busy chat server:

- Where the database work runs. On SQLite there is one writer at a time, so every call goes to
  the one database thread Channels keeps (thread-sensitive, as `database_sync_to_async` does by
  default). On PostgreSQL calls run in a pool of threads, each with its own connection from the
  psycopg pool, so one socket's transaction does not queue behind every other socket's; row locks
  (select_for_update on the conversation) still order the writes of one conversation.
- Who sends the broadcasts. A service broadcasts after commit; sent from the worker thread that
  would hold the thread until the channel layer (Redis) answered. Here the broadcasts are
  collected while the service runs and handed back, and the consumer sends them from its event
  loop (see chat.events.collecting_broadcasts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.db import connections

from .events import Broadcast, with_collected_broadcasts

T = TypeVar("T")


def serialise_database_work() -> bool:
    """True where the database takes one writer at a time (SQLite): use the single thread."""
    return connections["default"].vendor == "sqlite"


async def db(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a read (selector) or a write that broadcasts nothing in a database thread."""
    return await database_sync_to_async(function, thread_sensitive=serialise_database_work())(**kwargs)


async def call_service(function: Callable[..., T], /, **kwargs: Any) -> tuple[T, list[Broadcast]]:
    """Run a service in a database thread; returns its result and the broadcasts it made after
    commit, for the caller to send (events.send_broadcasts) once it has answered its own client."""
    return await database_sync_to_async(
        with_collected_broadcasts(function), thread_sensitive=serialise_database_work()
    )(**kwargs)
