"""Right to erasure: delete everything about one person, keeping only a record that it was done."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import person_forget


class Command(BaseCommand):
    help = (
        "Erase the lead with this e-mail and its events, conversations, assessments and ROI calculations; "
        "a partner commission is kept for accounting, detached from the lead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            record = person_forget(email=options["email"], actor_label=f"manage.py by {getpass.getuser()}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not record.deleted:
            self.stdout.write("No lead with that e-mail address; the request is recorded.")
            return
        summary = ", ".join(f"{n} {kind}" for kind, n in record.deleted.items())
        self.stdout.write(f"Erased: {summary}. Erasure record #{record.pk}.")
