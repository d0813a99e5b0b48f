"""Stripe through its official SDK: Checkout Sessions, refunds, signed webhooks.

The API base is `STRIPE_API_BASE` (a local fake server in tests); keys are per clinic.
"""

import stripe as stripe_sdk
from django.conf import settings
from django.utils.translation import gettext_noop

from clinicore.billing.gateways.base import (
    CheckoutClosed,
    CheckoutRequest,
    CheckoutResult,
    Credentials,
    GatewayError,
    PaymentNotice,
    RefundResult,
    SignatureInvalid,
    register,
)


def _client(credentials: Credentials) -> stripe_sdk.StripeClient:
    if not credentials.secret_key:
        raise GatewayError(gettext_noop("Stripe is not set up for this clinic."), retryable=False)
    return stripe_sdk.StripeClient(
        credentials.secret_key,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=0,
    )


def _translate(exc: Exception) -> GatewayError:
    retryable = isinstance(exc, stripe_sdk.APIConnectionError | stripe_sdk.RateLimitError) or (
        isinstance(exc, stripe_sdk.APIError)
        and not isinstance(
            exc,
            stripe_sdk.InvalidRequestError
            | stripe_sdk.AuthenticationError
            | stripe_sdk.CardError
            | stripe_sdk.PermissionError,
        )
    )
    message = getattr(exc, "user_message", None) or str(exc) or "Stripe did not answer."
    return GatewayError(f"Stripe: {message}", retryable=retryable)


def _session_notice(
    event_id: str, event_type: str, obj: dict, kind: str, reason: str = ""
) -> PaymentNotice:
    return PaymentNotice(
        event_id=event_id,
        kind=kind,
        event_type=event_type,
        reference=obj.get("client_reference_id")
        or (obj.get("metadata") or {}).get("reference", ""),
        provider_order_id=obj.get("id", ""),
        provider_payment_id=obj.get("payment_intent") or "",
        amount_minor=obj.get("amount_total"),
        currency=(obj.get("currency") or "").upper(),
        method="card",
        failure_reason=reason,
    )


class StripeGateway:
    name = "stripe"
    hosted = True

    def checkout_create(
        self, *, credentials: Credentials, request: CheckoutRequest
    ) -> CheckoutResult:
        params = {
            "mode": "payment",
            "client_reference_id": request.reference,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_minor,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "metadata": {"reference": request.reference},
            "payment_intent_data": {"metadata": {"reference": request.reference}},
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            session = _client(credentials).v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-{request.reference}"}
            )
        except stripe_sdk.StripeError as exc:
            raise _translate(exc) from exc
        return CheckoutResult(
            provider_session_id=session.id,
            provider_order_id=session.id,
            checkout_url=session.url or "",
            client_data={"publishable_key": credentials.public_key, "session_id": session.id},
            raw={"id": session.id, "status": session.status, "amount_total": session.amount_total},
        )

    def refund_create(
        self, *, credentials, provider_payment_id, amount_minor, currency, reason, reference
    ):
        try:
            refund = _client(credentials).v1.refunds.create(
                params={
                    "payment_intent": provider_payment_id,
                    "amount": amount_minor,
                    "metadata": {"reference": reference},
                },
                options={"idempotency_key": f"refund-{reference}"},
            )
        except stripe_sdk.StripeError as exc:
            raise _translate(exc) from exc
        if refund.status in {"failed", "canceled"}:
            raise GatewayError(
                gettext_noop("Stripe declined the refund."),
                retryable=False,
                response={"id": refund.id, "status": refund.status},
            )
        return RefundResult(
            provider_refund_id=refund.id,
            succeeded=refund.status == "succeeded",
            raw={"id": refund.id, "status": refund.status, "amount": refund.amount},
        )

    def webhook_parse(self, *, credentials: Credentials, body: bytes, headers) -> PaymentNotice:
        if not credentials.webhook_secret:
            raise SignatureInvalid("No Stripe webhook secret is set for this clinic.")
        try:
            event = stripe_sdk.Webhook.construct_event(
                body,
                headers.get("Stripe-Signature", ""),
                credentials.webhook_secret,
                tolerance=settings.BILLING_WEBHOOK_TOLERANCE_SECONDS,
            )
        except (stripe_sdk.SignatureVerificationError, ValueError) as exc:
            raise SignatureInvalid(str(exc)) from exc
        obj = event.data.object.to_dict()
        etype = event.type
        if etype in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
            if obj.get("payment_status") == "paid":
                return _session_notice(event.id, etype, obj, "payment.completed")
            return PaymentNotice(event_id=event.id, kind="ignored", event_type=etype)
        if etype in {"checkout.session.async_payment_failed", "checkout.session.expired"}:
            reason = "expired at Stripe" if etype.endswith("expired") else "declined by the bank"
            return _session_notice(event.id, etype, obj, "payment.failed", reason)
        if etype in {"refund.updated", "refund.created"} and obj.get("status") in {
            "succeeded",
            "failed",
        }:
            return PaymentNotice(
                event_id=event.id,
                event_type=etype,
                kind="refund.completed" if obj["status"] == "succeeded" else "refund.failed",
                provider_refund_id=obj.get("id", ""),
                provider_payment_id=obj.get("payment_intent") or "",
                amount_minor=obj.get("amount"),
                currency=(obj.get("currency") or "").upper(),
            )
        return PaymentNotice(event_id=event.id, kind="ignored", event_type=etype)

    def checkout_close(
        self, *, credentials: Credentials, provider_session_id: str
    ) -> CheckoutClosed:
        """Expires an open Checkout Session, so the patient can no longer pay on a page we gave up.

        Stripe expires only open sessions; any other answers 400. Then the session is read back:
        it may have completed meanwhile (the payment landed) or expired already."""
        client = _client(credentials)
        try:
            session = client.v1.checkout.sessions.expire(provider_session_id)
        except stripe_sdk.InvalidRequestError as refused:
            try:
                session = client.v1.checkout.sessions.retrieve(provider_session_id)
            except stripe_sdk.StripeError as exc:
                raise _translate(exc) from exc
            if session.status == "open":
                raise _translate(refused) from refused
        except stripe_sdk.StripeError as exc:
            raise _translate(exc) from exc
        return CheckoutClosed(
            status=session.status or "",
            paid=session.payment_status == "paid",
            raw={
                "id": session.id,
                "status": session.status,
                "payment_status": session.payment_status,
            },
        )

    def return_verify(self, *, credentials, data: dict) -> PaymentNotice:
        session_id = str(data.get("session_id", ""))
        if not session_id:
            raise GatewayError(
                gettext_noop("Send the Stripe Checkout Session id (session_id)."), retryable=False
            )
        try:
            session = _client(credentials).v1.checkout.sessions.retrieve(session_id)
        except stripe_sdk.StripeError as exc:
            raise _translate(exc) from exc
        obj = session.to_dict()
        kind = "payment.completed" if obj.get("payment_status") == "paid" else "ignored"
        return _session_notice(f"return:{session_id}", "checkout.session.retrieve", obj, kind)


register(StripeGateway())
