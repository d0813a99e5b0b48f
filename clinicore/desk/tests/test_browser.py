"""Workspace journeys in a real Chromium against the real server: a receptionist's morning, a
doctor's day, an owner inviting staff and changing a booking rule, a manager's revenue export."""

import datetime as dt
import os
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from clinicore.clinics.models import Clinic, Membership
from clinicore.clinics.permissions import Role
from clinicore.core.testing import PASSWORD
from clinicore.notifications.models import OutboxMessage
from clinicore.patients.services import patient_update
from clinicore.scheduling.models import Appointment, WorkingHours
from clinicore.scheduling.services import appointment_book
from clinicore.scheduling.testing import make_service
from conftest import assert_accessible

pytestmark = pytest.mark.browser


def _clinic_where_it_is_ten(clinic) -> zoneinfo.ZoneInfo:
    """Moves the clinic to a fixed-offset zone where it is now 10:xx, so 'today' has a morning
    ahead of it whenever the test runs."""
    offset = (10 - timezone.now().hour) % 24
    offset = offset - 24 if offset > 12 else offset
    name = "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")
    Clinic.objects.filter(pk=clinic.pk).update(time_zone=name, upi_vpa="clinica@okbank")
    clinic.refresh_from_db()
    return zoneinfo.ZoneInfo(name)


@pytest.fixture
def morning(world):
    clinic = world.clinic_a
    tz = _clinic_where_it_is_ten(clinic)
    service = make_service(clinic, name="Consultation", price=Decimal("500"), currency="INR")
    doctor = world.member("a", Role.DOCTOR)
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                clinic=clinic,
                practitioner=doctor,
                weekday=d,
                start_time=dt.time(6),
                end_time=dt.time(20),
            )
            for d in range(7)
        ]
    )
    service.practitioners.add(doctor)
    today = timezone.now().astimezone(tz).date()

    def book(patient, hour, minute=0):
        appt, _ = appointment_book(
            clinic=clinic,
            actor=None,
            patient=patient,
            practitioner=doctor,
            service=service,
            start=dt.datetime.combine(today, dt.time(hour, minute), tzinfo=tz),
        )
        return appt

    patient_update(patient=world.patient_a, last_name="Verma", allergies="Penicillin")
    first = book(world.patient_a, 11, 30)
    book(world.other_patient_a, 12, 0)
    return {"clinic": clinic, "service": service, "doctor": doctor, "first": first}


def _sign_in(page, base, user, next_url):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_url}")


def _shots(page, screenshot_dir, name):
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(
            path=os.path.join(screenshot_dir, f"desk-{name}-{width}.png"), full_page=True
        )


