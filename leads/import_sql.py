"""New leads of an import, written set-based on PostgreSQL: COPY into a staging table, then SQL.

`leads.bulk_import` cleans every row in Python (the same `LeadResource` steps as the admin's
import, so a file means the same everywhere). For the rows that are new leads, which are
nearly all rows of a first import, this module then does in SQL what the per-row Python did:

* one ``COPY`` (psycopg 3 ``cursor.copy()``) of the chunk's cleaned values into a TEMP staging
  table (dropped at commit), and one of the chunk's distinct scores into a second;
* one ``INSERT INTO leads_lead ... SELECT`` from the staging table joined to its score, with
  the company's Fortune 500 flag joined from ``leads_company``;
* one ``INSERT INTO leads_leadevent ... SELECT`` of the three timeline entries of each lead
  (imported, company matched, scored), their texts and JSON data built by the database
  (``jsonb_build_object``), in the order the per-row path wrote them.

Why this split: measured on 20,000 rows, Python spent more on *building* the rows (model
instances, a JSON document per timeline entry, the adaptation of 31 values per lead) than on
deciding what they hold. What stays in Python is what only Python can decide: the API's
e-mail validation and every other cleaning rule, the company of each mail domain
(`services.companies_resolve`, once per domain and file), the score (the engine runs once per
distinct title / company rank and size / kind of domain, as in `LeadResource._score`), the
hot leads left to `lead_rescore_later`, and the duplicate keys (accent folding, phone rules;
`leads.duplicates.new_leads_flag_duplicates`, after the leads are in).

A concurrent website lead with one of the chunk's e-mails makes the INSERT fail, and the chunk
is rolled back and reported as not imported, exactly as on the per-row path (a re-run takes
it). SQLite keeps the per-row path (`leads.bulk_import`); the equivalence of both is tested
in `leads/tests/test_import_sql.py`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection
from django.utils import timezone

from .duplicates import NewLeadKeys, new_leads_flag_duplicates
from .models import Lead, LeadEventKind, LeadSource, LeadStatus
from .resources import IMPORT_ACTOR_LABEL, LeadImportRow
from .resources.lead_columns import LEAD_TEXT_COLUMNS
from .services import lead_rescore_later, lead_score_apply

if TYPE_CHECKING:
    from .resources import LeadResource

#: Text attributes of a lead a file may set (staging columns of the same names).
TEXT_ATTRIBUTES = tuple(LEAD_TEXT_COLUMNS.values())

_STAGING_COLUMNS = (
    ("position", "integer"),
    ("number", "integer"),
    ("id", "uuid"),
    ("created_at", "timestamptz"),
    ("email", "text"),
    *((attribute, "text") for attribute in TEXT_ATTRIBUTES),
    ("status", "text"),  # as given in the file (NULL: the lead's default)
    ("source", "text"),  # as given (NULL: "import")
    ("owner_name", "text"),  # the owner named in the file, for the timeline's values
    ("owner_id", "integer"),  # the lead's owner: the named one or the import's default
    ("consent", "boolean"),  # as given (NULL: not given)
    ("follow_up", "timestamptz"),
    ("follow_up_iso", "text"),  # as the per-row path writes it into the timeline's JSON
    ("company_id", "uuid"),
    ("score_id", "integer"),  # NULL: not scored here (a hot lead, left to lead_rescore_later)
    ("summary", "text"),  # of the "imported" timeline entry
)
_SCORE_COLUMNS = (
    ("id", "integer"),
    ("score", "smallint"),
    ("seniority", "text"),
    ("breakdown", "jsonb"),
    ("deal_value", "numeric"),
)

#: leads_lead column → the SELECT expression that fills it (s: staging, sc: score, c: company).
_LEAD_COLUMNS = {
    "id": "s.id",
    "email": "s.email",
    **{attribute: f"coalesce(s.{attribute}, '')" for attribute in TEXT_ATTRIBUTES},
    "seniority": "coalesce(sc.seniority, %(seniority)s)",
    "company_id": "s.company_id",
    "source": "coalesce(s.source, %(source)s)",
    "status": "coalesce(s.status, %(status)s)",
    "score": "coalesce(sc.score, %(score)s)",
    "score_breakdown": "coalesce(sc.breakdown, %(breakdown)s::jsonb)",
    "scored_at": "CASE WHEN sc.id IS NULL THEN NULL ELSE %(now)s END",
    "is_fortune_500": "coalesce(c.is_fortune_500, false)",
    "estimated_deal_value": "sc.deal_value",
    "actual_deal_value": "NULL",
    "owner_id": "s.owner_id",
    "partner_id": "NULL",
    "visitor_id": "NULL",
    "consent_marketing": "coalesce(s.consent, false)",
    "consent_marketing_at": "CASE WHEN s.consent THEN %(now)s END",
    "marketing_unsubscribed_at": "NULL",
    "last_contacted_at": "NULL",
    "next_follow_up_at": "s.follow_up",
    "created_at": "s.created_at",
    "updated_at": "%(now)s",
}

#: The "values" of an "imported" entry: the row's non-blank cells by attribute.
_IMPORTED_VALUES = (
    "jsonb_strip_nulls(jsonb_build_object("
    + ", ".join(f"'{attribute}', s.{attribute}" for attribute in TEXT_ATTRIBUTES)
    + ", 'status', s.status, 'source', s.source, 'owner', s.owner_name"
    + ", 'consent_marketing', s.consent, 'next_follow_up_at', s.follow_up_iso))"
)
#: `services.company_matched_event`'s summary and data, in SQL.
_MATCHED_SUMMARY = (
    "left('Matched to ' || c.name || ' (' || c.domain || CASE WHEN c.fortune_rank IS NOT NULL"
    " AND c.fortune_rank <> 0 THEN ', Fortune 500 #' || c.fortune_rank || ' ('"
    " || coalesce(c.fortune_year::text, 'None') || ')' ELSE '' END || ')', 500)"
)
# Our own constants; every value is a parameter.
_EVENTS_SQL = f"""
INSERT INTO leads_leadevent (lead_id, kind, summary, data, actor_id, actor_label, created_at)
SELECT lead_id, kind, summary, data, actor_id, actor_label, %(now)s FROM (
    SELECT s.position, 1 AS step, s.id AS lead_id, %(imported)s AS kind, left(s.summary, 500) AS summary,
           jsonb_build_object('file', %(file)s::text, 'row', s.number, 'values', {_IMPORTED_VALUES}) AS data,
           %(actor_id)s::integer AS actor_id, %(actor_label)s::text AS actor_label
    FROM import_new_lead s
    UNION ALL
    SELECT s.position, 2, s.id, %(matched)s, {_MATCHED_SUMMARY},
           jsonb_build_object('company', c.id::text, 'domain', c.domain, 'fortune_rank', c.fortune_rank),
           NULL, 'system'
    FROM import_new_lead s JOIN leads_company c ON c.id = s.company_id
    UNION ALL
    SELECT s.position, 3, s.id, %(scored)s, 'Score 0 → ' || sc.score,
           jsonb_build_object('previous', 0, 'score', sc.score, 'breakdown', sc.breakdown),
           NULL, 'system'
    FROM import_new_lead s JOIN import_score sc ON sc.id = s.score_id
) AS entry
ORDER BY position, step
"""  # noqa: S608


class NewLeadRow(NamedTuple):
    """A cleaned row that becomes a new lead: the row, its `new_lead_values`, and the summary of
    its "imported" timeline entry (worded where the row was cleaned, in that thread's language
    and time zone, as the per-row path words it)."""

    row: LeadImportRow
    values: dict[str, Any]
    summary: str


@dataclass(frozen=True)
class _Score:
    id: int
    hot: bool
    row: tuple[Any, ...]  # the import_score row (unused when hot)


class NewLeadsSqlWriter:
    """Writes the new leads of each chunk of one file (see the module docstring). State that
    spans chunks: the scores met so far (by their inputs) and the resource's companies."""

    def __init__(self, resource: LeadResource) -> None:
        self.resource = resource
        self._scores: dict[tuple[Any, ...], _Score] = {}
        self._follow_up_labels: dict[datetime, str] = {}
        actor = resource.actor
        self._actor_id = actor.pk if actor is not None else None
        self._actor_label = (actor.get_username() if actor is not None else IMPORT_ACTOR_LABEL)[:100]
        defaults = {
            name: Lead._meta.get_field(name).get_default() for name in ("seniority", "status", "score")
        }
        self._defaults = {
            **defaults,
            "breakdown": json.dumps(Lead._meta.get_field("score_breakdown").get_default()),
            "source": LeadSource.IMPORT.value,  # what `new_lead_values` gives a row without one
        }
        self._check_columns()

    @staticmethod
    def _check_columns() -> None:
        """Refuse to run if leads_lead has a column this writer does not fill (a new model field
        must be given its value here, or the import would silently leave it to the database)."""
        columns = {f.column for f in Lead._meta.concrete_fields if not f.generated}
        if columns != set(_LEAD_COLUMNS):
            raise RuntimeError(
                "leads.import_sql does not know the lead columns "
                + ", ".join(sorted(columns ^ set(_LEAD_COLUMNS)))
            )

    def _score(self, job_title: str, company: Any, row: LeadImportRow) -> _Score:
        """The chunk-independent score of these inputs, computed with `LeadResource._score_of`
        and applied with `lead_score_apply` (the per-row path's own steps) once per inputs."""
        inputs = (
            job_title,
            company.fortune_rank if company else None,
            company.employee_count if company else None,
            row.domain.kind,
        )
        score = self._scores.get(inputs)
        if score is None:
            resource = self.resource
            lead = SimpleNamespace(job_title=job_title, company=company, email=row.email)
            result = resource._score_of(lead, row.domain)
            hot = result.total >= resource._scoring.hot_threshold
            lead_score_apply(
                lead=lead, result=result, now=resource._now, deal_value_config=resource._deal_value
            )
            score = self._scores[inputs] = _Score(
                id=len(self._scores) + 1,
                hot=hot,
                row=(
                    len(self._scores) + 1,
                    result.total,
                    str(result.seniority),
                    json.dumps(result.breakdown),
                    lead.estimated_deal_value,
                ),
            )
        return score

    def new_row(self, row: LeadImportRow) -> NewLeadRow:
        """The cleaned `row` of a new lead, ready for `write` (raises the resource's
        ValidationError for a row that cannot be a new lead, see `new_lead_values`)."""
        values = self.resource.new_lead_values(row)
        return NewLeadRow(row, values, self._summary(row, values))

    def _summary(self, row: LeadImportRow, values: dict[str, Any]) -> str:
        """The "imported" entry's summary, worded as `LeadResource.new_lead_events` words it."""
        resource = self.resource
        owner = values.get("owner")
        details = [f"owner {owner.get_username()}" if owner is not None else "unassigned"]
        status = values.get("status", LeadStatus.NEW)
        if status != LeadStatus.NEW:
            details.append(f"status {LeadStatus(status).label}")
        follow_up = values.get("next_follow_up_at")
        if follow_up:
            label = self._follow_up_labels.get(follow_up)
            if label is None:
                label = self._follow_up_labels[follow_up] = f"{timezone.localtime(follow_up):%Y-%m-%d %H:%M}"
            details.append(f"follow-up {label}")
        return f"Imported ({resource._where(row)}): {', '.join(details)}"

    def write(self, rows: Sequence[NewLeadRow], *, now: datetime, flag_duplicates: bool) -> None:
        """Write the new leads `rows` (from `new_row`) in the caller's transaction: companies,
        leads, timeline, hot leads' re-scoring, duplicate flags. May run on a writer thread."""
        if not rows:
            return
        resource = self.resource
        resource._resolve_companies((row.domain, values.get("company_name", "")) for row, values, _ in rows)
        companies = resource._companies
        staging: list[tuple[Any, ...]] = []
        scores: dict[int, tuple[Any, ...]] = {}
        hot: list[uuid.UUID] = []
        keys: list[NewLeadKeys] = []
        for position, (row, values, summary) in enumerate(rows):
            get = values.get
            domain = row.domain
            company = companies.get(domain.registrable) if domain.is_corporate else None
            job_title = get("job_title", "")
            score = self._score(job_title, company, row)
            pk = uuid.uuid4()
            created_at = timezone.now()
            if score.hot:
                hot.append(pk)
            else:
                scores[score.id] = score.row
            given = row.values
            owner = get("owner")
            follow_up = get("next_follow_up_at")
            company_id = company.pk if company is not None else None
            staging.append(
                (
                    position,
                    row.number,
                    pk,
                    created_at,
                    row.email,
                    *(get(attribute) for attribute in TEXT_ATTRIBUTES),
                    given.get("status"),
                    given.get("source"),
                    given["owner"].get_username() if "owner" in given else None,
                    owner.pk if owner is not None else None,
                    given.get("consent_marketing"),
                    follow_up,
                    follow_up.isoformat() if follow_up is not None else None,
                    company_id,
                    None if score.hot else score.id,
                    summary,
                )
            )
            keys.append(
                NewLeadKeys(
                    pk,
                    row.email,
                    get("phone", ""),
                    get("first_name", ""),
                    get("last_name", ""),
                    company_id,
                    get("company_name", ""),
                    created_at,
                )
            )
        params = {
            "now": now,
            "file": resource.source_name,
            "actor_id": self._actor_id,
            "actor_label": self._actor_label,
            "imported": LeadEventKind.IMPORTED.value,
            "matched": LeadEventKind.COMPANY_MATCHED.value,
            "scored": LeadEventKind.SCORED.value,
            **self._defaults,
        }
        columns = ", ".join(_LEAD_COLUMNS)
        expressions = ", ".join(_LEAD_COLUMNS.values())
        with connection.cursor() as cursor:
            _copy_into(cursor, "import_new_lead", _STAGING_COLUMNS, staging)
            _copy_into(cursor, "import_score", _SCORE_COLUMNS, scores.values())
            cursor.execute(
                f"INSERT INTO leads_lead ({columns}) SELECT {expressions} "  # noqa: S608 - our own names
                "FROM import_new_lead s LEFT JOIN import_score sc ON sc.id = s.score_id "
                "LEFT JOIN leads_company c ON c.id = s.company_id ORDER BY s.position",
                params,
            )
            cursor.execute(_EVENTS_SQL, params)
        for pk in hot:
            lead_rescore_later(lead=Lead(pk=pk))
        if flag_duplicates:
            new_leads_flag_duplicates(leads=keys, index=resource._duplicates, actor_label=IMPORT_ACTOR_LABEL)


def _copy_into(cursor: Any, table: str, columns: Sequence[tuple[str, str]], rows: Any) -> None:
    """A TEMP table `table` dropped at commit, filled with `rows` by COPY. (Dropped first too:
    inside an outer transaction, such as a test's, the chunks' transactions are savepoints.)"""
    definition = ", ".join(f"{name} {kind}" for name, kind in columns)
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    cursor.execute(f"CREATE TEMP TABLE {table} ({definition}) ON COMMIT DROP")
    names = ", ".join(name for name, _ in columns)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
