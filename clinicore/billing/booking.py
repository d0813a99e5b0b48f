"""Booking with payment up front, and refunds when an appointment is cancelled.

The slot is held (scheduling's hold) while the patient pays; a completed payment turns the hold
into the appointment; a failed or expired checkout releases it. A payment that arrives after the
hold was released re-books the same time if it is still free — and is refunded automatically if
it is not, so money is never kept silently. Billing sits below scheduling in the app order, so it
calls scheduling's services; scheduling never calls billing.
"""

import datetime
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.billing import gateway, services
from clinicore.billing.models import Invoice, InvoiceLine, Payment, PaymentSession, Refund
from clinicore.core.errors import Conflict, DomainError, InvalidInput
from clinicore.scheduling import services as scheduling
from clinicore.scheduling.models import Appointment

logger = logging.getLogger("clinicore.billing.booking")


def booking_checkout_start(
    *,
    clinic,
    actor,
    patient,
    practitioner,
    service,
    start: datetime.datetime,
    mode: str | None = None,
    provider: str | None = None,
    idempotency_key: str = "",
    return_url: str = "",
) -> PaymentSession:
    """Holds the slot, issues the invoice for the service and opens a checkout that expires with
    the hold. A repeat with the same Idempotency-Key answers with the first checkout."""
    scoped = services.idempotency_scope(actor, idempotency_key)
    if scoped:
        existing = (
            Payment.objects.filter(clinic=clinic, idempotency_key=scoped)
            .select_related("session")
            .first()
        )
        if existing is not None and hasattr(existing, "session"):
            existing.session.replayed = True
            return existing.session
    if service.price <= 0:
        raise InvalidInput(
            _("This service is free; book it without paying."), code="nothing_to_pay"
        )
    rules = services.billing_settings_for(clinic)
    hold = scheduling.hold_create(
        clinic=clinic,
        actor=actor,
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=start,
        mode=mode,
        hold_ref="billing checkout",
        minutes=rules.session_ttl_minutes,
    )
    try:
        invoice = services.invoice_create(
            clinic=clinic,
            actor=actor,
            patient=patient,
            currency=service.currency,
            practitioner=practitioner,
            lines=[
                {
                    "description": f"{service.name} · {hold.reservation_code}",
                    "quantity": "1",
                    "unit_price": service.price,
                    "source": InvoiceLine.Source.APPOINTMENT,
                    "source_id": str(hold.pk),
                }
            ],
            due_date=timezone.now().date(),
            issue=True,
            appointment=hold,
        )
        return gateway.checkout_start(
            clinic=clinic,
            invoice=invoice,
            actor=actor,
            provider=provider,
            idempotency_key=idempotency_key,
            return_url=return_url,
            hold_id=hold.pk,
            expires_at=hold.hold_expires_at,
        )
    except DomainError:
        scheduling.hold_release(clinic=clinic, actor=actor, hold=hold)
        raise


def booking_payment_completed(*, session: PaymentSession, payment: Payment) -> None:
    """Inside payment_complete's transaction: confirm the held slot, or re-book it, or refund."""
    hold = Appointment.objects.filter(pk=session.hold_id, clinic_id=session.clinic_id).first()
    if hold is None:
        return
    appointment = None
    try:
        with transaction.atomic():
            appointment = scheduling.hold_convert_to_appointment(
                clinic=hold.clinic, actor=None, hold=hold, status=Appointment.Status.CONFIRMED
            )
    except Conflict:
        try:
            with transaction.atomic():
                appointment, _created = scheduling.appointment_book(
                    clinic=hold.clinic,
                    actor=None,
                    patient=hold.patient,
                    practitioner=hold.practitioner,
                    service=hold.service,
                    start=hold.start,
                    mode=hold.mode,
                    source_channel="payment",
                )
        except (DomainError, IntegrityError):
            logger.info("paid slot was taken; refunding", extra={"payment_id": str(payment.pk)})
            services._refund_later(
                payment,
                payment.amount,
                "The time was taken before the payment arrived; the booking could not be kept.",
            )
            return
    Invoice.objects.filter(pk=payment.invoice_id).update(appointment=appointment)


def booking_payment_failed(*, session: PaymentSession) -> None:
    """The checkout failed or expired: the held slot goes back to the calendar at once."""
    hold = Appointment.objects.filter(pk=session.hold_id, clinic_id=session.clinic_id).first()
    if hold is None or hold.status != Appointment.Status.HELD:
        return
    scheduling.hold_release(clinic=hold.clinic, actor=None, hold=hold)


def appointment_cancel_with_refund(
    *,
    clinic,
    appointment: Appointment,
    actor,
    reason: str = "",
    as_patient: bool = False,
    refund_amount: Decimal | None = None,
) -> tuple[Appointment, list[Refund]]:
    """Cancels through scheduling, then refunds what the clinic's policy gives back (full refund up
    to `refund_full_hours` before the start, `refund_late_percent` after). Staff may override the
    amount; patients get the policy. Refunds go out after commit, through the gateway that took the money."""
    if refund_amount is not None and as_patient:
        raise InvalidInput(
            _("Only staff can choose a refund amount."), fields={"refund_amount": _("Staff only.")}
        )
    now = timezone.now()
    planned: list[tuple[Payment, Decimal]] = []
    with transaction.atomic():
        appointment = scheduling.appointment_cancel(
            appointment=appointment, actor=actor, reason=reason, as_patient=as_patient, now=now
        )
        payments = list(
            Payment.objects.select_for_update()
            .filter(
                clinic=clinic,
                invoice__appointment=appointment,
                status__in=(Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED),
            )
            .order_by("paid_at")
        )
        paid = sum((p.refundable for p in payments), Decimal("0"))
        if payments:
            currency = payments[0].currency
            due = (
                services.refund_amount_for_cancellation(
                    clinic=clinic,
                    paid=paid,
                    currency=currency,
                    starts_at=appointment.start,
                    cancelled_at=now,
                )
                if refund_amount is None
                else min(Decimal(str(refund_amount)), paid)
            )
            for payment in payments:
                share = min(due, payment.refundable)
                if share > 0:
                    planned.append((payment, share))
                    due -= share
    refunds = []
    for payment, amount in planned:
        try:
            refunds.append(
                gateway.refund_issue(
                    clinic=clinic,
                    payment=payment,
                    actor=actor,
                    amount=amount,
                    reason=f"Appointment cancelled: {reason}".strip(": ")[:300],
                    automatic=refund_amount is None,
                )
            )
        except DomainError:
            logger.warning(
                "cancellation refund failed; retrying in the background",
                extra={"payment_id": str(payment.pk)},
            )
            services._refund_later_now(payment, amount, "Appointment cancelled")
    return appointment, refunds
