"""The one entry point to payment gateways: lock, record the attempt, call out, record the answer.

Nothing else in the code base calls a gateway module directly. Each call is a `GatewayCall` row
written (and committed) before the request leaves, so a crash mid-call leaves a trace; the
gateway's answer comes back normalized (`CheckoutResult`, `RefundResult`, `PaymentNotice`) and
its failures as one error type saying whether a retry can help (`ProviderUnavailable.retryable`).
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicore.billing import services
from clinicore.billing.gateways.base import (
    CheckoutRequest,
    Credentials,
    GatewayError,
    PaymentNotice,
    SignatureInvalid,
    gateway_get,
)
from clinicore.billing.models import (
    GatewayAccount,
    GatewayCall,
    Invoice,
    Method,
    Payment,
    PaymentSession,
    Provider,
    Refund,
)
from clinicore.core.audit import audit_record
from clinicore.core.errors import Conflict, InvalidInput, ProviderUnavailable
from clinicore.core.money import quantize, to_minor

CHECKOUT_PROVIDERS = (Provider.SANDBOX, Provider.STRIPE, Provider.RAZORPAY, Provider.UPI)

logger = logging.getLogger("clinicore.billing.gateway")


def credentials_for(clinic, provider: str) -> Credentials:
    if provider == Provider.SANDBOX:
        return Credentials(webhook_secret=settings.BILLING_SANDBOX_WEBHOOK_SECRET)
    if provider in (Provider.DESK, Provider.UPI):
        return Credentials()
    account = GatewayAccount.objects.filter(
        clinic=clinic, provider=provider, is_active=True
    ).first()
    if account is None:
        return Credentials()
    return Credentials(
        public_key=account.public_key,
        secret_key=account.secret_key,
        webhook_secret=account.webhook_secret,
    )


@transaction.atomic
def gateway_account_set(
    *,
    clinic,
    actor,
    provider: str,
    public_key: str = "",
    secret_key: str = "",
    webhook_secret: str = "",
    is_active: bool = True,
) -> GatewayAccount:
    if provider not in (Provider.STRIPE, Provider.RAZORPAY):
        raise InvalidInput(
            _("Only Stripe and Razorpay take credentials."), fields={"provider": _("Unknown.")}
        )
    account, _created = GatewayAccount.objects.select_for_update().get_or_create(
        clinic=clinic, provider=provider
    )
    account.public_key = public_key.strip()[:200]
    if secret_key:
        account.secret_key = secret_key.strip()
    if webhook_secret:
        account.webhook_secret = webhook_secret.strip()
    account.is_active = is_active
    account.save()
    audit_record(
        action="gateway_account.set",
        entity_type="gatewayaccount",
        entity_id=account.pk,
        clinic_id=clinic.pk,
        actor=actor,
        fields=["public_key", "secret_key", "webhook_secret", "is_active"],
    )
    return account


def _said(exc: GatewayError) -> str:
    """A gateway's refusal in the reader's language. Gateways mark their own sentences with
    `gettext_noop`, so what is recorded (`GatewayCall.error`, a failed payment's reason) stays in
    English for whoever reads the records; a provider's own words pass through as they came."""
    return _(exc.message) if exc.message else ""


def _call_start(
    *, clinic, provider, action, payment=None, refund=None, amount_minor=None, currency=""
) -> GatewayCall:
    return GatewayCall.objects.create(
        clinic=clinic,
        provider=provider,
        action=action,
        payment=payment,
        refund=refund,
        amount_minor=amount_minor,
        currency=currency,
    )


def _call_finish(
    call: GatewayCall, *, ok: bool, response: dict | None = None, error: GatewayError | None = None
):
    call.status = GatewayCall.Status.SUCCEEDED if ok else GatewayCall.Status.FAILED
    call.response = response or (error.response if error else {}) or {}
    call.error = (error.message if error else "")[:500]
    call.retryable = bool(error and error.retryable)
    call.finished_at = timezone.now()
    call.save(
        update_fields=["status", "response", "error", "retryable", "finished_at", "updated_at"]
    )


def checkout_start(
    *,
    clinic,
    invoice: Invoice,
    actor,
    provider: str | None = None,
    amount: Decimal | None = None,
    idempotency_key: str = "",
    return_url: str = "",
    hold_id=None,
    expires_at: datetime.datetime | None = None,
) -> PaymentSession:
    """Opens a checkout for (part of) an invoice with the clinic's gateway, or the one asked for."""
    rules = services.billing_settings_for(clinic)
    provider = provider or rules.default_provider
    if provider not in CHECKOUT_PROVIDERS:
        raise InvalidInput(
            _("Choose sandbox, stripe, razorpay or upi."),
            fields={"provider": _("Not a checkout gateway.")},
        )
    try:
        gateway = gateway_get(provider)
    except GatewayError as exc:
        raise InvalidInput(_said(exc), fields={"provider": _("Unknown.")}) from exc
    scoped = services.idempotency_scope(actor, idempotency_key)

    # 1. Lock the invoice and record the attempt, committed before anything leaves.
    with transaction.atomic():
        if scoped:
            existing = (
                Payment.objects.filter(clinic=clinic, idempotency_key=scoped)
                .select_related("session")
                .first()
            )
            if existing:
                return _replay(existing, invoice, amount)
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk, clinic=clinic)
        value = services._amount_for(locked, amount)
        now = timezone.now()
        expiry = expires_at or now + datetime.timedelta(minutes=rules.session_ttl_minutes)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    clinic=clinic,
                    invoice=locked,
                    receipt_number=services.receipt_number_new(),
                    amount=value,
                    currency=locked.currency,
                    method=Method.UPI if provider == Provider.UPI else Method.CARD,
                    provider=provider,
                    idempotency_key=scoped,
                    recorded_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            existing = (
                Payment.objects.filter(clinic=clinic, idempotency_key=scoped)
                .select_related("session")
                .first()
            )
            if existing is None:
                raise
            return _replay(existing, invoice, amount)
        session = PaymentSession.objects.create(
            clinic=clinic,
            payment=payment,
            provider=provider,
            token=services.session_token_new(),
            expires_at=expiry,
            return_url=return_url[:1000],
            hold_id=hold_id,
        )
        call = _call_start(
            clinic=clinic,
            provider=provider,
            action="checkout.create",
            payment=payment,
            amount_minor=to_minor(value, locked.currency),
            currency=locked.currency,
        )
        audit_record(
            action="payment.checkout_start",
            entity_type="payment",
            entity_id=payment.pk,
            clinic_id=clinic.pk,
            actor=actor,
            fields=["amount", "provider"],
        )

    # 2. Call out, outside any transaction.
    status_url = settings.PUBLIC_BASE_URL + reverse(
        "billing-pay:status", kwargs={"token": session.token}
    )
    request = CheckoutRequest(
        reference=session.token,
        amount_minor=to_minor(value, locked.currency),
        currency=locked.currency,
        description=f"{clinic.name} · {locked.label}"[:200],
        customer_email=locked.patient.email or "",
        success_url=status_url,
        cancel_url=status_url,
        payee_name=clinic.name,
        payee_vpa=clinic.upi_vpa,
    )
    try:
        result = gateway.checkout_create(
            credentials=credentials_for(clinic, provider), request=request
        )
    except GatewayError as exc:
        with transaction.atomic():
            _call_finish(call, ok=False, error=exc)
            services.payment_fail(payment=payment, reason=exc.message)
        raise ProviderUnavailable(
            _said(exc), retryable=exc.retryable, code="gateway_error"
        ) from exc

    # 3. Record the answer.
    with transaction.atomic():
        _call_finish(call, ok=True, response=result.raw)
        session.provider_session_id = result.provider_session_id[:160]
        session.checkout_url = result.checkout_url
        session.upi_link = result.upi_link
        session.client_data = result.client_data
        session.save(
            update_fields=[
                "provider_session_id",
                "checkout_url",
                "upi_link",
                "client_data",
                "updated_at",
            ]
        )
        if result.provider_order_id:
            Payment.objects.filter(pk=payment.pk).update(
                provider_order_id=result.provider_order_id[:120]
            )
    session.payment.refresh_from_db()
    return session


