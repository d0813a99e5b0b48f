"""Report and patient-search figures on a throwaway PostgreSQL cluster (started here, removed after).

Builds one clinic with 200,000 patients, 1,000,000 appointments over two years, 300,000 paid
invoices (all bulk-generated in SQL with generate_series, bounded), then prints:
  * each report's time (median of several runs) over the last 30 days and the last 365 days;
  * patient search time (median and p95) for names, phone digits and card barcodes.

Run: .venv/bin/python bench/reports.py [--patients 200000] [--appointments 1000000] [--runs 7]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import pgcluster  # noqa: E402

PRACTITIONERS = 50
PER_DAY = 28  # 20-minute visits from 06:00: no two of one practitioner ever overlap
SERVICES = ["Consultation", "Cleaning", "Follow-up", "X-ray", "Whitening"]


def setup_django(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("CREATE DATABASE clinicore")
    os.environ.update(
        DATABASE_URL=url,
        CLINICORE_ENV="test",
        DJANGO_SETTINGS_MODULE="clinicore.settings",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_ENABLED="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def insert_select(model, exprs: dict, source_sql: str, params: dict) -> None:
    """INSERT INTO model's table every concrete column: `exprs` for the ones given, a neutral
    value (NULL, '', 0, false, '{}') for the rest, so the bench follows model changes."""
    from django.db import connection, models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.name in exprs:
            values.append(exprs[field.name])
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.BooleanField):
            values.append("false")
        elif isinstance(field, models.JSONField):
            values.append("'{}'::jsonb")
        elif isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
            values.append("0")
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        else:
            values.append("''")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} {source_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build(patients: int, appointments: int):
    from decimal import Decimal

    from clinicore.billing.models import Invoice, InvoiceLine, Payment
    from clinicore.clinics.models import Clinic, Membership
    from clinicore.clinics.permissions import Role
    from clinicore.core.testing import make_user
    from clinicore.patients.models import Patient
    from clinicore.scheduling.models import Appointment, Service

    clinic = Clinic.objects.create(
        slug="bench", name="Bench Dental", time_zone="Asia/Kolkata", currency="INR"
    )
    doctors = [
        Membership.objects.create(
            clinic=clinic,
            role=Role.DENTIST,
            title="Dr.",
            user=make_user(f"dr{i}@bench.test", full_name=f"Doctor {i:02d}"),
        )
        for i in range(PRACTITIONERS)
    ]
    services = [
        Service.objects.create(clinic=clinic, name=n, price=Decimal(500 + 250 * i), currency="INR")
        for i, n in enumerate(SERVICES)
    ]
    started = time.monotonic()
    insert_select(
        Patient,
        {
            "id": "gen_random_uuid()",
            "clinic": "%(clinic)s",
            "created_at": "now() - make_interval(days => (g %% 730)::int, mins => (g %% 1440)::int)",
            "first_name": "(ARRAY['Asha','Bela','Chirag','Divya','Esha','Farhan','Gita','Hari','Isha','Jai'])[g %% 10 + 1] || g",
            "last_name": "(ARRAY['Verma','Nair','Shah','Iyer','Khan','Das','Rao','Gill','Bose','Jain'])[(g / 10) %% 10 + 1]",
            "gender": "'undisclosed'",
            "phone": "'+91 9' || lpad(g::text, 9, '0')",
            "email": "'p' || g || '@example.test'",
            "preferred_language": "'en'",
            "barcode": "'B' || lpad(g::text, 11, '0')",
            "is_active": "true",
        },
        "FROM generate_series(1, %(n)s) AS g",
        {"clinic": str(clinic.pk), "n": patients},
    )
    from django.db import connection

    with connection.cursor() as cursor:  # numbered patients the generators below pick from
        cursor.execute(
            "CREATE TEMP TABLE pt AS SELECT id, row_number() OVER (ORDER BY barcode) AS rn "
            "FROM patients_patient WHERE clinic_id = %s",
            [str(clinic.pk)],
        )
        cursor.execute("CREATE UNIQUE INDEX ON pt (rn)")
        cursor.execute("ANALYZE pt")
    print(f"  {patients:,} patients in {time.monotonic() - started:.1f}s", flush=True)

    started = time.monotonic()
    insert_select(
        Appointment,
        {
            "id": "gen_random_uuid()",
            "clinic": "%(clinic)s",
            "patient": "(SELECT id FROM pt WHERE rn = (g * 7919) %% %(np)s + 1)",
            "practitioner": "(%(doctors)s::uuid[])[g %% %(prac)s + 1]",
            "service": "(%(services)s::uuid[])[(g / 7) %% 5 + 1]",
            "start": "s",
            "end": "s + interval '20 minutes'",
            "occupied_start": "s",
            "occupied_end": "s + interval '20 minutes'",
            "mode": "'in_person'",
            "kind": "'consultation'",
            "reservation_code": "'B' || lpad(g::text, 9, '0')",
            "booking_mode": "'specific_time'",
            "status": "CASE WHEN s > now() THEN 'scheduled' WHEN g %% 13 = 0 THEN 'no_show' "
            "WHEN g %% 11 = 0 THEN 'cancelled' ELSE 'completed' END",
            "checked_in_at": "CASE WHEN s <= now() AND g %% 13 <> 0 AND g %% 11 <> 0 THEN s - interval '5 minutes' END",
            "started_at": "CASE WHEN s <= now() AND g %% 13 <> 0 AND g %% 11 <> 0 "
            "THEN s + make_interval(mins => (g %% 17)::int) END",
            "created_by": "'staff'",
            "source_channel": "(ARRAY['portal','desk','phone','walk_in','api'])[g %% 5 + 1]",
        },
        """FROM generate_series(0, %(count)s - 1) AS g,
         LATERAL (SELECT g / %(prac)s AS n) AS k,
         LATERAL (SELECT date_trunc('day', now()) + interval '30 minutes'
                         - make_interval(days => (n / %(per_day)s)::int - 30)
                         + make_interval(mins => 20 * (n %% %(per_day)s)::int) AS s) AS t""",
        {
            "clinic": str(clinic.pk),
            "doctors": [str(d.pk) for d in doctors],
            "services": [str(s.pk) for s in services],
            "count": appointments,
            "prac": PRACTITIONERS,
            "per_day": PER_DAY,
            "np": patients,
        },
    )
    print(f"  {appointments:,} appointments in {time.monotonic() - started:.1f}s", flush=True)

    started = time.monotonic()
    invoices = appointments * 3 // 10
    common = {
        "clinic": str(clinic.pk),
        "n": invoices,
        "doctors": [str(d.pk) for d in doctors],
        "np": patients,
    }
    insert_select(
        Invoice,
        {
            "id": "gen_random_uuid()",
            "clinic": "%(clinic)s",
            "created_at": "t",
            "updated_at": "t",
            "patient": "(SELECT id FROM pt WHERE rn = (g * 31) %% %(np)s + 1)",
            "number": "'INV-B-' || lpad(g::text, 8, '0')",
            "status": "'paid'",
            "currency": "'INR'",
            "subtotal": "a",
            "total": "a",
            "amount_paid": "a",
            "issued_at": "t",
            "paid_at": "t",
            "practitioner": "(%(doctors)s::uuid[])[g %% 50 + 1]",
        },
        """FROM generate_series(1, %(n)s) AS g,
         LATERAL (SELECT now() - make_interval(days => (g %% 730)::int, mins => (g %% 600)::int) AS t,
                         (500 + 250 * (g %% 5))::numeric AS a) AS x""",
        common,
    )
    insert_select(
        InvoiceLine,
        {
            "id": "gen_random_uuid()",
            "clinic": "i.clinic_id",
            "invoice": "i.id",
            "description": "(ARRAY['Consultation','Cleaning','Follow-up','X-ray','Whitening'])[((i.total - 500) / 250)::int + 1]",
            "source": "'manual'",
            "quantity": "1",
            "unit_price": "i.total",
            "net_amount": "i.total",
            "total": "i.total",
        },
        "FROM billing_invoice i WHERE i.clinic_id = %(clinic)s",
        {"clinic": str(clinic.pk)},
    )
    insert_select(
        Payment,
        {
            "id": "gen_random_uuid()",
            "clinic": "i.clinic_id",
            "invoice": "i.id",
            "receipt_number": "'RB-' || substr(i.number, 7)",
            "amount": "i.total",
            "currency": "'INR'",
            "method": "(ARRAY['cash','card','upi','upi'])[(abs(hashtext(i.number)) %% 4) + 1]",
            "provider": "'desk'",
            "status": "'completed'",
            "paid_at": "i.paid_at",
        },
        "FROM billing_invoice i WHERE i.clinic_id = %(clinic)s",
        {"clinic": str(clinic.pk)},
    )
    with connection.cursor() as cursor:
        for table in (
            "patients_patient",
            "scheduling_appointment",
            "billing_invoice",
            "billing_invoiceline",
            "billing_payment",
        ):
            cursor.execute(f"ANALYZE {table}")
    print(
        f"  {invoices:,} invoices, lines and payments in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return clinic


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not (1_000 <= args.patients <= 5_000_000 and 1_000 <= args.appointments <= 20_000_000):
        parser.error("keep --patients and --appointments between 1,000 and a few million")
    with pgcluster.cluster() as url:
        setup_django(url)

        print("Building the data set on PostgreSQL…", flush=True)
        from django.db import transaction

        with transaction.atomic():
            clinic = build(args.patients, args.appointments)
        from clinicore.reports import selectors
        from clinicore.reports.periods import clinic_today

        today = clinic_today(clinic)
        import datetime as dt

        print(f"\nReports (median / p95 of {args.runs} runs, ms):")
        for days, group in ((30, "day"), (365, "month")):
            start = today - dt.timedelta(days=days - 1)
            for kind in selectors.REPORTS:
                median, p95 = timed(
                    lambda k=kind, s=start, g=group: selectors.report_build(
                        clinic=clinic,
                        kind=k,
                        start=s,
                        end=today,
                        group=None if k == "staff-performance" else g,
                    ),
                    args.runs,
                )
                print(f"  {kind:<18} last {days:>3} days: {median:8.1f} / {p95:8.1f}", flush=True)

        from clinicore.patients.selectors import patient_search

        queries = (
            [f"Esha{n}" for n in range(5, 2000, 97)]
            + ["Verma", "Nair Asha", "shah"]
            + [f"9{n:09d}"[-6:] for n in range(11, 3000, 211)]
            + [f"B{n:011d}" for n in range(7, 190000, 9973)]
        )
        times = []
        for q in queries * 3:
            started = time.perf_counter()
            list(patient_search(clinic=clinic, q=q)[:25])
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"\nPatient search over {args.patients:,} patients ({len(times)} searches: names, phone digits, "
            f"barcodes): median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
