"""A post is claimed with a lease, not a row lock held over the HTTP request: while Slack or
Teams takes its time, the database stays writable, another job for the same delivery stands
aside, and a claim whose worker died is taken over once it has expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from leads.tests.factories import LeadFactory

from ..models import AlertDelivery, AlertKind, DeliveryStatus
from ..services import alert_deliveries_retry_due, alert_delivery_attempt, alert_delivery_retry
from .factories import AlertChannelFactory


@pytest.fixture(autouse=True)
def _local_receivers(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 3


def pending_delivery(url: str, **fields) -> AlertDelivery:
    channel = AlertChannelFactory(webhook_url=url)
    lead = LeadFactory()
    return AlertDelivery.objects.create(
        channel=channel,
        alert_kind=AlertKind.HOT_LEAD,
        subject_key=f"{lead.pk}:7",
        payload={"text": "Hot lead"},
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_while_the_receiver_answers_the_database_is_writable_and_a_second_job_stands_aside(
    httpserver: HTTPServer,
) -> None:
    delivery = pending_delivery(httpserver.url_for("/slack"))
    seen: dict[str, object] = {}

    def slow_slack(request: Request) -> Response:
        # Another connection (this server thread's), mid-request: a second job for the same
        # delivery, and an unrelated write to the same row's table.
        try:
            seen["second job"] = alert_delivery_attempt(delivery_id=delivery.pk)
            seen["in flight"] = AlertDelivery.objects.get(pk=delivery.pk).sending_until is not None
            seen["rows written"] = AlertDelivery.objects.filter(pk=delivery.pk).update(subject_label="Ada")
        finally:
            connection.close()
        return Response("ok")

    httpserver.expect_request("/slack").respond_with_handler(slow_slack)
    assert alert_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    assert seen == {"second job": "sending", "in flight": True, "rows written": 1}
    assert len(httpserver.log) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.sending_until is None and delivery.next_attempt_at is None
    assert delivery.subject_label == "Ada"  # the write made during the post was kept


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_retried_by_the_safety_net_and_posted_once(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/slack").respond_with_data("ok")
    expired = timezone.now() - timedelta(seconds=1)
    delivery = pending_delivery(httpserver.url_for("/slack"), sending_until=expired, next_attempt_at=expired)

    with django_capture_on_commit_callbacks(execute=True):
        assert alert_deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert len(httpserver.log) == 1


@pytest.mark.django_db
def test_a_live_claim_is_left_to_its_job_and_retry_now_refuses_it(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/slack").respond_with_data("ok")
    until = timezone.now() + timedelta(seconds=30)
    delivery = pending_delivery(httpserver.url_for("/slack"), sending_until=until, next_attempt_at=until)

    assert alert_delivery_attempt(delivery_id=delivery.pk) == "sending"
    assert alert_delivery_retry(delivery=delivery) is False
    assert httpserver.log == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
