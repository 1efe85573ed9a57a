"""A sales rep cannot read another rep's leads by any door the earlier tests leave open: the lead
autocomplete behind other admin forms, the import preview, the chat, visitor and timeline admin
pages, or the API with an admin session. (The lead changelist, change page, history, delete,
actions, export and merge are covered in leads/tests: test_admin_crm, test_admin_integration,
test_duplicates.)"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from analytics.models import Visitor
from analytics.services import website_create
from chat import services as chat_services
from chat.models import Conversation, Message
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "Theirsecretname"
SECRET_EMAIL = "theirs@acme.example"


@pytest.fixture
def theirs(other_rep) -> Lead:
    return LeadFactory(owner=other_rep, email=SECRET_EMAIL, first_name=SECRET_NAME, job_title="CFO")


@pytest.fixture
def mine(sales_rep) -> Lead:
    return LeadFactory(owner=sales_rep, email="mine@acme.example", first_name="Minename")


def assert_hidden(response) -> None:
    html = response.content.decode()
    assert SECRET_EMAIL not in html and SECRET_NAME not in html


def test_the_lead_autocomplete_offers_only_the_reps_leads(rep_client: Client, theirs, mine) -> None:
    """The autocomplete behind the chat and visitor forms' lead fields."""
    for model in ("conversation", "visitor"):
        app = "chat" if model == "conversation" else "analytics"
        response = rep_client.get(
            "/admin/autocomplete/",
            {"app_label": app, "model_name": model, "field_name": "lead", "term": "acme"},
        )
        assert response.status_code == 200, model
        ids = {item["id"] for item in response.json()["results"]}
        assert ids == {str(mine.pk)}, model
        assert_hidden(response)


