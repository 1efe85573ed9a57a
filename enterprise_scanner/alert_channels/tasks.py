"""Background jobs of the Slack / Teams alerts. They take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from .services import alert_channels_notify, alert_delivery_attempt


@task()
def alert_channels_notify_task(kind: str, subject_id: str, key: str) -> int:
    """Fan an alert out to the channels that want it (a delivery each, posted by its own job),
    separately from the e-mail job. Safe to run again: returns how many deliveries are new."""
    return len(alert_channels_notify(kind=kind, subject_id=subject_id, key=key))


@task()
def alert_delivery_attempt_task(delivery_id: int) -> str:
    """Post one delivery, at most once; failures schedule the next attempt."""
    return alert_delivery_attempt(delivery_id=delivery_id)
