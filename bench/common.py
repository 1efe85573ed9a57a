"""Shared by the bench scripts: production-like settings for a scratch database, percentiles,
and one result format that `bench/run.py` collects into its table.

Every script imports this module *before* Django is set up: it fixes the environment (DEBUG off so
no query log slows the measured path, throttles lifted so the limiter is not what is measured) and
points the process at a scratch database unless DATABASE_URL is given.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))


def configure(*, scratch_prefix: str) -> None:
    """Production-like environment for a bench process; call before `django.setup()`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    # Limits no run reaches, over a one-second window. DRF's throttles keep every request time of
    # their window and pickle that list into the cache on each request; with a one-minute window a
    # long run from one IP and one key would carry ~20,000 entries (a cost that grows during the
    # run and that production never sees: its limits cap the list at 30 per IP and 600 per site
    # key). One second of history (a few hundred entries at bench rates) is the production size.
    for scope in ("SITE_IP", "SITE_KEY", "STATUS_IP", "API_KEY"):
        os.environ[f"THROTTLE_{scope}"] = "100000000/s"
    if "DATABASE_URL" not in os.environ:
        scratch = Path(tempfile.mkdtemp(prefix=scratch_prefix)) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write `bench/results/<name>.json`. `payload["rows"]` is a list of
    {"benchmark", "measure", "ours", "reference", "ratio", "target", "met"} dicts for run.py's
    table, plus whatever detail the script wants to keep."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def ratio_row(
    *,
    benchmark: str,
    measure: str,
    ours: float,
    reference: float,
    target: str,
    met: bool | None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "measure": measure,
        "ours": round(ours, 2),
        "reference": round(reference, 2),
        "ratio": round(ours / reference, 3) if reference else None,
        "target": target,
        "met": met,
        **extra,
    }
