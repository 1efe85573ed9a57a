"""The managers' admin pages: the channel form's errors and warnings, the secret URL never shown
again, the test message and the delivery log's Retry."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client
from pytest_httpserver import HTTPServer

from ..models import AlertChannel, AlertDelivery, AlertKind, DeliveryStatus
from .factories import AlertChannelFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/alert_channels/alertchannel/add/"
LIST = "/admin/alert_channels/alertchannel/"
DELIVERIES = "/admin/alert_channels/alertdelivery/"
SECRET_URL = "https://hooks.slack.com/services/T0AAA/B0BBB/s3cr3tT0k3nXyZ"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "#sales-hot-leads",
        "kind": "slack",
        "webhook_url": SECRET_URL,
        "alert_hot_lead": "on",
        "alert_chat_escalation": "on",
        "include_unassigned": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_manager_adds_a_channel_and_the_url_is_never_shown_again(
    manager_client: Client, sales_manager
) -> None:
    response = manager_client.post(ADD, form_data(), follow=True)
    assert response.status_code == 200
    channel = AlertChannel.objects.get()
    assert channel.webhook_url == SECRET_URL and channel.created_by == sales_manager
    assert channel.webhook_hint == "https://hooks.slack.com/…nXyZ"
    assert not any("does not look like" in m for m in page_messages(response))

    listing = manager_client.get(LIST).content.decode()
    change = manager_client.get(f"{LIST}{channel.pk}/change/").content.decode()
    for page in (listing, change):
        assert "s3cr3tT0k3n" not in page
        assert "https://hooks.slack.com/…nXyZ" in page
    assert "leave empty to keep it" in change

    # Saving without retyping keeps the URL; the audit log never holds it.
    response = manager_client.post(f"{LIST}{channel.pk}/change/", form_data(name="#hot", webhook_url=""))
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "#hot" and channel.webhook_url == SECRET_URL
    assert "s3cr3tT0k3n" not in channel.webhook_url_encrypted
    entries = LogEntry.objects.get_for_object(channel)
    assert entries.count() == 2
    assert all("s3cr3tT0k3n" not in str(entry.changes) for entry in entries)


def test_a_url_that_does_not_look_like_slack_is_saved_with_a_warning(
    manager_client: Client, settings
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    response = manager_client.post(ADD, form_data(webhook_url="http://127.0.0.1:8099/hook"), follow=True)
    assert AlertChannel.objects.get().webhook_url == "http://127.0.0.1:8099/hook"
    assert any("does not look like a Slack incoming webhook" in m for m in page_messages(response))


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", "Paste the incoming-webhook URL of the channel."),
        ("hooks.slack.com/services/x", "This is not a valid URL."),
        ("javascript:alert(1)", "This is not a valid URL."),
        ("http://hooks.slack.com/services/x", "Only https:// URLs are accepted."),
        ("https://127.0.0.1/hook", "This URL cannot be used:"),
        ("https://169.254.169.254/latest/meta-data", "This URL cannot be used:"),
    ],
)
def test_bad_urls_get_clear_errors_and_nothing_is_saved(manager_client: Client, url: str, error: str) -> None:
    response = manager_client.post(ADD, form_data(webhook_url=url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["webhook_url"]
    assert any(error in message for message in errors), errors
    assert not AlertChannel.objects.exists()


def test_a_channel_needs_at_least_one_kind_of_alert(manager_client: Client) -> None:
    response = manager_client.post(ADD, form_data(alert_hot_lead=None, alert_chat_escalation=None))
    assert response.status_code == 200
    assert "Choose at least one kind of alert" in response.content.decode()


def test_send_test_message_shows_the_receivers_answer(
    manager_client: Client, settings, httpserver: HTTPServer
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    channel = AlertChannelFactory(name="#sales", webhook_url=httpserver.url_for("/slack"))
    response = manager_client.post(
        LIST, {"action": "send_test_message", "_selected_action": [channel.pk]}, follow=True
    )
    [message] = page_messages(response)
    assert "“#sales” accepted the test message (200" in message and "'ok'" in message
    [(request, _)] = httpserver.log
    assert request.get_json()["text"] == "Test alert from Enterprise Scanner"


@pytest.mark.parametrize(
    ("url", "private", "expected"),
    [
        ("http://127.0.0.1:9/hook", True, "Could not reach the receiver"),
        ("https://10.1.2.3/hook", False, "Refused:"),
    ],
)
def test_send_test_message_to_an_unreachable_or_refused_url_shows_the_error(
    manager_client: Client, settings, url: str, private: bool, expected: str
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = private
    settings.OUTBOUND_TIMEOUT_SECONDS = 2
    channel = AlertChannelFactory(name="#sales", webhook_url=url)
    response = manager_client.post(
        LIST, {"action": "send_test_message", "_selected_action": [channel.pk]}, follow=True
    )
    assert response.status_code == 200
    [message] = page_messages(response)
    assert message.startswith("“#sales”: ") and expected in message


def test_the_test_message_reports_an_error_answer(
    manager_client: Client, settings, httpserver: HTTPServer
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/slack").respond_with_data("invalid_token", status=403)
    channel = AlertChannelFactory(name="#sales", webhook_url=httpserver.url_for("/slack"))
    response = manager_client.post(
        LIST, {"action": "send_test_message", "_selected_action": [channel.pk]}, follow=True
    )
    assert page_messages(response) == ["“#sales”: The receiver answered 403. It answered: 'invalid_token'"]


def test_retry_posts_a_failed_delivery_again(
    manager_client: Client, settings, httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/slack").respond_with_data("ok")
    channel = AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    failed = AlertDelivery.objects.create(
        channel=channel,
        alert_kind=AlertKind.HOT_LEAD,
        subject_key="x:1",
        subject_label="Ada",
        payload={"text": "hello"},
        status=DeliveryStatus.FAILED,
        attempts=5,
        error="The receiver answered 500.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            DELIVERIES, {"action": "retry", "_selected_action": [failed.pk]}, follow=True
        )
    assert page_messages(response) == ["Queued 1 delivery(ies) again."]
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.DELIVERED and failed.attempts == 1
    assert httpserver.log[0][0].get_json() == {"text": "hello"}


def test_reps_cannot_see_channels(rep_client: Client) -> None:
    channel = AlertChannelFactory()
    assert rep_client.get(LIST).status_code == 403
    assert rep_client.get(f"{LIST}{channel.pk}/change/").status_code == 403
    assert rep_client.get(DELIVERIES).status_code == 403


@pytest.mark.parametrize("count", [2, 12])
def test_the_lists_take_a_fixed_number_of_queries(
    manager_client: Client, django_assert_max_num_queries, count: int
) -> None:
    for n in range(count):
        channel = AlertChannelFactory()
        AlertDelivery.objects.create(channel=channel, alert_kind=AlertKind.HOT_LEAD, subject_key=f"s:{n}")
    with django_assert_max_num_queries(10):
        assert manager_client.get(LIST).status_code == 200
    with django_assert_max_num_queries(12):
        assert manager_client.get(DELIVERIES).status_code == 200


def test_save_and_send_test_message_from_the_form(
    manager_client: Client, settings, httpserver: HTTPServer
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    channel = AlertChannelFactory(name="#sales", webhook_url=httpserver.url_for("/slack"))
    response = manager_client.post(
        f"{LIST}{channel.pk}/change/",
        {**form_data(name="#sales", webhook_url=""), "alert_channels_alertchannel_save_and_send_test": "1"},
        follow=True,
    )
    assert any("“#sales” accepted the test message (200" in m for m in page_messages(response))
    assert len(httpserver.log) == 1
