"""Outbound HTTP to URLs that staff typed in (webhook endpoints, Slack / Teams incoming webhooks).

A URL a manager registers is someone else's name for a machine, exactly like a scan target: it
can point at our own loopback, the cloud metadata service or an office network. So it goes
through the scanner's SSRF guard (`assessments.scanner.guard`), both when it is saved
(`outbound_url_refusal`, for a clear form error) and when it is called (`outbound_post`, which
connects only to checked addresses, so a DNS answer that changes in between cannot slip through).

Private targets are allowed only with `OUTBOUND_ALLOW_PRIVATE_TARGETS` (tests and local
development, whose receivers listen on 127.0.0.1); production refuses them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from django.conf import settings

from assessments.scanner.guard import GuardPolicy, TargetRefused, check_url, resolve
from assessments.scanner.retriever import GuardedTransport, verifying_context

#: How much of a receiver's answer is kept for the delivery log.
RESPONSE_SNIPPET_CHARS = 500

USER_AGENT = "EnterpriseScanner-Webhooks/1.0"

#: Receivers often listen on 8443, 3000 … Built once: a 65,535-element set per call cost ~2 ms,
#: more than a webhook delivery to a nearby receiver.
ANY_PORT = frozenset(range(1, 65536))


class OutboundRefused(Exception):
    """The URL may not be called (its reason is the message, fit to show in a form)."""


class OutboundFailed(Exception):
    """The request could not be completed (network error, timeout); worth retrying."""

    def __init__(self, message: str, *, elapsed_ms: int) -> None:
        super().__init__(message)
        self.elapsed_ms = elapsed_ms


@dataclass(frozen=True)
class OutboundResponse:
    status_code: int
    elapsed_ms: int
    snippet: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def outbound_policy() -> GuardPolicy:
    """Any port (receivers often listen on 8443, 3000 …) but only public addresses, unless allowed."""
    allow_private = bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_TARGETS", False))
    return GuardPolicy(allow_private=allow_private, allowed_ports=ANY_PORT)


def outbound_url_refusal(url: str, *, resolve_host: bool = False) -> str | None:
    """Why `url` may not be used as an outbound target, or None.

    Only https is accepted unless private targets are allowed (local receivers speak http).
    `resolve_host` also resolves the name (slow; the call itself always does)."""
    policy = outbound_policy()
    try:
        scheme, host, port = check_url(url, policy)
        if scheme != "https" and not policy.allow_private:
            return "Only https:// URLs are accepted."
        if resolve_host:
            resolve(host, port, policy)
    except TargetRefused as exc:
        return _outbound_wording(str(exc))
    return None


def _outbound_wording(reason: str) -> str:
    """The scanner guard's reason, said of a URL we send to rather than a site we assess."""
    return (
        reason.replace(
            "; only public websites are assessed.", "; only public addresses can receive requests."
        )
        .replace("URLs are scanned", "URLs are accepted")
        .replace("are not scanned", "are not accepted")
    )


def outbound_post(
    url: str, *, content: bytes, headers: dict[str, str], timeout: float | None = None
) -> OutboundResponse:
    """POST `content` to `url` through the SSRF guard; never follows redirects.

    Raises OutboundRefused (do not retry: the URL is not allowed) or OutboundFailed (retry)."""
    with OutboundSession(timeout=timeout) as session:
        return session.post(url, content=content, headers=headers)


class OutboundSession:
    """Several POSTs through one guarded client: one TLS context (loading the CA store costs
    milliseconds per client) and kept-alive connections per receiver. A webhook worker keeps one
    for its lifetime (`webhooks.delivery`); the guard still checks every new connection."""

    def __init__(self, *, timeout: float | None = None) -> None:
        self.policy = outbound_policy()
        timeout = timeout if timeout is not None else float(getattr(settings, "OUTBOUND_TIMEOUT_SECONDS", 10))
        self.client = httpx.Client(
            transport=GuardedTransport(ssl_context=verifying_context(), policy=self.policy),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
        )

    def __enter__(self) -> OutboundSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> OutboundResponse:
        """Like `outbound_post`: raises OutboundRefused (do not retry) or OutboundFailed (retry)."""
        refusal = outbound_url_refusal(url)
        if refusal:
            raise OutboundRefused(refusal)
        started = time.monotonic()
        try:
            response = self.client.post(url, content=content, headers=headers)
            body = response.text[:RESPONSE_SNIPPET_CHARS]
        except TargetRefused as exc:
            raise OutboundRefused(str(exc)) from exc
        except httpx.HTTPError as exc:
            elapsed = int((time.monotonic() - started) * 1000)
            raise OutboundFailed(
                f"{type(exc).__name__}: {exc}"[:RESPONSE_SNIPPET_CHARS], elapsed_ms=elapsed
            ) from exc
        elapsed = int((time.monotonic() - started) * 1000)
        return OutboundResponse(status_code=response.status_code, elapsed_ms=elapsed, snippet=body)
