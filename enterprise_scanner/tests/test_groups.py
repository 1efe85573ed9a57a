"""The data migration creates the two sales roles with the right model permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_sales_rep_works_leads_but_cannot_delete_or_manage_partners() -> None:
    rep = codenames("Sales rep")
    assert {"leads.view_lead", "leads.change_lead", "leads.add_leadnote", "chat.change_conversation"} <= rep
    assert "leads.delete_lead" not in rep
    assert "partners.add_partner" not in rep
    assert "partners.view_commission" not in rep
    assert "api.view_apikey" not in rep


def test_sales_manager_has_everything_a_rep_has_and_more() -> None:
    rep, manager = codenames("Sales rep"), codenames("Sales manager")
    assert rep < manager
    assert {
        "leads.delete_lead",
        "partners.change_commission",
        "api.add_apikey",
        "analytics.view_website",
    } <= manager


def test_managers_keep_the_nurture_sequences_and_reps_see_enrolments() -> None:
    rep, manager = codenames("Sales rep"), codenames("Sales manager")
    assert "leads.view_nurtureenrollment" in rep
    assert "leads.change_nurturesequence" not in rep
    assert {
        "leads.add_nurturesequence",
        "leads.change_nurturestep",
        "leads.view_nurtureenrollment",
    } <= manager


def test_group_permissions_are_effective_for_members(sales_rep, sales_manager) -> None:
    assert sales_rep.has_perm("leads.change_lead")
    assert not sales_rep.has_perm("leads.delete_lead")
    assert sales_manager.has_perm("partners.change_commission")
