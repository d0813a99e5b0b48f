"""The patient's Razorpay web checkout: the invoice page offers Razorpay when the clinic has it set
up, our page opens Razorpay Standard Checkout under a policy widened for it alone, and the signed
answer posted back is verified through the gateway entry point and recorded exactly once, whether
it or the webhook arrives first. Against the local fake Razorpay (API and checkout.js)."""

import re

import pytest
from django.core import mail
from django.test import Client

from clinicore.billing import gateway
from clinicore.billing.models import GatewayCall, Invoice, Payment, PaymentSession
from clinicore.billing.testing import make_invoice, pay_first_body
from clinicore.billing.tests.fakes import RAZORPAY_KEY_ID, razorpay_webhook_post
from clinicore.core.models import AuditEntry
from clinicore.core.testing import bearer, make_patient, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _whole_site(settings):
    settings.ROOT_URLCONF = "clinicore.urls"  # the patient's pages need the portal's layout links


@pytest.fixture
def patient(client, world):
    client.force_login(world.patient_user)
    return client


def _open(world, **extra) -> PaymentSession:
    invoice = make_invoice(world.clinic_a, world.patient_a, **extra)
    return gateway.checkout_start(
        clinic=world.clinic_a, invoice=invoice, actor=world.patient_user, provider="razorpay"
    )


def _answer(fake, session) -> dict:
    """What Razorpay Checkout hands the page after the patient pays: ids and their signature."""
    payment, signature = fake.pay(session.provider_session_id)
    return {
        "razorpay_payment_id": payment["id"],
        "razorpay_order_id": session.provider_session_id,
        "razorpay_signature": signature,
    }


def _verify(client, session, answer):
    return client.post(f"/pay/razorpay/{session.token}/verify/", answer)


def _csp(response) -> dict:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def _receipts(session) -> list:
    number = Payment.objects.get(pk=session.payment_id).receipt_number
    return [m for m in mail.outbox if number in m.subject]


