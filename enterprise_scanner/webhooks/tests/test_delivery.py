"""Webhook delivery against a local receiver: signatures, retries, giving up, ordering, scoping."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from enterprise_scanner.secret_box import decrypt_text
from enterprise_scanner.webhooks import services
from enterprise_scanner.webhooks.models import (
    SIGNING_SECRET_PURPOSE,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from enterprise_scanner.webhooks.signing import new_secret, sign, verify
from enterprise_scanner.webhooks.tasks import webhook_deliver_task
from leads.models import LeadStatus
from leads.services import lead_assign, lead_change_status
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

ALL_EVENTS = [t for t in WebhookEventType.values if t != WebhookEventType.TEST]


@pytest.fixture(autouse=True)
def _local_receivers(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 3


def make_endpoint(owner, url: str, events: list[str] | None = None) -> tuple[WebhookEndpoint, str]:
    return services.webhook_endpoint_create(url=url, events=events or ALL_EVENTS, owner=owner)


def test_signature_matches_the_standard_webhooks_example() -> None:
    # The example of the Standard Webhooks specification (and of its reference libraries).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign(secret=secret, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_delivery_is_signed_with_the_endpoint_secret(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    received: list[Request] = []

    def handler(request: Request) -> Response:
        received.append(request)
        return Response("ok", status=200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    _, secret = make_endpoint(sales_manager, httpserver.url_for("/hook"))
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        lead_change_status(lead=lead, status=LeadStatus.CONTACTED, actor=sales_manager)

    assert len(received) == 1
    request = received[0]
    headers = {name.lower(): value for name, value in request.headers.items()}
    body = request.get_data()
    assert verify(secret=secret, headers=headers, body=body)
    assert not verify(secret=new_secret(), headers=headers, body=body)
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    payload = json.loads(body)
    event = WebhookEvent.objects.get()
    assert headers["webhook-id"] == event.webhook_id
    assert payload["type"] == "lead.status_changed" and payload["version"] == 1
    assert payload["sequence"] == event.sequence and payload["id"] == str(event.public_id)
    assert payload["data"]["from"] == LeadStatus.NEW and payload["data"]["to"] == LeadStatus.CONTACTED
    assert payload["data"]["lead"]["email"] == lead.email
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.response_status == 200 and delivery.response_snippet == "ok"
    assert delivery.latency_ms is not None


def test_500_then_200_gives_one_delivered_row_and_two_attempts(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    answers = iter([Response("boom", status=500), Response("fine", status=200)])
    ids: list[str] = []

    def handler(request: Request) -> Response:
        ids.append(request.headers["webhook-id"])
        return next(answers)

    httpserver.expect_request("/hook").respond_with_handler(handler)
    make_endpoint(sales_manager, httpserver.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        lead_assign(lead=LeadFactory(), owner=sales_manager)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.response_status == 500 and delivery.error == "HTTP 500"
    delay = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=23) <= delay <= timedelta(seconds=37)

    # Not due yet: a job that runs early (e.g. the first one, re-run) does nothing.
    webhook_deliver_task.call(delivery.pk)
    assert WebhookAttempt.objects.count() == 1

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    webhook_deliver_task.call(delivery.pk)
    webhook_deliver_task.call(delivery.pk)  # a duplicate job: already delivered, no request

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1
    assert list(WebhookAttempt.objects.order_by("number").values_list("response_status", flat=True)) == [
        500,
        200,
    ]
    assert len(ids) == 2 and ids[0] == ids[1]  # the same webhook-id: receivers de-duplicate on it


def test_an_unreachable_endpoint_is_retried_and_nothing_is_lost(
    sales_manager, django_capture_on_commit_callbacks
) -> None:
    make_endpoint(sales_manager, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        lead_assign(lead=LeadFactory(), owner=sales_manager)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at > timezone.now()
    assert "ConnectError" in delivery.error
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_status is None and "ConnectError" in attempt.error


def test_giving_up_after_the_last_retry_marks_the_endpoint_failing(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    endpoint, _ = make_endpoint(sales_manager, httpserver.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        lead_assign(lead=LeadFactory(), owner=sales_manager)
    delivery = WebhookDelivery.objects.get()
    for _ in range(services.MAX_ATTEMPTS - 1):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        webhook_deliver_task.call(delivery.pk)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == services.MAX_ATTEMPTS
    assert "Gave up after 9 attempts" in delivery.error
    assert endpoint.failing_since is not None and endpoint.active
    assert sum(services.RETRY_DELAYS, timedelta()) > timedelta(hours=22)

    # Fixed receiver: a manager resends; it is delivered and the endpoint is no longer failing.
    httpserver.clear()
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_delivery_resend(delivery=delivery)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == services.MAX_ATTEMPTS + 1
    assert endpoint.failing_since is None


def test_410_gone_disables_the_endpoint(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/hook").respond_with_data("", status=410)
    endpoint, _ = make_endpoint(sales_manager, httpserver.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        lead_assign(lead=LeadFactory(), owner=sales_manager)
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_a_rolled_back_change_sends_nothing(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    make_endpoint(sales_manager, httpserver.url_for("/hook"))
    lead = LeadFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        lead_assign(lead=lead, owner=sales_manager)
        raise RuntimeError("the change fails after emitting")
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()
    assert httpserver.log == []


def test_emitting_with_no_endpoint_costs_one_query(django_assert_num_queries) -> None:
    lead = LeadFactory()
    with django_assert_num_queries(1):
        assert services.webhook_emit(event_type="lead.hot", lead=lead, data=lambda: 1 / 0) is None


def test_rep_endpoints_get_only_leads_the_rep_may_see(
    sales_rep, other_rep, sales_manager, django_capture_on_commit_callbacks
) -> None:
    rep_endpoint, _ = make_endpoint(sales_rep, "http://127.0.0.1:9/rep")
    manager_endpoint, _ = make_endpoint(sales_manager, "http://127.0.0.1:9/manager")
    mine, theirs = LeadFactory(owner=sales_rep), LeadFactory(owner=other_rep)
    for lead in (mine, theirs):
        services.webhook_emit(event_type="lead.hot", lead=lead, data={"lead": str(lead.pk)})
    services.webhook_emit(event_type="commission.approved", lead=mine, managers_only=True, data={})
    services.webhook_emit(event_type="chat.escalated", lead=None, data={})
    got = {
        endpoint: sorted(
            WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event__type", "event__lead_id")
        )
        for endpoint in (rep_endpoint, manager_endpoint)
    }
    assert got[rep_endpoint] == [("lead.hot", mine.pk)]
    assert len(got[manager_endpoint]) == 4


def test_endpoints_receive_only_their_events(sales_manager) -> None:
    make_endpoint(sales_manager, "http://127.0.0.1:9/hook", events=["lead.created"])
    assert services.webhook_emit(event_type="lead.hot", lead=LeadFactory(), data={}) is None


def test_sequence_orders_events_per_lead(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(sales_manager, httpserver.url_for("/hook"))
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        lead_change_status(lead=lead, status=LeadStatus.CONTACTED, actor=sales_manager)
        lead_change_status(lead=lead, status=LeadStatus.QUALIFIED, actor=sales_manager)
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert [(b["type"], b["data"].get("to")) for b in bodies] == [
        ("lead.status_changed", "contacted"),
        ("lead.status_changed", "qualified"),
        ("lead.qualified", None),
    ]
    sequences = [b["sequence"] for b in bodies]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "https://10.1.2.3/hook", "https://169.254.169.254/", "ftp://example.com/"],
)
def test_private_urls_are_refused_in_production(settings, sales_manager, url: str) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError) as error:
        make_endpoint(sales_manager, url)
    assert "url" in error.value.message_dict


def test_unknown_or_no_events_are_refused(sales_manager) -> None:
    with pytest.raises(ValidationError) as error:
        make_endpoint(sales_manager, "https://example.com/hook", events=["lead.deleted"])
    assert "Unknown event types: lead.deleted" in error.value.message_dict["events"][0]


def test_the_secret_is_stored_encrypted_and_rotates(sales_manager) -> None:
    endpoint, secret = make_endpoint(sales_manager, "https://example.com/hook")
    assert secret.startswith("whsec_") and secret not in endpoint.secret_encrypted
    assert decrypt_text(endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE) == secret
    rotated = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert (
        rotated != secret
        and decrypt_text(endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE) == rotated
    )


def test_a_worker_killed_mid_send_loses_nothing_and_delivers_once(
    sales_manager, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    """A job claimed the delivery and died before recording: while the lease lasts, another
    job leaves it alone; once it has run out (as it has when a dead worker's job is re-run),
    it is sent, once."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, _ = make_endpoint(sales_manager, httpserver.url_for("/hook"))
    event = services.webhook_emit(
        event_type="lead.hot", lead=LeadFactory(), data={}
    )  # job not run: no commit
    delivery = WebhookDelivery.objects.get(event=event)
    claims, _ = services._claim([delivery.pk])  # the dead worker's claim
    assert len(claims) == 1
    assert services.webhook_deliver_event(event_id=event.pk) == 0  # re-run too early: still leased
    assert httpserver.log == []
    WebhookDelivery.objects.filter(pk=delivery.pk).update(sending_until=timezone.now() - timedelta(seconds=1))
    assert services.webhook_deliver_event(event_id=event.pk) == 1
    assert services.webhook_deliver_event(event_id=event.pk) == 0
    assert len(httpserver.log) == 1
    assert WebhookAttempt.objects.filter(delivery__endpoint=endpoint).count() == 1


def test_an_events_job_takes_the_backlog_along(sales_manager, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(sales_manager, httpserver.url_for("/hook"))
    lead = LeadFactory()
    events = [services.webhook_emit(event_type="lead.hot", lead=lead, data={"n": n}) for n in range(5)]
    assert services.webhook_deliver_event(event_id=events[-1].pk) == 5
    sequences = [json.loads(request.get_data())["sequence"] for request, _ in httpserver.log]
    assert sequences == [event.sequence for event in events]  # oldest first


def test_a_slow_batch_hands_back_what_it_could_not_send_in_its_lease(
    settings, sales_manager, httpserver: HTTPServer
) -> None:
    settings.TASK_LEASE_SECONDS = 0  # every request after the first is past the deadline
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint(sales_manager, httpserver.url_for("/hook"))
    lead = LeadFactory()
    events = [services.webhook_emit(event_type="lead.hot", lead=lead, data={}) for _ in range(3)]
    assert services.webhook_deliver_event(event_id=events[0].pk) == 1
    assert len(httpserver.log) == 1
    rest = WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED)
    assert rest.count() == 2 and all(d.sending_until is None and d.attempts == 0 for d in rest)
