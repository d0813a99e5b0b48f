"""Live updates are published only after the transaction commits."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from clinicore.core.live import live_group, live_publish


def async_to_sync(fn):
    """Runs a channel-layer coroutine in a fresh thread and loop, whatever loop this thread has
    (a browser test earlier in the same worker leaves one registered)."""

    def call(*args):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, fn(*args)).result(timeout=10)

    return call


def _subscribe(group):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def _pending(layer, channel) -> int:
    queue = layer.channels.get(channel)
    return queue.qsize() if queue else 0


@pytest.mark.django_db(transaction=True)
def test_it_publishes_after_commit_and_never_after_rollback():
    group = live_group("board", "00000000-0000-0000-0000-000000000001")
    layer, channel = _subscribe(group)

    with pytest.raises(RuntimeError), transaction.atomic():
        live_publish(group, {"event": "board.changed", "n": 1})
        raise RuntimeError("rolled back")
    assert _pending(layer, channel) == 0

    with transaction.atomic():
        live_publish(group, {"event": "board.changed", "n": 2})
        assert _pending(layer, channel) == 0  # not before the commit
    message = async_to_sync(layer.receive)(channel)
    assert message["payload"] == {"event": "board.changed", "n": 2}
    assert message["type"] == "live.event"
