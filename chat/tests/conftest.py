"""Fixtures for the chat tests: a website, a knowledge base, and websocket clients that connect
to the real ASGI application (enterprise_scanner.asgi) like a browser would."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from analytics.services import website_create
from chat.models import KnowledgeArticle
from leads.tests.factories import SalesManagerFactory, SalesRepFactory

from .sockets import ORIGIN


@pytest.fixture(autouse=True)
async def _empty_channel_layer():
    """Each test starts with no groups or queued messages left over (in memory or in Redis)."""
    layer = get_channel_layer()
    await layer.flush()
    yield
    await layer.flush()


@pytest.fixture
def website(transactional_db):
    return website_create(name="Marketing site", allowed_origins=[ORIGIN])


@pytest.fixture
def articles(transactional_db) -> list[KnowledgeArticle]:
    return [
        KnowledgeArticle.objects.create(
            title="Pricing",
            slug="pricing",
            questions="How much does it cost?\nWhat are your prices?\nIs there a free trial?",
            answer="Assessments start at $25,000 a year; Fortune 500 plans are quoted individually.",
            keywords="price, pricing, cost, plans, quote",
        ),
        KnowledgeArticle.objects.create(
            title="Microsoft Sentinel integration",
            slug="sentinel",
            questions="Do you integrate with Azure Sentinel?\nCan findings go to our SIEM?",
            answer="Findings stream to Microsoft Sentinel (formerly Azure Sentinel) through its data connector.",
            keywords="sentinel, azure, siem, integration, splunk",
        ),
        KnowledgeArticle.objects.create(
            title="Internal draft",
            slug="draft",
            questions="What is the secret roadmap?",
            answer="Not for visitors.",
            keywords="roadmap",
            is_published=False,
        ),
    ]


@pytest.fixture
def rep(transactional_db):
    return SalesRepFactory(username="dana", first_name="Dana")


@pytest.fixture
def rep2(transactional_db):
    return SalesRepFactory(username="sam", first_name="Sam")


@pytest.fixture
def manager(transactional_db):
    return SalesManagerFactory(username="morgan", first_name="Morgan")
