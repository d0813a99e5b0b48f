"""Patient journeys in headless Chromium on a phone and a desktop viewport, with axe-core on each page.

Screenshots of the main pages land in test-artifacts/screenshots/ (not committed).
"""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from clinicore.core.testing import make_patient, make_user
from clinicore.portal.links import clinic_join_url
from clinicore.portal.services import patient_join_clinic
from clinicore.portal.tests.helpers import BookableClinic
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.models import Appointment
from conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return request.param


@pytest.fixture
def web(browser, asgi_server, viewport, screenshot_dir):
    """A fresh browser context at one viewport, pointed at the live server."""
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],
        base_url=asgi_server,
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
        locale="en-US",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = viewport
    page.shots = screenshot_dir
    yield page
    context.close()


def check(page, name: str | None = None):
    """axe-core on the page as it is; and a full-page screenshot of the main pages."""
    assert_accessible(page)
    if name:
        page.screenshot(
            path=os.path.join(
                page.shots, f"portal-{name}-{VIEWPORTS[page.viewport_name]['width']}.png"
            ),
            full_page=True,
        )


def sign_in(page, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.url_base}]
    )


@pytest.fixture
def bc(transactional_db):
    return BookableClinic()


@pytest.fixture
def page_(web, asgi_server):
    web.url_base = asgi_server
    return web


def test_it_registers_through_a_clinics_qr_link(page_, bc):
    page = page_
    page.goto("/c/sunrise/")
    check(page, "clinic")
    page.goto(clinic_join_url(bc.clinic, absolute=False))
    check(page, "join")
    page.get_by_label("Full name").fill("Kavya Menon")
    page.get_by_label("Email").fill(f"kavya.{page.viewport_name}@example.test")
    page.get_by_label("Mobile phone").fill("+91 98000 11111")
    page.get_by_label("Choose a password").fill("a long enough passphrase")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/me/?joined=sunrise")
    assert page.get_by_text("You are registered with Sunrise Clinic").is_visible()
    check(page, "me")


def _pick_first_slot(page):
    page.locator("#slots a.slot").first.click()


def test_it_books_a_free_service_as_a_new_patient(page_, bc):
    page = page_
    page.goto("/c/sunrise/")
    page.get_by_role("link", name="Book appointment").first.click()
    check(page, "book-service")
    page.get_by_role("link", name=re.compile("General check-up")).click()
    check(page)
    page.get_by_role("link", name=re.compile("In person")).first.click()
    check(page)
    page.get_by_role("link", name=re.compile("First available")).click()
    # htmx swaps the calendar when paging weeks; the page itself stays.
    page.get_by_role("link", name=re.compile("Later")).first.click()
    page.wait_for_url(re.compile(r"from=\d{4}-\d{2}-\d{2}"))
    page.get_by_role("link", name=re.compile("Earlier")).first.click()
    page.wait_for_timeout(300)
    check(page, "book-calendar")
    _pick_first_slot(page)
    page.get_by_label("Reason for the visit").fill("Fever and headache")
    page.get_by_label("Symptoms").fill("Since Tuesday")
    page.get_by_label("Full name").fill("Nisha Patel")
    page.locator("#id_email").fill(f"nisha.{page.viewport_name}@example.test")
    page.get_by_label("Mobile phone").fill("+91 98111 22222")
    page.get_by_label("Choose a password").fill("a long enough passphrase")
    check(page, "book-details")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url(re.compile(r"/me/appointments/.+\?booked=1"))
    appointment = Appointment.objects.get(
        patient__user__email=f"nisha.{page.viewport_name}@example.test"
    )
    assert page.get_by_text(appointment.reservation_code).first.is_visible()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    assert (
        page.get_by_role("link", name=re.compile("Add to calendar"))
        .get_attribute("href")
        .endswith("calendar.ics")
    )
    check(page, "book-confirmation")


def test_it_books_a_paid_service_and_pays_in_the_sandbox_checkout(page_, bc):
    page = page_
    page.goto(f"/c/sunrise/book/?service={bc.paid.pk}")
    page.get_by_role("link", name=re.compile("Dr. Meera Rao")).click()
    assert page.get_by_role("link", name="Part of the day").count() == 0
    _pick_first_slot(page)
    page.get_by_label("Reason for the visit").fill("Second opinion")
    page.get_by_label("Full name").fill("Farah Khan")
    email = f"farah.{page.viewport_name}@example.test"
    page.locator("#id_email").fill(email)
    page.get_by_label("Mobile phone").fill("+91 98111 33333")
    page.get_by_label("Choose a password").fill("a long enough passphrase")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    hold = Appointment.objects.get(patient__user__email=email)
    assert hold.status == "held" and hold.reason_for_visit == "Second opinion"
    check(page, "sandbox-checkout")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.wait_for_url(re.compile(r"/pay/status/"))
    call_command("db_worker", "--batch", "--no-reload", "--max-tasks", "20")
    hold.refresh_from_db()
    assert hold.status == "confirmed"
    page.goto("/me/appointments/")
    assert page.get_by_text(hold.reservation_code).first.is_visible()
    assert page.get_by_text("Confirmed").first.is_visible()
    check(page)


