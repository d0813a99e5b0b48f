"""Stripe through the official SDK against a local server speaking Stripe's API, with webhooks
signed exactly as Stripe signs them (Stripe-Signature: t=…,v1=HMAC-SHA256 of "t.payload")."""

import time

import pytest

from clinicore.billing import gateway
from clinicore.billing.models import Invoice, Payment, WebhookEvent
from clinicore.billing.testing import make_invoice
from clinicore.billing.tests.fakes import STRIPE_WHSEC, stripe_webhook_post

pytestmark = pytest.mark.django_db


def _post(client, world, event: dict, *, secret=STRIPE_WHSEC, timestamp=None):
    return stripe_webhook_post(client, world.clinic_a, event, secret=secret, timestamp=timestamp)


def test_it_opens_a_stripe_checkout_session_in_minor_units(fake_stripe, world):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="stripe"
    )
    sent = [r for r in fake_stripe.requests if r["method"] == "POST"][-1]
    assert sent["form"]["line_items[0][price_data][unit_amount]"] == str(int(invoice.total * 100))
    assert sent["form"]["line_items[0][price_data][currency]"] == "inr"
    assert sent["form"]["client_reference_id"] == session.token
    assert sent["idempotency_key"] == f"checkout-{session.token}"
    assert session.checkout_url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert session.payment.provider_order_id == session.provider_session_id
    assert session.payment.gateway_calls.get().status == "succeeded"


def test_a_signed_checkout_completed_webhook_completes_the_payment_once(client, fake_stripe, world):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="stripe"
    )
    event = fake_stripe.pay(session.provider_session_id)
    answers = [_post(client, world, event).status_code for _ in range(5)]
    assert answers == [200] * 5
    payment = Payment.objects.get(pk=session.payment_id)
    assert payment.status == Payment.Status.COMPLETED
    assert payment.provider_payment_id.startswith("pi_")
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    assert WebhookEvent.objects.get(event_id=event["id"]).deliveries == 5


def test_it_rejects_a_forged_or_stale_stripe_signature(client, fake_stripe, world):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="stripe"
    )
    event = fake_stripe.pay(session.provider_session_id)
    assert _post(client, world, event, secret="whsec_forged").status_code == 400
    assert _post(client, world, event, timestamp=int(time.time()) - 3600).status_code == 400
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.PENDING


def test_it_verifies_a_return_by_asking_stripe_and_refunds_through_stripe(
    api, fake_stripe, world, manager_a
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    session = gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=None, provider="stripe"
    )
    unpaid = api.post(
        "/api/v1/payments/verify",
        {"payment_id": str(session.payment_id), "session_id": session.provider_session_id},
        headers=manager_a,
    )
    assert unpaid.json()["status"] == "pending"
    fake_stripe.pay(session.provider_session_id)
    paid = api.post(
        "/api/v1/payments/verify",
        {"payment_id": str(session.payment_id), "session_id": session.provider_session_id},
        headers=manager_a,
    )
    assert paid.json()["status"] == "completed"
    refund = api.post(
        f"/api/v1/payments/{session.payment_id}/refund",
        {"amount": "100.00", "reason": "Overcharged"},
        headers=manager_a,
    )
    assert refund.status_code == 201, refund.content
    assert refund.json()["provider_refund_id"].startswith("re_")
    stripe_refund = fake_stripe.refunds[refund.json()["provider_refund_id"]]
    assert stripe_refund["amount"] == 10000 and stripe_refund["payment_intent"].startswith("pi_")
    # Stripe later tells us the same refund succeeded: nothing changes twice.
    event = fake_stripe.event("refund.updated", stripe_refund)
    assert _post(api.client, world, event).status_code == 200
    assert Payment.objects.get(pk=session.payment_id).amount_refunded == 100


def test_a_bad_stripe_key_is_a_gateway_error_that_retrying_will_not_fix(fake_stripe, world):
    from clinicore.core.errors import ProviderUnavailable

    gateway.gateway_account_set(
        clinic=world.clinic_a, actor=None, provider="stripe", secret_key="sk_test_wrong"
    )
    invoice = make_invoice(world.clinic_a, world.patient_a)
    with pytest.raises(ProviderUnavailable) as caught:
        gateway.checkout_start(
            clinic=world.clinic_a, invoice=invoice, actor=None, provider="stripe"
        )
    assert caught.value.retryable is False
    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == Payment.Status.FAILED
    assert payment.gateway_calls.get().status == "failed"
