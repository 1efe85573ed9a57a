"""Retriever: the scanner's only HTTP client. Ordinary GET requests and one CORS preflight.

Like the Mozilla HTTP Observatory it fetches the site over HTTPS and over HTTP (following and
recording redirects: after 10 the 11th answer is taken as it is), then sends the final URL a CORS
preflight (`OPTIONS` with a foreign `Origin`, as a browser would before a cross-site request),
and a GET with that `Origin` to see what a simple cross-site read is allowed.
The "auto" response the header tests read is the HTTPS one when HTTPS works, else the HTTP one.

Safety (see `guard`): every hop's URL is checked (scheme, port) and its host resolved and checked
before anything is sent, and the connection itself goes only to the checked addresses. Responses
are read up to a size cap, with timeouts, under a user agent that says who we are. No proxy from
the environment is used (`trust_env=False`): a proxy would make its own, unchecked, connections.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx
from django.conf import settings

from .guard import GuardPolicy, TargetRefused, check_url, resolve
from .html import ParsedHtml, parse_html

MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Headers a repeat of which is dropped rather than joined (Node's http parser, hence the
#: Observatory, keeps the first): every other repeated header reads as its values joined by ", "
#: (RFC 9110 §5.3), so e.g. two X-Frame-Options headers read "DENY, DENY" — invalid.
FIRST_VALUE_ONLY = frozenset(
    {
        "age",
        "authorization",
        "content-length",
        "content-type",
        "etag",
        "expires",
        "from",
        "host",
        "if-modified-since",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "proxy-authorization",
        "referer",
        "retry-after",
        "server",
        "user-agent",
    }
)
#: Media types the Observatory reads as HTML (compared as sent, parameters dropped).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: The Origin sent to see whether the site lets any other site read it (CORS).
CORS_PROBE_ORIGIN = "https://cors-probe.enterprisescanner.com"


class SiteUnreachable(Exception):
    """Neither HTTP nor HTTPS answered; `transient` when a retry later may succeed."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Hop:
    url: str
    status: int | None


@dataclass(frozen=True)
class SetCookie:
    """One `Set-Cookie` header and the URL that sent it (its default domain and path)."""

    url: str
    header: str


@dataclass
class FetchedResponse:
    """The last response of a redirect chain, and the cookies set anywhere along it."""

    url: str
    status: int
    headers: list[tuple[str, str]]  # names lower-cased, in order, repeats kept
    body: str
    verified: bool  # the TLS certificate chain and host name were valid (always True for http)
    set_cookies: list[str] = field(default_factory=list)  # this response's own Set-Cookie headers
    truncated: bool = False
    #: Every Set-Cookie of the chain (redirect hops included), in order, with the URL that set it.
    chain_cookies: list[SetCookie] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.chain_cookies:  # a response built on its own: its cookies are the chain's
            self.chain_cookies = [SetCookie(self.url, header) for header in self.set_cookies]

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    def header(self, name: str) -> str | None:
        """The field's value as a client reads it: repeats joined with ", " (see FIRST_VALUE_ONLY)."""
        values = self.header_values(name)
        if not values:
            return None
        return values[0] if name.lower() in FIRST_VALUE_ONLY else ", ".join(values)

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def mime_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def is_html(self) -> bool:
        """Whether the Observatory reads the body as HTML: a Content-Type of text/html or
        application/xhtml+xml (a missing one is not HTML)."""
        return (self.header("content-type") or "").split(";", 1)[0] in HTML_TYPES

    @cached_property
    def html(self) -> ParsedHtml:
        return parse_html(self.body if self.mime_type in ("", "text/html", "application/xhtml+xml") else "")


