"""Chat latency with N concurrent website visitors, against an echo consumer (not a test).

    .venv/bin/python bench/chat_latency.py                                 # 50, 200, 500 visitors
    .venv/bin/python bench/chat_latency.py --visitors 5 20 50 --messages 3 # reduced scale
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/chat_latency.py   # channels_redis layer
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench ...                 # on PostgreSQL
    REDIS_URL=... .venv/bin/python bench/chat_latency.py --servers 2             # two daphne processes

The server is a real daphne process serving bench/chat_asgi.py (the project's ASGI application
plus an echo consumer at ws/echo/); the visitors are real websocket clients (the `websockets`
package) in this process, so they do not take the server's event loop and every frame crosses
a TCP socket as in production. `--servers 2` (Redis layer only) starts two daphne processes and
spreads the visitors over them, as a load balancer in front of several daphne processes would
(the deploy guide's way to scale out).

The load model is people, not a flood: each visitor connects and says hello, then sends
`--messages` messages with a think time drawn uniformly from `--think MIN MAX` seconds (default
2–6 s) before each one (the first one from 0–MAX, to spread the starts). The offered load is
therefore about N / mean think time messages/s, printed in the table. For each message two
times are recorded:

- ack: until the visitor's own message comes back stored, with its sequence number and
  client_id (what the widget waits for before it shows the message as sent);
- bot: until the bot's reply arrives (an answer from the demo knowledge base, "I don't know",
  or the first question of collecting a buying intent).

The echo consumer gets the identical load through the identical path (daphne, channel layer
group send, the same client) and its round trip is the reference. A saturation pair of rows
(`--saturation-visitors` visitors sending back-to-back, each waiting only for its answer)
gives the maximum messages/s, for information: its latencies only measure queueing.

Issue 18's targets are computed here, from the rows of this run, and written with them as
`target_rows` (bench/run.py puts them in the summary): the saturation rate against the echo
consumer's (>= 0.4x) and, when 500 visitors were measured, ack p99 < 50 ms and bot answer p99
< 100 ms at 500 sockets.

Against a scratch SQLite database unless DATABASE_URL is set. Prints a table and writes
bench/results/chat_latency_{memory,redis}[_postgresql].{json,md}.

To see where a chat message's time goes, record the daphne process during a saturation run
(py-spy is a dev tool, not in requirements.txt: `.venv/bin/pip install py-spy`):

    .venv/bin/python bench/chat_latency.py --visitors 2 --messages 1 --saturation-messages 150 &
    .venv/bin/py-spy record -o profile.svg -d 12 --nonblocking --pid $(pgrep -n -f bench.chat_asgi)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, ROOT, configure, percentile

configure(scratch_prefix="chat-bench-")
os.environ["CHAT_MESSAGES_PER_MINUTE"] = "1000000"  # measure the path, not the rate limit

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from analytics.services import website_create  # noqa: E402
from chat.models import KnowledgeArticle  # noqa: E402
from demo.specs.chats import ARTICLES  # noqa: E402

ORIGIN = "https://bench.example"
#: A mix as visitors ask: questions the knowledge base answers, one it cannot, a buying intent.
QUESTIONS = [
    "How much does it cost?",
    "Do you integrate with Azure Sentinel?",
    "Will running your scanner against our production site slow it down or break anything?",
    "Can our data stay in Europe?",
    "Are you ISO 27001 certified?",
]
#: Sockets opened at once while connecting (connecting is not measured).
CONNECT_CONCURRENCY = 25
TIMEOUT = 60
#: Why visitors failed (a closed socket, a timeout), for the end of the run.
failures: list[str] = []
#: Issue 18, target 1: one process's saturation rate against the echo consumer's, and the latency
#: at 500 sockets thinking 2–6 s.
SATURATION_TARGET = 0.4
ACK_P99_TARGET_MS = 50
BOT_P99_TARGET_MS = 100


@dataclass
class Sample:
    """What one run of N visitors measured (seconds)."""

    acks: list[float] = field(default_factory=list)
    bots: list[float] = field(default_factory=list)
    errors: int = 0
    first_send: float = float("inf")
    last_answer: float = 0.0


async def receive(ws: ClientConnection) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))


async def visitor(
    uri: str,
    *,
    kind: str,
    messages: int,
    think: tuple[float, float],
    sample: Sample,
    gate: asyncio.Semaphore,
    ready: list[int],
    go: asyncio.Event,
) -> None:
    """One visitor: connect (and for the chat, start a conversation), wait for everyone, then
    think, send, wait for the ack (and the bot's answer), `messages` times."""
    async with gate:
        ws = await connect(
            uri, origin=ORIGIN, open_timeout=TIMEOUT, ping_interval=None, compression=None, proxy=None
        )
        if kind == "chat":
            await ws.send(json.dumps({"type": "hello"}))
            while (await receive(ws)).get("sender") != "bot":  # the welcome, then the greeting
                pass
    ready.append(1)
    await go.wait()
    low, high = think
    try:
        for n in range(messages):
            pause = random.uniform(0, high) if n == 0 else random.uniform(low, high)
            if pause:
                await asyncio.sleep(pause)
            client_id = f"m{n}"
            frame = {"type": "message", "body": QUESTIONS[n % len(QUESTIONS)], "client_id": client_id}
            started = time.perf_counter()
            sample.first_send = min(sample.first_send, started)
            await ws.send(json.dumps(frame))
            acked = kind == "echo"
            while True:
                reply = await receive(ws)
                now = time.perf_counter()
                if reply.get("type") == "error":
                    sample.errors += 1
                    break
                if reply.get("client_id") == client_id and (kind == "echo" or "seq" in reply):
                    sample.acks.append(now - started)
                    if kind == "echo":
                        break
                    acked = True
                elif acked and reply.get("sender") == "bot":
                    sample.bots.append(now - started)
                    break
            sample.last_answer = max(sample.last_answer, time.perf_counter())
    finally:
        await ws.close()


async def run(
    bases: list[str], *, kind: str, visitors: int, messages: int, think: tuple[float, float], key: str
) -> dict:
    path = "/ws/echo/" if kind == "echo" else f"/ws/chat/?key={key}"
    sample = Sample()
    gate, ready, go = asyncio.Semaphore(CONNECT_CONCURRENCY), [], asyncio.Event()
    tasks = [
        asyncio.create_task(
            visitor(
                bases[n % len(bases)] + path,
                kind=kind,
                messages=messages,
                think=think,
                sample=sample,
                gate=gate,
                ready=ready,
                go=go,
            )
        )
        for n in range(visitors)
    ]
    while len(ready) < visitors:
        if any(task.done() for task in tasks):  # a failed connection: raise its error
            for task in tasks:
                if task.done() and task.exception():
                    raise task.exception()
        await asyncio.sleep(0.05)
    go.set()
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, BaseException):  # a socket the server closed: counted, not fatal
            sample.errors += 1
            failures.append(repr(outcome))
    elapsed = sample.last_answer - sample.first_send
    mean_think = sum(think) / 2
    row = {
        "consumer": kind,
        "visitors": visitors,
        "think_s": f"{think[0]:g}–{think[1]:g}" if mean_think else "0",
        "offered_per_s": round(visitors / mean_think, 1) if mean_think else None,
        "messages": len(sample.acks),
        "errors": sample.errors,
        "p50_ms": round(statistics.median(sample.acks) * 1000, 2) if sample.acks else None,
        "p99_ms": round(percentile(sample.acks, 99) * 1000, 2) if sample.acks else None,
        "messages_per_s": round(len(sample.acks) / elapsed, 1) if elapsed > 0 else None,
    }
    if sample.bots:
        row["bot_p50_ms"] = round(statistics.median(sample.bots) * 1000, 2)
        row["bot_p99_ms"] = round(percentile(sample.bots, 99) * 1000, 2)
    return row