def _replay(existing: Payment, invoice: Invoice, amount) -> PaymentSession:
    same_amount = amount is None or existing.amount == quantize(
        Decimal(str(amount)), existing.currency
    )
    if existing.invoice_id != invoice.pk or not same_amount:
        raise Conflict(
            _("This Idempotency-Key was used for a different payment."),
            code="idempotency_mismatch",
        )
    try:
        session = existing.session
    except PaymentSession.DoesNotExist:
        raise Conflict(
            _("This Idempotency-Key was used for a desk payment."), code="idempotency_mismatch"
        ) from None
    session.replayed = True
    return session


def payment_verify(*, clinic, payment: Payment, data: dict, actor=None) -> Payment:
    """A browser or app came back from the gateway: check with the gateway, then record it."""
    if payment.status in Payment.SETTLED_STATUSES:
        return payment
    if payment.provider not in (Provider.STRIPE, Provider.RAZORPAY):
        return payment  # sandbox and UPI are confirmed by webhook or by staff; report the state
    gateway = gateway_get(payment.provider)
    call = _call_start(
        clinic=clinic, provider=payment.provider, action="payment.verify", payment=payment
    )
    try:
        notice = gateway.return_verify(
            credentials=credentials_for(clinic, payment.provider), data=data
        )
    except SignatureInvalid as exc:
        _call_finish(call, ok=False, error=GatewayError(str(exc), retryable=False))
        raise InvalidInput(
            _("The payment signature does not verify."), code="signature_invalid"
        ) from exc
    except GatewayError as exc:
        _call_finish(call, ok=False, error=exc)
        if exc.retryable:
            raise ProviderUnavailable(_said(exc), retryable=True, code="gateway_error") from exc
        raise InvalidInput(_said(exc), code="verify_failed") from exc
    _call_finish(call, ok=True, response={"kind": notice.kind, "order": notice.provider_order_id})
    if (
        notice.provider_order_id
        and payment.provider_order_id
        and notice.provider_order_id != payment.provider_order_id
    ):
        raise InvalidInput(
            _("This confirmation belongs to another payment."), code="payment_mismatch"
        )
    if notice.kind == "payment.completed":
        problem = notice_mismatch(payment, notice)
        if problem:
            raise Conflict(problem, code="payment_mismatch")
        payment = services.payment_complete(
            payment=payment,
            provider_payment_id=notice.provider_payment_id,
            method=notice.method,
            utr=notice.utr,
            response={"via": "verify", "event": notice.event_type},
            actor=actor,
        )
    payment.refresh_from_db()
    return payment