@dataclass
class Retrieval:
    """Everything one scan fetched; the analyzers' only input."""

    host: str
    http: FetchedResponse | None = None
    https: FetchedResponse | None = None
    http_redirects: list[Hop] = field(default_factory=list)
    https_redirects: list[Hop] = field(default_factory=list)
    cors: FetchedResponse | None = None  # GET with a foreign Origin
    cors_preflight: FetchedResponse | None = None  # OPTIONS preflight with that Origin
    cors_origin: str = CORS_PROBE_ORIGIN
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def auto(self) -> FetchedResponse | None:
        """The response header tests read: HTTPS when it answered, else HTTP."""
        return self.https or self.http


# --- Transport: connect only to checked addresses ------------------------------------------------


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, policy: GuardPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve(host, port, self.policy):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"Could not connect to {host}:{port}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with a connection pool whose network backend is `_GuardedBackend`.

    httpx has no public hook for the network backend, so the pool it builds is replaced by an
    identical one that has it (httpx 0.28 keeps the pool in `_pool`; pinned in requirements)."""

    def __init__(self, *, ssl_context: ssl.SSLContext, policy: GuardPolicy) -> None:
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=4,
            http1=True,
            http2=False,
            retries=0,
            network_backend=_GuardedBackend(policy),
        )


def verifying_context() -> ssl.SSLContext:
    """Certificate and host name checks on, against the system store (or the configured bundle)."""
    context = ssl.create_default_context(cafile=settings.ASSESSMENT_CA_BUNDLE or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def lenient_context() -> ssl.SSLContext:
    """No certificate checks: used only after a verified attempt failed, to still read headers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


