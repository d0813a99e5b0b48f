"""Razorpay through the official SDK against a local server speaking Razorpay's REST API, with
webhooks signed as Razorpay signs them (X-Razorpay-Signature: hex HMAC-SHA256 of the body)."""

import json

import pytest

from clinicore.billing import gateway
from clinicore.billing.models import Invoice, Payment
from clinicore.billing.testing import make_invoice
from clinicore.billing.tests.fakes import RAZORPAY_HOOK_SECRET, RAZORPAY_KEY_ID, razorpay_hmac
from clinicore.core.testing import bearer

pytestmark = pytest.mark.django_db

KEY_ID, HOOK_SECRET = RAZORPAY_KEY_ID, RAZORPAY_HOOK_SECRET


def _hook(client, world, event: dict, secret=HOOK_SECRET, event_id="evt_rzp_1"):
    body = json.dumps(event)
    return client.post(
        f"/hooks/razorpay/{world.clinic_a.slug}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Razorpay-Signature": razorpay_hmac(secret, body),
            "X-Razorpay-Event-Id": event_id,
        },
    )


def test_a_patient_pays_with_razorpay_checkout_and_the_signature_is_verified(
    api, fake_razorpay, world
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    headers = bearer(world.patient_user, world.clinic_a)
    order = api.post(
        "/api/v1/payments/create-order",
        {"invoice_id": str(invoice.pk), "provider": "razorpay"},
        headers=headers,
    )
    assert order.status_code == 201, order.content
    client_data = order.json()["session"]["client_data"]
    assert client_data["key"] == KEY_ID and client_data["amount"] == int(invoice.total * 100)
    sent = [r for r in fake_razorpay.requests if r["method"] == "POST"][-1]["json"]
    assert sent["currency"] == "INR" and sent["amount"] == int(invoice.total * 100)
    payment, signature = fake_razorpay.pay(client_data["order_id"])
    forged = api.post(
        "/api/v1/payments/verify",
        {
            "razorpay_order_id": client_data["order_id"],
            "razorpay_payment_id": payment["id"],
            "razorpay_signature": "0" * 64,
        },
        headers=headers,
    )
    assert forged.status_code == 422
    assert Payment.objects.get(provider_order_id=client_data["order_id"]).status == "pending"
    verified = api.post(
        "/api/v1/payments/verify",
        {
            "razorpay_order_id": client_data["order_id"],
            "razorpay_payment_id": payment["id"],
            "razorpay_signature": signature,
        },
        headers=headers,
    )
    assert verified.status_code == 200, verified.content
    assert verified.json()["status"] == "completed" and verified.json()["utr"] == "412345678901"
    # The payment.captured webhook for the same payment arrives too, twice: nothing happens twice.
    event = fake_razorpay.event("payment.captured", "payment", payment)
    assert _hook(api.client, world, event).status_code == 200
    assert _hook(api.client, world, event).json()["outcome"] == "duplicate"
    assert Payment.objects.filter(invoice=invoice, status="completed").count() == 1
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID


def test_a_captured_webhook_alone_completes_the_payment(client, fake_razorpay, world):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="razorpay"
    )
    payment, _ = fake_razorpay.pay(session.provider_session_id)
    assert (
        _hook(
            client,
            world,
            fake_razorpay.event("payment.captured", "payment", payment),
            secret="wrong",
        ).status_code
        == 400
    )
    assert Payment.objects.get(pk=session.payment_id).status == "pending"
    assert (
        _hook(
            client, world, fake_razorpay.event("payment.captured", "payment", payment)
        ).status_code
        == 200
    )
    assert Payment.objects.get(pk=session.payment_id).status == "completed"


def test_a_refund_goes_through_razorpay_and_its_webhook_is_idempotent(
    api, fake_razorpay, world, manager_a
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="razorpay"
    )
    payment, _ = fake_razorpay.pay(session.provider_session_id)
    _hook(api.client, world, fake_razorpay.event("payment.captured", "payment", payment))
    response = api.post(
        f"/api/v1/payments/{session.payment_id}/refund",
        {"reason": "Cancelled in time"},
        headers=manager_a,
    )
    assert response.status_code == 201, response.content
    refund = fake_razorpay.refunds[response.json()["provider_refund_id"]]
    assert refund["amount"] == payment["amount"]
    event = fake_razorpay.event("refund.processed", "refund", refund)
    assert _hook(api.client, world, event, event_id="evt_rzp_refund").status_code == 200
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.REFUNDED


def test_an_order_for_less_than_the_minimum_is_refused_by_razorpay(fake_razorpay, world):
    from decimal import Decimal

    from clinicore.core.errors import ProviderUnavailable

    invoice = make_invoice(world.clinic_a, world.patient_a)
    with pytest.raises(ProviderUnavailable) as caught:
        gateway.checkout_start(
            clinic=world.clinic_a,
            invoice=invoice,
            actor=None,
            provider="razorpay",
            amount=Decimal("0.50"),
        )
    assert caught.value.retryable is False
