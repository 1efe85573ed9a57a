"""A local HTTP receiver for outbound calls (webhooks, Slack / Teams alerts) in the smoke checks.

It is a real server on a loopback port, in a thread of the test process: the deployed stack's
workers reach it over TCP exactly as they would reach a customer's endpoint. Each request is
recorded (path, headers, body, when); the answers follow a script (e.g. 500 first, then 200) and
a request can be held open, to kill the worker while it waits for the answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answered: int


@dataclass
class Receiver:
    """Answers with `script` in turn (the last one repeats); `hold_first` seconds of silence first."""

    script: list[int] = field(default_factory=lambda: [200])
    hold_first: float = 0.0
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, float]:
        with self._lock:
            index = len(self.requests)
            status = self.script[min(index, len(self.script) - 1)]
            hold = self.hold_first if index == 0 else 0.0
            self.requests.append(Received(path, headers, body, time.time(), status))
        return status, hold

    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if 200 <= r.answered < 300]


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    """Serve `receiver` on a free loopback port until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, hold = receiver._answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            if hold:
                time.sleep(hold)
            payload = b"ok" if status < 400 else b"receiver says no"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the caller was killed while we held the request
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name=f"receiver-{receiver.port}", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
