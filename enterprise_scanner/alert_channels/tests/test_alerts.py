"""End to end on real parts: the alert services, the task backend and a local HTTP receiver
(pytest-httpserver) standing in for Slack / Teams, next to the e-mail alerts (Django's outbox)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_httpserver import HTTPServer

from analytics.services import website_create
from chat import services as chat_services
from chat.models import Conversation
from leads.models import Lead
from leads.services import lead_rescore
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory, UserFactory

from ..models import AlertDelivery, AlertKind, ChannelKind, DeliveryStatus
from ..services import (
    alert_channels_notify,
    alert_deliveries_retry_due,
    alert_delivery_attempt,
    channels_for,
)
from .factories import AlertChannelFactory

pytestmark = pytest.mark.django_db

ATTEMPT_JOB = "enterprise_scanner.alert_channels.tasks.alert_delivery_attempt_task"


@pytest.fixture(autouse=True)
def _local_receivers(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    settings.OUTBOUND_TIMEOUT_SECONDS = 3
    # A Fortune 500 CISO with no activity yet scores 60: make that hot.
    settings.LEAD_SCORING = {"hot_threshold": 50}


def hot_candidate(owner=None) -> Lead:
    """A Fortune 500 CISO not scored yet: the first re-score crosses the hot threshold."""
    return LeadFactory(
        email="ada@jpmorganchase.com",
        first_name="Ada",
        last_name="Lovelace",
        job_title="Chief Information Security Officer",
        company=Fortune500CompanyFactory(),
        score=0,
        owner=owner,
    )


def received(httpserver: HTTPServer, path: str = "/slack") -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log if request.path == path]


def hot_alert_emails() -> list:
    return [message for message in mail.outbox if message.subject.startswith("Hot lead")]


def test_a_hot_lead_posts_one_slack_message_and_still_sends_the_email(
    httpserver: HTTPServer, sales_rep, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    channel = AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    sales_rep.first_name, sales_rep.last_name = "Rita", "Rep"
    sales_rep.save()
    lead = hot_candidate(owner=sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        lead_rescore(lead_id=lead.pk)
    lead.refresh_from_db()

    assert len(hot_alert_emails()) == 1  # the e-mail path, untouched
    [body] = received(httpserver)
    assert body["text"].startswith("Hot lead: Ada Lovelace at JPMorgan Chase")
    [section] = [block for block in body["blocks"] if "fields" in block]
    fields = {f["text"].split("\n")[0]: f["text"].split("\n", 1)[1] for f in section["fields"]}
    assert fields["*Company*"] == "JPMorgan Chase 🏆 Fortune 500 #11"
    assert fields["*Score*"] == f"{lead.score}/100"
    assert fields["*Owner*"] == "Rita Rep"
    assert fields["*Est. value*"].startswith("$")
    [button] = body["blocks"][-1]["elements"]
    assert button["url"].endswith(f"/admin/leads/lead/{lead.pk}/change/")
    delivery = AlertDelivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.status_code) == (
        channel,
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert delivery.response_snippet == "ok" and delivery.latency_ms is not None

    # The jobs run again (a worker died after posting): nothing more is posted.
    crossing = delivery.subject_key.split(":")[1]
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_channels_notify(kind=AlertKind.HOT_LEAD, subject_id=str(lead.pk), key=crossing) == []
        assert alert_delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.DELIVERED
    assert len(received(httpserver)) == 1


def test_a_teams_channel_gets_an_adaptive_card(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/teams", method="POST").respond_with_data("1", status=202)
    AlertChannelFactory(kind=ChannelKind.TEAMS, webhook_url=httpserver.url_for("/teams"))
    lead = hot_candidate()
    with django_capture_on_commit_callbacks(execute=True):
        lead_rescore(lead_id=lead.pk)
    [body] = received(httpserver, "/teams")
    card = body["attachments"][0]["content"]
    assert body["type"] == "message" and card["version"] == "1.4"
    facts = {fact["title"]: fact["value"] for fact in card["body"][-1]["facts"]}
    assert facts["Owner"] == "Unassigned" and facts["Score"] == f"{Lead.objects.get().score}/100"
    assert card["actions"][0]["type"] == "Action.OpenUrl"


def test_a_receiver_error_never_delays_the_email_and_is_retried_then_delivered_once(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_oneshot_request("/slack").respond_with_data("internal error", status=500)
    httpserver.expect_request("/slack").respond_with_data("ok")
    channel = AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    lead = hot_candidate()

    with django_capture_on_commit_callbacks(execute=True):
        lead_rescore(lead_id=lead.pk)
    assert len(hot_alert_emails()) == 1
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.status_code == 500 and delivery.error == "The receiver answered 500."
    assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)

    # Not due yet: an early run posts nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_deliveries_retry_due() == 0
        assert alert_delivery_attempt(delivery_id=delivery.pk) == "not-due"
    AlertDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_deliveries_retry_due() == 1
        alert_delivery_attempt(delivery_id=delivery.pk)  # a duplicate job
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2 and delivery.error == ""
    assert len(received(httpserver)) == 2  # the failed one and the delivered one
    channel.refresh_from_db()
    assert channel.failing_since is None
    assert len(hot_alert_emails()) == 1


def test_an_unreachable_receiver_keeps_the_email_and_schedules_the_retry_in_the_queue(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    AlertChannelFactory(webhook_url="http://127.0.0.1:9/hook")
    lead = hot_candidate()
    lead_rescore(lead_id=lead.pk)
    jobs = {job.task_path for job in DBTaskResult.objects.all()}
    assert {
        "leads.tasks.lead_hot_alert_task",
        "enterprise_scanner.alert_channels.tasks.alert_channels_notify_task",
    } <= jobs

    def run(path: str) -> None:
        for job in DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at"):
            job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
            job.delete()

    run("enterprise_scanner.alert_channels.tasks.alert_channels_notify_task")
    run(ATTEMPT_JOB)  # fails: nothing listens on port 9
    run("leads.tasks.lead_hot_alert_task")
    assert len(hot_alert_emails()) == 1
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.error.startswith("Could not reach the receiver")
    [retry] = DBTaskResult.objects.filter(task_path=ATTEMPT_JOB)
    assert retry.args_kwargs["args"] == [delivery.pk]
    assert abs((retry.run_after - delivery.next_attempt_at).total_seconds()) < 2


def test_after_the_last_retry_the_delivery_fails_and_the_channel_is_marked_failing(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/slack").respond_with_data("down", status=503)
    channel = AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    with django_capture_on_commit_callbacks(execute=True):
        lead_rescore(lead_id=hot_candidate().pk)
    delivery = AlertDelivery.objects.get()
    for _ in range(4):
        AlertDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        alert_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    channel.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 5
    assert channel.failing_since is not None and channel.is_active
    assert len(received(httpserver)) == 5


def test_a_webhook_that_is_gone_switches_the_channel_off(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/slack").respond_with_data("no_service", status=404)
    channel = AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    with django_capture_on_commit_callbacks(execute=True):
        lead_rescore(lead_id=hot_candidate().pk)
    channel.refresh_from_db()
    delivery = AlertDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_snippet == "no_service"
    assert not channel.is_active and "no longer exists (404)" in channel.disabled_reason
    assert len(hot_alert_emails()) == 1


def test_a_chat_escalation_posts_to_the_channel_and_emails_sales(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/slack").respond_with_data("ok")
    AlertChannelFactory(webhook_url=httpserver.url_for("/slack"), alert_hot_lead=False)
    website = website_create(name="Main", allowed_origins=["https://www.example.com"])
    lead = LeadFactory(email="<!channel>@example.com", first_name="<!channel>", last_name="")
    conversation = Conversation.objects.create(website=website, lead=lead)
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_escalate(conversation_id=conversation.pk, reason="asked_for_human")
    assert [m for m in mail.outbox if "Chat needs a person" in m.subject]
    [body] = received(httpserver)
    assert body["text"].startswith("Chat needs a person — &lt;!channel&gt;")
    assert "<!channel>" not in json.dumps(body)
    assert body["blocks"][-1]["elements"][0]["url"].endswith(f"#{conversation.pk}")
    assert AlertDelivery.objects.get().alert_kind == AlertKind.CHAT_ESCALATION


def test_channels_only_get_the_kinds_they_chose(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    httpserver.expect_request("/slack").respond_with_data("ok")
    AlertChannelFactory(webhook_url=httpserver.url_for("/slack"), alert_hot_lead=False)
    AlertChannelFactory(webhook_url=httpserver.url_for("/slack"), is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        lead_rescore(lead_id=hot_candidate().pk)
    assert received(httpserver) == [] and not AlertDelivery.objects.exists()
    assert len(hot_alert_emails()) == 1


def test_team_channels_get_alerts_about_their_members_leads() -> None:
    emea = Group.objects.create(name="EMEA")
    member, outsider = UserFactory(), UserFactory()
    member.groups.add(emea)
    everyone = AlertChannelFactory(name="all")
    team = AlertChannelFactory(name="emea", team=emea, include_unassigned=False)
    team_and_queue = AlertChannelFactory(name="emea+queue", team=emea, include_unassigned=True)

    def names(owner_id: int | None) -> set[str]:
        return {c.name for c in channels_for(kind=AlertKind.HOT_LEAD, owner_id=owner_id)}

    assert names(member.pk) == {everyone.name, team.name, team_and_queue.name}
    assert names(outsider.pk) == {everyone.name}
    assert names(None) == {everyone.name, team_and_queue.name}


def test_a_private_url_is_refused_when_posting_in_production(settings) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    channel = AlertChannelFactory(webhook_url="https://127.0.0.1/hook")
    lead = hot_candidate()
    scored = lead_rescore(lead_id=lead.pk)
    crossing = scored.events.filter(kind="scored").latest("pk").pk
    [delivery_id] = alert_channels_notify(kind=AlertKind.HOT_LEAD, subject_id=str(lead.pk), key=str(crossing))
    assert alert_delivery_attempt(delivery_id=delivery_id) == DeliveryStatus.FAILED
    delivery = AlertDelivery.objects.get(pk=delivery_id)
    assert delivery.error.startswith("Refused:") and delivery.attempts == 1
    channel.refresh_from_db()
    assert channel.failing_since is not None


def test_a_watched_site_that_got_worse_posts_to_the_channel_and_emails_the_owner(
    httpserver: HTTPServer, sales_rep, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    from assessments.models import AssessmentStatus, MonitoredTarget, SecurityAssessment
    from assessments.monitoring.services import monitor_after_scan

    httpserver.expect_request("/slack").respond_with_data("ok")
    AlertChannelFactory(webhook_url=httpserver.url_for("/slack"), alert_hot_lead=False)
    lead = LeadFactory(email="ciso@acme-corp.com", first_name="Ada", last_name="", owner=sales_rep)
    target = MonitoredTarget.objects.create(
        host="www.acme-corp.com", target_url="https://www.acme-corp.com/", lead=lead
    )
    scans = [
        SecurityAssessment.objects.create(
            lead=lead,
            target_url="https://www.acme-corp.com/",
            target_host="www.acme-corp.com",
            status=AssessmentStatus.COMPLETED,
            grade=grade,
            completed_at=timezone.now() - timedelta(days=days),
            monitored_target=target,
        )
        for grade, days in (("A", 7), ("D", 0))
    ]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        monitor_after_scan(assessment=scans[1])
    assert [m.to for m in mail.outbox if m.subject.startswith("Sales trigger")] == [[sales_rep.email]]
    [body] = received(httpserver)
    assert body["text"].startswith("Sales trigger: ") and "www.acme-corp.com got worse" in body["text"]
    assert "grade A → D" in body["blocks"][1]["text"]["text"]
    assert AlertDelivery.objects.get().alert_kind == AlertKind.WATCHED_ASSESSMENT


def test_a_watched_site_that_did_not_get_worse_posts_nothing(httpserver: HTTPServer) -> None:
    from assessments.models import AssessmentStatus, MonitoredTarget, SecurityAssessment

    AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    lead = LeadFactory()
    target = MonitoredTarget.objects.create(
        host="www.example.com", target_url="https://www.example.com/", lead=lead
    )
    for grade, days in (("C", 7), ("B", 0)):
        current = SecurityAssessment.objects.create(
            lead=lead,
            target_url="https://www.example.com/",
            target_host="www.example.com",
            status=AssessmentStatus.COMPLETED,
            grade=grade,
            completed_at=timezone.now() - timedelta(days=days),
            monitored_target=target,
        )
    assert alert_channels_notify(kind=AlertKind.WATCHED_ASSESSMENT, subject_id=str(current.pk), key="") == []
    assert received(httpserver) == []


def test_the_cron_command_queues_overdue_retries_again(
    httpserver: HTTPServer, django_capture_on_commit_callbacks
) -> None:
    from io import StringIO

    from django.core.management import call_command

    httpserver.expect_request("/slack").respond_with_data("ok")
    channel = AlertChannelFactory(webhook_url=httpserver.url_for("/slack"))
    delivery = AlertDelivery.objects.create(
        channel=channel,
        alert_kind=AlertKind.HOT_LEAD,
        subject_key="x:1",
        payload={"text": "hi"},
        attempts=1,
        next_attempt_at=timezone.now() - timedelta(minutes=2),
    )
    out = StringIO()
    call_command("retry_alert_deliveries", stdout=out)  # overdue by less than the grace period
    assert "0 delivery(ies)" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retry_alert_deliveries", "--grace-seconds", "60", stdout=out)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(received(httpserver)) == 1
