"""Availability and booking figures on a throwaway PostgreSQL cluster (started here, removed after).

Prints:
  1. two-week availability of one clinic with 20 practitioners and 10,000 appointments (median);
  2. the same once the table holds 1,000,000 appointments (the extra rows are years in the past:
     the cost must follow the range asked, not the table size);
  3. booking throughput through HTTP (a real uvicorn server) for distinct slots, 16 clients.

Run: .venv/bin/python bench/availability.py [--runs 40] [--total 1000000] [--bookings 320]
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import pgcluster  # noqa: E402

PRACTITIONERS = 20
PER_DAY = 8  # appointments per practitioner per day in the recent rows


def create_database(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("CREATE DATABASE clinicore")


def setup_django(url: str) -> None:
    create_database(url)
    os.environ.update(
        DATABASE_URL=url,
        CLINICORE_ENV="test",
        RATE_LIMIT_ENABLED="false",
        DJANGO_SETTINGS_MODULE="clinicore.settings",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_clinic():
    from datetime import time as t

    from clinicore.accounts.models import User
    from clinicore.clinics.models import Clinic, Membership
    from clinicore.clinics.permissions import Role
    from clinicore.patients.models import Patient
    from clinicore.scheduling.models import Service, WorkingHours

    password = "!"  # unusable: the bench signs in with tokens
    clinic = Clinic.objects.create(
        name="Bench Clinic", slug="bench", time_zone="Asia/Kolkata", currency="INR"
    )
    doctors = []
    for i in range(PRACTITIONERS):
        user = User.objects.create(
            email=f"doctor{i}@bench.example", full_name=f"Doctor {i}", password=password
        )
        doctors.append(
            Membership.objects.create(clinic=clinic, user=user, role=Role.DOCTOR, title="Dr.")
        )
    desk_user = User.objects.create(email="desk@bench.example", full_name="Desk", password=password)
    Membership.objects.create(clinic=clinic, user=desk_user, role=Role.RECEPTIONIST)
    service = Service.objects.create(
        clinic=clinic,
        name="Consultation",
        duration_minutes=20,
        buffer_after_minutes=5,
        currency="INR",
        min_notice_minutes=0,
        booking_window_days=60,
    )
    service.practitioners.set(doctors)
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(clinic=clinic, practitioner=d, weekday=w, start_time=s, end_time=e)
            for d in doctors
            for w in range(6)
            for s, e in ((t(9), t(13)), (t(14), t(18)))
        ]
    )
    patients = Patient.objects.bulk_create(
        [
            Patient(clinic=clinic, first_name=f"P{i}", last_name="Bench", barcode=f"PB{i:010d}")
            for i in range(PRACTITIONERS * 10)
        ]
    )
    return clinic, doctors, service, patients, desk_user


def insert_rows(
    clinic, doctors, service, patients, *, first_n: int, count: int, days_back_start: int
):
    """Inserts `count` appointments per practitioner-row pattern with generate_series: practitioner
    p's n-th row is PER_DAY-th slot of day (start_day - n // PER_DAY), 30 minutes apart from 09:00
    IST; its patients are its own ten, so no patient ever has two visits at once."""
    from django.db import connection

    doctor_ids = [str(d.pk) for d in doctors]
    patient_ids = [str(p.pk) for p in patients]
    sql = """
    INSERT INTO scheduling_appointment (
        id, created_at, updated_at, clinic_id, patient_id, practitioner_id, service_id, start, "end",
        occupied_start, occupied_end, mode, kind, reason_for_visit, symptoms, notes, reservation_code,
        booking_mode, period, status, cancellation_reason, reminder_day_before_sent, reminder_hour_before_sent,
        created_by, source_channel, hold_ref)
    SELECT gen_random_uuid(), now(), now(), %(clinic)s, (%(patients)s::uuid[])[p * 10 + (n %% 10) + 1],
           (%(doctors)s::uuid[])[p + 1], %(service)s, s, s + interval '20 minutes', s, s + interval '25 minutes',
           'in_person', 'consultation', '', '', '', 'B' || lpad((%(first)s + g)::text, 9, '0'),
           'specific_time', '', CASE WHEN s < now() THEN 'completed' ELSE 'scheduled' END, '', false, false,
           'staff', 'bench', ''
    FROM generate_series(0, %(count)s - 1) AS g,
         LATERAL (SELECT g %% %(prac)s AS p, g / %(prac)s AS n) AS k,
         LATERAL (SELECT date_trunc('day', now()) + interval '3 hours 30 minutes'
                         - make_interval(days => %(back)s + (n / %(per_day)s)::int)
                         + make_interval(mins => 30 * (n %% %(per_day)s)::int) AS s) AS t
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "clinic": str(clinic.pk),
                "patients": patient_ids,
                "doctors": doctor_ids,
                "service": str(service.pk),
                "first": first_n,
                "count": count,
                "prac": PRACTITIONERS,
                "back": days_back_start,
                "per_day": PER_DAY,
            },
        )
        # As autovacuum would after a bulk load: statistics and the visibility map up to date.
        cursor.execute("VACUUM ANALYZE scheduling_appointment")


