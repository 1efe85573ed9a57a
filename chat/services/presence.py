"""Which agent consoles are open: one row per socket, touched by its heartbeat, so the bot can
tell a visitor whether someone is online (`selectors.agents_online_count`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from ..models import AgentSession

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def agent_session_open(*, user: AbstractBaseUser, channel_name: str) -> None:
    AgentSession.objects.update_or_create(
        channel_name=channel_name[:200], defaults={"user": user, "last_seen_at": timezone.now()}
    )


def agent_session_touch(*, channel_name: str) -> None:
    AgentSession.objects.filter(channel_name=channel_name[:200]).update(last_seen_at=timezone.now())


def agent_session_close(*, channel_name: str) -> None:
    AgentSession.objects.filter(channel_name=channel_name[:200]).delete()
