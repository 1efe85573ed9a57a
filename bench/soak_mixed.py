"""Mixed-load soak: the production shape under a realistic mix for minutes, then everything counted.

    .venv/bin/python bench/soak_mixed.py                          # 10 minutes, 100,000 leads, 80 users
    .venv/bin/python bench/soak_mixed.py --minutes 1 --leads 10000  # what `make bench` runs (BENCH_POSTGRES)

The stack is `smoke/stack.py`'s (what `make smoke-prod` checks), with a second daphne process and a
second `db_worker`: a scratch PostgreSQL database (es_soakmix_…, dropped at the end), a private
redis-server on a free port, `DEBUG=false`, daphne serving HTTPS with a throwaway CA. It is seeded
with `bench/scale_data.py`'s generated CRM (`--leads` leads, ten timeline rows each), the demo
chat knowledge base, staff passwords for the reps and the agents.

Then locust runs headless in a process of its own (`bench/locustfile.py`; users are spread over
both daphne processes as a load balancer would) for `--minutes`, with `--users` people at once:
`--agents` agents in the chat console, `--reps` reps paging the admin, and the rest website
visitors (7 in 10: the tracker, forms, ROI calculator) and chat visitors (3 in 10: 2–6 questions,
2–6 s of thought before each, sometimes asking for a person). Every ~10 s the resident memory
(RSS) of both daphne and both worker processes is sampled.

At the end the workers are left to drain the jobs the run queued, and the clients' record is
compared with the database:
- every lead submission answered 201 is a lead row (lost = answered 201, not stored);
- every chat message acknowledged (visitor's and agent's) is stored exactly once;
- the tracker's accepted events are all stored (they are written in the request, not queued);
- errors: every failed request (HTTP status not the one the endpoint answers on success,
  connection errors, websocket closes, timeouts, error frames), plus jobs that failed;
- memory is *flat* when the last sample of each process is at most 10 % + 16 MiB above its
  sample right after warm-up (20 % of the run, 15–120 s): a leak of a few KiB per request
  shows over minutes, while the allocator's normal growth to its working set does not count.

"met" = 0 errors, 0 lost, flat memory. Writes bench/results/soak_mixed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
import psutil  # noqa: E402
from common import RESULTS, ratio_row, write_result  # noqa: E402

from smoke.stack import BIN, Process, Stack, free_port, wait_until  # noqa: E402

MIB = 1024 * 1024
#: Memory is flat when end ≤ after-warm-up × FLAT_FACTOR + FLAT_SLACK.
FLAT_FACTOR = 1.10
FLAT_SLACK = 16 * MIB
SAMPLE_EVERY = 10.0

#: Production settings except what a soak on one machine needs:
#: - NUM_PROXIES=1: the clients send X-Forwarded-For as nginx would, so each simulated person has
#:   an address of their own and the per-IP limits apply per person, not to all of them at once;
#: - TASK_LEASE_SECONDS: the production minute (smoke/stack.py shortens it for its kill tests).
SOAK_ENV = {
    "NUM_PROXIES": "1",
    "TASK_LEASE_SECONDS": "60",
    "LOG_LEVEL": "WARNING",
}

SEED = """
import sys, time
sys.path.insert(0, "bench")
from scale_data import REPS, generate
from django.contrib.auth.models import Group, User
from chat.models import KnowledgeArticle
from demo.specs.chats import ARTICLES
from leads.selectors import SALES_MANAGER_GROUP
started = time.perf_counter()
written = generate(leads={leads}, events_per_lead=10)
print("SEEDED", written, round(time.perf_counter() - started), "s")
for spec in ARTICLES:
    KnowledgeArticle.objects.get_or_create(slug=spec.slug, defaults=dict(
        title=spec.title, questions="\\n".join(spec.questions), answer=spec.answer, keywords=spec.keywords))
