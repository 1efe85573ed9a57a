"""The set-based path of `manage.py import_leads`: one chunk of rows at a time, no ORM per row.

`leads.importing.leads_import` reads the file and hands each chunk to `LeadChunkImporter`.
A chunk means exactly what the admin's import (`leads.resources.LeadResource`) makes of the
same rows, because the rows are cleaned and applied by that resource's own methods
(`before_import_row`, `after_init_instance`, `import_instance`, `skip_row`) and its companies,
scores and timeline entries come from the same helpers. What differs is only how the chunk
is driven and written, which is where the time went (django-import-export's per-row result
objects and diffs, and the ORM's per-object `bulk_create` of ~4 rows per imported row):

* the known leads of the chunk are fetched with one query per 500 e-mails;
* new leads and their timeline entries are written with PostgreSQL ``COPY`` (psycopg 3
  ``cursor.copy()``) or one ``executemany`` INSERT on SQLite, from values prepared once per
  column with the model fields' own database conversion (`Field.get_db_prep_save`);
* the few changed leads still go through `bulk_update` and the services
  (`lead_change_status`, `lead_assign`, `lead_schedule_follow_up`) for their checks.

Each chunk is one transaction: it is written completely or not at all, so a crash loses
nothing already reported as imported, and a re-run finds the rows in by e-mail and skips
them. A chunk the database refuses (say, a website form created a lead with one of its
e-mails a moment earlier) is rolled back and its rows are reported as not imported. A dry run
does all of it and rolls each chunk back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone

from .duplicates import DuplicateIndex, leads_flag_new_duplicates
from .import_sql import NewLeadRow, NewLeadsSqlWriter
from .models import Lead, LeadEvent
from .resources import IMPORT_ACTOR_LABEL, ImportEvent, LeadResource
from .selectors import leads_by_email_key
from .services import lead_rescore_later

#: Field classes whose Python value is already what the database driver takes on every backend.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)


@dataclass
class ChunkResult:
    """What importing one chunk did (or, if `failed`, would have done: nothing was written)."""

    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    failed: str = ""  # why the database refused the whole chunk; "" when it was written


def row_error_text(error: ValidationError) -> str:
    """ "email: … ; status: …": every problem of one row, by column."""
    if hasattr(error, "error_dict"):
        return "; ".join(f"{column}: {' '.join(messages)}" for column, messages in error.message_dict.items())
    return " ".join(error.messages)


@dataclass
class PreparedChunk:
    """A cleaned chunk, decided row by row, not yet written (`LeadChunkImporter.prepare`)."""

    now: datetime  # the chunk's time: its timeline entries, scores and updates carry it
    result: ChunkResult
    new: list[Lead]  # new leads on the per-row path (SQLite)
    new_rows: list[NewLeadRow]  # new leads on the set-based path
    changed: list[Lead]
    services: list[Lead]

    @property
    def background(self) -> bool:
        """Whether the chunk may be written on a writer thread: only set-based new leads (the
        per-row writes read state, such as the resource's time, that the next chunk changes)."""
        return not (self.new or self.changed or self.services)


class InsertTable:
    """The insertable columns of a model, how to turn Python values into one database row, and
    the database's fastest way to write many rows. The import uses it for leads and timeline
    entries; bench/scale_data.py for its generated millions."""

    def __init__(self, model: type[models.Model]) -> None:
        self.fields = [f for f in model._meta.concrete_fields if not f.generated and not f.auto_created]
        self.name = model._meta.db_table
        conversions: list[Callable[[Any], Any] | None] = []
        for model_field in self.fields:
            plain = isinstance(model_field, _PLAIN_FIELDS) and not model_field.is_relation
            conversions.append(None if plain else self._converter(model_field))
        self.conversions = conversions

    @staticmethod
    def _converter(model_field: models.Field) -> Callable[[Any], Any]:
        # prepared=True: the values come from model instances our own code filled with the
        # field's Python type, so only the database adaptation (`get_db_prep_value`) is left.
        # The real connection, not the `connection` proxy: the proxy's lookup per value cost
        # more than the conversion. Date-times repeat (a chunk's entries share one "now"), so
        # their conversions are memoised for the table's life (one chunk).
        database = connections[DEFAULT_DB_ALIAS]
        prepare = model_field.get_db_prep_value
        if not isinstance(model_field, models.DateTimeField):
            return lambda value: prepare(value, database, prepared=True)
        seen: dict[Any, Any] = {}

        def convert(value: Any) -> Any:
            converted = seen.get(value)
            if converted is None:
                converted = seen[value] = prepare(value, database, prepared=True)
            return converted

        return convert

    def row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if convert is None or value is None else convert(value)
            for convert, value in zip(self.conversions, values, strict=True)
        )

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Write `rows` (in `self.fields` order) with the database's fastest way in."""
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(self.name)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {quote(self.name)} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names from the model
                    rows,
                )