def notice_mismatch(payment: Payment, notice: PaymentNotice) -> str:
    """Why a gateway's statement does not match the payment we asked for ('' when it does), in
    the active language."""
    if notice.currency and notice.currency != payment.currency:
        return _("Currency %(paid)s does not match %(asked)s.") % {
            "paid": notice.currency,
            "asked": payment.currency,
        }
    if notice.amount_minor is not None and notice.amount_minor != to_minor(
        payment.amount, payment.currency
    ):
        return _("The amount paid does not match the amount asked.")
    return ""


def refund_issue(
    *,
    clinic,
    payment: Payment,
    actor,
    amount: Decimal | None = None,
    reason: str,
    automatic: bool = False,
) -> Refund:
    """Refunds (part of) a completed payment through the gateway that took it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the money is refunded."), fields={"reason": _("Required.")})
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk, clinic=clinic)
        if locked.status not in (Payment.Status.COMPLETED, Payment.Status.PARTIALLY_REFUNDED):
            raise Conflict(
                _("A %(status)s payment cannot be refunded.")
                % {"status": locked.get_status_display().lower()},
                code="payment_not_refundable",
            )
        pending = sum(
            (r.amount for r in locked.refunds.filter(status=Refund.Status.PENDING)), Decimal("0")
        )
        available = locked.amount - locked.amount_refunded - pending
        if amount is None:
            value = available
        else:
            if isinstance(amount, float):
                raise InvalidInput(
                    _("Send amounts as decimal strings."), fields={"amount": _("Not a decimal.")}
                )
            value = quantize(Decimal(str(amount)), locked.currency)
        if value <= 0 or value > available:
            raise InvalidInput(
                _("At most %(amount)s %(currency)s can be refunded.")
                % {"amount": available, "currency": locked.currency},
                fields={"amount": _("More than what can be refunded.")},
            )
        refund = Refund.objects.create(
            clinic=clinic,
            payment=locked,
            amount=value,
            currency=locked.currency,
            reason=reason[:300],
            automatic=automatic,
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        call = _call_start(
            clinic=clinic,
            provider=locked.provider,
            action="refund.create",
            payment=locked,
            refund=refund,
            amount_minor=to_minor(value, locked.currency),
            currency=locked.currency,
        )
        audit_record(
            action="refund.create",
            entity_type="refund",
            entity_id=refund.pk,
            clinic_id=clinic.pk,
            actor=actor,
            fields=["amount", "reason"],
        )
    gateway = gateway_get(locked.provider)
    try:
        result = gateway.refund_create(
            credentials=credentials_for(clinic, locked.provider),
            provider_payment_id=locked.provider_payment_id,
            amount_minor=to_minor(value, locked.currency),
            currency=locked.currency,
            reason=reason,
            reference=str(refund.pk),
        )
    except GatewayError as exc:
        with transaction.atomic():
            _call_finish(call, ok=False, error=exc)
            services.refund_settle(refund=refund, succeeded=False, response={"error": exc.message})
        raise ProviderUnavailable(
            _said(exc), retryable=exc.retryable, code="gateway_error"
        ) from exc
    with transaction.atomic():
        _call_finish(call, ok=True, response=result.raw)
        if result.succeeded:
            refund = services.refund_settle(
                refund=refund,
                succeeded=True,
                provider_refund_id=result.provider_refund_id,
                response=result.raw,
            )
        else:
            Refund.objects.filter(pk=refund.pk).update(
                provider_refund_id=result.provider_refund_id[:120], gateway_response=result.raw
            )
    refund.refresh_from_db()
    return refund


# --- Closing at the gateway the checkouts we closed ----------------------------------------------

CLOSE_ACTION = "checkout.expire"
# A Stripe Checkout Session lapses by itself 24 hours after it was created at the latest:
# past that there is nothing left to close.
GATEWAY_CHECKOUT_LIFETIME = datetime.timedelta(hours=24)
CLOSE_RETRY_FIRST = datetime.timedelta(minutes=1)
CLOSE_RETRY_MAX = datetime.timedelta(hours=1)


def checkout_close_at_gateway(*, session: PaymentSession) -> GatewayCall:
    """Closes at the gateway a checkout we closed (expired, or its invoice voided), so the
    patient cannot pay on a page we gave up. The attempt is recorded first; a failure stays on
    the `GatewayCall` row for the sweep to retry. If the patient paid before the gateway closed
    it, the payment is recorded as the webhook would (and then kept, re-booked or refunded by
    `services.payment_complete`)."""
    clinic = session.clinic
    call = _call_start(
        clinic=clinic, provider=session.provider, action=CLOSE_ACTION, payment=session.payment
    )
    try:
        closed = gateway_get(session.provider).checkout_close(
            credentials=credentials_for(clinic, session.provider),
            provider_session_id=session.provider_session_id,
        )
    except GatewayError as exc:
        _call_finish(call, ok=False, error=exc)
        logger.warning(
            "closing a checkout at the gateway failed",
            extra={"payment_id": str(session.payment_id), "retryable": exc.retryable},
        )
        return call
    _call_finish(call, ok=True, response=closed.raw)
    if closed.paid:
        try:
            payment_verify(
                clinic=clinic,
                payment=session.payment,
                data={"session_id": session.provider_session_id},
            )
        except (InvalidInput, Conflict, ProviderUnavailable):
            # The gateway's webhook stays the source of truth and will record it.
            logger.warning(
                "a checkout closed after payment could not be verified",
                extra={"payment_id": str(session.payment_id)},
            )
    return call


def _close_retry_due(attempts: int, last_attempt, now) -> bool:
    if not attempts:
        return True
    wait = min(CLOSE_RETRY_FIRST * 2 ** (attempts - 1), CLOSE_RETRY_MAX)
    return last_attempt + wait <= now


def checkouts_close_at_gateways(*, now: datetime.datetime | None = None, limit: int = 100) -> int:
    """The sweep after `services.sessions_expire`: closes at the gateway each checkout we expired
    or cancelled that may still be payable there. An outage never holds up our side (already
    closed); attempts back off from a minute to an hour, until the gateway's own lifetime ends
    or it gives a final answer. Returns how many were attempted."""
    now = now or timezone.now()
    count = 0
    for session in checkouts_to_close_at_gateways(now=now)[: limit * 5]:
        if count >= limit:
            break
        if _close_retry_due(session.attempts, session.last_attempt, now):
            checkout_close_at_gateway(session=session)
            count += 1
    return count


def checkouts_to_close_at_gateways(*, now: datetime.datetime):
    """Checkouts we closed that may still be payable at a gateway that can close them, not yet
    closed there for good, with their attempts so far (read through `paymentsession_close_sweep`)."""
    closable = [name for name in CHECKOUT_PROVIDERS if hasattr(gateway_get(name), "checkout_close")]
    finished = GatewayCall.objects.filter(payment=OuterRef("payment"), action=CLOSE_ACTION).filter(
        Q(status=GatewayCall.Status.SUCCEEDED)
        | Q(status=GatewayCall.Status.FAILED, retryable=False)
    )
    tried = Q(payment__gateway_calls__action=CLOSE_ACTION)
    return (
        PaymentSession.objects.filter(
            status__in=(PaymentSession.Status.EXPIRED, PaymentSession.Status.CANCELLED),
            provider__in=closable,
            created_at__gt=now - GATEWAY_CHECKOUT_LIFETIME,
        )
        .exclude(provider_session_id="")
        .exclude(Exists(finished))
        .annotate(
            attempts=Count("payment__gateway_calls", filter=tried),
            last_attempt=Max("payment__gateway_calls__created_at", filter=tried),
        )
        .select_related("clinic", "payment")
        .order_by("closed_at")
    )
