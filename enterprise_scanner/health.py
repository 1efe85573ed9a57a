"""`GET /healthz`: is every part this process depends on reachable right now?

Load balancers and `make run` users read the status code (200 healthy, 503 not); people read the
JSON body, which says for each part what was checked and, when it failed, why.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

#: Seconds the channel-layer round trip may take before the layer counts as down.
CHANNEL_LAYER_CHECK_SECONDS = 3.0
#: Seconds a ready task may wait before the queue is reported as backed up (no worker running?).
TASK_BACKLOG_WARN_SECONDS = 300


class CheckFailed(Exception):
    """A part answered, but wrongly: unhealthy, with the details of what was found."""

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("value written to the cache could not be read back")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


async def _channel_layer_round_trip() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")
    return type(layer).__name__


def check_channel_layer() -> dict[str, Any]:
    # Bounded: a Redis host that silently drops packets would otherwise hold the probe for the
    # layer's whole read timeout (20 s), longer than a load balancer waits.
    return {"backend": async_to_sync(_bounded_round_trip)()}


async def _bounded_round_trip() -> str:
    try:
        return await asyncio.wait_for(_channel_layer_round_trip(), timeout=CHANNEL_LAYER_CHECK_SECONDS)
    except TimeoutError as exc:
        raise RuntimeError(
            f"no answer from the channel layer within {CHANNEL_LAYER_CHECK_SECONDS} s"
        ) from exc


def check_task_queue() -> dict[str, Any]:
    backend = settings.TASKS["default"]["BACKEND"].rsplit(".", 1)[-1]
    if settings.TASK_BACKEND != "database":
        return {"backend": backend}
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    result: dict[str, Any] = {
        "backend": backend,
        "ready": ready.count(),
        "oldest_wait_seconds": round(waited),
    }
    if waited > TASK_BACKLOG_WARN_SECONDS:
        result["warning"] = "tasks are waiting: is `manage.py db_worker` running?"
    from enterprise_scanner.jobs.recovery import stuck_jobs

    stuck = stuck_jobs()
    result["stuck"] = len(stuck)
    if stuck:
        # A job whose worker stopped beating will not finish by itself: not healthy until
        # recover_stale_jobs (cron, or any worker's next lease) has queued it again.
        oldest = stuck[0]
        result["oldest_stuck"] = {
            "id": oldest.id,
            "task": oldest.task_path,
            "worker": oldest.worker_id,
            "running_seconds": round((timezone.now() - oldest.started_at).total_seconds())
            if oldest.started_at
            else None,
        }
        raise CheckFailed(
            f"{len(stuck)} job(s) RUNNING on a worker without a heartbeat for "
            f"{settings.TASK_LEASE_SECONDS}s: run `manage.py recover_stale_jobs` or start a worker",
            result,
        )
    return result


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "task_queue": check_task_queue,
}


def run_checks() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every check; one failing does not stop the others from being reported."""
    results: dict[str, dict[str, Any]] = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except CheckFailed as exc:
            logger.warning("Health check %s failed: %s", name, exc)
            healthy = False
            result = {"ok": False, "error": str(exc), **exc.details}
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is the answer
            logger.warning("Health check %s failed: %s", name, exc)
            healthy = False
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return healthy, results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, results = run_checks()
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
    if not healthy:
        response["Retry-After"] = "10"
    return response
