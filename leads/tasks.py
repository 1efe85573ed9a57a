"""Background work of the leads domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

from django_tasks import task

from . import duplicates, services
from .models import Lead


@task()
def lead_rescore_task(lead_id: str) -> int:
    """Re-score a lead after new activity; returns the new score."""
    return services.lead_rescore(lead_id=lead_id).score


@task()
def lead_hot_alert_task(lead_id: str, crossing_event_id: int) -> bool:
    """Send the hot-lead e-mail for one threshold crossing (idempotent)."""
    return services.lead_send_hot_alert(lead_id=lead_id, crossing_event_id=crossing_event_id)


@task()
def lead_flag_duplicates_task(lead_id: str, actor_label: str) -> int:
    """Note likely duplicates of a new lead on its timeline; returns how many were found."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:  # merged or erased before the task ran
        return 0
    return len(duplicates.lead_flag_duplicates(lead=lead, actor_label=actor_label))


@task()
def lead_submitted_task(lead_id: str, new_lead: bool, actor_label: str) -> int:
    """What a form submission sets off once it is stored: score the lead (qualifying it and
    queueing the hot-lead alert when it crosses the threshold) and, for a new lead, note likely
    duplicates on its timeline. One queued job per submission keeps the request to a single
    enqueue. Both steps are idempotent, so running it again after a worker died is safe; a
    failure of one step does not skip the other. Returns the new score."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:  # merged or erased before the task ran
        return 0
    failure: Exception | None = None
    if new_lead:
        try:
            duplicates.lead_flag_duplicates(lead=lead, actor_label=actor_label)
        except Exception as exc:  # noqa: BLE001 - scoring must still happen; re-raised below
            failure = exc
    score = services.lead_rescore(lead_id=lead_id).score
    if failure is not None:
        raise failure
    return score
