"""The lead record page (issue 14): header, score explanation, activity composer, timeline filter,
related records, and the bugs found on the old page (score explanation, audit no-ops, timeline
wording). Driven through the admin's URLs as a rep, a manager and a view-only user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import SecurityAssessment
from leads.admin import TIMELINE_STEP
from leads.admin.composer import COMPOSER_FIELD, TASK_DONE_FIELD
from leads.models import Lead, LeadEvent, LeadEventKind, LeadNote, LeadSource, LeadTask
from leads.services import (
    CallOutcome,
    LeadSubmission,
    lead_activity_log,
    lead_rescore,
    lead_submit,
    task_create,
)
from leads.services.intake import SUBMISSION_SUMMARIES, submission_summary
from leads.tests.factories import Fortune500CompanyFactory, LeadEventFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(lead: Lead, query: str = "") -> str:
    return reverse("admin:leads_lead_change", args=[lead.pk]) + query


def compose(client: Client, lead: Lead, **data: str):
    return client.post(change_url(lead), {COMPOSER_FIELD: "1", **data})


# --- Bugs of the old lead page ----------------------------------------------------------------


def test_score_explanation_reads_float_points_instead_of_showing_a_dash(admin_client: Client) -> None:
    """Breakdowns stored as JSON by older code hold 30.0; "{:+d}" raised ValueError and the
    admin showed "-" for the whole explanation."""
    lead = LeadFactory(
        score=45,
        scored_at=timezone.now(),
        score_breakdown={
            "total": 45,
            "fit": {
                "points": 30.0,
                "parts": [{"factor": "fortune_500", "label": "Fortune 500 rank 11", "points": 30.0}],
            },
            "engagement": {
                "points": 15,
                "parts": [{"factor": "contact", "label": "Sent the contact form today", "points": "15"}],
            },
            "penalties": {"points": 0, "parts": []},
            "flags": [],
        },
    )
    html = admin_client.get(change_url(lead)).content.decode()
    assert "<strong>Fit</strong> +30 — Fortune 500 rank 11" in html  # the form's "Why this score"
    assert "<strong>Engagement</strong> +15 — Sent the contact form today" in html
    assert 'id="crm-score"' in html and "Why 45?" in html


def test_intake_scored_lead_explains_each_factor_and_the_decay(admin_client: Client) -> None:
    lead = LeadFactory(
        email="vp@jpmorganchase.com", job_title="VP of Security", company=Fortune500CompanyFactory()
    )
    lead_rescore(lead_id=lead.pk)
    response = admin_client.get(change_url(lead))
    explained = response.context["crm_score"]
    assert explained["state"] == "explained"
    labels = [(p["signed"], p["label"]) for s in explained["sections"] for p in s["parts"]]
    assert ("+30", "Fortune 500 rank 11 (top 100)") in labels and (
        "+15",
        "VP job title “VP of Security”",
    ) in labels
    assert "halve every 30 days" in response.content.decode()


def test_a_score_without_breakdown_says_so_instead_of_not_scored_yet(admin_client: Client) -> None:
    lead = LeadFactory(score=100, score_breakdown={})
    html = admin_client.get(change_url(lead)).content.decode()
    assert "Not scored yet." not in html
    assert "Score 100" in html and "without a breakdown" in html
    unscored = LeadFactory(score=0, score_breakdown={})
    assert "Not scored yet." in admin_client.get(change_url(unscored)).content.decode()


def test_rescoring_logs_no_decimal_noop_changes() -> None:
    """The estimate (Decimal("3200000")) differs from the stored value (Decimal("3200000.00")) as a
    string only; auditlog logged that as a change on every re-score."""
    lead = LeadFactory(
        email="vp@jpmorganchase.com", job_title="VP of Security", company=Fortune500CompanyFactory()
    )
    for _ in range(3):
        lead_rescore(lead_id=lead.pk)
    changes = [
        e.changes_dict for e in LogEntry.objects.get_for_object(lead).filter(action=LogEntry.Action.UPDATE)
    ]
    value_changes = [c["estimated_deal_value"] for c in changes if "estimated_deal_value" in c]
    assert value_changes == [["None", "3200000.00"]]
    lead.refresh_from_db()
    assert lead.estimated_deal_value == Decimal("3200000.00")


def test_page_hides_noop_changes_logged_before_the_fix(admin_client: Client) -> None:
    lead = LeadFactory(estimated_deal_value=Decimal("5000000.00"))
    content_type = ContentType.objects.get_for_model(Lead)
    for _ in range(3):
        LogEntry.objects.create(
            content_type=content_type,
            object_pk=str(lead.pk),
            object_repr=str(lead),
            action=LogEntry.Action.UPDATE,
            changes={"estimated_deal_value": ["5000000.00", "5000000"]},
        )
    LogEntry.objects.create(
        content_type=content_type,
        object_pk=str(lead.pk),
        object_repr=str(lead),
        action=LogEntry.Action.UPDATE,
        changes={"estimated_deal_value": ["5000000.00", "4000000.00"], "job_title": ["A", "A"]},
    )
    response = admin_client.get(change_url(lead))
    shown = [
        dict(changes)
        for entry, changes in response.context["crm_audit"]
        if entry.action == LogEntry.Action.UPDATE
    ]
    assert shown == [{"estimated deal value": ["5000000.00", "4000000.00"]}]
    assert "5000000.00 → 5000000<" not in response.content.decode()


@pytest.mark.parametrize("form", LeadSource.values)
def test_every_form_kind_reads_as_what_the_person_did(form: str) -> None:
    summary = submission_summary(form)
    assert "form form" not in summary and summary == SUBMISSION_SUMMARIES[form]


def test_contact_submission_is_not_the_contact_form_form() -> None:
    lead, _ = lead_submit(submission=LeadSubmission(email="x@company.example", form=LeadSource.CONTACT))
    assert lead.events.get(kind=LeadEventKind.SUBMITTED).summary == "Sent the contact form"


# --- Activities (service) ----------------------------------------------------------------------


def test_a_call_needs_its_outcome_and_a_reached_call_counts_as_contact(sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    with pytest.raises(ValidationError) as error:
        lead_activity_log(lead=lead, kind=LeadEventKind.CALL_LOGGED, body="hi", actor=sales_rep)
    assert "outcome" in error.value.error_dict
    event = lead_activity_log(
        lead=lead, kind=LeadEventKind.CALL_LOGGED, body="", outcome=CallOutcome.NO_ANSWER, actor=sales_rep
    )
    assert event.summary == "Call (no answer)" and event.actor == sales_rep
    lead.refresh_from_db()
    assert lead.last_contacted_at is None  # an unanswered call is an attempt, not contact
    when = timezone.now() - dt.timedelta(hours=2)
    event = lead_activity_log(
        lead=lead,
        kind=LeadEventKind.CALL_LOGGED,
        body="Budget approved for Q3.\nSend the proposal.",
        outcome=CallOutcome.CONNECTED,
        occurred_at=when,
        actor=sales_rep,
    )
    assert event.summary == "Call (connected): Budget approved for Q3.…" and event.created_at == when
    lead.refresh_from_db()
    assert lead.last_contacted_at == when


@pytest.mark.parametrize(
    ("kind", "body", "outcome", "when", "field"),
    [
        (LeadEventKind.EMAIL_LOGGED, "  ", "", None, "body"),
        (LeadEventKind.MEETING_LOGGED, "Demo", "connected", None, "outcome"),
        (LeadEventKind.MEETING_LOGGED, "Demo", "", dt.timedelta(days=1), "occurred_at"),
        (LeadEventKind.MEETING_LOGGED, "Demo", "", -dt.timedelta(days=400), "occurred_at"),
        (LeadEventKind.EMAIL_LOGGED, "x" * 10001, "", None, "body"),
        (LeadEventKind.NOTE_ADDED, "x", "", None, "kind"),
    ],
)
def test_activity_input_is_validated(sales_rep, kind, body, outcome, when, field) -> None:
    lead = LeadFactory(owner=sales_rep)
    occurred_at = timezone.now() + when if when is not None else None
    with pytest.raises(ValidationError) as error:
        lead_activity_log(
            lead=lead, kind=kind, body=body, outcome=outcome, occurred_at=occurred_at, actor=sales_rep
        )
    assert field in error.value.error_dict
    assert not LeadEvent.objects.filter(lead=lead).exclude(kind=LeadEventKind.SUBMITTED).exists()


# --- Composer (admin) ----------------------------------------------------------------------------


def test_rep_logs_a_call_from_the_page(rep_client: Client, sales_rep) -> None:
    lead = LeadFactory(owner=None)  # the unassigned queue: a rep may work it
    response = compose(rep_client, lead, activity_type="call", outcome="connected", body="Spoke to the CISO.")
    assert response.status_code == 302 and response["Location"].endswith("#crm-timeline")
    event = lead.events.get(kind=LeadEventKind.CALL_LOGGED)
    assert event.summary == "Call (connected): Spoke to the CISO." and event.actor == sales_rep
    page = rep_client.get(change_url(lead)).content.decode()
    assert "Call logged on" in page and "Call (connected): Spoke to the CISO." in page


def test_note_from_the_composer_goes_through_lead_note_add(rep_client: Client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    assert compose(rep_client, lead, activity_type="note", body="Prefers e-mail.").status_code == 302
    assert LeadNote.objects.get(lead=lead).author == sales_rep
    assert lead.events.get(kind=LeadEventKind.NOTE_ADDED).summary == "Note: Prefers e-mail."


def test_a_bad_submit_keeps_the_text_and_shows_the_error_at_its_field(rep_client: Client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep, job_title="CTO")
    response = compose(rep_client, lead, activity_type="call", outcome="", body="Typed a long story")
    assert response.status_code == 200
    form = response.context["crm_composer"]
    assert form.errors == {"outcome": ["Choose how the call went."]}
    html = response.content.decode()
    assert "Typed a long story</textarea>" in html and "Choose how the call went." in html
    assert not lead.events.filter(kind=LeadEventKind.CALL_LOGGED).exists()
    assert Lead.objects.get(pk=lead.pk).job_title == "CTO"  # the edit form was not saved


def test_composer_post_for_a_lead_of_another_rep_is_404(rep_client: Client, other_rep) -> None:
    lead = LeadFactory(owner=other_rep)
    assert compose(rep_client, lead, activity_type="note", body="x").status_code == 404
    assert not LeadNote.objects.exists()


def test_view_only_user_sees_no_composer_and_cannot_post(client: Client) -> None:
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_lead"))
    client.force_login(viewer)
    lead = LeadFactory(owner=None)
    response = client.get(change_url(lead))
    assert response.status_code == 200 and "crm_composer" not in response.context
    assert 'id="crm-composer"' not in response.content.decode()
    assert compose(client, lead, activity_type="note", body="x").status_code == 403
    assert not LeadNote.objects.exists()


# --- Timeline filter and related records ------------------------------------------------------------


def test_timeline_filter_shows_one_kind_with_counts_on_the_chips(
    manager_client: Client, sales_manager
) -> None:
    lead = LeadFactory()
    LeadEventFactory(lead=lead)  # a form submission
    lead_activity_log(lead=lead, kind=LeadEventKind.CALL_LOGGED, body="", outcome="busy", actor=sales_manager)
    lead_activity_log(lead=lead, kind=LeadEventKind.MEETING_LOGGED, body="Demo held", actor=sales_manager)
    response = manager_client.get(change_url(lead, "?tl=calls"))
    assert [e.kind for e in response.context["crm_timeline"]] == [LeadEventKind.CALL_LOGGED]
    chips = {c["key"]: (c["count"], c["active"]) for c in response.context["crm_timeline_chips"]}
    assert chips[""] == (3, False) and chips["calls"] == (1, True) and chips["meetings"] == (1, False)
    assert chips["website"] == (1, False)
    everything = manager_client.get(change_url(lead, "?tl=nonsense&tl_n=abc")).context["crm_timeline"]
    assert len(everything) == 3  # unknown values fall back to all entries


def test_side_panel_lists_assessments_with_grade_and_pdf(manager_client: Client) -> None:
    lead = LeadFactory()
    graded = SecurityAssessment.objects.create(
        lead=lead, target_url="https://a.example/", target_host="a.example", grade="B+"
    )
    graded.report_file.name = "reports/2026/12/a.pdf"
    graded.save(update_fields=["report_file"])
    html = manager_client.get(change_url(lead)).content.decode()
    assert "a.example" in html and ">B+<" in html
    assert reverse("admin:assessments_securityassessment_report", args=[graded.pk]) in html


def test_header_shows_name_company_badge_status_owner_and_next_step(
    manager_client: Client, sales_rep
) -> None:
    lead = LeadFactory(
        first_name="Jordan",
        last_name="Lee",
        job_title="CISO",
        company=Fortune500CompanyFactory(),
        owner=sales_rep,
        next_follow_up_at=timezone.now() - dt.timedelta(days=1),
    )
    html = manager_client.get(change_url(lead)).content.decode()
    header = html[html.index('id="crm-header"') : html.index('class="crm-grid"')]
    for text in (
        "Jordan Lee",
        "CISO",
        "JPMorgan Chase",
        "Fortune 500 #11",
        "New",
        sales_rep.get_username(),
        "(overdue)",
    ):
        assert text in header, text


# --- Tasks from the page ---------------------------------------------------------------------------


def test_rep_adds_a_task_from_the_composer_and_it_is_the_next_step(rep_client: Client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    due = timezone.localtime() + dt.timedelta(days=2)
    response = compose(
        rep_client,
        lead,
        activity_type="task",
        title="Send the proposal",
        due_at=due.strftime("%Y-%m-%dT%H:%M"),
    )
    assert response.status_code == 302
    task = LeadTask.objects.get(lead=lead)
    assert task.title == "Send the proposal" and task.created_by == sales_rep and task.owner is None
    lead.refresh_from_db()
    assert lead.next_follow_up_at == task.due_at
    html = rep_client.get(change_url(lead)).content.decode()
    header = html[html.index('id="crm-header"') : html.index('class="crm-grid"')]
    assert "Send the proposal" in header
    assert 'id="crm-tasks"' in html and lead.events.filter(kind=LeadEventKind.TASK_CREATED).exists()


def test_a_task_without_title_or_due_keeps_the_input_and_says_why(rep_client: Client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    response = compose(rep_client, lead, activity_type="task", title="", due_at="")
    assert response.status_code == 200
    errors = response.context["crm_composer"].errors
    assert set(errors) == {"title"} or set(errors) == {"due_at"}  # the service checks one at a time
    response = compose(rep_client, lead, activity_type="task", title="Call back", due_at="")
    assert response.context["crm_composer"].errors == {"due_at": ["Give a due date and time."]}
    assert 'value="Call back"' in response.content.decode()
    assert not LeadTask.objects.exists()


def test_task_for_a_rep_who_cannot_see_the_lead_is_a_field_error(
    manager_client: Client, sales_rep, other_rep
) -> None:
    lead = LeadFactory(owner=sales_rep)
    due = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = compose(
        manager_client, lead, activity_type="task", title="Call", due_at=due, task_owner=str(other_rep.pk)
    )
    assert response.status_code == 200
    assert "cannot see this lead" in response.context["crm_composer"].errors["task_owner"][0]


def test_mark_a_task_done_from_the_page(rep_client: Client, sales_rep) -> None:
    lead = LeadFactory(owner=sales_rep)
    task = task_create(
        lead=lead, title="Call back", due_at=timezone.now() + dt.timedelta(hours=3), actor=sales_rep
    )
    response = rep_client.post(change_url(lead), {TASK_DONE_FIELD: str(task.pk)})
    assert response.status_code == 302 and response["Location"].endswith("#crm-tasks")
    task.refresh_from_db()
    assert task.done_by == sales_rep and Lead.objects.get(pk=lead.pk).next_follow_up_at is None
    other = task_create(
        lead=LeadFactory(owner=sales_rep),
        title="x",
        due_at=timezone.now() + dt.timedelta(hours=1),
        actor=sales_rep,
    )
    assert rep_client.post(change_url(lead), {TASK_DONE_FIELD: str(other.pk)}).status_code == 404
    assert rep_client.post(change_url(lead), {TASK_DONE_FIELD: "nope"}).status_code == 404


def test_show_more_loads_the_next_step_of_the_timeline(manager_client: Client) -> None:
    lead = LeadFactory()
    start = timezone.now() - dt.timedelta(days=1)
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead=lead,
            kind=LeadEventKind.UPDATED,
            summary=f"entry {i:03d}",
            created_at=start + dt.timedelta(seconds=i),
        )
        for i in range(TIMELINE_STEP + 5)
    )
    first = manager_client.get(change_url(lead))
    assert first.context["crm_timeline_next"] == 2 * TIMELINE_STEP
    assert f"tl_n={2 * TIMELINE_STEP}" in first.content.decode()
    more = manager_client.get(change_url(lead, f"?tl_n={2 * TIMELINE_STEP}"))
    assert len(more.context["crm_timeline"]) == TIMELINE_STEP + 5 and more.context["crm_timeline_older"] == 0
    capped = manager_client.get(change_url(lead, "?tl_n=999999"))
    assert len(capped.context["crm_timeline"]) == TIMELINE_STEP + 5  # bounded by TIMELINE_LIMIT, no error
