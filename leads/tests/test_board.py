"""The pipeline board through the admin: what each role sees, the filters, the fixed query count,
and the move endpoint (moves through lead_change_status, refusals as JSON, scoping, CSRF)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leads import board as board_module
from leads.board import money_short
from leads.models import Lead, LeadEventKind, LeadStatus
from leads.services import task_complete, task_create
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory, SalesRepFactory

pytestmark = pytest.mark.django_db

BOARD_URL = "/admin/leads/lead/board/"
MOVE_URL = "/admin/leads/lead/board/move/"


def move(client: Client, lead: Lead, status: str, url: str = MOVE_URL, **extra: str):
    return client.post(
        url, {"lead": str(lead.pk), "status": status, **extra}, content_type="application/json"
    )


def column_cards(response, status: str) -> list[str]:
    """The lead ids of the cards the board rendered in column `status`, in order."""
    return [str(card.lead.pk) for card in _column(response, status).cards]


def _column(response, status: str):
    board = response.context["board"]
    return next(column for column in [*board.columns, *board.closed] if column.status == status)


def test_the_urls_are_named_as_agreed() -> None:
    assert reverse("admin:leads_board") == BOARD_URL
    assert reverse("admin:leads_board_move") == MOVE_URL


def test_admin_leads_board_redirects_to_the_board(rep_client) -> None:
    response = rep_client.get("/admin/leads/board/?f500=1")
    assert response.status_code == 302
    assert response["Location"] == f"{BOARD_URL}?f500=1"


def test_a_rep_sees_own_and_unassigned_leads_in_open_columns_with_weighted_totals(
    rep_client, sales_rep, other_rep
) -> None:
    mine = LeadFactory(owner=sales_rep, status=LeadStatus.CONTACTED, estimated_deal_value=Decimal("100000"))
    free = LeadFactory(owner=None, status=LeadStatus.CONTACTED, estimated_deal_value=Decimal("50000"))
    LeadFactory(owner=other_rep, status=LeadStatus.CONTACTED, estimated_deal_value=Decimal("900000"))
    LeadFactory(owner=sales_rep, status=LeadStatus.CLOSED_WON, estimated_deal_value=Decimal("1"))

    response = rep_client.get(BOARD_URL)

    assert response.status_code == 200
    board = response.context["board"]
    assert [column.status for column in board.columns] == [
        "new",
        "qualified",
        "contacted",
        "demo_scheduled",
        "proposal",
    ]
    contacted = _column(response, "contacted")
    assert set(column_cards(response, "contacted")) == {str(mine.pk), str(free.pk)}
    assert contacted.totals.count == 2
    assert contacted.totals.value == Decimal("150000")
    assert contacted.totals.weighted == Decimal("30000.00")  # 20 %: leads.dashboard.STAGE_PROBABILITY
    assert _column(response, "closed_won").cards == []  # closed deals are drop zones unless shown
    page = response.content.decode()
    assert "$150k" in page and "$30k" in page and "$900k" not in page
    assert "My leads and the unassigned queue" in page


def test_won_deals_count_at_their_actual_value(manager_client) -> None:
    LeadFactory(
        status=LeadStatus.CLOSED_WON,
        estimated_deal_value=Decimal("280000"),
        actual_deal_value=Decimal("250000"),
    )
    LeadFactory(status=LeadStatus.CLOSED_WON, estimated_deal_value=Decimal("10000"))

    won = _column(manager_client.get(BOARD_URL), "closed_won")

    assert won.totals.value == Decimal("260000")


def test_cards_show_score_company_fortune_500_value_owner_and_the_next_task(rep_client, sales_rep) -> None:
    jordan = LeadFactory(
        first_name="Jordan",
        last_name="Lee",
        owner=sales_rep,
        score=95,
        company=Fortune500CompanyFactory(),
        is_fortune_500=True,
        estimated_deal_value=Decimal("1250000"),
    )
    now = timezone.now()
    task_create(lead=jordan, title="Send the proposal", due_at=now + timedelta(days=3), actor=sales_rep)
    task_create(lead=jordan, title="Call back about budget", due_at=now - timedelta(days=2), actor=sales_rep)
    done = task_create(lead=jordan, title="Done long ago", due_at=now - timedelta(days=9), actor=sales_rep)
    task_complete(task=done, actor=sales_rep)
    later = LeadFactory(first_name="Casey", last_name="Later", owner=sales_rep)
    task_create(lead=later, title="Demo prep", due_at=now + timedelta(days=1), actor=sales_rep)
    LeadFactory(first_name="Nora", last_name="Notask", owner=sales_rep)

    response = rep_client.get(BOARD_URL)

    page = response.content.decode()
    assert "Jordan Lee" in page and "JPMorgan Chase" in page and "F500 #11" in page
    assert 'class="board-score board-score-hot"' in page and ">95<" in page
    assert "$1.3M" in page and ">rep<" in page
    cards = {card.lead.first_name: card for card in _column(response, "new").cards}
    assert cards["Jordan"].next_task_title == "Call back about budget" and cards["Jordan"].overdue
    assert cards["Casey"].next_task_title == "Demo prep" and not cards["Casey"].overdue
    assert cards["Nora"].next_task_title == "" and cards["Nora"].next_task_due is None
    assert '<strong class="board-overdue">Overdue</strong>' in page and "· Call back about budget" in page
    assert "No next task" in page


def test_the_columns_are_capped_with_a_link_to_the_filtered_list(manager_client, monkeypatch) -> None:
    monkeypatch.setattr(board_module, "CARD_LIMIT", 3)
    for score in (10, 90, 50, 70, 30):
        LeadFactory(status=LeadStatus.QUALIFIED, score=score, owner=None)

    response = manager_client.get(f"{BOARD_URL}?owner=none&f500=0")

    column = _column(response, "qualified")
    assert [card.lead.score for card in column.cards] == [90, 70, 50]
    assert column.more == 2
    assert column.more_url == "/admin/leads/lead/?status__exact=qualified&owner=none"
    assert "<span data-more-count>2</span> more in the list" in response.content.decode()


def test_a_manager_filters_by_owner_mine_and_fortune_500(
    manager_client, sales_manager, sales_rep, other_rep
) -> None:
    f500 = Fortune500CompanyFactory()
    rep_big = LeadFactory(owner=sales_rep, company=f500, is_fortune_500=True)
    rep_small = LeadFactory(owner=sales_rep)
    other = LeadFactory(owner=other_rep)
    own = LeadFactory(owner=sales_manager)

    def shown(query: str) -> set[str]:
        return set(column_cards(manager_client.get(f"{BOARD_URL}{query}"), "new"))

    assert shown("") == {str(lead.pk) for lead in (rep_big, rep_small, other, own)}
    assert shown(f"?owner={sales_rep.pk}") == {str(rep_big.pk), str(rep_small.pk)}
    assert shown(f"?owner={sales_rep.pk}&f500=1") == {str(rep_big.pk)}
    assert shown("?owner=me") == {str(own.pk)}
    response = manager_client.get(BOARD_URL)
    assert "Team pipeline" in response.content.decode()
    assert ("rep2" in [name for _, name in response.context["owners"]]) is True


def test_a_rep_cannot_show_another_persons_leads(rep_client, other_rep) -> None:
    LeadFactory(owner=other_rep)

    response = rep_client.get(f"{BOARD_URL}?owner={other_rep.pk}&closed=yes")

    assert response.status_code == 200
    assert column_cards(response, "new") == []
    messages = [str(message) for message in response.context["messages"]]
    assert "Only a sales manager can show another person's leads; showing yours." in messages
    assert "Ignored closed='yes' (use 1 or 0)." in messages


@pytest.mark.parametrize("owner", ["99999999999999999999", "²", "-1", "x"])
def test_an_owner_that_is_not_a_user_id_is_ignored_not_a_500(manager_client, owner) -> None:
    lead = LeadFactory()

    response = manager_client.get(BOARD_URL, {"owner": owner})

    assert response.status_code == 200
    assert column_cards(response, "new") == [str(lead.pk)]
    assert [str(message) for message in response.context["messages"]] == [
        f"Ignored owner={owner!r} (not a person)."
    ]


def test_show_closed_deals_lists_them_most_recently_changed_first(manager_client) -> None:
    older = LeadFactory(status=LeadStatus.CLOSED_LOST, lost_reason="Budget")
    newer = LeadFactory(status=LeadStatus.CLOSED_LOST, lost_reason="Chose a competitor")
    Lead.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=3))

    response = manager_client.get(f"{BOARD_URL}?closed=1")

    assert column_cards(response, "closed_lost") == [str(newer.pk), str(older.pk)]
    assert "Lost: Chose a competitor" in response.content.decode()


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_the_board_runs_a_fixed_number_of_queries(
    role, sales_rep, sales_manager, django_assert_num_queries
) -> None:
    """5 leads or 50 (over several columns, owners and companies), the same queries: session,
    user, the user's and the group's permissions, the manager-group check, the totals, the cards,
    and for a manager the owners of the owner filter."""
    user = sales_rep if role == "rep" else sales_manager
    statuses = [*board_module.OPEN_STATUSES, *board_module.CLOSED_STATUSES]
    expected = {"rep": 7, "manager": 8}[role]
    for total in (5, 50):
        Lead.objects.all().delete()
        for i in range(total):
            lead = LeadFactory(
                owner=[sales_rep, None, SalesRepFactory(username=f"r{i % 3}")][i % 3],
                status=statuses[i % len(statuses)],
                estimated_deal_value=Decimal(1000 * i),
            )
            task_create(
                lead=lead, title=f"Task {i}", due_at=timezone.now() + timedelta(days=i - 10), actor=None
            )
        client = Client()
        client.force_login(user)
        with django_assert_num_queries(expected):
            response = client.get(f"{BOARD_URL}?closed=1")
        assert response.status_code == 200


# --- The move endpoint ---------------------------------------------------------------------------


def test_a_move_changes_the_status_through_the_service_and_writes_the_timeline(rep_client, sales_rep) -> None:
    lead = LeadFactory(
        first_name="Jordan",
        last_name="Lee",
        owner=None,
        status=LeadStatus.QUALIFIED,
        estimated_deal_value=1000,
    )

    response = move(rep_client, lead, "contacted", **{"from": "qualified"})

    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] is True and answer["moved"] is True
    assert answer["message"] == "Jordan Lee moved to Contacted."
    assert answer["lead"]["status"] == "contacted"
    contacted = next(column for column in answer["columns"] if column["status"] == "contacted")
    assert contacted == {
        "status": "contacted",
        "count": 1,
        "value": "1000.00",
        "weighted": "200.00",
        "value_label": "$1k",
        "weighted_label": "$200",
    }
    assert answer["summary"] == {"open_count": 1, "open_value_label": "$1k", "open_weighted_label": "$200"}
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.last_contacted_at is not None
    event = lead.events.get(kind=LeadEventKind.STATUS_CHANGED)
    assert event.summary == "Status Qualified → Contacted" and event.actor == sales_rep


def test_closing_as_lost_needs_the_reason_and_saves_it(rep_client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep, status=LeadStatus.PROPOSAL)

    refused = move(rep_client, lead, "closed_lost", lost_reason="   ")
    assert refused.status_code == 400
    assert refused.json() == {"ok": False, "error": "Say why the deal was lost.", "field": "lost_reason"}
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.PROPOSAL

    saved = move(rep_client, lead, "closed_lost", lost_reason="Chose a competitor")
    assert saved.status_code == 200
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.CLOSED_LOST, "Chose a competitor")
    assert lead.events.get(kind=LeadEventKind.STATUS_CHANGED).summary == (
        "Status Proposal → Closed lost: Chose a competitor"
    )


def test_a_lost_reason_too_long_to_keep_is_refused_not_cut(rep_client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)

    response = move(rep_client, lead, "closed_lost", lost_reason="x" * 256)

    assert response.status_code == 400
    assert response.json()["field"] == "lost_reason"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_move_of_another_reps_lead_is_a_404_and_changes_nothing(rep_client, other_rep) -> None:
    lead = LeadFactory(owner=other_rep)

    response = move(rep_client, lead, "qualified")

    assert response.status_code == 404
    assert response.json()["error"] == "No such lead among the leads you may work on."
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_move_from_a_stale_board_is_refused_with_the_current_status(rep_client, sales_rep) -> None:
    lead = LeadFactory(
        first_name="Robin", last_name="Buyer", owner=sales_rep, status=LeadStatus.DEMO_SCHEDULED
    )

    response = move(rep_client, lead, "qualified", **{"from": "new"})

    assert response.status_code == 409
    assert "Robin Buyer is already in Demo scheduled" in response.json()["error"]
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DEMO_SCHEDULED


def test_a_won_lead_with_an_approved_commission_cannot_be_moved_back(manager_client, sales_manager) -> None:
    from partners.models import Commission
    from partners.services import commission_approve
    from partners.tests.test_commissions import won

    partner = _partner()
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "200000")
    commission_approve(commission=Commission.objects.get(lead=lead), actor=sales_manager)

    response = move(manager_client, lead, "proposal", **{"from": "closed_won"})

    assert response.status_code == 400
    answer = response.json()
    assert answer["field"] == "status"
    assert (
        "cannot leave Closed won" in answer["error"]
        and "Withdraw the approval in Partners" in answer["error"]
    )
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CLOSED_WON


def _partner():
    from partners.models import Partner, PartnerStatus

    return Partner.objects.create(
        name="Acme Partners",
        referral_code="ACME-2026",
        status=PartnerStatus.ACTIVE,
        commission_rate=Decimal("0.1000"),
    )


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ("not json", "application/json", 400, ""),
        ("[1, 2]", "application/json", 400, ""),
        ('{"status": "qualified"}', "application/json", 400, "lead"),
        ('{"lead": "not-a-uuid", "status": "qualified"}', "application/json", 400, "lead"),
        ('{"lead": "LEAD", "status": "archived"}', "application/json", 400, "status"),
        ('{"lead": "LEAD", "status": "qualified", "from": 3}', "application/json", 400, "from"),
        (
            '{"lead": "LEAD", "status": "closed_lost", "lost_reason": ["x"]}',
            "application/json",
            400,
            "lost_reason",
        ),
        ("lead=LEAD&status=qualified", "application/x-www-form-urlencoded", 415, ""),
    ],
)
def test_bad_move_requests_are_json_errors_not_500s(
    rep_client, sales_rep, body, content_type, status, field
) -> None:
    lead = LeadFactory(owner=sales_rep)

    response = rep_client.post(MOVE_URL, body.replace("LEAD", str(lead.pk)), content_type=content_type)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["ok"] is False and response.json()["field"] == field
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_the_move_endpoint_takes_only_post_and_checks_csrf(sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_rep)

    got = client.get(MOVE_URL)
    assert got.status_code == 405 and got["Allow"] == "POST"
    assert move(client, lead, "qualified").status_code == 403  # no CSRF token
    client.get(BOARD_URL)  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        MOVE_URL,
        json.dumps({"lead": str(lead.pk), "status": "qualified"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.QUALIFIED


def test_the_board_needs_a_staff_login(client) -> None:
    response = client.get(BOARD_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert move(client, LeadFactory(), "qualified").status_code == 302


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (Decimal("0"), "$0"),
        (Decimal("850.40"), "$850"),
        (Decimal("12000"), "$12k"),
        (Decimal("12500"), "$12.5k"),
        (Decimal("250000"), "$250k"),
        (Decimal("1250000"), "$1.3M"),
        (Decimal("2000000000"), "$2B"),
    ],
)
def test_money_short(value, text) -> None:
    assert money_short(value) == text
