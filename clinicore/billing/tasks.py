"""Background work of billing: automatic refunds, receipts by email, sandbox webhooks, and the
periodic jobs that expire checkouts and mark invoices overdue."""

import logging
from datetime import timedelta
from decimal import Decimal

import httpx
from django.conf import settings
from django.tasks import task
from django.urls import reverse

from clinicore.core.errors import ProviderUnavailable
from clinicore.core.scheduler import periodic

logger = logging.getLogger("clinicore.billing.tasks")


@task
def refund_automatic(payment_id: str, amount: str, reason: str) -> str:
    """Money that arrived for something the patient no longer gets goes back, never kept."""
    from clinicore.billing.gateway import refund_issue
    from clinicore.billing.models import Payment

    payment = Payment.objects.select_related("clinic").get(pk=payment_id)
    if payment.refundable <= 0:
        return "nothing to refund"
    value = min(Decimal(amount), payment.refundable)
    try:
        refund = refund_issue(
            clinic=payment.clinic,
            payment=payment,
            actor=None,
            amount=value,
            reason=reason,
            automatic=True,
        )
    except ProviderUnavailable:
        logger.warning("automatic refund failed", extra={"payment_id": payment_id})
        raise
    return refund.status


@task
def receipt_send(payment_id: str) -> str:
    """Queues the receipt email (PDF attached) and the short messages for a completed payment.
    Payments queue these in their own transaction; this task stays for tasks already waiting
    and for resending (both are deduplicated per payment)."""
    from clinicore.billing import notify
    from clinicore.billing.models import Payment

    payment = Payment.objects.select_related("invoice__patient", "clinic").get(pk=payment_id)
    notify.payment_notify(payment)
    return notify.receipt_email(payment)


@task
def sandbox_webhook_deliver(body: str) -> int:
    """Posts one sandbox event to our own webhook endpoint, signed as a gateway would sign it."""
    from clinicore.billing.gateways.sandbox import HEADER, signature_header

    url = settings.PUBLIC_BASE_URL + reverse("billing-hooks:sandbox")
    headers = {
        "Content-Type": "application/json",
        HEADER: signature_header(body, settings.BILLING_SANDBOX_WEBHOOK_SECRET),
    }
    response = httpx.post(url, content=body.encode(), headers=headers, timeout=10)
    if response.status_code >= 500 or response.status_code == 409:
        raise RuntimeError(f"sandbox webhook answered {response.status_code}")
    return response.status_code


@periodic("billing.expire_sessions", every=timedelta(minutes=1))
def expire_sessions() -> int:
    """Our side first (slots freed, payments failed), then the gateways' checkout pages closed:
    a gateway outage never keeps a hold alive."""
    from clinicore.billing.gateway import checkouts_close_at_gateways
    from clinicore.billing.services import sessions_expire

    count = sessions_expire()
    checkouts_close_at_gateways()
    return count


@periodic("billing.mark_overdue", every=timedelta(hours=1))
def mark_overdue() -> int:
    from clinicore.billing.services import invoices_mark_overdue

    return invoices_mark_overdue()
