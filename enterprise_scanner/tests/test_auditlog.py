"""Staff changes to leads, companies, partners and commissions are recorded with who made them."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from leads.tests.factories import CompanyFactory, LeadFactory
from partners.models import Partner

pytestmark = pytest.mark.django_db


def test_admin_change_to_a_lead_is_logged_with_the_staff_user(admin_client, admin_user) -> None:
    lead = LeadFactory(first_name="Ada", job_title="Engineer")
    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "job_title": "CISO",
            "notes-TOTAL_FORMS": 0,
            "notes-INITIAL_FORMS": 0,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        }
    )
    response = admin_client.post(f"/admin/leads/lead/{lead.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = LogEntry.objects.get_for_object(lead).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == admin_user
    assert entry.changes_dict["job_title"] == ["Engineer", "CISO"]


def test_company_and_partner_changes_are_logged() -> None:
    company = CompanyFactory(name="Acme")
    company.name = "Acme Corp"
    company.save()
    partner = Partner.objects.create(name="SecurePath", referral_code="SECUREPATH")
    assert LogEntry.objects.get_for_object(company).filter(action=LogEntry.Action.UPDATE).exists()
    assert LogEntry.objects.get_for_object(partner).filter(action=LogEntry.Action.CREATE).exists()
