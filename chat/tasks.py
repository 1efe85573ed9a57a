"""Background work of the chat domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def conversation_alert_task(conversation_id: str, kind: str) -> None:
    """E-mail sales that a chat needs a person (or left a lead while nobody was online)."""
    services.conversation_send_alert(conversation_id=conversation_id, kind=kind)
