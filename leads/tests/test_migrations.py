"""leads 0004 (trigram search indexes) applies and reverses on either database: on PostgreSQL it
creates and drops the indexes, on SQLite it does nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TRIGRAM = ("leads", "0004_search_trigram_indexes")
BEFORE = ("leads", "0003_sales_groups")


def trigram_indexes() -> set[str]:
    with connection.cursor() as cursor:
        names = set()
        for table in ("leads_lead", "leads_company", "leads_companydomain"):
            names |= set(connection.introspection.get_constraints(cursor, table))
    return {name for name in names if name.endswith("_trgm_idx")}


def migrate_leads(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def migrate_to_latest() -> None:
    """Every app back at its latest migration: going back to 0003 also unapplied every later
    leads migration (and the tables they create, e.g. tasks), which the rest of the session needs."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_trigram_migration_applies_and_reverses() -> None:
    expected = (
        {
            "lead_email_trgm_idx",
            "lead_first_name_trgm_idx",
            "lead_last_name_trgm_idx",
            "lead_company_name_trgm_idx",
            "company_name_trgm_idx",
            "company_domain_trgm_idx",
            "companydomain_domain_trgm_idx",
        }
        if connection.vendor == "postgresql"
        else set()
    )
    assert trigram_indexes() == expected
    try:
        migrate_leads(BEFORE)
        assert trigram_indexes() == set()
        assert BEFORE in MigrationExecutor(connection).loader.applied_migrations
        assert TRIGRAM not in MigrationExecutor(connection).loader.applied_migrations
    finally:
        migrate_to_latest()
    assert trigram_indexes() == expected
    assert "leads_leadtask" in connection.introspection.table_names()
