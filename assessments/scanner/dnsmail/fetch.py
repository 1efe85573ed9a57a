"""HTTPS documents of the target (security.txt, the MTA-STS policy), fetched only through the
SSRF-guarded retriever, with a failure classified as "the service is missing" (a finding) or
"could not check" (transient), because the two become different findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlunsplit

import httpx

from ..guard import TargetRefused
from ..retriever import Retriever


@dataclass(frozen=True)
class Fetched:
    """One HTTPS document fetched through the SSRF-guarded retriever."""

    url: str
    status: int
    content_type: str
    body: str
    redirects: int
    verified: bool


class FetchFailed(Exception):
    """The document could not be fetched: `missing` when the host plainly has no such service
    (does not resolve, refuses connections), otherwise a transient failure (timeout)."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


def fetch_https(host: str, port: int, path: str) -> Fetched:
    netloc = host if port == 443 else f"{host}:{port}"
    url = urlunsplit(("https", netloc, path, "", ""))
    try:
        with Retriever() as retriever:
            response, hops = retriever.fetch_chain(url)
    except TargetRefused as exc:
        raise FetchFailed(f"{url}: {exc}", missing=True) from exc
    except (httpx.ConnectError, httpx.TooManyRedirects) as exc:
        raise FetchFailed(f"{url}: {type(exc).__name__}: {exc}"[:300], missing=True) from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"{url}: {type(exc).__name__}: {exc}"[:300], missing=False) from exc
    return Fetched(
        url=response.url,
        status=response.status,
        content_type=response.mime_type,
        body=response.body,
        redirects=len(hops) - 1,
        verified=response.verified,
    )
