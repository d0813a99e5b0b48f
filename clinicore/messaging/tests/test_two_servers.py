"""Production shape on one machine: Redis as the channel layer and two app server processes.

A message posted through one server reaches a websocket client connected to the other. Both
processes share the test database (PostgreSQL when the run uses it, else the SQLite file).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from clinicore.clinics.permissions import Role
from clinicore.core.testing import bearer
from clinicore.messaging.testing import make_conversation, patient_actor

ROOT = Path(__file__).resolve().parents[3]
REDIS = shutil.which("redis-server")

pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    from urllib.parse import quote

    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        return f"postgres://{auth}@/{db['NAME']}?host={quote(host)}&port={db['PORT']}"
    return f"postgres://{auth}@{host}:{db['PORT']}/{db['NAME']}"


def _wait_http(url: str, proc, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited: {proc.stdout.read().decode(errors='replace')[-2000:]}"
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture
def redis_url(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(
        [
            REDIS,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def two_servers(transactional_db, redis_url):
    env = {
        **os.environ,
        "CLINICORE_ENV": "test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SCHEDULER_ENABLED": "false",
        "DEMO_DATA": "false",
    }
    servers = []
    try:
        for _ in range(2):
            port = _free_port()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "clinicore.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                    "--ws",
                    "websockets-sansio",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            servers.append((f"http://127.0.0.1:{port}", proc))
        for base, proc in servers:
            _wait_http(base + "/health", proc)
        yield [base for base, _ in servers]
    finally:
        for _, proc in servers:
            proc.terminate()
        for _, proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_it_delivers_a_message_across_two_app_servers_through_redis(
    two_servers, world, _audit_log_flushable
):
    one, two = two_servers
    conversation = make_conversation(
        world.clinic_a, patient=world.patient_a, by=patient_actor(world.patient_user)
    )
    patient_token = bearer(world.patient_user, world.clinic_a)["Authorization"].split()[1]
    url = two.replace("http://", "ws://") + f"/ws/chat/{conversation.pk}/?token={patient_token}"
    with connect(url, origin=two, open_timeout=10) as ws:
        assert json.loads(ws.recv(timeout=10))["event"] == "ready"
        response = httpx.post(
            one + "/api/v1/chat/messages",
            json={"conversation_id": str(conversation.pk), "text": "Sent through server one"},
            headers=bearer(world.member("a", Role.RECEPTIONIST).user, world.clinic_a),
            timeout=10,
        )
        assert response.status_code == 201, response.text
        for _ in range(10):
            data = json.loads(ws.recv(timeout=10))
            if data["event"] == "message.new":
                break
        assert data["message"]["text"] == "Sent through server one"
        assert data["message"]["sender_side"] == "staff"
