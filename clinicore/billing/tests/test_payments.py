"""Payments: desk payments, refunds, idempotency, UPI links and QR codes, money invariants."""

import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from clinicore.billing import gateway
from clinicore.billing.gateways.upi import qr_png, upi_link
from clinicore.billing.models import Invoice, Payment, Refund
from clinicore.billing.testing import make_desk_payment, make_invoice, make_upi_payment
from clinicore.billing.totals import LineInput, invoice_totals
from clinicore.core.money import CurrencyMismatch, Money

pytestmark = pytest.mark.django_db


def test_it_records_a_desk_payment_and_emails_the_receipt(
    api, world, staff_a, django_capture_on_commit_callbacks
):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    invoice.patient.email = "asha@example.test"
    invoice.patient.save(update_fields=["email"])
    body = {"invoice_id": str(invoice.pk), "amount": "500.00", "method": "cash"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/payments/desk", body, headers={**staff_a, "Idempotency-Key": "k-1"}
        )
    assert response.status_code == 201, response.content
    again = api.post("/api/v1/payments/desk", body, headers={**staff_a, "Idempotency-Key": "k-1"})
    assert again.json()["id"] == response.json()["id"]
    assert Payment.objects.filter(invoice=invoice).count() == 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PARTIALLY_PAID and invoice.amount_paid == Decimal(
        "500.00"
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["asha@example.test"]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    from clinicore.notifications.models import OutboxMessage

    others = OutboxMessage.objects.filter(
        ref=f"payment:{response.json()['id']}", event="payment_received"
    )
    assert others.filter(channel="sms").exists()  # the short message goes through the outbox too
    # The receipt email itself left through the outbox worker, with its PDF.
    receipt = OutboxMessage.objects.get(ref=f"payment:{response.json()['id']}", channel="email")
    assert receipt.event == "payment_receipt" and receipt.status == OutboxMessage.Status.SENT
    assert receipt.attachments[0]["filename"] == name and receipt.subject == mail.outbox[0].subject


def test_it_refunds_part_of_a_payment_and_settles_the_invoice(api, world, manager_a):
    invoice = make_invoice(world.clinic_a, world.patient_a)
    payment = make_desk_payment(world.clinic_a, invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    response = api.post(
        f"/api/v1/payments/{payment.pk}/refund",
        {"amount": "100.00", "reason": "Goodwill"},
        headers=manager_a,
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "succeeded"
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert invoice.amount_paid == invoice.total - Decimal("100.00")
    too_much = api.post(
        f"/api/v1/payments/{payment.pk}/refund",
        {"amount": "99999", "reason": "x"},
        headers=manager_a,
    )
    assert too_much.status_code == 422
    rest = api.post(
        f"/api/v1/payments/{payment.pk}/refund", {"reason": "Cancelled"}, headers=manager_a
    )
    assert rest.status_code == 201
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.REFUNDED and invoice.amount_paid == 0


def test_it_replays_create_order_with_the_same_idempotency_key(api, world):
    from clinicore.core.testing import bearer

    invoice = make_invoice(world.clinic_a, world.patient_a)
    headers = {**bearer(world.patient_user, world.clinic_a), "Idempotency-Key": "pay-1"}
    first = api.post(
        "/api/v1/payments/create-order", {"invoice_id": str(invoice.pk)}, headers=headers
    )
    second = api.post(
        "/api/v1/payments/create-order", {"invoice_id": str(invoice.pk)}, headers=headers
    )
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["payment"]["id"] == second.json()["payment"]["id"]
    assert first.json()["session"]["checkout_url"].endswith(
        f"/pay/sandbox/{first.json()['session']['token']}/"
    )
    other = make_invoice(world.clinic_a, world.patient_a)
    clash = api.post(
        "/api/v1/payments/create-order", {"invoice_id": str(other.pk)}, headers=headers
    )
    assert clash.status_code == 409


def test_it_builds_a_valid_upi_link_whose_qr_decodes_to_the_same_link():
    import zxingcpp
    from PIL import Image

    link = upi_link(
        vpa="dr.rao@okicici",
        payee_name="Rao Dental & Skin",
        amount=Decimal("1499.5"),
        note="Invoice INV-2026-000123",
        reference="a1b2c3d4e5f6",
    )
    parsed = urlparse(link)
    assert parsed.scheme == "upi" and parsed.netloc == "pay"
    params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    assert params == {
        "pa": "dr.rao@okicici",
        "pn": "Rao Dental & Skin",
        "am": "1499.50",
        "cu": "INR",
        "tn": "Invoice INV-2026-000123",
        "tr": "a1b2c3d4e5f6",
    }
    assert "pn=Rao%20Dental%20%26%20Skin" in link and "am=1499.50" in link
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(link))))
    assert [d.text for d in decoded] == [link]


