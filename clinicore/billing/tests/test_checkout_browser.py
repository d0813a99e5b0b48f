"""A patient pays an invoice through the sandbox checkout in headless Chromium and gets a receipt."""

import os

import pytest
from django.core import mail

from clinicore.billing.models import Invoice, Payment, WebhookEvent
from clinicore.billing.testing import make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_pays_an_invoice_in_the_sandbox_checkout_and_gets_a_receipt(
    asgi_server, world, page, client, settings, screenshot_dir
):
    settings.ROOT_URLCONF = "clinicore.urls"  # the whole product, as served
    world.patient_a.email = "asha.patient@example.test"
    world.patient_a.save(update_fields=["email"])
    invoice = make_invoice(world.clinic_a, world.patient_a)
    client.force_login(world.patient_user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": asgi_server,
            }
        ]
    )

    page.goto(f"{asgi_server}/me/invoices/{invoice.pk}/")
    assert page.get_by_test_id("invoice-status").inner_text().strip() == "Issued"
    page.get_by_role("button", name="Pay now").click()
    page.wait_for_url("**/pay/sandbox/**")
    assert page.get_by_test_id("amount").inner_text().startswith(f"{invoice.total} INR")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(
            path=os.path.join(screenshot_dir, f"billing-sandbox-checkout-{width}.png"),
            full_page=True,
        )
    page.set_viewport_size({"width": 375, "height": 900})
    page.get_by_label("UPI").check()
    page.get_by_role("button", name=f"Pay {invoice.total} INR").click()
    page.wait_for_url("**/pay/status/**")
    page.get_by_role("heading", name="Payment received").wait_for(timeout=15000)
    page.screenshot(
        path=os.path.join(screenshot_dir, "billing-payment-received-375.png"), full_page=True
    )
    receipt_number = page.get_by_test_id("receipt-number").inner_text()
    with page.expect_download() as download_info:
        page.get_by_test_id("receipt-link").click()
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    invoice.refresh_from_db()
    payment = Payment.objects.get(invoice=invoice)
    assert invoice.status == Invoice.Status.PAID
    assert payment.status == Payment.Status.COMPLETED and payment.method == "upi"
    assert payment.receipt_number == receipt_number
    event = WebhookEvent.objects.get(provider="sandbox")
    assert event.signature_verified and event.outcome == "processed"
    receipts = [m for m in mail.outbox if receipt_number in m.subject]
    assert len(receipts) == 1 and receipts[0].to == ["asha.patient@example.test"]
    assert receipts[0].attachments[0][2] == "application/pdf"
