"""The pipeline board's reads: columns per status with their totals, and the cards in each.

A page, not a domain layer: it reads leads through `lead_queryset_for_user` (a rep sees their own
leads and the unassigned queue, a manager everyone's), and values the pipeline with the stage
probabilities of the dashboard (`leads.dashboard.STAGE_PROBABILITY`), so the board and the
dashboard never disagree about what the pipeline is worth.

Fixed query count whatever the number of leads: one GROUP BY for the totals of every column, one
query for the cards of every column (a window function numbers the cards within each status and
keeps the first `CARD_LIMIT`), plus, for a manager, the owners for the owner filter. A column with
more cards than that says "N more" and links to the lead list filtered the same way.

Moves are not made here: the board's endpoint (leads/admin/board.py) calls
`leads.services.lead_change_status`, the one place a status changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from .dashboard import STAGE_PROBABILITY
from .days import day_bounds
from .models import Lead, LeadStatus, LeadTask
from .selectors import lead_queryset_for_user, user_is_sales_manager

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import QueryDict

#: The board's columns, left to right: every open status.
OPEN_STATUSES: tuple[str, ...] = (
    LeadStatus.NEW,
    LeadStatus.QUALIFIED,
    LeadStatus.CONTACTED,
    LeadStatus.DEMO_SCHEDULED,
    LeadStatus.PROPOSAL,
)
#: Drop zones below the columns; shown as columns with their cards on "Show closed deals", so a
#: deal closed by mistake can be dragged back (reopened) from the board too.
CLOSED_STATUSES: tuple[str, ...] = (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST)
#: Cards per column; the rest is one click away in the filtered lead list. 25 fill a column at
#: 768 px high twice over, and keep the page light at 100,000 leads.
CARD_LIMIT = 25

_MONEY = DecimalField(max_digits=18, decimal_places=2)


def money_short(value: Decimal | None) -> str:
    """Dollars as a rep reads them at a glance on a card or a column head: $850, $12k, $1.3M."""
    if value is None:
        return "—"
    amount = Decimal(value)
    for limit, suffix in ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if abs(amount) >= limit:
            scaled = amount / limit
            places = Decimal("0.1") if abs(scaled) < 100 else Decimal("1")
            text = f"{scaled.quantize(places, rounding=ROUND_HALF_UP):f}".removesuffix(".0")
            return f"${text}{suffix}"
    return f"${amount.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,f}"


def _is_user_id(value: str) -> bool:
    """A user id as the owner filter takes it: ASCII digits within the id column's range."""
    return value.isascii() and value.isdigit() and 0 < int(value) < 2**31


# --- Filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows, from its query string: `owner` ("" everyone the user may see, "me",
    "none" the unassigned queue, or a user id, managers only), `f500=1` Fortune 500 only,
    `closed=1` the closed deals as columns. Values the user may not use are dropped and named in
    `problems`, so a stale or edited link shows what it can and says what it ignored."""

    owner: str = ""
    fortune500: bool = False
    show_closed: bool = False
    problems: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: QueryDict, *, user: AbstractBaseUser | AnonymousUser) -> BoardFilters:
        problems = []
        owner = query.get("owner", "").strip()
        if owner not in ("", "me", "none"):
            if not _is_user_id(owner):
                problems.append(f"Ignored owner={owner[:20]!r} (not a person).")
                owner = ""
            elif not user_is_sales_manager(user):
                problems.append("Only a sales manager can show another person's leads; showing yours.")
                owner = ""
        flags = {}
        for name in ("f500", "closed"):
            value = query.get(name, "")
            if value not in ("", "0", "1"):
                problems.append(f"Ignored {name}={value[:20]!r} (use 1 or 0).")
            flags[name] = value == "1"
        return cls(
            owner=owner, fortune500=flags["f500"], show_closed=flags["closed"], problems=tuple(problems)
        )

    def apply(self, leads: QuerySet[Lead], *, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Lead]:
        if self.owner == "me":
            leads = leads.filter(owner_id=user.pk)
        elif self.owner == "none":
            leads = leads.filter(owner__isnull=True)
        elif self.owner:
            leads = leads.filter(owner_id=int(self.owner))
        if self.fortune500:
            leads = leads.filter(is_fortune_500=True)
        return leads

    def query(self, **changes: Any) -> str:
        """This board's query string with `changes` (owner=…, f500=…, closed=…), for links."""
        values = {"owner": self.owner, "f500": self.fortune500, "closed": self.show_closed, **changes}
        params = {
            "owner": values["owner"],
            "f500": "1" if values["f500"] else "",
            "closed": "1" if values["closed"] else "",
        }
        return urlencode({key: value for key, value in params.items() if value})

    def changelist_url(self, *, status: str) -> str:
        """The lead list showing what this board's column `status` shows (the "N more" link)."""
        params = {"status__exact": status}
        if self.owner:
            params["owner"] = self.owner  # leads.admin.filters.OwnerFilter takes the same values
        if self.fortune500:
            params["is_fortune_500__exact"] = "1"
        return f"{reverse('admin:leads_lead_changelist')}?{urlencode(params)}"


