"""Retention: `prune_webhook_events` deletes old events whose every delivery is finished (with
their deliveries and attempts), in batches, and never an event that may still be sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from enterprise_scanner.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from enterprise_scanner.webhooks.services import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_events_prune,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(sales_manager):
    make = webhook_endpoint_create
    return [
        make(url=f"https://hooks{n}.example.com/in", events=["lead.created"], owner=sales_manager)[0]
        for n in (1, 2)
    ]


def event_with(
    endpoints, *statuses: str, days_ago: float, tried_days_ago: float | None = None
) -> WebhookEvent:
    """An event `days_ago` old with one delivery per status (each with one attempt)."""
    occurred = timezone.now() - timedelta(days=days_ago)
    tried = timezone.now() - timedelta(days=days_ago if tried_days_ago is None else tried_days_ago)
    event = WebhookEvent.objects.create(type="lead.created", occurred_at=occurred, data={"n": 1})
    for endpoint, status in zip(endpoints, statuses, strict=False):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            status=status,
            attempts=1,
            created_at=occurred,
            last_attempt_at=tried,
            delivered_at=tried if status == DeliveryStatus.DELIVERED else None,
            next_attempt_at=tried + timedelta(hours=1) if status == DeliveryStatus.PENDING else None,
        )
        WebhookAttempt.objects.create(delivery=delivery, number=1, attempted_at=tried, response_status=500)
    return event


def test_only_old_events_whose_every_delivery_is_finished_go(endpoints) -> None:
    done = [
        event_with(endpoints, DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP, days_ago=40),
        event_with(endpoints, DeliveryStatus.FAILED, days_ago=31),  # endpoint disabled / 410 Gone
        event_with([], days_ago=45),  # nobody subscribed
    ]
    kept = [
        event_with(endpoints, DeliveryStatus.DELIVERED, DeliveryStatus.PENDING, days_ago=40),  # retrying
        event_with(endpoints, DeliveryStatus.DELIVERED, days_ago=10),  # recent
        event_with(endpoints, DeliveryStatus.DELIVERED, days_ago=40, tried_days_ago=2),  # resent lately
    ]
    result = webhook_events_prune(older_than_days=30, batch_size=2)
    assert (result.events, result.deliveries, result.attempts, result.batches) == (3, 3, 3, 2)
    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert not WebhookDelivery.objects.filter(event__in=done).exists()
    assert WebhookDelivery.objects.count() == 4 and WebhookAttempt.objects.count() == 4
    # Nothing left to do: a re-run deletes nothing.
    assert webhook_events_prune(older_than_days=30).events == 0


def test_a_resent_delivery_keeps_its_event(endpoints) -> None:
    event = event_with(endpoints, DeliveryStatus.GAVE_UP, days_ago=60)
    webhook_delivery_resend(delivery=event.deliveries.get())  # back to pending, being sent
    assert webhook_events_prune(older_than_days=30).events == 0
    assert WebhookEvent.objects.filter(pk=event.pk).exists()


def test_each_batch_costs_a_fixed_number_of_queries(endpoints, django_assert_max_num_queries) -> None:
    for _ in range(12):
        event_with(endpoints, DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP, days_ago=40)
    # Per batch, whatever its size: savepoint, ids, lock, re-check, the three deletes (with their
    # cascade look-ups), release = 12; then one empty look-up (3).
    with django_assert_max_num_queries(4 * 12 + 3):
        result = webhook_events_prune(older_than_days=30, batch_size=3)
    assert (result.events, result.deliveries, result.batches) == (12, 24, 4)


def test_the_command_prints_counts_and_refuses_bad_input(endpoints, capsys) -> None:
    event_with(endpoints, DeliveryStatus.DELIVERED, days_ago=31)
    event_with(endpoints, DeliveryStatus.DELIVERED, days_ago=5)
    call_command("prune_webhook_events")
    out = capsys.readouterr().out
    assert "Deleted 1 webhook event(s) older than 30 day(s), 1 delivery(ies) and 1 attempt(s)" in out
    call_command("prune_webhook_events", "--older-than", "3")
    assert "Deleted 1 webhook event(s) older than 3 day(s)" in capsys.readouterr().out
    assert not WebhookEvent.objects.exists()
    with pytest.raises(CommandError, match="Keep at least one day of webhook events"):
        call_command("prune_webhook_events", "--older-than", "0")
    with pytest.raises(CommandError, match="A batch holds at least one event"):
        call_command("prune_webhook_events", "--batch-size", "0")
