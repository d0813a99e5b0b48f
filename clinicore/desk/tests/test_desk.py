"""Front desk, billing desk, staff and settings: what a receptionist, a doctor and an owner see."""

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from clinicore.billing import services as billing
from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Role
from clinicore.core.models import AuditEntry
from clinicore.core.testing import make_patient
from clinicore.desk import selectors, services
from clinicore.desk.models import ScanEvent
from clinicore.notifications.models import OutboxMessage
from clinicore.patients.services import patient_merge, patient_update
from clinicore.scheduling.models import Appointment, WorkingHours
from clinicore.scheduling.services import appointment_book
from clinicore.scheduling.testing import make_service

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
MORNING = dt.datetime(2026, 3, 10, 7, 30, tzinfo=IST)  # before the doors open at 8:00


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(world, morning):
    clinic = world.clinic_a
    service = make_service(clinic, name="Consultation", price=Decimal("500"), currency="INR")
    doctor = world.member("a", Role.DOCTOR)
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                clinic=clinic,
                practitioner=doctor,
                weekday=d,
                start_time=dt.time(8),
                end_time=dt.time(18),
            )
            for d in range(7)
        ]
    )
    service.practitioners.add(doctor)

    def book(patient, hour, minute=0):
        appt, _ = appointment_book(
            clinic=clinic,
            actor=None,
            patient=patient,
            practitioner=doctor,
            service=service,
            start=dt.datetime(2026, 3, 10, hour, minute, tzinfo=IST),
        )
        return appt

    return type(
        "Desk",
        (),
        {"clinic": clinic, "service": service, "doctor": doctor, "book": staticmethod(book)},
    )


def login(client, world, role, clinic="a"):
    client.force_login(world.member(clinic, role).user)


