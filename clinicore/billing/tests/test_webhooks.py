"""Webhooks: signed, stored once, processed once, in any order; forged or stale ones rejected."""

import json
import time
from decimal import Decimal

import pytest
from django.conf import settings

from clinicore.billing import gateway
from clinicore.billing.gateways.sandbox import HEADER, event_body, signature_header
from clinicore.billing.models import Invoice, Payment, PaymentSession, WebhookEvent
from clinicore.billing.testing import make_invoice
from clinicore.core.money import to_minor

pytestmark = pytest.mark.django_db


def _checkout(world, amount=None):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    return gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="sandbox", amount=amount
    )


def _event(session, kind="payment.succeeded", amount_minor=None, currency=None, clinic_slug=None):
    payment = session.payment
    return event_body(
        kind=kind,
        reference=session.token,
        clinic_slug=clinic_slug or session.clinic.slug,
        amount_minor=to_minor(payment.amount, payment.currency)
        if amount_minor is None
        else amount_minor,
        currency=currency or payment.currency,
        payment_id="sbx_pay_fixed",
    )


def _deliver(client, body, *, secret=None, timestamp=None):
    signature = signature_header(body, secret or settings.BILLING_SANDBOX_WEBHOOK_SECRET, timestamp)
    return client.post(
        "/hooks/sandbox/", data=body, content_type="application/json", headers={HEADER: signature}
    )


def test_the_same_webhook_five_times_completes_one_payment_once(
    client, world, django_capture_on_commit_callbacks
):
    session = _checkout(world)
    body = _event(session)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_deliver(client, body) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["outcome"] for a in answers] == ["processed"] + ["duplicate"] * 4
    event = WebhookEvent.objects.get(provider="sandbox", event_id=json.loads(body)["id"])
    assert event.deliveries == 5 and event.signature_verified and event.processed_at
    assert Payment.objects.filter(invoice=session.payment.invoice, status="completed").count() == 1
    invoice = Invoice.objects.get(pk=session.payment.invoice_id)
    assert invoice.status == Invoice.Status.PAID and invoice.amount_paid == invoice.total
    from django.core import mail

    assert (
        len([m for m in mail.outbox if m.subject.startswith("Receipt")]) == 1
    )  # one receipt, not five


def test_events_out_of_order_end_with_the_payment_completed(client, world):
    session = _checkout(world)
    assert _deliver(client, _event(session, "payment.succeeded")).status_code == 200
    # A decline from an earlier attempt arrives late: it must not undo the completed payment.
    assert _deliver(client, _event(session, "payment.failed")).status_code == 200
    payment = Payment.objects.get(pk=session.payment_id)
    assert payment.status == Payment.Status.COMPLETED

    other = _checkout(world)
    assert _deliver(client, _event(other, "payment.failed")).status_code == 200
    assert _deliver(client, _event(other, "payment.succeeded")).status_code == 200
    payment = Payment.objects.get(pk=other.payment_id)
    assert payment.status == Payment.Status.COMPLETED  # the money moved in the end
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.PAID


def test_it_rejects_a_forged_or_stale_signature_and_records_nothing_as_paid(client, world):
    session = _checkout(world)
    body = _event(session)
    assert _deliver(client, body, secret="not-the-secret").status_code == 400
    assert _deliver(client, body, timestamp=int(time.time()) - 3600).status_code == 400
    tampered = body.replace('"payment.succeeded"', '"payment.succeeded" ')
    signature = signature_header(body, settings.BILLING_SANDBOX_WEBHOOK_SECRET)
    assert (
        client.post(
            "/hooks/sandbox/",
            data=tampered,
            content_type="application/json",
            headers={HEADER: signature},
        ).status_code
        == 400
    )
    assert (
        client.post("/hooks/sandbox/", data=body, content_type="application/json").status_code
        == 400
    )
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.PENDING
    rejected = WebhookEvent.objects.filter(outcome="rejected", signature_verified=False)
    assert rejected.count() == 2  # the same forged body is one ledger row, delivered three times
    assert sorted(rejected.values_list("deliveries", flat=True)) == [1, 3]


def test_it_does_not_complete_a_payment_whose_amount_or_currency_or_clinic_differs(client, world):
    session = _checkout(world)
    minor = to_minor(session.payment.amount, "INR")
    assert (
        _deliver(client, _event(session, amount_minor=minor - 100)).json()["outcome"] == "mismatch"
    )
    assert _deliver(client, _event(session, currency="USD")).json()["outcome"] == "mismatch"
    assert (
        _deliver(client, _event(session, clinic_slug=world.clinic_b.slug)).json()["outcome"]
        == "mismatch"
    )
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.PENDING


def test_it_answers_200_to_event_types_it_does_not_handle(client, world):
    session = _checkout(world)
    body = _event(session, "payment.disputed")
    answer = _deliver(client, body)
    assert answer.status_code == 200 and answer.json()["outcome"] == "ignored"


def test_it_refunds_a_second_payment_for_an_invoice_already_paid(
    client, world, django_capture_on_commit_callbacks
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    first = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="sandbox"
    )
    second = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="sandbox"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(client, _event(first))
        _deliver(client, _event(second).replace("sbx_pay_fixed", "sbx_pay_second"))
    invoice.refresh_from_db()
    late = Payment.objects.get(pk=second.payment_id)
    assert late.status == Payment.Status.REFUNDED
    assert late.refunds.get().automatic
    assert invoice.status == Invoice.Status.PAID and invoice.amount_paid == invoice.total


def test_it_expires_open_sessions_and_fails_their_payments(world):
    from datetime import timedelta

    from django.utils import timezone

    from clinicore.billing.services import sessions_expire

    session = _checkout(world)
    assert sessions_expire() == 0
    assert sessions_expire(now=timezone.now() + timedelta(hours=1)) == 1
    session.refresh_from_db()
    assert session.status == PaymentSession.Status.EXPIRED
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.FAILED
    assert Invoice.objects.get(pk=session.payment.invoice_id).amount_paid == Decimal("0")
