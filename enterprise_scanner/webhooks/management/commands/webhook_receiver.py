"""A local webhook receiver for trying endpoints out: prints each event and whether its
signature verifies (development only; register it with OUTBOUND_ALLOW_PRIVATE_TARGETS=true).

    manage.py webhook_receiver --port 8787 --secret whsec_…
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enterprise_scanner.webhooks.signing import verify


class Command(BaseCommand):
    help = "Listen on 127.0.0.1 and print the webhooks received, checking their signatures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8787)
        parser.add_argument(
            "--secret", default="", help="The endpoint's whsec_… secret, to verify signatures."
        )
        parser.add_argument("--status", type=int, default=200, help="The HTTP status to answer with.")

    def handle(self, *args: Any, port: int, secret: str, status: int, **options: Any) -> None:
        command = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 1 << 20))
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    valid = bool(secret) and verify(secret=secret, headers=headers, body=body)
                except (KeyError, ValueError):
                    valid = False
                try:
                    event = json.loads(body)
                    summary = f"{event.get('type')} #{event.get('sequence')}"
                except ValueError:
                    summary = f"{len(body)} bytes, not JSON"
                verdict = (
                    "signature OK" if valid else ("no --secret given" if not secret else "BAD SIGNATURE")
                )
                command.stdout.write(f"{headers.get('webhook-id', '-')} {summary}: {verdict}")
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        server = HTTPServer(("127.0.0.1", port), Handler)
        self.stdout.write(f"Listening on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
