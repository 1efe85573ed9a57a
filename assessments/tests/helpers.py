"""Hand-built retrievals for analyzer tests: what a site would have answered, without a server."""

from __future__ import annotations

from assessments.scanner.retriever import FetchedResponse, Hop, Retrieval

HTML = "text/html; charset=utf-8"


def response(
    url: str = "https://example.com/",
    *,
    headers: dict[str, str | list[str]] | None = None,
    body: str = "<html><body>Hello</body></html>",
    status: int = 200,
    verified: bool = True,
    cookies: list[str] | None = None,
) -> FetchedResponse:
    pairs: list[tuple[str, str]] = [("content-type", HTML)]
    for name, value in (headers or {}).items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name.lower(), item))
    if any(k == "content-type" for k, _ in pairs[1:]):
        pairs = pairs[1:]
    return FetchedResponse(
        url=url, status=status, headers=pairs, body=body, verified=verified, set_cookies=list(cookies or [])
    )


def site(
    *,
    headers: dict[str, str | list[str]] | None = None,
    body: str = "<html><body>Hello</body></html>",
    https: bool = True,
    http_route: list[str] | None = None,
    http_verified: bool = True,
    verified: bool = True,
    cookies: list[str] | None = None,
    cors_headers: dict[str, str] | None = None,
    preflight_headers: dict[str, str] | None = None,
    host: str = "example.com",
) -> Retrieval:
    """A retrieval of `host`: HTTPS answering with `headers`, HTTP redirecting along `http_route`
    (default: to https on the same host). `cors_headers` answer both CORS probes (the preflight
    and the GET with an Origin) unless `preflight_headers` gives the preflight's own."""
    retrieval = Retrieval(host=host)
    if https:
        retrieval.https = response(
            f"https://{host}/", headers=headers, body=body, verified=verified, cookies=cookies
        )
        retrieval.https_redirects = [Hop(f"https://{host}/", 200)]
    route = http_route if http_route is not None else [f"http://{host}/", f"https://{host}/"]
    if route:
        final = route[-1]
        retrieval.http = response(
            final,
            headers=headers if final.startswith("https") or not https else {},
            body=body,
            verified=http_verified,
            cookies=None if https else cookies,
        )
        retrieval.http_redirects = [Hop(u, 301) for u in route[:-1]] + [Hop(final, 200)]
    url = retrieval.auto.url if retrieval.auto else f"https://{host}/"
    if cors_headers is not None:
        retrieval.cors = response(url, headers=cors_headers)
    preflight = preflight_headers if preflight_headers is not None else cors_headers
    if preflight is not None:
        retrieval.cors_preflight = response(url, headers=preflight)
    return retrieval