class LeadChunkImporter:
    """Imports chunks of cleaned-in-place rows (dicts of column → cell) for one file.

    State that spans chunks: the resource (e-mails seen earlier in the file, staff users,
    companies found so far, memoised scores), and the duplicates index, built once.
    """

    def __init__(self, *, resource: LeadResource, dry_run: bool, set_based: bool | None = None) -> None:
        """`set_based`: write new leads with `leads.import_sql` (COPY into a staging table, then
        SQL); by default on PostgreSQL, where it is available. SQLite writes them per row."""
        self.resource = resource
        self.dry_run = dry_run
        if set_based is None:
            set_based = connection.vendor == "postgresql"
        self.sql = NewLeadsSqlWriter(resource) if set_based else None
        self.leads = InsertTable(Lead)  # made again for each chunk (see `InsertTable._converter`)
        self.events = InsertTable(LeadEvent)
        resource._companies = {}  # kept for the whole file (see import_chunk)

    def import_chunk(self, rows: list[dict[str, Any]], numbers: list[int]) -> ChunkResult:
        """Import `rows` (data row `numbers` in the file) in one transaction."""
        return self.write(self.prepare(rows, numbers))

    def prepare(self, rows: list[dict[str, Any]], numbers: list[int]) -> PreparedChunk:
        """Clean the chunk and decide each row (new, update, unchanged, error); writes nothing."""
        resource = self.resource
        resource.row_numbers = numbers
        now = resource._now = timezone.now()
        result = ChunkResult()
        cleaned = []
        for index, row in enumerate(rows, 1):
            try:
                resource.before_import_row(row, row_number=index)
            except ValidationError as exc:
                result.errors.append((numbers[index - 1], row_error_text(exc)))
                continue
            cleaned.append((row, resource.current))
        known = leads_by_email_key(keys=(current.key for _, current in cleaned))

        new: list[Lead] = []
        new_rows: list[NewLeadRow] = []  # set-based: no model instances
        changed: list[Lead] = []
        services: list[Lead] = []
        for row, current in cleaned:
            resource.current = current
            instance = known.get(current.key)
            try:
                if instance is None and self.sql is not None:
                    new_rows.append(self.sql.new_row(current))
                    continue
                if instance is None:
                    instance = Lead()
                else:
                    resource.after_init_instance(instance, False, row)
                resource.import_instance(instance, row)
            except ValidationError as exc:
                result.errors.append((current.number, row_error_text(exc)))
                continue
            if current.new:
                new.append(instance)
            elif resource.skip_row(instance, None, row):
                result.skipped += 1
            else:
                if current.changes:
                    changed.append(instance)
                services.append(instance)
                result.updated += 1
        result.new = len(new) + len(new_rows)
        return PreparedChunk(now, result, new, new_rows, changed, services)

    def write(self, chunk: PreparedChunk) -> ChunkResult:
        """Write a prepared chunk in one transaction (all of it, or none: `ChunkResult.failed`).

        Chunks must be written in file order, one at a time. A chunk of only new leads on the
        set-based path may be written on another thread while the next one is prepared
        (`background`): it reads nothing the preparing thread changes."""
        resource = self.resource
        result = chunk.result
        self.leads, self.events = InsertTable(Lead), InsertTable(LeadEvent)
        if chunk.new or chunk.changed or chunk.services:
            resource._now = chunk.now  # the per-row path reads it (timeline times)
        try:
            with transaction.atomic():
                self._write_new(chunk.new)
                self._write_new_set_based(chunk.new_rows, chunk.now)
                self._write_updates(chunk.changed, chunk.services)
                if self.dry_run:
                    transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - reported as the chunk's error, never a traceback
            resource._duplicates = None  # it holds the chunk's leads: rebuild from the database
            result.failed = str(exc)[:500] or exc.__class__.__name__
        if result.failed or self.dry_run:
            # Companies the chunk created were rolled back with it: forget them. Otherwise the
            # companies found or made so far are kept for the next chunks (fewer lookups).
            resource._companies = {}
        return result

    def _write_new(self, leads: list[Lead]) -> None:
        if not leads:
            return
        resource = self.resource
        resource._link_companies(leads)
        resource._score(leads)
        if not self.dry_run and resource._duplicates is None:
            # Built once, before the first leads of this import are written; each new lead is then
            # added to it, so later rows match earlier ones (see leads_flag_new_duplicates).
            resource._duplicates = DuplicateIndex.build()
        now = resource._now
        attnames = [f.attname for f in self.leads.fields]
        rows = []
        for lead in leads:
            lead.updated_at = now
            rows.append(self.leads.row([getattr(lead, name) for name in attnames]))
        self.leads.insert(rows)
        for lead in leads:
            lead._state.adding = False
            lead._state.db = connection.alias
        self._write_events(resource.new_lead_events(leads))
        for lead in leads:
            if lead._import_row.rescore_later:
                lead_rescore_later(lead=lead)
        if not self.dry_run:
            leads_flag_new_duplicates(leads=leads, index=resource._duplicates, actor_label=IMPORT_ACTOR_LABEL)

    def _write_new_set_based(self, rows: list[NewLeadRow], now: datetime) -> None:
        if not rows or self.sql is None:
            return
        resource = self.resource
        if not self.dry_run and resource._duplicates is None:
            resource._duplicates = DuplicateIndex.build()  # as in _write_new
        self.sql.write(rows, now=now, flag_duplicates=not self.dry_run)

    def _write_events(self, events: list[ImportEvent]) -> None:
        columns = {f.attname: position for position, f in enumerate(self.events.fields)}
        order = [
            columns["lead_id"],
            columns["kind"],
            columns["summary"],
            columns["data"],
            columns["actor_id"],
            columns["actor_label"],
            columns["created_at"],
        ]
        if sorted(order) != list(range(len(columns))):
            raise RuntimeError("LeadEvent has columns the bulk import does not fill")
        rows = []
        for event in events:
            values: list[Any] = [None] * len(columns)
            for position, value in zip(
                order,
                (
                    event.lead.pk,
                    event.kind,
                    event.summary,
                    event.data,
                    event.actor.pk if event.actor is not None else None,
                    event.actor_label,
                    event.created_at,
                ),
                strict=True,
            ):
                values[position] = value
            rows.append(self.events.row(values))
        self.events.insert(rows)

    def _write_updates(self, changed: list[Lead], services: list[Lead]) -> None:
        """Changed fields in bulk with an "updated" entry each; status, owner and follow-up
        changes through their services (checks, timeline, notifications)."""
        resource = self.resource
        if changed:
            fields = sorted({name for lead in changed for name in lead._import_row.changes} | {"updated_at"})
            for lead in changed:
                lead.updated_at = resource._now
            Lead.objects.bulk_update(changed, fields, batch_size=1000)
            self._write_events([resource.updated_event(lead) for lead in changed])
        for lead in services:
            resource._apply_service_changes(lead)
            if "job_title" in lead._import_row.changes:
                lead_rescore_later(lead=lead)