class Retriever:
    """Fetches one site. Use as a context manager so connections are closed."""

    def __init__(self, policy: GuardPolicy | None = None) -> None:
        self.policy = policy or GuardPolicy.from_settings()
        timeout = httpx.Timeout(settings.ASSESSMENT_TIMEOUT_SECONDS)
        headers = {"User-Agent": settings.ASSESSMENT_USER_AGENT, "Accept": "text/html,*/*;q=0.8"}
        self.max_bytes = settings.ASSESSMENT_MAX_RESPONSE_BYTES
        self._clients = {
            verified: httpx.Client(
                transport=GuardedTransport(
                    ssl_context=verifying_context() if verified else lenient_context(), policy=self.policy
                ),
                timeout=timeout,
                headers=headers,
                follow_redirects=False,
                trust_env=False,
            )
            for verified in (True, False)
        }

    def __enter__(self) -> Retriever:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for client in self._clients.values():
            client.close()

    def fetch_chain(
        self, url: str, *, method: str = "GET", extra_headers: dict[str, str] | None = None
    ) -> tuple[FetchedResponse, list[Hop]]:
        """`method` `url`, following redirects; retried without certificate checks if they fail."""
        try:
            return self._follow(url, method=method, verified=True, extra_headers=extra_headers)
        except httpx.HTTPError as exc:
            if urlsplit(url).scheme == "https" and _is_certificate_error(exc):
                return self._follow(url, method=method, verified=False, extra_headers=extra_headers)
            raise

    def _follow(
        self, url: str, *, method: str, verified: bool, extra_headers: dict[str, str] | None
    ) -> tuple[FetchedResponse, list[Hop]]:
        """Follow at most MAX_REDIRECTS redirects; the answer after that is final, even a 3xx
        (the Observatory grades it rather than failing the scan)."""
        client = self._clients[verified]
        hops: list[Hop] = []
        cookies: list[SetCookie] = []
        chain_verified = verified
        while True:
            _, host, port = check_url(url, self.policy)
            resolve(host, port, self.policy)  # refuse before connecting, with a clear reason
            try:
                response, body, truncated = self._send(client, method, url, extra_headers)
            except httpx.HTTPError as exc:
                # A later hop with a bad certificate: read it leniently, and remember the chain
                # was not valid (the Observatory's "invalid certificate during redirection").
                if chain_verified and hops and urlsplit(url).scheme == "https" and _is_certificate_error(exc):
                    chain_verified = False
                    client = self._clients[False]
                    response, body, truncated = self._send(client, method, url, extra_headers)
                else:
                    raise
            hops.append(Hop(url=url, status=response.status_code))
            own_cookies = response.headers.get_list("set-cookie")
            cookies += [SetCookie(url, header) for header in own_cookies]
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location and len(hops) <= MAX_REDIRECTS:
                url = _absolute(url, location)
                if response.status_code == 303:
                    method = "GET"
                continue
            fetched = FetchedResponse(
                url=url,
                status=response.status_code,
                headers=[(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw],
                body=body,
                verified=chain_verified,
                set_cookies=own_cookies,
                truncated=truncated,
                chain_cookies=cookies,
            )
            return fetched, hops

    def _send(
        self, client: httpx.Client, method: str, url: str, extra_headers: dict[str, str] | None
    ) -> tuple[httpx.Response, str, bool]:
        request = client.build_request(method, url, headers=extra_headers or {})
        return self._read(client, request)

    def _read(self, client: httpx.Client, request: httpx.Request) -> tuple[httpx.Response, str, bool]:
        response = client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size, truncated = 0, False
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= self.max_bytes:
                    truncated = True
                    break
            raw = b"".join(chunks)[: self.max_bytes]
        finally:
            response.close()
        return response, raw.decode(response.encoding or "utf-8", errors="replace"), truncated


def _absolute(base: str, location: str) -> str:
    target = urljoin(base, location.strip())
    parts = urlsplit(target)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def retrieve(*, host: str, path: str = "/", http_port: int = 80, https_port: int = 443) -> Retrieval:
    """Fetch the site at `host` over HTTPS and HTTP the way the Observatory does.

    Raises TargetRefused when the guard refuses the host itself, SiteUnreachable when neither
    scheme answered."""
    policy = GuardPolicy.from_settings()
    retrieval = Retrieval(host=host)
    https_url = _url("https", host, https_port, path)
    http_url = _url("http", host, http_port, path)
    check_url(https_url, policy)
    check_url(http_url, policy)
    resolve(host, https_port, policy)
    transient = False
    with Retriever(policy) as retriever:
        for scheme, url in (("https", https_url), ("http", http_url)):
            try:
                response, hops = retriever.fetch_chain(url)
            except TargetRefused as exc:
                retrieval.errors[scheme] = str(exc)
                continue
            except httpx.HTTPError as exc:
                retrieval.errors[scheme] = f"{type(exc).__name__}: {exc}"[:500]
                transient = transient or _is_transient(exc)
                continue
            setattr(retrieval, scheme, response)
            setattr(retrieval, f"{scheme}_redirects", hops)
        if retrieval.auto is None:
            detail = "; ".join(f"{k}: {v}" for k, v in retrieval.errors.items())
            raise SiteUnreachable(
                f"The site did not answer over HTTPS or HTTP ({detail}).", transient=transient
            )
        # The CORS probes go to where the graded session ended (the Observatory's preflight URL).
        auto = retrieval.auto
        assert auto is not None
        probes = (
            (
                "cors_preflight",
                "OPTIONS",
                {"Origin": CORS_PROBE_ORIGIN, "Access-Control-Request-Method": "GET"},
            ),
            ("cors", "GET", {"Origin": CORS_PROBE_ORIGIN}),
        )
        for attribute, method, headers in probes:
            try:
                probe, _ = retriever.fetch_chain(auto.url, method=method, extra_headers=headers)
            except (httpx.HTTPError, TargetRefused) as exc:
                retrieval.errors[attribute] = f"{type(exc).__name__}: {exc}"[:500]
            else:
                setattr(retrieval, attribute, probe)
    return retrieval


def _url(scheme: str, host: str, port: int, path: str) -> str:
    netloc = f"[{host}]" if ":" in host else host
    if port != (443 if scheme == "https" else 80):
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, path or "/", "", ""))