def test_it_confirms_a_upi_payment_by_utr_from_the_reconciliation_list(api, world, staff_a):
    payment = make_upi_payment(world.clinic_a, world.patient_a)
    assert payment.session.upi_link.startswith("upi://pay?pa=clinic-a%40okaxis")
    listed = api.get("/api/v1/payments/reconciliation", headers=staff_a).json()["items"]
    assert [p["id"] for p in listed] == [str(payment.pk)]
    bad = api.post(
        f"/api/v1/payments/{payment.pk}/confirm-utr", {"utr": "12345678ab!!"}, headers=staff_a
    )
    assert bad.status_code == 422 or bad.json()["status"] == "completed"
    response = api.post(
        f"/api/v1/payments/{payment.pk}/confirm-utr", {"utr": "412345678901"}, headers=staff_a
    )
    assert response.status_code in (200, 409)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.COMPLETED
    assert api.get("/api/v1/payments/reconciliation", headers=staff_a).json()["items"] == []


def test_it_refuses_floats_and_mixed_currencies_in_totals():
    with pytest.raises(TypeError):
        invoice_totals([LineInput(quantity=Decimal("1"), unit_price=10.5)], currency="INR")
    with pytest.raises(CurrencyMismatch):
        Money(Decimal("1"), "INR") + Money(Decimal("1"), "USD")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.tuples(st.integers(1, 5), amounts, st.sampled_from(["0", "5", "12", "18"])),
        min_size=1,
        max_size=4,
    ),
    steps=st.lists(
        st.tuples(st.sampled_from(["pay", "refund"]), st.integers(1, 100)), min_size=1, max_size=8
    ),
)
def test_paid_amount_is_always_completed_payments_minus_refunds(world, lines, steps):
    invoice = make_invoice(
        world.clinic_a,
        world.patient_a,
        lines=[
            {"description": f"Item {i}", "quantity": str(q), "unit_price": str(p), "tax_rate": t}
            for i, (q, p, t) in enumerate(lines)
        ],
    )
    assert isinstance(invoice.total, Decimal)
    for action, percent in steps:
        invoice.refresh_from_db()
        if action == "pay" and invoice.is_payable:
            amount = max(
                Decimal("0.01"), (invoice.balance_due * percent / 100).quantize(Decimal("0.01"))
            )
            make_desk_payment(world.clinic_a, invoice, amount=min(amount, invoice.balance_due))
        elif action == "refund":
            payment = Payment.objects.filter(
                invoice=invoice, status__in=["completed", "partially_refunded"]
            ).first()
            if payment:
                amount = max(
                    Decimal("0.01"), (payment.refundable * percent / 100).quantize(Decimal("0.01"))
                )
                gateway.refund_issue(
                    clinic=world.clinic_a, payment=payment, actor=None, amount=amount, reason="test"
                )
        invoice.refresh_from_db()
        paid = sum(
            (p.amount for p in invoice.payments.filter(status__in=Payment.SETTLED_STATUSES)),
            Decimal("0"),
        )
        refunded = sum(
            (r.amount for r in Refund.objects.filter(payment__invoice=invoice, status="succeeded")),
            Decimal("0"),
        )
        assert invoice.amount_paid == paid - refunded
        assert {p.currency for p in invoice.payments.all()} <= {invoice.currency}
        assert Decimal("0") <= invoice.amount_paid <= invoice.total
        if invoice.status == Invoice.Status.PAID and invoice.amount_refunded == 0:
            assert invoice.amount_paid == invoice.total
