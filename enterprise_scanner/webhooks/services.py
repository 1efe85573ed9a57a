"""Every state change of webhooks: endpoints, emitting events, delivering and resending them."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from enterprise_scanner.compiled_sql import CompiledRead
from enterprise_scanner.outbound import (
    OutboundFailed,
    OutboundRefused,
    OutboundResponse,
    OutboundSession,
    outbound_url_refusal,
)
from enterprise_scanner.secret_box import decrypt_text, encrypt_text
from enterprise_scanner.task_queue import enqueue_with_transaction

from .models import (
    SIGNING_SECRET_PURPOSE,
    SUBSCRIBABLE_EVENT_TYPES,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from .signing import new_secret, signature_headers

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from leads.models import Lead

#: Waits after the 1st, 2nd … failed attempt (±20 % jitter): 9 attempts over about 23 hours,
#: then the delivery gives up and its endpoint is marked failing.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
ERROR_CHARS = 500


# --- Endpoints ------------------------------------------------------------------------------------


def webhook_endpoint_clean(*, url: str, events: Iterable[str]) -> tuple[str, list[str]]:
    """The URL and event list, normalised; ValidationError (by field) with a reason to show."""
    url = (url or "").strip()
    errors: dict[str, str] = {}
    if not url:
        errors["url"] = "Enter the URL that should receive the events."
    elif refusal := outbound_url_refusal(url):
        errors["url"] = f"This URL cannot receive webhooks: {refusal}"
    events = list(dict.fromkeys(events or []))
    unknown = [event for event in events if event not in SUBSCRIBABLE_EVENT_TYPES]
    if unknown:
        errors["events"] = f"Unknown event types: {', '.join(map(str, unknown))[:200]}."
    elif not events:
        errors["events"] = "Choose at least one event."
    if errors:
        raise ValidationError(errors)
    return url, sorted(events)


@transaction.atomic
def webhook_endpoint_create(
    *,
    url: str,
    events: Iterable[str],
    owner: AbstractBaseUser,
    description: str = "",
    active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is shown once (only its
    encrypted form is stored)."""
    url, events = webhook_endpoint_clean(url=url, events=events)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        events=events,
        owner=owner,
        description=description.strip()[:200],
        active=active,
        secret_encrypted=encrypt_text(secret, purpose=SIGNING_SECRET_PURPOSE),
        secret_prefix=secret[:12],
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: Iterable[str], description: str, active: bool
) -> WebhookEndpoint:
    """Change an endpoint. Turning it back on clears the reason it was disabled (and its
    failing mark: the manager says the receiver is fixed)."""
    url, events = webhook_endpoint_clean(url=url, events=events)
    # Compare with the stored row: the admin hands over an instance its form already changed.
    stored = WebhookEndpoint.objects.select_for_update().only("active").get(pk=endpoint.pk)
    reenabled = active and not stored.active
    endpoint.url, endpoint.events, endpoint.active = url, events, active
    endpoint.description = description.strip()[:200]
    if reenabled:
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new signing secret (returned, to show once); the old one stops at once."""
    secret = new_secret()
    endpoint.secret_encrypted = encrypt_text(secret, purpose=SIGNING_SECRET_PURPOSE)
    endpoint.secret_prefix = secret[:12]
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["secret_encrypted", "secret_prefix", "secret_rotated_at", "updated_at"])
    return secret


# --- Emitting -------------------------------------------------------------------------------------


#: Whether any endpoint is active: the only question emitting asks when nobody listens, on every
#: form submission, so its SQL is compiled once (see CompiledRead); the candidates' query below
#: (a join and a subquery) cost ~2.5 ms to compile, ten times the bare request it was part of.
_any_active_endpoint = CompiledRead(
    lambda: WebhookEndpoint.objects.filter(active=True).order_by().values_list("pk")[:1]
)


def _candidate_endpoints() -> list[WebhookEndpoint]:
    """Active endpoints with their owner and whether the owner is a manager, in one query."""
    from leads.selectors import SALES_MANAGER_GROUP

    memberships = get_user_model().groups.through.objects.filter(
        user_id=OuterRef("owner_id"), group__name=SALES_MANAGER_GROUP
    )
    return list(
        WebhookEndpoint.objects.filter(active=True)
        .select_related("owner")
        .annotate(owner_is_manager=Q(owner__is_superuser=True) | Exists(memberships))
    )


def _may_receive(endpoint: WebhookEndpoint, *, lead: Lead | None, managers_only: bool) -> bool:
    """A manager's (or superuser's) endpoint gets every event; anyone else's only events about a
    lead its owner may see (the same rule as the admin), never lead-less or manager-only ones."""
    from leads.selectors import user_is_sales_manager, user_may_see_lead

    owner = endpoint.owner
    owner._is_sales_manager = endpoint.owner_is_manager  # the selector's per-user cache: no query
    if user_is_sales_manager(owner):
        return True
    if managers_only or lead is None:
        return False
    return user_may_see_lead(user=owner, lead=lead)


def webhook_emit(
    *,
    event_type: str,
    data: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    lead: Lead | None = None,
    managers_only: bool = False,
    only_endpoint: WebhookEndpoint | None = None,
) -> WebhookEvent | None:
    """Record an event for every active endpoint that subscribes to it and may see it, and queue
    its delivery; call it inside the transaction of the change it describes.

    `data` may be a callable, built only when some endpoint receives the event: with no active
    endpoint, emitting costs one EXISTS-like query, compiled once per process. `lead` decides who may see the event and lets receivers
    order events per lead; `managers_only` keeps it from reps' endpoints (e.g. commissions).
    Returns the event, or None when nobody receives it."""
    if only_endpoint is not None:
        receivers = [only_endpoint]
    else:
        if _any_active_endpoint.fetchone(using=router.db_for_read(WebhookEndpoint)) is None:
            return None
        receivers = [
            endpoint
            for endpoint in _candidate_endpoints()
            if event_type in endpoint.events
            and _may_receive(endpoint, lead=lead, managers_only=managers_only)
        ]
    if not receivers:
        return None
    payload = data() if callable(data) else data
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            type=event_type, data=dict(payload), lead_id=lead.pk if lead is not None else None
        )
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(endpoint=endpoint, event=event) for endpoint in receivers]
        )
        from .tasks import webhook_event_task  # tasks imports this module

        enqueue_with_transaction(webhook_event_task, event.pk)
    return event


def webhook_send_test(*, endpoint: WebhookEndpoint) -> WebhookEvent:
    """Send a `webhook.test` event to this one endpoint (the admin's "Send test event")."""
    event = webhook_emit(
        event_type=WebhookEventType.TEST,
        data={"endpoint_id": endpoint.pk, "message": "Test event from Enterprise Scanner."},
        only_endpoint=endpoint,
    )
    assert event is not None
    return event


# --- Payloads -------------------------------------------------------------------------------------


def event_envelope(event: WebhookEvent) -> dict[str, Any]:
    """The versioned JSON body of an event (docs/webhooks.md): the same bytes on every attempt."""
    return {
        "id": str(event.public_id),
        "type": event.type,
        "version": event.version,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "sequence": event.sequence,
        "data": event.data,
    }


def event_body(event: WebhookEvent) -> bytes:
    return json.dumps(event_envelope(event), cls=DjangoJSONEncoder, separators=(",", ":")).encode()


# --- Delivering -----------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after `attempts` failed attempts, with jitter; None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[attempts - 1]
    return base * random.uniform(0.8, 1.2)


def _schedule(delivery: WebhookDelivery, when: datetime | None) -> None:
    """Queue `webhook_deliver_task` for the delivery (at `when`, if the backend can defer jobs;
    the immediate backend of the tests cannot: a test calls the task itself)."""
    from .tasks import webhook_deliver_task

    task = webhook_deliver_task
    if when is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=when)
    enqueue_with_transaction(task, delivery.pk)


