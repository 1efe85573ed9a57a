"""The assessments admin as staff use it: list with grade and status, findings, actions, PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.scanner.scan import evaluate
from leads.tests.factories import LeadFactory

from .helpers import site

pytestmark = pytest.mark.django_db
LIST = "/admin/assessments/securityassessment/"


def make(status=AssessmentStatus.COMPLETED, lead=None, **fields) -> SecurityAssessment:
    return SecurityAssessment.objects.create(
        lead=lead or LeadFactory(),
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=status,
        **fields,
    )


def with_report(media, capture, lead=None) -> SecurityAssessment:
    assessment = make(AssessmentStatus.RUNNING, lead=lead)
    outcome = evaluate(site(host="www.acme-corp.com"), None, now=timezone.now())
    with capture(execute=True):
        services.assessment_complete(assessment=assessment, outcome=outcome)
    return SecurityAssessment.objects.get(pk=assessment.pk)


def test_list_shows_grade_status_and_a_report_link_in_fixed_queries(
    admin_client, media, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        done = with_report(media, django_capture_on_commit_callbacks)
    make(AssessmentStatus.PENDING_APPROVAL)
    done.refresh_from_db()
    with django_assert_max_num_queries(12):
        response = admin_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Awaiting target approval" in html and "Completed" in html
    assert html.count("Download PDF") == 3
    # The grade as a chip (the stock admin's ">F<" matched the grade filter's link, not a cell).
    assert (
        f'<span class="es-grade es-grade-{done.grade.lower()}" title="Grade {done.grade}">{done.grade}</span>'
        in html
    )


def test_change_page_shows_findings_inline_and_the_pdf_downloads(
    admin_client, media, django_capture_on_commit_callbacks
) -> None:
    assessment = with_report(media, django_capture_on_commit_callbacks)
    page = admin_client.get(f"{LIST}{assessment.pk}/change/").content.decode()
    assert "csp-not-implemented" in page and "No Content Security Policy" in page
    response = admin_client.get(f"{LIST}{assessment.pk}/report/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_approve_target_action_queues_only_pending_ones(
    admin_client, django_capture_on_commit_callbacks
) -> None:
    pending = make(AssessmentStatus.PENDING_APPROVAL)
    done = make(AssessmentStatus.COMPLETED)
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            LIST, {"action": "approve_target", "_selected_action": [pending.pk, done.pk]}, follow=True
        )
    assert "1 target(s) approved" in response.content.decode()
    assert "1 skipped" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AssessmentStatus.QUEUED and pending.target_approved_by.username == "admin"
    assert callbacks  # the scan is enqueued after commit


def test_rerun_action_requeues_finished_and_stuck_scans(admin_client, settings) -> None:
    settings.ASSESSMENT_STALE_AFTER_SECONDS = 60
    failed = make(AssessmentStatus.FAILED, error="boom")
    stuck = make(AssessmentStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    live = make(AssessmentStatus.RUNNING, started_at=timezone.now())
    listing = admin_client.get(LIST).content.decode()
    assert "Running (stalled: re-run it)" in listing
    response = admin_client.post(
        LIST, {"action": "rerun", "_selected_action": [failed.pk, stuck.pk, live.pk]}, follow=True
    )
    assert "2 assessment(s) queued again" in response.content.decode()
    assert "already queued or running" in response.content.decode()
    for assessment, status in ((failed, "queued"), (stuck, "queued"), (live, "running")):
        assessment.refresh_from_db()
        assert assessment.status == status


def test_staff_can_start_an_assessment_and_the_target_cannot_change_afterwards(
    admin_client, django_capture_on_commit_callbacks
) -> None:
    lead = LeadFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            f"{LIST}add/",
            {
                "lead": lead.pk,
                "target_url": "www.example.org",
                "assessment_type": "standard",
                "findings-TOTAL_FORMS": "0",
                "findings-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302
    assessment = SecurityAssessment.objects.get()
    assert (
        assessment.status == AssessmentStatus.QUEUED and assessment.target_url == "https://www.example.org/"
    )
    assert assessment.target_approved_at is not None and callbacks
    page = admin_client.get(f"{LIST}{assessment.pk}/change/").content.decode()
    assert 'name="target_url"' not in page


def test_reps_see_only_assessments_of_their_leads(
    rep_client, sales_rep, other_rep, media, django_capture_on_commit_callbacks
) -> None:
    mine = make(lead=LeadFactory(owner=sales_rep))
    theirs = with_report(media, django_capture_on_commit_callbacks, lead=LeadFactory(owner=other_rep))
    listing = rep_client.get(LIST).content.decode()
    assert str(mine.pk) in listing and str(theirs.pk) not in listing
    assert rep_client.get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)
    assert rep_client.get(f"{LIST}{theirs.pk}/report/").status_code == 404
