"""schemathesis against our own OpenAPI schema: every operation, in process, with valid keys.

The schema is read from the app itself (`/api/schema/`, drf-spectacular), so a view whose
behaviour drifts from its `extend_schema` annotations fails here. Each operation gets generated
valid and invalid input (schemathesis' positive and negative modes) with credentials that pass
authentication — a publishable site key and one of its origins for the public endpoints, a
secret key with both lead scopes for the integration endpoints, a partner key for the partner
endpoints — and every response must be:

- no server error (`not_a_server_error`),
- a status code the schema documents for that operation (`status_code_conformance`),
- of a documented content type (`content_type_conformance`),
- valid against the documented body schema (`response_schema_conformance`).

Bounded and deterministic, as it runs twice in CI (SQLite, PostgreSQL): a fixed number of
examples per operation and derandomized generation, so a failure reproduces on the next run.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from analytics.services import website_create
from assessments.models import SecurityAssessment
from assessments.selectors import token_hash
from enterprise_scanner.api.models import ApiScope
from enterprise_scanner.api.services import api_key_create
from leads.tests.factories import LeadFactory
from partners.models import Partner, PartnerStatus

ORIGIN = "https://www.enterprisescanner.com"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25
ASSESSMENT_TOKEN = "schemathesis-status-token"
#: Needs a finished scan with its PDF (assessments/tests cover it): here only its errors are.
NO_SUCCESS_EXPECTED = {"GET /api/v1/assessments/{id}/report.pdf"}

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection open across requests, as Django's test client does:
    schemathesis calls the WSGI handler directly, whose end-of-request signal would close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db, in_process_requests) -> dict[str, Any]:
    """Headers that authenticate each kind of caller, and some data for the reads to find."""
    website = website_create(name="Site", allowed_origins=[ORIGIN])
    _, secret = api_key_create(name="CRM", scopes=[ApiScope.LEADS_READ, ApiScope.LEADS_WRITE])
    partner = Partner.objects.create(
        name="Acme Partners", referral_code="ACME-2026", status=PartnerStatus.ACTIVE
    )
    _, partner_secret = api_key_create(name="Acme", scopes=[ApiScope.PARTNER], partner=partner)
    leads = LeadFactory.create_batch(3, partner=partner)
    assessment = SecurityAssessment.objects.create(
        lead=leads[0],
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        access_token_hash=token_hash(ASSESSMENT_TOKEN),
    )
    return {
        "lead_id": str(leads[0].pk),
        "assessment_id": str(assessment.pk),
        "site": {"X-Site-Key": website.publishable_key, "Origin": ORIGIN},
        "secret": {"Authorization": f"Api-Key {secret}"},
        "partner": {"Authorization": f"Api-Key {partner_secret}"},
    }


@pytest.fixture
def answered(credentials, request) -> list[int]:
    """The status of every example of one operation: at least one must have succeeded, so the
    operation was really exercised past authentication and validation, not only refused."""
    statuses: list[int] = []
    yield statuses
    if any(label in request.node.name for label in NO_SUCCESS_EXPECTED):
        return
    assert any(200 <= status < 300 for status in statuses), sorted(set(statuses))


def _caller(case: Any) -> str:
    path = case.operation.path
    if path.startswith("/api/v1/partner/"):
        return "partner"
    if case.method.upper() == "POST":
        return "site"
    if path.startswith("/api/v1/leads/"):
        return "secret"
    return "site"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_honours_its_schema(case, credentials, answered) -> None:
    # Every example starts with fresh rate-limit counters, as each test does (conftest): the
    # limits have tests of their own (test_abuse_auth); here they would turn examples into 429s.
    cache.clear()
    if case.meta.generation.mode == GenerationMode.POSITIVE:
        # Valid input names things that exist, not random UUIDs (those are the negative cases' 404s).
        if case.operation.path == "/api/v1/leads/{id}/":
            case.path_parameters["id"] = credentials["lead_id"]
        elif case.operation.path == "/api/v1/assessments/{id}/":
            case.path_parameters["id"] = credentials["assessment_id"]
            case.query = {**(case.query or {}), "token": ASSESSMENT_TOKEN}
    response = case.call_and_validate(headers=credentials[_caller(case)], checks=CHECKS)
    answered.append(response.status_code)