@dataclass(frozen=True)
class _Claim:
    """A delivery taken for one attempt: what to send, and where."""

    delivery_id: int
    url: str
    body: bytes
    headers: dict[str, str]
    attempted_at: datetime


@dataclass(frozen=True)
class _Outcome:
    response: OutboundResponse | None
    error: str
    retry: bool
    latency: int | None


def _claim(delivery_ids: list[int]) -> tuple[list[_Claim], dict[int, str]]:
    """Take the pending, due deliveries among `delivery_ids` for one attempt each (one short
    transaction); returns the claims and, for the others, why not.

    The claim is a lease (`sending_until`), not a lock held over the request: a slow receiver
    must not hold a database lock (on SQLite, the whole database's write lock) for its timeout.
    The lease is as long as a job's (TASK_LEASE_SECONDS): a job re-run after its worker died
    comes after the lease has run out, so the delivery is taken again."""
    claims: list[_Claim] = []
    skipped: dict[int, str] = {}
    with transaction.atomic():
        deliveries = list(
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "event")
            .filter(pk__in=delivery_ids)
            .order_by("pk")
        )
        now = timezone.now()
        lease = timedelta(seconds=claim_lease_seconds())
        for delivery in deliveries:
            if delivery.status != DeliveryStatus.PENDING:
                skipped[delivery.pk] = delivery.status
            elif delivery.sending_until is not None and delivery.sending_until > now:
                # Another job is sending it and records the outcome; should that job's worker
                # have died, look again when its lease ends, so the delivery cannot be stranded.
                skipped[delivery.pk] = "sending"
                _schedule(delivery, delivery.sending_until)
            elif delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                skipped[delivery.pk] = delivery.status  # an earlier job; the retry is queued for later
            elif not delivery.endpoint.active:
                _finish(delivery, now=now, status=DeliveryStatus.FAILED, error="The endpoint is disabled.")
                skipped[delivery.pk] = delivery.status
            else:
                body = event_body(delivery.event)
                headers = signature_headers(
                    secret=decrypt_text(delivery.endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE),
                    msg_id=delivery.event.webhook_id,
                    timestamp=int(now.timestamp()),
                    body=body,
                )
                headers["Content-Type"] = "application/json"
                claims.append(_Claim(delivery.pk, delivery.endpoint.url, body, headers, now))
        if claims:
            WebhookDelivery.objects.filter(pk__in=[c.delivery_id for c in claims]).update(
                sending_until=now + lease
            )
    return claims, skipped


