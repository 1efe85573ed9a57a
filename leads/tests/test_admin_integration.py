"""The CRM's parts work together on the real LeadAdmin: merge, import, scoped export."""

from __future__ import annotations

import pytest
from django.test import Client

from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/leads/lead/"


def test_lead_admin_offers_crm_merge_and_export_actions(manager_client: Client) -> None:
    LeadFactory()
    actions = manager_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    names = {name for name, _ in actions}
    assert {"crm_assign_to_me", "crm_change_status", "merge_selected_leads", "export_admin_action"} <= names


def test_duplicates_merge_and_import_pages_open(manager_client: Client) -> None:
    a = LeadFactory(email="dup@acme-corp.com", phone="+1 555 010 0100")
    b = LeadFactory(email="d.u.p+x@acme-corp.com", phone="555-010-0100")
    assert manager_client.get(f"{CHANGELIST}duplicates/").status_code == 200
    preview = manager_client.get(f"{CHANGELIST}merge/", {"ids": f"{a.pk},{b.pk}"})
    assert preview.status_code == 200
    assert Lead.objects.count() == 2  # a preview changes nothing
    assert manager_client.get(f"{CHANGELIST}import/").status_code == 200


def test_export_selected_is_scoped_to_the_rep(rep_client: Client, sales_rep, other_rep) -> None:
    mine = LeadFactory(owner=sales_rep, email="mine@acme-corp.com", first_name='=HYPERLINK("http://x")')
    theirs = LeadFactory(owner=other_rep, email="theirs@acme-corp.com")
    selected = [str(mine.pk), str(theirs.pk)]
    form_page = rep_client.post(CHANGELIST, {"action": "export_admin_action", "_selected_action": selected})
    assert form_page.status_code == 200
    assert b'action="/admin/leads/lead/export/"' in form_page.content
    # Ask for both leads, as a tampered form would: only the rep's own comes out.
    response = rep_client.post(
        f"{CHANGELIST}export/",
        {
            "format": "0",
            "resource": "0",
            "export_items": selected,
            "leadresource_email": "on",
            "leadresource_first_name": "on",
        },
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "mine@acme-corp.com" in body
    assert "theirs@acme-corp.com" not in body
    assert "'=HYPERLINK" in body  # formula escaped for spreadsheets
