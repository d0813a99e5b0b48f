"""When our checkout or hold expires, the Stripe Checkout Session is expired too (through the SDK,
against a local server speaking Stripe's API). A Stripe outage never holds up our side: the
attempt is recorded and retried later; a payment that lands anyway is kept, re-booked or refunded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinicore.billing import gateway, services, tasks
from clinicore.billing.models import GatewayCall, Invoice, Payment, PaymentSession
from clinicore.billing.testing import make_invoice, pay_first_body
from clinicore.billing.tests.fakes import stripe_webhook_post
from clinicore.core.testing import bearer
from clinicore.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


def _stripe_checkout(world) -> PaymentSession:
    invoice = make_invoice(world.clinic_a, world.patient_a)
    return gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="stripe"
    )


def _lapse(session: PaymentSession) -> None:
    PaymentSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def _close_calls(session: PaymentSession):
    return list(
        GatewayCall.objects.filter(
            payment_id=session.payment_id, action=gateway.CLOSE_ACTION
        ).order_by("created_at")
    )


def test_the_expiry_job_expires_the_checkout_session_at_stripe(fake_stripe, world, client):
    session = _stripe_checkout(world)
    _lapse(session)
    assert tasks.expire_sessions() == 1
    session.refresh_from_db()
    assert session.status == PaymentSession.Status.EXPIRED
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.FAILED
    assert fake_stripe.sessions[session.provider_session_id]["status"] == "expired"
    expire = [r for r in fake_stripe.requests if r["path"].endswith("/expire")]
    assert [r["path"] for r in expire] == [
        f"/v1/checkout/sessions/{session.provider_session_id}/expire"
    ]
    [call] = _close_calls(session)
    assert call.status == GatewayCall.Status.SUCCEEDED and call.response["status"] == "expired"
    # The patient opening Stripe's page can no longer pay on it.
    with pytest.raises(AssertionError, match="expired"):
        fake_stripe.pay(session.provider_session_id)
    # Stripe's checkout.session.expired event changes nothing more, and the job is done with it.
    [event] = fake_stripe.events
    assert stripe_webhook_post(client, world.clinic_a, event).status_code == 200
    assert tasks.expire_sessions() == 0
    assert gateway.checkouts_close_at_gateways(now=timezone.now() + timedelta(hours=2)) == 0
    assert len(_close_calls(session)) == 1


def test_a_stripe_outage_does_not_hold_up_expiry_and_is_retried_later(fake_stripe, world):
    session = _stripe_checkout(world)
    _lapse(session)
    fake_stripe.fail_next(10)
    assert tasks.expire_sessions() == 1
    session.refresh_from_db()
    assert session.status == PaymentSession.Status.EXPIRED  # our side is closed regardless
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.FAILED
    [failed] = _close_calls(session)
    assert failed.status == GatewayCall.Status.FAILED and failed.retryable
    assert "Stripe" in failed.error
    assert fake_stripe.sessions[session.provider_session_id]["status"] == "open"

    # The next minute's run waits (backoff) rather than hammering a Stripe that is down.
    now = timezone.now()
    assert gateway.checkouts_close_at_gateways(now=now) == 0
    assert gateway.checkouts_close_at_gateways(now=now + timedelta(minutes=2)) == 1
    # Still down: a second failure, and the wait doubles (two minutes from that attempt).
    assert len(_close_calls(session)) == 2
    assert gateway.checkouts_close_at_gateways(now=now + timedelta(minutes=1, seconds=30)) == 0

    fake_stripe.fail_next(0)  # Stripe is back
    assert gateway.checkouts_close_at_gateways(now=now + timedelta(minutes=5)) == 1
    assert fake_stripe.sessions[session.provider_session_id]["status"] == "expired"
    assert [c.status for c in _close_calls(session)] == ["failed", "failed", "succeeded"]
    assert gateway.checkouts_close_at_gateways(now=now + timedelta(hours=1)) == 0


def test_it_gives_up_once_stripe_would_have_expired_the_session_itself(fake_stripe, world):
    session = _stripe_checkout(world)
    _lapse(session)
    fake_stripe.fail_next(1)
    tasks.expire_sessions()
    later = timezone.now() + gateway.GATEWAY_CHECKOUT_LIFETIME + timedelta(minutes=1)
    assert gateway.checkouts_close_at_gateways(now=later) == 0
    assert len(_close_calls(session)) == 1


def test_a_payment_made_before_stripe_closed_the_page_is_recorded_not_lost(fake_stripe, world):
    session = _stripe_checkout(world)
    _lapse(session)
    fake_stripe.fail_next(1)  # Stripe is down while we expire; the patient pays meanwhile
    tasks.expire_sessions()
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.FAILED
    fake_stripe.pay(session.provider_session_id)

    assert gateway.checkouts_close_at_gateways(now=timezone.now() + timedelta(minutes=2)) == 1
    # Stripe refused to expire a completed session ("only open sessions can be expired"); we
    # read it back, saw it paid, and recorded the payment — the invoice was still open.
    expire = [r for r in fake_stripe.requests if r["path"].endswith("/expire")]
    assert len(expire) == 2
    [_, call] = _close_calls(session)
    assert call.status == GatewayCall.Status.SUCCEEDED and call.response["status"] == "complete"
    payment = Payment.objects.get(pk=session.payment_id)
    assert payment.status == Payment.Status.COMPLETED
    assert payment.provider_payment_id.startswith("pi_")
    assert Invoice.objects.get(pk=session.payment.invoice_id).status == Invoice.Status.PAID
    assert gateway.checkouts_close_at_gateways(now=timezone.now() + timedelta(hours=1)) == 0


def test_a_voided_invoice_closes_its_open_stripe_checkout(fake_stripe, world):
    session = _stripe_checkout(world)
    services.invoice_void(invoice=session.payment.invoice, actor=None, reason="Entered twice")
    assert gateway.checkouts_close_at_gateways() == 1
    assert fake_stripe.sessions[session.provider_session_id]["status"] == "expired"


def test_a_held_slot_paid_at_stripe_after_expiry_is_rebooked(
    fake_stripe, api, world, django_capture_on_commit_callbacks
):
    services.billing_settings_update(clinic=world.clinic_a, actor=None, default_provider="stripe")
    body = {**pay_first_body(world, world.clinic_a), "provider": "stripe"}
    response = api.post(
        "/api/v1/billing/bookings", body, headers=bearer(world.patient_user, world.clinic_a)
    )
    assert response.status_code == 201, response.content
    data = response.json()
    session = PaymentSession.objects.get(pk=data["session"]["id"])
    _lapse(session)
    fake_stripe.fail_next(1)
    tasks.expire_sessions()
    hold = Appointment.objects.get(pk=data["appointment_id"])
    assert hold.status == Appointment.Status.RELEASED  # the outage did not keep the slot held

    fake_stripe.pay(session.provider_session_id)
    with django_capture_on_commit_callbacks(execute=True):
        gateway.checkouts_close_at_gateways(now=timezone.now() + timedelta(minutes=2))
    invoice = Invoice.objects.get(pk=data["invoice_id"])
    assert invoice.status == Invoice.Status.PAID
    booked = Appointment.objects.get(pk=invoice.appointment_id)
    assert booked.status in (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)
    assert booked.start == hold.start


def test_it_finds_the_checkouts_to_close_through_their_index(world, fake_stripe):
    from django.db import connection

    closed = _stripe_checkout(world)
    _lapse(closed)
    services.sessions_expire()
    _stripe_checkout(world)  # still open: not for the sweep
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test's few rows are cheapest read whole; rule that out to see the index is usable.
            cursor.execute("SET LOCAL enable_seqscan = off")
    candidates = gateway.checkouts_to_close_at_gateways(now=timezone.now())
    assert [s.pk for s in candidates] == [closed.pk]
    assert "paymentsession_close_sweep" in candidates.explain()
