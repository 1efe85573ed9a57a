"""A task worker killed in the middle of a security scan: its job is queued again once the
worker's heartbeat is past the lease, the re-run takes the scan over, and the report is e-mailed
exactly once. Real processes: `db_worker` subprocesses on a file SQLite database of this
test's own, a local HTTP target, file-based e-mail. Minutes of wall time, so `make soak`."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import message_from_string
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
LEAD_EMAIL = "ciso@acme-corp.example"

pytestmark = pytest.mark.soak


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Target:
    """A website that hangs on its first request until released (the scan is then 'running')."""

    def __init__(self) -> None:
        self.first_request = threading.Event()
        self.release = threading.Event()
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                target.first_request.set()
                target.release.wait(timeout=60)
                body = b"<html><head><title>Acme</title></head><body>hello</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the killed worker's connection
                    self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def target() -> Iterator[Target]:
    t = Target()
    yield t
    t.release.set()
    t.server.shutdown()


@pytest.fixture
def env(tmp_path, target) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    values.update(
        DJANGO_SETTINGS_MODULE="enterprise_scanner.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        TASK_BACKEND="database",
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",  # four slashes: an absolute path
        MEDIA_ROOT=str(tmp_path / "media"),
        ASSESSMENT_ALLOW_PRIVATE_TARGETS="true",
        ASSESSMENT_STALE_AFTER_SECONDS="1",
        TASK_LEASE_SECONDS="2",
        ASSESSMENT_TIMEOUT_SECONDS="90",  # the hanging first request outlives the kill
        BENCH_HTTP_PORT=str(target.port),
        BENCH_HTTPS_PORT=str(free_port()),  # nothing listens: refused at once
    )
    return values


PRELUDE = (
    "import os, django; django.setup(); from django.conf import settings\n"
    "settings.ASSESSMENT_HTTP_PORT = int(os.environ['BENCH_HTTP_PORT'])\n"
    "settings.ASSESSMENT_HTTPS_PORT = int(os.environ['BENCH_HTTPS_PORT'])\n"
)


def python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    code = PRELUDE + (
        "from django.core.management import call_command\n"
        "call_command('db_worker', interval=0.2, no_startup_delay=True)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def state(env: dict[str, str], assessment_id: str) -> dict:
    return json.loads(
        python(
            "import json; from assessments.models import SecurityAssessment as A\n"
            f"a = A.objects.get(pk={assessment_id!r})\n"
            "print(json.dumps({'status': a.status, 'attempts': a.attempts,"
            " 'sent': a.report_sent_at is not None}))\n",
            env,
        )
    )


def wait_until(check, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.5)


def report_mails(tmp_path: Path) -> list:
    folder = tmp_path / "mail"
    if not folder.exists():
        return []
    messages = []
    for path in folder.iterdir():
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = message_from_string(chunk.strip())
                if message["To"] == LEAD_EMAIL:
                    messages.append(message)
    return messages


def test_a_worker_killed_mid_scan_leaves_a_rerunnable_job_and_the_report_goes_out_once(
    tmp_path, env, target
) -> None:
    python("from django.core.management import call_command; call_command('migrate', verbosity=0)", env)
    assessment_id = python(
        "from leads.models import Lead; from assessments.services import assessment_create_by_staff\n"
        f"lead = Lead.objects.create(email={LEAD_EMAIL!r}, first_name='Ada')\n"
        f"a = assessment_create_by_staff(lead=lead, target_url='http://127.0.0.1/',"
        " assessment_type='quick', actor=None)\n"
        "print(a.pk)\n",
        env,
    )

    worker = start_worker(env)
    try:
        assert target.first_request.wait(timeout=120), "the worker never started the scan"
        assert state(env, assessment_id)["status"] == "running"
    finally:
        worker.send_signal(signal.SIGKILL)  # no chance to clean up: the worst case
        worker.wait(timeout=30)
    target.release.set()
    assert state(env, assessment_id) == {"status": "running", "attempts": 1, "sent": False}
    assert report_mails(tmp_path) == []

    # The scan's job is still in flight (RUNNING), so the assessments' own recovery leaves it.
    python(
        "from django.core.management import call_command; call_command('recover_stale_assessments', rerun=True)",
        env,
    )
    assert state(env, assessment_id)["status"] == "running"
    time.sleep(2.5)  # past TASK_LEASE_SECONDS: the killed worker's heartbeat is stale
    requeued = python(
        "from django.core.management import call_command; call_command('recover_stale_jobs')\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "print(DBTaskResult.objects.get(task_path='assessments.tasks.assessment_scan_task').status)\n",
        env,
    )
    assert requeued == "READY"

    worker = start_worker(env)
    try:
        wait_until(lambda: state(env, assessment_id)["sent"], timeout=180, what="the report e-mail")
        # Recovery run again while a worker is up: nothing left to do, nothing sent twice.
        python(
            "from django.core.management import call_command; call_command('recover_stale_assessments', rerun=True)",
            env,
        )
        time.sleep(2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    final = state(env, assessment_id)
    assert final == {"status": "completed", "attempts": 2, "sent": True}
    mails = report_mails(tmp_path)
    assert len(mails) == 1
    assert "Security assessment of 127.0.0.1" in mails[0]["Subject"]
