"""The guarded outbound client that webhooks and chat-tool alerts use."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from enterprise_scanner.outbound import OutboundFailed, OutboundRefused, outbound_post, outbound_url_refusal


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
        "https://10.0.0.5/hook",
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_or_odd_urls_are_refused_in_production(settings, url: str) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    assert outbound_url_refusal(url)
    with pytest.raises(OutboundRefused):
        outbound_post(url, content=b"{}", headers={})


def test_plain_http_is_refused_in_production(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    assert outbound_url_refusal("http://example.com/hook") == "Only https:// URLs are accepted."


def test_posts_to_a_local_receiver_when_allowed(settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/hook", method="POST", data=b'{"a":1}').respond_with_data("thanks", status=202)
    response = outbound_post(
        httpserver.url_for("/hook"), content=b'{"a":1}', headers={"Content-Type": "application/json"}
    )
    assert response.ok and response.status_code == 202 and response.snippet == "thanks"


def test_redirects_are_not_followed(settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/hook").respond_with_data("", status=302, headers={"Location": "/elsewhere"})
    response = outbound_post(httpserver.url_for("/hook"), content=b"{}", headers={})
    assert response.status_code == 302 and not response.ok


def test_an_unreachable_receiver_is_a_retryable_failure(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(OutboundFailed):
        outbound_post("http://127.0.0.1:9/hook", content=b"{}", headers={}, timeout=2)