# --- The board ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnTotals:
    status: str
    label: str
    count: int
    value: Decimal
    probability: Decimal

    @property
    def weighted(self) -> Decimal:
        return (self.value * self.probability).quantize(Decimal("0.01"))

    @property
    def percent(self) -> int:
        return int(self.probability * 100)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "count": self.count,
            "value": str(self.value),
            "weighted": str(self.weighted),
            "value_label": money_short(self.value),
            "weighted_label": money_short(self.weighted),
        }


@dataclass(frozen=True)
class BoardCard:
    lead: Lead
    value: Decimal | None
    #: The lead's next open task (earliest due): its title and due time, and whether it is
    #: overdue (due before today, as `LeadTask.is_overdue` and My tasks say).
    next_task_title: str
    next_task_due: datetime | None
    overdue: bool


@dataclass
class BoardColumn:
    totals: ColumnTotals
    cards: list[BoardCard] = field(default_factory=list)
    more_url: str = ""

    @property
    def status(self) -> str:
        return self.totals.status

    @property
    def more(self) -> int:
        return max(self.totals.count - len(self.cards), 0)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


@dataclass
class Board:
    filters: BoardFilters
    is_manager: bool
    columns: list[BoardColumn]
    closed: list[BoardColumn]

    @property
    def open_count(self) -> int:
        return sum(column.totals.count for column in self.columns)

    @property
    def open_value(self) -> Decimal:
        return sum((column.totals.value for column in self.columns), Decimal(0))

    @property
    def open_weighted(self) -> Decimal:
        return sum((column.totals.weighted for column in self.columns), Decimal(0))


def board_leads(*, user: AbstractBaseUser | AnonymousUser, filters: BoardFilters) -> QuerySet[Lead]:
    """The leads the board shows `user` under `filters` (scoped by `lead_queryset_for_user`)."""
    return filters.apply(lead_queryset_for_user(user=user), user=user)


def _deal_value() -> Coalesce:
    """What a deal is worth: the actual value once a won deal has one, the estimate otherwise."""
    return Coalesce(
        Case(When(status=LeadStatus.CLOSED_WON, then=F("actual_deal_value")), output_field=_MONEY),
        F("estimated_deal_value"),
        output_field=_MONEY,
    )


def board_totals(*, user: AbstractBaseUser | AnonymousUser, filters: BoardFilters) -> dict[str, ColumnTotals]:
    """Count, value and weighted value of every status (open and closed), in one GROUP BY."""
    rows = {
        row["status"]: row
        for row in board_leads(user=user, filters=filters)
        .order_by()
        .values("status")
        .annotate(count=Count("*"), value=Sum(_deal_value()))
    }
    totals = {}
    for status in (*OPEN_STATUSES, *CLOSED_STATUSES):
        row = rows.get(status, {})
        totals[status] = ColumnTotals(
            status=status,
            label=LeadStatus(status).label,
            count=row.get("count", 0),
            value=Decimal(row.get("value") or 0).quantize(Decimal("0.01")),
            probability=STAGE_PROBABILITY[status],
        )
    return totals


