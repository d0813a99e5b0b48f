"""The embedded sandbox gateway: our own hosted checkout page that sends signed webhooks back.

Signatures follow Stripe's scheme (`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`) in the
`X-Sandbox-Signature` header, so the sandbox exercises the same verify → ledger → process path.
"""

import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop

from clinicore.billing.gateways.base import (
    CheckoutRequest,
    CheckoutResult,
    Credentials,
    GatewayError,
    PaymentNotice,
    RefundResult,
    SignatureInvalid,
    register,
)

HEADER = "X-Sandbox-Signature"


def signature_header(body: str, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_verify(body: str, header: str, secret: str, tolerance: int) -> None:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError):
        raise SignatureInvalid("The signature header is malformed.") from None
    expected = signature_header(body, secret, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise SignatureInvalid("The signature does not match.")
    if abs(time.time() - timestamp) > tolerance:
        raise SignatureInvalid("The signature is too old.")


def event_body(
    *,
    kind: str,
    reference: str,
    clinic_slug: str,
    amount_minor: int,
    currency: str,
    payment_id: str = "",
    refund_id: str = "",
    method: str = "card",
) -> str:
    event = {
        "id": "evt_sbx_" + secrets.token_hex(12),
        "type": kind,  # payment.succeeded | payment.failed | payment.cancelled | refund.succeeded
        "created": int(time.time()),
        "data": {
            "session": reference,
            "clinic": clinic_slug,
            "payment_id": payment_id or "sbx_pay_" + secrets.token_hex(10),
            "refund_id": refund_id,
            "amount": amount_minor,
            "currency": currency,
            "method": method,
        },
    }
    return json.dumps(event, separators=(",", ":"))


class SandboxGateway:
    name = "sandbox"
    hosted = True

    def checkout_create(
        self, *, credentials: Credentials, request: CheckoutRequest
    ) -> CheckoutResult:
        path = reverse("billing-pay:sandbox-checkout", kwargs={"token": request.reference})
        return CheckoutResult(
            provider_session_id="sbx_cs_" + request.reference[:24],
            checkout_url=settings.PUBLIC_BASE_URL + path,
        )

    def refund_create(
        self, *, credentials, provider_payment_id, amount_minor, currency, reason, reference
    ):
        if not provider_payment_id:
            raise GatewayError(gettext_noop("The sandbox has no such payment."), retryable=False)
        return RefundResult(
            provider_refund_id="sbx_re_" + secrets.token_hex(10),
            succeeded=True,
            raw={"status": "succeeded", "amount": amount_minor, "currency": currency},
        )

    def webhook_parse(self, *, credentials: Credentials, body: bytes, headers) -> PaymentNotice:
        text = body.decode("utf-8", errors="replace")
        signature_verify(
            text,
            headers.get(HEADER, ""),
            credentials.webhook_secret,
            settings.BILLING_WEBHOOK_TOLERANCE_SECONDS,
        )
        try:
            event = json.loads(text)
            data = event["data"]
            kinds = {
                "payment.succeeded": "payment.completed",
                "payment.failed": "payment.failed",
                "payment.cancelled": "payment.failed",
                "refund.succeeded": "refund.completed",
            }
            return PaymentNotice(
                event_id=str(event["id"]),
                kind=kinds.get(event["type"], "ignored"),
                event_type=event["type"],
                reference=str(data.get("session", "")),
                provider_payment_id=str(data.get("payment_id", "")),
                provider_refund_id=str(data.get("refund_id", "")),
                amount_minor=int(data["amount"]) if data.get("amount") is not None else None,
                currency=str(data.get("currency", "")).upper(),
                method=str(data.get("method", "")),
                failure_reason="cancelled by the patient"
                if event["type"] == "payment.cancelled"
                else ("declined in the sandbox" if event["type"] == "payment.failed" else ""),
                raw={"clinic": data.get("clinic", "")},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureInvalid("The event body is not a sandbox event.") from exc

    def return_verify(self, *, credentials, data):
        raise GatewayError("The sandbox confirms payments by webhook only.", retryable=False)


register(SandboxGateway())