def test_a_receptionists_morning(page, asgi_server, world, morning, screenshot_dir):
    desk = f"/c/{world.clinic_a.slug}/desk/"
    _sign_in(page, asgi_server, world.member("a", Role.RECEPTIONIST).user, desk)
    board = page.locator("#board")
    assert board.get_by_text("Asha Verma").is_visible()
    assert page.get_by_text("Penicillin").count() == 0  # clinical detail: not for the front desk
    assert_accessible(page)
    _shots(page, screenshot_dir, "board")

    # A keyboard-wedge scanner types the card code and Enter into the focused box.
    assert page.evaluate("document.activeElement.id") == "scan-code"
    page.keyboard.type(world.patient_a.barcode)
    page.keyboard.press("Enter")
    result = page.locator("#scan-result")
    result.get_by_text("Asha Verma is checked in.").wait_for()
    row = board.locator(f"[data-appointment='{morning['first'].pk}']")
    row.get_by_text("Checked in").first.wait_for()  # the board reloaded itself
    assert page.evaluate("document.activeElement.id") == "scan-code"  # ready for the next card
    morning["first"].refresh_from_db()
    assert morning["first"].status == Appointment.Status.CHECKED_IN

    # A walk-in: registered in seconds, given the next free time, checked in.
    page.get_by_role("link", name="Walk-in").click()
    page.fill("#wi-first", "Walter")
    page.fill("#wi-last", "Mathews")
    page.fill("#wi-phone", "+91 90000 12345")
    assert_accessible(page)
    page.get_by_role("button", name="Register and book next free time").click()
    page.wait_for_url(f"**{desk}")
    assert page.get_by_text(re.compile(r"Walter Mathews is booked at \d\d:\d\d")).is_visible()
    walk_in = Appointment.objects.get(patient__first_name="Walter")
    assert walk_in.source_channel == "walk_in" and walk_in.status == Appointment.Status.CHECKED_IN

    # The bill: an invoice for Asha, part in cash, the rest by UPI from the QR on screen.
    page.get_by_role("link", name="Billing").click()
    page.get_by_role("link", name="New invoice").click()
    page.fill("#inv-q", "Verma")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=Verma**")
    page.select_option("#inv-service", label="Consultation — 500.00 INR")
    page.select_option("#inv-prac", str(morning["doctor"].pk))
    page.get_by_role("button", name="Issue invoice").click()
    page.get_by_text(re.compile(r"Invoice INV-\d{4}-\d{6} issued")).wait_for()
    page.fill("#cash-amount", "200")
    page.get_by_role("button", name="Record cash").click()
    page.get_by_text(re.compile(r"200\.00 INR received by Cash")).wait_for()
    assert page.locator("[data-balance]").inner_text() == "300.00 INR"
    assert page.locator(".upi-qr svg").is_visible()
    assert_accessible(page)
    _shots(page, screenshot_dir, "invoice-upi")
    page.fill("#upi-utr", "412345678901")
    page.get_by_role("button", name="Confirm UPI payment").click()
    page.get_by_text(re.compile(r"300\.00 INR received by UPI")).wait_for()
    assert page.locator("[data-invoice-status]").inner_text() == "Paid"

    page.goto(f"{asgi_server}{desk}till/cash-up/")
    assert page.locator("[data-cash-drawer]").inner_text() == "200.00 INR"
    assert_accessible(page)
    _shots(page, screenshot_dir, "cash-up")


def test_a_doctors_view_of_their_day(page, asgi_server, world, morning, screenshot_dir):
    desk = f"/c/{world.clinic_a.slug}/desk/"
    _sign_in(page, asgi_server, world.member("a", Role.DOCTOR).user, desk)
    assert page.get_by_role("heading", name=re.compile("My day")).is_visible()
    assert page.get_by_text("Allergies: Penicillin").is_visible()  # highlighted for the clinician
    assert page.locator("#scan-code").count() == 1  # doctors may check patients in too
    assert_accessible(page)
    _shots(page, screenshot_dir, "doctor-day")
    page.get_by_role("link", name="Calendar").click()
    page.get_by_text("Asha Verma").first.wait_for()
    assert_accessible(page)
    _shots(page, screenshot_dir, "calendar")


def test_an_owner_invites_a_colleague_and_changes_a_booking_rule(
    page, asgi_server, world, screenshot_dir
):
    base = f"/c/{world.clinic_a.slug}/desk/"
    _sign_in(page, asgi_server, world.member("a", Role.OWNER).user, f"{base}staff/")
    page.fill("#inv-email", "ravi.reception@example.test")
    page.fill("#inv-name", "Ravi Kumar")
    page.select_option("#inv-role", "receptionist")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to ravi.reception@example.test.").wait_for()
    assert_accessible(page)
    _shots(page, screenshot_dir, "staff")
    # The invitation email is an outbox row of the invite's transaction; its link is what leaves.
    sent = OutboxMessage.objects.get(event="staff_invite", address="ravi.reception@example.test")
    link = re.search(r"http://\S+/join/\S+/", sent.body_text).group(0)

    page.get_by_role("link", name="Settings").click()
    page.fill("#b-step", "20")
    page.locator("#booking").get_by_role("button", name="Save booking rules").click()
    page.get_by_text("Settings saved.").wait_for()
    world.clinic_a.refresh_from_db()
    assert world.clinic_a.slot_step_minutes == 20
    assert_accessible(page)
    _shots(page, screenshot_dir, "settings")

    page.context.clear_cookies()
    page.goto(link)
    assert page.get_by_role("heading", name="Join Clinic A").is_visible()
    page.fill("#join-password", "a long enough secret 42")
    page.get_by_role("button", name="Accept and join").click()
    page.wait_for_url(f"**{base}")
    assert page.get_by_text("Welcome to Clinic A.").is_visible()
    assert (
        Membership.objects.get(user__email="ravi.reception@example.test").role == Role.RECEPTIONIST
    )
    # The new receptionist's navigation offers neither reports nor settings, and they are refused.
    assert page.get_by_role("link", name="Reports").count() == 0
    assert page.get_by_role("link", name="Settings").count() == 0
    assert page.goto(f"{asgi_server}{base}settings/").status == 403
    assert page.goto(f"{asgi_server}{base}reports/revenue/").status == 403


