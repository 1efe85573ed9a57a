"""Every state change of the Slack / Teams alerts: queueing an alert, fanning it out to the
channels that want it, posting one delivery (once), retrying, and the admin's test message.

Independent of the e-mail: the domains queue `alert_channels_notify_task` next to (not inside)
their e-mail job, in the same transaction (transactional outbox). A receiver that is down, slow
or refusing therefore never delays or fails the e-mail, and the e-mail never waits for it.

Exactly once per channel and alert: the delivery row is unique per (channel, alert kind,
subject key), so a fan-out that runs again finds the rows it made; each post locks its row,
claims it with a lease (`sending_until`) while it is still pending, posts with no transaction
open, then records the answer. Only a worker killed between the receiver's answer and that
record's COMMIT can repeat a message.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from enterprise_scanner.outbound import OutboundFailed, OutboundRefused, OutboundResponse, outbound_post
from enterprise_scanner.task_queue import enqueue_with_transaction

from .message import AlertMessage
from .models import AlertChannel, AlertDelivery, AlertKind, ChannelKind, DeliveryStatus
from .slack import slack_payload
from .sources import build_message, sample_message
from .teams import teams_payload

#: Seconds to wait before each retry of a failed post: 1 min, 5 min, 30 min, 2 h; then it fails.
RETRY_DELAYS = (60, 300, 1800, 7200)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Answers that say the webhook is gone for good (Slack: no_service / channel_not_found /
#: channel_is_archived; Teams: the connector or flow was removed): the channel is switched off.
GONE_STATUSES = frozenset({404, 410})
#: Other 4xx answers will not get better by retrying (invalid_payload, invalid_token …).
RETRYABLE_4XX = frozenset({408, 425, 429})


def payload_for(channel_kind: str, message: AlertMessage) -> dict[str, object]:
    return teams_payload(message) if channel_kind == ChannelKind.TEAMS else slack_payload(message)


def alert_channels_queue(*, kind: AlertKind | str, subject_id: uuid.UUID | str, key: str | int = "") -> None:
    """Queue the Slack / Teams side of an alert in the caller's transaction; called by the
    domains next to their e-mail job."""
    from .tasks import alert_channels_notify_task  # tasks import this module

    enqueue_with_transaction(alert_channels_notify_task, str(AlertKind(kind)), str(subject_id), str(key))


def channels_for(*, kind: str, owner_id: int | None) -> list[AlertChannel]:
    """The active channels that want `kind` about a lead owned by `owner_id` (None: unassigned).
    Two queries whatever the number of channels."""
    channels = [c for c in AlertChannel.objects.filter(is_active=True).order_by("pk") if c.wants(kind)]
    owner_groups: set[int] = set()
    if owner_id is not None and any(c.team_id for c in channels):
        membership = get_user_model().groups.through.objects.filter(user_id=owner_id)
        owner_groups = set(membership.values_list("group_id", flat=True))
    return [
        channel
        for channel in channels
        if channel.team_id is None
        or (channel.team_id in owner_groups)
        or (owner_id is None and channel.include_unassigned)
    ]


@transaction.atomic
def alert_channels_notify(*, kind: str, subject_id: str, key: str) -> list[int]:
    """Make one delivery per channel that wants this alert (the message as it reads now) and
    queue its post. A re-run finds the deliveries and queues nothing more. Returns the new ids."""
    message = build_message(kind=kind, subject_id=subject_id, key=key)
    if message is None:
        return []
    subject_key = f"{subject_id}:{key}" if key else str(subject_id)
    created: list[int] = []
    for channel in channels_for(kind=kind, owner_id=message.owner_id):
        try:
            with transaction.atomic():
                delivery = AlertDelivery.objects.create(
                    channel=channel,
                    alert_kind=kind,
                    subject_key=subject_key[:200],
                    subject_label=message.label[:300],
                    subject_url=message.url[:500],
                    payload=payload_for(channel.kind, message),
                )
        except IntegrityError:
            continue  # made by an earlier run of this job, whose post job was queued with it
        created.append(delivery.pk)
        _queue_attempt(delivery.pk)
    return created


def _queue_attempt(delivery_id: int, *, delay_seconds: int = 0) -> None:
    from .tasks import alert_delivery_attempt_task

    task = alert_delivery_attempt_task
    if delay_seconds:
        if not task.get_backend().supports_defer:
            return  # in-process backends (tests): the retry is run by whoever wants it
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    enqueue_with_transaction(task, delivery_id)


@dataclass(frozen=True)
class PostOutcome:
    ok: bool
    retry: bool
    gone: bool
    status_code: int | None
    elapsed_ms: int | None
    snippet: str
    error: str


def _post(url: str, payload: dict[str, object]) -> PostOutcome:
    """Post and classify the answer; never raises."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        response: OutboundResponse = outbound_post(
            url, content=body, headers={"Content-Type": "application/json; charset=utf-8"}
        )
    except OutboundRefused as exc:
        return PostOutcome(False, False, False, None, None, "", f"Refused: {exc}"[:500])
    except OutboundFailed as exc:
        return PostOutcome(
            False, True, False, None, exc.elapsed_ms, "", f"Could not reach the receiver: {exc}"[:500]
        )
    code = response.status_code
    if response.ok:
        return PostOutcome(True, False, False, code, response.elapsed_ms, response.snippet, "")
    gone = code in GONE_STATUSES
    retry = code >= 500 or code in RETRYABLE_4XX
    if 300 <= code < 400:
        error = (
            f"The receiver answered with a redirect ({code}); redirects are not followed. Use the final URL."
        )
    elif gone:
        error = f"The webhook no longer exists ({code}): the channel was switched off."
    else:
        error = f"The receiver answered {code}."
    return PostOutcome(False, retry, gone, code, response.elapsed_ms, response.snippet, error)


