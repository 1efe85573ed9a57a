"""Exactly once under real races (PostgreSQL): the fan-out and the post run many times at once."""

from __future__ import annotations

import os

import pytest
from pytest_httpserver import HTTPServer

from enterprise_scanner.tests.concurrency import run_at_once
from leads.tests.factories import LeadFactory

from ..models import AlertDelivery, AlertKind, DeliveryStatus
from ..services import alert_channels_notify, alert_delivery_attempt
from .factories import AlertChannelFactory

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="a real race between connections needs PostgreSQL (SQLite writers queue up)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_jobs_running_at_once_make_one_delivery_and_post_it_once(settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/slack").respond_with_data("ok")
    AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    lead = LeadFactory()
    errors: list[BaseException] = []

    def notify() -> None:
        try:
            alert_channels_notify(kind=AlertKind.HOT_LEAD, subject_id=str(lead.pk), key="7")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    run_at_once([notify] * 8)
    assert errors == []
    delivery = AlertDelivery.objects.get()
    assert len(httpserver.log) == 1  # posted on commit (immediate backend) by the run that made it

    def attempt() -> None:
        try:
            alert_delivery_attempt(delivery_id=delivery.pk)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    AlertDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, attempts=0)
    httpserver.clear_log()
    run_at_once([attempt] * 8)
    assert errors == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert len(httpserver.log) == 1