def test_a_manager_exports_revenue_as_csv_and_pdf(
    page, asgi_server, world, morning, screenshot_dir, settings
):
    from clinicore.billing import services as billing

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    invoice = billing.invoice_create(
        clinic=morning["clinic"],
        actor=None,
        patient=world.patient_a,
        issue=True,
        practitioner=morning["doctor"],
        lines=[
            {"description": "Consultation", "quantity": Decimal("1"), "unit_price": Decimal("500")}
        ],
    )
    billing.payment_record_desk(
        clinic=morning["clinic"], invoice=invoice, actor=None, amount=None, method="cash"
    )
    base = f"/c/{world.clinic_a.slug}/desk/reports/"
    _sign_in(page, asgi_server, world.member("a", Role.MANAGER).user, base)
    page.get_by_role("link", name="Revenue").click()
    page.wait_for_url("**/reports/revenue/")
    assert page.locator("svg.chart").count() >= 1
    assert_accessible(page)
    _shots(page, screenshot_dir, "report-revenue")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(csv_download.value.path(), encoding="utf-8-sig").read()
    assert "Revenue,Clinic A" in text and "Cash,1,500.00" in text
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    assert open(pdf_download.value.path(), "rb").read(4) == b"%PDF"

    page.select_option("#bg-format", "pdf")
    page.get_by_role("button", name="Prepare in background").click()
    page.get_by_role("link", name=re.compile("Download revenue-")).wait_for()
    assert page.locator("#export-progress").get_attribute("value") == "100"
    assert_accessible(page)
    with page.expect_download() as bg_download:
        page.get_by_role("link", name=re.compile("Download revenue-")).click()
    assert open(bg_download.value.path(), "rb").read(4) == b"%PDF"


def test_the_board_updates_live_when_an_appointment_is_booked_elsewhere(
    page, asgi_server, world, morning
):
    from clinicore.core.testing import make_patient

    frames = []
    page.on(
        "websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload)))
    )
    desk = f"/c/{world.clinic_a.slug}/desk/"
    _sign_in(page, asgi_server, world.member("a", Role.RECEPTIONIST).user, desk)
    page.wait_for_selector("#board[data-live='on']")
    make_patient(morning["clinic"], first_name="Nikhil", last_name="Online")

    # A colleague books on the phone in another tab; the first tab's board shows it unprompted.
    other = page.context.new_page()
    other.goto(f"{asgi_server}{desk}phone-booking/?q=Nikhil")
    other.get_by_role("button", name="Book").click()
    other.wait_for_url(f"**{desk}")
    page.locator("#board").get_by_text("Nikhil Online").wait_for()
    assert any("appointment.booked" in frame for frame in frames)


