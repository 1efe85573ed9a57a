"""The knowledge base's vocabulary: the default synonym groups (staff edit them in the admin)."""

from __future__ import annotations

from django.db import transaction

from ..bot.synonyms import DEFAULT_SYNONYMS
from ..models import KnowledgeSynonym


@transaction.atomic
def knowledge_synonyms_seed() -> int:
    """Add the default synonym groups that are missing (same terms); returns how many were added.
    Idempotent: the data migration, the demo and the bot's evaluation all call it."""
    existing = set(KnowledgeSynonym.objects.values_list("terms", flat=True))
    missing = [KnowledgeSynonym(terms=terms) for terms in DEFAULT_SYNONYMS if terms not in existing]
    KnowledgeSynonym.objects.bulk_create(missing)
    return len(missing)
