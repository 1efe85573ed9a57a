"""Reps do not see other reps' leads' chats and visits on the deployed stack (issue 12, defect 7):
the admin over HTTPS and the agent console's secure websocket, as two real logged-in reps."""

from __future__ import annotations

import asyncio
import json
import re

import websockets

from .stack import Stack

SECRET_EMAIL = "smoke-secret@acme-scoping.example"


def _their_chat(stack: Stack) -> dict[str, str]:
    """A lead of rep `smoke_sam`, its visitor with a page view, and two chats with that lead:
    one `smoke_dana` claimed before the visitor was identified, one waiting for an agent."""
    out = stack.python(
        "from django.contrib.auth.models import User\n"
        "from analytics.models import Event, Visitor, Website\n"
        "from chat import services\n"
        "from chat.models import Conversation\n"
        "from leads.models import Lead\n"
        "sam, dana = User.objects.get(username='smoke_sam'), User.objects.get(username='smoke_dana')\n"
        f"lead = Lead.objects.create(email={SECRET_EMAIL!r}, first_name='Secretname', owner=sam)\n"
        "website = Website.objects.order_by('pk').first()\n"
        "visitor = Visitor.objects.create(website=website, anonymous_id='smoke-scoping-visitor', lead=lead)\n"
        "Event.objects.create(website=website, visitor=visitor, event_type='page_view', "
        "url='https://acme-scoping.example/secret-pricing-page')\n"
        "claimed, _ = services.conversation_start(website=website)\n"
        "services.conversation_claim(conversation_id=claimed.pk, agent=dana)\n"
        "waiting, _ = services.conversation_start(website=website)\n"
        "services.conversation_escalate(conversation_id=waiting.pk, reason='asked_for_human')\n"
        "Conversation.objects.filter(pk__in=[claimed.pk, waiting.pk]).update(lead=lead)\n"
        "print('CLAIMED=' + str(claimed.pk)); print('WAITING=' + str(waiting.pk))\n"
    )
    return {name: re.search(rf"{name}=(\S+)", out).group(1) for name in ("CLAIMED", "WAITING")}


def test_a_rep_cannot_read_another_reps_leads_chat_or_events(stack: Stack) -> None:
    dana = stack.staff_login("smoke_dana", "Sales rep")
    stack.staff_login("smoke_sam", "Sales rep").close()
    chats = _their_chat(stack)
    try:
        for path in ("/admin/chat/conversation/", "/admin/chat/message/", "/admin/analytics/event/"):
            response = dana.get(path)
            assert response.status_code == 200, path
            assert SECRET_EMAIL not in response.text and "secret-pricing-page" not in response.text, path
        for conversation in chats.values():
            response = dana.get(f"/admin/chat/conversation/{conversation}/change/")
            assert response.status_code in (302, 404)
            assert SECRET_EMAIL not in response.text
        frames = asyncio.run(_agent_frames(stack, stack.cookie_header(dana), chats))
    finally:
        dana.close()
    queue, *answers = frames
    assert queue["type"] == "queue" and SECRET_EMAIL not in json.dumps(queue)
    assert chats["WAITING"] not in {row["id"] for row in queue["waiting"]}
    for answer in answers:
        assert (answer["type"], answer["code"]) == ("error", "not_found"), answer
        assert SECRET_EMAIL not in json.dumps(answer)


async def _agent_frames(stack: Stack, cookie: str, chats: dict[str, str]) -> list[dict]:
    """The console's first frame, then the answers to `open` and `claim` of the other rep's chats."""
    async with websockets.connect(
        f"{stack.ws_url}/ws/agent/",
        ssl=stack.ssl_context(),
        additional_headers={"Cookie": cookie, "Origin": stack.url},
        open_timeout=15,
    ) as socket:
        frames = [json.loads(await asyncio.wait_for(socket.recv(), 15))]
        for frame in (
            {"type": "open", "conversation": chats["CLAIMED"]},
            {"type": "open", "conversation": chats["WAITING"]},
            {"type": "claim", "conversation": chats["WAITING"]},
        ):
            await socket.send(json.dumps(frame))
            while True:
                answer = json.loads(await asyncio.wait_for(socket.recv(), 15))
                if answer["type"] != "queue":  # a queue refresh may come in between
                    frames.append(answer)
                    break
    return frames
