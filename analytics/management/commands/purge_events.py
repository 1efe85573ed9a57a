"""Retention: delete raw events older than N days (the daily rollups stay) and the anonymous
visitors not seen since."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import events_purge


class Command(BaseCommand):
    help = (
        "Delete tracker events older than --older-than DAYS days, and anonymous visitors (no lead, "
        "no ROI calculation) not seen since."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = events_purge(older_than_days=options["older_than"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Deleted {result.events} event(s) older than {options['older_than']} day(s) and "
            f"{result.visitors} anonymous visitor(s) not seen since."
        )