def test_the_import_preview_does_not_show_another_reps_lead(rep_client: Client, theirs) -> None:
    upload = SimpleUploadedFile(
        "leads.csv", f"email,job_title\n{SECRET_EMAIL},Intern\n".encode(), content_type="text/csv"
    )
    response = rep_client.post(
        "/admin/leads/lead/import/", {"format": "0", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "belongs to another rep" in html
    assert SECRET_NAME not in html and "CFO" not in html  # nothing of the stored lead is shown
    theirs.refresh_from_db()
    assert theirs.job_title == "CFO"


@pytest.fixture
def their_chat(other_rep, theirs) -> Conversation:
    """A chat with the other rep's lead, claimed by the other rep."""
    website = website_create(name="Site", allowed_origins=["https://www.enterprisescanner.com"])
    conversation, _ = chat_services.conversation_start(website=website)
    chat_services.visitor_message_post(
        conversation_id=conversation.pk, body=f"I am {SECRET_NAME}, call me", client_message_id="v1"
    )
    Conversation.objects.filter(pk=conversation.pk).update(lead=theirs)
    chat_services.conversation_claim(conversation_id=conversation.pk, agent=other_rep)
    return Conversation.objects.get(pk=conversation.pk)


def test_a_rep_cannot_read_another_reps_chat_in_the_admin(rep_client: Client, their_chat) -> None:
    message = Message.objects.filter(conversation=their_chat).first()
    for url in ("/admin/chat/conversation/", "/admin/chat/conversation/?q=acme.example"):
        response = rep_client.get(url)
        assert response.status_code == 200, url
        assert_hidden(response)
    for url in ("/admin/chat/message/", "/admin/chat/message/?q=call"):
        response = rep_client.get(url)
        assert response.status_code == 200, url
        assert_hidden(response)
    for url in (
        f"/admin/chat/conversation/{their_chat.pk}/change/",
        f"/admin/chat/message/{message.pk}/change/",
    ):
        assert rep_client.get(url).status_code in (302, 403, 404), url
    # Nor take it over through the admin form.
    rep_client.post(f"/admin/chat/conversation/{their_chat.pk}/change/", {"status": "closed"})
    their_chat.refresh_from_db()
    assert their_chat.assigned_agent.username == "rep2" and their_chat.status != "closed"


def test_a_rep_still_sees_unassigned_chats_and_their_own(rep_client: Client, sales_rep, their_chat) -> None:
    """As in the console: the waiting queue is everyone's, a claimed chat its agent's."""
    website = website_create(name="Other site", allowed_origins=["https://shop.example"])
    waiting, _ = chat_services.conversation_start(website=website)
    response = rep_client.get("/admin/chat/conversation/")
    ids = {str(row.pk) for row in response.context["cl"].result_list}
    assert ids == {str(waiting.pk)}
    assert rep_client.get(f"/admin/chat/conversation/{waiting.pk}/change/").status_code == 200


def test_a_rep_cannot_find_another_reps_lead_through_visitors(rep_client: Client, theirs, mine) -> None:
    website = website_create(name="Site", allowed_origins=["https://www.enterprisescanner.com"])
    their_visitor = Visitor.objects.create(website=website, anonymous_id="their-visitor-1", lead=theirs)
    Visitor.objects.create(website=website, anonymous_id="my-visitor-1", lead=mine)
    Visitor.objects.create(website=website, anonymous_id="anonymous-1")
    for url in ("/admin/analytics/visitor/", "/admin/analytics/visitor/?q=acme.example"):
        response = rep_client.get(url)
        assert response.status_code == 200, url
        assert_hidden(response)
    listed = {v.anonymous_id for v in rep_client.get("/admin/analytics/visitor/").context["cl"].result_list}
    assert listed == {"my-visitor-1", "anonymous-1"}
    assert rep_client.get(f"/admin/analytics/visitor/{their_visitor.pk}/change/").status_code in (302, 404)


def test_timeline_and_notes_admin_pages_do_not_list_another_reps_lead(rep_client: Client, theirs) -> None:
    from leads.services import lead_note_add

    lead_note_add(lead=theirs, author=theirs.owner, body=f"{SECRET_NAME} wants a discount")
    for url in ("/admin/leads/leadevent/", "/admin/leads/leadnote/", "/admin/leads/leadnote/?q=discount"):
        response = rep_client.get(url)
        assert response.status_code == 200, url
        assert_hidden(response)


def test_an_admin_session_is_not_a_key_for_the_lead_api(rep_client: Client, theirs) -> None:
    """The API takes secret keys only; a rep's admin session cookie reads nothing there."""
    for url in ("/api/v1/leads/", f"/api/v1/leads/{theirs.pk}/"):
        response = rep_client.get(url)
        assert response.status_code in (401, 403), url
        assert_hidden(response)
    response = rep_client.patch(
        f"/api/v1/leads/{theirs.pk}/", {"owner": "rep"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    theirs.refresh_from_db()
    assert theirs.owner.username == "rep2"


def test_the_other_reps_own_session_still_works(theirs) -> None:
    """Control: the same pages do show the lead to its owner, so the checks above can fail."""
    client = Client()
    client.force_login(theirs.owner)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "chat", "model_name": "conversation", "field_name": "lead", "term": "acme"},
    )
    assert str(theirs.pk) in {item["id"] for item in response.json()["results"]}
    response = client.get("/admin/analytics/visitor/?q=acme.example")
    assert response.status_code == 200


# --- Every admin model that shows a lead's data, systematically (issue 12, defect 7) -----------


def _rows_of_their_lead(theirs: Lead, sales_rep) -> dict[type, object]:
    """One row of every model the admin shows that carries the other rep's lead, the chat one
    claimed by *this* rep before the visitor was identified as the other rep's lead."""
    from auditlog.models import LogEntry

    from analytics.models import Event
    from assessments.models import Finding, MonitoredTarget, RoiCalculation, SecurityAssessment
    from assessments.monitoring.services import monitor_watch
    from leads.models import (
        IntakeIdempotencyKey,
        LeadEvent,
        LeadNote,
        LeadTask,
        NurtureEnrollment,
        NurtureSend,
        NurtureSequence,
        NurtureStep,
    )
    from leads.services import lead_event_record, lead_note_add, task_create
    from partners.models import Commission, Partner

    website = website_create(name="Site", allowed_origins=["https://www.enterprisescanner.com"])
    visitor = Visitor.objects.create(website=website, anonymous_id="their-visitor-9", lead=theirs)
    conversation, _ = chat_services.conversation_start(website=website)
    chat_services.conversation_claim(conversation_id=conversation.pk, agent=sales_rep)
    chat_services.agent_reply(
        conversation_id=conversation.pk, agent=sales_rep, body="Hello!", client_message_id="a1"
    )
    Conversation.objects.filter(pk=conversation.pk).update(lead=theirs)
    assessment = SecurityAssessment.objects.create(lead=theirs, target_url="https://acme.example/")
    partner = Partner.objects.create(name="Acme reseller", referral_code="ACME-2026")
    lead_event_record(lead=theirs, kind="note", summary=f"{SECRET_NAME} called")
    lead_note_add(lead=theirs, author=theirs.owner, body=f"{SECRET_NAME} wants a discount")
    sequence = NurtureSequence.objects.create(name="Welcome", trigger="form_submitted")
    step = NurtureStep.objects.create(sequence=sequence, subject="Hi", text_template="Hello")
    enrollment = NurtureEnrollment.objects.create(lead=theirs, sequence=sequence, next_step=step)
    return {
        NurtureEnrollment: enrollment,
        NurtureSend: NurtureSend.objects.create(
            enrollment=enrollment, step=step, subject=f"Hi {SECRET_NAME}", message_id="<n@x>"
        ),
        Lead: theirs,
        LeadEvent: LeadEvent.objects.filter(lead=theirs).first(),
        LeadNote: LeadNote.objects.get(lead=theirs),
        LeadTask: task_create(
            lead=theirs, title=f"Call {SECRET_NAME}", due_at=timezone.now(), actor=theirs.owner
        ),
        IntakeIdempotencyKey: IntakeIdempotencyKey.objects.create(
            website=website, key="k-1", request_hash="0" * 64, lead=theirs, created=True
        ),
        SecurityAssessment: assessment,
        Finding: Finding.objects.create(
            assessment=assessment, check_id="csp-not-implemented", title="No CSP", severity="high"
        ),
        RoiCalculation: RoiCalculation.objects.create(lead=theirs, inputs={}, outputs={}),
        MonitoredTarget: monitor_watch(
            lead=theirs, host="www.acme.example", target_url="https://www.acme.example/", source="staff"
        ),
        Conversation: Conversation.objects.get(pk=conversation.pk),
        Message: Message.objects.filter(conversation=conversation).first(),
        Visitor: visitor,
        Event: Event.objects.create(
            website=website, visitor=visitor, event_type="page_view", url="https://acme.example/pricing"
        ),
        Commission: Commission.objects.create(
            partner=partner, lead=theirs, deal_value=1000, rate="0.1", amount=100
        ),
        LogEntry: LogEntry.objects.get_for_object(theirs).first(),
    }


def _shows_lead_data(model: type) -> bool:
    """True for a model that has a lead, or whose row belongs to one through a conversation,
    an assessment or a visitor (or an audit entry, which may be a lead's)."""
    from auditlog.models import LogEntry

    if model in (Lead, LogEntry):
        return True
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete and field.related_model):
            continue
        if field.related_model is Lead:
            return True
        if field.related_model is not model and any(
            getattr(f, "related_model", None) is Lead and f.concrete
            for f in field.related_model._meta.get_fields()
        ):
            return True
    return False


def test_every_admin_model_showing_a_lead_hides_another_reps_lead(
    rep_client: Client, sales_rep, theirs
) -> None:
    """For each registered admin model relating to a lead: with view permission granted (so
    the row-level rule, not a missing permission, is what is tested), the other rep's row is
    not in the changelist nor found by searching their e-mail, its change page is a redirect or
    404, and no autocomplete in the admin offers it."""
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    rows = _rows_of_their_lead(theirs, sales_rep)
    lead_models = {model for model in admin.site._registry if _shows_lead_data(model)}
    assert lead_models == set(rows), "a new admin model shows lead data: add it to this test"
    for model in rows:
        sales_rep.user_permissions.add(
            Permission.objects.get(
                content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}"
            )
        )
    for model, row in rows.items():
        assert row is not None, model
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls = [base, f"{base}?q={SECRET_EMAIL}", f"{base}?q={SECRET_NAME}"]
        if model._meta.model_name == "leadtask":  # My tasks: also every task the rep may see
            urls += [f"{base}?scope=all", f"{base}?scope=all&bucket=today&q={SECRET_NAME}"]
        for url in urls:
            response = rep_client.get(url)
            assert response.status_code == 200, url
            listed = {obj.pk for obj in response.context["cl"].result_list}
            assert row.pk not in listed, url
        assert_hidden(rep_client.get(base))  # (a search page echoes its own query)
        response = rep_client.get(f"{base}{row.pk}/change/")
        assert response.status_code in (302, 404), model
        assert_hidden(response)
    for model, model_admin in admin.site._registry.items():
        for field_name in model_admin.get_autocomplete_fields(None) or ():
            for term in (SECRET_EMAIL, SECRET_NAME, "their"):
                response = rep_client.get(
                    "/admin/autocomplete/",
                    {
                        "app_label": model._meta.app_label,
                        "model_name": model._meta.model_name,
                        "field_name": field_name,
                        "term": term,
                    },
                )
                assert response.status_code in (200, 403), (model, field_name)
                assert_hidden(response)


