"""Report and patient-search figures on a throwaway PostgreSQL cluster (started here, removed after).

Fills the tables with 200,000 patients, 1,000,000 appointments over two years, 300,000 paid
invoices and a visit summary with treatments for a quarter of the completed visits, shared by
50 clinics as in production (bulk-generated in SQL with generate_series,
bounded), then prints for one clinic:
  * each report's time (median of several runs) over the last 30 days and the last 365 days;
  * patient search time (median and p95) for names, phone digits and card barcodes.
The tables are vacuumed and analyzed after loading, as autovacuum would have done on a live
database (statistics, and the visibility map that index-only scans rely on).

Run: .venv/bin/python bench/reports.py [--patients 200000] [--appointments 1000000] [--clinics 50] [--runs 7]
(`--clinics 1` puts everything in one clinic: the worst case, far beyond a real clinic.)
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

PRACTITIONERS = 4  # per clinic, at least: more when a clinic's share would not fit in two years
PER_DAY = 8  # one visit an hour per practitioner: none ever overlap
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


def build(patients: int, appointments: int, clinics: int):
    """`clinics` clinics share the tables (as in production); each has PRACTITIONERS practitioners
    (or as many as its share of appointments needs to fit in about two years), five services, patients/clinics patients, appointments/clinics appointments over about two
    years (one an hour per practitioner, so none overlap) and 30% as many paid invoices."""
    from decimal import Decimal

    from django.db import connection

    from clinicore.billing.models import Invoice, InvoiceLine, Payment
    from clinicore.clinics.models import Clinic, Membership
    from clinicore.clinics.permissions import Role
    from clinicore.core.testing import make_user
    from clinicore.patients.models import Patient
    from clinicore.scheduling.models import Appointment, Service

    practitioners = max(PRACTITIONERS, -(-appointments // (clinics * PER_DAY * 730)))
    rows = [
        Clinic.objects.create(
            slug=f"bench-{c}", name=f"Bench Dental {c}", time_zone="Asia/Kolkata", currency="INR"
        )
        for c in range(clinics)
    ]
    doctors, services = [], []
    for c, clinic in enumerate(rows):
        doctors += [
            Membership.objects.create(
                clinic=clinic,
                role=Role.DENTIST,
                title="Dr.",
                user=make_user(f"dr{c}-{i}@bench.test", full_name=f"Doctor {c}-{i}"),
            )
            for i in range(practitioners)
        ]
        services += [
            Service.objects.create(
                clinic=clinic, name=n, price=Decimal(500 + 250 * i), currency="INR"
            )
            for i, n in enumerate(SERVICES)
        ]
    ids = {
        "clinics": [str(c.pk) for c in rows],
        "doctors": [str(d.pk) for d in doctors],
        "services": [str(s.pk) for s in services],
        "nc": clinics,
        "prac": practitioners,
        "per_clinic": patients // clinics,
        "per_day": PER_DAY,
    }
    started = time.monotonic()
    insert_select(
        Patient,
        {
            "id": "gen_random_uuid()",
            "clinic": "(%(clinics)s::uuid[])[g %% %(nc)s + 1]",
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
        "FROM generate_series(0, %(n)s - 1) AS g",
        {**ids, "n": patients},
    )
    with connection.cursor() as cursor:  # patients numbered within their clinic, to pick from below
        cursor.execute(
            "CREATE TEMP TABLE pt AS SELECT id, clinic_id, row_number() OVER "
            "(PARTITION BY clinic_id ORDER BY barcode) AS rn FROM patients_patient"
        )
        cursor.execute("CREATE UNIQUE INDEX ON pt (clinic_id, rn)")
        cursor.execute("ANALYZE pt")
    print(f"  {patients:,} patients in {time.monotonic() - started:.1f}s", flush=True)

    started = time.monotonic()
    insert_select(
        Appointment,
        {
            "id": "gen_random_uuid()",
            "clinic": "(%(clinics)s::uuid[])[c + 1]",
            "patient": "(SELECT id FROM pt WHERE pt.clinic_id = (%(clinics)s::uuid[])[c + 1] "
            "AND rn = (m::bigint * 7919) %% %(per_clinic)s + 1)",
            "practitioner": "(%(doctors)s::uuid[])[c * %(prac)s + m %% %(prac)s + 1]",
            "service": "(%(services)s::uuid[])[c * 5 + (m / 7) %% 5 + 1]",
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
         LATERAL (SELECT g %% %(nc)s AS c, g / %(nc)s AS m) AS k,
         LATERAL (SELECT m / %(prac)s AS n) AS q,
         LATERAL (SELECT date_trunc('day', now()) - interval '2 hours'
                         - make_interval(days => (n / %(per_day)s)::int - 30)
                         + make_interval(mins => 60 * (n %% %(per_day)s)::int) AS s) AS t""",
        {**ids, "count": appointments},
    )
    print(f"  {appointments:,} appointments in {time.monotonic() - started:.1f}s", flush=True)

    started = time.monotonic()
    invoices = appointments * 3 // 10
    insert_select(
        Invoice,
        {
            "id": "gen_random_uuid()",
            "clinic": "(%(clinics)s::uuid[])[c + 1]",
            "created_at": "t",
            "updated_at": "t",
            "patient": "(SELECT id FROM pt WHERE pt.clinic_id = (%(clinics)s::uuid[])[c + 1] "
            "AND rn = (g * 31) %% %(per_clinic)s + 1)",
            "number": "'INV-B-' || lpad(g::text, 8, '0')",
            "status": "'paid'",
            "currency": "'INR'",
            "subtotal": "a",
            "total": "a",
            "amount_paid": "a",
            "issued_at": "t",
            "paid_at": "t",
            "practitioner": "(%(doctors)s::uuid[])[c * %(prac)s + g %% %(prac)s + 1]",
        },
        """FROM generate_series(0, %(n)s - 1) AS g,
         LATERAL (SELECT g %% %(nc)s AS c) AS k,
         LATERAL (SELECT now() - make_interval(days => (g %% 730)::int, mins => (g %% 600)::int) AS t,
                         (500 + 250 * (g %% 5))::numeric AS a) AS x""",
        {**ids, "n": invoices},
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
        "FROM billing_invoice i",
        {},
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
        "FROM billing_invoice i",
        {},
    )
    print(
        f"  {invoices:,} invoices, lines and payments in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    build_treatments(rows)
    return rows[0]


TREATMENTS = [("Consultation", "CONS", 800), ("Scaling", "SCL", 2200), ("Filling", "FIL", 1800)]


def build_treatments(clinics) -> None:
    """A visit summary for every fourth completed appointment (at its start, by its
    practitioner) with one or two treatments from a three-item catalog per clinic."""
    from django.db import connection

    from clinicore.records.models import (
        TreatmentCatalogItem,
        TreatmentRecord,
        TreatmentRecordItem,
    )

    started = time.monotonic()
    for clinic in clinics:
        for name, code, price in TREATMENTS:
            TreatmentCatalogItem.objects.create(
                clinic=clinic, name=name, code=code, default_price=price, currency="INR"
            )
    insert_select(
        TreatmentRecord,
        {
            "id": "gen_random_uuid()",
            "clinic": "a.clinic_id",
            "created_at": "a.start",
            "updated_at": "a.start",
            "patient": "a.patient_id",
            "practitioner": "a.practitioner_id",
            "appointment": "a.id",
            "performed_at": "a.start",
            "signed_at": "a.start + interval '30 minutes'",
        },
        "FROM scheduling_appointment a WHERE a.status = 'completed' "
        "AND abs(hashtext(a.reservation_code)) %% 4 = 0",
        {},
    )
    for position in (0, 1):  # every visit gets one treatment, every third a second one
        insert_select(
            TreatmentRecordItem,
            {
                "id": "gen_random_uuid()",
                "clinic": "r.clinic_id",
                "record": "r.id",
                "catalog_item": "c.id",
                "name": "c.name",
                "code": "c.code",
                "quantity": "1 + (abs(hashtext(r.id::text)) %% 7 = 0)::int",
                "price": "c.default_price",
                "currency": "c.currency",
                "position": str(position),
            },
            "FROM records_treatmentrecord r JOIN records_treatmentcatalogitem c "
            "ON c.clinic_id = r.clinic_id AND c.code = (ARRAY['CONS','SCL','FIL'])"
            "[(abs(hashtext(r.id::text)) + %(p)s) %% 3 + 1] "
            "WHERE %(p)s = 0 OR abs(hashtext(r.id::text)) %% 3 = 0",
            {"p": position},
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM records_treatmentrecord")
        (records,) = cursor.fetchone()
    print(
        f"  {records:,} visit summaries with treatments in {time.monotonic() - started:.1f}s",
        flush=True,
    )


def vacuum() -> None:
    """What autovacuum does to a table that has been written: statistics for the planner, and the
    visibility map that lets index-only scans skip the table (outside any transaction)."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  vacuumed and analyzed in {time.monotonic() - started:.1f}s", flush=True)


TABLES = (
    "records_treatmentrecord",
    "records_treatmentrecorditem",
    "patients_patient",
    "scheduling_appointment",
    "billing_invoice",
    "billing_invoiceline",
    "billing_payment",
)


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
    parser.add_argument("--clinics", type=int, default=50, help="clinics sharing the tables")
    args = parser.parse_args()
    if not (1_000 <= args.patients <= 5_000_000 and 1_000 <= args.appointments <= 20_000_000):
        parser.error("keep --patients and --appointments between 1,000 and a few million")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with pgcluster.cluster() as url:
        setup_django(url)

        print("Building the data set on PostgreSQL…", flush=True)
        from django.db import transaction

        with transaction.atomic():
            clinic = build(args.patients, args.appointments, args.clinics)
        vacuum()
        from clinicore.reports import selectors
        from clinicore.reports.periods import clinic_today

        today = clinic_today(clinic)
        import datetime as dt

        per = args.appointments // args.clinics
        from clinicore.clinics.models import Membership

        staff = Membership.objects.filter(clinic=clinic).count()
        print(
            f"\nReports of one clinic ({per:,} appointments over two years, {staff} practitioners, "
            f"{args.patients // args.clinics:,} patients; median / p95 of {args.runs} runs, ms):"
        )
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

        # Clinic 0 holds the patients numbered 0, nc, 2·nc…: names "Asha<g>", phones "+91 9<g>", cards "B<g>".
        step = args.clinics
        numbers = [
            k * step for k in range(3, args.patients // step, max(1, args.patients // step // 25))
        ]
        queries = (
            [f"Asha{g}"[: 4 + len(str(g)) // 2 + 1] for g in numbers]
            + ["Verma", "Nair Asha", "shah", "Iyer"]
            + [f"{g:09d}"[-6:] for g in numbers]
            + [f"B{g:011d}" for g in numbers]
        )
        times = []
        for q in queries * 3:
            started = time.perf_counter()
            list(patient_search(clinic=clinic, q=q)[:25])
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"\nPatient search in one clinic of {args.patients // args.clinics:,} patients (table: "
            f"{args.patients:,}; {len(times)} searches: name prefixes, phone digits, card codes): "
            f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
