"""Fixtures for scanning real local servers: a trustme CA the scanner trusts, HTTP/HTTPS servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import trustme
from pytest_httpserver import HTTPServer

from analytics.services import website_create

from .servers import free_port, server_context

ORIGIN = "https://www.enterprisescanner.com"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def local_targets(settings, ca, tmp_path, media):
    """Let the scanner reach loopback servers and trust the test CA (end-to-end tests only)."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS = True
    settings.ASSESSMENT_CA_BUNDLE = str(bundle)
    settings.ASSESSMENT_TIMEOUT_SECONDS = 5
    settings.ASSESSMENT_HTTP_PORT = free_port()
    settings.ASSESSMENT_HTTPS_PORT = free_port()
    return settings


@pytest.fixture
def start_server(local_targets) -> Iterator[Callable[..., HTTPServer]]:
    """Start an HTTP (or, given an SSL context, HTTPS) server on 127.0.0.1 and make it the
    scanner's port for that scheme."""
    servers: list[HTTPServer] = []

    def start(ssl_context=None) -> HTTPServer:
        server = HTTPServer(host="127.0.0.1", port=0, ssl_context=ssl_context, threaded=True)
        server.start()
        servers.append(server)
        if ssl_context is None:
            local_targets.ASSESSMENT_HTTP_PORT = server.port
        else:
            local_targets.ASSESSMENT_HTTPS_PORT = server.port
        return server

    yield start
    for server in servers:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture
def https_server(start_server, ca) -> HTTPServer:
    return start_server(server_context(ca.issue_cert("localhost", "127.0.0.1")))


@pytest.fixture
def website(db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])
