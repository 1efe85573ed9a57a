"""Webhook fan-out: 1,000 events to 3 endpoints, drained by ONE `manage.py db_worker`.

    .venv/bin/python bench/webhook_fanout.py --events 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench .venv/bin/python bench/webhook_fanout.py

Three local receivers (threaded `http.server`, HTTP/1.1 keep-alive) each verify every request's
Standard Webhooks signature. Three endpoints subscribe to `lead.hot`; the script emits the events
the way the scoring service does (`leads.webhooks.lead_hot_emit`, one transaction each: event,
three delivery rows and the job in the outbox), then starts one worker and times until every
delivery is recorded as delivered. Target: all 3,000 within 60 s.

The reference is the bare HTTP cost: the same number of signed POSTs sent in a loop with one
kept-alive client and no database, so the ratio shows what queueing, claiming and recording cost.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import ROOT, configure, ratio_row, write_result

configure(scratch_prefix="webhook-bench-")
os.environ["OUTBOUND_ALLOW_PRIVATE_TARGETS"] = "true"
os.environ["TASK_BACKEND"] = "database"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("httpx").setLevel(logging.WARNING)

import httpx  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from enterprise_scanner.secret_box import decrypt_text  # noqa: E402
from enterprise_scanner.webhooks.models import (  # noqa: E402
    SIGNING_SECRET_PURPOSE,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from enterprise_scanner.webhooks.services import webhook_endpoint_create  # noqa: E402
from enterprise_scanner.webhooks.signing import signature_headers, verify  # noqa: E402
from leads.models import Company, Lead  # noqa: E402
from leads.webhooks import lead_hot_emit  # noqa: E402

TARGET_SECONDS = 60.0
ENDPOINTS = 3


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, secret: str = "") -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.secret = secret
        self.valid = 0
        self.invalid = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK add 40 ms to every kept-alive request.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server: Receiver = self.server  # type: ignore[assignment]
        headers = {name.lower(): value for name, value in self.headers.items()}
        ok = bool(server.secret) and verify(secret=server.secret, headers=headers, body=body)
        with server.lock:
            if ok:
                server.valid += 1
            else:
                server.invalid += 1
        self.send_response(200 if ok else 400)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def bare_http(receivers: list[Receiver], events: int) -> float:
    """Seconds for the same signed POSTs from one kept-alive client, no database."""
    body = b'{"type":"lead.hot","data":{}}'
    started = time.perf_counter()
    with httpx.Client(trust_env=False) as client:
        for n in range(events):
            for receiver in receivers:
                headers = signature_headers(secret=receiver.secret, msg_id=f"msg_{n}", timestamp=0, body=body)
                client.post(receiver.url, content=body, headers=headers)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    database = connection.vendor
    WebhookEndpoint.objects.all().delete()  # a reused PostgreSQL database: only this run's endpoints
    owner, _ = get_user_model().objects.get_or_create(
        username="bench-webhooks", defaults={"is_staff": True, "is_superuser": True}
    )
    receivers = [Receiver() for _ in range(ENDPOINTS)]
    for receiver in receivers:
        endpoint, secret = webhook_endpoint_create(url=receiver.url, events=["lead.hot"], owner=owner)
        receiver.secret = secret
        assert decrypt_text(endpoint.secret_encrypted, purpose=SIGNING_SECRET_PURPOSE) == secret
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
    company, _ = Company.objects.get_or_create(domain="fanout.example", defaults={"name": "Fanout Inc"})
    leads = [
        Lead.objects.create(
            email=f"bench-{time.time_ns()}-{n}@fanout.example", company=company, owner=owner, score=80
        )
        for n in range(10)
    ]

    started = time.perf_counter()
    for n in range(args.events):
        with transaction.atomic():
            lead_hot_emit(lead=leads[n % len(leads)], previous_score=60, threshold=75)
    emit_seconds = time.perf_counter() - started
    expected = args.events * ENDPOINTS
    run_deliveries = WebhookDelivery.objects.filter(endpoint__owner=owner)
    assert run_deliveries.count() == expected

    log = Path(tempfile.mkdtemp(prefix="webhook-bench-")) / "worker.log"
    started = time.perf_counter()
    with log.open("w") as out:
        worker = subprocess.Popen(  # noqa: S603 - our own worker, same environment
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.1"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    delivered = 0
    try:
        while time.perf_counter() - started < args.timeout:
            delivered = run_deliveries.filter(status=DeliveryStatus.DELIVERED).count()
            if delivered >= expected:
                break
            time.sleep(0.2)
        drain_seconds = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    valid = sum(r.valid for r in receivers)
    invalid = sum(r.invalid for r in receivers)
    reference = bare_http(receivers, args.events)
    met = delivered == expected and drain_seconds < TARGET_SECONDS and invalid == 0
    detail = (
        f"{args.events} events × {ENDPOINTS} endpoints: emit {emit_seconds:.1f} s "
        f"({emit_seconds / args.events * 1000:.1f} ms/event), drained {delivered}/{expected} in "
        f"{drain_seconds:.1f} s ({delivered / drain_seconds:.0f}/s) by one db_worker; "
        f"signatures valid {valid}, invalid {invalid}; bare HTTP loop {reference:.1f} s"
    )
    print(detail)
    print("met" if met else "NOT MET")
    row = ratio_row(
        benchmark=f"webhook fan-out {args.events}×{ENDPOINTS} ({database})",
        measure="drain s vs bare HTTP loop",
        ours=drain_seconds,
        reference=reference,
        target=f"< {TARGET_SECONDS:.0f} s, one worker",
        met=met,
        detail=detail,
    )
    write_result(f"webhook_fanout_{database}", {"rows": [row]})
    results = ROOT / "bench" / "results" / "webhook_fanout.md"
    previous = results.read_text().split("\n## ") if results.exists() else []
    sections = {part.split("\n", 1)[0].lstrip("# "): part for part in previous[1:]}
    sections[database] = (
        f"{database}\n\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs: {'met' if met else 'NOT met'}\n\n{detail}\n"
    )
    text = "# Webhook fan-out (bench/webhook_fanout.py)\n\nTarget: 1,000 events to 3 endpoints drained within 60 s by one `db_worker`.\n"
    results.write_text(text + "".join(f"\n## {sections[key]}" for key in sorted(sections)))
    if not met:
        print(f"worker log: {log}")


if __name__ == "__main__":
    main()
