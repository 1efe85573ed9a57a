"""The query count of one website submission, pinned exactly: intake is the hottest write path,
and a query that creeps in (a lazy relation, a check moved before the lock, a savepoint) is
what made it slow before. When a change needs a query more, update the count *and* the list of
what each query is for."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.services import website_create
from enterprise_scanner.webhooks.models import WebhookEndpoint
from leads.models import Lead, LeadEventKind
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory

ORIGIN = "https://www.enterprisescanner.com"
URL = "/api/v1/leads/"


@pytest.fixture
def site_client(db, settings) -> Client:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    website = website_create(name="Marketing site", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    client.post(URL, {"email": "warm@example.org"}, content_type="application/json")  # caches the key
    return client


def statement(sql: str) -> str:
    """`VERB table` of one SQL statement (SAVEPOINT and RELEASE without their names)."""
    words = sql.replace('"', "").split()
    if words[0] in ("SAVEPOINT", "RELEASE"):
        return words[0]
    keyword = {"INSERT": "INTO", "UPDATE": "UPDATE"}.get(words[0], "FROM")
    table = words[words.index(keyword) + 1]
    return f"{words[0]} {table}"


# The test's own transaction turns the request's transaction into a savepoint (SAVEPOINT and
# RELEASE); in production they are BEGIN and COMMIT.
NEW_LEAD = [
    "SAVEPOINT",
    "SELECT leads_lead",  # the only read before writing: is the e-mail known? (locks it on PostgreSQL)
    "INSERT leads_lead",  # everything the form said, in one INSERT
    "INSERT auditlog_logentry",
    "INSERT leads_leadevent",  # submitted + created, one statement
    "INSERT django_tasks_database_dbtaskresult",  # the follow-up job (scoring, duplicates)
    "SELECT webhooks_webhookendpoint",  # lead.created: is any endpoint active? (precompiled)
    "RELEASE",
]


def test_a_new_lead_without_a_company_makes_exactly_the_pinned_queries(
    site_client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(len(NEW_LEAD)) as captured:
        response = site_client.post(
            URL, {"email": "dana@gmail.com", "first_name": "Dana"}, content_type="application/json"
        )
    assert response.status_code == 201
    assert [statement(q["sql"]) for q in captured.captured_queries] == NEW_LEAD


def test_a_new_lead_at_a_known_company_adds_only_the_company_lookup(
    site_client, django_assert_num_queries
) -> None:
    Fortune500CompanyFactory(domain="jpmorganchase.com")
    with django_assert_num_queries(len(NEW_LEAD) + 1) as captured:
        response = site_client.post(
            URL, {"email": "cfo@jpmorganchase.com", "first_name": "Dana"}, content_type="application/json"
        )
    assert response.status_code == 201
    assert [statement(q["sql"]) for q in captured.captured_queries] == [
        *NEW_LEAD[:2],
        "SELECT leads_company",
        *NEW_LEAD[2:],
    ]
    lead = Lead.objects.get(email="cfo@jpmorganchase.com")
    assert lead.is_fortune_500
    assert set(lead.events.values_list("kind", flat=True)) == {
        LeadEventKind.SUBMITTED,
        LeadEventKind.CREATED,
        LeadEventKind.COMPANY_MATCHED,
    }


def test_a_known_lead_submitting_again_takes_a_fixed_number_of_queries(
    site_client, django_assert_num_queries
) -> None:
    LeadFactory(email="dana@gmail.com", first_name="Dana", last_name="", company=None)
    with django_assert_num_queries(9) as captured:
        response = site_client.post(
            URL,
            {"email": "dana@gmail.com", "first_name": "Dana", "last_name": "Lee"},
            content_type="application/json",
        )
    # The probe, then the lead loaded, then loaded again by the audit log (it diffs the stored
    # row) before the UPDATE that fills the empty last name; no lead.created event to emit.
    assert [statement(q["sql"]) for q in captured.captured_queries] == [
        "SAVEPOINT",
        "SELECT leads_lead",
        "SELECT leads_lead",
        "SELECT leads_lead",
        "INSERT auditlog_logentry",
        "UPDATE leads_lead",
        "INSERT leads_leadevent",
        "INSERT django_tasks_database_dbtaskresult",
        "RELEASE",
    ]
    assert response.status_code == 200


def test_with_an_active_endpoint_the_webhook_probe_is_followed_by_the_candidates(
    site_client, sales_manager, django_assert_num_queries
) -> None:
    WebhookEndpoint.objects.create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=sales_manager, active=True
    )
    # The endpoint does not subscribe to lead.created: the probe answers yes, the candidates'
    # query then finds no receiver, and nothing more is written.
    with django_assert_num_queries(len(NEW_LEAD) + 1):
        response = site_client.post(
            URL, {"email": "dana@gmail.com", "first_name": "Dana"}, content_type="application/json"
        )
    assert response.status_code == 201