managers = Group.objects.get(name=SALES_MANAGER_GROUP)
for n in range({agents}):
    agent, _ = User.objects.get_or_create(username=f"soak-agent-{{n}}", defaults=dict(is_staff=True))
    agent.groups.add(managers)
for user in User.objects.filter(username__in=[*[f"bench-rep-{{n:02d}}" for n in range({reps})],
                                             *[f"soak-agent-{{n}}" for n in range({agents})]]):
    user.set_password({password!r})
    user.save()
"""


class SoakStack(Stack):
    """smoke/stack.py's production shape with two daphne processes and two workers."""

    def __init__(self, work_dir: Path, *, leads: int, reps: int, agents: int) -> None:
        super().__init__(work_dir, extra_env=SOAK_ENV, db_prefix="es_soakmix")
        self.leads, self.reps, self.agents = leads, reps, agents
        self.password = secrets.token_urlsafe(16)
        self.port2 = free_port()
        argv = [arg.replace(f"ssl:port={self.port}:", f"ssl:port={self.port2}:") for arg in self.daphne.argv]
        self.daphne2 = Process("daphne2", argv, env=self.env, log_dir=self.log_dir)
        self.urls = [self.url, f"https://127.0.0.1:{self.port2}"]

    def _seed(self) -> None:
        super()._seed()
        code = SEED.format(leads=self.leads, reps=self.reps, agents=self.agents, password=self.password)
        print(self.manage("shell", "-c", code, timeout=3600).stdout.strip(), flush=True)

    def start(self) -> SoakStack:
        super().start()
        self.daphne2.start()
        context = self.ssl_context()
        wait_until(
            lambda: httpx.get(f"{self.urls[1]}/healthz", verify=context).status_code == 200,
            timeout=60,
            what="the second daphne to serve /healthz",
        )
        self.start_worker()
        wait_until(
            lambda: self.sql("SELECT count(*) FROM jobs_workerheartbeat")[0][0] >= len(self.workers),
            timeout=60,
            what="both workers to report a heartbeat",
        )
        return self

    def stop(self) -> None:
        self.daphne2.stop()
        super().stop()

    def processes(self) -> dict[str, Process]:
        return {
            "daphne 1": self.daphne,
            "daphne 2": self.daphne2,
            **{f"worker {n + 1}": w for n, w in enumerate(self.workers)},
        }


class MemorySampler(threading.Thread):
    """RSS of each process every SAMPLE_EVERY seconds until stopped."""

    def __init__(self, processes: dict[str, Process]) -> None:
        super().__init__(daemon=True)
        self.pids = {name: p.pid for name, p in processes.items()}
        self.samples: list[dict[str, Any]] = []
        self.started = time.monotonic()
        self.halt = threading.Event()

    def sample(self) -> None:
        row: dict[str, Any] = {"t": round(time.monotonic() - self.started, 1)}
        for name, pid in self.pids.items():
            try:
                row[name] = psutil.Process(pid).memory_info().rss
            except psutil.Error:
                row[name] = None  # gone: reported as a dead process below
        self.samples.append(row)

    def run(self) -> None:
        self.sample()
        while not self.halt.wait(SAMPLE_EVERY):
            self.sample()

    def stop(self) -> None:
        self.halt.set()
        self.join()
        self.sample()

    def verdicts(self, warmup: float) -> dict[str, dict[str, Any]]:
        out = {}
        for name in self.pids:
            series = [(s["t"], s[name]) for s in self.samples if s.get(name) is not None]
            if not series or len(series) < len(self.samples):
                out[name] = {"flat": False, "note": "process died during the run"}
                continue
            warm = next((rss for t, rss in series if t >= warmup), series[-1][1])
            start, end, peak = series[0][1], series[-1][1], max(rss for _, rss in series)
            limit = warm * FLAT_FACTOR + FLAT_SLACK
            out[name] = {
                "start_mib": round(start / MIB, 1),
                "warm_mib": round(warm / MIB, 1),
                "end_mib": round(end / MIB, 1),
                "max_mib": round(peak / MIB, 1),
                "limit_mib": round(limit / MIB, 1),
                "growth_pct": round((end - warm) / warm * 100, 1),
                "flat": end <= limit,
            }
        return out


