"""Monitoring of watched targets, end to end against loopback servers: watching (admin action,
the prospect's consent), the schedule command, the second scan's history and findings diff in
the admin and the PDF, and the one alert e-mail to the lead owner when the site gets worse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from assessments.models import AssessmentStatus, MonitoredTarget, SecurityAssessment, WatchSource
from assessments.monitoring.services import monitor_watch_assessment
from assessments.services import assessment_create_by_staff
from assessments.tasks import assessment_monitor_alert_task
from leads.models import LeadEvent, LeadEventKind
from leads.tests.factories import LeadFactory

from .conftest import ORIGIN
from .servers import GOOD_HEADERS, GOOD_PAGE
from .test_end_to_end import pdf_text

pytestmark = pytest.mark.django_db
LIST = "/admin/assessments/securityassessment/"
#: The site after a bad deploy: no security headers any more, and a session cookie without Secure.
BAD_HEADERS = {"Set-Cookie": "sessionid=abc123; Path=/; HttpOnly"}
#: A good site with one weakness (a short HSTS max-age, medium) that the bad deploy makes worse.
FIRST_HEADERS = {**GOOD_HEADERS, "Strict-Transport-Security": "max-age=300"}


def serve(server, headers: dict[str, str]) -> None:
    server.clear_all_handlers()
    server.expect_request("/").respond_with_data(GOOD_PAGE, content_type="text/html", headers=headers)


def first_scan(lead, capture) -> SecurityAssessment:
    with capture(execute=True):
        assessment = assessment_create_by_staff(
            lead=lead, target_url="https://localhost/", assessment_type="standard", actor=None
        )
    assessment = SecurityAssessment.objects.get(pk=assessment.pk)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    return assessment


def a_week_passes() -> None:
    """The schedule's clock: every watched target's next scan comes due."""
    MonitoredTarget.objects.update(next_scan_at=F("next_scan_at") - timedelta(days=7))
    SecurityAssessment.objects.update(
        requested_at=F("requested_at") - timedelta(days=7), completed_at=F("completed_at") - timedelta(days=7)
    )


def rescan(capture) -> str:
    with capture(execute=True):
        from io import StringIO

        out = StringIO()
        call_command("rescan_watched_targets", stdout=out)
    return out.getvalue()


@pytest.fixture
def owned_lead(sales_rep):
    return LeadFactory(email="ciso@acme-corp.com", first_name="Ada", owner=sales_rep)


def test_a_watched_targets_second_scan_shows_history_and_diff_and_alerts_the_owner_once(
    https_server, owned_lead, sales_rep, rep_client, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    serve(https_server, FIRST_HEADERS)
    first = first_scan(owned_lead, capture)
    assert first.grade.startswith("A")

    # The rep watches the target from the assessment list (an action).
    response = rep_client.post(LIST, {"action": "watch_target", "_selected_action": [first.pk]}, follow=True)
    assert "1 target(s) watched: localhost" in response.content.decode()
    target = MonitoredTarget.objects.get()
    assert target.is_active and target.lead == owned_lead and target.source == WatchSource.STAFF
    assert "re-scan(s) queued" in rescan(capture) and SecurityAssessment.objects.count() == 1  # not due yet

    serve(https_server, BAD_HEADERS)  # a bad deploy
    a_week_passes()
    mail.outbox.clear()
    output = rescan(capture)
    assert "queued localhost" in output
    second = SecurityAssessment.objects.exclude(pk=first.pk).get()
    assert second.status == AssessmentStatus.COMPLETED, second.error
    assert second.monitored_target == target and second.grade == "F"
    first.refresh_from_db()
    assert first.monitored_target == target  # the earlier scan joined the history: each scan kept

    # The admin page of the second scan: the history and the diff.
    page = rep_client.get(f"{LIST}{second.pk}/change/").content.decode()
    assert f"Grade {first.grade} → F since" in page
    assert 'class="bar-chart"' in page and f"grade {first.grade}, risk" in page and "grade F, risk" in page
    diff_rows = page.split('class="es-monitoring-diff"')[1].split("</table>")[0]
    assert any(
        "cookies-session-without-secure-flag" in r for r in diff_rows.split("<tr>") if "change-new" in r
    )
    assert any("csp-not-implemented" in r for r in diff_rows.split("<tr>") if "change-new" in r)  # CSP gone
    [hsts] = [r for r in diff_rows.split("<tr>") if "hsts-" in r]
    assert "change-regressed" in hsts and "medium → high" in hsts  # short max-age, then none
    assert "Regressed (severity got worse)" in diff_rows
    # The first scan's page shows no diff (nothing before it).
    assert "nothing to compare yet" in rep_client.get(f"{LIST}{first.pk}/change/").content.decode()

    # The PDF, read back.
    text = pdf_text(second)
    assert "Monitoring of localhost" in text
    assert f"Grade {first.grade} → F since" in text
    assert "Changes since the previous scan" in text
    assert "cookies-session-without-secure-flag" in text and "hsts-not-implemented" in text
    assert "Regressed (severity got worse)" in text and "medium → high" in text

    # One alert, to the lead owner, on the lead's timeline as a sales trigger.
    alerts = [m for m in mail.outbox if m.subject.startswith("Sales trigger")]
    assert len(alerts) == 1, [m.subject for m in mail.outbox]
    [alert] = alerts
    assert alert.to == [sales_rep.email]
    assert f"grade {first.grade} → F" in alert.subject and "localhost" in alert.body
    assert "Session cookie sent without the Secure flag" in alert.body
    triggers = LeadEvent.objects.filter(lead=owned_lead, kind=LeadEventKind.SALES_TRIGGER)
    assert triggers.count() == 1 and "got worse" in triggers.get().summary

    # The job runs again (its worker died after sending): still one e-mail and one entry.
    for _ in range(2):
        assessment_monitor_alert_task.enqueue(str(second.pk))
    SecurityAssessment.objects.filter(pk=second.pk).update(monitor_alert_sent_at=None)  # even then
    assessment_monitor_alert_task.enqueue(str(second.pk))
    assert len([m for m in mail.outbox if m.subject.startswith("Sales trigger")]) == 1
    assert LeadEvent.objects.filter(lead=owned_lead, kind=LeadEventKind.SALES_TRIGGER).count() == 1
    timeline = rep_client.get(f"/admin/leads/lead/{owned_lead.pk}/change/").content.decode()
    assert "got worse" in timeline


def test_an_improving_site_sends_no_alert_and_an_unassigned_lead_alerts_sales(
    https_server, settings, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    lead = LeadFactory(email="ciso@acme-corp.com", owner=None)
    serve(https_server, BAD_HEADERS)
    first = first_scan(lead, capture)
    monitor_watch_assessment(assessment=first, source=WatchSource.STAFF)
    serve(https_server, GOOD_HEADERS)
    a_week_passes()
    mail.outbox.clear()
    rescan(capture)
    assert SecurityAssessment.objects.filter(grade="A+").count() == 1
    assert not [m for m in mail.outbox if m.subject.startswith("Sales trigger")]  # it got better
    second = SecurityAssessment.objects.get(grade="A+")
    assert "Fixed" in pdf_text(second)

    serve(https_server, BAD_HEADERS)
    a_week_passes()
    rescan(capture)
    [alert] = [m for m in mail.outbox if m.subject.startswith("Sales trigger")]
    assert alert.to == [settings.SALES_ALERT_EMAIL]


def test_unwatched_and_stopped_targets_are_not_rescanned(
    https_server, owned_lead, manager_client, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    serve(https_server, GOOD_HEADERS)
    first = first_scan(owned_lead, capture)  # never watched
    a_week_passes()
    assert "0 re-scan(s) queued" in rescan(capture)
    assert SecurityAssessment.objects.count() == 1

    target = monitor_watch_assessment(assessment=first, source=WatchSource.STAFF)
    # The toggle on the watched target's page turns the watch off.
    response = manager_client.post(
        f"/admin/assessments/monitoredtarget/{target.pk}/change/", {"interval_days": "7"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    a_week_passes()
    assert "0 re-scan(s) queued" in rescan(capture)
    assert SecurityAssessment.objects.count() == 1


def test_the_schedule_is_idempotent_and_respects_the_rate_limit_and_scans_in_flight(
    settings, owned_lead, django_capture_on_commit_callbacks
) -> None:
    capture = django_capture_on_commit_callbacks
    done = SecurityAssessment.objects.create(
        lead=owned_lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=AssessmentStatus.COMPLETED,
        grade="B",
        risk_score=20,
        completed_at=timezone.now() - timedelta(days=8),
        requested_at=timezone.now() - timedelta(days=8),
    )
    target = monitor_watch_assessment(assessment=done, source=WatchSource.STAFF)
    assert target.next_scan_at < timezone.now()  # a week after the last scan: due
    with capture() as callbacks:  # the scan jobs are queued, not run
        call_command("rescan_watched_targets")
        target.refresh_from_db()
        assert target.next_scan_at > timezone.now() + timedelta(days=6)  # the next one, a week on
        call_command("rescan_watched_targets")
    assert SecurityAssessment.objects.filter(status=AssessmentStatus.QUEUED).count() == 1
    assert len(callbacks) == 1  # one scan job
    # Due again while that scan is still queued: no second scan on top of it.
    MonitoredTarget.objects.update(next_scan_at=timezone.now() - timedelta(minutes=1))
    call_command("rescan_watched_targets")
    assert SecurityAssessment.objects.filter(status=AssessmentStatus.QUEUED).count() == 1

    # The per-domain rate limit: the scan queued above and one more request this hour fill it.
    SecurityAssessment.objects.filter(status=AssessmentStatus.QUEUED).update(status=AssessmentStatus.FAILED)
    settings.ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR = 1
    MonitoredTarget.objects.update(next_scan_at=timezone.now() - timedelta(minutes=1))
    from io import StringIO

    out = StringIO()
    call_command("rescan_watched_targets", stdout=out)
    assert "rate limit" in out.getvalue()
    assert SecurityAssessment.objects.count() == 2
    target.refresh_from_db()
    assert target.next_scan_at > timezone.now() + timedelta(minutes=50)


def test_batches_cap_one_run(owned_lead, django_capture_on_commit_callbacks) -> None:
    past = timezone.now() - timedelta(days=30)
    for n in range(5):
        done = SecurityAssessment.objects.create(
            lead=owned_lead,
            target_url=f"https://site{n}.acme-corp.com/",
            target_host=f"site{n}.acme-corp.com",
            status=AssessmentStatus.COMPLETED,
            grade="B",
            completed_at=past,
            requested_at=past,
        )
        monitor_watch_assessment(assessment=done, source=WatchSource.STAFF)
    with django_capture_on_commit_callbacks():
        call_command("rescan_watched_targets", "--batch-size", "2")
    assert SecurityAssessment.objects.filter(status=AssessmentStatus.QUEUED).count() == 2


def test_the_prospects_consent_in_the_request_watches_the_target(website, django_capture_on_commit_callbacks):
    site = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    body = {"email": "ciso@acme-corp.com", "first_name": "Ada", "target_url": "https://www.acme-corp.com/"}
    with django_capture_on_commit_callbacks():
        assert site.post("/api/v1/assessments/", body, content_type="application/json").status_code == 202
    assert not MonitoredTarget.objects.exists()  # default: no consent, not watched
    with django_capture_on_commit_callbacks():
        response = site.post(
            "/api/v1/assessments/",
            {**body, "monitoring_consent": True},
            content_type="application/json",
        )
    assert response.status_code == 202
    target = MonitoredTarget.objects.get()
    assert target.host == "www.acme-corp.com" and target.source == WatchSource.CONSENT
    assert target.next_scan_at is None  # scheduled once its first scan has completed
    bad = site.post(
        "/api/v1/assessments/", {**body, "monitoring_consent": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "monitoring_consent" in bad.json()


def test_the_schema_documents_the_consent_field(client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["AssessmentRequestInput"]["properties"]
    consent = fields["monitoring_consent"]
    assert consent["type"] == "boolean" and consent["default"] is False
    assert "re-scanned on a schedule" in consent["description"]


def test_the_lead_action_watches_the_leads_assessed_sites(admin_client, owned_lead) -> None:
    SecurityAssessment.objects.create(
        lead=owned_lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        status=AssessmentStatus.COMPLETED,
        grade="C",
        completed_at=timezone.now(),
    )
    other = LeadFactory()
    response = admin_client.post(
        "/admin/leads/lead/",
        {"action": "crm_watch_websites", "_selected_action": [owned_lead.pk, other.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 website(s) watched: www.acme-corp.com" in html and "1 lead(s) have no assessed website" in html
    listing = admin_client.get("/admin/assessments/monitoredtarget/").content.decode()
    assert "www.acme-corp.com" in listing


def test_reps_see_only_watched_targets_of_their_leads(rep_client, sales_rep, other_rep) -> None:
    for lead, host in (
        (LeadFactory(owner=sales_rep), "mine.example.com"),
        (LeadFactory(owner=other_rep), "theirs.example.com"),
    ):
        done = SecurityAssessment.objects.create(
            lead=lead,
            target_url=f"https://{host}/",
            target_host=host,
            status=AssessmentStatus.COMPLETED,
            completed_at=timezone.now(),
        )
        monitor_watch_assessment(assessment=done, source=WatchSource.STAFF)
    listing = rep_client.get("/admin/assessments/monitoredtarget/").content.decode()
    assert "mine.example.com" in listing and "theirs.example.com" not in listing
    theirs = MonitoredTarget.objects.get(host="theirs.example.com")
    assert rep_client.get(f"/admin/assessments/monitoredtarget/{theirs.pk}/change/").status_code in (302, 404)


def test_a_staff_scan_of_a_watched_host_joins_its_history(
    https_server, owned_lead, admin_client, django_capture_on_commit_callbacks
) -> None:
    serve(https_server, FIRST_HEADERS)
    first = first_scan(owned_lead, django_capture_on_commit_callbacks)
    target = monitor_watch_assessment(assessment=first, source=WatchSource.CONSENT)
    second = first_scan(owned_lead, django_capture_on_commit_callbacks)  # staff start another one
    assert second.monitored_target == target
    page = admin_client.get(f"{LIST}{second.pk}/change/").content.decode()
    assert f"Grade {first.grade} unchanged since" in page and "(2 scans)" in page
    assert "change-unchanged" in page
