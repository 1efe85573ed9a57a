"""Trigram indexes for the admin's lead and company search (PostgreSQL only; nothing on SQLite).

The admin searches with `icontains`, which Django sends to PostgreSQL as
`UPPER("column"::text) LIKE UPPER('%term%')`. A B-tree cannot serve a leading wildcard, so at a
million leads every search was a sequential scan. A pg_trgm GIN index on exactly that expression,
`UPPER(("column")::text) gin_trgm_ops`, can: the planner combines one bitmap scan per searched
column (BitmapOr) and reads only the matching rows. The expression must match the emitted SQL
character for character, which is why these are hand-written SQL and not `Meta.indexes`
(`leads.selectors.lead_search_q` produces the matching lookups; see docs/deploy.md).

`CREATE EXTENSION pg_trgm` needs a role allowed to create extensions (a superuser, or on
PostgreSQL 13+ the database owner, pg_trgm being a trusted extension). When the extension is
already there the statement does nothing. Reversing drops the indexes but keeps the extension,
which other code in the database may use.

Outside a transaction (a real `migrate`: this migration is not atomic) the indexes are built
CONCURRENTLY, so adding them to a live database does not block lead writes while they build.
"""

from django.db import migrations

#: (index name, table, column)
TRIGRAM_INDEXES = (
    ("lead_email_trgm_idx", "leads_lead", "email"),
    ("lead_first_name_trgm_idx", "leads_lead", "first_name"),
    ("lead_last_name_trgm_idx", "leads_lead", "last_name"),
    ("lead_company_name_trgm_idx", "leads_lead", "company_name"),
    ("company_name_trgm_idx", "leads_company", "name"),
    ("company_domain_trgm_idx", "leads_company", "domain"),
    ("companydomain_domain_trgm_idx", "leads_companydomain", "domain"),
)


def _concurrently(schema_editor) -> str:
    return "" if schema_editor.connection.in_atomic_block else " CONCURRENTLY"


def create_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {quote(name)} ON {quote(table)} "
            f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {schema_editor.quote_name(name)}"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("leads", "0003_sales_groups")]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