def test_it_checks_in_a_scanned_patient_and_records_the_scan(world, desk, api):
    appt = desk.book(world.patient_a, 9, 15)
    response = api.post(
        "/api/v1/barcodes/scan",
        {"code": world.patient_a.barcode, "source": "wedge"},
        headers=world.headers("a", Role.RECEPTIONIST),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "checked_in" and body["checked_in"] is True
    assert body["appointment"]["reservation_code"] == appt.reservation_code
    appt.refresh_from_db()
    assert appt.status == Appointment.Status.CHECKED_IN and appt.checked_in_at is not None
    again = api.post(
        "/api/v1/barcodes/scan",
        {"code": world.patient_a.barcode},
        headers=world.headers("a", Role.RECEPTIONIST),
    ).json()
    assert again["outcome"] == "already_in"
    assert ScanEvent.objects.filter(clinic=desk.clinic, patient=world.patient_a).count() == 2


def test_it_never_finds_another_clinics_card(world, desk, api):
    response = api.post(
        "/api/v1/barcodes/scan",
        {"code": world.patient_b.barcode},
        headers=world.headers("a", Role.RECEPTIONIST),
    )
    assert response.json()["outcome"] == "unknown" and response.json()["patient"] is None


def _scan(api, world, code):
    return api.post(
        "/api/v1/barcodes/scan", {"code": code}, headers=world.headers("a", Role.RECEPTIONIST)
    ).json()


def test_it_finds_a_patient_by_barcode_without_a_visit_today(world, desk, api):
    body = _scan(api, world, world.other_patient_a.barcode)
    assert body["outcome"] == "no_appointment" and body["patient"] is not None
    assert "no appointment today" in body["message"]


def test_it_finds_a_patient_by_reservation_code_without_a_visit_today(world, desk, api):
    next_week, _ = appointment_book(
        clinic=desk.clinic,
        actor=None,
        patient=world.other_patient_a,
        practitioner=desk.doctor,
        service=desk.service,
        start=dt.datetime(2026, 3, 17, 10, tzinfo=IST),
    )
    body = _scan(api, world, next_week.reservation_code.lower())
    assert body["outcome"] == "no_appointment"
    assert body["message"] == f"{world.other_patient_a.full_name} has no appointment today."
    next_week.refresh_from_db()
    assert next_week.status == Appointment.Status.SCHEDULED  # next week's visit is left alone
    scan = ScanEvent.objects.get(code=next_week.reservation_code.lower())
    assert scan.patient == world.other_patient_a


def test_it_checks_in_todays_visit_by_its_reservation_code(world, desk, api):
    appt = desk.book(world.other_patient_a, 8, 30)
    body = _scan(api, world, appt.reservation_code)
    assert body["outcome"] == "checked_in"
    assert body["appointment"]["reservation_code"] == appt.reservation_code
    appt.refresh_from_db()
    assert appt.status == Appointment.Status.CHECKED_IN


def test_it_flags_late_arrivals_and_shows_waiting_time(world, desk, morning):
    late = desk.book(world.patient_a, 8, 30)
    seen = desk.book(world.other_patient_a, 9, 0)  # arrives early
    morning.move_to(dt.datetime(2026, 3, 10, 8, 45, tzinfo=IST))
    services.barcode_scan(clinic=desk.clinic, actor=None, code=world.other_patient_a.barcode)
    morning.move_to(dt.datetime(2026, 3, 10, 8, 57, tzinfo=IST))
    board = selectors.board_for_day(clinic=desk.clinic)
    rows = {r.appointment.pk: r for r in board.rows}
    assert rows[late.pk].flag == "late"  # 27 minutes past 8:30 and not here
    assert rows[seen.pk].waiting_minutes == 12
    assert board.counts["waiting"] == 1 and board.counts["late"] == 1


def test_it_registers_a_walk_in_and_gives_the_next_free_time(world, desk):
    desk.book(world.patient_a, 8, 0)  # 8:00–8:30 taken
    patient, appt = services.walk_in_register(
        clinic=desk.clinic,
        actor=world.member("a", Role.RECEPTIONIST).user,
        service=desk.service,
        first_name="Walk",
        last_name="In",
        phone="+91 90000 00000",
    )
    assert appt.start.astimezone(IST).time() == dt.time(8, 30)
    assert appt.status == Appointment.Status.CHECKED_IN and appt.source_channel == "walk_in"
    assert patient.clinic == desk.clinic


def test_a_doctor_sees_allergies_on_the_board_and_a_receptionist_does_not(world, desk, client):
    patient_update(patient=world.patient_a, allergies="Penicillin")
    desk.book(world.patient_a, 11)
    login(client, world, Role.DOCTOR)
    assert "Penicillin" in client.get("/c/clinic-a/desk/").content.decode()
    login(client, world, Role.RECEPTIONIST)
    page = client.get("/c/clinic-a/desk/").content.decode()
    assert world.patient_a.full_name in page and "Penicillin" not in page


def test_a_receptionist_cannot_open_reports_settings_or_the_audit_log(world, client):
    login(client, world, Role.RECEPTIONIST)
    for path in ("reports/", "reports/revenue/", "settings/", "audit/"):
        assert client.get(f"/c/clinic-a/desk/{path}", follow=True).status_code == 403, path
    login(client, world, Role.DOCTOR, clinic="b")
    assert client.get("/c/clinic-a/desk/").status_code == 404


def test_it_merges_a_duplicate_moving_appointments_and_invoices(world, desk, api):
    keep, duplicate = (
        world.patient_a,
        make_patient(desk.clinic, first_name="Asha", email="asha@example.test"),
    )
    patient_update(patient=duplicate, allergies="Latex")
    appt = desk.book(duplicate, 14)
    invoice = billing.invoice_create(
        clinic=desk.clinic,
        actor=None,
        patient=duplicate,
        issue=True,
        lines=[
            {"description": "Consultation", "quantity": Decimal("1"), "unit_price": Decimal("500")}
        ],
    )
    response = api.post(
        f"/api/v1/patients/{keep.pk}/merge",
        {"duplicate_id": str(duplicate.pk)},
        headers=world.headers("a", Role.MANAGER),
    )
    assert response.status_code == 200, response.content
    appt.refresh_from_db(), invoice.refresh_from_db(), duplicate.refresh_from_db()
    assert appt.patient_id == keep.pk and invoice.patient_id == keep.pk
    assert duplicate.merged_into_id == keep.pk and not duplicate.is_active
    keep.refresh_from_db()
    assert keep.email == "asha@example.test" and "Latex" in keep.allergies
    entry = AuditEntry.objects.get(action="patient.merge", entity_id=str(keep.pk))
    assert "scheduling.appointment.patient" in entry.fields and "Latex" not in str(entry.fields)
    forbidden = api.post(
        f"/api/v1/patients/{keep.pk}/merge",
        {"duplicate_id": str(duplicate.pk)},
        headers=world.headers("a", Role.RECEPTIONIST),
    )
    assert forbidden.status_code == 403
    across = api.post(
        f"/api/v1/patients/{world.patient_b.pk}/merge",
        {"duplicate_id": str(keep.pk)},
        headers=world.headers("a", Role.OWNER),
    )
    assert across.status_code == 404


def test_it_refuses_merging_a_record_into_itself(world):
    with pytest.raises(Exception, match="two different"):
        patient_merge(clinic=world.clinic_a, keep=world.patient_a, duplicate=world.patient_a)


def test_an_owner_invites_staff_who_accept_by_email_link(
    world, client, settings, django_capture_on_commit_callbacks
):
    settings.TWO_FACTOR_ENFORCED = False
    login(client, world, Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/c/clinic-a/desk/staff/",
            {
                "action": "invite",
                "email": "nurse.new@example.test",
                "role": "nurse",
                "full_name": "Nina Nurse",
            },
        )
    assert response.status_code == 302
    sent = OutboxMessage.objects.get(event="staff_invite", address="nurse.new@example.test")
    link = re.search(r"http://\S+/join/\S+/", sent.body_text).group(0)
    client.logout()
    path = (
        link.split("127.0.0.1:8000")[-1]
        if "127.0.0.1:8000" in link
        else "/" + link.split("/", 3)[3]
    )
    page = client.get(path)
    assert "Join Clinic A" in page.content.decode()
    accepted = client.post(path, {"full_name": "Nina Nurse", "password": "a long enough secret 42"})
    assert accepted.status_code == 302
    member = Membership.objects.get(clinic=world.clinic_a, user__email="nurse.new@example.test")
    assert member.role == Role.NURSE and member.is_active
    assert client.get(path).status_code == 404  # used once


def test_an_owner_changes_a_booking_rule(world, client, settings):
    settings.TWO_FACTOR_ENFORCED = False
    login(client, world, Role.OWNER)
    response = client.post(
        "/c/clinic-a/desk/settings/",
        {
            "section": "booking",
            "slot_step_minutes": "20",
            "max_open_per_patient": "2",
            "hold_minutes": "8",
            "refund_full_hours": "12",
            "refund_late_percent": "50",
        },
    )
    assert response.status_code == 302
    world.clinic_a.refresh_from_db()
    assert world.clinic_a.slot_step_minutes == 20
    from clinicore.scheduling.selectors import booking_rules

    assert booking_rules(world.clinic_a).max_open_per_patient == 2


def test_the_cash_up_adds_the_days_takings_by_method(world, desk, client):
    clinic = desk.clinic
    receptionist = world.member("a", Role.RECEPTIONIST).user
    for amount, method in (("500", "cash"), ("300", "cash"), ("700", "upi")):
        invoice = billing.invoice_create(
            clinic=clinic,
            actor=None,
            patient=world.patient_a,
            issue=True,
            lines=[
                {"description": "Visit", "quantity": Decimal("1"), "unit_price": Decimal(amount)}
            ],
        )
        billing.payment_record_desk(
            clinic=clinic,
            invoice=invoice,
            actor=receptionist,
            amount=None,
            method=method,
            reference="123456789012" if method == "upi" else "",
        )
    login(client, world, Role.RECEPTIONIST)
    page = client.get("/c/clinic-a/desk/till/cash-up/").content.decode()
    assert "800.00 INR" in page and "1500.00 INR" in page  # cash in drawer; everything taken


def test_the_audit_log_filters_by_action(world, client, settings):
    settings.TWO_FACTOR_ENFORCED = False
    patient_update(patient=world.patient_a, phone="+91 90000 11111")
    login(client, world, Role.MANAGER)
    page = client.get("/c/clinic-a/desk/audit/", {"action": "patient.update"}).content.decode()
    assert "patient.update" in page and "patient.create" not in page


def test_a_manager_merges_duplicates_from_the_workspace(world, desk, client):
    duplicate = make_patient(desk.clinic, first_name="Asha", last_name="Dup")
    desk.book(duplicate, 15)
    login(client, world, Role.MANAGER)
    preview = client.get(
        "/c/clinic-a/desk/merge/", {"keep": world.patient_a.pk, "duplicate": duplicate.pk}
    )
    assert "1 appointments" in preview.content.decode()
    done = client.post(
        "/c/clinic-a/desk/merge/", {"keep": world.patient_a.pk, "duplicate": duplicate.pk}
    )
    assert done.status_code == 302 and done["Location"].endswith(f"/patients/{world.patient_a.pk}/")
    assert Appointment.objects.filter(patient=world.patient_a).count() == 1
    login(client, world, Role.RECEPTIONIST)
    assert client.get("/c/clinic-a/desk/merge/").status_code == 403


def test_phone_booking_finds_the_caller_by_reservation_code(world, desk, client):
    appt = desk.book(world.patient_a, 16)
    login(client, world, Role.RECEPTIONIST)
    page = client.get(
        "/c/clinic-a/desk/phone-booking/", {"q": appt.reservation_code.lower()}
    ).content.decode()
    assert world.patient_a.full_name in page and "Next free:" in page


@pytest.fixture
def board_sends(monkeypatch):
    """Every live message sent to a clinic's board topic, in order."""
    from clinicore.core import live

    sent = []
    monkeypatch.setattr(
        live, "live_send_now", lambda group, payload: sent.append((group, payload["event"]))
    )
    return sent


def test_each_desk_change_refreshes_open_boards_exactly_once(
    world, desk, morning, board_sends, django_capture_on_commit_callbacks
):
    from clinicore.core.live import live_group

    board = live_group("board", str(desk.clinic.pk))
    receptionist = world.member("a", Role.RECEPTIONIST).user
    appt = desk.book(world.patient_a, 8, 30)
    board_sends.clear()
    morning.move_to(dt.datetime(2026, 3, 10, 8, 20, tzinfo=IST))
    with django_capture_on_commit_callbacks(execute=True):
        services.barcode_scan(clinic=desk.clinic, actor=receptionist, code=world.patient_a.barcode)
    assert board_sends == [(board, "appointment.checked_in")]
    board_sends.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.board_action(
            clinic=desk.clinic, actor=receptionist, appointment=appt, action="start"
        )
    assert board_sends == [(board, "appointment.in_progress")]
    from clinicore.clinics.models import Branch, Room

    room = Room.objects.create(
        clinic=desk.clinic, branch=Branch.objects.create(clinic=desk.clinic, name="Main"), name="1"
    )
    board_sends.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.board_action(
            clinic=desk.clinic, actor=receptionist, appointment=appt, action="room", room_id=room.pk
        )
    assert board_sends == [(board, "appointment.room")]
    board_sends.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_booking(
            clinic=desk.clinic,
            actor=receptionist,
            patient=world.other_patient_a,
            service=desk.service,
            practitioner=desk.doctor,
            start=dt.datetime(2026, 3, 10, 11, tzinfo=IST),
        )
    assert board_sends == [(board, "appointment.booked")]
