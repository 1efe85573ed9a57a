"""A throwaway redis-server for tests that kill and restart Redis (never the shared one)."""

from __future__ import annotations

import shutil
import socket as sockets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def redis_server_argv(port: int, directory: Path) -> list[str]:
    """A redis-server on loopback `port` that keeps nothing on disk: killed, it comes back empty."""
    no_persistence = ["--save", "", "--appendonly", "no", "--dir", str(directory)]
    return [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", *no_persistence]


class PrivateRedis:
    """A throwaway redis-server on a free localhost port, without persistence."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with sockets.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            redis_server_argv(self.port, self.directory),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with sockets.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; everything it held is lost."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@contextmanager
def private_redis_server(directory: Path) -> Iterator[PrivateRedis]:
    """A started PrivateRedis, killed on the way out if the test left it running."""
    redis = PrivateRedis(directory)
    redis.start()
    try:
        yield redis
    finally:
        if redis.process and redis.process.poll() is None:
            redis.kill()


def redis_cache_and_layer(url: str, *, prefix: str) -> dict[str, dict]:
    """CACHES and CHANNEL_LAYERS on the Redis at `url`, with the production connection options."""
    from enterprise_scanner import redis_clients

    return {
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
                "OPTIONS": redis_clients.cache_options(),
            }
        },
        "CHANNEL_LAYERS": {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_clients.channel_layer_host(url)], "prefix": prefix},
            }
        },
    }
