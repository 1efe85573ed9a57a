"""The HTTP side of the chat: the demo page that embeds the widget, the widget script itself,
and the agent console page in the admin (who may open it)."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.services import website_create
from leads.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONSOLE = "/admin/chat/conversation/console/"


def test_demo_page_embeds_the_website_kit_with_the_key_of_the_website_allowing_this_origin() -> None:
    website_create(name="Elsewhere", allowed_origins=["https://www.example.com"])
    site = website_create(name="Demo", allowed_origins=["http://testserver"])
    response = Client().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-site-key="{site.publishable_key}"' in html
    assert 'src="/static/analytics/kit.js"' in html  # the kit loads the chat widget
    assert "widget.js" not in html


def test_demo_page_explains_when_no_website_allows_this_origin() -> None:
    website_create(name="Elsewhere", allowed_origins=["https://www.example.com"])
    html = Client().get("/").content.decode()
    assert "kit.js" not in html
    assert "no active website allows the origin" in html and "http://testserver" in html


def test_the_widget_script_is_served_as_one_dependency_free_file() -> None:
    response = Client().get("/static/chat/widget.js")
    assert response.status_code == 200
    script = b"".join(response.streaming_content).decode()
    assert "/ws/chat/?key=" in script and "data-site-key" in script
    assert "import " not in script and "require(" not in script
    assert 'role: "log"' in script and '"aria-live": "polite"' in script  # announced to screen readers
    assert ".innerHTML" not in script  # messages are shown as text, never as HTML


def test_console_page_for_sales_staff_only(rep_client, manager_client) -> None:
    for client in (rep_client, manager_client):
        response = client.get(CONSOLE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Live chat console" in html and "chat/console.js" in html
        assert 'data-ws-path="/ws/agent/"' in html

    anonymous = Client().get(CONSOLE)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    outsider = Client()
    outsider.force_login(UserFactory(username="accountant"))  # staff, but no chat permissions
    assert outsider.get(CONSOLE).status_code == 403


def test_the_conversation_list_links_to_the_console(rep_client) -> None:
    html = rep_client.get("/admin/chat/conversation/").content.decode()
    assert f'href="{CONSOLE}"' in html


def test_help_pages_show_published_articles_escaped_and_never_a_draft() -> None:
    from chat.models import KnowledgeArticle

    KnowledgeArticle.objects.create(
        title="Single sign-on <SSO>",
        slug="single-sign-on",
        questions="Do you support SAML?",
        answer="SAML 2.0 and OIDC.\n\nSCIM provisioning <script>alert(1)</script> too.",
    )
    KnowledgeArticle.objects.create(title="Roadmap", slug="roadmap", answer="Secret.", is_published=False)
    index = Client().get("/help/")
    assert index.status_code == 200
    assert b'href="/help/single-sign-on/"' in index.content and b"Roadmap" not in index.content
    page = Client().get("/help/single-sign-on/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<p>SAML 2.0 and OIDC.</p>" in html  # one paragraph each
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "Single sign-on &lt;SSO&gt;" in html
    assert Client().get("/help/roadmap/").status_code == 404
    assert Client().get("/help/no-such-article/").status_code == 404
