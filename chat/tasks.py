"""Background work of the chat domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from .mail import conversation_send_alert, transcript_email_send


@task()
def conversation_alert_task(conversation_id: str, kind: str) -> bool:
    """E-mail sales that a chat needs a person (or left a lead while nobody was online); at most
    once, also when run again after its worker died. Returns whether it was sent now."""
    return conversation_send_alert(conversation_id=conversation_id, kind=kind)


@task()
def transcript_email_task(conversation_id: str, to: str, notice_sequence: int) -> bool:
    """E-mail a visitor the transcript they asked for (the request's notice is `notice_sequence`);
    at most once per request, also when run again after its worker died."""
    return transcript_email_send(conversation_id=conversation_id, to=to, notice_sequence=notice_sequence)


@task()
def chat_rollup_task(day: str) -> int:
    """Refresh the chat report's rollup of one day (ISO date); returns the chats counted.

    The service is imported here, not at the top: chat.services queue this task, so a module-level
    import would be a cycle (services → tasks → services)."""
    from .services.rollups import chat_rollup_day

    return chat_rollup_day(day=date.fromisoformat(day))
