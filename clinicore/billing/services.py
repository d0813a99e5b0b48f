"""Every write to invoices, payments and refunds; each money change settles the invoice here.

Locks are taken in one order — invoice, then payment, then refund — so two writers never deadlock.
"""

import datetime
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.billing import totals as totals_mod
from clinicore.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Method,
    Payment,
    PaymentSession,
    Provider,
    Refund,
)
from clinicore.core.audit import audit_record
from clinicore.core.codes import short_code
from clinicore.core.errors import Conflict, InvalidInput
from clinicore.core.money import CURRENCIES, quantize

ZERO = Decimal("0")
LINE_FIELDS = {
    "description",
    "quantity",
    "unit_price",
    "discount",
    "tax_rate",
    "source",
    "source_id",
}


def _audit(action: str, obj, actor, fields=()) -> None:
    audit_record(
        action=action,
        entity_type=obj._meta.model_name,
        entity_id=obj.pk,
        clinic_id=obj.clinic_id,
        actor=actor,
        fields=fields,
    )


def _clinic_today(clinic) -> datetime.date:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(clinic.time_zone)).date()


# --- Settings ------------------------------------------------------------------------------------


def billing_settings_for(clinic) -> BillingSettings:
    found = BillingSettings.objects.filter(clinic=clinic).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return BillingSettings.objects.create(clinic=clinic)
    except IntegrityError:
        return BillingSettings.objects.get(clinic=clinic)


@transaction.atomic
def billing_settings_update(*, clinic, actor, **changes) -> BillingSettings:
    allowed = {
        "default_provider",
        "payment_due_days",
        "session_ttl_minutes",
        "refund_full_hours",
        "refund_late_percent",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(fields={name: _("Unknown field.") for name in sorted(unknown)})
    current = billing_settings_for(clinic)
    current = BillingSettings.objects.select_for_update().get(pk=current.pk)
    if "default_provider" in changes and changes["default_provider"] not in {
        Provider.SANDBOX,
        Provider.STRIPE,
        Provider.RAZORPAY,
        Provider.UPI,
    }:
        raise InvalidInput(
            _("Choose sandbox, stripe, razorpay or upi."),
            fields={"default_provider": _("Not a checkout gateway.")},
        )
    if "refund_late_percent" in changes and not 0 <= changes["refund_late_percent"] <= 100:
        raise InvalidInput(
            _("A refund percent is between 0 and 100."), fields={"refund_late_percent": "0–100."}
        )
    for name, value in changes.items():
        setattr(current, name, value)
    current.save(update_fields=[*changes, "updated_at"])
    _audit("billing_settings.update", current, actor, changes.keys())
    return current


# --- Invoices ------------------------------------------------------------------------------------


def _line_input(data: dict, currency: str) -> totals_mod.LineInput:
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise InvalidInput(
            fields={f"lines.{name}": _("Unknown field.") for name in sorted(unknown)}
        )
    if not str(data.get("description", "")).strip():
        raise InvalidInput(
            _("Each line needs a description."), fields={"lines.description": _("Required.")}
        )
    try:
        return totals_mod.LineInput(
            quantity=Decimal(str(data.get("quantity", "1"))),
            unit_price=quantize(Decimal(str(data["unit_price"])), currency),
            discount=Decimal(str(data.get("discount", "0"))),
            tax_rate=Decimal(str(data.get("tax_rate", "0"))),
        )
    except (KeyError, ArithmeticError, ValueError) as exc:
        raise InvalidInput(
            _("Each line needs a quantity and a unit price."),
            fields={"lines": _("Invalid amount.")},
        ) from exc


def _write_lines(invoice: Invoice, lines: list[dict], discount: Decimal) -> None:
    if not lines:
        raise InvalidInput(
            _("An invoice needs at least one line."), fields={"lines": _("Add a line.")}
        )
    inputs = [_line_input(data, invoice.currency) for data in lines]
    try:
        computed = totals_mod.invoice_totals(inputs, currency=invoice.currency, discount=discount)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(str(exc), fields={"lines": str(exc)}) from exc
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            clinic_id=invoice.clinic_id,
            invoice=invoice,
            position=i,
            description=str(data["description"]).strip()[:300],
            source=data.get("source") or InvoiceLine.Source.MANUAL,
            source_id=str(data.get("source_id") or "")[:64],
            quantity=li.quantity,
            unit_price=li.unit_price,
            discount=quantize(li.discount, invoice.currency),
            tax_rate=li.tax_rate,
            net_amount=lt.net_amount,
            tax_amount=lt.tax_amount,
            total=lt.total,
        )
        for i, (data, li, lt) in enumerate(zip(lines, inputs, computed.lines, strict=True))
    )
    invoice.discount = quantize(discount, invoice.currency)
    invoice.subtotal = computed.subtotal
    invoice.discount_total = computed.discount_total
    invoice.tax_total = computed.tax_total
    invoice.total = computed.total