def claim_lease_seconds() -> float:
    """How long a claim lasts: a job's lease (TASK_LEASE_SECONDS), so that when the worker that
    claimed a delivery dies, the re-run of its job finds the claim expired and posts."""
    return float(getattr(settings, "TASK_LEASE_SECONDS", 60))


@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    url: str
    payload: dict[str, object]
    attempted_at: datetime


def _claim(delivery_id: int) -> _Claim | str:
    """Take a pending, due delivery for one attempt (one short transaction), or say why not.

    The claim is a lease (`sending_until`), not a row lock held over the post: a slow Slack or
    Teams answer must not hold a database lock for the request's timeout (on SQLite that is the
    whole database's write lock, so every intake and chat write would wait behind it)."""
    with transaction.atomic():
        delivery = (
            AlertDelivery.objects.select_for_update(of=("self",))
            .select_related("channel")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery.status if delivery else "missing"
        now = timezone.now()
        if delivery.sending_until is not None and delivery.sending_until > now:
            # Another job is posting it and records the answer. Should that job's worker have
            # died, look again when its lease ends, so the delivery cannot be stranded.
            remaining = (delivery.sending_until - now).total_seconds()
            _queue_attempt(delivery.pk, delay_seconds=int(remaining) + 1)
            return "sending"
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return "not-due"  # an earlier job; the retry that is due later will post
        channel = delivery.channel
        if not channel.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.error = "The channel is switched off."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "error", "next_attempt_at"])
            return delivery.status
        delivery.sending_until = now + timedelta(seconds=claim_lease_seconds())
        # Also the cron safety net's cue (alert_deliveries_retry_due) should the claim be lost.
        delivery.next_attempt_at = delivery.sending_until
        delivery.save(update_fields=["sending_until", "next_attempt_at"])
        return _Claim(delivery.pk, channel.webhook_url, delivery.payload, now)


