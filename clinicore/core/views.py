"""Liveness and readiness probes."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    key = "ready:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value written")


async def _probe_channel_layer() -> None:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "ready.probe"})
    message = await layer.receive(channel)
    if message.get("type") != "ready.probe":
        raise RuntimeError("channel layer did not deliver")


def _check_channel_layer() -> None:
    # A fresh thread with its own event loop: works whatever loop the calling thread runs.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _probe_channel_layer()).result(timeout=5)


def _check_task_queue() -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.exists()


@never_cache
def ready(request):
    checks = {}
    ok = True
    for name, probe in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("channel_layer", _check_channel_layer),
        ("task_queue", _check_task_queue),
    ):
        started = time.perf_counter()
        try:
            probe()
            checks[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
        except Exception as exc:  # a probe reports any failure as "not ready"
            ok = False
            checks[name] = {"ok": False, "error": type(exc).__name__}
    return JsonResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks}, status=200 if ok else 503
    )
