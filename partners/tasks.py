"""Background work of the partners domain. Tasks take ids, load, and call a service."""

from __future__ import annotations

from django_tasks import task

from .portal import services as portal_services


@task()
def partner_invite_send_task(invite_id: int) -> bool:
    """E-mail a partner portal invitation (at most once; see `portal.services.invite_send`)."""
    return portal_services.invite_send(invite_id=invite_id)
