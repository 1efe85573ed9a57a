"""/healthz tells load balancers (status code) and people (JSON) whether each part works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthy_reports_every_part(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "task_queue"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_task_queue_reports_backlog_of_the_database_backend(client, settings) -> None:
    settings.TASK_BACKEND = "database"
    body = client.get("/healthz").json()
    assert body["checks"]["task_queue"]["ok"] is True
    assert body["checks"]["task_queue"]["ready"] == 0


@pytest.mark.django_db
def test_broken_cache_gives_503_and_says_which_part(client) -> None:
    # A real Redis client against a port nothing listens on.
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert "ConnectionError" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_broken_database_gives_503(tmp_path) -> None:
    """A database that cannot be opened: the process still answers, with 503 and the reason."""
    missing = tmp_path / "no-such-dir" / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="enterprise_scanner.settings", DATABASE_URL=f"sqlite:///{missing}")
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz', HTTP_HOST='localhost'); print(r.status_code); print(r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503"
    checks = json.loads(body)["checks"]
    assert checks["database"]["ok"] is False
    assert "OperationalError" in checks["database"]["error"]
    assert checks["cache"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_silent_channel_layer_is_reported_within_seconds(client) -> None:
    """A Redis host that accepts the connection and then never answers (a hung server, a dropped
    route) is reported as down within a few seconds, not after the layer's 20-second read timeout."""
    import socket
    import time

    from channels.layers import channel_layers

    from enterprise_scanner import redis_clients

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes connects; nobody ever reads or answers
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        layers = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_clients.channel_layer_host(url)]},
            }
        }
        with override_settings(CHANNEL_LAYERS=layers):
            channel_layers.backends.pop("default", None)
            try:
                started = time.monotonic()
                response = client.get("/healthz")
                elapsed = time.monotonic() - started
            finally:
                channel_layers.backends.pop("default", None)
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["ok"] is False
    assert elapsed < 10
