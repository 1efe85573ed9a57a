"""`manage.py create_api_key --name "CRM sync" --scope leads:read [--scope leads:write]`

Prints the new secret key once; only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from enterprise_scanner.api.models import ApiScope
from enterprise_scanner.api.services import api_key_create


class Command(BaseCommand):
    help = "Create a secret API key for an integration and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'Salesforce sync'.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            required=True,
            choices=ApiScope.values,
            help="Repeat for several scopes.",
        )
        parser.add_argument("--partner", help="Referral code of the partner a 'partner' key belongs to.")
        parser.add_argument("--expires-days", type=int, help="Expire the key after this many days.")

    def handle(self, *args: Any, **options: Any) -> None:
        from partners.models import Partner

        partner = None
        if options["partner"]:
            partner = Partner.objects.filter(referral_code=options["partner"].upper()).first()
            if partner is None:
                raise CommandError(f"No partner with referral code {options['partner']!r}.")
        expires_at = None
        if options["expires_days"] is not None:
            if options["expires_days"] < 1:
                raise CommandError("--expires-days must be at least 1.")
            expires_at = timezone.now() + timedelta(days=options["expires_days"])
        try:
            key, raw_key = api_key_create(
                name=options["name"], scopes=options["scopes"], partner=partner, expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Created API key {key.name!r} with scopes {', '.join(key.scopes)}.")
        if key.expires_at:
            self.stdout.write(f"Expires: {key.expires_at:%Y-%m-%d %H:%M %Z}")
        self.stdout.write("The key is shown only now; store it safely:\n")
        self.stdout.write(raw_key)
        self.stdout.write(f"\nUse it as:  Authorization: Api-Key {raw_key[:15]}…")
