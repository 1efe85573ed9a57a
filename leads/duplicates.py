"""Likely duplicate leads: how they are recognised, listed and merged.

The database already refuses two leads with the same e-mail ignoring case. What it cannot see
is the same person arriving twice under addresses that reach one mailbox (``Jane.Doe+demo@gmail.com``
and ``janedoe@googlemail.com``), with the same phone number written differently, or under the
same name at the same company. Those are *likely* duplicates: we flag and list them, and a
person decides to merge. Nothing here merges on its own.

Matching keys (computed in Python over small candidate sets, so no model change is needed):

==================================  ==========================================================
Domain of the address               What is ignored in the local part (besides letter case)
==================================  ==========================================================
gmail.com, googlemail.com           dots and ``+tag``; googlemail.com counts as gmail.com
every other domain (outlook.com,    ``+tag`` only (sub-addressing, supported by Microsoft,
hotmail.com, live.com, msn.com,     Apple, Yahoo, Fastmail, Proton, Google Workspace and
icloud.com, yahoo.com, corporate)   Microsoft 365 corporate mailboxes). Dots stay significant:
                                    only Gmail documents that it ignores them.
==================================  ==========================================================

Phones: digits only (an extension after ``x``/``ext``/``#`` is dropped, a leading ``00`` is
the international prefix ``+``); two numbers match when their last 10 digits agree, so
``+1 (212) 555-0100``, ``212.555.0100`` and ``001 212 555 0100`` are one number, as are
``+44 20 7946 0958`` and ``020 7946 0958``. Numbers with fewer than 7 digits never match.

Names: first and last name lower-cased with accents folded (``José`` = ``Jose``), both needed,
at the same company (the linked company, or the typed company name when there is none).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Lead, LeadEvent, LeadEventKind, LeadNote, Seniority
from .selectors import lead_queryset_for_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

REASON_EMAIL = "same e-mail"
REASON_PHONE = "same phone"
REASON_NAME = "same name at same company"
#: The order reasons are shown in: the strongest evidence first.
REASONS = (REASON_EMAIL, REASON_PHONE, REASON_NAME)

#: Domains whose mailboxes ignore dots in the local part, mapped to one canonical domain.
DOT_INSENSITIVE_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}

#: Phones with fewer digits than this are extensions or junk ("0", "n/a"): never a match.
MIN_PHONE_DIGITS = 7
#: Digits compared: a US number without its country code, or a European one without trunk 0.
PHONE_KEY_DIGITS = 10

#: A merge preview lists every field of every lead; more than this is a mistake, not a merge.
MAX_MERGE_LEADS = 10


# --- Keys ----------------------------------------------------------------------------------------


def matching_email_key(email: str) -> str:
    """The mailbox an address reaches, as far as we can tell from its spelling (see the table).

    Not a validator: an address without "@" comes back lower-cased and unchanged otherwise.
    """
    email = email.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return email
    domain = domain.strip(".")
    base = local.split("+", 1)[0] or local  # "+tag@x" has no base: keep it whole
    if domain in DOT_INSENSITIVE_DOMAINS:
        domain = DOT_INSENSITIVE_DOMAINS[domain]
        base = base.replace(".", "") or base
    return f"{base}@{domain}"


_EXTENSION = re.compile(r"(?i)\s*(?:ext\.?|extension|x|#|;|,).*$")


def normalise_phone(phone: str) -> str:
    """A phone number as digits, with "+" for an explicit international prefix ("+" or "00").

    An extension ("x12", "ext. 12", "#12") is dropped: it names a desk, not a person's number.
    Returns "" when nothing digit-like is left.
    """
    phone = _EXTENSION.sub("", phone.strip())
    digits = "".join(ch for ch in phone if ch.isdigit() and ch.isascii())
    if not digits:
        return ""
    if phone.lstrip().startswith("+"):
        return f"+{digits}"
    if digits.startswith("00") and len(digits) > 2:
        return f"+{digits[2:]}"
    return digits


def phone_match_key(phone: str) -> str:
    """What two phones must share to be one number: the last 10 digits ("" = never matches).

    Keeping only the national part means a number written with and without its country code
    (or with a trunk 0) still matches; two different countries' numbers sharing their last ten
    digits is rare enough for a *likely* duplicate a person confirms.
    """
    digits = normalise_phone(phone).lstrip("+")
    if len(digits) < MIN_PHONE_DIGITS:
        return ""
    return digits[-PHONE_KEY_DIGITS:]


@lru_cache(maxsize=65_536)  # names and company names repeat: an import folds each once
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def name_key(first_name: str, last_name: str) -> str:
    """Lower-cased "first last" with accents folded; "" unless both names are given (a first
    name alone is far too common to suggest the same person)."""
    first, last = _fold(first_name), _fold(last_name)
    if not first or not last:
        return ""
    return f"{first} {last}"


def _company_key(company_id: Any, company_name: str) -> str:
    if company_id:
        return f"id:{company_id}"
    name = _fold(company_name)
    return f"name:{name}" if name else ""


def _name_at_company_key(first: str, last: str, company_id: Any, company_name: str) -> str:
    person, company = name_key(first, last), _company_key(company_id, company_name)
    return f"{person}|{company}" if person and company else ""


def _lead_keys(
    email: str, phone: str, first_name: str, last_name: str, company_id: Any, company_name: str
) -> list[tuple[str, str]]:
    """Every (reason, key) under which a lead can match another one."""
    keys = [(REASON_EMAIL, matching_email_key(email))]
    if phone_key := phone_match_key(phone):
        keys.append((REASON_PHONE, phone_key))
    if person := _name_at_company_key(first_name, last_name, company_id, company_name):
        keys.append((REASON_NAME, person))
    return keys


def _keys_of(lead: Lead) -> list[tuple[str, str]]:
    return _lead_keys(
        lead.email, lead.phone, lead.first_name, lead.last_name, lead.company_id, lead.company_name
    )


#: The columns the keys are computed from (read with values_list, no model instances).
KEY_COLUMNS = ("pk", "email", "phone", "first_name", "last_name", "company_id", "company_name", "created_at")


# --- Detection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch:
    """Another lead that is probably the same person, and why we think so."""

    other: Lead
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


class DuplicateIndex:
    """The matching keys of many leads in memory, for bulk work (imports, the admin list).

    Built with one streaming query; afterwards finding a lead's likely duplicates is a few
    dictionary lookups, so importing n rows costs one table read instead of n. Add each new
    lead with `add_lead` so later rows of the same file match it too. Memory: a few hundred
    bytes per lead (100,000 leads ≈ tens of MB).
    """

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.created: dict[Any, Any] = {}

    @classmethod
    def build(cls, *, queryset: QuerySet[Lead] | None = None) -> DuplicateIndex:
        index = cls()
        queryset = Lead.objects.all() if queryset is None else queryset
        for pk, *columns, created_at in (
            queryset.order_by().values_list(*KEY_COLUMNS).iterator(chunk_size=5000)
        ):
            index.add(pk, _lead_keys(*columns), created_at)
        return index

    def add(self, pk: Any, keys: Iterable[tuple[str, str]], created_at: Any = None) -> None:
        self.created[pk] = created_at
        for key in keys:
            self.buckets[key].append(pk)

    def add_lead(self, lead: Lead) -> None:
        if lead.pk not in self.created:
            self.add(lead.pk, _keys_of(lead), lead.created_at)

    def matches(self, lead: Lead) -> dict[Any, tuple[str, ...]]:
        """Ids of the indexed leads that match `lead` (not itself), with the reasons."""
        return self.matches_keys(lead.pk, _keys_of(lead))

    def matches_keys(self, pk: Any, keys: Iterable[tuple[str, str]]) -> dict[Any, tuple[str, ...]]:
        """`matches` of the lead `pk` whose (reason, key) pairs are `keys` (computed once by bulk callers)."""
        found: dict[Any, list[str]] = defaultdict(list)
        for reason, key in keys:
            for other in self.buckets.get((reason, key), ()):
                if other != pk and reason not in found[other]:
                    found[other].append(reason)
        return {other: tuple(r for r in REASONS if r in reasons) for other, reasons in found.items()}


def _candidate_filter(lead: Lead) -> Q | None:
    """A narrow SQL pre-filter; Python then compares the exact keys.

    The mailbox: the same domain(s) and (Gmail) the same first letter, or (elsewhere) the
    address itself and its "+tag" forms. The phone: numbers containing the last four digits
    (a phone whose last four digits are split by a separator, "555-01 00", is not found here;
    the admin list, which compares every lead's full key, still finds it). The name: the same
    company, an indexed foreign key, which also finds "+tag" forms of a corporate address.
    """
    parts: list[Q] = []
    email = lead.email.strip().lower()
    local, at, domain = email.rpartition("@")
    if at and local:
        if domain in DOT_INSENSITIVE_DOMAINS:
            by_domain = Q()
            for candidate_domain in DOT_INSENSITIVE_DOMAINS:
                by_domain |= Q(email__iendswith=f"@{candidate_domain}")
            parts.append(by_domain & Q(email__istartswith=local.lstrip(".")[:1]))
        else:
            base = local.split("+", 1)[0] or local
            parts.append(
                Q(email__iexact=f"{base}@{domain}")
                | Q(email__istartswith=f"{base}+", email__iendswith=f"@{domain}")
            )
    phone_key = phone_match_key(lead.phone)
    if phone_key:
        parts.append(Q(phone__contains=phone_key[-4:]))
    if name_key(lead.first_name, lead.last_name):
        if lead.company_id:
            parts.append(Q(company_id=lead.company_id))
        elif lead.company_name.strip():
            parts.append(Q(company__isnull=True, company_name__iexact=lead.company_name.strip()))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def lead_find_duplicates(
    *, lead: Lead, queryset: QuerySet[Lead] | None = None, index: DuplicateIndex | None = None
) -> list[DuplicateMatch]:
    """Other leads that are probably the same person as `lead`, oldest first.

    Without `index`: the database narrows the candidates (see `_candidate_filter`) and Python
    compares the exact keys of their bare columns; that is one unindexed table read (the
    phone and mail-domain filters), fine for a form submission. With a `DuplicateIndex` (bulk
    imports) the keys are looked up in memory. Either way the matching leads are then loaded
    in one query, and none when nothing matched. Pass a scoped `queryset` to look only among
    the leads someone may see.
    """
    queryset = Lead.objects.all() if queryset is None else queryset
    queryset = queryset.exclude(pk=lead.pk)
    if index is not None:
        found = index.matches(lead)
    else:
        condition = _candidate_filter(lead)
        if condition is None:
            return []
        # Candidates as bare columns: cheap even when a common mail domain yields thousands.
        mine = dict(_keys_of(lead))
        found = {}
        for pk, *columns, _created_at in queryset.filter(condition).order_by().values_list(*KEY_COLUMNS):
            theirs = dict(_lead_keys(*columns))
            reasons = tuple(
                reason for reason in REASONS if reason in mine and mine[reason] == theirs.get(reason)
            )
            if reasons:
                found[pk] = reasons
    if not found:
        return []
    others = queryset.filter(pk__in=found).select_related("company", "owner").order_by("created_at", "pk")
    return [DuplicateMatch(other=other, reasons=found[other.pk]) for other in others]


def lead_flag_duplicates(
    *, lead: Lead, actor_label: str = "system", index: DuplicateIndex | None = None
) -> list[DuplicateMatch]:
    """Find the lead's likely duplicates and say so on its timeline, once per pair.

    Meant to run after a lead is created (form, API: `lead_flag_duplicates(lead=lead)`;
    import: build one `DuplicateIndex` before the rows, pass it here, then `index.add_lead(lead)`).
    A pair already flagged, from either side, is not flagged again, so calling this twice or
    on both leads is harmless. Returns every match (flagged now or before).
    """
    matches = lead_find_duplicates(lead=lead, index=index)
    if not matches:
        return []
    from .services import lead_event_record  # services will call this module: import late

    with transaction.atomic():  # only when there is something to write: no savepoint per clean row
        # The lead's row lock makes two runs of the same job (one re-run after its worker
        # seemed dead) take turns, so the second sees the first one's entries.
        Lead.objects.select_for_update().filter(pk=lead.pk).exists()
        other_ids = [str(match.other.pk) for match in matches]
        flagged_pairs = LeadEvent.objects.filter(
            Q(lead=lead, data__duplicate_of__in=other_ids)
            | Q(lead__in=[match.other.pk for match in matches], data__duplicate_of=str(lead.pk))
        ).values_list("lead_id", "data__duplicate_of")
        already = {str(other) if lead_id == lead.pk else str(lead_id) for lead_id, other in flagged_pairs}
        for match in matches:
            if str(match.other.pk) in already:
                continue
            lead_event_record(lead=lead, **_flag_entry(match), actor_label=actor_label)
    return matches


def _flag_entry(match: DuplicateMatch) -> dict[str, Any]:
    """The kind, summary and data of the timeline entry that flags one likely duplicate."""
    return {
        "kind": LeadEventKind.UPDATED,
        "summary": f"Possible duplicate of {match.other.email} ({match.reason})"[:500],
        "data": {
            "possible_duplicate": True,
            "duplicate_of": str(match.other.pk),
            "duplicate_email": match.other.email,
            "reasons": list(match.reasons),
        },
    }


def leads_flag_new_duplicates(
    *, leads: Sequence[Lead], index: DuplicateIndex, actor_label: str = "system"
) -> int:
    """`lead_flag_duplicates` for many just-created leads at once (bulk imports): the same
    timeline entries, with a fixed number of queries instead of a few per flagged lead.

    Each lead is matched against `index` and then added to it, so a later lead of the same
    batch matches an earlier one (and the pair is flagged once, on the later lead). The leads
    must be new (saved, but with no timeline yet): then no pair can have been flagged before,
    which is what `lead_flag_duplicates` has to look up. Returns how many entries were written.
    """
    from .services import lead_event_build  # services will call this module: import late

    found: list[tuple[Lead, dict[Any, tuple[str, ...]]]] = []
    for lead in leads:
        keys = _keys_of(lead)
        matches = index.matches_keys(lead.pk, keys)
        if matches:
            found.append((lead, matches))
        if lead.pk not in index.created:
            index.add(lead.pk, keys, lead.created_at)
    if not found:
        return 0
    wanted = sorted({pk for _, matches in found for pk in matches}, key=str)
    others: dict[Any, Lead] = {}
    for start in range(0, len(wanted), 500):
        batch = Lead.objects.filter(pk__in=wanted[start : start + 500]).only("pk", "email", "created_at")
        others.update((other.pk, other) for other in batch)
    events = []
    for lead, matches in found:
        present = sorted(
            (others[pk] for pk in matches if pk in others),
            key=lambda other: (other.created_at, str(other.pk)),
        )
        for other in present:
            entry = _flag_entry(DuplicateMatch(other=other, reasons=matches[other.pk]))
            events.append(lead_event_build(lead=lead, **entry, actor_label=actor_label))
    LeadEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


# --- The admin's list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateGroup:
    """Leads that are probably one person (oldest first), and the evidence that links them."""

    leads: list[Lead]
    reasons: tuple[str, ...]

    @property
    def ids(self) -> list[str]:
        return [str(lead.pk) for lead in self.leads]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, item: Any) -> Any:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: Any, b: Any) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_b] = root_a


def duplicate_groups(*, user: AbstractBaseUser | AnonymousUser, limit: int = 200) -> list[DuplicateGroup]:
    """Groups of likely duplicates among the leads `user` may see, most recent first.

    Two queries whatever the table size: one streams the few columns the keys need (no model
    instances; about 2 s for 100,000 leads on SQLite), one loads the leads of the first `limit`
    groups with their company and owner. A lead linked to two others by different evidence
    (same phone as one, same e-mail as the other) puts all three in one group.
    """
    index = DuplicateIndex.build(queryset=lead_queryset_for_user(user=user))
    groups = _UnionFind()
    linked = [(reason, pks) for (reason, _key), pks in index.buckets.items() if len(pks) > 1]
    for _reason, pks in linked:
        for pk in pks[1:]:
            groups.union(pks[0], pk)
    members: dict[Any, list[Any]] = defaultdict(list)
    reasons: dict[Any, set[str]] = defaultdict(set)
    for reason, pks in linked:
        reasons[groups.find(pks[0])].add(reason)
    for pk in {pk for _reason, pks in linked for pk in pks}:
        members[groups.find(pk)].append(pk)

    created = index.created
    newest_first = sorted(members, key=lambda root: max(created[pk] for pk in members[root]), reverse=True)
    chosen = newest_first[:limit]
    wanted = [pk for root in chosen for pk in members[root]]
    leads = {
        lead.pk: lead
        for lead in Lead.objects.filter(pk__in=wanted).select_related("company", "owner").order_by()
    }
    result = []
    for root in chosen:
        group_leads = sorted(
            (leads[pk] for pk in members[root] if pk in leads),
            key=lambda lead: (lead.created_at, str(lead.pk)),
        )
        if len(group_leads) > 1:  # a lead deleted between the two queries
            ordered = tuple(reason for reason in REASONS if reason in reasons[root])
            result.append(DuplicateGroup(leads=group_leads, reasons=ordered))
    return result


# --- Merge ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of the survivor: its value now, its value after the merge, and from whom."""

    name: str
    label: str
    current: str
    new: str
    source: str  # e-mail of the lead the new value comes from
    changes: bool
    value: Any = field(repr=False, compare=False)


@dataclass
class MergePlan:
    """What merging `others` into `keep` will do. Built without writing anything (the dry run
    the admin shows before confirming); `lead_merge` builds it again on locked rows and applies it."""

    keep: Lead
    others: list[Lead]
    fields: list[FieldChange]
    moves: dict[str, int]
    warnings: list[str]
    errors: list[str]

    @property
    def can_merge(self) -> bool:
        return not self.errors

    @property
    def changed_fields(self) -> list[FieldChange]:
        return [change for change in self.fields if change.changes]

    def as_data(self) -> dict[str, Any]:
        """The plan as JSON, stored on the survivor's MERGED timeline entry."""
        return {
            "survivor": str(self.keep.pk),
            "merged": [{"id": str(lead.pk), "email": lead.email} for lead in self.others],
            "fields": {
                change.name: {"from": change.current, "to": change.new, "source": change.source}
                for change in self.changed_fields
            },
            "moved": self.moves,
            "warnings": self.warnings,
        }


#: Profile fields: the newest lead that has a value gives it (people update their details).
NEWEST_WINS = (
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "phone",
    "company",
    "company_name",
    "message",
    "actual_deal_value",
    "next_follow_up_at",
)
#: Ownership fields: the survivor's value stays when it has one (a conflict is a warning);
#: an empty one is filled from the newest lead that has one.
SURVIVOR_FIRST = ("owner", "partner", "visitor")
#: Campaign attribution: first touch wins, as on intake, so the oldest value is kept.
OLDEST_WINS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")

_RELATED = ("company", "owner", "partner", "visitor")


def _is_empty(name: str, value: Any) -> bool:
    if name == "seniority":
        return value in ("", None, Seniority.UNKNOWN)
    return value is None or value == ""


def _display(value: Any, name: str = "") -> str:
    """A value as the preview shows it: user names, local dates to the minute, yes/no."""
    if value is None:
        return ""
    if hasattr(value, "get_username"):
        return value.get_username()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if name == "seniority" and value in Seniority.values:
        return str(Seniority(value).label)
    return str(value)


def _comparable(value: Any) -> Any:
    return value.pk if hasattr(value, "_meta") else value


def _value(lead: Lead, name: str) -> Any:
    field_ = Lead._meta.get_field(name)
    if field_.is_relation:
        # Compare by id; the object (already joined) is only for display.
        return getattr(lead, name) if getattr(lead, field_.attname) is not None else None
    return getattr(lead, name)


def _label(name: str) -> str:
    return str(Lead._meta.get_field(name).verbose_name).capitalize()


def _moves(others: Sequence[Lead]) -> dict[str, int]:
    from analytics.models import Event, Visitor
    from assessments.models import MonitoredTarget, RoiCalculation, SecurityAssessment
    from chat.models import Conversation
    from partners.models import Commission

    ids = [lead.pk for lead in others]
    return {
        "timeline entries": LeadEvent.objects.filter(lead__in=ids).count(),
        "notes": LeadNote.objects.filter(lead__in=ids).count(),
        "chat conversations": Conversation.objects.filter(lead__in=ids).count(),
        "security assessments": SecurityAssessment.objects.filter(lead__in=ids).count(),
        "watched targets": MonitoredTarget.objects.filter(lead__in=ids).count(),
        "ROI calculations": RoiCalculation.objects.filter(lead__in=ids).count(),
        "website visitors": Visitor.objects.filter(lead__in=ids).count(),
        "website events (with their visitors)": Event.objects.filter(visitor__lead__in=ids).count(),
        "commissions": Commission.objects.filter(lead__in=ids).count(),
    }


def lead_merge_plan(*, keep: Lead, others: Sequence[Lead]) -> MergePlan:
    """The dry run of a merge: the survivor's fields after it, what moves, what is refused.

    Rules: `keep` survives with its e-mail, status and (when set) owner, partner and first-seen
    visitor. Profile fields take the non-empty value of the newest lead that has one (see
    NEWEST_WINS), campaign fields the oldest (first touch), `last_contacted_at` the latest,
    marketing consent is kept if any lead gave it. Every timeline entry, note, conversation,
    assessment, ROI calculation, visitor (and so its events) and commission moves to `keep`.
    Refused (in `errors`, nothing raised here): merging a lead with itself, no others, too
    many leads, or more than one commission (a lead can earn one).
    """
    from partners.models import Commission

    others = list(others)
    errors: list[str] = []
    warnings: list[str] = []
    ids = [keep.pk, *[lead.pk for lead in others]]
    if not others:
        errors.append("Choose at least one other lead to merge into this one.")
    if keep.pk in {lead.pk for lead in others}:
        errors.append("A lead cannot be merged with itself.")
    if len(ids) > MAX_MERGE_LEADS:
        errors.append(f"Merge at most {MAX_MERGE_LEADS} leads at a time.")
    others = list({lead.pk: lead for lead in others if lead.pk != keep.pk}.values())

    everyone = [keep, *others]
    newest_first = sorted(everyone, key=lambda lead: (lead.created_at, str(lead.pk)), reverse=True)
    oldest_first = list(reversed(newest_first))
    changes: list[FieldChange] = []

    def add(name: str, source: Lead, value: Any) -> None:
        current = _value(keep, name)
        changes.append(
            FieldChange(
                name=name,
                label=_label(name),
                current=_display(current, name),
                new=_display(value, name),
                source=source.email,
                changes=_comparable(current) != _comparable(value),
                value=value,
            )
        )

    for name in NEWEST_WINS:
        source = next((lead for lead in newest_first if not _is_empty(name, _value(lead, name))), keep)
        add(name, source, _value(source, name))
    for name in OLDEST_WINS:
        source = next((lead for lead in oldest_first if not _is_empty(name, _value(lead, name))), keep)
        add(name, source, _value(source, name))
    for name in SURVIVOR_FIRST:
        mine = _value(keep, name)
        if mine is not None:
            add(name, keep, mine)
            theirs = {_display(_value(lead, name)) for lead in others if _value(lead, name) is not None} - {
                _display(mine)
            }
            if theirs and name != "visitor":
                warnings.append(
                    f"{_label(name)} differs ({', '.join(sorted(theirs))}): "
                    f"the survivor keeps {_display(mine)}."
                )
        else:
            source = next((lead for lead in newest_first if _value(lead, name) is not None), keep)
            add(name, source, _value(source, name))

    contacted = [lead for lead in everyone if lead.last_contacted_at is not None]
    latest = max(contacted, key=lambda lead: lead.last_contacted_at) if contacted else keep
    add("last_contacted_at", latest, latest.last_contacted_at)
    consenting = [lead for lead in oldest_first if lead.consent_marketing]
    consent_source = consenting[0] if consenting else keep
    add("consent_marketing", consent_source, bool(consenting))
    add("consent_marketing_at", consent_source, consent_source.consent_marketing_at if consenting else None)

    statuses = {lead.get_status_display() for lead in others if lead.status != keep.status}
    if statuses:
        warnings.append(
            f"Status differs ({', '.join(sorted(statuses))}): the survivor keeps "
            f"{keep.get_status_display()}; change it after merging if needed."
        )
    moves = _moves(others) if others else {}
    commission_leads = list(
        Commission.objects.filter(lead__in=[lead.pk for lead in everyone]).values_list(
            "lead__email", flat=True
        )
    )
    if len(commission_leads) > 1:
        errors.append(
            "More than one of these leads has a partner commission "
            f"({', '.join(sorted(commission_leads))}), and a lead can have only one. "
            "Settle or remove one commission in Partners first."
        )
    return MergePlan(keep=keep, others=others, fields=changes, moves=moves, warnings=warnings, errors=errors)


def leads_for_merge(
    *, user: AbstractBaseUser | AnonymousUser, ids: Iterable[str | uuid.UUID], lock: bool = False
) -> list[Lead]:
    """The leads with these ids that `user` may merge, in the order given.

    Raises ValidationError for malformed ids and, without saying which, when any lead does not
    exist or is not visible to the user (a rep cannot learn about another rep's leads by URL).
    """
    parsed: list[uuid.UUID] = []
    for raw in ids:
        try:
            parsed.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw).strip()))
        except ValueError:
            raise ValidationError(f"{str(raw)[:40]!r} is not a lead id.") from None
    base = Lead.objects.select_related(*_RELATED)
    if lock:
        # Lock in id order so two merges of overlapping leads cannot deadlock.
        base = base.select_for_update(of=("self",)).order_by("pk")
    found = {lead.pk: lead for lead in lead_queryset_for_user(user=user, queryset=base).filter(pk__in=parsed)}
    if len(found) != len(set(parsed)):
        raise ValidationError("Some of the chosen leads do not exist (any more) or are not yours to merge.")
    return [found[pk] for pk in dict.fromkeys(parsed)]