def test_the_owner_and_a_manager_still_see_those_rows(manager_client: Client, sales_rep, theirs) -> None:
    """Control for the test above: the rows are listed for someone allowed to see them."""
    from leads.models import LeadTask

    rows = _rows_of_their_lead(theirs, sales_rep)
    for model, row in rows.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        # My tasks opens on the manager's own tasks; everyone's are one switch away.
        response = manager_client.get(base + ("?scope=all" if model is LeadTask else ""))
        if response.status_code == 403:  # managers lack some permissions (audit log, keys)
            continue
        assert row.pk in {obj.pk for obj in response.context["cl"].result_list}, model


# --- The agent console's websocket ---------------------------------------------------------------


async def _agent(user):
    from channels.db import database_sync_to_async

    from chat.tests.sockets import agent_socket, receive

    socket = await database_sync_to_async(agent_socket)(user)
    connected, _ = await socket.connect()
    assert connected
    queue = await receive(socket)
    assert queue["type"] == "queue"
    return socket, queue


@pytest.mark.django_db(transaction=True)
async def test_the_agent_socket_refuses_another_reps_leads_conversation(sales_rep, other_rep) -> None:
    """`open` of a chat of another rep's lead (even one this rep claimed before the visitor was
    identified) is an error frame with none of its data; a waiting chat of that lead is not in
    this rep's queue and cannot be claimed."""
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    from chat.tests.sockets import receive

    await get_channel_layer().flush()

    def setup():
        theirs = LeadFactory(owner=other_rep, email=SECRET_EMAIL, first_name=SECRET_NAME)
        website = website_create(name="Site", allowed_origins=["https://www.enterprisescanner.com"])
        claimed, _ = chat_services.conversation_start(website=website)
        chat_services.conversation_claim(conversation_id=claimed.pk, agent=sales_rep)
        chat_services.visitor_message_post(
            conversation_id=claimed.pk, body=f"I am {SECRET_NAME}", client_message_id="v1"
        )
        waiting, _ = chat_services.conversation_start(website=website)
        chat_services.conversation_escalate(conversation_id=waiting.pk, reason="asked_for_human")
        Conversation.objects.filter(pk__in=[claimed.pk, waiting.pk]).update(lead=theirs)
        return str(claimed.pk), str(waiting.pk)

    claimed, waiting = await database_sync_to_async(setup)()
    socket, queue = await _agent(sales_rep)
    assert SECRET_EMAIL not in str(queue) and SECRET_NAME not in str(queue)
    assert waiting not in {row["id"] for row in queue["waiting"]}
    for frame in (
        {"type": "open", "conversation": claimed},
        {"type": "open", "conversation": waiting},
        {"type": "claim", "conversation": waiting},
        {"type": "message", "conversation": claimed, "body": "hi", "client_id": "a9"},
    ):
        await socket.send_json_to(frame)
        reply = await receive(socket)
        assert (reply["type"], reply["code"]) == ("error", "not_found"), (frame, reply)
        assert SECRET_NAME not in str(reply) and SECRET_EMAIL not in str(reply)
    assert await socket.receive_nothing(timeout=0.3)
    waiting_row = await database_sync_to_async(Conversation.objects.get)(pk=waiting)
    assert waiting_row.assigned_agent_id is None
    await socket.disconnect()

    # Control: the lead's owner opens both.
    owner_socket, queue = await _agent(other_rep)
    assert waiting in {row["id"] for row in queue["waiting"]}
    await owner_socket.send_json_to({"type": "open", "conversation": claimed})
    header = await receive(owner_socket)
    assert header["type"] == "conversation" and header["lead"]["email"] == SECRET_EMAIL
    await owner_socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_open_chat_stops_reaching_a_rep_once_it_is_another_reps_lead(sales_rep, other_rep) -> None:
    """A rep follows an anonymous chat they claimed; the visitor gives an e-mail that is
    another rep's lead: the console is told (`not_visible`) and gets none of its messages."""
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    from chat.tests.sockets import receive, receive_until

    await get_channel_layer().flush()

    def setup():
        LeadFactory(owner=other_rep, email=SECRET_EMAIL, first_name=SECRET_NAME)
        website = website_create(name="Site", allowed_origins=["https://www.enterprisescanner.com"])
        conversation, _ = chat_services.conversation_start(website=website)
        chat_services.conversation_claim(conversation_id=conversation.pk, agent=sales_rep)
        return conversation

    conversation = await database_sync_to_async(setup)()
    socket, _ = await _agent(sales_rep)
    await socket.send_json_to({"type": "open", "conversation": str(conversation.pk)})
    await receive_until(socket, "conversation")
    await database_sync_to_async(chat_services.conversation_identify)(
        conversation=conversation, email=SECRET_EMAIL
    )
    frames = await receive_until(socket, "error")
    assert frames[-1]["code"] == "not_visible"
    await database_sync_to_async(chat_services.visitor_message_post)(
        conversation_id=conversation.pk, body=f"{SECRET_NAME}'s secret plans", client_message_id="v2"
    )
    while not await socket.receive_nothing(timeout=0.5):
        frame = await receive(socket)
        assert "secret plans" not in str(frame), frame
    await socket.disconnect()
