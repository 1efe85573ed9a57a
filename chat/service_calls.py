"""How the async consumers run the chat's synchronous services and selectors.

Two things decide the latency of a busy chat server:

- Where the database work runs. Each chat message is committed twice (the visitor's message, then
  the bot's turn), and on PostgreSQL a commit waits for its WAL flush. On one database thread
  those flushes queue one behind the other for every socket of the process: py-spy showed that
  thread waiting on PostgreSQL most of the time while the event loop idled, ~25 messages/s at
  saturation. So on PostgreSQL the calls run on a small pool of threads of their own
  (CHAT_DB_THREADS), each with a connection from the psycopg pool: transactions of different
  conversations overlap and PostgreSQL flushes their commits together. Order within a
  conversation does not depend on the thread: a socket awaits each call before the next, its bot
  turns run one at a time, and the conversation's row lock (select_for_update) orders writers
  of the same conversation. The pool is ours, bounded and used only by these calls, each of
  which gives its connection back (DatabaseSyncToAsync closes it) — an earlier attempt used the
  loop's shared default executor, where other sync code kept connections and exhausted the
  psycopg pool (PoolTimeout) under the test suite. SQLite has one writer, so there every call
  keeps Channels' one database thread (thread-sensitive), as does CHAT_DB_THREADS=1.
- Who sends the broadcasts. A service broadcasts after commit; sent from the database thread
  that would hold the thread (and every other socket's database work) until the channel layer
  (Redis) answered. Here the broadcasts are collected while the service runs and handed back,
  and the consumer sends them from its event loop (see chat.events.collecting_broadcasts).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connections

from .events import Broadcast, with_collected_broadcasts

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def database_threads() -> int:
    """How many threads run the chat's database work in this process (1 on SQLite)."""
    if connections["default"].vendor != "postgresql":
        return 1
    return max(1, settings.CHAT_DB_THREADS)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=database_threads(), thread_name_prefix="chat-db")
        return _executor


def _forget_pool_after_fork() -> None:
    """A forked child inherits the pool object but none of its threads: work handed to it would
    wait forever. Start afresh in the child (the browser tests' live server forks; so would a
    pre-forking server)."""
    global _executor, _executor_lock
    _executor = None
    _executor_lock = threading.Lock()
    _runner_kwargs.cache_clear()


@functools.cache
def _runner_kwargs() -> dict[str, Any]:
    """database_sync_to_async's arguments: Channels' one thread, or our pool of threads."""
    if database_threads() == 1:
        return {"thread_sensitive": True}
    return {"thread_sensitive": False, "executor": _pool()}


async def db(function: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a read (selector) or a write that broadcasts nothing in a database thread."""
    return await DatabaseSyncToAsync(function, **_runner_kwargs())(**kwargs)


async def call_service(function: Callable[..., T], /, **kwargs: Any) -> tuple[T, list[Broadcast]]:
    """Run a service in a database thread; returns its result and the broadcasts it made after
    commit, for the caller to send (events.send_broadcasts) once it has answered its own client."""
    return await DatabaseSyncToAsync(with_collected_broadcasts(function), **_runner_kwargs())(**kwargs)


os.register_at_fork(after_in_child=_forget_pool_after_fork)
