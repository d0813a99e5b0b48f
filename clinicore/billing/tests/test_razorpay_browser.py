"""A patient pays an invoice with Razorpay Standard Checkout in headless Chromium, on a phone and a
desktop: our page loads checkout.js (the fake Razorpay's, through `RAZORPAY_CHECKOUT_JS_URL`) under
the policy widened for it, closing the window leaves the invoice payable, and paying lands on the
receipt with the invoice paid once."""

import os
import re

import pytest
from django.core import mail
from django.test import Client

from clinicore.billing.models import Invoice, Payment
from clinicore.billing.testing import make_invoice
from conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(params=sorted(VIEWPORTS))
def web(request, browser, asgi_server, settings):
    """A fresh browser context at one viewport on the whole product, as served."""
    settings.ROOT_URLCONF = "clinicore.urls"
    context = browser.new_context(
        viewport=VIEWPORTS[request.param],
        base_url=asgi_server,
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        locale="en-US",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = request.param
    yield page
    context.close()


def test_it_pays_an_invoice_with_razorpay_checkout(
    web, asgi_server, world, fake_razorpay, screenshot_dir
):
    page = web
    world.patient_a.email = "asha.patient@example.test"
    world.patient_a.save(update_fields=["email"])
    invoice = make_invoice(world.clinic_a, world.patient_a)
    client = Client()
    client.force_login(world.patient_user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": asgi_server}]
    )
    refused = []  # what the page's policy kept out of Razorpay's script, frame or calls
    page.on(
        "console",
        lambda message: (
            any(
                f'"{directive}' in message.text
                for directive in ("script-src", "frame-src", "connect-src", "default-src")
            )
            and refused.append(message.text)
        ),
    )

    page.goto(f"/me/invoices/{invoice.pk}/")
    page.get_by_role("button", name="Pay with Razorpay").click()
    page.wait_for_url(re.compile(r"/pay/razorpay/\w+/$"))
    assert page.get_by_test_id("amount").inner_text().startswith(f"{invoice.total} INR")
    assert_accessible(page)
    width = VIEWPORTS[page.viewport_name]["width"]
    page.screenshot(
        path=os.path.join(screenshot_dir, f"billing-razorpay-checkout-{width}.png"), full_page=True
    )

    # The patient opens Razorpay's window and closes it: nothing is paid, they can pay later.
    pay = page.get_by_role("button", name=f"Pay {invoice.total} INR")
    pay.click()
    checkout = page.frame_locator("iframe.razorpay-checkout-frame")
    assert checkout.get_by_test_id("razorpay-amount").inner_text() == f"{invoice.total} INR"
    checkout.get_by_role("button", name="Close").click()
    page.get_by_text("You closed the Razorpay window. Nothing was paid").wait_for()
    assert page.locator("iframe.razorpay-checkout-frame").count() == 0
    assert Payment.objects.get(invoice=invoice).status == Payment.Status.PENDING
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED

    # Then pays: Razorpay hands the page its signed answer, which the server verifies.
    pay.click()
    page.frame_locator("iframe.razorpay-checkout-frame").get_by_role(
        "button", name="Pay with UPI"
    ).click()
    page.wait_for_url(re.compile(r"/pay/status/\w+/$"))
    page.get_by_role("heading", name="Payment received").wait_for()
    receipt_number = page.get_by_test_id("receipt-number").inner_text()
    page.screenshot(
        path=os.path.join(screenshot_dir, f"billing-razorpay-paid-{width}.png"), full_page=True
    )
    assert_accessible(page)

    assert refused == []
    invoice.refresh_from_db()
    payment = Payment.objects.get(invoice=invoice)
    assert invoice.status == Invoice.Status.PAID
    assert payment.status == Payment.Status.COMPLETED and payment.method == "upi"
    assert payment.receipt_number == receipt_number
    assert payment.provider_payment_id == fake_razorpay.checkout_answers[-1]["razorpay_payment_id"]
    assert len([m for m in mail.outbox if receipt_number in m.subject]) == 1
    page.goto(f"/me/invoices/{invoice.pk}/")
    assert page.get_by_test_id("invoice-status").inner_text().strip() == "Paid"
    assert page.get_by_role("button", name="Pay with Razorpay").count() == 0