def time_availability(clinic, service, runs: int) -> tuple[float, int, int]:
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from clinicore.scheduling import selectors

    now = timezone.now()
    first = now.astimezone(selectors.clinic_tz(clinic)).date()
    last = first + timedelta(days=13)

    def run():
        return selectors.available_slots(
            clinic=clinic, service=service, first=first, last=last, now=now
        )[0]

    # Queries are counted once, outside the timed runs: the debug cursor that records them is
    # not what production runs.
    with CaptureQueriesContext(connection) as queries:
        run()
    timings, slots = [], []
    for _ in range(runs):
        started = time.perf_counter()
        found = run()
        timings.append((time.perf_counter() - started) * 1000)
        slots.append(len(found))
    return statistics.median(timings[2:] or timings), slots[-1], len(queries)


def booking_throughput(
    clinic, service, desk_user, *, bookings: int, clients: int = 16
) -> tuple[float, dict]:
    from datetime import timedelta

    import httpx
    import uvicorn
    from django.utils import timezone

    from clinicore.asgi import application
    from clinicore.core.testing import bearer
    from clinicore.patients.models import Patient
    from clinicore.scheduling import selectors

    now = timezone.now()
    first = now.astimezone(selectors.clinic_tz(clinic)).date() + timedelta(days=20)
    found, _ = selectors.available_slots(
        clinic=clinic, service=service, first=first, last=first + timedelta(days=20), now=now
    )
    # Distinct slots that do not overlap each other (buffers included), spread over practitioners.
    chosen, last_end = [], {}
    for slot in found:
        if (
            last_end.get(slot.practitioner_id)
            and slot.occupied_start < last_end[slot.practitioner_id]
        ):
            continue
        chosen.append(slot)
        last_end[slot.practitioner_id] = slot.occupied_end
        if len(chosen) == bookings:
            break
    patients = Patient.objects.bulk_create(
        [
            Patient(clinic=clinic, first_name=f"T{i}", last_name="Bench", barcode=f"PT{i:010d}")
            for i in range(len(chosen))
        ]
    )
    headers = bearer(desk_user, clinic)
    port = pgcluster._free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    statuses: dict = {}
    lock = threading.Lock()
    work = list(zip(chosen, patients, strict=True))

    def client(index: int):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for slot, patient in work[index::clients]:
                r = http.post(
                    "/api/v1/appointments",
                    headers=headers,
                    json={
                        "patient_id": str(patient.pk),
                        "practitioner_id": str(slot.practitioner_id),
                        "service_id": str(service.pk),
                        "start": slot.start.isoformat(),
                    },
                )
                with lock:
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    server.should_exit = True
    thread.join(timeout=10)
    return len(work) / elapsed, statuses


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--bookings", type=int, default=320)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with pgcluster.cluster() as url:
        setup_django(url)
        clinic, doctors, service, patients, desk_user = build_clinic()
        recent = 10_000
        # Recent rows: from 48 days ago to 14 days ahead, PER_DAY a day per practitioner.
        insert_rows(
            clinic, doctors, service, patients, first_n=0, count=recent, days_back_start=-14
        )
        median_10k, slots_10k, queries = time_availability(clinic, service, args.runs)
        print(
            f"two-week availability, {PRACTITIONERS} practitioners, {recent:,} appointments: "
            f"median {median_10k:.1f} ms ({slots_10k} slots, {queries} queries)",
            flush=True,
        )
        started = time.perf_counter()
        old = args.total - recent
        # Old rows: 60+ days in the past, years of history, in chunks of whole days.
        chunk = PRACTITIONERS * PER_DAY * 500
        done = 0
        while done < old:
            count = min(chunk, old - done)
            back = 60 + done // (PRACTITIONERS * PER_DAY)
            insert_rows(
                clinic,
                doctors,
                service,
                patients,
                first_n=recent + done,
                count=count,
                days_back_start=back,
            )
            done += count
        print(
            f"  (inserted {old:,} older appointments in {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        median_1m, slots_1m, queries = time_availability(clinic, service, args.runs)
        print(
            f"two-week availability, {PRACTITIONERS} practitioners, {args.total:,} appointments: "
            f"median {median_1m:.1f} ms ({slots_1m} slots, {queries} queries); "
            f"ratio {median_1m / median_10k:.2f}x",
            flush=True,
        )
        rate, statuses = booking_throughput(clinic, service, desk_user, bookings=args.bookings)
        print(
            f"booking throughput, distinct slots, 16 HTTP clients: {rate:.0f} bookings/s "
            f"(answers: {statuses})",
            flush=True,
        )
        from django.db import connections

        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