def _send(claim: _Claim, session: OutboundSession) -> _Outcome:
    try:
        response = session.post(claim.url, content=claim.body, headers=claim.headers)
    except OutboundRefused as exc:
        return _Outcome(None, f"Refused: {exc}", retry=False, latency=None)
    except OutboundFailed as exc:
        return _Outcome(None, str(exc) or type(exc).__name__, retry=True, latency=exc.elapsed_ms)
    return _Outcome(response, "", retry=False, latency=response.elapsed_ms)


def claim_lease_seconds() -> float:
    """How long a claim lasts: a job's lease, so a re-run of a dead worker's job finds it expired."""
    return float(getattr(settings, "TASK_LEASE_SECONDS", 60))


def _record(results: list[tuple[_Claim, _Outcome]], released: list[_Claim]) -> dict[int, str]:
    """Record each attempt and decide: delivered, retry later, give up, or disable (410).
    Claims that were not sent (`released`) go back to pending, with a job of their own."""
    statuses: dict[int, str] = {}
    with transaction.atomic():
        deliveries = {
            d.pk: d
            for d in WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk__in=[claim.delivery_id for claim, _ in results] + [c.delivery_id for c in released])
        }
        for claim, outcome in results:
            delivery = deliveries[claim.delivery_id]
            _apply(delivery, now=claim.attempted_at, outcome=outcome)
            statuses[delivery.pk] = delivery.status
        for claim in released:
            delivery = deliveries[claim.delivery_id]
            delivery.sending_until = None
            delivery.save(update_fields=["sending_until"])
            _schedule(delivery, None)
            statuses[delivery.pk] = delivery.status
    return statuses


