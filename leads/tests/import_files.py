"""Helpers shared by the import tests: writing a CSV file and reading a lead's timeline."""

from __future__ import annotations

import csv
from pathlib import Path

from leads.models import Lead


def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def kinds(lead: Lead) -> list[str]:
    """The lead's timeline, oldest first, as entry kinds."""
    return list(lead.events.order_by("created_at", "id").values_list("kind", flat=True))
