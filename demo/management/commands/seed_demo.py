"""`manage.py seed_demo`: load the demo data set once (re-runs change nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from demo.loaders import load_demo_data


class Command(BaseCommand):
    help = (
        "Load a demo data set (Fortune 500 companies, leads in every status, website activity, chats, "
        "an assessment, a partner). Idempotent: running it again creates nothing. Always prints the "
        "demo website's publishable key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        result = load_demo_data(stdout=self.stdout if verbosity >= 2 else None)
        if result.anything_new:
            parts = ", ".join(
                f"{count} {label.split('.')[1]}" for label, count in result.created.items() if count
            )
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {parts}."))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        website = result.website
        self.stdout.write(f'Demo website "{website.name}"')
        self.stdout.write(f"  publishable key: {website.publishable_key}")
        self.stdout.write(f"  allowed origins: {', '.join(website.allowed_origins)}")
