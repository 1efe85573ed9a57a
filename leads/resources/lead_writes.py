"""`LeadResource`'s writes: new leads in bulk (company through `companies_resolve`, score through
`lead_rescore`'s steps, timeline entries), changed leads in bulk plus their status, owner and
follow-up through the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from ..domains import EmailDomain
from ..duplicates import DuplicateIndex, leads_flag_new_duplicates
from ..models import Lead, LeadEvent, LeadEventKind, LeadStatus
from ..scoring import ScoreResult, score_lead
from ..services import (
    companies_resolve,
    company_matched_event,
    lead_assign,
    lead_change_status,
    lead_rescore_later,
    lead_schedule_follow_up,
    lead_score_apply,
    lead_scoring_input,
    score_event_values,
)
from .cells import _json_value
from .lead_columns import (
    IMPORT_ACTOR_LABEL,
    ImportEvent,
    LeadImportRow,
)


class LeadWritesMixin:
    """Writing a batch of new and changed leads set-based, with their companies, scores and
    timeline entries (see `LeadResource`); `leads.bulk_import` calls the same helpers."""

    # --- Import: writing, in bulk -----------------------------------------------------------------

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Insert a batch of new leads with company, score and timeline (see the class docstring).

        A failure here is a "base error" of the chunk, and `import_data` rolls the chunk back.
        """
        leads = list(self.create_instances)
        if not leads or not (using_transactions or not dry_run):
            self.create_instances.clear()
            return
        try:
            self._link_companies(leads)
            self._score(leads)
        except Exception as exc:  # noqa: BLE001 - reported as the chunk's error, never a 500
            self.create_instances.clear()
            self.handle_import_error(result, exc, raise_errors)
            return
        if not dry_run and self._duplicates is None:
            # Built before this batch is inserted: the leads already there, plus (via add_lead)
            # every lead this import creates. Dry runs do not flag, so they need no index.
            self._duplicates = DuplicateIndex.build()
        failures = len(result.base_errors) if result is not None else 0
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        if result is not None and len(result.base_errors) > failures:
            return
        try:
            LeadEvent.objects.bulk_create(
                [event.build() for event in self.new_lead_events(leads)], batch_size=500
            )
            for lead in leads:
                if lead._import_row.rescore_later:
                    lead_rescore_later(lead=lead)
            if not dry_run:
                assert self._duplicates is not None
                leads_flag_new_duplicates(leads=leads, index=self._duplicates, actor_label=IMPORT_ACTOR_LABEL)
        except Exception as exc:  # noqa: BLE001
            self.handle_import_error(result, exc, raise_errors)

    def get_bulk_update_fields(self) -> list[str]:
        fields = {attribute for lead in self.update_instances for attribute in lead._import_row.changes}
        return sorted(fields | {"updated_at"}) if fields else []

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Write a batch of changed leads: fields in bulk, status/owner/follow-up via services."""
        leads = list(self.update_instances)
        if not leads or not (using_transactions or not dry_run):
            self.update_instances.clear()
            return
        changed = [lead for lead in leads if lead._import_row.changes]
        for lead in changed:
            lead.updated_at = self._now
        self.update_instances[:] = changed
        failures = len(result.base_errors) if result is not None else 0
        if changed:
            super().bulk_update(
                using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result
            )
        else:
            self.update_instances.clear()
        if result is not None and len(result.base_errors) > failures:
            return
        try:
            LeadEvent.objects.bulk_create(
                [self.updated_event(lead).build() for lead in changed], batch_size=500
            )
            for lead in leads:
                self._apply_service_changes(lead)
                if "job_title" in lead._import_row.changes:
                    lead_rescore_later(lead=lead)
        except Exception as exc:  # noqa: BLE001
            self.handle_import_error(result, exc, raise_errors)

    # --- Helpers of the bulk writes ------------------------------------------------------------

    def _link_companies(self, leads: list[Lead]) -> None:
        """Give each new lead the company of its corporate mail domain through
        `companies_resolve` (the set form of `company_resolve`: a fixed number of queries per
        chunk); companies found are kept for the rest of the file."""
        self._resolve_companies((lead._import_row.domain, lead.company_name) for lead in leads)
        for lead in leads:
            domain = lead._import_row.domain
            company = self._companies.get(domain.registrable) if domain.is_corporate else None
            if company is not None:
                lead.company = company
                lead.is_fortune_500 = company.is_fortune_500

    def _resolve_companies(self, rows: Iterable[tuple[EmailDomain, str]]) -> None:
        """Find or create (`companies_resolve`) the companies of these (mail domain, typed
        company name) pairs that this file has not met yet; the first row's name names a new one."""
        wanted: dict[str, str] = {}
        for domain, company_name in rows:
            if domain.is_corporate and domain.registrable not in self._companies:
                wanted.setdefault(domain.registrable, company_name)
        if wanted:
            self._companies.update(companies_resolve(names=wanted))

    def _score_of(self, lead: Any, domain: EmailDomain) -> ScoreResult:
        """The score of a new lead (anything with `job_title` and `company`), computed once per
        distinct title, company rank and size and kind of mail domain (see `_score`)."""
        company = lead.company
        inputs = (
            lead.job_title,
            company.fortune_rank if company else None,
            company.employee_count if company else None,
            domain.kind,
        )
        result = self._score_memo.get(inputs)
        if result is None:
            scoring_input = lead_scoring_input(lead=lead, activities=(), now=self._now, email_domain=domain)
            result = self._score_memo[inputs] = score_lead(scoring_input, self._scoring)
        return result

    def _score(self, leads: list[Lead]) -> None:
        """Score new leads with `lead_rescore`'s own steps (`lead_scoring_input`, the engine,
        `lead_score_apply`): an imported lead has no activity yet, so only who they are counts.
        A lead that would be hot goes through `lead_rescore_later`, which qualifies it and
        alerts sales exactly as for a website lead.

        Without activity the score depends only on the title, the company's rank and size and
        the kind of mail domain, so the engine runs once per distinct combination (a 100,000-row
        file has a few thousand) and the result is shared: it is read-only once stored."""
        config = self._scoring
        for lead in leads:
            result = self._score_of(lead, lead._import_row.domain)
            if result.total >= config.hot_threshold:
                lead._import_row.rescore_later = True
                continue
            lead_score_apply(lead=lead, result=result, now=self._now, deal_value_config=self._deal_value)

    def _event(
        self, lead: Lead, kind: LeadEventKind, summary: str, data: dict[str, Any], **who: Any
    ) -> ImportEvent:
        """A timeline entry to write, by the importing user or "import" unless `who` says."""
        actor = who.get("actor", self.actor)
        staff = actor if actor is not None and actor.is_authenticated else None
        label = staff.get_username() if staff is not None else who.get("actor_label", IMPORT_ACTOR_LABEL)
        return ImportEvent(lead, kind, summary[:500], data, staff, label[:100], self._now)

    def _where(self, row: LeadImportRow) -> str:
        return f"{self.source_name}, row {row.number}" if self.source_name else f"row {row.number}"

    def new_lead_events(self, leads: list[Lead]) -> list[ImportEvent]:
        """Imported, company matched and scored entries of new leads, in the order they happened."""
        events = []
        for lead in leads:
            row = lead._import_row
            details = [f"owner {lead.owner.get_username()}" if lead.owner else "unassigned"]
            if lead.status != LeadStatus.NEW:
                details.append(f"status {LeadStatus(lead.status).label}")
            if lead.next_follow_up_at:
                details.append(f"follow-up {timezone.localtime(lead.next_follow_up_at):%Y-%m-%d %H:%M}")
            events.append(
                self._event(
                    lead,
                    LeadEventKind.IMPORTED,
                    f"Imported ({self._where(row)}): {', '.join(details)}",
                    {
                        "file": self.source_name,
                        "row": row.number,
                        "values": {name: _json_value(value) for name, value in row.values.items()},
                    },
                )
            )
            company = lead.company
            if company is not None:
                matched = company_matched_event(lead=lead, company=company)
                events.append(
                    self._event(
                        lead, matched.kind, matched.summary, matched.data, actor=None, actor_label="system"
                    )
                )
            if lead.scored_at is not None:
                summary, data = score_event_values(
                    previous=0, total=lead.score, breakdown=lead.score_breakdown
                )
                events.append(
                    self._event(lead, LeadEventKind.SCORED, summary, data, actor=None, actor_label="system")
                )
        return events

    def updated_event(self, lead: Lead) -> ImportEvent:
        row = lead._import_row
        names = ", ".join(row.changes)
        return self._event(
            lead,
            LeadEventKind.UPDATED,
            f"Updated by import ({self._where(row)}): {names}",
            {
                "file": self.source_name,
                "row": row.number,
                "changes": {
                    name: [_json_value(old), _json_value(new)] for name, (old, new) in row.changes.items()
                },
            },
        )

    def _apply_service_changes(self, lead: Lead) -> None:
        row = lead._import_row
        who = {"actor": self.actor, "actor_label": IMPORT_ACTOR_LABEL}
        if row.owner is not None:
            lead_assign(lead=lead, owner=row.owner[0], **who)
        if row.status is not None:
            status, reason = row.status
            lead_change_status(lead=lead, status=status, lost_reason=reason, **who)
        if row.follow_up is not None:
            lead_schedule_follow_up(lead=lead, at=row.follow_up[0], **who)
