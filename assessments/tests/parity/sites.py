"""Loopback fixture sites for the parity comparison: each on its own 127.0.16.N, HTTPS on 443 and
plain HTTP on 80 (the only ports the Observatory scans), with trustme certificates.

A site is a table of answers: (scheme, method, path) → (status, headers, body). Headers are a list
so a header can be sent twice; a missing OPTIONS answer is a 405, a missing path a 404. In headers
and bodies `{host}` is the site's own address, `{first}` the first site's (an off-host redirect)
and `{origin}` the request's Origin (a site reflecting it).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

Answer = tuple[int, list[tuple[str, str]], str]


@dataclass
class Site:
    name: str
    answers: dict[tuple[str, str, str], Answer]
    #: Expected differences where the Observatory is wrong: test → (observatory's, ours).
    departures: dict[str, tuple[str, str]] = field(default_factory=dict)
    https: bool = True
    http: bool = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site
    scheme: str

    def log_message(self, format: str, *args: object) -> None:
        return

    def _answer(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        default: Answer = (
            (405, [], "") if method == "OPTIONS" else (404, [("Content-Type", "text/plain")], "no")
        )
        status, headers, body = self.site.answers.get((self.scheme, method, path), default)
        data = self._fill(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, self._fill(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def _fill(self, text: str) -> str:
        """{host}: this site's address; {first}: the first site's; {origin}: the request's Origin."""
        host = self.server.server_address[0]
        first = host.rsplit(".", 1)[0] + ".10"
        origin = self.headers.get("Origin", "")
        return text.replace("{host}", host).replace("{first}", first).replace("{origin}", origin)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_OPTIONS(self) -> None:
        self._answer("OPTIONS")

    def do_HEAD(self) -> None:
        self._answer("GET")


@contextmanager
def _serve(
    address: str, port: int, site: Site, scheme: str, context: ssl.SSLContext | None
) -> Iterator[None]:
    handler = type("Handler", (_Handler,), {"site": site, "scheme": scheme})
    server = ThreadingHTTPServer((address, port), handler)
    server.daemon_threads = True
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(sites: list[Site], ca: trustme.CA, *, base: str = "127.0.16.") -> Iterator[dict[str, Site]]:
    """Serve every site on its own address; yields address → site."""
    by_address: dict[str, Site] = {}
    with ExitStack() as stack:
        for number, site in enumerate(sites, start=10):
            address = f"{base}{number}"
            by_address[address] = site
            if site.https:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ca.issue_cert(address).configure_cert(context)
                stack.enter_context(_serve(address, 443, site, "https", context))
            if site.http:
                stack.enter_context(_serve(address, 80, site, "http", None))
        yield by_address
