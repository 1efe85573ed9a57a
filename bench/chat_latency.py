"""Chat round-trip latency and throughput with N concurrent visitors (not a test).

    .venv/bin/python bench/chat_latency.py                       # 1, 10 and 50 visitors, 20 messages each
    .venv/bin/python bench/chat_latency.py --visitors 1 25 100 --messages 50
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/chat_latency.py   # channels_redis layer

Each visitor opens ws/chat/ on the real ASGI application (origin guard, consumer, services,
database, channel layer) and sends messages one after another. For each message it records the
time until its own stored message comes back with a sequence number (the round trip a visitor
waits for) and, separately, until the bot's answer arrives; then it sends the next. Messages/s counts the
visitors' messages over the messaging phase (from the first visitor's first message to the last
one's last answer; connecting is not included). The same run
measures a trivial echo consumer on the same channel-layer and ASGI stack, which shows what the
chat's own work (validation, transaction, sequence lock, broadcast, retrieval) costs on top.

Clients run in this process (channels' WebsocketCommunicator: no network between them and the
server), against a scratch SQLite database unless DATABASE_URL is set. Prints a table and writes
bench/results/chat_latency.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TASK_BACKEND", "immediate")
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ["CHAT_MESSAGES_PER_MINUTE"] = "1000000"  # measure the path, not the rate limit
SCRATCH = Path(tempfile.mkdtemp(prefix="chat-bench-")) / "bench.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}")

import django  # noqa: E402

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import URLRouter  # noqa: E402
from channels.testing import WebsocketCommunicator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import path  # noqa: E402

from analytics.services import website_create  # noqa: E402
from chat.models import KnowledgeArticle  # noqa: E402
from enterprise_scanner.asgi import application  # noqa: E402

ORIGIN = "https://bench.example"
QUESTIONS = [
    "How much does it cost?",
    "Do you integrate with Azure Sentinel?",
    "What does an assessment cover?",
]


class EchoConsumer(AsyncWebsocketConsumer):
    """The baseline: echo each frame back through a channel-layer group, like the chat's broadcast."""

    async def connect(self) -> None:
        self.group = f"echo.{self.channel_name.replace('!', '-')}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send(self.group, {"type": "echo.message", "text": text_data})

    async def echo_message(self, event: dict) -> None:
        await self.send(text_data=event["text"])


echo_application = URLRouter([path("ws/echo/", EchoConsumer.as_asgi())])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


async def echo_visitor(messages: int, rtts: list[float], phase: list[float]) -> None:
    socket = WebsocketCommunicator(echo_application, "/ws/echo/")
    connected, _ = await socket.connect(timeout=30)
    assert connected
    phase.append(time.perf_counter())
    for n in range(messages):
        started = time.perf_counter()
        await socket.send_to(text_data=json.dumps({"type": "message", "body": "ping", "client_id": f"e{n}"}))
        await socket.receive_from(timeout=30)
        rtts.append(time.perf_counter() - started)
    phase.append(time.perf_counter())
    await socket.disconnect()


async def chat_visitor(
    key: str, messages: int, rtts: list[float], bot: list[float], phase: list[float]
) -> None:
    headers = [(b"origin", ORIGIN.encode()), (b"host", b"bench.example")]
    socket = WebsocketCommunicator(application, f"/ws/chat/?key={key}", headers=headers)
    connected, _ = await socket.connect(timeout=30)
    assert connected
    await socket.send_json_to({"type": "hello"})
    await socket.receive_json_from(timeout=30)  # welcome
    await socket.receive_json_from(timeout=30)  # greeting
    phase.append(time.perf_counter())
    for n in range(messages):
        client_id = f"m{n}"
        started = time.perf_counter()
        await socket.send_json_to(
            {"type": "message", "body": QUESTIONS[n % len(QUESTIONS)], "client_id": client_id}
        )
        while (await socket.receive_json_from(timeout=30)).get("client_id") != client_id:
            pass
        rtts.append(time.perf_counter() - started)
        while (await socket.receive_json_from(timeout=30)).get("sender") != "bot":
            pass
        bot.append(time.perf_counter() - started)
    phase.append(time.perf_counter())
    await socket.disconnect()


async def run(kind: str, visitors: int, messages: int, key: str) -> dict:
    rtts: list[float] = []
    bot: list[float] = []
    phase: list[float] = []  # when each visitor started and finished messaging (after connecting)
    if kind == "echo":
        await asyncio.gather(*(echo_visitor(messages, rtts, phase) for _ in range(visitors)))
    else:
        await asyncio.gather(*(chat_visitor(key, messages, rtts, bot, phase) for _ in range(visitors)))
    elapsed = max(phase) - min(phase)
    row = {
        "consumer": kind,
        "visitors": visitors,
        "messages": len(rtts),
        "p50_ms": round(statistics.median(rtts) * 1000, 2),
        "p99_ms": round(percentile(rtts, 99) * 1000, 2),
        "messages_per_s": round(len(rtts) / elapsed, 1),
    }
    if bot:
        row["bot_p50_ms"] = round(statistics.median(bot) * 1000, 2)
        row["bot_p99_ms"] = round(percentile(bot, 99) * 1000, 2)
    return row


def setup_database() -> str:
    call_command("migrate", verbosity=0, interactive=False)
    for slug, title, questions, answer, keywords in (
        ("pricing", "Pricing", "How much does it cost?", "From $25,000 a year.", "price, cost"),
        (
            "sentinel",
            "Microsoft Sentinel",
            "Do you integrate with Azure Sentinel?",
            "Yes, via a connector.",
            "siem",
        ),
        ("scope", "Assessment scope", "What does an assessment cover?", "External attack surface.", "scope"),
    ):
        KnowledgeArticle.objects.get_or_create(
            slug=slug,
            defaults={"title": title, "questions": questions, "answer": answer, "keywords": keywords},
        )
    return website_create(name="Bench", allowed_origins=[ORIGIN]).publishable_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--messages", type=int, default=20, help="messages per visitor")
    args = parser.parse_args()

    key = setup_database()
    layer = type(get_channel_layer()).__name__
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]

    async def all_rows() -> list[dict]:
        # One event loop for the whole run: channels_redis binds its connections to a loop.
        # Warm-up, not recorded: first imports, first queries, SQLite's first pages.
        await run("echo", 1, 5, key)
        await run("chat", 1, 5, key)
        rows = []
        for visitors in args.visitors:
            for kind in ("echo", "chat"):
                rows.append(await run(kind, visitors, args.messages, key))
                print(f"  {kind:<4} {visitors:>4} visitors done", file=sys.stderr)
        return rows

    rows = asyncio.run(all_rows())

    header = "| consumer | visitors | messages | p50 ms | p99 ms | messages/s | bot answer p50 ms | bot answer p99 ms |"
    lines = [
        f"Chat latency — {layer}, {database}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
        "",
        header,
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['consumer']} | {row['visitors']} | {row['messages']} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {row['messages_per_s']} | {row.get('bot_p50_ms', '—')} | {row.get('bot_p99_ms', '—')} |"
        )
    table = "\n".join(lines)
    print(table)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    suffix = "redis" if "Redis" in layer else "memory"
    (results / f"chat_latency_{suffix}.md").write_text(table + "\n")
    meta = {"layer": layer, "database": database, "cpus": os.cpu_count(), "rows": rows}
    (results / f"chat_latency_{suffix}.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