def _cards(
    *, user: AbstractBaseUser | AnonymousUser, filters: BoardFilters, statuses: tuple[str, ...], now: datetime
) -> dict[str, list[BoardCard]]:
    """The first `CARD_LIMIT` cards of each of `statuses`, in one query: open columns in queue
    order (Fortune 500 first, best score), closed ones most recently changed first; each with
    its next open task (two subqueries on the open-task index, in the same query)."""
    closed_first = Case(
        When(status__in=CLOSED_STATUSES, then=F("updated_at")),
        default=Value(None),
        output_field=Lead._meta.get_field("updated_at"),
    )
    ordering = [
        closed_first.desc(nulls_last=True),
        F("is_fortune_500").desc(),
        F("score").desc(),
        F("created_at").desc(),
    ]
    open_tasks = LeadTask.objects.filter(lead=OuterRef("pk"), done_at__isnull=True).order_by("due_at", "pk")
    leads = (
        board_leads(user=user, filters=filters)
        .filter(status__in=statuses)
        .select_related("company", "owner")
        .annotate(
            board_row=Window(RowNumber(), partition_by=[F("status")], order_by=ordering),
            board_value=_deal_value(),
            next_task_title=Subquery(open_tasks.values("title")[:1]),
            next_task_due=Subquery(open_tasks.values("due_at")[:1]),
        )
        .filter(board_row__lte=CARD_LIMIT)
        .order_by("status", "board_row")
    )
    today_starts = day_bounds(today=timezone.localdate(now, timezone=timezone.get_default_timezone())).start
    cards: dict[str, list[BoardCard]] = {status: [] for status in statuses}
    for lead in leads:
        due = lead.next_task_due
        cards[lead.status].append(
            BoardCard(
                lead=lead,
                value=lead.board_value,
                next_task_title=lead.next_task_title or "",
                next_task_due=due,
                overdue=due is not None and due < today_starts,
            )
        )
    return cards


def board_for(
    *, user: AbstractBaseUser | AnonymousUser, filters: BoardFilters, now: datetime | None = None
) -> Board:
    """Everything the board page shows `user`, in a fixed number of queries."""
    now = now or timezone.now()
    is_manager = user_is_sales_manager(user)
    totals = board_totals(user=user, filters=filters)
    shown = OPEN_STATUSES + (CLOSED_STATUSES if filters.show_closed else ())
    cards = _cards(user=user, filters=filters, statuses=shown, now=now)

    def column(status: str) -> BoardColumn:
        return BoardColumn(
            totals=totals[status], cards=cards.get(status, []), more_url=filters.changelist_url(status=status)
        )

    return Board(
        filters=filters,
        is_manager=is_manager,
        columns=[column(status) for status in OPEN_STATUSES],
        closed=[column(status) for status in CLOSED_STATUSES],
    )


def board_summary_json(totals: dict[str, ColumnTotals]) -> dict[str, Any]:
    """The open pipeline's count, value and weighted value, for the page head after a move."""
    open_totals = [totals[status] for status in OPEN_STATUSES]
    value = sum((column.value for column in open_totals), Decimal(0))
    weighted = sum((column.weighted for column in open_totals), Decimal(0))
    return {
        "open_count": sum(column.count for column in open_totals),
        "open_value_label": money_short(value),
        "open_weighted_label": money_short(weighted),
    }


def board_owner_label(*, board: Board, owners: dict[int, str]) -> str:
    """Who the board shows, in words, for the page heading (`owners`: id → name of the
    people a manager can pick)."""
    owner = board.filters.owner
    if owner == "me":
        return "My leads"
    if owner == "none":
        return "Unassigned leads"
    if owner:
        name = owners.get(int(owner))
        return f"{name}'s leads" if name else "Leads of an unknown owner"
    return "Team pipeline" if board.is_manager else "My leads and the unassigned queue"


__all__ = [
    "CARD_LIMIT",
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "Board",
    "BoardCard",
    "BoardColumn",
    "BoardFilters",
    "ColumnTotals",
    "board_for",
    "board_leads",
    "board_owner_label",
    "board_summary_json",
    "board_totals",
    "money_short",
]
