"""The scanner never reaches private, loopback, link-local or metadata addresses, odd ports or
non-HTTP schemes — checked after DNS resolution and on every redirect hop, before connecting.

These tests run with private targets NOT allowed (the production setting). The only traffic
they send goes to loopback servers started here.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from pytest_httpserver import HTTPServer

from assessments.scanner import guard
from assessments.scanner.guard import GuardPolicy, TargetRefused
from assessments.scanner.retriever import GuardedTransport, Retriever, lenient_context, retrieve

PRODUCTION = GuardPolicy()

REFUSED_ADDRESSES = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("100.64.0.1", "not a public"),  # carrier-grade NAT
    ("0.0.0.0", ""),  # noqa: S104 - an address to refuse, not to bind
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", ""),
    ("::1", "loopback"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd00:ec2::254", "private"),  # AWS IPv6 metadata
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:169.254.169.254", "link-local"),
    ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
    ("::", ""),
]


@pytest.mark.parametrize(("address", "reason"), REFUSED_ADDRESSES)
def test_every_non_public_address_class_is_refused(address: str, reason: str) -> None:
    refusal = guard.address_refusal(ipaddress.ip_address(address))
    assert refusal is not None and reason in refusal
    with pytest.raises(TargetRefused):
        guard.resolve(address, 80, PRODUCTION)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass_the_check(address: str) -> None:
    # Classification only: nothing is sent to these addresses.
    assert guard.address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "https://example.com:8443/",
        "http://example.com:22/",
        "http://user:secret@example.com/",
        "https:///nohost",
        "http://example.com:99999/",
    ],
)
def test_non_http_schemes_odd_ports_and_credentials_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        guard.check_url(url, PRODUCTION)


def test_a_dns_name_resolving_to_loopback_is_refused() -> None:
    with pytest.raises(TargetRefused, match=r"localhost resolves to .*loopback"):
        guard.resolve("localhost", 80, PRODUCTION)


@pytest.fixture
def local_server():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_scan_of_a_name_resolving_to_loopback_never_connects(settings, local_server) -> None:
    settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS = False
    settings.ASSESSMENT_ALLOWED_PORTS = [local_server.port]  # the port is fine; the address is not
    local_server.expect_request("/").respond_with_data("secret admin page")
    # Refused by name now (guard.LOCAL_NAMES), before resolving; `resolve` alone refuses it for
    # its loopback address (test_a_dns_name_resolving_to_loopback_is_refused).
    with pytest.raises(TargetRefused, match="local name"):
        retrieve(host="localhost", http_port=local_server.port, https_port=local_server.port)
    assert local_server.log == []


def test_connections_are_checked_at_connect_time_too() -> None:
    """The transport itself refuses a private address, so a DNS answer that changes after the
    pre-check (rebinding) still cannot reach it."""
    client = httpx.Client(transport=GuardedTransport(ssl_context=lenient_context(), policy=PRODUCTION))
    with client:
        with pytest.raises(TargetRefused, match="loopback"):
            client.get("http://localhost/")
        with pytest.raises(TargetRefused, match="link-local"):
            client.get("http://169.254.169.254/latest/meta-data/")


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://10.0.0.5/admin",
        "http://192.168.0.1/",
        "http://[::1]/",
        "http://127.0.0.2/",
        "gopher://example.com/",
        "http://example.com:6379/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused_before_connecting(local_server, location: str) -> None:
    # A policy that lets exactly this one loopback server in, as if it were a public site.
    policy = GuardPolicy(
        allow_private=False,
        allowed_ports=frozenset({80, 443, local_server.port}),
        exempt_addresses=frozenset({"127.0.0.1"}),
    )
    local_server.expect_request("/").respond_with_data("", status=302, headers={"Location": location})
    with Retriever(policy) as retriever, pytest.raises(TargetRefused):
        retriever.fetch_chain(f"http://127.0.0.1:{local_server.port}/")
    assert len(local_server.log) == 1  # the first hop was fetched; the redirect was not followed


def test_the_exempt_server_itself_is_reachable(local_server) -> None:
    policy = GuardPolicy(
        allowed_ports=frozenset({local_server.port}), exempt_addresses=frozenset({"127.0.0.1"})
    )
    local_server.expect_request("/").respond_with_data("hello", content_type="text/html")
    with Retriever(policy) as retriever:
        response, hops = retriever.fetch_chain(f"http://127.0.0.1:{local_server.port}/")
    assert response.status == 200 and response.body == "hello" and len(hops) == 1


def test_responses_are_cut_at_the_size_cap(settings, local_server) -> None:
    settings.ASSESSMENT_MAX_RESPONSE_BYTES = 1000
    policy = GuardPolicy(
        allowed_ports=frozenset({local_server.port}), exempt_addresses=frozenset({"127.0.0.1"})
    )
    local_server.expect_request("/").respond_with_data("x" * 50_000, content_type="text/html")
    with Retriever(policy) as retriever:
        response, _ = retriever.fetch_chain(f"http://127.0.0.1:{local_server.port}/")
    assert response.truncated and len(response.body) == 1000


def test_more_than_ten_redirects_are_not_followed(local_server) -> None:
    """After 10 redirects the 11th answer is the final one, 3xx and all (as in the Observatory)."""
    policy = GuardPolicy(
        allowed_ports=frozenset({local_server.port}), exempt_addresses=frozenset({"127.0.0.1"})
    )
    local_server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with Retriever(policy) as retriever:
        response, hops = retriever.fetch_chain(f"http://127.0.0.1:{local_server.port}/loop")
    assert response.status == 302 and len(hops) == 11
    assert len(local_server.log) == 11


def test_requests_identify_the_scanner(settings, local_server) -> None:
    policy = GuardPolicy(
        allowed_ports=frozenset({local_server.port}), exempt_addresses=frozenset({"127.0.0.1"})
    )
    local_server.expect_request("/").respond_with_data("ok")
    with Retriever(policy) as retriever:
        retriever.fetch_chain(f"http://127.0.0.1:{local_server.port}/")
    request, _ = local_server.log[0]
    assert request.headers["User-Agent"] == settings.ASSESSMENT_USER_AGENT
    assert request.method == "GET"


@pytest.mark.parametrize(
    "host",
    ["0177.0.0.1", "0x7f.1", "127.1", "2130706433", "１２７.０.０.１", "127。0。0。1", "[::ffff:127.0.0.1]"],
)
def test_the_scan_time_guard_reads_disguised_loopback_like_the_resolver(host: str) -> None:
    """Intake and the scan share guard.canonical_host: both refuse, with the same reason."""
    with pytest.raises(TargetRefused, match="loopback"):
        guard.check_url(f"http://{host}/", PRODUCTION)
    with pytest.raises(TargetRefused, match="loopback"):
        guard.resolve(host, 80, PRODUCTION)


def test_private_targets_stay_allowed_when_the_setting_says_so(settings) -> None:
    settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS = True
    policy = GuardPolicy.from_settings()
    assert guard.check_url("http://0x7f.1:8080/", policy) == ("http", "127.0.0.1", 8080)
    assert guard.resolve("127.1", 8080, policy) == ["127.0.0.1"]
