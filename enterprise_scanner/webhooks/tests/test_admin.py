"""The webhooks admin as a manager uses it: register, see the secret once, test, resend."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_httpserver import HTTPServer

from enterprise_scanner.secret_box import decrypt_text
from enterprise_scanner.webhooks.models import (
    SIGNING_SECRET_PURPOSE,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from enterprise_scanner.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:webhooks_webhookendpoint_add")
LIST_URL = reverse("admin:webhooks_webhookendpoint_changelist")


def change_url(endpoint: WebhookEndpoint) -> str:
    return reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])


def test_manager_registers_an_endpoint_and_sees_the_secret_once(
    manager_client: Client, sales_manager
) -> None:
    response = manager_client.post(
        ADD_URL,
        {
            "url": "https://hooks.example.com/in",
            "description": "CRM",
            "events": ["lead.created", "lead.hot"],
            "active": "on",
        },
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = response.context["secret"]
    html = response.content.decode()
    assert secret.startswith("whsec_") and secret in html
    assert "no-store" in response["Cache-Control"]
    assert decrypt_text(endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE) == secret
    assert endpoint.owner == sales_manager and endpoint.events == ["lead.created", "lead.hot"]
    # Never again: not on the endpoint's page, not in the list.
    for url in (change_url(endpoint), LIST_URL):
        page = manager_client.get(url).content.decode()
        assert secret not in page and endpoint.secret_encrypted not in page
        assert endpoint.secret_prefix in page or url == LIST_URL


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/in", "Only https:// URLs are accepted."),
        ("https://127.0.0.1/in", "This URL cannot receive webhooks"),
        ("https://10.0.0.7/in", "This URL cannot receive webhooks"),
        ("not a url", "Enter a valid URL."),
    ],
)
def test_bad_urls_are_clear_form_errors(manager_client: Client, settings, url: str, message: str) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    response = manager_client.post(ADD_URL, {"url": url, "events": ["lead.hot"], "active": "on"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors["url"]), errors
    assert not WebhookEndpoint.objects.exists()


def test_no_events_is_a_form_error(manager_client: Client) -> None:
    response = manager_client.post(ADD_URL, {"url": "https://hooks.example.com/in", "active": "on"})
    assert "events" in response.context["adminform"].form.errors


def test_rotate_shows_a_new_secret_and_needs_post(manager_client: Client, sales_manager) -> None:
    endpoint, old = webhook_endpoint_create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=sales_manager
    )
    url = reverse("admin:webhooks_webhookendpoint_rotate", args=[endpoint.pk])
    assert manager_client.get(url).status_code == 405
    response = manager_client.post(url)
    assert response.status_code == 200
    endpoint.refresh_from_db()
    new = response.context["secret"]
    assert new != old and decrypt_text(endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE) == new


def test_send_test_event_and_resend_from_the_endpoint_page(
    manager_client: Client,
    sales_manager,
    settings,
    httpserver: HTTPServer,
    django_capture_on_commit_callbacks,
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/in").respond_with_data("received")
    endpoint, _ = webhook_endpoint_create(
        url=httpserver.url_for("/in"), events=["lead.hot"], owner=sales_manager
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("admin:webhooks_webhookendpoint_test", args=[endpoint.pk]))
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert delivery.event.type == "webhook.test" and delivery.status == DeliveryStatus.DELIVERED

    page = manager_client.get(change_url(endpoint)).content.decode()
    assert "webhook.test #" in page and "Delivered" in page and "received" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("admin:webhooks_webhookdelivery_resend", args=[delivery.pk]),
            {"next": "https://evil.example/"},
        )
    assert response.status_code == 302 and response["Location"] == change_url(endpoint)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.DELIVERED
    assert len(httpserver.log) == 2
    ids = {request.headers["webhook-id"] for request, _ in httpserver.log}
    assert ids == {delivery.event.webhook_id}


def test_resend_action_in_the_delivery_log(manager_client: Client, sales_manager) -> None:
    endpoint, _ = webhook_endpoint_create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=sales_manager
    )
    event = WebhookEvent.objects.create(type="lead.hot", data={})
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, status=DeliveryStatus.GAVE_UP, attempts=9, error="Gave up"
    )
    response = manager_client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "resend_selected", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.error == ""


def test_reps_cannot_see_or_use_webhooks(rep_client: Client, sales_manager) -> None:
    endpoint, _ = webhook_endpoint_create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=sales_manager
    )
    assert rep_client.get(LIST_URL).status_code == 403
    assert rep_client.get(ADD_URL).status_code == 403
    assert rep_client.post(
        reverse("admin:webhooks_webhookendpoint_rotate", args=[endpoint.pk])
    ).status_code in (403, 404)
    assert rep_client.get(reverse("admin:webhooks_webhookdelivery_changelist")).status_code == 403


@pytest.mark.parametrize("count", [2, 12])
def test_endpoint_list_has_a_fixed_query_count(
    manager_client: Client, sales_manager, django_assert_max_num_queries, count: int
) -> None:
    for n in range(count):
        endpoint, _ = webhook_endpoint_create(
            url=f"https://hooks{n}.example.com/in", events=["lead.hot"], owner=sales_manager
        )
        event = WebhookEvent.objects.create(type="lead.hot", data={})
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            response_status=200,
        )
    with django_assert_max_num_queries(10):
        response = manager_client.get(LIST_URL)
    assert response.status_code == 200 and len(response.context["cl"].result_list) == count
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("admin:webhooks_webhookdelivery_changelist"))
    assert response.status_code == 200


def test_changing_an_endpoint_goes_through_the_service(manager_client: Client, sales_manager) -> None:
    endpoint, secret = webhook_endpoint_create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=sales_manager
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=False, failing_since=timezone.now(), disabled_reason="410 Gone"
    )
    response = manager_client.post(
        change_url(endpoint),
        {
            "url": "https://hooks.example.com/v2",
            "description": "v2",
            "events": ["lead.created"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/v2" and endpoint.events == ["lead.created"]
    assert endpoint.active and endpoint.failing_since is None and endpoint.disabled_reason == ""
    assert (
        decrypt_text(endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE) == secret
    )  # editing keeps the secret


def test_a_delivery_page_has_resend(manager_client: Client, sales_manager) -> None:
    endpoint, _ = webhook_endpoint_create(
        url="https://hooks.example.com/in", events=["lead.hot"], owner=sales_manager
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=WebhookEvent.objects.create(type="lead.hot", data={"x": "<b>"}),
        status="gave_up",
    )
    page = manager_client.get(
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
    ).content.decode()
    assert reverse("admin:webhooks_webhookdelivery_resend", args=[delivery.pk]) in page
    assert "&lt;b&gt;" in page and '"x": "<b>"' not in page  # the payload is escaped