@transaction.atomic
def lead_merge(*, keep: Lead, others: Sequence[Lead], actor: AbstractBaseUser) -> MergePlan:
    """Merge `others` into `keep` and delete them; returns the plan that was applied.

    Who may merge: anyone with `leads.change_lead` on every involved lead, i.e. managers on
    any leads and reps on their own and unassigned ones. Merging deletes the other leads, but
    nothing of theirs is lost (it all moves to the survivor), so it does not need
    `delete_lead`, which reps do not have.

    The rows are locked and the plan rebuilt from them, so what is applied is what the data
    says now, not what a preview showed a minute ago. Raises PermissionDenied or ValidationError.
    """
    from analytics.models import Visitor
    from assessments.models import MonitoredTarget, RoiCalculation, SecurityAssessment
    from chat.models import Conversation
    from partners.models import Commission

    if not actor.has_perm("leads.change_lead"):
        raise PermissionDenied("You may not change leads.")
    other_ids = [lead.pk for lead in others]
    if keep.pk in other_ids:
        raise ValidationError("A lead cannot be merged with itself.")
    locked = leads_for_merge(user=actor, ids=[keep.pk, *other_ids], lock=True)
    keep, others = locked[0], locked[1:]
    plan = lead_merge_plan(keep=keep, others=others)
    if plan.errors:
        raise ValidationError(plan.errors)

    ids = [lead.pk for lead in others]
    for model in (
        LeadEvent,
        LeadNote,
        Conversation,
        SecurityAssessment,
        MonitoredTarget,
        RoiCalculation,
        Visitor,
        Commission,
    ):
        model.objects.filter(lead__in=ids).update(lead=keep)

    update_fields = ["updated_at"]
    for change in plan.fields:
        if change.changes:
            setattr(keep, change.name, change.value)
            update_fields.append(change.name)
    if "company" in update_fields:
        keep.is_fortune_500 = bool(keep.company and keep.company.is_fortune_500)
        update_fields.append("is_fortune_500")
    keep.save(update_fields=update_fields)
    Lead.objects.filter(pk__in=ids).delete()

    from .services import lead_event_record, lead_rescore_later  # services will call this module

    emails = ", ".join(lead.email for lead in others)
    lead_event_record(
        lead=keep,
        kind=LeadEventKind.MERGED,
        summary=f"Merged {emails} into this lead",
        data=plan.as_data(),
        actor=actor,
    )
    lead_rescore_later(lead=keep)
    return plan
