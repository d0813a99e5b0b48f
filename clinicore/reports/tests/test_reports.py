"""Report figures against hand-computed expectations on a small seeded week (Asia/Kolkata)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from clinicore.billing.models import Invoice, Payment, Refund
from clinicore.clinics.permissions import Role
from clinicore.core.testing import make_patient
from clinicore.patients.models import Patient
from clinicore.reports import selectors
from clinicore.reports.periods import range_for
from clinicore.scheduling.models import Appointment, Service

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
RANGE = {"start": "2026-03-02", "end": "2026-03-08"}  # Monday to Sunday


def at(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=IST)


class Week:
    """Six appointments in the week (two just around local midnight), payments, a refund."""

    def __init__(self, world):
        clinic = world.clinic_a
        self.clinic = clinic
        self.doctor = world.member("a", Role.DOCTOR)
        self.dentist = world.member("a", Role.DENTIST)
        consult = Service.objects.create(
            clinic=clinic, name="Consultation", price=Decimal("500"), currency="INR"
        )
        cleaning = Service.objects.create(
            clinic=clinic, name="Cleaning", price=Decimal("1200"), currency="INR"
        )
        self.x = self._patient(at(1, 9).replace(month=2), "Xavier")  # registered in February
        self.y = self._patient(at(3, 10), "Yara")
        self.z = self._patient(at(4, 16), "Zoya")
        n = iter(range(100))

        def appt(start, prac, service, status, channel, patient, checked_in=None, started=None):
            return Appointment.objects.create(
                clinic=clinic,
                patient=patient,
                practitioner=prac,
                service=service,
                start=start,
                end=start + dt.timedelta(minutes=30),
                occupied_start=start,
                occupied_end=start + dt.timedelta(minutes=30),
                mode="in_person",
                status=status,
                source_channel=channel,
                reservation_code=f"R-T{next(n):05d}",
                checked_in_at=checked_in,
                started_at=started,
            )

        appt(
            at(2, 10), self.doctor, consult, "completed", "desk", self.x, at(2, 9, 55), at(2, 10, 5)
        )
        appt(at(3, 1), self.doctor, consult, "no_show", "portal", self.y)  # 2 Mar 19:30 UTC
        appt(at(3, 1, 30), self.doctor, consult, "cancelled", "portal", self.y)
        appt(
            at(4, 11),
            self.dentist,
            cleaning,
            "completed",
            "desk",
            self.y,
            at(4, 10, 50),
            at(4, 11, 10),
        )
        appt(at(5, 12), self.dentist, cleaning, "no_show", "phone", self.z)
        appt(at(8, 23, 30), self.doctor, consult, "confirmed", "portal", self.z)  # 8 Mar 18:00 UTC
        # Outside the week in the clinic's zone, or not an appointment at all:
        appt(at(9, 0, 30), self.doctor, consult, "scheduled", "portal", self.z)  # 8 Mar 19:00 UTC
        appt(at(1, 23, 59), self.doctor, consult, "completed", "desk", self.x)
        appt(at(6, 9), self.dentist, cleaning, "held", "portal", self.z)

        def pay(amount, method, paid_at, prac, status=Payment.Status.COMPLETED):
            invoice = Invoice.objects.create(
                clinic=clinic,
                patient=self.x,
                number=f"INV-T-{next(n)}",
                status=Invoice.Status.PAID,
                currency="INR",
                total=Decimal(amount),
                practitioner=prac,
                issued_at=paid_at,
            )
            return Payment.objects.create(
                clinic=clinic,
                invoice=invoice,
                receipt_number=f"RC-{next(n)}",
                amount=Decimal(amount),
                currency="INR",
                method=method,
                provider="desk",
                status=status,
                paid_at=paid_at,
            )

        pay("500", "cash", at(2, 10, 30), self.doctor)
        upi = pay("1200", "upi", at(4, 23, 45), self.dentist, Payment.Status.PARTIALLY_REFUNDED)
        pay("300", "card", at(9, 0, 15), self.doctor)  # 8 Mar 18:45 UTC: next week locally
        pay("700", "card", at(5, 12), self.doctor, Payment.Status.FAILED)
        Refund.objects.create(
            clinic=clinic,
            payment=upi,
            amount=Decimal("200"),
            currency="INR",
            reason="Partly unused",
            status=Refund.Status.SUCCEEDED,
            processed_at=at(6, 12),
        )

    def _patient(self, created_at, name):
        patient = make_patient(self.clinic, first_name=name)
        Patient.objects.filter(pk=patient.pk).update(created_at=created_at)
        patient.refresh_from_db()
        return patient


@pytest.fixture
def week(world):
    return Week(world)


def test_it_counts_appointments_by_status_service_practitioner_and_channel(week):
    data = selectors.report_build(clinic=week.clinic, kind="appointments", **RANGE).data
    assert (data["total"], data["completed"], data["cancelled"], data["no_shows"]) == (6, 2, 1, 2)
    assert data["no_show_rate"] == Decimal("40.0")  # 2 no-shows of 5 not cancelled
    assert {b["label"]: b["count"] for b in data["by_service"]} == {
        "Consultation": 4,
        "Cleaning": 2,
    }
    assert {b["key"]: b["count"] for b in data["by_channel"]} == {
        "portal": 3,
        "desk": 2,
        "phone": 1,
    }
    by_prac = {b["key"]: (b["count"], b["no_shows"]) for b in data["by_practitioner"]}
    assert by_prac == {str(week.doctor.pk): (4, 1), str(week.dentist.pk): (2, 1)}
    assert [p["count"] for p in data["series"]] == [1, 2, 1, 1, 0, 0, 1]


def test_it_groups_by_the_clinics_day_not_utc(week):
    data = selectors.report_build(
        clinic=week.clinic, kind="appointments", start="2026-03-03", end="2026-03-03"
    ).data
    assert data["total"] == 2  # both fall on 2 March in UTC
    data = selectors.report_build(
        clinic=week.clinic, kind="appointments", start="2026-03-09", end="2026-03-09"
    ).data
    assert data["total"] == 1


def test_it_sums_revenue_by_method_and_practitioner_less_refunds(week):
    data = selectors.report_build(clinic=week.clinic, kind="revenue", **RANGE).data
    assert data["received"] == Decimal("1700.00") and data["payments"] == 2
    assert data["refunded"] == Decimal("200.00") and data["net"] == Decimal("1500.00")
    assert {b["key"]: b["amount"] for b in data["by_method"]} == {
        "upi": Decimal("1200.00"),
        "cash": Decimal("500.00"),
    }
    assert {b["key"]: b["amount"] for b in data["by_practitioner"]} == {
        str(week.dentist.pk): Decimal("1200.00"),
        str(week.doctor.pk): Decimal("500.00"),
    }
    assert [p["net"] for p in data["series"]] == [
        Decimal(v) for v in ("500", "0", "1200", "0", "-200", "0", "0")
    ]
    weekly = selectors.report_build(clinic=week.clinic, kind="revenue", group="week", **RANGE).data
    assert [(p["period"], p["net"]) for p in weekly["series"]] == [
        ("2026-03-02", Decimal("1500.00"))
    ]


def test_it_counts_new_and_returning_patients(week):
    data = selectors.report_build(
        clinic=week.clinic, kind="patient-growth", group="week", **RANGE
    ).data
    assert data["new_patients"] == 2  # Yara and Zoya registered during the week
    assert data["returning_patients"] == 1  # Xavier, registered before, came back
    assert data["series"] == [{"period": "2026-03-02", "new": 2, "returning": 1}]


def test_it_reports_staff_performance_with_average_wait(week):
    data = selectors.report_build(clinic=week.clinic, kind="staff-performance", **RANGE).data
    rows = {r["membership_id"]: r for r in data["staff"]}
    doctor, dentist = rows[str(week.doctor.pk)], rows[str(week.dentist.pk)]
    assert (doctor["appointments"], doctor["completed"], doctor["no_shows"]) == (4, 1, 1)
    assert doctor["revenue"] == Decimal("500.00") and doctor["average_delay_minutes"] == Decimal(
        "10.0"
    )
    assert dentist["revenue"] == Decimal("1200.00") and dentist["average_delay_minutes"] == Decimal(
        "20.0"
    )


def test_it_never_loads_appointment_rows_into_python(week, django_assert_max_num_queries):
    rng = range_for(week.clinic, **RANGE)
    with django_assert_max_num_queries(8):
        selectors.appointments_report(clinic=week.clinic, rng=rng)


def test_it_serves_reports_over_the_api_to_managers_only(week, world, api):
    response = api.get("/api/v1/reports/revenue", headers=world.headers("a", Role.MANAGER), **RANGE)
    assert response.status_code == 200, response.content
    assert response.json()["net"] == "1500.00"
    assert (
        api.get(
            "/api/v1/reports/revenue", headers=world.headers("a", Role.RECEPTIONIST), **RANGE
        ).status_code
        == 403
    )
    other = api.get(
        "/api/v1/reports/appointments", headers=world.headers("b", Role.OWNER), **RANGE
    ).json()
    assert other["total"] == 0  # clinic B never sees clinic A's figures


def test_it_refuses_a_backwards_range(world, api):
    response = api.get(
        "/api/v1/reports/appointments",
        headers=world.headers("a", Role.OWNER),
        start="2026-03-08",
        end="2026-03-01",
    )
    assert response.status_code == 422
    assert "after the end" in response.json()["detail"]


def test_it_exports_in_the_background_with_progress_and_a_download(
    week, world, api, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    headers = world.headers("a", Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/reports/custom",
            {"report": "revenue", "format": "csv", **RANGE},
            headers=headers,
        )
    assert response.status_code == 202, response.content
    status = api.get(f"/api/v1/reports/export/{response.json()['id']}", headers=headers).json()
    assert status["status"] == "done" and status["progress"] == 100
    file = api.get(status["download_url"], headers=headers)
    text = file.content.decode("utf-8-sig")
    assert "Net (INR),1500.00" in text and "UPI,1,1200.00" in text
    hidden = api.get(
        f"/api/v1/reports/export/{response.json()['id']}", headers=world.headers("b", Role.OWNER)
    )
    assert hidden.status_code == 404


def test_it_answers_a_custom_report_at_once_as_json(week, world, api):
    response = api.post(
        "/api/v1/reports/custom",
        {"report": "appointments", "group": "week", **RANGE},
        headers=world.headers("a", Role.ADMIN),
    )
    assert response.status_code == 200, response.content
    summary = {s["label"]: s["value"] for s in response.json()["summary"]}
    assert summary["No-show rate (%)"] == "40.0"


def test_it_shows_report_pages_with_charts_and_files(week, world, client):
    manager = world.member("a", Role.MANAGER)
    client.force_login(manager.user)
    page = client.get("/c/clinic-a/desk/reports/revenue/", RANGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "1500.00" in body
    pdf = client.get("/c/clinic-a/desk/reports/revenue.pdf", RANGE)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.force_login(world.member("a", Role.RECEPTIONIST).user)
    assert client.get("/c/clinic-a/desk/reports/revenue/").status_code == 403


def test_it_counts_each_clinics_appointments_this_month_for_the_console(week, world):
    usage = selectors.platform_usage(
        clinic_ids=[week.clinic.pk, world.clinic_b.pk], now=dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    )
    # March (UTC): nine rows less the hold = 8 (the 1 Mar 23:59 IST one is 18:29 UTC on 1 Mar).
    assert usage == {week.clinic.pk: 8}


def test_a_bad_date_on_the_report_page_is_a_sentence_not_an_error_page(world, client):
    client.force_login(world.member("a", Role.OWNER).user)
    page = client.get("/c/clinic-a/desk/reports/appointments/", {"start": "2026-13-40"})
    assert page.status_code == 422
    assert "Dates must look like 2026-03-31." in page.content.decode()


def test_the_platform_console_shows_appointments_this_month_per_clinic(world, client):
    from clinicore.core.testing import make_user
    from clinicore.scheduling.testing import book

    book(world.clinic_a)  # tomorrow: this month unless today is the month's last day
    operator = make_user("ops@example.test", is_staff=True)
    client.force_login(operator)
    page = client.get("/ops/").content.decode()
    assert "Appointments this month" in page
    expected = selectors.platform_usage(clinic_ids=[world.clinic_a.pk]).get(world.clinic_a.pk, 0)
    assert f'data-label="Appointmentsthismonth">{expected}</td>' in page.replace(" ", "")
    assert selectors.platform_usage(clinic_ids=[world.clinic_b.pk]) == {}  # clinic B booked nothing
