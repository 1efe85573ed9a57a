"""The partner list's statement link opens a month with earnings (issue 14: "statement links open
an empty month" — it always pointed at last month, empty for a partner paid every few months)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import LeadStatus
from leads.tests.factories import LeadFactory
from partners.models import Commission, Partner, PartnerStatus
from partners.statements import statement_default_month
from partners.tests.test_commissions import won

pytestmark = pytest.mark.django_db


def test_default_month_rules():
    today = date(2026, 12, 5)
    six_weeks_ago = timezone.make_aware(datetime(2026, 10, 22, 12))
    this_month = timezone.make_aware(datetime(2026, 12, 2, 12))
    assert statement_default_month(today=today, latest_commission=None, last_month_count=0) == date(
        2026, 11, 1
    )
    assert statement_default_month(today=today, latest_commission=six_weeks_ago, last_month_count=0) == date(
        2026, 10, 1
    )
    assert statement_default_month(today=today, latest_commission=this_month, last_month_count=0) == date(
        2026, 12, 1
    )
    assert statement_default_month(today=today, latest_commission=this_month, last_month_count=2) == date(
        2026, 11, 1
    )


def test_statement_link_opens_the_month_the_partner_earned_in(manager_client):
    partner = Partner.objects.create(
        name="SecurePath", referral_code="SP-1", status=PartnerStatus.ACTIVE, commission_rate=Decimal("0.1")
    )
    lead = won(LeadFactory(partner=partner, status=LeadStatus.PROPOSAL), "100000")
    long_ago = timezone.now() - timedelta(days=75)
    Commission.objects.filter(lead=lead).update(created_at=long_ago)

    page = manager_client.get("/admin/partners/partner/").content.decode()
    month = timezone.localtime(long_ago).strftime("%Y-%m")
    links = re.findall(r'href="([^"]+statement/\?month=[^"&]+&amp;format=csv)"', page)
    assert links and f"month={month}" in links[0]
    statement = manager_client.get(links[0].replace("&amp;", "&")).content.decode()
    assert "10,000.00" in statement  # the commission is on the statement the link opens