def test_it_recovers_after_losing_a_slot_race(page_, bc):
    page = page_
    user = make_user(f"racer.{page.viewport_name}@example.test", full_name="Ravi Racer")
    sign_in(page, user)
    page.goto(f"/c/sunrise/book/?service={bc.free.pk}&mode=in_person&practitioner={bc.doctor.pk}")
    first = page.locator("#slots a.slot").first
    href = first.get_attribute("href")
    first.click()
    page.get_by_label("Reason for the visit").fill("Back pain")
    # Meanwhile the front desk gives that very time to someone else.
    key = re.search(r"slot=([0-9TZ]+)", href).group(1)
    from clinicore.portal.calendar import slot_parse

    scheduling.appointment_book(
        clinic=bc.clinic,
        actor=bc.owner.user,
        patient=make_patient(bc.clinic),
        practitioner=bc.doctor,
        service=bc.free,
        start=slot_parse(key),
        mode="in_person",
    )
    page.get_by_role("button", name="Confirm booking").click()
    assert page.get_by_text("Someone booked this time a moment ago").is_visible()
    check(page, "slot-taken")
    page.locator(".nearest a.slot").first.click()
    page.get_by_label("Reason for the visit").fill("Back pain")
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_url(re.compile(r"\?booked=1"))
    assert Appointment.objects.filter(patient__user=user, status="scheduled").count() == 1


def _booked(bc, user, *, days_ahead=2):
    from django.utils import timezone

    from clinicore.portal import calendar

    patient = patient_join_clinic(clinic=bc.clinic, user=user)
    now = timezone.now()
    cal = calendar.two_weeks(
        clinic=bc.clinic,
        service=bc.free,
        practitioner_id=bc.doctor.pk,
        mode="in_person",
        first=calendar.clinic_today(bc.clinic, now) + timedelta(days=days_ahead),
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
        reason_for_visit="Check-up",
    )
    return appointment


def test_it_cancels_and_reschedules(page_, bc):
    page = page_
    user = make_user(f"mover.{page.viewport_name}@example.test", full_name="Mira Mover")
    appointment = _booked(bc, user)
    sign_in(page, user)
    page.goto("/me/appointments/")
    check(page, "appointments")
    page.get_by_role("link", name=re.compile("Details")).first.click()
    check(page, "appointment")
    page.get_by_role("link", name="Move to another time").click()
    check(page, "reschedule")
    from django.utils import timezone

    from clinicore.portal import calendar

    # A day well past the cancellation cut-off, so the moved visit can still be
    # cancelled online whatever the hour the test runs.
    later = calendar.clinic_today(bc.clinic, timezone.now()) + timedelta(days=4)
    page.goto(f"{page.url}?from={later.isoformat()}")
    page.locator("#slots button.slot").nth(3).click()
    page.wait_for_url(re.compile(r"\?booked=1"))
    appointment.refresh_from_db()
    assert appointment.status == "rescheduled"
    new = appointment.rescheduled_to
    assert page.get_by_text(new.reservation_code).first.is_visible()
    page.get_by_label("Reason for cancelling").fill("Feeling better")
    page.get_by_role("button", name="Cancel appointment").click()
    assert page.get_by_text("Your appointment is cancelled.").is_visible()
    new.refresh_from_db()
    assert new.status == "cancelled"
    check(page)


def test_it_pays_an_invoice(page_, bc):
    from clinicore.billing import services as billing

    page = page_
    user = make_user(f"payer.{page.viewport_name}@example.test", full_name="Pooja Payer")
    patient = patient_join_clinic(clinic=bc.clinic, user=user)
    invoice = billing.invoice_create(
        clinic=bc.clinic,
        actor=bc.owner.user,
        patient=patient,
        issue=True,
        lines=[
            {"description": "Dressing", "quantity": Decimal("1"), "unit_price": Decimal("450.00")}
        ],
    )
    sign_in(page, user)
    page.goto("/me/payments/")
    assert page.get_by_text("₹450.00").first.is_visible()
    check(page, "payments")
    page.get_by_role("button", name=re.compile("Pay now")).first.click()
    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.wait_for_url(re.compile(r"/pay/status/"))
    # The sandbox gateway's signed webhook is delivered by the task worker.
    call_command("db_worker", "--batch", "--no-reload", "--max-tasks", "20")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    page.goto("/me/payments/")
    receipt = page.get_by_role("link", name=re.compile("Receipt"))
    assert receipt.count() == 1
    with page.expect_download() as download:
        receipt.click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_it_shows_the_patient_card(page_, bc):
    page = page_
    user = make_user(f"card.{page.viewport_name}@example.test", full_name="Kiran Card")
    patient = patient_join_clinic(clinic=bc.clinic, user=user)
    sign_in(page, user)
    page.goto("/me/card/")
    assert page.get_by_text(patient.barcode).first.is_visible()
    check(page, "card")
    page.get_by_role("link", name="Show full screen").click()
    assert page.locator("svg.code-qr").is_visible() and page.locator("svg.code-bars").is_visible()
    check(page, "card-full")
    page.get_by_role("button", name="Full screen").click()
    page.wait_for_function(
        "() => document.fullscreenElement && document.fullscreenElement.id === 'card-full'"
    )
    page.goto("/me/profile/")
    check(page, "profile")
    page.goto("/me/account/")
    check(page, "account")


def test_it_switches_language(page_, bc):
    page = page_
    page.goto("/c/sunrise/")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("hi")
    assert page.locator("html").get_attribute("lang") == "hi"
    assert page.get_by_role("link", name="अपॉइंटमेंट बुक करें").first.is_visible()
    check(page, "clinic-hindi")
    with page.expect_navigation():
        page.get_by_label("भाषा").select_option("ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    check(page, "clinic-japanese")
