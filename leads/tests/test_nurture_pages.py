"""Nurture pages: the public unsubscribe page (GET, form POST, RFC 8058 one-click, bad tokens),
the sequence admin (template errors per field, nothing lost; send a test), the lead page's
Nurture box with its Stop button, and the enrolment list's scoping."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from leads.models import EnrollmentStatus, LeadEventKind, NurtureEnrollment, NurtureSequence, StopReason
from leads.nurture.services import nurture_enroll, unsubscribe_token

from .factories import LeadFactory, SalesRepFactory
from .nurture_helpers import consenting_lead, make_sequence

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def _url(lead) -> str:
    return reverse("nurture-unsubscribe", args=[unsubscribe_token(lead.pk)])


# --- Unsubscribe -------------------------------------------------------------------------------


def test_get_only_asks_and_the_form_post_unsubscribes() -> None:
    lead = consenting_lead()
    nurture_enroll(lead=lead, trigger=make_sequence().trigger)
    client = Client(enforce_csrf_checks=True)
    page = client.get(_url(lead))
    assert page.status_code == 200 and "Unsubscribe from our e&#8209;mails?" in page.content.decode()
    assert lead.email.encode() in page.content
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is None  # a link preview must not unsubscribe

    assert client.post(_url(lead), {"confirm": "1"}).status_code == 403  # no CSRF token
    token = page.context["csrf_token"]
    done = client.post(_url(lead), {"confirm": "1", "csrfmiddlewaretoken": str(token)})
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is not None and lead.consent_marketing is False
    assert NurtureEnrollment.objects.get().stop_reason == StopReason.UNSUBSCRIBED
    assert lead.events.filter(kind=LeadEventKind.UNSUBSCRIBED).count() == 1
    assert b"You are unsubscribed" in client.get(_url(lead)).content


def test_rfc_8058_one_click_post_needs_no_csrf_and_is_idempotent() -> None:
    lead = consenting_lead()
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = client.post(_url(lead), ONE_CLICK, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is not None
    event = lead.events.get(kind=LeadEventKind.UNSUBSCRIBED)
    assert event.data == {"via": "one-click"}


def test_one_click_also_comes_as_multipart_but_nothing_else_skips_csrf() -> None:
    lead = consenting_lead()
    client = Client(enforce_csrf_checks=True)
    assert client.post(_url(lead), {"List-Unsubscribe": "One-Click", "x": "1"}).status_code == 403
    assert client.post(_url(lead), {"List-Unsubscribe": "Two-Clicks"}).status_code == 403
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is None
    assert client.post(_url(lead), {"List-Unsubscribe": "One-Click"}).status_code == 200  # multipart
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is not None


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "Ijk5OTki:1vRz:abc"])
def test_a_bad_token_gets_a_friendly_400_page(token) -> None:
    response = Client().get(f"/u/{token}/")
    assert response.status_code == 400
    assert b"This unsubscribe link is not valid" in response.content
    assert (
        Client().post(f"/u/{token}/", ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code
        == 400
    )


def test_a_tampered_or_expired_token_is_refused(settings) -> None:
    lead = consenting_lead()
    token = unsubscribe_token(lead.pk)
    other = LeadFactory()
    forged = unsubscribe_token(other.pk).split(":")[0] + ":" + token.split(":", 1)[1]
    assert Client().get(f"/u/{forged}/").status_code == 400
    settings.NURTURE_UNSUBSCRIBE_MAX_AGE = -1
    assert Client().get(f"/u/{token}/").status_code == 400
    lead.delete()
    settings.NURTURE_UNSUBSCRIBE_MAX_AGE = 3600
    assert Client().get(f"/u/{token}/").status_code == 400


def test_the_unsubscribe_page_has_no_inline_script_or_style() -> None:
    html = Client().get(_url(consenting_lead())).content.decode()
    assert "<style" not in html and "<script" not in html and " style=" not in html
    assert "leads/unsubscribe" in html  # its stylesheet


# --- Sequence admin ----------------------------------------------------------------------------


def _sequence_form(**steps: str) -> dict[str, str]:
    data = {
        "name": "Demo follow-up",
        "description": "",
        "is_active": "on",
        "trigger": "form_submitted",
        "sources": ["demo_request"],
        "min_score": "",
        "max_score": "",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-position": "1",
        "steps-0-delay_days": "2",
        "steps-0-delay_hours": "0",
        "steps-0-subject": "Hi {{ first_name }}",
        "steps-0-text_template": "Hello {{ first_name }},\nthanks.",
        "steps-0-html_template": "",
    }
    data.update({f"steps-0-{name}": value for name, value in steps.items()})
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text_template", "Hello\n{% if first_name %}unclosed", "Line 2: Unclosed tag"),
        ("text_template", "Hello\n{{ password }}", "Line 2: Unknown variable “password”"),
        ("html_template", "<p>{{ first_name|safe }}</p>", "Invalid filter: &#x27;safe&#x27;"),
        ("html_template", "{% load static %}", "Invalid block tag"),
        ("subject", "Hi {% if first_name %}", "Line 1: Unclosed tag"),
    ],
)
def test_an_invalid_template_is_refused_with_its_error_and_nothing_is_saved(
    admin_client: Client, field, value, message
) -> None:
    before = NurtureSequence.objects.count()
    response = admin_client.post(reverse("admin:leads_nurturesequence_add"), _sequence_form(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert NurtureSequence.objects.count() == before
    # What was typed is still in the form, to be fixed.
    assert "Demo follow-up" in html


def test_a_valid_sequence_is_saved_and_save_and_send_test_mails_me(admin_client: Client, admin_user) -> None:
    admin_user.email = "me@enterprisescanner.test"
    admin_user.save()
    data = _sequence_form() | {"leads_nurturesequence_save_and_send_test": "1"}
    response = admin_client.post(reverse("admin:leads_nurturesequence_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sequence = NurtureSequence.objects.get(name="Demo follow-up")
    assert sequence.sources == ["demo_request"] and sequence.steps.count() == 1
    assert [m.subject for m in mail.outbox] == ["[TEST] Hi Jordan"]
    assert mail.outbox[0].to == ["me@enterprisescanner.test"]


def test_score_band_rules_are_checked(admin_client: Client) -> None:
    data = _sequence_form() | {"trigger": "score_band", "min_score": "80", "max_score": "20"}
    response = admin_client.post(reverse("admin:leads_nurturesequence_add"), data)
    assert response.status_code == 200
    assert "The highest score must be at least the lowest." in response.content.decode()
    data = _sequence_form() | {"trigger": "score_band", "min_score": "", "max_score": ""}
    assert (
        "A score band needs its lowest score."
        in admin_client.post(reverse("admin:leads_nurturesequence_add"), data).content.decode()
    )


def test_the_send_test_action_on_the_list(admin_client: Client, admin_user) -> None:
    admin_user.email = "me@enterprisescanner.test"
    admin_user.save()
    sequence = make_sequence()
    response = admin_client.post(
        reverse("admin:leads_nurturesequence_changelist"),
        {"action": "send_test_to_me", "_selected_action": [sequence.pk]},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and all(m.subject.startswith("[TEST] ") for m in mail.outbox)


def test_the_sequence_list_shows_counts(admin_client: Client, django_assert_max_num_queries) -> None:
    for n in range(5):
        make_sequence(name=f"Sequence {n}")
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:leads_nurturesequence_changelist"))
    assert response.status_code == 200 and b"Sequence 4" in response.content


# --- Lead page and enrolment list --------------------------------------------------------------


def test_the_lead_page_shows_the_nurture_box_and_stop_works(admin_client: Client) -> None:
    lead = consenting_lead()
    (enrollment,) = nurture_enroll(lead=lead, trigger=make_sequence(name="Welcome series").trigger)
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    html = admin_client.get(url).content.decode()
    assert 'id="crm-nurture"' in html and "Welcome series" in html and "crm_nurture_stop" in html
    response = admin_client.post(url, {"crm_nurture_stop": enrollment.pk})
    assert response.status_code == 302 and response.url.endswith("#crm-nurture")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == (EnrollmentStatus.STOPPED, StopReason.MANUAL)
    assert enrollment.stopped_by is not None
    assert admin_client.post(url, {"crm_nurture_stop": "999999"}).status_code == 404


def test_a_rep_sees_only_enrolments_of_own_leads(rep_client: Client, sales_rep) -> None:
    sequence = make_sequence()
    mine = consenting_lead(owner=sales_rep, email="mine@acme.example")
    theirs = consenting_lead(owner=SalesRepFactory(), email="theirs@acme.example")
    for lead in (mine, theirs):
        nurture_enroll(lead=lead, trigger=sequence.trigger)
    html = rep_client.get(reverse("admin:leads_nurtureenrollment_changelist")).content.decode()
    assert "mine@acme.example" in html and "theirs@acme.example" not in html
    assert rep_client.get(reverse("admin:leads_nurturesequence_add")).status_code == 403


def test_staff_record_an_unsubscribe_the_lead_asked_for_by_mail(admin_client: Client) -> None:
    lead = consenting_lead()
    nurture_enroll(lead=lead, trigger=make_sequence().trigger)
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    assert "crm_nurture_unsubscribe" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"crm_nurture_unsubscribe": "1"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.marketing_unsubscribed_at is not None and not lead.consent_marketing
    assert NurtureEnrollment.objects.get().stop_reason == StopReason.UNSUBSCRIBED
    assert "recorded by admin" in lead.events.get(kind=LeadEventKind.UNSUBSCRIBED).summary
    html = admin_client.get(url).content.decode()
    assert "Unsubscribed" in html and 'name="crm_nurture_unsubscribe"' not in html
