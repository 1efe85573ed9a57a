"""A worker SIGKILLed three times leaves no job unrun and sends each alert once (issue 12).

30 hot leads are submitted over HTTPS to daphne; `db_worker` processes are killed right after
their first success, in the middle of a job (an alert e-mail stuck on a mail server that never
answers), and while idle with jobs queued behind them, and started again each time. At the end
every lead is scored and each hot-lead alert went out exactly once; while a killed worker's job
was past its lease, /healthz answered 503 naming it, and 200 once it was queued again.
"""

from __future__ import annotations

import re
import select
import signal
import socket
import sys
from collections import Counter

import httpx

from .stack import Process, Stack

LEADS = 30
SUBJECT = re.compile(r"Hot lead: Jobs(\d+) Smoke\b")
JOB_TABLE = "django_tasks_database_dbtaskresult"


def submit(stack: Stack, numbers: range, *, source_ip: str) -> None:
    """Submit hot leads from one loopback address (the per-IP intake limit is 30 a minute)."""
    transport = httpx.HTTPTransport(local_address=source_ip, verify=stack.ssl_context())
    with stack.client(transport=transport) as client:
        for number in numbers:
            response = client.post(
                "/api/v1/leads/",
                headers=stack.site_headers(),
                json={
                    "email": f"jobs{number}.ciso@jpmorganchase.com",
                    "first_name": f"Jobs{number}",
                    "last_name": "Smoke",
                    "job_title": "Chief Information Security Officer",
                    "form": "demo_request",
                    "employee_count": 50000,
                },
            )
            assert response.status_code == 201, response.text


def scored(stack: Stack) -> int:
    rows = stack.sql("SELECT count(*) FROM leads_lead WHERE email LIKE 'jobs%%.ciso@%%' AND score >= 80")
    return rows[0][0]


def alerts(stack: Stack) -> Counter[int]:
    return Counter(
        int(match.group(1))
        for m in stack.mails()
        if (match := SUBJECT.search(str(m["Subject"]).replace("\n", "")))
    )


def unfinished(stack: Stack) -> int:
    return stack.sql(f"SELECT count(*) FROM {JOB_TABLE} WHERE status IN ('READY', 'RUNNING')")[0][0]


def running(stack: Stack, task: str) -> int:
    return stack.sql(f"SELECT count(*) FROM {JOB_TABLE} WHERE status = 'RUNNING' AND task_path = %s", [task])[
        0
    ][0]


def healthz(stack: Stack) -> httpx.Response:
    with stack.client() as client:
        return client.get("/healthz")


def test_killed_workers_leave_no_job_unrun_and_send_each_alert_once(stack: Stack) -> None:
    for worker in stack.workers:
        worker.stop()  # this check starts and kills its own

    # 1. Killed right after its first success.
    first = stack.start_worker()
    submit(stack, range(10), source_ip="127.0.0.2")
    stack.wait_until(lambda: scored(stack) >= 1, timeout=60, what="the first lead scored", interval=0.02)
    first.kill(signal.SIGKILL)
    # Usually its next job (or the one it just finished, before marking it done) is left RUNNING.
    left_running = stack.sql(f"SELECT count(*) FROM {JOB_TABLE} WHERE status = 'RUNNING'")[0][0]

    # 2. Killed mid-job: its mail server accepts the connection and never answers, so the first
    # hot-lead alert it sends hangs until the worker is killed.
    mail_server = socket.create_server(("127.0.0.1", 0))
    stalled: list[socket.socket] = []
    try:
        second = Process(
            f"worker{len(stack.workers) + 1}",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            env={**stack.env, "EMAIL_URL": f"smtp://127.0.0.1:{mail_server.getsockname()[1]}"},
            log_dir=stack.log_dir,
        ).start()
        stack.workers.append(second)
        stack.wait_until(
            lambda: select.select([mail_server], [], [], 0)[0], timeout=90, what="the worker to send an alert"
        )
        stalled.append(mail_server.accept()[0])
        assert running(stack, "leads.tasks.lead_hot_alert_task") == 1
        second.kill(signal.SIGKILL)

        # No worker now: once the killed worker's heartbeat is older than the lease (5 s),
        # /healthz says so.
        unhealthy = stack.wait_until(
            lambda: (r := healthz(stack)).status_code == 503 and r,
            timeout=30,
            what="/healthz to report the stuck job",
        )
        queue = unhealthy.json()["checks"]["task_queue"]
        assert queue["ok"] is False and queue["stuck"] >= 1, queue
        assert queue["oldest_stuck"]["task"].startswith("leads.tasks."), queue
        assert unhealthy.headers["retry-after"]
    finally:
        for conn in stalled:
            conn.close()
        mail_server.close()

    # 3. A new worker recovers the stuck jobs at start; killed while idle, jobs queued behind it.
    third = stack.start_worker()
    stack.wait_until(
        lambda: healthz(stack).status_code == 200, timeout=30, what="/healthz 200 after recovery"
    )
    stack.wait_until(lambda: len(alerts(stack)) == 10, timeout=120, what="the first 10 alerts")
    stack.wait_until(lambda: unfinished(stack) == 0, timeout=60, what="the worker to be idle")
    third.kill(signal.SIGKILL)
    submit(stack, range(10, 20), source_ip="127.0.0.3")
    submit(stack, range(20, LEADS), source_ip="127.0.0.4")
    stack.start_worker()  # and the stack is whole again for the checks after this one

    stack.wait_until(lambda: scored(stack) == LEADS, timeout=180, what=f"all {LEADS} leads scored")
    stack.wait_until(lambda: len(alerts(stack)) == LEADS, timeout=120, what=f"all {LEADS} alerts")
    stack.wait_until(lambda: unfinished(stack) == 0, timeout=60, what="every job finished")
    sent = alerts(stack)
    assert sorted(sent) == list(range(LEADS)) and set(sent.values()) == {1}, (sent, left_running)
    failed = stack.sql(f"SELECT task_path, traceback FROM {JOB_TABLE} WHERE status = 'FAILED'")
    assert failed == [], failed
    one = next(m for m in stack.mails() if SUBJECT.search(str(m["Subject"])))
    assert re.fullmatch(r"<[0-9a-f]{40}@127\.0\.0\.1>", one["Message-ID"].strip())
    assert healthz(stack).status_code == 200
