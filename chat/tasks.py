"""Background work of the chat domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

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
