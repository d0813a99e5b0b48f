"""Razorpay through its official SDK: orders, payment signature checks, webhooks, refunds.

The API base is `RAZORPAY_API_BASE` (a local fake server in tests); keys are per clinic. On the
web the patient pays in Razorpay Standard Checkout, which our page `/pay/razorpay/<token>/` opens
with `checkout.js` (`RAZORPAY_CHECKOUT_JS_URL`); apps open their SDK with `client_data`.
"""

import hashlib
import json
from urllib.parse import urlsplit

import razorpay as razorpay_sdk
import requests
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop
from razorpay.errors import BadRequestError, SignatureVerificationError

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


def _client(credentials: Credentials) -> razorpay_sdk.Client:
    if not (credentials.public_key and credentials.secret_key):
        raise GatewayError(gettext_noop("Razorpay is not set up for this clinic."), retryable=False)
    return razorpay_sdk.Client(
        auth=(credentials.public_key, credentials.secret_key), base_url=settings.RAZORPAY_API_BASE
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except BadRequestError as exc:
        raise GatewayError(f"Razorpay: {exc}", retryable=False) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise GatewayError(gettext_noop("Razorpay did not answer."), retryable=True) from exc
    except (razorpay_sdk.errors.ServerError, razorpay_sdk.errors.GatewayError) as exc:
        raise GatewayError(f"Razorpay: {exc}", retryable=True) from exc
    except ValueError as exc:  # a non-JSON answer
        raise GatewayError(
            gettext_noop("Razorpay gave an unreadable answer."), retryable=True
        ) from exc


def _payment_notice(event_id: str, event_type: str, payment: dict, kind: str) -> PaymentNotice:
    acquirer = payment.get("acquirer_data") or {}
    return PaymentNotice(
        event_id=event_id,
        kind=kind,
        event_type=event_type,
        reference=(payment.get("notes") or {}).get("reference", "")
        if isinstance(payment.get("notes"), dict)
        else "",
        provider_order_id=payment.get("order_id") or "",
        provider_payment_id=payment.get("id", ""),
        amount_minor=payment.get("amount"),
        currency=(payment.get("currency") or "").upper(),
        method={"upi": "upi", "card": "card", "netbanking": "netbanking", "wallet": "wallet"}.get(
            payment.get("method", ""), "card"
        ),
        utr=str(acquirer.get("upi_transaction_id") or acquirer.get("rrn") or ""),
        failure_reason=payment.get("error_description") or "",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def checkout_csp(policy: dict) -> dict:
    """The page's Content-Security-Policy widened for Razorpay Standard Checkout alone: its script
    from `RAZORPAY_CHECKOUT_JS_URL`'s origin, and its frame and calls on that origin and on the
    API's (Razorpay serves the checkout frame from api.razorpay.com)."""
    script = _origin(settings.RAZORPAY_CHECKOUT_JS_URL)
    hosts = list(dict.fromkeys([script, _origin(settings.RAZORPAY_API_BASE)]))
    fallback = list(policy.get("default-src", []))
    widened = {name: list(values) for name, values in policy.items()}
    widened["script-src"] = [*policy.get("script-src", fallback), script]
    widened["frame-src"] = [*policy.get("frame-src", fallback), *hosts]
    widened["connect-src"] = [*policy.get("connect-src", fallback), *hosts]
    return widened


class RazorpayGateway:
    name = "razorpay"
    hosted = True  # our page opens Razorpay Checkout; apps open it with `client_data`

    def checkout_create(
        self, *, credentials: Credentials, request: CheckoutRequest
    ) -> CheckoutResult:
        order = _call(
            _client(credentials).order.create,
            {
                "amount": request.amount_minor,
                "currency": request.currency,
                "receipt": request.reference[:40],
                "notes": {"reference": request.reference},
            },
        )
        path = reverse("billing-pay:razorpay-checkout", kwargs={"token": request.reference})
        return CheckoutResult(
            provider_session_id=order["id"],
            provider_order_id=order["id"],
            checkout_url=settings.PUBLIC_BASE_URL + path,
            client_data={
                "key": credentials.public_key,
                "order_id": order["id"],
                "amount": order["amount"],
                "currency": order["currency"],
                "description": request.description,
                "prefill": {"email": request.customer_email},
            },
            raw=order,
        )

    def refund_create(
        self, *, credentials, provider_payment_id, amount_minor, currency, reason, reference
    ):
        refund = _call(
            _client(credentials).payment.refund,
            provider_payment_id,
            {
                "amount": amount_minor,
                "notes": {"reference": reference, "reason": reason[:200]},
            },
        )
        if refund.get("status") == "failed":
            raise GatewayError(
                gettext_noop("Razorpay declined the refund."), retryable=False, response=refund
            )
        return RefundResult(
            provider_refund_id=refund["id"],
            succeeded=refund.get("status") == "processed",
            raw=refund,
        )

    def webhook_parse(self, *, credentials: Credentials, body: bytes, headers) -> PaymentNotice:
        if not credentials.webhook_secret:
            raise SignatureInvalid("No Razorpay webhook secret is set for this clinic.")
        text = body.decode("utf-8", errors="replace")
        try:
            razorpay_sdk.Client(auth=("", "")).utility.verify_webhook_signature(
                text, headers.get("X-Razorpay-Signature", ""), credentials.webhook_secret
            )
        except SignatureVerificationError as exc:
            raise SignatureInvalid("The Razorpay signature does not match.") from exc
        try:
            event = json.loads(text)
            etype = event["event"]
            payload = event.get("payload", {})
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureInvalid("The body is not a Razorpay event.") from exc
        event_id = (
            headers.get("X-Razorpay-Event-Id") or "sha256:" + hashlib.sha256(body).hexdigest()
        )
        if etype in {"payment.captured", "order.paid"}:
            return _payment_notice(
                event_id, etype, payload["payment"]["entity"], "payment.completed"
            )
        if etype == "payment.failed":
            return _payment_notice(event_id, etype, payload["payment"]["entity"], "payment.failed")
        if etype in {"refund.processed", "refund.failed"}:
            refund = payload["refund"]["entity"]
            return PaymentNotice(
                event_id=event_id,
                event_type=etype,
                kind="refund.completed" if etype == "refund.processed" else "refund.failed",
                provider_refund_id=refund.get("id", ""),
                provider_payment_id=refund.get("payment_id", ""),
                amount_minor=refund.get("amount"),
                currency=(refund.get("currency") or "").upper(),
            )
        return PaymentNotice(event_id=event_id, kind="ignored", event_type=etype)

    def return_verify(self, *, credentials, data: dict) -> PaymentNotice:
        client = _client(credentials)
        fields = ("razorpay_order_id", "razorpay_payment_id", "razorpay_signature")
        if not all(data.get(f) for f in fields):
            raise GatewayError(
                gettext_noop("Send razorpay_order_id, razorpay_payment_id and razorpay_signature."),
                retryable=False,
            )
        try:
            client.utility.verify_payment_signature({f: str(data[f]) for f in fields})
        except SignatureVerificationError as exc:
            raise SignatureInvalid("The Razorpay payment signature does not match.") from exc
        payment = _call(client.payment.fetch, data["razorpay_payment_id"])
        if payment.get("order_id") != data["razorpay_order_id"]:
            raise SignatureInvalid("The payment belongs to another order.")
        kind = "payment.completed" if payment.get("status") == "captured" else "ignored"
        return _payment_notice(f"return:{payment['id']}", "payment.verify", payment, kind)


register(RazorpayGateway())
