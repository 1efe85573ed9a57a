"""Project-wide pytest fixtures: staff users of each role and logged-in admin clients."""

from __future__ import annotations

import os
import shutil

import pytest
from django.test import Client

from leads.tests.factories import SalesManagerFactory, SalesRepFactory


@pytest.fixture
def sales_rep(db):
    return SalesRepFactory(username="rep")


@pytest.fixture
def other_rep(db):
    return SalesRepFactory(username="rep2")


@pytest.fixture
def sales_manager(db):
    return SalesManagerFactory(username="manager")


@pytest.fixture
def rep_client(sales_rep) -> Client:
    client = Client()
    client.force_login(sales_rep)
    return client


@pytest.fixture
def manager_client(sales_manager) -> Client:
    client = Client()
    client.force_login(sales_manager)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's database setup, plus: close psycopg pools before the test database is
    dropped, as their idle connections (e.g. from the concurrency tests' threads) would block
    DROP DATABASE. (The live server's own thread may still hold one; PostgreSQL then keeps the
    test database and the next `--create-db` run replaces it.)"""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if hasattr(connection, "close_pool"):
                connection.close_pool()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters, health probes), also on Redis."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test gets its own channel layer instance. channels_redis binds its locks and
    connections to the event loop that first used them, and every async test runs its own loop:
    a receive cancelled at the end of one test left a lock held on a dead loop, and the next test
    on PostgreSQL + Redis failed with "Lock ... is bound to a different event loop"."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def private_redis(tmp_path, settings, request):
    """A private redis-server holding this test's cache and channel layer (production connection
    options), for tests that kill and restart Redis; skipped where redis-server is missing."""
    from enterprise_scanner.tests.redis_server import (
        REDIS_SERVER,
        private_redis_server,
        redis_cache_and_layer,
    )

    if not os.path.exists(REDIS_SERVER):
        pytest.skip("needs redis-server (apt-get install redis-server)")
    with private_redis_server(tmp_path) as redis:
        for name, value in redis_cache_and_layer(redis.url, prefix=f"es-{request.node.name[:40]}").items():
            setattr(settings, name, value)
        yield redis


# --- Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright -------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(monkeypatch):
    """A fresh headless Chromium page, or a skip that says what to install."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Browser test skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the test's ORM calls stay
    # synchronous and safe, which Django cannot tell; allow them for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


# --- A real ASGI server (HTTP and websockets) for browser tests: the chat, the website kit ------


def _child_setup() -> None:
    """In the forked server: its own thread for sync code, channel layer and database connections.
    Threads do not survive a fork, so asgiref's single sync thread (used by earlier async tests in
    the parent) and a psycopg pool's workers exist only as dead objects; the parent's channel
    layer is bound to the parent's event loops. (The settings already name the test database:
    the parent switched to it before forking.)"""
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers
    from django.db import connections

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    channel_layers.backends = {}

    for connection in connections.all():
        if hasattr(connection, "_connection_pools"):
            type(connection)._connection_pools = {}
        connection.connection = None


@pytest.fixture
def asgi_live_server(transactional_db):
    """A real daphne server (HTTP and websockets) on a free localhost port, in a child process,
    serving the project's ASGI application against the test database. pytest-django's
    live_server speaks WSGI only, so it cannot serve the chat's websockets."""
    from functools import partial

    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.db import connections

    connections.close_all()
    process = DaphneProcess("localhost", partial(make_application, static_wrapper=None), setup=_child_setup)
    process.start()
    while not process.ready.wait(timeout=1):
        if not process.is_alive():
            raise RuntimeError("The test ASGI server did not start.")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join()
