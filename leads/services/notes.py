"""Notes staff write on a lead in the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Lead, LeadEventKind, LeadNote
from .events import lead_event_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


NOTE_MAX_LENGTH = 10000


@transaction.atomic
def lead_note_add(*, lead: Lead, author: AbstractBaseUser | None, body: str) -> LeadNote:
    """Write a note on the lead and put it on the timeline, so the timeline alone tells the story.

    Blank notes are refused (they would be noise on the timeline), as are notes over 10,000
    characters (the column's limit, which SQLite would not enforce)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something in the note."})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep notes under {NOTE_MAX_LENGTH:,} characters (this one has {len(body):,})."}
        )
    author = author if author is not None and author.is_authenticated else None
    note = LeadNote.objects.create(lead=lead, author=author, body=body)
    first_line = body.splitlines()[0]
    lead_event_record(
        lead=lead,
        kind=LeadEventKind.NOTE_ADDED,
        summary=f"Note: {first_line[:200]}" + ("…" if len(first_line) > 200 or "\n" in body else ""),
        data={"note": note.pk},
        actor=author,
    )
    return note
