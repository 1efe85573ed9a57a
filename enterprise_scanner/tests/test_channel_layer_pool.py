"""A daphne process with hundreds of busy chat sockets sends hundreds of group messages at once
over one channel layer: on a real Redis with the production options, none of them may fail for
want of a connection (redis-py 8's asyncio pool stops at 100 by default and raises at once)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer

from enterprise_scanner import redis_clients
from enterprise_scanner.tests.redis_server import REDIS_SERVER, private_redis_server

pytestmark = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="needs redis-server (apt-get install redis-server)"
)

SOCKETS = 400


def test_hundreds_of_concurrent_group_sends_all_go_through(tmp_path) -> None:
    with private_redis_server(tmp_path) as redis:

        async def busy_process() -> list[BaseException | None]:
            layer = RedisChannelLayer(
                hosts=[redis_clients.channel_layer_host(redis.url)], prefix="es-pool", capacity=2 * SOCKETS
            )
            channels = [await layer.new_channel() for _ in range(SOCKETS)]
            for n, channel in enumerate(channels):
                await layer.group_add(f"conversation-{n}", channel)
            results = await asyncio.gather(
                *(
                    layer.group_send(f"conversation-{n}", {"type": "chat.message", "n": n})
                    for n in range(SOCKETS)
                ),
                return_exceptions=True,
            )
            # All of one process's channels share one Redis list, read by one receive loop.
            received = [await asyncio.wait_for(layer.receive(channel), 10) for channel in channels]
            await layer.flush()
            await layer.close_pools()
            assert sorted(message["n"] for message in received) == list(range(SOCKETS))
            return results

        results = asyncio.run(busy_process())
    assert [r for r in results if r is not None] == []
