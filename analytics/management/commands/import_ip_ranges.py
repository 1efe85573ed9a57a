"""Import company IP ranges: a CSV of `cidr,domain` rows (a header row is optional)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import ip_ranges_import


class Command(BaseCommand):
    help = "Import CIDR → company domain ranges, e.g. '192.0.2.0/24,example.com' per line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        rows = []
        for row in csv.reader(text.splitlines()):
            if not row or row[0].strip().startswith("#"):
                continue
            if row[0].strip().lower() in ("cidr", "network"):
                continue
            rows.append((row[0], row[1] if len(row) > 1 else ""))
        result = ip_ranges_import(rows=rows)
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            f"{result.created} range(s) added, {result.updated} updated, {len(result.errors)} error(s)."
        )
