"""Webhooks in: verify, store once in the ledger, check the tenant, process once, answer fast.

Every provider's body goes through its gateway's `webhook_parse` (signature first), then one
shared path: the ledger row (provider + event id, unique) is created or found, locked, and
processed inside one transaction only if it has not been processed before. Events may come in
any order and any number of times: a completed payment is never undone by a late "failed",
and a repeat of an event already processed changes nothing.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinicore.billing import services
from clinicore.billing.gateway import credentials_for, notice_mismatch
from clinicore.billing.gateways.base import (
    GatewayError,
    PaymentNotice,
    SignatureInvalid,
    gateway_get,
)
from clinicore.billing.models import Payment, PaymentSession, Provider, Refund, WebhookEvent
from clinicore.clinics.models import Clinic

logger = logging.getLogger("clinicore.billing.webhooks")


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    outcome: str
    detail: str = ""


class RetryLater(Exception):
    """The event refers to something not recorded yet; the provider should deliver it again."""


def webhook_receive(
    *, provider: str, body: bytes, headers, clinic_slug: str | None = None
) -> WebhookAnswer:
    clinic = None
    if provider != Provider.SANDBOX:
        clinic = Clinic.objects.filter(slug=clinic_slug or "").first()
        if clinic is None:
            return WebhookAnswer(404, "unknown_clinic", "No clinic at this address.")
    try:
        gateway = gateway_get(provider)
        notice = gateway.webhook_parse(
            credentials=credentials_for(clinic, provider), body=body, headers=headers
        )
    except (SignatureInvalid, GatewayError) as exc:
        _record_rejected(provider, clinic, body, str(exc))
        return WebhookAnswer(400, WebhookEvent.Outcome.REJECTED, "The signature does not verify.")

    event = _ledger_row(provider, clinic, notice, body)
    if event.processed_at is not None:
        return WebhookAnswer(200, WebhookEvent.Outcome.DUPLICATE)
    try:
        outcome, detail = _process(event.pk, notice, clinic)
    except RetryLater as exc:
        return WebhookAnswer(409, WebhookEvent.Outcome.PENDING, str(exc))
    return WebhookAnswer(200, outcome, detail)


def _record_rejected(provider: str, clinic, body: bytes, reason: str) -> None:
    event_id = "rejected:" + hashlib.sha256(body).hexdigest()
    logger.warning("webhook signature rejected", extra={"provider": provider})
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                provider=provider,
                event_id=event_id,
                clinic=clinic,
                raw_body=body.decode("utf-8", "replace"),
                signature_verified=False,
                outcome=WebhookEvent.Outcome.REJECTED,
                detail=reason[:500],
                processed_at=timezone.now(),
            )
    except IntegrityError:
        WebhookEvent.objects.filter(provider=provider, event_id=event_id).update(
            deliveries=F("deliveries") + 1
        )


def _ledger_row(provider: str, clinic, notice: PaymentNotice, body: bytes) -> WebhookEvent:
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=provider,
                event_id=notice.event_id[:200],
                clinic=clinic,
                type=notice.event_type[:100],
                raw_body=body.decode("utf-8", "replace"),
                signature_verified=True,
            )
    except IntegrityError:
        WebhookEvent.objects.filter(provider=provider, event_id=notice.event_id[:200]).update(
            deliveries=F("deliveries") + 1
        )
        return WebhookEvent.objects.get(provider=provider, event_id=notice.event_id[:200])


def _process(event_pk, notice: PaymentNotice, clinic) -> tuple[str, str]:
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return WebhookEvent.Outcome.DUPLICATE, ""
        try:
            outcome, detail = _dispatch(notice, clinic, event)
        except RetryLater:
            event.detail = "Waiting for our record of this refund."
            event.save(update_fields=["detail", "updated_at"])
            raise
        event.outcome = outcome
        event.detail = detail[:500]
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "detail", "processed_at", "clinic", "updated_at"])
        return outcome, detail


def _find_payment(notice: PaymentNotice, provider: str, clinic) -> Payment | None:
    qs = Payment.objects.filter(provider=provider)
    if clinic is not None:
        qs = qs.filter(clinic=clinic)
    if notice.reference:
        session = (
            PaymentSession.objects.filter(token=notice.reference, provider=provider)
            .select_related("payment")
            .first()
        )
        if session and (clinic is None or session.clinic_id == clinic.pk):
            return session.payment
    if notice.provider_order_id:
        found = qs.filter(provider_order_id=notice.provider_order_id).first()
        if found:
            return found
    if notice.provider_payment_id:
        return qs.filter(provider_payment_id=notice.provider_payment_id).first()
    return None


def _dispatch(notice: PaymentNotice, clinic, event: WebhookEvent) -> tuple[str, str]:
    provider = event.provider
    if notice.kind == "ignored":
        return WebhookEvent.Outcome.IGNORED, f"{notice.event_type} is not handled."
    if notice.kind.startswith("payment."):
        payment = _find_payment(notice, provider, clinic)
        if payment is None:
            return WebhookEvent.Outcome.IGNORED, "No payment of ours matches this event."
        if provider == Provider.SANDBOX:
            slug = notice.raw.get("clinic", "")
            if slug != payment.clinic.slug:
                return WebhookEvent.Outcome.MISMATCH, "The event names another clinic."
        event.clinic_id = payment.clinic_id
        if notice.kind == "payment.completed":
            problem = notice_mismatch(payment, notice)
            if problem:
                logger.warning("webhook amount mismatch", extra={"payment_id": str(payment.pk)})
                return WebhookEvent.Outcome.MISMATCH, problem
            services.payment_complete(
                payment=payment,
                provider_payment_id=notice.provider_payment_id,
                method=notice.method,
                utr=notice.utr,
                response={"event": notice.event_id, "type": notice.event_type},
            )
            return WebhookEvent.Outcome.PROCESSED, "Payment completed."
        status = (
            PaymentSession.Status.CANCELLED
            if "cancel" in notice.failure_reason
            else PaymentSession.Status.FAILED
        )
        services.payment_fail(
            payment=payment,
            reason=notice.failure_reason or "The payment failed.",
            session_status=status,
            response={"event": notice.event_id},
        )
        return WebhookEvent.Outcome.PROCESSED, "Payment failed."
    if notice.kind.startswith("refund."):
        refund = (
            Refund.objects.filter(
                provider_refund_id=notice.provider_refund_id, payment__provider=provider
            ).first()
            if notice.provider_refund_id
            else None
        )
        if refund is None or (clinic is not None and refund.clinic_id != clinic.pk):
            raise RetryLater("No refund of ours has this id yet.")
        event.clinic_id = refund.clinic_id
        services.refund_settle(
            refund=refund,
            succeeded=notice.kind == "refund.completed",
            response={"event": notice.event_id},
        )
        return WebhookEvent.Outcome.PROCESSED, "Refund settled."
    return WebhookEvent.Outcome.IGNORED, "Unknown notice."
