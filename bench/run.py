"""`make bench`: run every benchmark, print one table of ratios, write bench/results/summary.{json,md}.

    .venv/bin/python bench/run.py                 # reduced scale (minutes, on a scratch SQLite)
    .venv/bin/python bench/run.py --scale 1       # the issue's full sizes (long)
    BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/es_bench BENCH_REDIS=redis://127.0.0.1:6379/13 \
        .venv/bin/python bench/run.py            # also on PostgreSQL and the Redis channel layer

Each benchmark runs in its own process (its own scratch database and settings) and measures our
code and a reference in the same run, so the ratio stays meaningful on a shared machine where
absolute numbers drift. Only loopback addresses are ever used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable


def sh(script: str, *args: str, env: dict[str, str] | None = None) -> None:
    command = [PYTHON, str(ROOT / "bench" / script), *args]
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env={**os.environ, **(env or {})}, check=True)  # noqa: S603 - our own scripts
    print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


def chat_rows(path: Path) -> list[dict]:
    """bench/chat_latency.py's rows as ratios: the chat's ack p99 against the echo consumer's
    under the same offered load, per visitor count below 500; then the script's own rows for
    issue 18's targets (the saturation rate against echo's, and 500 sockets' ack and bot p99)."""
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    paced = [r for r in data["rows"] if r.get("offered_per_s")]
    by_key = {(r["consumer"], r["visitors"]): r for r in paced}
    rows = []
    for (consumer, visitors), chat in sorted(by_key.items(), key=lambda item: item[0][1]):
        echo = by_key.get(("echo", visitors))
        if consumer != "chat" or echo is None or chat["p99_ms"] is None or visitors == 500:
            continue
        rows.append(
            {
                "benchmark": f"chat {visitors} visitors ({data['layer']}, {data['database']})",
                "measure": "ack p99 ms vs echo",
                "ours": chat["p99_ms"],
                "reference": echo["p99_ms"],
                "ratio": round(chat["p99_ms"] / echo["p99_ms"], 2) if echo["p99_ms"] else None,
                "target": "p99 < 50 ms at 500",
                "met": chat["p99_ms"] < 50 and not chat["errors"],
                "detail": (
                    f"offered {chat['offered_per_s']} msg/s (think {chat['think_s']} s); "
                    f"{chat['messages_per_s']} vs {echo['messages_per_s']} msg/s; "
                    f"bot answer p99 {chat.get('bot_p99_ms')} ms; errors {chat['errors']}"
                ),
            }
        )
    return rows + data.get("target_rows", [])


