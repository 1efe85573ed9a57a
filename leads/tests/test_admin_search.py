"""The lead search box in the admin (what a rep finds, with which scope, at a fixed query count),
and the capped counts of the big lists.

The search is shaped for PostgreSQL's trigram indexes (leads/migrations/0004_search_trigram_indexes.py):
the tests here check it still finds what the plain admin search found, on either database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from leads.admin import CappedCountPaginator
from leads.models import CompanyDomain, Lead, LeadEvent
from leads.selectors import COMPANY_MATCH_LIMIT, search_terms
from leads.tests.factories import CompanyFactory, LeadEventFactory, LeadFactory, LeadNoteFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/leads/lead/"


def found(client: Client, query: str) -> set[Lead]:
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


@pytest.fixture
def initech() -> Lead:
    company = CompanyFactory(name="Initech Holdings", domain="initech.example")
    CompanyDomain.objects.create(company=company, domain="initrode.example")
    # Typed a different company name, and a webmail address: only the company match finds it
    # by the company's name or domains.
    return LeadFactory(
        email="peter@gmail.example",
        first_name="Peter",
        last_name="Gibbons",
        company=company,
        company_name="IT",
    )


@pytest.fixture
def other() -> Lead:
    return LeadFactory(
        email="bob@other.example",
        first_name="Bob",
        last_name="Slydell",
        company=CompanyFactory(name="Consultants", domain="other.example"),
        company_name="Bobs",
    )


@pytest.mark.parametrize(
    "query",
    [
        "initech",  # the matched company's name
        "INITECH.EXAMPLE",  # its domain, any case
        "initrode",  # one of its alias domains
        "peter@gmail",  # part of the e-mail
        "gibbons",  # last name
        "Peter Gibbons",  # every term must match, in any column
        '"Initech Holdings"',  # a quoted phrase is one term
    ],
)
def test_search_finds_the_lead_by_any_of_its_columns(
    admin_client: Client, initech: Lead, other: Lead, query: str
) -> None:
    assert found(admin_client, query) == {initech}


def test_every_term_must_match(admin_client: Client, initech: Lead, other: Lead) -> None:
    assert found(admin_client, "Peter Slydell") == set()
    assert found(admin_client, '"Holdings Initech"') == set()
    assert found(admin_client, "example") == {initech, other}


def test_search_stays_within_the_reps_scope(rep_client: Client, sales_rep, other_rep) -> None:
    mine = LeadFactory(owner=sales_rep, last_name="Lumbergh", email="bill@a.example")
    free = LeadFactory(owner=None, last_name="Lumbergh", email="bill@b.example")
    LeadFactory(owner=other_rep, last_name="Lumbergh", email="bill@c.example")
    assert found(rep_client, "lumbergh") == {mine, free}


def test_search_treats_sql_and_wildcards_as_text(admin_client: Client, initech: Lead) -> None:
    percent = LeadFactory(email="fifty%off@deals.example")
    assert found(admin_client, "%") == {percent}
    assert found(admin_client, "_") == set()
    assert found(admin_client, "'; DROP TABLE leads_lead; --") == set()
    assert Lead.objects.count() == 2


def test_a_term_matching_many_companies_still_finds_all_their_leads(
    admin_client: Client, monkeypatch
) -> None:
    """Past COMPANY_MATCH_LIMIT companies the search uses a subquery instead of a list of ids:
    nothing is left out."""
    monkeypatch.setattr("leads.selectors.COMPANY_MATCH_LIMIT", 2)
    leads = {
        LeadFactory(company=CompanyFactory(name=f"Globex {n}"), company_name="x", email=f"p{n}@mail.example")
        for n in range(4)
    }
    assert found(admin_client, "globex") == leads
    assert COMPANY_MATCH_LIMIT > 2


def test_search_terms_split_like_the_admin() -> None:
    assert search_terms("  acme  \"big corp\" 'x y'  ") == ["acme", "big corp", "x y"]
    assert search_terms("   ") == []


# Measured: the changelist's queries (see test_admin_crm.CHANGELIST_MAX_QUERIES) plus one per
# search term, the company lookup. No per-row queries, whatever the number of matches.
SEARCH_MAX_QUERIES = {"admin_client": 7, "manager_client": 9, "rep_client": 8}


@pytest.mark.parametrize("client_name", SEARCH_MAX_QUERIES)
@pytest.mark.parametrize("count", [3, 30])
def test_search_query_count_is_fixed(
    request: pytest.FixtureRequest, django_assert_max_num_queries: Any, client_name: str, count: int
) -> None:
    client = request.getfixturevalue(client_name)
    company = CompanyFactory(name="Vandelay Industries")
    LeadFactory.create_batch(count, company=company, owner=None)
    with django_assert_max_num_queries(SEARCH_MAX_QUERIES[client_name]):
        response = client.get(CHANGELIST, {"q": "vandelay"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_postgresql_search_uses_the_trigram_indexes(initech: Lead) -> None:
    """The planner can answer the search from the trigram indexes: with sequential and plain index
    scans switched off, only bitmap scans of matching indexes remain (a query the trigram
    indexes cannot serve, e.g. one whose SQL no longer matches their expression, would show a
    Seq Scan on leads_lead)."""
    from leads.selectors import lead_search_q

    queryset = Lead.objects.filter(lead_search_q("gibbons")).order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "lead_last_name_trgm_idx" in plan
    assert "Seq Scan on leads_lead" not in plan


def test_timeline_and_note_lists_cap_their_count(admin_client: Client, monkeypatch) -> None:
    """Ten timeline rows per lead make these the biggest tables: their lists count at most
    CAP + 1 rows and say "more than" beyond, like the lead list."""
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    lead = LeadFactory()
    LeadEventFactory.create_batch(5, lead=lead)
    LeadNoteFactory.create_batch(5, lead=lead)
    for url, plural in (("/admin/leads/leadevent/", "timeline"), ("/admin/leads/leadnote/", "lead notes")):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert f"more than 3 {plural}" in response.content.decode()
    LeadEvent.objects.filter(pk__in=LeadEvent.objects.values("pk")[:3]).delete()
    assert "2 timeline" in admin_client.get("/admin/leads/leadevent/").content.decode()
