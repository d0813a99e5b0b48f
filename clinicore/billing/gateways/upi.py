"""UPI collect by deep link and QR code for the clinic's VPA; confirmed by staff entering the UTR.

Link format (NPCI UPI linking specification): upi://pay?pa=&pn=&am=&cu=INR&tn=&tr=
"""

import io
import secrets
from decimal import Decimal
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.urls import reverse

from clinicore.billing.gateways.base import (
    CheckoutRequest,
    CheckoutResult,
    GatewayError,
    RefundResult,
    register,
)
from clinicore.core.money import from_minor


def upi_link(*, vpa: str, payee_name: str, amount: Decimal, note: str, reference: str) -> str:
    params = {
        "pa": vpa,
        "pn": payee_name,
        "am": f"{amount:.2f}",
        "cu": "INR",
        "tn": note,
        "tr": reference,
    }
    return "upi://pay?" + urlencode(params, quote_via=quote)


def qr_svg(link: str) -> str:
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, svgns=True, title="UPI QR"
    )
    return buffer.getvalue().decode()


def qr_png(link: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


class UpiGateway:
    name = "upi"
    hosted = True

    def checkout_create(self, *, credentials, request: CheckoutRequest) -> CheckoutResult:
        if request.currency != "INR":
            raise GatewayError("UPI takes payments in Indian rupees only.", retryable=False)
        if not request.payee_vpa:
            raise GatewayError("This clinic has no UPI ID (VPA) set up.", retryable=False)
        link = upi_link(
            vpa=request.payee_vpa,
            payee_name=request.payee_name[:50],
            amount=from_minor(request.amount_minor, "INR"),
            note=request.description[:50],
            reference=request.reference[:35],
        )
        path = reverse("billing-pay:upi-checkout", kwargs={"token": request.reference})
        return CheckoutResult(upi_link=link, checkout_url=settings.PUBLIC_BASE_URL + path)

    def refund_create(
        self, *, credentials, provider_payment_id, amount_minor, currency, reason, reference
    ):
        # UPI collect has no refund API: the clinic sends the money back from its bank app.
        return RefundResult(provider_refund_id="upi_re_" + secrets.token_hex(8), succeeded=True)

    def webhook_parse(self, *, credentials, body, headers):
        raise GatewayError("UPI links are confirmed by UTR, not webhooks.", retryable=False)

    def return_verify(self, *, credentials, data):
        raise GatewayError("UPI links are confirmed by UTR.", retryable=False)


register(UpiGateway())
