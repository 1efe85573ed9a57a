"""Reps see their own leads and the unassigned queue; managers see everything."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from leads.selectors import lead_queryset_for_user, user_is_sales_manager
from leads.tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_scoping_by_role(sales_rep, other_rep, sales_manager, admin_user) -> None:
    mine, theirs, free = LeadFactory(owner=sales_rep), LeadFactory(owner=other_rep), LeadFactory(owner=None)
    assert set(lead_queryset_for_user(user=sales_rep)) == {mine, free}
    assert set(lead_queryset_for_user(user=other_rep)) == {theirs, free}
    assert set(lead_queryset_for_user(user=sales_manager)) == {mine, theirs, free}
    assert set(lead_queryset_for_user(user=admin_user)) == {mine, theirs, free}
    assert list(lead_queryset_for_user(user=AnonymousUser())) == []
    assert list(lead_queryset_for_user(user=UserFactory(is_staff=False))) == []
    assert user_is_sales_manager(sales_manager) and not user_is_sales_manager(sales_rep)


def test_object_level_check_agrees_with_the_queryset(sales_rep, other_rep, sales_manager) -> None:
    from leads.selectors import user_may_see_lead

    leads = [LeadFactory(owner=sales_rep), LeadFactory(owner=other_rep), LeadFactory(owner=None)]
    for user in (sales_rep, other_rep, sales_manager, UserFactory(is_staff=False)):
        visible = set(lead_queryset_for_user(user=user))
        assert {lead for lead in leads if user_may_see_lead(user=user, lead=lead)} == visible