def test_workspace_pages_pass_axe_and_hours_are_edited_in_the_page(
    page, asgi_server, world, morning, screenshot_dir
):
    """One owner's session across the workspace pages axe-core checks, and the weekly hours
    edited with the page's script (add a Wednesday evening by video, remove Sunday)."""
    from clinicore.billing import services as billing
    from clinicore.core.testing import make_patient

    clinic, doctor = world.clinic_a, morning["doctor"]
    billing.invoice_create(
        clinic=clinic,
        actor=None,
        patient=world.patient_a,
        issue=True,
        lines=[
            {"description": "Consultation", "quantity": Decimal("1"), "unit_price": Decimal("500")}
        ],
    )
    duplicate = make_patient(clinic, first_name="Asha", last_name="Verma")
    from clinicore.clinics.models import Branch, Room

    # With rooms, the hours page and the calendar show their room choices.
    Room.objects.create(
        clinic=clinic, branch=Branch.objects.create(clinic=clinic, name="Main"), name="Room 1"
    )
    base = f"/c/{clinic.slug}/desk/"
    patient = f"{base}patients/{world.patient_a.pk}/"
    _sign_in(page, asgi_server, world.member("a", Role.OWNER).user, f"{base}audit/")

    problems = []
    for path in (
        f"{base}audit/",
        f"{base}phone-booking/?q=Verma",
        f"{base}till/",
        f"{base}till/new/?q=Verma",
        f"{base}billing/",
        f"{base}billing/reconciliation/",
        f"{base}reports/",
        f"{base}patients/",
        patient,
        f"{patient}edit/",
        f"{base}merge/?keep={world.patient_a.pk}&duplicate={duplicate.pk}",
        f"{base}cards/{world.patient_a.pk}/",
        f"{base}settings/",
        f"{base}calendar/?view=day",
        f"{base}staff/{doctor.pk}/hours/",
    ):
        assert page.goto(f"{asgi_server}{path}").status == 200, path
        try:
            assert_accessible(page)
        except AssertionError as found:
            problems.append(str(found))
    _shots(page, screenshot_dir, "working-hours")
    page.goto(f"{asgi_server}{base}calendar/?view=day")
    for details in page.locator("details.cal-actions").all()[:1]:
        details.locator("summary").click()
    _shots(page, screenshot_dir, "calendar-change")
    page.goto(f"{asgi_server}{base}settings/#services")
    _shots(page, screenshot_dir, "settings-services")
    page.set_viewport_size({"width": 375, "height": 900})
    page.locator("[data-service='new']").screenshot(
        path=os.path.join(screenshot_dir, "desk-settings-new-service-375.png")
    )
    assert not problems, "\n".join(problems)

    page.goto(f"{asgi_server}{base}staff/{doctor.pk}/hours/")
    wednesday = page.locator("[data-hours-day='2']")
    wednesday.locator("[data-hours-range]").first.get_by_label("To").fill("13:00")
    for start, end, mode in (("14:00", "17:30", "in_person"), ("18:00", "20:00", "video")):
        wednesday.get_by_role("button", name="Add a range on Wednesday").click()
        added = wednesday.locator("[data-hours-range]").last
        added.get_by_label("From").fill(start)
        added.get_by_label("To").fill(end)
        added.get_by_label("Sees patients").select_option(mode)
    assert page.url.endswith("/hours/")  # added in the page, no round trip
    page.locator("[data-hours-day='6'] [data-hours-remove]").click()
    assert page.locator("[data-hours-day='6'] [data-hours-range]").count() == 0
    page.get_by_role("button", name="Save hours").first.click()
    page.get_by_text("Working hours saved.").wait_for()
    saved = {
        (h.weekday, h.start_time, h.end_time, h.mode)
        for h in WorkingHours.objects.filter(practitioner=doctor)
    }
    assert {r for r in saved if r[0] == 2} == {
        (2, dt.time(6), dt.time(13), "either"),
        (2, dt.time(14), dt.time(17, 30), "in_person"),
        (2, dt.time(18), dt.time(20), "video"),
    }
    assert not any(day == 6 for day, *_rest in saved) and len(saved) == 8

    # A range that overlaps another is refused in place, with what was typed still there.
    monday = page.locator("[data-hours-day='0']")
    monday.get_by_role("button", name="Add a range on Monday").click()
    monday.locator("[data-hours-range]").last.get_by_label("From").fill("19:00")
    monday.locator("[data-hours-range]").last.get_by_label("To").fill("21:00")
    page.get_by_role("button", name="Save hours").first.click()
    page.locator("#hours-errors").get_by_text("Overlaps 06:00–20:00 on the same day.").wait_for()
    assert monday.locator("[data-hours-range]").last.get_by_label("From").input_value() == "19:00"
    assert_accessible(page)
    _shots(page, screenshot_dir, "working-hours-errors")
    assert WorkingHours.objects.filter(practitioner=doctor).count() == 8
