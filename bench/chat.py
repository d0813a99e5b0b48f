"""Chat fan-out latency: one conversation, N connected websocket clients, M messages.

Starts the real app (uvicorn, in-memory channel layer, or Redis when REDIS_URL is set) on a
throwaway SQLite database, connects the clients, sends messages through the websocket and
prints the time from send until each client received it (median and p99).

    .venv/bin/python bench/chat.py [--clients 200] [--messages 20]
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict) -> tuple[str, str]:
    """Migrates the throwaway database and creates a clinic, a patient and a conversation."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicore.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from clinicore.clinics.permissions import Role
    from clinicore.core.testing import bearer, make_clinic, make_member, make_patient, make_user
    from clinicore.messaging.testing import make_conversation, patient_actor

    clinic = make_clinic("bench-clinic")
    staff = make_member(clinic, Role.RECEPTIONIST)
    user = make_user("bench.patient@example.test")
    patient = make_patient(clinic, user=user)
    conversation = make_conversation(clinic, patient=patient, by=patient_actor(user))
    token = bearer(staff.user, clinic)["Authorization"].split()[1]
    return str(conversation.pk), token


async def run(
    base: str, conversation_id: str, token: str, clients: int, messages: int
) -> list[float]:
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + f"/ws/chat/{conversation_id}/?token={token}"
    sent: dict[str, float] = {}
    latencies: list[float] = []
    sockets = []
    for _ in range(clients):
        ws = await connect(url, origin=base, open_timeout=30, max_queue=None)
        await ws.recv()  # ready
        sockets.append(ws)

    lost = []

    async def listen(ws):
        got = 0
        try:
            while got < messages:
                data = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
                if data.get("event") == "message.new":
                    label = data["message"]["text"]
                    latencies.append(time.perf_counter() - sent[label])
                    got += 1
        except Exception as exc:  # a dropped client is a finding to report, not a crash
            lost.append(type(exc).__name__)

    listeners = [asyncio.create_task(listen(ws)) for ws in sockets[1:]]
    sender = sockets[0]
    for i in range(messages):
        label = f"bench {i}"
        sent[label] = time.perf_counter()
        await sender.send(json.dumps({"type": "send", "text": label}))
        await asyncio.sleep(0.25)  # paced: this measures delivery latency, not saturation
    await asyncio.gather(*listeners)
    for ws in sockets:
        try:
            await ws.close()
        except Exception:  # already closed by the server
            pass
    if lost:
        print(f"  {len(lost)} clients lost their connection: {sorted(set(lost))}")
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    clients = max(2, min(args.clients, 2000))
    messages = max(1, min(args.messages, 500))
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CLINICORE_ENV": "test",
            "VAR_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ALLOWED_HOSTS": "127.0.0.1",
            "RATE_LIMIT_ENABLED": "false",
            "LOG_LEVEL": "WARNING",
        }
        conversation_id, token = prepare(env)
        port = free_port()
        server = subprocess.Popen(
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
            env={**os.environ, **env},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the app server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            started = time.perf_counter()
            latencies = asyncio.run(run(base, conversation_id, token, clients, messages))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    layer = "redis" if os.environ.get("REDIS_URL") else "in-memory"
    print(
        f"chat fan-out: {clients} clients ({clients - 1} receiving), {messages} messages, channel layer {layer}"
    )
    print(f"  deliveries  {len(latencies)}")
    print(f"  median      {statistics.median(latencies) * 1000:.1f} ms")
    print(f"  p99         {p99 * 1000:.1f} ms")
    print(f"  max         {latencies[-1] * 1000:.1f} ms")
    print(f"  wall time   {elapsed:.1f} s (including connecting)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