def table(rows: list[dict]) -> str:
    lines = [
        "| benchmark | measure | ours | reference | ratio | target | met | detail |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        met = {True: "yes", False: "NO", None: "—"}[r.get("met")]
        lines.append(
            f"| {r['benchmark']} | {r['measure']} | {r['ours']} | {r['reference']} | {r['ratio']} "
            f"| {r['target']} | {met} | {r.get('detail', '')} |"
        )
    return "\n".join(lines)


GROUPS = ("intake", "admin", "import", "chat", "assessment", "webhooks", "soak")


def group_of(row: dict) -> str:
    """The `--only` group a summary row belongs to, from its benchmark's first word."""
    first = row["benchmark"].split()[0].lower()
    return "webhooks" if first.startswith("webhook") else first


def merged_rows(rows: list[dict], wanted: set[str]) -> list[dict]:
    """This run's rows in place of the last summary's rows of the same groups, in GROUPS order."""
    path = RESULTS / "summary.json"
    kept = []
    if path.exists():
        kept = [row for row in json.loads(path.read_text())["rows"] if group_of(row) not in wanted]
    order = {name: n for n, name in enumerate(GROUPS)}
    return sorted(kept + rows, key=lambda row: order.get(group_of(row), len(order)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "0.01")))
    parser.add_argument(
        "--only",
        nargs="*",
        choices=GROUPS,
        help="run these; the summary keeps the other rows of the last run",
    )
    args = parser.parse_args()
    scale = args.scale
    wanted = set(args.only or GROUPS)
    postgres = os.environ.get("BENCH_POSTGRES", "")
    redis = os.environ.get("BENCH_REDIS", "")
    for url in (postgres, redis):
        if url and not any(
            host in url for host in ("@127.0.0.1", "@localhost", "//127.0.0.1", "//localhost")
        ):
            raise SystemExit(f"benchmarks run against loopback only, not {url}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases = [{}] + ([{"DATABASE_URL": postgres}] if postgres else [])
    produced: list[str] = []
    started = time.perf_counter()

    if "intake" in wanted:
        for env in databases:  # three interleaved runs each; the row has the median and the spread
            sh("lead_intake.py", "--requests", str(max(600, int(20_000 * scale))), "--runs", "3", env=env)
        produced += ["lead_intake_sqlite"] + (["lead_intake_postgresql"] if postgres else [])
    if "admin" in wanted:
        for env in databases:
            sh("admin_scale.py", "--scale", str(scale), env=env)
        produced += ["admin_scale_sqlite"] + (["admin_scale_postgresql"] if postgres else [])
    if "import" in wanted:
        for env in databases:
            # PostgreSQL: at least 20,000 rows (~1 minute), where fixed costs (companies, scores,
            # mail domains met once per file) no longer hide the per-row ratio of 100,000.
            least = 20_000 if env else 1000
            sh("import_vs_copy.py", "--rows", str(max(least, int(100_000 * scale))), env=env)
        produced += ["import_sqlite"] + (["import_postgresql"] if postgres else [])
    if "assessment" in wanted:
        sh("assessment_report.py", "--runs", "10", "--json", env={"DEBUG": "true"})
        produced.append("assessment_report")
        # A full scan of a local target through the scanner's entry point, and its PDF: < 2 s each.
        sh("assessment_scan.py", "--runs", "10")
        produced.append("assessment_scan")
    if "webhooks" in wanted:
        # The size at every scale: 1,000 events to 3 endpoints, one worker, < 60 s.
        for env in databases:
            sh("webhook_fanout.py", "--events", "1000", env=env)
        produced += ["webhook_fanout_sqlite"] + (["webhook_fanout_postgresql"] if postgres else [])
    if "soak" in wanted and postgres:
        # The production shape (two daphne, two workers, PostgreSQL, a private Redis) under the
        # mixed load: 10 minutes at 100,000 leads at full scale, 1 minute at 10,000 otherwise.
        # It makes a scratch database of its own next to BENCH_POSTGRES's.
        full = scale >= 1
        admin_db = postgres.rsplit("/", 1)[0] + "/postgres"
        soak_args = ["--minutes", "10" if full else "1", "--leads", "100000" if full else "10000"]
        sh("soak_mixed.py", *soak_args, env={"SMOKE_POSTGRES_URL": admin_db})
        produced.append("soak_mixed")
    rows: list[dict] = []
    for name in produced:
        path = RESULTS / f"{name}.json"
        if path.exists():
            rows += json.loads(path.read_text())["rows"]
    if "chat" in wanted:
        # Full scale: 50, 200 and 500 visitors, 10 messages each; reduced: 5, 20, 50 and 3.
        visitors = [str(max(1, int(n * min(1.0, scale * 10)))) for n in (50, 200, 500)]
        chat_args = ["--visitors", *visitors, "--messages", str(max(3, int(10 * min(1.0, scale * 10))))]
        sh("chat_latency.py", *chat_args)
        rows += chat_rows(RESULTS / "chat_latency_memory.json")
        if redis:
            sh("chat_latency.py", *chat_args, env={"REDIS_URL": redis})
            rows += chat_rows(RESULTS / "chat_latency_redis.json")
        if postgres and redis and scale >= 1:
            # Issue 18's 500 sockets: one daphne process on PostgreSQL and the Redis layer.
            sh(
                "chat_latency.py",
                *["--visitors", "500", "--messages", "5"],
                env={"DATABASE_URL": postgres, "REDIS_URL": redis},
            )
            rows += chat_rows(RESULTS / "chat_latency_redis_postgresql.json")

    if args.only:  # a partial run updates its own rows and keeps the others of the last summary
        rows = merged_rows(rows, wanted)
    summary = table(rows)
    header = (
        f"Benchmarks at scale {scale} — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {time.perf_counter() - started:.0f} s"
    )
    print(f"\n{header}\n\n{summary}")
    (RESULTS / "summary.md").write_text(f"{header}\n\n{summary}\n")
    (RESULTS / "summary.json").write_text(json.dumps({"scale": scale, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
