"""Transferred size (gzip) and server time of each patient-portal page.

Run: .venv/bin/python bench/pages.py  — builds a throwaway SQLite database with one bookable
clinic and a patient who has an appointment and an invoice, then fetches every portal page the
way a phone would (Accept-Encoding: gzip) and prints what crossed the wire. Page weight counts
the HTML plus the stylesheet and scripts every page loads (compressed), not images.
"""

import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="clinicore-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicore.settings")
os.environ["CLINICORE_ENV"] = "test"
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ["VAR_DIR"] = TMP
os.environ.setdefault("RATE_LIMIT_ENABLED", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LIMIT = 100 * 1024
RUNS = 5


def static_weight() -> int:
    total = 0
    for name in ("css/app.css", "vendor/htmx/htmx.min.js", "js/app.js", "portal/portal.js"):
        path = finders.find(name)
        if path:
            total += len(gzip.compress(Path(path).read_bytes()))
    return total


def main() -> int:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    from decimal import Decimal

    from django.utils import timezone

    from clinicore.billing import services as billing
    from clinicore.core.testing import make_user
    from clinicore.portal import calendar
    from clinicore.portal.links import clinic_join_url
    from clinicore.portal.services import patient_join_clinic
    from clinicore.portal.tests.helpers import BookableClinic
    from clinicore.scheduling import services as scheduling

    bc = BookableClinic()
    user = make_user("bench.patient@example.test", full_name="Bench Patient")
    patient = patient_join_clinic(clinic=bc.clinic, user=user)
    now = timezone.now()
    cal = calendar.two_weeks(
        clinic=bc.clinic,
        service=bc.free,
        practitioner_id=bc.doctor.pk,
        mode="in_person",
        first=calendar.clinic_today(bc.clinic, now),
        now=now,
    )
    start = next(d.slots[0][0] for d in cal.days if d.slots)
    appointment, _ = scheduling.appointment_book(
        clinic=bc.clinic,
        actor=user,
        patient=patient,
        practitioner=bc.doctor,
        service=bc.free,
        start=start,
        mode="in_person",
        as_patient=True,
    )
    billing.invoice_create(
        clinic=bc.clinic,
        actor=bc.owner.user,
        patient=patient,
        issue=True,
        lines=[
            {"description": "Dressing", "quantity": Decimal("1"), "unit_price": Decimal("450.00")}
        ],
    )
    book = f"/c/{bc.clinic.slug}/book/"
    pages = [
        ("home", "/", False),
        ("clinic landing", f"/c/{bc.clinic.slug}/", False),
        ("QR registration", clinic_join_url(bc.clinic, absolute=False), False),
        ("book: service", book, False),
        ("book: mode", f"{book}?service={bc.free.pk}", False),
        ("book: practitioner", f"{book}?service={bc.free.pk}&mode=in_person", False),
        ("book: calendar", f"{book}?service={bc.free.pk}&mode=in_person&practitioner=any", False),
        (
            "book: details",
            f"{book}?service={bc.free.pk}&mode=in_person&practitioner=any&slot={cal.days[cal.open_index].slots[1][2]}&with={cal.days[cal.open_index].slots[1][1]}",
            False,
        ),
        ("me: overview", "/me/", True),
        ("me: appointments", "/me/appointments/", True),
        ("me: appointment", f"/me/appointments/{appointment.pk}/", True),
        ("me: reschedule", f"/me/appointments/{appointment.pk}/reschedule/", True),
        ("me: payments", "/me/payments/", True),
        ("me: records", "/me/records/", True),
        ("me: card", "/me/card/", True),
        ("me: card full screen", f"/me/card/{patient.pk}/", True),
        ("me: profile", "/me/profile/", True),
        ("me: account", "/me/account/", True),
        ("offline page", "/offline/", False),
    ]
    anon, signed = Client(), Client()
    signed.force_login(user)
    assets = static_weight()
    print(f"shared assets (css + js, gzip): {assets / 1024:.1f} KB, loaded once and cached")
    print(
        f"{'page':<24} {'status':>6} {'html gzip':>10} {'with assets':>12} {'server ms (median of 5)':>24}"
    )
    worst = 0
    for name, url, auth in pages:
        client = signed if auth else anon
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            response = client.get(url, headers={"Accept-Encoding": "gzip"})
            times.append((time.perf_counter() - t0) * 1000)
        body = response.content
        encoded = response.get("Content-Encoding") == "gzip"
        size = len(body) if encoded else len(gzip.compress(body))
        total = size + assets
        worst = max(worst, total)
        flag = "" if total < LIMIT else "  OVER 100 KB"
        print(
            f"{name:<24} {response.status_code:>6} {size / 1024:>8.1f}KB {total / 1024:>10.1f}KB {statistics.median(times):>24.1f}{flag}"
        )
    print(f"heaviest page with its assets: {worst / 1024:.1f} KB (budget 100 KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