def test_it_offers_razorpay_on_the_invoice_page_only_when_the_clinic_has_it_set_up(
    patient, world, settings
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    page = patient.get(f"/me/invoices/{invoice.pk}/").content.decode()
    assert "Pay now" in page and "Pay with Razorpay" not in page
    gateway.gateway_account_set(
        clinic=world.clinic_a,
        actor=None,
        provider="razorpay",
        public_key=RAZORPAY_KEY_ID,
        secret_key="rzp_secret",
    )
    page = patient.get(f"/me/invoices/{invoice.pk}/").content.decode()
    assert "Pay now" in page and 'name="provider" value="razorpay"' in page


def test_it_opens_razorpay_checkout_on_our_page_with_the_policy_widened_there_alone(
    patient, world, fake_razorpay
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    started = patient.post(f"/me/invoices/{invoice.pk}/pay/", {"provider": "razorpay"})
    assert started.status_code == 302
    token = re.fullmatch(r".*/pay/razorpay/(\w+)/", started["Location"]).group(1)
    session = PaymentSession.objects.get(token=token)
    assert session.provider == "razorpay" and session.payment.invoice_id == invoice.pk

    page = patient.get(f"/pay/razorpay/{token}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<script src="{fake_razorpay.checkout_js_url}"' in body
    assert session.provider_session_id in body and RAZORPAY_KEY_ID in body
    policy = _csp(page)
    assert fake_razorpay.url in policy["script-src"]
    assert fake_razorpay.url in policy["frame-src"] and fake_razorpay.url in policy["connect-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    # Every other page keeps the site's policy: no Razorpay there.
    for other in (f"/me/invoices/{invoice.pk}/", f"/pay/status/{token}/"):
        assert fake_razorpay.url not in patient.get(other)["Content-Security-Policy"]
    assert fake_razorpay.url not in patient.get("/me/invoices/")["Content-Security-Policy"]


def test_it_refuses_a_gateway_the_clinic_does_not_offer(patient, world, fake_razorpay):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    response = patient.post(f"/me/invoices/{invoice.pk}/pay/", {"provider": "stripe"}, follow=True)
    assert "This clinic does not take that way of paying online." in response.content.decode()
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_it_marks_the_payment_paid_after_a_verified_checkout_and_shows_the_receipt(
    patient, world, fake_razorpay
):
    session = _open(world)
    answer = _answer(fake_razorpay, session)
    response = _verify(patient, session, answer)
    assert response.status_code == 302 and response["Location"] == f"/pay/status/{session.token}/"
    page = patient.get(response["Location"]).content.decode()
    assert "Payment received" in page and "Download the receipt (PDF)" in page
    payment = Payment.objects.get(pk=session.payment_id)
    assert payment.status == Payment.Status.COMPLETED
    assert payment.provider_payment_id == answer["razorpay_payment_id"]
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.PAID
    # The check went through the gateway entry point: one recorded verify call, and Razorpay
    # was asked about the payment (amount and currency) before it was recorded.
    call = GatewayCall.objects.get(payment=payment, action="payment.verify")
    assert call.status == GatewayCall.Status.SUCCEEDED
    assert {"method": "GET", "path": f"/v1/payments/{answer['razorpay_payment_id']}"} in (
        fake_razorpay.requests
    )


def test_it_refuses_a_bad_signature_and_records_nothing_as_paid(
    patient, world, fake_razorpay, django_capture_on_commit_callbacks
):
    session = _open(world)
    answer = {**_answer(fake_razorpay, session), "razorpay_signature": "0" * 64}
    with django_capture_on_commit_callbacks(execute=True):
        response = _verify(patient, session, answer)
    assert response["Location"] == f"/pay/razorpay/{session.token}/"
    page = patient.get(response["Location"]).content.decode()
    assert "We could not verify this payment with Razorpay, so it is not marked as paid." in page
    assert "data-razorpay-open" in page  # still payable
    payment = Payment.objects.get(pk=session.payment_id)
    assert payment.status == Payment.Status.PENDING and payment.paid_at is None
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.ISSUED
    assert GatewayCall.objects.get(payment=payment, action="payment.verify").status == "failed"
    assert _receipts(session) == []


def test_it_refuses_an_answer_replayed_for_another_payment_and_records_a_repeat_once(
    patient, world, fake_razorpay, django_capture_on_commit_callbacks
):
    first, second = _open(world), _open(world)
    answer = _answer(fake_razorpay, first)
    refused = _verify(patient, second, answer)
    assert refused["Location"] == f"/pay/razorpay/{second.token}/"
    assert Payment.objects.get(pk=second.payment_id).status == Payment.Status.PENDING

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = _verify(patient, first, answer)
        assert response["Location"] == f"/pay/status/{first.token}/"
    assert Payment.objects.get(pk=first.payment_id).status == Payment.Status.COMPLETED
    assert (
        AuditEntry.objects.filter(action="payment.complete", entity_id=first.payment_id).count()
        == 1
    )
    assert len(_receipts(first)) == 1


def test_it_records_the_payment_once_when_the_webhook_comes_before_the_browser(
    patient, world, fake_razorpay, django_capture_on_commit_callbacks
):
    session = _open(world)
    answer = _answer(fake_razorpay, session)
    captured = fake_razorpay.payments[answer["razorpay_payment_id"]]
    with django_capture_on_commit_callbacks(execute=True):
        hook = razorpay_webhook_post(
            Client(), world.clinic_a, fake_razorpay.event("payment.captured", "payment", captured)
        )
    assert hook.json()["outcome"] == "processed"
    with django_capture_on_commit_callbacks(execute=True):
        response = _verify(patient, session, answer)
    assert response["Location"] == f"/pay/status/{session.token}/"
    assert "Payment received" in patient.get(response["Location"]).content.decode()
    invoice = Invoice.objects.get(pk=session.payment.invoice_id)
    assert invoice.status == Invoice.Status.PAID and invoice.amount_paid == invoice.total
    assert Payment.objects.filter(invoice=invoice, status="completed").count() == 1
    assert len(_receipts(session)) == 1


def test_it_records_the_payment_once_when_the_webhook_comes_after_the_browser(
    patient, world, fake_razorpay, django_capture_on_commit_callbacks
):
    session = _open(world)
    answer = _answer(fake_razorpay, session)
    with django_capture_on_commit_callbacks(execute=True):
        _verify(patient, session, answer)
    captured = fake_razorpay.payments[answer["razorpay_payment_id"]]
    order = fake_razorpay.orders[session.provider_session_id]
    for event in (
        fake_razorpay.event("payment.captured", "payment", captured),
        {
            **fake_razorpay.event("order.paid", "payment", captured),
            "payload": {"payment": {"entity": captured}, "order": {"entity": order}},
        },
    ):
        with django_capture_on_commit_callbacks(execute=True):
            answered = razorpay_webhook_post(Client(), world.clinic_a, event)
        assert answered.status_code == 200
    invoice = Invoice.objects.get(pk=session.payment.invoice_id)
    assert invoice.status == Invoice.Status.PAID and invoice.amount_paid == invoice.total
    assert (
        AuditEntry.objects.filter(action="payment.complete", entity_id=session.payment_id).count()
        == 1
    )
    assert len(_receipts(session)) == 1


def test_it_answers_404_to_another_patient_of_this_or_another_clinic(client, world, fake_razorpay):
    session = _open(world)
    answer = _answer(fake_razorpay, session)
    neighbour = make_user("bela.patient@example.test")
    make_patient(world.clinic_a, user=neighbour, first_name="Bela")
    outsider = make_user("chloe.patient@example.test")
    make_patient(world.clinic_b, user=outsider, first_name="Chloe")
    staff = world.member("a", "owner").user
    for user in (neighbour, outsider, staff):
        client.force_login(user)
        assert client.get(f"/pay/razorpay/{session.token}/").status_code == 404
        assert _verify(client, session, answer).status_code == 404
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.PENDING


def test_it_asks_a_visitor_to_sign_in_and_refuses_a_post_without_the_csrf_token(
    world, fake_razorpay
):
    session = _open(world)
    answer = _answer(fake_razorpay, session)
    anonymous = Client()
    assert "/accounts/login/" in anonymous.get(f"/pay/razorpay/{session.token}/")["Location"]
    assert "/accounts/login/" in _verify(anonymous, session, answer)["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.patient_user)
    assert _verify(strict, session, answer).status_code == 403
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.PENDING


def test_it_keeps_the_payment_payable_when_razorpay_does_not_answer_the_check(
    patient, world, fake_razorpay, settings
):
    session = _open(world)
    answer = _answer(fake_razorpay, session)
    settings.RAZORPAY_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = _verify(patient, session, answer)
    assert response["Location"] == f"/pay/status/{session.token}/"
    page = patient.get(response["Location"]).content.decode()
    assert "Razorpay did not answer just now." in page and "Waiting for the payment" in page
    assert Payment.objects.get(pk=session.payment_id).status == Payment.Status.PENDING


def test_it_shows_a_closed_checkout_as_closed(patient, world, fake_razorpay):
    session = _open(world)
    PaymentSession.objects.filter(pk=session.pk).update(status=PaymentSession.Status.EXPIRED)
    page = patient.get(f"/pay/razorpay/{session.token}/").content.decode()
    assert "This checkout is closed." in page and "data-razorpay-open" not in page
    assert fake_razorpay.checkout_js_url not in page


def test_it_sends_a_pay_first_booking_to_the_razorpay_page(patient, api, world, fake_razorpay):
    body = {**pay_first_body(world, world.clinic_a), "provider": "razorpay"}
    booked = api.post(
        "/api/v1/billing/bookings", body, headers=bearer(world.patient_user, world.clinic_a)
    )
    assert booked.status_code == 201, booked.content
    session = PaymentSession.objects.get(payment_id=booked.json()["payment"]["id"])
    assert booked.json()["session"]["checkout_url"].endswith(f"/pay/razorpay/{session.token}/")
    page = patient.get(f"/pay/razorpay/{session.token}/")
    assert page.status_code == 200 and session.provider_session_id in page.content.decode()
