"""Commission math and life cycle through the interfaces staff use: a referred lead is won
through the lead API, a manager approves and pays in the admin; partners read their own data."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from pypdf import PdfReader

from analytics.services import person_forget
from enterprise_scanner.api.services import api_key_create
from leads.models import Lead, LeadEventKind, LeadStatus
from leads.services import lead_change_status
from leads.tests.factories import LeadFactory
from leads.tests.test_admin_crm import change_url, form_data
from partners.models import Commission, CommissionStatus, Partner, PartnerStatus
from partners.services import (
    commission_approve,
    commission_mark_paid,
    commission_rate_for,
    commission_tiers_clean,
)

pytestmark = pytest.mark.django_db

#: Measured per partner API list page: key lookup, last-used stamp, count, page (2 or 12 rows alike).
QUERIES_PER_PARTNER_LIST = 4


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(
        name="Acme Partners",
        referral_code="ACME-2026",
        status=PartnerStatus.ACTIVE,
        commission_rate=Decimal("0.1000"),
        commission_tiers=[
            {"min_deal_value": "100000", "rate": "0.12"},
            {"min_deal_value": "500000", "rate": "0.15"},
        ],
    )


def won(lead: Lead, value: str | None) -> Lead:
    Lead.objects.filter(pk=lead.pk).update(actual_deal_value=Decimal(value) if value else None)
    api = api_key_create(name="CRM", scopes=["leads:write"])[1]
    response = Client(headers={"Authorization": f"Api-Key {api}"}).patch(
        f"/api/v1/leads/{lead.pk}/", {"status": "closed_won"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return Lead.objects.get(pk=lead.pk)


@pytest.mark.parametrize(
    ("deal", "rate", "amount"),
    [
        ("50000.00", "0.1000", "5000.00"),
        ("99999.99", "0.1000", "10000.00"),  # 9999.999 rounds half-up to the cent
        ("100000.00", "0.12", "12000.00"),
        ("750000.00", "0.15", "112500.00"),
        ("0.00", "0.1000", "0.00"),
    ],
)
def test_commission_on_closed_won_uses_the_tier_for_the_deal_size(partner, deal, rate, amount) -> None:
    lead = LeadFactory(partner=partner, status=LeadStatus.PROPOSAL)
    won(lead, deal)
    commission = Commission.objects.get(lead=lead)
    assert (commission.partner, commission.status) == (partner, CommissionStatus.PENDING)
    assert commission.deal_value == Decimal(deal)
    assert commission.rate == Decimal(rate) and commission.amount == Decimal(amount)
    assert lead.events.filter(
        kind=LeadEventKind.REFERRED, summary__startswith=f"Commission {amount}"
    ).exists()


def test_no_commission_without_partner_or_deal_value_and_never_twice(partner) -> None:
    unreferred = LeadFactory(status=LeadStatus.PROPOSAL)
    won(unreferred, "100000")
    no_value = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), None)
    assert not Commission.objects.exists()
    assert no_value.events.filter(summary__contains="enter the actual deal value").exists()

    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "1000")
    lead_change_status(lead=lead, status=LeadStatus.PROPOSAL)
    lead_change_status(lead=lead, status=LeadStatus.CLOSED_WON)
    assert Commission.objects.filter(lead=lead).count() == 1


def test_deal_value_entered_after_the_win_earns_the_commission_once(partner, manager_client) -> None:
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), None)
    assert not Commission.objects.exists()

    response = manager_client.post(
        change_url(lead), form_data(manager_client, lead, actual_deal_value="200000")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    commission = Commission.objects.get(lead=lead)
    assert (commission.deal_value, commission.rate, commission.amount) == (
        Decimal("200000.00"),
        Decimal("0.12"),
        Decimal("24000.00"),
    )
    assert lead.events.filter(kind=LeadEventKind.REFERRED, summary__startswith="Commission 24000.00").exists()

    # A later correction keeps the one commission (finance adjusts it), and no second is made.
    manager_client.post(change_url(lead), form_data(manager_client, lead, actual_deal_value="900000"))
    assert Commission.objects.filter(lead=lead).count() == 1
    assert Commission.objects.get(lead=lead).amount == Decimal("24000.00")


def test_tiers_are_validated() -> None:
    assert commission_tiers_clean([{"rate": "0.2", "min_deal_value": 10}])[0]["min_deal_value"] == "10"
    for bad in (
        [{"rate": "2", "min_deal_value": "1"}],
        [{"rate": "x", "min_deal_value": "1"}],
        {"a": 1},
        [{"rate": "0.1", "min_deal_value": "1"}, {"rate": "0.2", "min_deal_value": "1.0"}],
    ):
        with pytest.raises(ValidationError):
            commission_tiers_clean(bad)
    base = Partner(commission_rate=Decimal("0.05"), commission_tiers=[])
    assert commission_rate_for(partner=base, deal_value=Decimal("1000000")) == Decimal("0.05")


def test_approve_and_pay_in_the_admin_managers_only_and_audited(
    partner, manager_client, sales_manager, sales_rep
) -> None:
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "200000")
    commission = Commission.objects.get(lead=lead)
    with pytest.raises(PermissionDenied):
        commission_approve(commission=commission, actor=sales_rep)
    with pytest.raises(ValidationError, match="Only approved"):
        commission_mark_paid(commission=commission, actor=sales_manager)

    url = "/admin/partners/commission/"
    response = manager_client.post(
        url, {"action": "approve", "_selected_action": [commission.pk]}, follow=True
    )
    assert "1 commission(s) approved." in response.content.decode()
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.APPROVED and commission.approved_by == sales_manager

    response = manager_client.post(
        url, {"action": "mark_paid", "_selected_action": [commission.pk]}, follow=True
    )
    assert "1 commission(s) marked paid." in response.content.decode()
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PAID and commission.paid_at is not None

    changes = LogEntry.objects.get_for_object(commission).order_by("timestamp")
    assert [e.changes_dict.get("status") for e in changes][-2:] == [
        ["pending", "approved"],
        ["approved", "paid"],
    ]
    summaries = list(lead.events.filter(kind=LeadEventKind.REFERRED).values_list("summary", flat=True))
    assert any("approved" in s for s in summaries) and any(s.endswith("paid") for s in summaries)


def test_monthly_statement_as_csv_and_pdf(partner, manager_client, rep_client) -> None:
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL, company__name="=Evil Corp"), "100000")
    month = Commission.objects.get(lead=lead).created_at.strftime("%Y-%m")
    url = f"/admin/partners/partner/{partner.pk}/statement/?month={month}"

    csv_response = manager_client.get(url + "&format=csv")
    assert csv_response.status_code == 200
    text = csv_response.content.decode()
    assert "'=Evil Corp" in text and "12,000.00" in text and 'Total pending,,,,"12,000.00"' in text

    pdf = manager_client.get(url + "&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Acme Partners" in pdf_text and "12,000.00" in pdf_text

    assert manager_client.get(url.replace(month, "2026-13") + "&format=csv").status_code == 404
    assert rep_client.get(url + "&format=csv").status_code == 403  # reps cannot see commissions


def test_erasure_keeps_the_commission_without_the_person(partner, manager_client, sales_manager) -> None:
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL, company__name="Gone Inc"), "100000")
    commission = Commission.objects.get(lead=lead)

    record = person_forget(email=lead.email, actor_label="test")

    assert not Lead.objects.filter(pk=lead.pk).exists()
    commission.refresh_from_db()
    assert commission.lead is None and commission.amount == Decimal("12000.00")
    assert record.deleted["commissions kept without the lead"] == 1
    # Accounting goes on: statements, the partner API and approval work without the lead.
    month = commission.created_at.strftime("%Y-%m")
    text = manager_client.get(f"/admin/partners/partner/{partner.pk}/statement/?month={month}&format=csv")
    assert "(erased)" in text.content.decode() and "Gone Inc" not in text.content.decode()
    _, key = api_key_create(name="Acme portal", scopes=["partner"], partner=partner)
    rows = Client(headers={"Authorization": f"Api-Key {key}"}).get("/api/v1/partner/commissions/").json()
    assert [(c["lead_id"], c["company"], c["amount"]) for c in rows["results"]] == [
        (None, "(erased)", "12000.00")
    ]
    commission_approve(commission=commission, actor=sales_manager)
    assert Commission.objects.get(pk=commission.pk).status == CommissionStatus.APPROVED
    assert manager_client.get(f"/admin/partners/commission/{commission.pk}/change/").status_code == 200


def test_partner_api_returns_only_the_keys_partner_data(partner) -> None:
    other = Partner.objects.create(name="Other", referral_code="OTHER-1", status=PartnerStatus.ACTIVE)
    mine = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL, company__name="Mine Inc"), "1000")
    theirs = won(LeadFactory(partner=other, status=LeadStatus.PROPOSAL, company__name="Theirs Inc"), "5000")
    _, my_key = api_key_create(name="Acme portal", scopes=["partner"], partner=partner)
    _, other_key = api_key_create(name="Other portal", scopes=["partner"], partner=other)

    mine_client = Client(headers={"Authorization": f"Api-Key {my_key}"})
    referrals = mine_client.get("/api/v1/partner/referrals/").json()
    assert [r["id"] for r in referrals["results"]] == [str(mine.pk)]
    assert referrals["results"][0]["company"] == "Mine Inc"
    assert "email" not in referrals["results"][0]
    commissions = mine_client.get("/api/v1/partner/commissions/").json()
    assert [c["amount"] for c in commissions["results"]] == ["100.00"]

    other_client = Client(headers={"Authorization": f"Api-Key {other_key}"})
    assert [r["id"] for r in other_client.get("/api/v1/partner/referrals/").json()["results"]] == [
        str(theirs.pk)
    ]

    # A partner with no referrals sees nothing at all; non-partner keys are refused.
    third = Partner.objects.create(name="Third", referral_code="THIRD-1", status=PartnerStatus.ACTIVE)
    _, third_key = api_key_create(name="Third", scopes=["partner"], partner=third)
    third_client = Client(headers={"Authorization": f"Api-Key {third_key}"})
    assert third_client.get("/api/v1/partner/referrals/").json()["count"] == 0
    assert third_client.get("/api/v1/partner/commissions/").json()["count"] == 0
    _, crm_key = api_key_create(name="CRM", scopes=["leads:read"])
    assert (
        Client(headers={"Authorization": f"Api-Key {crm_key}"}).get("/api/v1/partner/referrals/").status_code
        == 403
    )
    assert Client().get("/api/v1/partner/commissions/").status_code in (401, 403)


@pytest.mark.parametrize("count", [2, 12])
def test_partner_api_lists_have_a_fixed_query_count(partner, count, django_assert_max_num_queries) -> None:
    """Key lookup, last-used stamp, count and one page, whatever the number of referrals: each row's
    company and commission come with the page, not one query per row."""
    for i in range(count):
        won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL, company__name=f"Client {i}"), "1000")
    _, key = api_key_create(name="Acme portal", scopes=["partner"], partner=partner)
    client = Client(headers={"Authorization": f"Api-Key {key}"})
    for url in ("/api/v1/partner/referrals/", "/api/v1/partner/commissions/"):
        with django_assert_max_num_queries(QUERIES_PER_PARTNER_LIST):
            response = client.get(url)
        assert response.json()["count"] == count


# --- A won lead leaving Closed won (issue 12: a fuzzed PATCH reopened a lead whose commission
# was approved, and the commission stayed approved) -------------------------------------------------


def patch_status(lead: Lead, status: str, **extra: str):
    api = api_key_create(name="CRM", scopes=["leads:write"])[1]
    return Client(headers={"Authorization": f"Api-Key {api}"}).patch(
        f"/api/v1/leads/{lead.pk}/", {"status": status, **extra}, content_type="application/json"
    )


@pytest.fixture
def approved(partner, sales_manager) -> Commission:
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "200000")
    return commission_approve(commission=Commission.objects.get(lead=lead), actor=sales_manager)


@pytest.mark.parametrize("to", [LeadStatus.NEW, LeadStatus.PROPOSAL, LeadStatus.CLOSED_LOST])
def test_the_api_refuses_to_reopen_a_lead_whose_commission_is_approved_or_paid(
    approved, sales_manager, to
) -> None:
    for step in ("approved", "paid"):
        commission = (
            approved if step == "approved" else commission_mark_paid(commission=approved, actor=sales_manager)
        )
        response = patch_status(commission.lead, to, lost_reason="Budget cut")
        assert response.status_code == 400
        [message] = response.json()["status"]
        assert "24000.00 for Acme Partners" in message and "cannot leave Closed won" in message
        assert (
            ("Partners" in message)
            if commission.status == CommissionStatus.APPROVED
            else ("final" in message)
        )
        lead = Lead.objects.get(pk=commission.lead.pk)
        assert lead.status == LeadStatus.CLOSED_WON
        assert Commission.objects.get(pk=commission.pk).status == commission.status
        assert not lead.events.filter(kind=LeadEventKind.STATUS_CHANGED, data__to=to).exists()


def test_reopening_cancels_a_pending_commission_on_the_timeline_and_winning_again_earns_a_new_one(
    partner,
) -> None:
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "200000")
    assert Commission.objects.get(lead=lead).status == CommissionStatus.PENDING

    response = patch_status(lead, "new")
    assert response.status_code == 200
    assert response.json()["status"] == "new"
    assert not Commission.objects.exists()
    cancelled = lead.events.get(kind=LeadEventKind.REFERRED, data__cancelled=True)
    assert cancelled.summary == (
        "Pending commission 24000.00 for Acme Partners cancelled: the lead left Closed won"
    )

    won(Lead.objects.get(pk=lead.pk), "200000")
    assert Commission.objects.get(lead=lead).status == CommissionStatus.PENDING


def test_after_a_manager_withdraws_the_approval_the_lead_can_be_reopened(approved, manager_client) -> None:
    response = manager_client.post(
        "/admin/partners/commission/",
        {"action": "withdraw_approval", "_selected_action": [approved.pk]},
        follow=True,
    )
    assert "1 commission(s) back to pending." in response.content.decode()
    assert patch_status(approved.lead, "proposal").status_code == 200
    assert not Commission.objects.exists()


def test_the_admin_change_form_shows_the_commission_rule_as_a_form_error(approved, manager_client) -> None:
    lead = approved.lead
    response = manager_client.post(change_url(lead), form_data(manager_client, lead, status="new"))
    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert "cannot leave Closed won" in page and "Withdraw the approval in Partners" in page
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CLOSED_WON
    assert Commission.objects.get(pk=approved.pk).status == CommissionStatus.APPROVED


def test_the_admin_bulk_action_changes_the_others_and_names_the_lead_it_refused(
    approved, partner, manager_client
) -> None:
    pending_lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "1000")
    plain = LeadFactory(status=LeadStatus.CLOSED_WON)
    response = manager_client.post(
        "/admin/leads/lead/",
        {
            "action": "crm_change_status",
            "apply": "1",
            "status": "proposal",
            "_selected_action": [approved.lead.pk, pending_lead.pk, plain.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 lead(s) set to Proposal" in page
    assert "was not changed" in page and "cannot leave Closed won" in page
    statuses = dict(Lead.objects.values_list("pk", "status"))
    assert statuses == {
        approved.lead.pk: LeadStatus.CLOSED_WON,
        pending_lead.pk: LeadStatus.PROPOSAL,
        plain.pk: LeadStatus.PROPOSAL,
    }
    assert list(Commission.objects.values_list("pk", flat=True)) == [approved.pk]


def test_an_import_row_never_reopens_such_a_lead(approved, tmp_path) -> None:
    """A re-import never moves a lead back (leads.import_policy): the row keeps Closed won and is
    reported unchanged, so the commission rule is never even reached by a file."""
    from leads.importing import leads_import
    from leads.tests.import_files import write_csv

    path = write_csv(tmp_path / "leads.csv", ["email", "status"], [approved.lead.email, "new"])
    summary = leads_import(path=path)
    assert (summary.error_rows, summary.skipped) == (0, 1)
    assert Lead.objects.get(pk=approved.lead.pk).status == LeadStatus.CLOSED_WON
