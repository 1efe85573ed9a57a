"""`manage.py seed_demo`: load the demo data set once (re-runs change nothing but the origins)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.loaders import load_demo_data
from demo.loaders.reference import demo_website_allow
from demo.specs.websites import demo_origins


class Command(BaseCommand):
    help = (
        "Load a demo data set (Fortune 500 companies, leads in every status, website activity, chats, "
        "an assessment, a partner). Idempotent: running it again creates nothing. Always prints the "
        "demo website's publishable key. --port/--host make the demo website allow the origin the "
        "site is served on (make run passes its PORT and HOST)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="Port the site is served on; the demo website allows localhost and 127.0.0.1 on it (default 8000).",
        )
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address the server binds to; a name or address other than loopback/0.0.0.0 is allowed too.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        port: int = options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port} is not a TCP port (1-65535).")
        result = load_demo_data(stdout=self.stdout if verbosity >= 2 else None)
        if result.anything_new:
            parts = ", ".join(
                f"{count} {label.split('.')[1]}" for label, count in result.created.items() if count
            )
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {parts}."))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        website = result.website
        try:
            added = demo_website_allow(website, demo_origins(host=options["host"].strip(), port=port))
        except ValidationError as exc:  # from normalise_origin: a host no URL can hold
            raise CommandError(f"--host {options['host']!r}: {' '.join(exc.messages)}") from exc
        self.stdout.write(f'Demo website "{website.name}"')
        self.stdout.write(f"  publishable key: {website.publishable_key}")
        self.stdout.write(f"  allowed origins: {', '.join(website.allowed_origins)}")
        if added:
            self.stdout.write(f"  (now also allows {', '.join(added)})")
