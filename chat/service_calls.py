"""How the async consumers run the chat's synchronous services and selectors.

Two things decide the latency of a busy chat server:

- Where the database work runs: on the one database thread Channels keeps (thread-sensitive, as
  `database_sync_to_async` does by default), for every database. A pool of threads on
  PostgreSQL was tried (bench/results/chat_before_after.md has figures with it), but under the
  test suite it exhausted the psycopg pool (PoolTimeout) and was taken out until that is
  understood (it would be `thread_sensitive=False` below).
- Who sends the broadcasts. A service broadcasts after commit; sent from the database thread
  that would hold the thread (and every other socket's database work) until the channel layer
  (Redis) answered. Here the broadcasts are collected while the service runs and handed back,
  and the consumer sends them from its event loop (see chat.events.collecting_broadcasts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async

from .events import Broadcast, with_collected_broadcasts

T = TypeVar("T")


async def db(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a read (selector) or a write that broadcasts nothing in a database thread."""
    return await database_sync_to_async(function)(**kwargs)


async def call_service(function: Callable[..., T], /, **kwargs: Any) -> tuple[T, list[Broadcast]]:
    """Run a service in a database thread; returns its result and the broadcasts it made after
    commit, for the caller to send (events.send_broadcasts) once it has answered its own client."""
    return await database_sync_to_async(with_collected_broadcasts(function))(**kwargs)
