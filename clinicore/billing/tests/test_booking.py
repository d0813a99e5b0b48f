"""Booking with payment up front: the slot is held while paying, freed on expiry, and a late
payment either restores the booking or is refunded — never lost. Cancellation refunds by policy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from clinicore.billing import booking, services
from clinicore.billing.gateways.sandbox import HEADER, event_body, signature_header
from clinicore.billing.models import Invoice, Payment, PaymentSession
from clinicore.billing.testing import pay_first_body
from clinicore.clinics.models import Membership
from clinicore.core.money import to_minor
from clinicore.core.testing import bearer, make_patient
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.models import Appointment, Service

pytestmark = pytest.mark.django_db


def _start(api, world, headers=None, days_ahead=2):
    body = pay_first_body(world, world.clinic_a, days_ahead=days_ahead)
    response = api.post(
        "/api/v1/billing/bookings",
        body,
        headers=headers or bearer(world.patient_user, world.clinic_a),
    )
    assert response.status_code == 201, response.content
    return body, response.json()


def _pay(client, session: PaymentSession):
    payment = session.payment
    body = event_body(
        kind="payment.succeeded",
        reference=session.token,
        clinic_slug=session.clinic.slug,
        amount_minor=to_minor(payment.amount, payment.currency),
        currency=payment.currency,
    )
    return client.post(
        "/hooks/sandbox/",
        data=body,
        content_type="application/json",
        headers={HEADER: signature_header(body, settings.BILLING_SANDBOX_WEBHOOK_SECRET)},
    )


def _book_other(world, body):
    service = Service.objects.get(pk=body["service_id"])
    practitioner = Membership.objects.get(pk=body["practitioner_id"])
    appointment, _ = scheduling.appointment_book(
        clinic=world.clinic_a,
        actor=None,
        patient=make_patient(world.clinic_a),
        practitioner=practitioner,
        service=service,
        start=Appointment.objects.get(pk=_hold_id(body)).start,
    )
    return appointment


_holds = {}


def _hold_id(body):
    return _holds[body["service_id"]]


def test_a_completed_payment_confirms_the_held_appointment(api, world):
    body, data = _start(api, world)
    hold = Appointment.objects.get(pk=data["appointment_id"])
    assert hold.status == Appointment.Status.HELD
    session = PaymentSession.objects.get(pk=data["session"]["id"])
    assert session.expires_at == hold.hold_expires_at
    assert _pay(api.client, session).status_code == 200
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.CONFIRMED
    invoice = Invoice.objects.get(pk=data["invoice_id"])
    assert invoice.status == Invoice.Status.PAID and invoice.appointment_id == hold.pk


def test_an_expired_checkout_frees_the_slot_for_someone_else(api, world):
    body, data = _start(api, world)
    _holds[body["service_id"]] = data["appointment_id"]
    assert services.sessions_expire(now=timezone.now() + timedelta(hours=1)) == 1
    hold = Appointment.objects.get(pk=data["appointment_id"])
    assert hold.status == Appointment.Status.RELEASED
    assert Payment.objects.get(pk=data["payment"]["id"]).status == Payment.Status.FAILED
    other = _book_other(world, body)  # the same practitioner and time, now free
    assert other.status == Appointment.Status.SCHEDULED


def test_a_payment_after_expiry_rebooks_the_time_when_it_is_still_free(api, world):
    body, data = _start(api, world)
    services.sessions_expire(now=timezone.now() + timedelta(hours=1))
    session = PaymentSession.objects.get(pk=data["session"]["id"])
    assert _pay(api.client, session).status_code == 200
    payment = Payment.objects.get(pk=data["payment"]["id"])
    assert payment.status == Payment.Status.COMPLETED
    invoice = Invoice.objects.get(pk=data["invoice_id"])
    assert invoice.status == Invoice.Status.PAID
    booked = Appointment.objects.get(pk=invoice.appointment_id)
    assert booked.status in (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)
    assert booked.start == Appointment.objects.get(pk=data["appointment_id"]).start


def test_a_payment_after_expiry_is_refunded_when_the_time_was_taken(
    api, world, django_capture_on_commit_callbacks
):
    body, data = _start(api, world)
    _holds[body["service_id"]] = data["appointment_id"]
    services.sessions_expire(now=timezone.now() + timedelta(hours=1))
    _book_other(world, body)
    session = PaymentSession.objects.get(pk=data["session"]["id"])
    with django_capture_on_commit_callbacks(execute=True):
        assert _pay(api.client, session).status_code == 200
    payment = Payment.objects.get(pk=data["payment"]["id"])
    assert payment.status == Payment.Status.REFUNDED
    refund = payment.refunds.get()
    assert refund.automatic and refund.amount == payment.amount and "taken" in refund.reason
    assert Invoice.objects.get(pk=data["invoice_id"]).status == Invoice.Status.REFUNDED


def _paid_booking(api, world, days_ahead):
    body, data = _start(api, world, days_ahead=days_ahead)
    _pay(api.client, PaymentSession.objects.get(pk=data["session"]["id"]))
    return Appointment.objects.get(pk=data["appointment_id"]), Payment.objects.get(
        pk=data["payment"]["id"]
    )


def test_cancelling_early_refunds_in_full_and_late_by_the_clinic_policy(api, world):
    services.billing_settings_update(
        clinic=world.clinic_a, actor=None, refund_full_hours=24, refund_late_percent=50
    )
    early, early_payment = _paid_booking(api, world, days_ahead=3)
    response = api.post(
        f"/api/v1/billing/appointments/{early.pk}/cancel",
        {"reason": "Travelling"},
        headers=world.headers("a", "receptionist"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert [r["amount"] for r in response.json()["refunds"]] == [str(early_payment.amount)]

    late, late_payment = _paid_booking(api, world, days_ahead=2)
    refund = booking.appointment_cancel_with_refund(
        clinic=world.clinic_a,
        appointment=late,
        actor=None,
        reason="Late",
    )[1]
    # Two days ahead is outside the 24-hour window: a full refund. A week-long window makes
    # the next cancellation late, refunded at 50%.
    assert refund and refund[0].amount == late_payment.amount

    services.billing_settings_update(clinic=world.clinic_a, actor=None, refund_full_hours=24 * 7)
    later, later_payment = _paid_booking(api, world, days_ahead=4)
    _, refunds = booking.appointment_cancel_with_refund(
        clinic=world.clinic_a, appointment=later, actor=None
    )
    assert refunds[0].amount == (later_payment.amount / 2).quantize(Decimal("0.01"))


def test_staff_may_override_the_refund_but_patients_may_not(api, world):
    appointment, payment = _paid_booking(api, world, days_ahead=5)
    patient = api.post(
        f"/api/v1/billing/appointments/{appointment.pk}/cancel",
        {"refund_amount": "1.00"},
        headers=bearer(world.patient_user, world.clinic_a),
    )
    assert patient.status_code == 403
    manager = api.post(
        f"/api/v1/billing/appointments/{appointment.pk}/cancel",
        {"reason": "Doctor ill", "refund_amount": "100.00"},
        headers=world.headers("a", "manager"),
    )
    assert manager.status_code == 200, manager.content
    assert [r["amount"] for r in manager.json()["refunds"]] == ["100.00"]