def _record(claim: _Claim, outcome: PostOutcome) -> str:
    """Record the answer to a claimed post and decide: delivered, retry later, or failed (and,
    for 404/410, the channel switched off). One short transaction."""
    with transaction.atomic():
        delivery = (
            AlertDelivery.objects.select_for_update(of=("self",))
            .select_related("channel")
            .get(pk=claim.delivery_id)
        )
        if delivery.status != DeliveryStatus.PENDING:
            return delivery.status  # recorded meanwhile by a job that took over an expired claim
        now, channel = claim.attempted_at, delivery.channel
        delivery.sending_until = None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.status_code = outcome.status_code
        delivery.latency_ms = outcome.elapsed_ms
        delivery.response_snippet = outcome.snippet[:500]
        delivery.error = outcome.error
        delivery.next_attempt_at = None
        if outcome.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            AlertChannel.objects.filter(pk=channel.pk, failing_since__isnull=False).update(failing_since=None)
        elif outcome.retry and delivery.attempts < MAX_ATTEMPTS:
            delay = RETRY_DELAYS[delivery.attempts - 1]
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            _queue_attempt(delivery.pk, delay_seconds=delay)
        else:
            delivery.status = DeliveryStatus.FAILED
            AlertChannel.objects.filter(pk=channel.pk, failing_since__isnull=True).update(failing_since=now)
            if outcome.gone:
                AlertChannel.objects.filter(pk=channel.pk).update(
                    is_active=False, disabled_reason=outcome.error[:300]
                )
        delivery.save()
        return delivery.status


def alert_delivery_attempt(*, delivery_id: int) -> str:
    """Post one delivery unless it was posted (or given up) already; returns its status after.

    Claim (short transaction), post with no transaction open, record (short transaction). A
    failure that may pass (network, timeout, 5xx, 429) is retried after the next of RETRY_DELAYS;
    after the last one the delivery is failed and the channel marked failing. A 404/410 switches
    the channel off. Only a worker killed between the receiver's answer and the record's COMMIT
    can repeat a message (its job's re-run posts again once the claim has expired)."""
    claim = _claim(delivery_id)
    if isinstance(claim, str):
        return claim
    return _record(claim, _post(claim.url, claim.payload))


@transaction.atomic
def alert_delivery_retry(*, delivery: AlertDelivery) -> bool:
    """Post a failed (or still waiting) delivery again now, with a fresh series of retries.
    False when it was delivered already, is being posted right now, or its channel is off."""
    delivery = (
        AlertDelivery.objects.select_for_update(of=("self",)).select_related("channel").get(pk=delivery.pk)
    )
    sending = delivery.sending_until is not None and delivery.sending_until > timezone.now()
    if delivery.status == DeliveryStatus.DELIVERED or not delivery.channel.is_active or sending:
        return False
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.sending_until = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "sending_until"])
    _queue_attempt(delivery.pk)
    return True


@transaction.atomic
def alert_deliveries_retry_due(*, grace_seconds: int = 0, limit: int = 500) -> int:
    """Queue the posts of waiting deliveries whose retry time passed more than `grace_seconds`
    ago: for backends that cannot defer a job, and as the safety net (cron) when a deferred job
    was lost. A duplicate job is harmless (the row lock and the status check). Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    due = list(
        AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        _queue_attempt(delivery_id)
    return len(due)


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str


def alert_channel_send_test(*, channel: AlertChannel) -> TestResult:
    """Post a test message now (from the admin) and say what the receiver answered."""
    outcome = _post(channel.webhook_url, payload_for(channel.kind, sample_message()))
    answer = f" It answered: {outcome.snippet[:200]!r}" if outcome.snippet else ""
    if outcome.ok:
        if channel.failing_since:
            AlertChannel.objects.filter(pk=channel.pk).update(failing_since=None)
        return TestResult(
            True,
            f"“{channel.name}” accepted the test message ({outcome.status_code}, {outcome.elapsed_ms} ms).{answer}",
        )
    return TestResult(False, f"“{channel.name}”: {outcome.error}{answer}")