@transaction.atomic
def invoice_create(
    *,
    clinic,
    actor,
    patient,
    lines: list[dict],
    currency: str | None = None,
    discount: Decimal = ZERO,
    due_date: datetime.date | None = None,
    notes: str = "",
    practitioner=None,
    issue: bool = False,
    appointment=None,
) -> Invoice:
    if patient.clinic_id != clinic.pk:
        raise InvalidInput(
            _("The patient is not a patient of this clinic."), fields={"patient_id": _("Unknown.")}
        )
    currency = (currency or clinic.currency).upper()
    if currency not in CURRENCIES:
        raise InvalidInput(
            _("Currency %(currency)s is not supported.") % {"currency": currency},
            fields={"currency": _("Unsupported.")},
        )
    if practitioner is not None and practitioner.clinic_id != clinic.pk:
        raise InvalidInput(
            _("The practitioner does not work at this clinic."),
            fields={"practitioner_id": _("Unknown.")},
        )
    invoice = Invoice.objects.create(
        clinic=clinic,
        patient=patient,
        currency=currency,
        due_date=due_date,
        notes=notes,
        practitioner=practitioner,
        appointment=appointment,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _write_lines(invoice, lines, Decimal(str(discount)))
    invoice.save()
    _audit(
        "invoice.create",
        invoice,
        actor,
        ["patient", "lines", "currency", "discount", "due_date", "notes"],
    )
    if issue:
        invoice = invoice_issue(invoice=invoice, actor=actor)
    return invoice


@transaction.atomic
def invoice_update(*, invoice: Invoice, actor, **changes) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    allowed = {"lines", "discount", "due_date", "notes", "practitioner"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(fields={name: _("Unknown field.") for name in sorted(unknown)})
    if invoice.status in (Invoice.Status.VOID, Invoice.Status.REFUNDED, Invoice.Status.PAID):
        raise Conflict(
            _("A %(status)s invoice cannot be changed.")
            % {"status": invoice.get_status_display().lower()},
            code="invoice_closed",
        )
    if ({"lines", "discount"} & set(changes)) and invoice.status != Invoice.Status.DRAFT:
        raise Conflict(
            _(
                "Lines and discount can change only while the invoice is a draft; "
                "void it and issue a new one."
            ),
            code="invoice_not_draft",
        )
    if "lines" in changes or "discount" in changes:
        lines = changes.get("lines")
        if lines is None:
            lines = [
                {
                    "description": li.description,
                    "quantity": li.quantity,
                    "unit_price": li.unit_price,
                    "discount": li.discount,
                    "tax_rate": li.tax_rate,
                    "source": li.source,
                    "source_id": li.source_id,
                }
                for li in invoice.lines.all()
            ]
        _write_lines(invoice, lines, Decimal(str(changes.get("discount", invoice.discount))))
    if "due_date" in changes:
        invoice.due_date = changes["due_date"]
    if "notes" in changes:
        invoice.notes = changes["notes"] or ""
    if "practitioner" in changes:
        invoice.practitioner = changes["practitioner"]
    invoice.save()
    if (
        invoice.status == Invoice.Status.OVERDUE
        and invoice.due_date
        and invoice.due_date >= _clinic_today(invoice.clinic)
    ):
        invoice_settle(invoice)
    _audit("invoice.update", invoice, actor, changes.keys())
    return invoice


def _next_number(clinic, year: int) -> str:
    counter, _created = InvoiceCounter.objects.get_or_create(clinic=clinic, year=year)
    counter = InvoiceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number", "updated_at"])
    return f"INV-{year}-{counter.last_number:06d}"


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor) -> Invoice:
    """Gives the invoice its number (per clinic and year, without gaps: the counter row is locked
    inside this transaction, so a rolled-back issue gives its number back)."""
    invoice = Invoice.objects.select_for_update().select_related("clinic").get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise Conflict(
            _("Only a draft can be issued; this invoice is %(status)s.")
            % {"status": invoice.get_status_display().lower()},
            code="invoice_not_draft",
        )
    if invoice.total <= 0:
        raise Conflict(_("An invoice of zero cannot be issued."), code="invoice_empty")
    now = timezone.now()
    invoice.number = _next_number(invoice.clinic, _clinic_today(invoice.clinic).year)
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = now
    if invoice.due_date is None:
        days = billing_settings_for(invoice.clinic).payment_due_days
        invoice.due_date = _clinic_today(invoice.clinic) + datetime.timedelta(days=days)
    invoice.save(update_fields=["number", "status", "issued_at", "due_date", "updated_at"])
    _audit("invoice.issue", invoice, actor, ["number", "status", "issued_at", "due_date"])
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, actor, reason: str = "") -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.ISSUED, Invoice.Status.OVERDUE):
        raise Conflict(
            _("A %(status)s invoice cannot be voided; refund its payments first.")
            % {"status": invoice.get_status_display().lower()},
            code="invoice_not_voidable",
        )
    if invoice.payments.filter(status__in=Payment.SETTLED_STATUSES).exists():
        raise Conflict(
            _("This invoice has payments; refund them instead of voiding."),
            code="invoice_has_payments",
        )
    invoice.status = Invoice.Status.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason[:300]
    invoice.save(update_fields=["status", "voided_at", "void_reason", "updated_at"])
    # Open checkouts for a void invoice are closed; a payment arriving anyway is refunded.
    PaymentSession.objects.filter(
        payment__invoice=invoice, status=PaymentSession.Status.OPEN
    ).update(status=PaymentSession.Status.CANCELLED, closed_at=timezone.now())
    _audit("invoice.void", invoice, actor, ["status", "void_reason"])
    return invoice


