"""A job whose worker died is run again (issue 12): the production task backend (jobs stored in
the database), our `db_worker` and `recover_stale_jobs`, and what /healthz says meanwhile.

A worker "dies" here the way SIGKILL leaves things: its job RUNNING under its id, and its
heartbeat no longer touched (missing, or older than the lease). The processes themselves are
killed in smoke/test_jobs.py."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from analytics.services import website_create
from leads.models import Lead, LeadEventKind
from leads.tests.factories import Fortune500CompanyFactory

ORIGIN = "https://www.enterprisescanner.com"
SUBMITTED_JOB = "leads.tasks.lead_submitted_task"
HOT_LEAD = {
    "email": "j.doe@jpmorganchase.com",
    "first_name": "Jordan",
    "job_title": "Chief Information Security Officer",
    "form": "demo_request",
}

# Transactional: the worker closes and reopens its database connection between jobs, as it does
# in production, which a test wrapped in one transaction cannot survive.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings) -> None:
    settings.TASK_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3


@pytest.fixture
def hot_lead_job(database_tasks) -> DBTaskResult:
    """A hot lead submitted through the public API: its follow-up job waits in the queue."""
    Fortune500CompanyFactory()  # JPMorgan Chase
    website = website_create(name="Marketing site", allowed_origins=[ORIGIN])
    client = Client(headers={"X-Site-Key": website.publishable_key, "Origin": ORIGIN})
    response = client.post("/api/v1/leads/", HOT_LEAD, content_type="application/json")
    assert response.status_code == 201
    return DBTaskResult.objects.get(task_path=SUBMITTED_JOB)


def taken_by_dead_worker(
    job: DBTaskResult, *, worker_id: str = "killed-worker", minutes_ago: int = 5
) -> None:
    """A worker claimed the job and was SIGKILLed: RUNNING under its id, no heartbeat since."""
    job.claim(worker_id)
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(minutes=minutes_ago))


def run_worker() -> None:
    """A worker (re)started: it runs until the queue is empty."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def hot_alerts() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Hot lead:")]


def test_a_job_taken_by_a_killed_worker_is_run_when_a_worker_starts_again(hot_lead_job) -> None:
    """The defect: the 30th lead stayed RUNNING for ever, score 0, no alert."""
    taken_by_dead_worker(hot_lead_job)
    run_worker()  # the worker is restarted

    lead = Lead.objects.get(email=HOT_LEAD["email"])
    assert lead.score >= 80 and lead.scored_at is not None
    assert len(hot_alerts()) == 1
    assert DBTaskResult.objects.get(pk=hot_lead_job.pk).status == "SUCCESSFUL"
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0

    run_worker()  # and again: nothing left, nothing sent twice
    assert len(hot_alerts()) == 1
    assert lead.events.filter(kind=LeadEventKind.SCORED).count() == 1


def test_recover_stale_jobs_queues_the_job_again_and_healthz_reports_it_until_then(
    client, hot_lead_job
) -> None:
    taken_by_dead_worker(hot_lead_job)

    response = client.get("/healthz")
    assert response.status_code == 503
    queue = response.json()["checks"]["task_queue"]
    assert queue["ok"] is False and queue["stuck"] == 1
    assert queue["oldest_stuck"]["id"] == str(hot_lead_job.pk)
    assert queue["oldest_stuck"]["task"] == SUBMITTED_JOB
    assert queue["oldest_stuck"]["running_seconds"] >= 299
    assert "recover_stale_jobs" in queue["error"]

    out = io.StringIO()
    call_command("recover_stale_jobs", stdout=out)
    assert "1 job(s) re-queued" in out.getvalue()
    assert DBTaskResult.objects.get(pk=hot_lead_job.pk).status == "READY"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["task_queue"]["stuck"] == 0

    call_command("recover_stale_jobs")  # a second run (another worker, cron) finds nothing to do
    run_worker()
    job = DBTaskResult.objects.get(pk=hot_lead_job.pk)
    assert job.status == "SUCCESSFUL" and len(job.worker_ids) == 2  # attempts
    assert Lead.objects.get(email=HOT_LEAD["email"]).score >= 80
    assert len(hot_alerts()) == 1


def test_a_long_job_on_a_live_worker_is_left_alone(client, hot_lead_job) -> None:
    from enterprise_scanner.jobs.recovery import heartbeat_touch

    taken_by_dead_worker(hot_lead_job, worker_id="busy-worker", minutes_ago=60)  # a long scan, say
    heartbeat_touch(worker_id="busy-worker", started_at=timezone.now() - timedelta(hours=2))  # alive

    call_command("recover_stale_jobs")
    assert DBTaskResult.objects.get(pk=hot_lead_job.pk).status == "RUNNING"
    assert client.get("/healthz").status_code == 200


def test_a_worker_silent_for_longer_than_the_lease_counts_as_dead(client, settings, hot_lead_job) -> None:
    from enterprise_scanner.jobs.models import WorkerHeartbeat

    settings.TASK_LEASE_SECONDS = 30
    taken_by_dead_worker(hot_lead_job, worker_id="frozen-worker")
    WorkerHeartbeat.objects.create(
        worker_id="frozen-worker",
        started_at=timezone.now() - timedelta(hours=1),
        last_seen_at=timezone.now() - timedelta(seconds=31),
    )
    assert client.get("/healthz").status_code == 503
    call_command("recover_stale_jobs")
    assert DBTaskResult.objects.get(pk=hot_lead_job.pk).status == "READY"
    assert not WorkerHeartbeat.objects.filter(worker_id="frozen-worker").exists()


def test_a_job_that_killed_its_workers_too_often_is_failed_with_the_reason(
    admin_client, hot_lead_job
) -> None:
    for number in range(3):  # TASK_MAX_ATTEMPTS workers took it and died
        taken_by_dead_worker(hot_lead_job, worker_id=f"dead-{number}")
        hot_lead_job.refresh_from_db()
    call_command("recover_stale_jobs")

    job = DBTaskResult.objects.get(pk=hot_lead_job.pk)
    assert job.status == "FAILED" and job.finished_at is not None
    assert job.exception_class_path == "enterprise_scanner.jobs.recovery.WorkerLost"
    page = admin_client.get(f"/admin/django_tasks_database/dbtaskresult/{job.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "WorkerLost" in text and "stopped before it finished, 3 time(s)" in text
    assert "TASK_MAX_ATTEMPTS=3" in text
    run_worker()  # not run again
    assert Lead.objects.get(email=HOT_LEAD["email"]).scored_at is None


def test_a_running_worker_keeps_beating_and_recovers_a_dead_workers_job_within_a_lease(
    settings, hot_lead_job
) -> None:
    """No cron and no restart needed: a live worker's thread heals the pool once per lease."""
    import time

    from enterprise_scanner.jobs.heartbeat import Heartbeat
    from enterprise_scanner.jobs.models import WorkerHeartbeat

    settings.TASK_LEASE_SECONDS = 2  # beats every 0.5 s, recovers every 2 s
    heartbeat = Heartbeat(worker_id="live-worker")
    heartbeat.start()
    try:
        first = WorkerHeartbeat.objects.get(worker_id="live-worker").last_seen_at
        taken_by_dead_worker(hot_lead_job)  # after the start-up recovery: only the thread can see it
        deadline = time.monotonic() + 15
        while DBTaskResult.objects.get(pk=hot_lead_job.pk).status != "READY":
            assert time.monotonic() < deadline, "the worker's thread never re-queued the job"
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.get(worker_id="live-worker").last_seen_at > first
    finally:
        heartbeat.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="live-worker").exists()  # a clean stop
