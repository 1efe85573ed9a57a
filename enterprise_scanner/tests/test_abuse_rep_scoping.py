"""A sales rep cannot read another rep's leads by any door the earlier tests leave open: the lead
autocomplete behind other admin forms, the import preview, the chat, visitor and timeline admin
pages, or the API with an admin session. (The lead changelist, change page, history, delete,
actions, export and merge are covered in leads/tests: test_admin_crm, test_admin_integration,
test_duplicates.)"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

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