def setup_database() -> str:
    """The demo's knowledge base (and, through the migrations, the default synonyms): the bot
    ranks the same passages as in production."""
    call_command("migrate", verbosity=0, interactive=False)
    for spec in ARTICLES:
        KnowledgeArticle.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "questions": "\n".join(spec.questions),
                "answer": spec.answer,
                "keywords": spec.keywords,
            },
        )
    return website_create(name="Bench", allowed_origins=[ORIGIN]).publishable_key


def target_rows(rows: list[dict], *, layer: str, database: str, servers: int) -> list[dict]:
    """bench/run.py's summary rows for issue 18's chat targets, "met" computed from this run."""
    where = f"{layer}, {database}, {servers} daphne"
    by_key = {(r["consumer"], r["visitors"], r["offered_per_s"] is None): r for r in rows}
    result = []
    saturated = [r for r in rows if r["offered_per_s"] is None]
    chat = next((r for r in saturated if r["consumer"] == "chat"), None)
    echo = next((r for r in saturated if r["consumer"] == "echo"), None)
    if chat and echo and chat["messages_per_s"] and echo["messages_per_s"]:
        ratio = chat["messages_per_s"] / echo["messages_per_s"]
        result.append(
            {
                "benchmark": f"chat saturation vs echo ({where})",
                "measure": f"msg/s, {chat['visitors']} visitors without think time",
                "ours": chat["messages_per_s"],
                "reference": echo["messages_per_s"],
                "ratio": round(ratio, 3),
                "target": f">= {SATURATION_TARGET}x echo",
                # a reference with failed visitors measured nothing: not met
                "met": ratio >= SATURATION_TARGET and not chat["errors"] and not echo["errors"],
                "detail": (
                    f"ack p50 {chat['p50_ms']} ms, bot p50 {chat.get('bot_p50_ms')} ms (queueing); "
                    f"errors {chat['errors']} (echo {echo['errors']})"
                ),
            }
        )
    paced_chat, paced_echo = by_key.get(("chat", 500, False)), by_key.get(("echo", 500, False))
    if paced_chat and paced_echo and paced_chat["p99_ms"] is not None:
        bot_p99 = paced_chat.get("bot_p99_ms")
        result.append(
            {
                "benchmark": f"chat 500 sockets ({where})",
                "measure": "ack p99 ms vs echo",
                "ours": paced_chat["p99_ms"],
                "reference": paced_echo["p99_ms"],
                "ratio": round(paced_chat["p99_ms"] / paced_echo["p99_ms"], 2)
                if paced_echo["p99_ms"]
                else None,
                "target": f"ack p99 < {ACK_P99_TARGET_MS} ms, bot p99 < {BOT_P99_TARGET_MS} ms",
                "met": paced_chat["p99_ms"] < ACK_P99_TARGET_MS
                and bot_p99 is not None
                and bot_p99 < BOT_P99_TARGET_MS
                and not paced_chat["errors"],
                "detail": (
                    f"bot answer p99 {bot_p99} ms; offered {paced_chat['offered_per_s']} msg/s "
                    f"(think {paced_chat['think_s']} s), {paced_chat['messages_per_s']} vs "
                    f"{paced_echo['messages_per_s']} msg/s; errors {paced_chat['errors']}"
                ),
            }
        )
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    """daphne serving bench/chat_asgi.py with this process's settings (database, channel layer)."""
    command = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "bench.chat_asgi:application",
    ]
    server = subprocess.Popen(  # noqa: S603 - our own server on loopback
        command, cwd=ROOT, env=dict(os.environ), stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"daphne exited ({server.returncode}); see {log}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"daphne did not start listening; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--messages", type=int, default=10, help="messages per visitor")
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 6.0], metavar=("MIN", "MAX"))
    parser.add_argument("--saturation-visitors", type=int, default=20)
    # 40 each (800 messages): at ~1,000 echo messages/s, 400 lasted under half a second.
    parser.add_argument("--saturation-messages", type=int, default=40)
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="daphne processes, visitors spread over them as a load balancer would (Redis layer only)",
    )
    args = parser.parse_args()

    key = setup_database()
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if args.servers > 1 and "Redis" not in layer:
        raise SystemExit("--servers above 1 needs the Redis channel layer (set REDIS_URL)")
    logs = Path(tempfile.mkdtemp(prefix="chat-bench-daphne-"))
    ports = [free_port() for _ in range(args.servers)]
    servers = [start_server(port, logs / f"daphne-{port}.log") for port in ports]
    bases = [f"ws://127.0.0.1:{port}" for port in ports]
    log = logs
    think = (args.think[0], args.think[1])

    async def all_rows() -> list[dict]:
        # Warm-up, not recorded: first imports, first queries, the database's first pages.
        for kind in ("echo", "chat"):
            await run(bases, kind=kind, visitors=2 * len(bases), messages=3, think=(0, 0), key=key)
        rows = []
        for visitors in args.visitors:
            for kind in ("echo", "chat"):
                rows.append(
                    await run(
                        bases, kind=kind, visitors=visitors, messages=args.messages, think=think, key=key
                    )
                )
                print(f"  {kind:<4} {visitors:>4} visitors done", file=sys.stderr, flush=True)
        for kind in ("echo", "chat"):
            rows.append(
                await run(
                    bases,
                    kind=kind,
                    visitors=args.saturation_visitors,
                    messages=args.saturation_messages,
                    think=(0, 0),
                    key=key,
                )
            )
            print(f"  {kind:<4} saturation done", file=sys.stderr, flush=True)
        return rows

    try:
        rows = asyncio.run(all_rows())
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    if failures:
        print(f"{len(failures)} visitors failed, e.g. {failures[0]}; daphne's log: {log}", file=sys.stderr)

    lines = [
        f"Chat latency — {layer}, {database}, {args.servers} daphne process(es) + websocket clients in "
        "another process, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
        "",
        "| consumer | visitors | think s | offered msg/s | messages | errors | ack p50 ms | ack p99 ms "
        "| msg/s | bot answer p50 ms | bot answer p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['consumer']} | {row['visitors']} | {row['think_s']} | {row['offered_per_s'] or 'max'} "
            f"| {row['messages']} | {row['errors']} | {row['p50_ms']} | {row['p99_ms']} | {row['messages_per_s']} "
            f"| {row.get('bot_p50_ms', '—')} | {row.get('bot_p99_ms', '—')} |"
        )
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    suffix = ("redis" if "Redis" in layer else "memory") + ("_postgresql" if database == "postgresql" else "")
    targets = target_rows(rows, layer=layer, database=database, servers=args.servers)
    for target in targets:
        met = "met" if target["met"] else "NOT met"
        print(
            f"{target['benchmark']}: {target['measure']} {target['ours']} vs {target['reference']} "
            f"(ratio {target['ratio']}), target {target['target']}: {met}"
        )
    (RESULTS / f"chat_latency_{suffix}.md").write_text(table + "\n")
    meta = {
        "layer": layer,
        "database": database,
        "cpus": os.cpu_count(),
        "think_s": list(think),
        "servers": args.servers,
        "rows": rows,
        "target_rows": targets,
    }
    (RESULTS / f"chat_latency_{suffix}.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