def _apply(delivery: WebhookDelivery, *, now: datetime, outcome: _Outcome) -> None:
    endpoint, response, error = delivery.endpoint, outcome.response, outcome.error
    delivery.sending_until = None
    _record_attempt(delivery, now=now, response=response, error=error, latency=outcome.latency)
    if response is not None and response.ok:
        _finish(delivery, now=now, status=DeliveryStatus.DELIVERED)
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    elif response is not None and response.status_code == 410:
        _finish(delivery, now=now, status=DeliveryStatus.FAILED, error="410 Gone: endpoint disabled.")
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False, disabled_reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC."
        )
    elif response is not None or outcome.retry:
        _retry_or_give_up(delivery, now=now, error=f"HTTP {response.status_code}" if response else error)
    else:
        _finish(delivery, now=now, status=DeliveryStatus.FAILED, error=error)


def webhook_deliver_many(
    *, delivery_ids: list[int], session: OutboundSession | None = None
) -> dict[int, str]:
    """Make one attempt of each pending, due delivery among `delivery_ids` and record it;
    returns each delivery's status afterwards.

    Claim (one short transaction), send, record (one short transaction). A second job for the
    same delivery finds it claimed or delivered; a worker killed before recording leaves it
    pending, and the re-run sends it again with the same `webhook-id`, which receivers use to
    drop the duplicate (at-least-once, like every webhook sender). Never raises for a
    receiver's failure: it is recorded and retried."""
    claims, statuses = _claim(delivery_ids)
    if not claims:
        return statuses
    # Each request takes at most the timeout: stop starting new ones in time for the last to end
    # within the claims' lease, and hand the rest back (a blackholed receiver must not keep a
    # whole batch, or the worker, for long).
    timeout = float(getattr(settings, "OUTBOUND_TIMEOUT_SECONDS", 10))
    deadline = time.monotonic() + claim_lease_seconds() - timeout - 5
    own = OutboundSession() if session is None else None
    results: list[tuple[_Claim, _Outcome]] = []
    released: list[_Claim] = []
    try:
        for claim in claims:
            if results and time.monotonic() > deadline:
                released.append(claim)
            else:
                results.append((claim, _send(claim, session or own)))
    finally:
        if own is not None:
            own.close()
    statuses.update(_record(results, released))
    return statuses


def webhook_deliver(*, delivery_id: int, session: OutboundSession | None = None) -> str:
    """One attempt of one delivery (a retry or a resend); returns its status afterwards."""
    return webhook_deliver_many(delivery_ids=[delivery_id], session=session).get(delivery_id, "missing")


def _record_attempt(
    delivery: WebhookDelivery,
    *,
    now: datetime,
    response: OutboundResponse | None,
    error: str,
    latency: int | None,
) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = response.status_code if response else None
    delivery.latency_ms = latency
    delivery.response_snippet = response.snippet if response else ""
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        attempted_at=now,
        response_status=delivery.response_status,
        latency_ms=latency,
        response_snippet=delivery.response_snippet,
        error=error[:ERROR_CHARS] if not (response and response.ok) else "",
    )


def _finish(delivery: WebhookDelivery, *, now: datetime, status: str, error: str = "") -> None:
    delivery.status = status
    delivery.error = error[:ERROR_CHARS]
    delivery.next_attempt_at = None
    if status == DeliveryStatus.DELIVERED:
        delivery.delivered_at = now
    delivery.save()


def _retry_or_give_up(delivery: WebhookDelivery, *, now: datetime, error: str) -> None:
    delay = retry_delay(delivery.attempts)
    if delay is None:
        _finish(
            delivery,
            now=now,
            status=DeliveryStatus.GAVE_UP,
            error=f"Gave up after {delivery.attempts} attempts: {error}",
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=True).update(
            failing_since=now
        )
        return
    delivery.error = error[:ERROR_CHARS]
    delivery.next_attempt_at = now + delay
    delivery.save()
    _schedule(delivery, delivery.next_attempt_at)


#: How many never-tried deliveries of other events an event's job takes along (see below).
DRAIN_BATCH = 100