def invoice_settle(invoice: Invoice) -> Invoice:
    """Recomputes what was paid and refunded, and the status that follows. Call with the invoice locked."""
    settled = Payment.objects.filter(invoice=invoice, status__in=Payment.SETTLED_STATUSES)
    paid = settled.aggregate(s=Sum("amount"))["s"] or ZERO
    refunded = (
        Refund.objects.filter(payment__invoice=invoice, status=Refund.Status.SUCCEEDED).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    net = paid - refunded
    before = invoice.status
    status = before
    if before not in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        if refunded > 0 and net <= 0:
            status = Invoice.Status.REFUNDED
        elif refunded > 0 and before in (Invoice.Status.PAID, Invoice.Status.REFUNDED):
            status = Invoice.Status.PAID  # partly refunded after being settled: nothing is owed
        elif net >= invoice.total:
            status = Invoice.Status.PAID
        elif net > 0:
            status = Invoice.Status.PARTIALLY_PAID
        elif invoice.due_date and invoice.due_date < _clinic_today(invoice.clinic):
            status = Invoice.Status.OVERDUE
        else:
            status = Invoice.Status.ISSUED
    invoice.amount_paid = net
    invoice.amount_refunded = refunded
    invoice.status = status
    if status == Invoice.Status.PAID and invoice.paid_at is None:
        invoice.paid_at = timezone.now()
    invoice.save(
        update_fields=["amount_paid", "amount_refunded", "status", "paid_at", "updated_at"]
    )
    return invoice


def invoices_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Issued and partly paid invoices past their due date (in the clinic's time zone) become overdue."""
    from zoneinfo import ZoneInfo

    now = now or timezone.now()
    count = 0
    candidates = Invoice.objects.filter(
        status__in=(Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID),
        due_date__isnull=False,
        due_date__lt=now.date() + datetime.timedelta(days=1),
    ).select_related("clinic")
    for invoice in candidates.iterator():
        today = now.astimezone(ZoneInfo(invoice.clinic.time_zone)).date()
        if invoice.due_date >= today:
            continue
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.status in (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID):
                locked.status = Invoice.Status.OVERDUE
                locked.save(update_fields=["status", "updated_at"])
                _audit("invoice.overdue", locked, None, ["status"])
                count += 1
    return count


# --- Payments ------------------------------------------------------------------------------------


def receipt_number_new() -> str:
    return short_code("RCT-", 8)


def idempotency_scope(actor, key: str) -> str:
    """Keys are scoped to the caller, so two callers choosing the same key never collide."""
    import hashlib

    who = str(getattr(actor, "pk", "") or "anonymous")
    return hashlib.sha256(f"{who}:{key}".encode()).hexdigest()[:64] if key else ""


@transaction.atomic
def payment_record_desk(
    *,
    clinic,
    invoice: Invoice,
    actor,
    amount: Decimal,
    method: str,
    reference: str = "",
    idempotency_key: str = "",
) -> Payment:
    """Cash, card machine, bank transfer or UPI taken at the desk: completed at once."""
    scoped = idempotency_scope(actor, idempotency_key)
    if scoped:
        existing = Payment.objects.filter(clinic=clinic, idempotency_key=scoped).first()
        if existing:
            if existing.invoice_id != invoice.pk or existing.amount != quantize(
                Decimal(amount), existing.currency
            ):
                raise Conflict(
                    _("This Idempotency-Key was used for a different payment."),
                    code="idempotency_mismatch",
                )
            return existing
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, clinic=clinic)
    if method not in {Method.CASH, Method.CARD, Method.BANK_TRANSFER, Method.UPI}:
        raise InvalidInput(
            _("At the desk: cash, card, bank transfer or UPI."),
            fields={"method": _("Not a desk method.")},
        )
    amount = _amount_for(invoice, amount)
    payment = Payment.objects.create(
        clinic=clinic,
        invoice=invoice,
        receipt_number=receipt_number_new(),
        amount=amount,
        currency=invoice.currency,
        method=method,
        provider=Provider.DESK,
        status=Payment.Status.COMPLETED,
        reference=reference[:120],
        utr=reference[:40] if method == Method.UPI else "",
        paid_at=timezone.now(),
        idempotency_key=scoped,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    invoice_settle(invoice)
    _audit("payment.record_desk", payment, actor, ["amount", "method", "reference"])
    _after_payment_completed(payment)
    return payment


def _amount_for(invoice: Invoice, amount) -> Decimal:
    if not invoice.is_payable:
        raise Conflict(
            _("This invoice is %(status)s and takes no payment.")
            % {"status": invoice.get_status_display().lower()},
            code="invoice_not_payable",
        )
    if amount is None:
        return invoice.balance_due
    if isinstance(amount, float):
        raise InvalidInput(
            _("Send amounts as decimal strings."), fields={"amount": _("Not a decimal.")}
        )
    value = quantize(Decimal(str(amount)), invoice.currency)
    if value <= 0:
        raise InvalidInput(
            _("The amount must be more than zero."), fields={"amount": _("Too small.")}
        )
    if value > invoice.balance_due:
        raise InvalidInput(
            _("The amount is more than the %(amount)s %(currency)s still due.")
            % {"amount": invoice.balance_due, "currency": invoice.currency},
            fields={"amount": _("More than the balance.")},
        )
    return value


def payment_complete(
    *,
    payment: Payment,
    provider_payment_id: str = "",
    method: str = "",
    utr: str = "",
    response: dict | None = None,
    actor=None,
) -> Payment:
    """Marks a payment completed (once). Money for an invoice that no longer wants it — void,
    already paid, or a booking slot that was lost — is refunded automatically, never kept silently."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status in Payment.SETTLED_STATUSES:
            return payment
        was_open = invoice.status in Invoice.OPEN_STATUSES
        payment.status = Payment.Status.COMPLETED
        payment.failure_reason = ""
        payment.paid_at = timezone.now()
        if provider_payment_id:
            payment.provider_payment_id = provider_payment_id[:120]
        if method in Method.values:
            payment.method = method
        if utr:
            payment.utr = utr[:40]
        if response:
            payment.gateway_response = {**payment.gateway_response, "completed": response}
        payment.save()
        PaymentSession.objects.filter(payment=payment).exclude(
            status=PaymentSession.Status.COMPLETED
        ).update(status=PaymentSession.Status.COMPLETED, closed_at=timezone.now())
        invoice_settle(invoice)
        _audit("payment.complete", payment, actor, ["status", "paid_at", "provider_payment_id"])
        excess = (
            payment.amount
            if not was_open
            else min(payment.amount, max(invoice.amount_paid - invoice.total, ZERO))
        )
        if excess > 0:
            reason = (
                "Paid after the invoice was closed"
                if not was_open
                else "Paid twice for the same invoice"
            )
            _refund_later(payment, excess, reason)
        session = PaymentSession.objects.filter(payment=payment).first()
        if session and session.hold_id and excess == 0:
            from clinicore.billing import booking

            booking.booking_payment_completed(session=session, payment=payment)
        _after_payment_completed(payment)
    return payment


def _refund_later(payment: Payment, amount: Decimal, reason: str) -> None:
    from clinicore.billing.tasks import refund_automatic

    payment_id, value = str(payment.pk), str(amount)
    transaction.on_commit(lambda: refund_automatic.enqueue(payment_id, value, reason))


def _refund_later_now(payment: Payment, amount: Decimal, reason: str) -> None:
    """Outside a transaction: hand a refund that failed to the worker, which retries it."""
    from clinicore.billing.tasks import refund_automatic

    refund_automatic.enqueue(str(payment.pk), str(amount), reason)


def _after_payment_completed(payment: Payment) -> None:
    """The receipt email (with its PDF) and the short "payment received" messages become outbox
    rows of this transaction: they leave after commit and are never lost with a worker down."""
    from clinicore.billing import notify

    payment = Payment.objects.select_related("invoice__patient__user", "clinic").get(pk=payment.pk)
    notify.payment_notify(payment)
    notify.receipt_email(payment)


@transaction.atomic
def payment_fail(
    *,
    payment: Payment,
    reason: str,
    session_status: str = PaymentSession.Status.FAILED,
    response: dict | None = None,
) -> Payment:
    """A pending payment failed or its checkout ended; a completed one is never undone here."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    PaymentSession.objects.filter(payment=payment, status=PaymentSession.Status.OPEN).update(
        status=session_status, closed_at=timezone.now()
    )
    if payment.status != Payment.Status.PENDING:
        return payment
    payment.status = Payment.Status.FAILED
    payment.failure_reason = reason[:200]
    if response:
        payment.gateway_response = {**payment.gateway_response, "failed": response}
    payment.save(update_fields=["status", "failure_reason", "gateway_response", "updated_at"])
    _audit("payment.fail", payment, None, ["status", "failure_reason"])
    session = PaymentSession.objects.filter(payment=payment).first()
    if session and session.hold_id:
        from clinicore.billing import booking

        booking.booking_payment_failed(session=session)
    return payment


def payment_confirm_utr(*, clinic, payment: Payment, utr: str, actor) -> Payment:
    """Staff saw the money in the clinic's bank and enter the UPI transaction reference (UTR)."""
    utr = "".join(ch for ch in (utr or "") if ch.isalnum())
    if not 10 <= len(utr) <= 22:
        raise InvalidInput(
            _("A UTR is 12 digits (10–22 letters or digits)."), fields={"utr": _("Not a UTR.")}
        )
    if payment.clinic_id != clinic.pk:
        raise InvalidInput(_("Unknown payment."))
    if payment.provider != Provider.UPI:
        raise Conflict(_("Only UPI link payments are confirmed by UTR."), code="not_upi")
    if payment.status in Payment.SETTLED_STATUSES:
        raise Conflict(_("This payment is already confirmed."), code="payment_already_completed")
    if Payment.objects.filter(clinic=clinic, utr=utr).exclude(pk=payment.pk).exists():
        raise Conflict(_("This UTR is already recorded for another payment."), code="utr_used")
    return payment_complete(
        payment=payment, utr=utr, method=Method.UPI, actor=actor, response={"confirmed_by": "staff"}
    )


def session_token_new() -> str:
    return secrets.token_hex(12)


def sessions_expire(*, now: datetime.datetime | None = None) -> int:
    """Closes checkouts past their expiry; their pending payments fail and held slots are freed."""
    now = now or timezone.now()
    count = 0
    due = PaymentSession.objects.filter(status=PaymentSession.Status.OPEN, expires_at__lte=now)
    for session in due.select_related("payment").iterator():
        payment_fail(
            payment=session.payment,
            reason="The checkout expired before payment.",
            session_status=PaymentSession.Status.EXPIRED,
        )
        count += 1
    return count


# --- Refunds -------------------------------------------------------------------------------------


def refund_settle(
    *, refund: Refund, succeeded: bool, provider_refund_id: str = "", response: dict | None = None
) -> Refund:
    with transaction.atomic():
        payment = Payment.objects.get(pk=refund.payment_id)
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.status = Refund.Status.SUCCEEDED if succeeded else Refund.Status.FAILED
        refund.processed_at = timezone.now()
        if provider_refund_id:
            refund.provider_refund_id = provider_refund_id[:120]
        if response:
            refund.gateway_response = response
        refund.save()
        if succeeded:
            done = (
                Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED).aggregate(
                    s=Sum("amount")
                )["s"]
                or ZERO
            )
            payment.amount_refunded = done
            payment.status = (
                Payment.Status.REFUNDED
                if done >= payment.amount
                else Payment.Status.PARTIALLY_REFUNDED
            )
            payment.save(update_fields=["amount_refunded", "status", "updated_at"])
            invoice_settle(invoice)
        _audit("refund.settle", refund, None, ["status", "provider_refund_id"])
    return refund


def refund_amount_for_cancellation(
    *,
    clinic,
    paid: Decimal,
    currency: str,
    starts_at: datetime.datetime,
    cancelled_at: datetime.datetime | None = None,
) -> Decimal:
    """The clinic's policy: a full refund when cancelled early enough, else its late percent."""
    rules = billing_settings_for(clinic)
    cancelled_at = cancelled_at or timezone.now()
    if starts_at - cancelled_at >= datetime.timedelta(hours=rules.refund_full_hours):
        return paid
    return quantize(paid * Decimal(rules.refund_late_percent) / Decimal(100), currency)