def run_locust(stack: SoakStack, *, minutes: float, users: int, reps: int, agents: int, out: Path) -> int:
    """locust headless in a process of its own (its CPU is not the orchestrator's); its record
    goes to `out`. Returns locust's exit code (1 when any request failed)."""
    env = {
        **os.environ,
        "SOAK_HOSTS": ",".join(stack.urls),
        "SOAK_SITE_KEY": stack.site_key,
        "SOAK_ORIGIN": stack.origin,
        "SOAK_CA": str(stack.ca_file),
        "SOAK_PASSWORD": stack.password,
        "SOAK_REPS": ",".join(f"bench-rep-{n:02d}" for n in range(reps)),
        "SOAK_AGENTS": ",".join(f"soak-agent-{n}" for n in range(agents)),
        "SOAK_REP_USERS": str(reps),
        "SOAK_AGENT_USERS": str(agents),
        "SOAK_MAX_PAGE": str(max(1, int(stack.leads * 0.3 / 50))),  # 50 leads a page
        "SOAK_OUT": str(out),
        "SOAK_RUN": secrets.token_hex(4),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        "5",
        "--run-time",
        f"{int(minutes * 60)}s",
        "--stop-timeout",
        "15",
        "--host",
        stack.urls[0],
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log = (stack.log_dir / "locust.log").open("w")
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    log.close()
    return result.returncode


def drain_jobs(stack: SoakStack, timeout: float = 180) -> dict[str, int]:
    """Wait until the workers have no job ready or running; the job counts by status."""

    def idle() -> bool:
        rows = stack.sql(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
        )
        return rows[0][0] == 0

    try:
        wait_until(idle, timeout=timeout, what="the workers to drain the queued jobs", interval=1)
    except TimeoutError as exc:
        print(f"soak: {exc}", file=sys.stderr)
    rows = stack.sql("SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
    return dict(rows)


def count_stored(stack: SoakStack, record: dict[str, Any]) -> dict[str, Any]:
    """The client's record against the database."""
    emails = record["leads_created"]
    found = {row[0] for row in stack.sql("SELECT email FROM leads_lead WHERE email = ANY(%s)", [emails])}
    lost_leads = sorted(set(emails) - found)

    acked = {tuple(pair) for pair in record["chat_acked"]}
    stored = {
        (conversation, client_id): count
        for conversation, client_id, count in stack.sql(
            "SELECT conversation_id::text, client_message_id, count(*) FROM chat_message "
            "WHERE client_message_id LIKE 'soak-%%' GROUP BY 1, 2"
        )
    }
    lost_chat = sorted(key for key in acked if key not in stored)
    duplicated_chat = sorted(key for key in acked if stored.get(key, 0) > 1)

    run_tag = None
    events_stored = 0
    rows = stack.sql("SELECT data->>'soak', count(*) FROM analytics_event WHERE data ? 'soak' GROUP BY 1")
    for tag, count in rows:
        run_tag, events_stored = tag, events_stored + count
    return {
        "leads_answered_201": len(emails),
        "leads_stored": len(found),
        "leads_lost": len(lost_leads),
        "lost_lead_emails": lost_leads[:20],
        "chat_messages_acked": len(acked),
        "chat_messages_stored_once": sum(1 for key in acked if stored.get(key) == 1),
        "chat_lost": len(lost_chat),
        "chat_duplicated": len(duplicated_chat),
        "lost_chat_examples": [list(k) for k in lost_chat[:20]],
        "events_accepted": record["events_accepted"],
        "events_stored": events_stored,
        "events_lost": max(0, record["events_accepted"] - events_stored),
        "events_run_tag": run_tag,
    }


def server_tracebacks(stack: SoakStack) -> dict[str, int]:
    return {name: len(re.findall(r"^Traceback", p.log(), re.M)) for name, p in stack.processes().items()}


def markdown(payload: dict[str, Any]) -> str:
    a, c = payload["args"], payload["counts"]
    lines = [
        f"# Mixed-load soak — {payload['when']}",
        "",
        f"{a['minutes']:g} min, {a['users']} users at once ({a['agents']} agents, {a['reps']} reps, the rest "
        f"website visitors 7:3 chat visitors), {payload['leads_seeded']:,} leads; two daphne + two db_worker "
        f"on PostgreSQL + private Redis, DEBUG=false, HTTPS; {os.cpu_count()} CPUs shared with other work.",
        "",
        "| endpoint | requests | failures | p50 ms | p99 ms | max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in payload["stats"]:
        lines.append(
            f"| {s['name']} | {s['requests']} | {s['failures']} | {s['p50_ms']} | {s['p99_ms']} "
            f"| {s['max_ms']} | {s['rps']} |"
        )
    lines += [
        "",
        "| counted at the end | value |",
        "|---|---:|",
        f"| errors (failed requests, socket failures, error frames) | {payload['errors']} |",
        f"| leads answered 201 / stored / lost | {c['leads_answered_201']} / {c['leads_stored']} / {c['leads_lost']} |",
        f"| chat messages acked / stored once / lost / duplicated | {c['chat_messages_acked']} / "
        f"{c['chat_messages_stored_once']} / {c['chat_lost']} / {c['chat_duplicated']} |",
        f"| tracker events accepted / stored / lost | {c['events_accepted']} / {c['events_stored']} / {c['events_lost']} |",
        f"| ROI calculations answered 201 | {payload['record']['roi_created']} |",
        f"| conversations / escalations / agent answers seen / left before an agent | "
        f"{payload['record']['conversations']} / {payload['record']['escalations']} / "
        f"{payload['record']['agent_replies_seen']} / {payload['record']['agent_not_seen']} |",
        f"| claims won / lost to another agent | {payload['record']['claims']} / {payload['record']['claims_lost']} |",
        f"| chats an agent closed while the visitor stayed / a message crossed the close | "
        f"{payload['record'].get('ended_by_agent', 0)} / {payload['record'].get('sent_after_close', 0)} |",
        f"| jobs by status after the drain | {payload['jobs']} |",
        f"| tracebacks in the server logs | {payload['tracebacks']} |",
        "",
        f"Memory (RSS, MiB; sampled every {SAMPLE_EVERY:g} s; warm-up {payload['warmup_s']:g} s; flat = end ≤ "
        f"after-warm-up × {FLAT_FACTOR} + {FLAT_SLACK // MIB} MiB):",
        "",
        "| process | start | after warm-up | end | max | growth after warm-up | flat |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, m in payload["memory"].items():
        if "end_mib" not in m:
            lines.append(f"| {name} | — | — | — | — | — | NO ({m['note']}) |")
            continue
        lines.append(
            f"| {name} | {m['start_mib']} | {m['warm_mib']} | {m['end_mib']} | {m['max_mib']} "
            f"| {m['growth_pct']} % | {'yes' if m['flat'] else 'NO'} |"
        )
    lines += [
        "",
        "Agents type like people (8–15 s per reply, at most 12 messages a minute), so "
        '"escalated → agent answer" is mostly their simulated typing and the queue, not the server.',
    ]
    if payload["failures"]:
        lines += ["", "Failures:", ""] + [
            f"- {f['occurrences']}× {f['name']}: {f['error']}" for f in payload["failures"]
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=80, help="people at once, agents and reps included")
    parser.add_argument("--reps", type=int, default=6)
    parser.add_argument("--agents", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="soak-mixed-"))
    stack = SoakStack(work, leads=args.leads, reps=args.reps, agents=args.agents)
    print(f"soak: starting the stack in {work} (database {stack.db_name}, {args.leads:,} leads)", flush=True)
    started = time.monotonic()
    try:
        stack.start()
        print(f"soak: stack up in {time.monotonic() - started:.0f} s at {', '.join(stack.urls)}", flush=True)
        sampler = MemorySampler(stack.processes())
        sampler.start()
        out = work / "locust-record.json"
        print(f"soak: locust, {args.users} users for {args.minutes:g} min", flush=True)
        run_locust(stack, minutes=args.minutes, users=args.users, reps=args.reps, agents=args.agents, out=out)
        sampler.stop()
        if not out.exists():
            raise SystemExit(f"locust wrote no record; see {stack.log_dir / 'locust.log'}")
        record = json.loads(out.read_text())
        jobs = drain_jobs(stack)
        counts = count_stored(stack, record)
        tracebacks = server_tracebacks(stack)
    finally:
        stack.stop()
    duration = args.minutes * 60
    warmup = min(120.0, max(15.0, duration * 0.2))
    memory = sampler.verdicts(warmup)
    request_failures = sum(f["occurrences"] for f in record["failures"])
    errors = request_failures + jobs.get("FAILED", 0) + jobs.get("READY", 0) + jobs.get("RUNNING", 0)
    lost = counts["leads_lost"] + counts["chat_lost"] + counts["chat_duplicated"] + counts["events_lost"]
    flat = all(m["flat"] for m in memory.values())
    stats = sorted(record["stats"], key=lambda s: (s["name"] == "all requests and frames", s["name"]))
    label = f"soak mixed ({args.users} users, {args.minutes:g} min, {args.leads:,} leads, PostgreSQL)"
    worst = max(memory.items(), key=lambda item: item[1].get("growth_pct", float("inf")))
    p99 = "; ".join(f"{s['name']} {s['p99_ms']}" for s in stats if s["requests"])
    rows = [
        ratio_row(
            benchmark=label,
            measure="errors",
            ours=errors,
            reference=0,
            target="0",
            met=errors == 0,
            detail=f"{stats[-1]['requests']} requests and websocket exchanges; p99 ms: {p99}",
        ),
        ratio_row(
            benchmark=label,
            measure="lost (leads + chat + events)",
            ours=lost,
            reference=0,
            target="0",
            met=lost == 0,
            detail=(
                f"leads {counts['leads_stored']}/{counts['leads_answered_201']}, chat stored once "
                f"{counts['chat_messages_stored_once']}/{counts['chat_messages_acked']}, events "
                f"{counts['events_stored']}/{counts['events_accepted']}"
            ),
        ),
        ratio_row(
            benchmark=label,
            measure="memory growth after warm-up, worst process (%)",
            ours=worst[1].get("growth_pct", float("nan")),
            reference=FLAT_FACTOR * 100 - 100,
            target=f"flat: end ≤ warm × {FLAT_FACTOR} + {FLAT_SLACK // MIB} MiB",
            met=flat,
            detail="; ".join(f"{n} {m.get('warm_mib')}→{m.get('end_mib')} MiB" for n, m in memory.items()),
        ),
    ]
    rows[-1]["ratio"] = None
    payload = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "args": vars(args),
        "leads_seeded": args.leads,
        "warmup_s": warmup,
        "errors": errors,
        "lost": lost,
        "flat": flat,
        "met": errors == 0 and lost == 0 and flat,
        "stats": stats,
        "failures": record["failures"],
        "counts": counts,
        "jobs": jobs,
        "tracebacks": tracebacks,
        "memory": memory,
        "memory_samples": sampler.samples,
        "record": {
            k: v for k, v in record.items() if k not in ("leads_created", "chat_acked", "stats", "failures")
        },
        "rows": rows,
    }
    write_result("soak_mixed", payload)
    text = markdown(payload)
    (RESULTS / "soak_mixed.md").write_text(text)
    print(text)
    print(f"logs: {stack.log_dir}")


if __name__ == "__main__":
    main()
