"""Outbox delivery benchmark: throughput of real `manage.py db_worker` processes against the
local sandbox provider, and the delay from commit to send.

    .venv/bin/python bench/outbox.py [--messages 400] [--workers 2]
    DATABASE_URL=postgres://… .venv/bin/python bench/outbox.py   # an existing, migrated database

Without DATABASE_URL it migrates a throwaway SQLite database in a temporary directory. Prints
figures; asserts nothing about speed."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="clinicore-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinicore.settings",
            "VAR_DIR": tmp,
            "CLINICORE_ENV": "embedded",
            "NOTIFY_PUSH_PROVIDER": "sandbox",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from clinicore.clinics.models import Clinic
    from clinicore.notifications.models import OutboxMessage
    from clinicore.notifications.services import Recipient, notify

    call_command("migrate", verbosity=0)
    clinic, _ = Clinic.objects.get_or_create(
        slug="bench-clinic", defaults={"name": "Bench Clinic", "time_zone": "Asia/Kolkata"}
    )
    OutboxMessage.objects.filter(clinic=clinic).delete()

    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--no-reload",
                "--queue-name",
                "*",
                "--interval",
                "0.05",
                "--no-startup-delay",
            ],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    try:
        time.sleep(2)  # let the workers start
        started = time.monotonic()
        for i in range(args.messages):
            with transaction.atomic():
                notify(
                    clinic=clinic,
                    event="payment_received",
                    recipient=Recipient(key=f"patient:bench-{i}", phone=f"+9198{i:08d}"),
                    context={"amount": "100.00", "currency": "INR"},
                    channels=["sms"],
                )
        enqueued = time.monotonic() - started
        deadline = time.monotonic() + 600
        pending = OutboxMessage.objects.filter(clinic=clinic).exclude(
            status=OutboxMessage.Status.SENT
        )
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        rows = list(
            OutboxMessage.objects.filter(
                clinic=clinic, status=OutboxMessage.Status.SENT
            ).values_list("created_at", "sent_at")
        )
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(15)

    if not rows:
        print("no message was sent")
        return 1
    delays = sorted((sent - created).total_seconds() * 1000 for created, sent in rows)
    window = (max(s for _, s in rows) - min(c for c, _ in rows)).total_seconds()
    quantile = statistics.quantiles(delays, n=100)
    print(f"database            {os.environ['DATABASE_URL'].split(':')[0]}")
    print(f"workers             {args.workers}")
    print(f"messages sent       {len(rows)} of {args.messages}")
    print(f"enqueue rate        {args.messages / enqueued:.0f} messages/s (one transaction each)")
    print(f"throughput          {len(rows) / window:.1f} messages/s (first commit to last send)")
    print(
        f"commit-to-send      p50 {quantile[49]:.0f} ms, p95 {quantile[94]:.0f} ms, max {delays[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
