"""Background delivery of webhooks. Tasks take ids and call a service."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from enterprise_scanner.outbound import OutboundSession

from . import services

_sessions: dict[tuple[bool, float], OutboundSession] = {}


def shared_session() -> OutboundSession:
    """One guarded HTTP client per worker process (per outbound setting), kept for its lifetime:
    building a TLS context and connecting anew for every delivery would cost more than sending it."""
    key = (
        bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_TARGETS", False)),
        float(getattr(settings, "OUTBOUND_TIMEOUT_SECONDS", 10)),
    )
    session = _sessions.get(key)
    if session is None:
        session = _sessions[key] = OutboundSession(timeout=key[1])
    return session


@task()
def webhook_event_task(event_id: int) -> int:
    """First attempt of an event's deliveries, to every endpoint that receives it (one job per
    event, not per delivery, keeps the queue short when an event fans out)."""
    return services.webhook_deliver_event(event_id=event_id, session=shared_session())


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """A retry or a resend of one delivery; returns its status afterwards."""
    return services.webhook_deliver(delivery_id=delivery_id, session=shared_session())