def webhook_deliver_event(*, event_id: int, session: OutboundSession | None = None) -> int:
    """First attempt of each pending delivery of one event, and of up to DRAIN_BATCH other
    never-tried ones (oldest first); returns how many were delivered.

    Taking the backlog along makes a burst cheap: the jobs queued after this one find their
    deliveries done and finish at once, so one worker sends a fan-out of 3,000 deliveries with
    a few dozen claim/record transactions instead of thousands (bench/webhook_fanout.py).
    Endpoints marked failing are left out of the backlog (each event's own job still tries
    them), so a dead receiver cannot slow every batch down to its timeouts."""
    pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
    own = list(pending.filter(event_id=event_id).values_list("pk", flat=True))
    backlog = list(
        pending.filter(attempts=0, next_attempt_at__isnull=True, endpoint__failing_since__isnull=True)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=timezone.now()))
        .order_by("pk")
        .values_list("pk", flat=True)[:DRAIN_BATCH]
    )
    ids = sorted(set(own) | set(backlog))
    if not ids:
        return 0
    statuses = webhook_deliver_many(delivery_ids=ids, session=session)
    return sum(status == DeliveryStatus.DELIVERED for status in statuses.values())


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same `webhook-id`, same body) to the endpoint again, now. A resend of
    a delivery that had given up gets one attempt; if it fails it gives up again."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["status", "next_attempt_at", "error"])
    _schedule(delivery, None)
    return delivery


# --- Retention ----------------------------------------------------------------------------------

#: The states a delivery never leaves by itself: safe to forget. PENDING (new, retrying or being
#: resent) is never pruned, so nothing that may still be sent is lost.
FINISHED_DELIVERY_STATUSES = (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP, DeliveryStatus.FAILED)


@dataclass
class PruneResult:
    events: int = 0
    deliveries: int = 0
    attempts: int = 0
    batches: int = 0


def _prunable_events(*, cutoff: datetime) -> Any:
    """Events that happened before `cutoff`, none of whose deliveries is unfinished or was tried
    since `cutoff` (a recent resend keeps its log for another full period)."""
    unfinished_or_recent = WebhookDelivery.objects.filter(event=OuterRef("pk")).filter(
        ~Q(status__in=FINISHED_DELIVERY_STATUSES) | Q(last_attempt_at__gte=cutoff)
    )
    return WebhookEvent.objects.filter(occurred_at__lt=cutoff).filter(~Exists(unfinished_or_recent))


def webhook_events_prune(
    *,
    older_than_days: int = 30,
    batch_size: int = 1000,
    now: datetime | None = None,
    progress: Callable[[PruneResult], None] | None = None,
) -> PruneResult:
    """Delete events older than `older_than_days` whose every delivery is finished (delivered,
    gave up, or failed for good, e.g. the endpoint was disabled), with their deliveries and
    attempts; events nobody received go too. Batches of `batch_size` events, one short
    transaction each (so the tables are never locked for long), oldest first; safe to re-run
    and to kill. Each batch locks its deliveries and checks again, so a delivery resent meanwhile
    (back to pending) keeps its event."""
    if older_than_days < 1:
        raise ValidationError({"older_than_days": "Keep at least one day of webhook events."})
    if batch_size < 1:
        raise ValidationError({"batch_size": "A batch holds at least one event."})
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    result = PruneResult()
    while True:
        with transaction.atomic():
            ids = list(
                _prunable_events(cutoff=cutoff)
                .order_by("sequence")
                .values_list("sequence", flat=True)[:batch_size]
            )
            if not ids:
                break
            # Lock the deliveries, then look again under the lock: a resend that committed
            # between the two reads is seen; one that comes later waits for this transaction.
            list(
                WebhookDelivery.objects.select_for_update()
                .filter(event_id__in=ids)
                .values_list("pk", flat=True)
            )
            ids = list(
                _prunable_events(cutoff=cutoff).filter(sequence__in=ids).values_list("sequence", flat=True)
            )
            result.attempts += WebhookAttempt.objects.filter(delivery__event_id__in=ids).delete()[0]
            result.deliveries += WebhookDelivery.objects.filter(event_id__in=ids).delete()[0]
            result.events += WebhookEvent.objects.filter(sequence__in=ids).delete()[0]
            result.batches += 1
        if progress is not None:
            progress(result)
    return result
