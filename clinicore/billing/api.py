"""REST operations for invoices (/billing) and payments (/payments); patients reach their own only."""

import datetime
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query

from clinicore.api.pagination import PageParams, page_of, paginate
from clinicore.api.policy import ClinicRouter, policy, principal_can
from clinicore.billing import access, gateway, selectors, services
from clinicore.billing.models import GatewayAccount, Payment
from clinicore.billing.pdf import invoice_pdf, receipt_pdf
from clinicore.billing.schemas import (
    BillingSettingsIO,
    CancelIn,
    CancelOut,
    CreateOrderIn,
    DeskPaymentIn,
    GatewayAccountIn,
    GatewayAccountOut,
    InvoiceIn,
    InvoiceOut,
    InvoiceSummaryOut,
    InvoiceUpdate,
    OrderOut,
    PayFirstBookingIn,
    PayFirstBookingOut,
    PaymentOut,
    RefundIn,
    RefundOut,
    ReportOut,
    UtrIn,
    VerifyIn,
    VoidIn,
)
from clinicore.clinics.models import Membership
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import InvalidInput, NotFound
from clinicore.patients.access import patient_get_for_clinic

payments_router = ClinicRouter(tags=["payments"])
billing_router = ClinicRouter(tags=["billing"])

IDEMPOTENCY = (
    "Send an `Idempotency-Key` header (any unique string, e.g. a UUID) to make retries safe: a repeat "
    "with the same key answers with the first result and creates nothing new."
)


def _staff(request, perm: str) -> bool:
    return principal_can(request.auth, perm)


def _actor(request):
    return request.auth.user


def _key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 120:
        raise InvalidInput(
            _("The Idempotency-Key is at most 120 characters."),
            fields={"Idempotency-Key": _("Too long.")},
        )
    return key


def _invoice(request, invoice_id, perm: str = Perm.BILLING_READ):
    if _staff(request, perm):
        return access.invoice_get_for_clinic(clinic=request.auth.clinic, invoice_id=invoice_id)
    return access.invoice_get_for_patient_user(
        user=request.auth.user, invoice_id=invoice_id, clinic=request.auth.clinic
    )


def _payment(request, payment_id, perm: str = Perm.BILLING_READ):
    if _staff(request, perm):
        return access.payment_get_for_clinic(clinic=request.auth.clinic, payment_id=payment_id)
    return access.payment_get_for_patient_user(
        user=request.auth.user, payment_id=payment_id, clinic=request.auth.clinic
    )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Invoices ------------------------------------------------------------------------------------


@billing_router.get(
    "/invoices",
    response=page_of(InvoiceSummaryOut),
    summary="List invoices",
    description="Staff: the clinic's invoices, newest first, filtered by `status` or `patient_id`. "
    "Patients: their own issued invoices.",
    openapi_extra=policy(Perm.BILLING_READ, patient=True),
)
def list_invoices(
    request, page: Query[PageParams], status: str | None = None, patient_id: uuid.UUID | None = None
):
    if _staff(request, Perm.BILLING_READ):
        qs = selectors.invoice_list(
            clinic=request.auth.clinic, status=status, patient_id=patient_id
        )
    else:
        qs = selectors.invoice_list_for_patient_user(
            user=request.auth.user, clinic=request.auth.clinic
        )
        if status:
            qs = qs.filter(status=status)
    return paginate(qs, page)


@billing_router.post(
    "/invoices",
    response={201: InvoiceOut},
    summary="Create an invoice",
    description="A draft with its lines (tax per line, discounts); totals are computed by the server. "
    "`issue: true` issues it at once, giving it its number (INV-<year>-<sequence>).",
    openapi_extra=policy(Perm.BILLING_WRITE),
)
def create_invoice(request, payload: InvoiceIn):
    clinic = request.auth.clinic
    patient = patient_get_for_clinic(clinic=clinic, patient_id=payload.patient_id)
    practitioner = None
    if payload.practitioner_id:
        practitioner = Membership.objects.filter(clinic=clinic, pk=payload.practitioner_id).first()
        if practitioner is None:
            raise InvalidInput(
                _("No such practitioner at this clinic."), fields={"practitioner_id": _("Unknown.")}
            )
    invoice = services.invoice_create(
        clinic=clinic,
        actor=_actor(request),
        patient=patient,
        lines=[line.dict() for line in payload.lines],
        currency=payload.currency,
        discount=payload.discount,
        due_date=payload.due_date,
        notes=payload.notes,
        practitioner=practitioner,
        issue=payload.issue,
    )
    return 201, invoice


@billing_router.get(
    "/invoices/{invoice_id}",
    response=InvoiceOut,
    summary="Get an invoice",
    description="With its lines and what is paid and due.",
    openapi_extra=policy(Perm.BILLING_READ, obj="invoice", patient=True),
)
def get_invoice(request, invoice_id: uuid.UUID):
    return _invoice(request, invoice_id)


@billing_router.put(
    "/invoices/{invoice_id}",
    response=InvoiceOut,
    summary="Update an invoice",
    description="Lines and discount change only on drafts; due date and notes until it is paid. "
    "`status: issued` or `status: void` moves it (a wrong move answers 409).",
    openapi_extra=policy(Perm.BILLING_WRITE, obj="invoice"),
)
def update_invoice(request, invoice_id: uuid.UUID, payload: InvoiceUpdate):
    invoice = access.invoice_get_for_clinic(clinic=request.auth.clinic, invoice_id=invoice_id)
    data = payload.dict(exclude_unset=True)
    status = data.pop("status", None)
    reason = data.pop("void_reason", "")
    if "lines" in data and data["lines"] is not None:
        data["lines"] = [dict(line) for line in data["lines"]]
    data = {k: v for k, v in data.items() if v is not None or k in {"due_date", "notes"}}
    if data:
        invoice = services.invoice_update(invoice=invoice, actor=_actor(request), **data)
    if status == "issued":
        invoice = services.invoice_issue(invoice=invoice, actor=_actor(request))
    elif status == "void":
        invoice = services.invoice_void(invoice=invoice, actor=_actor(request), reason=reason)
    return access.invoice_get_for_clinic(clinic=request.auth.clinic, invoice_id=invoice.pk)


@billing_router.post(
    "/invoices/{invoice_id}/issue",
    response=InvoiceOut,
    summary="Issue a draft invoice",
    description="Gives it the next number of the clinic's year, without gaps. Not a draft: 409.",
    openapi_extra=policy(Perm.BILLING_WRITE, obj="draft_invoice"),
)
def issue_invoice(request, invoice_id: uuid.UUID):
    invoice = access.invoice_get_for_clinic(clinic=request.auth.clinic, invoice_id=invoice_id)
    return services.invoice_issue(invoice=invoice, actor=_actor(request))


@billing_router.post(
    "/invoices/{invoice_id}/void",
    response=InvoiceOut,
    summary="Void an invoice",
    description="Only an unpaid invoice; with payments, refund them instead (409).",
    openapi_extra=policy(Perm.BILLING_WRITE, obj="invoice"),
)
def void_invoice(request, invoice_id: uuid.UUID, payload: VoidIn):
    invoice = access.invoice_get_for_clinic(clinic=request.auth.clinic, invoice_id=invoice_id)
    return services.invoice_void(invoice=invoice, actor=_actor(request), reason=payload.reason)


@billing_router.get(
    "/invoices/{invoice_id}/pdf",
    response={200: None},
    summary="Download an invoice as PDF",
    openapi_extra=policy(Perm.BILLING_READ, obj="invoice", patient=True),
)
def invoice_pdf_download(request, invoice_id: uuid.UUID):
    invoice = _invoice(request, invoice_id)
    return _pdf(invoice_pdf(invoice), f"{invoice.number or 'draft'}.pdf")


# --- Reports, settings, gateways -----------------------------------------------------------------


@billing_router.get(
    "/reports/payments",
    response=ReportOut,
    summary="Payment tracking",
    description="Money taken between two dates (default: the last 30 days, in the clinic's time zone), "
    "by day, method, status and practitioner, net of refunds, per currency; plus what is outstanding.",
    openapi_extra=policy(Perm.BILLING_READ),
)
def payments_report(
    request, date_from: datetime.date | None = None, date_to: datetime.date | None = None
):
    clinic = request.auth.clinic
    today = services._clinic_today(clinic)
    date_to = date_to or today
    date_from = date_from or date_to - datetime.timedelta(days=29)
    if date_from > date_to or (date_to - date_from).days > 366:
        raise InvalidInput(
            _("Choose a range of at most a year, start before end."),
            fields={"date_from": _("Bad range.")},
        )
    return selectors.payment_report(clinic=clinic, date_from=date_from, date_to=date_to)


@billing_router.get(
    "/reports/outstanding",
    response=page_of(InvoiceSummaryOut),
    summary="Outstanding invoices",
    description="Issued, partly paid and overdue invoices by due date; `overdue=true` for overdue only.",
    openapi_extra=policy(Perm.BILLING_READ),
)
def outstanding_invoices(request, page: Query[PageParams], overdue: bool = False):
    return paginate(
        selectors.invoices_outstanding(clinic=request.auth.clinic, overdue_only=overdue), page
    )


@billing_router.get(
    "/settings",
    response=BillingSettingsIO,
    summary="Billing settings",
    description="Default gateway, days to pay, checkout lifetime and the cancellation refund policy.",
    openapi_extra=policy(Perm.BILLING_READ),
)
def get_settings(request):
    return services.billing_settings_for(request.auth.clinic)


@billing_router.put(
    "/settings",
    response=BillingSettingsIO,
    summary="Change billing settings",
    description="Cancelled at least `refund_full_hours` before the visit: full refund; later: "
    "`refund_late_percent` of what was paid.",
    openapi_extra=policy(Perm.CLINIC_MANAGE),
)
def put_settings(request, payload: BillingSettingsIO):
    return services.billing_settings_update(
        clinic=request.auth.clinic, actor=_actor(request), **payload.dict()
    )


def _account_out(account: GatewayAccount) -> dict:
    return {
        "provider": account.provider,
        "public_key": account.public_key,
        "is_active": account.is_active,
        "has_secret_key": bool(account.secret_key),
        "has_webhook_secret": bool(account.webhook_secret),
        "webhook_url": settings.PUBLIC_BASE_URL
        + reverse(f"billing-hooks:{account.provider}", kwargs={"clinic_slug": account.clinic.slug}),
    }


@billing_router.get(
    "/gateways",
    response=list[GatewayAccountOut],
    summary="Gateway accounts",
    description="The clinic's Stripe and Razorpay accounts (secrets are never shown) and their webhook URLs.",
    openapi_extra=policy(Perm.CLINIC_MANAGE),
)
def list_gateways(request):
    return [
        _account_out(a)
        for a in GatewayAccount.objects.filter(clinic=request.auth.clinic).select_related("clinic")
    ]


@billing_router.put(
    "/gateways/stripe",
    response=GatewayAccountOut,
    summary="Set the Stripe account",
    description="Secret key and webhook signing secret are kept encrypted; leave one empty to keep it.",
    openapi_extra=policy(Perm.CLINIC_MANAGE),
)
def put_stripe(request, payload: GatewayAccountIn):
    return _account_out(
        gateway.gateway_account_set(
            clinic=request.auth.clinic, actor=_actor(request), provider="stripe", **payload.dict()
        )
    )


@billing_router.put(
    "/gateways/razorpay",
    response=GatewayAccountOut,
    summary="Set the Razorpay account",
    description="Key id, key secret and webhook secret; secrets are kept encrypted.",
    openapi_extra=policy(Perm.CLINIC_MANAGE),
)
def put_razorpay(request, payload: GatewayAccountIn):
    return _account_out(
        gateway.gateway_account_set(
            clinic=request.auth.clinic, actor=_actor(request), provider="razorpay", **payload.dict()
        )
    )


# --- Payments ------------------------------------------------------------------------------------


def _order(session) -> dict:
    payment = Payment.objects.select_related("invoice").get(pk=session.payment_id)
    return {"payment": payment, "session": session}


@payments_router.post(
    "/create-order",
    response={201: OrderOut, 200: OrderOut},
    summary="Start paying an invoice",
    description="Opens a checkout with the clinic's gateway (or `provider`): a hosted page to send the "
    "patient to (`checkout_url`), a Razorpay order for the app's checkout (`client_data`; its "
    "`checkout_url` is our web page that opens Razorpay Checkout), or a UPI link and QR page. The session expires; an expired one is closed by the server. "
    + IDEMPOTENCY,
    openapi_extra=policy(Perm.BILLING_WRITE, patient=True),
)
def create_order(request, payload: CreateOrderIn):
    invoice = _invoice(request, payload.invoice_id, Perm.BILLING_WRITE)
    key = _key(request)
    session = gateway.checkout_start(
        clinic=invoice.clinic,
        invoice=invoice,
        actor=_actor(request),
        provider=payload.provider,
        amount=payload.amount,
        idempotency_key=key,
        return_url=payload.return_url,
    )
    return (200 if getattr(session, "replayed", False) else 201), _order(session)


@payments_router.post(
    "/verify",
    response=PaymentOut,
    summary="Confirm a payment after checkout",
    description="After Razorpay Checkout: send `razorpay_order_id`, `razorpay_payment_id` and "
    "`razorpay_signature` (checked with the clinic's key, then the payment is fetched from "
    "Razorpay to match amount and currency). After Stripe Checkout: `payment_id` and "
    "`session_id`. Sandbox and UPI payments are confirmed by webhook or staff; this answers "
    "their current state. A bad signature answers 422 and records nothing.",
    openapi_extra=policy(Perm.BILLING_WRITE, patient=True),
)
def verify_payment(request, payload: VerifyIn):
    if payload.payment_id:
        payment = _payment(request, payload.payment_id, Perm.BILLING_WRITE)
    elif payload.razorpay_order_id:
        qs = Payment.objects.filter(
            provider="razorpay", provider_order_id=payload.razorpay_order_id
        )
        if _staff(request, Perm.BILLING_WRITE):
            qs = qs.filter(clinic=request.auth.clinic)
        else:
            qs = qs.filter(invoice__patient__user=request.auth.user)
        payment = qs.first()
        if payment is None:
            raise NotFound(_("Payment not found."), code="payment_not_found")
    else:
        raise InvalidInput(
            _("Send payment_id or razorpay_order_id."), fields={"payment_id": _("Required.")}
        )
    return gateway.payment_verify(
        clinic=payment.clinic, payment=payment, data=payload.dict(), actor=_actor(request)
    )


@payments_router.post(
    "/desk",
    response={201: PaymentOut},
    summary="Record a payment taken at the desk",
    description="Cash, card machine, bank transfer or UPI seen by staff: completed at once, receipt emailed. "
    + IDEMPOTENCY,
    openapi_extra=policy(Perm.BILLING_WRITE),
)
def desk_payment(request, payload: DeskPaymentIn):
    invoice = access.invoice_get_for_clinic(
        clinic=request.auth.clinic, invoice_id=payload.invoice_id
    )
    payment = services.payment_record_desk(
        clinic=request.auth.clinic,
        invoice=invoice,
        actor=_actor(request),
        amount=payload.amount,
        method=payload.method,
        reference=payload.reference,
        idempotency_key=_key(request),
    )
    return 201, Payment.objects.select_related("invoice").get(pk=payment.pk)


@payments_router.get(
    "",
    response=page_of(PaymentOut),
    summary="List payments",
    description="Staff: the clinic's payments, filtered by `status`, `method`, `provider` or `invoice_id`. "
    "Patients: their own.",
    openapi_extra=policy(Perm.BILLING_READ, patient=True),
)
def list_payments(
    request,
    page: Query[PageParams],
    status: str | None = None,
    method: str | None = None,
    provider: str | None = None,
    invoice_id: uuid.UUID | None = None,
):
    if _staff(request, Perm.BILLING_READ):
        qs = selectors.payment_list(
            clinic=request.auth.clinic,
            status=status,
            method=method,
            provider=provider,
            invoice_id=invoice_id,
        )
    else:
        qs = selectors.payment_list_for_patient_user(
            user=request.auth.user, clinic=request.auth.clinic
        )
    return paginate(qs, page)


@payments_router.get(
    "/reconciliation",
    response=page_of(PaymentOut),
    summary="UPI payments awaiting confirmation",
    description="UPI link payments not yet confirmed; check the bank and confirm each with its UTR.",
    openapi_extra=policy(Perm.BILLING_READ),
)
def upi_reconciliation(request, page: Query[PageParams]):
    return paginate(selectors.upi_awaiting_confirmation(clinic=request.auth.clinic), page)


@payments_router.get(
    "/{payment_id}",
    response=PaymentOut,
    summary="Get a payment",
    openapi_extra=policy(Perm.BILLING_READ, obj="payment", patient=True),
)
def get_payment(request, payment_id: uuid.UUID):
    return _payment(request, payment_id)


@payments_router.get(
    "/{payment_id}/receipt",
    response={200: None},
    summary="Download a receipt as PDF",
    openapi_extra=policy(Perm.BILLING_READ, obj="payment", patient=True),
)
def payment_receipt(request, payment_id: uuid.UUID):
    payment = _payment(request, payment_id)
    if payment.status not in Payment.SETTLED_STATUSES:
        raise NotFound(
            _("There is no receipt until the payment is completed."), code="receipt_not_found"
        )
    return _pdf(receipt_pdf(payment), f"receipt-{payment.receipt_number}.pdf")


@payments_router.get(
    "/{payment_id}/refunds",
    response=list[RefundOut],
    summary="Refunds of a payment",
    openapi_extra=policy(Perm.BILLING_READ, obj="payment"),
)
def list_refunds(request, payment_id: uuid.UUID):
    payment = access.payment_get_for_clinic(clinic=request.auth.clinic, payment_id=payment_id)
    return list(payment.refunds.all())


@payments_router.post(
    "/{payment_id}/refund",
    response={201: RefundOut},
    summary="Refund a payment",
    description="All that is still refundable, or `amount`; through the gateway that took the money "
    "(desk and UPI refunds are handed back by the clinic and recorded here).",
    openapi_extra=policy(Perm.BILLING_REFUND, obj="payment"),
)
def refund_payment(request, payment_id: uuid.UUID, payload: RefundIn):
    payment = access.payment_get_for_clinic(clinic=request.auth.clinic, payment_id=payment_id)
    refund = gateway.refund_issue(
        clinic=request.auth.clinic,
        payment=payment,
        actor=_actor(request),
        amount=payload.amount,
        reason=payload.reason,
    )
    return 201, refund


@payments_router.post(
    "/{payment_id}/confirm-utr",
    response=PaymentOut,
    summary="Confirm a UPI payment by its UTR",
    description="Staff found the money in the clinic's bank: the UPI transaction reference completes it.",
    openapi_extra=policy(Perm.BILLING_WRITE, obj="upi_payment"),
)
def confirm_utr(request, payment_id: uuid.UUID, payload: UtrIn):
    payment = access.payment_get_for_clinic(clinic=request.auth.clinic, payment_id=payment_id)
    services.payment_confirm_utr(
        clinic=request.auth.clinic, payment=payment, utr=payload.utr, actor=_actor(request)
    )
    return access.payment_get_for_clinic(clinic=request.auth.clinic, payment_id=payment_id)


# --- Pay-first bookings and cancellations with refunds -------------------------------------------


def _own_patient(request, clinic):
    from clinicore.patients.models import Patient

    patient = Patient.objects.filter(clinic=clinic, user=request.auth.user, is_active=True).first()
    if patient is None:
        raise NotFound(_("You have no patient record at this clinic."), code="patient_not_found")
    return patient


@billing_router.post(
    "/bookings",
    response={201: PayFirstBookingOut, 200: PayFirstBookingOut},
    summary="Book with payment up front",
    description="Holds the slot, issues the invoice for the service and opens a checkout that expires with "
    "the hold. The completed payment confirms the appointment; a failed or expired checkout frees "
    "the slot; a payment arriving later re-books the time if it is still free, or is refunded. "
    + IDEMPOTENCY,
    openapi_extra=policy(Perm.BILLING_WRITE, patient=True),
)
def book_pay_first(request, payload: PayFirstBookingIn):
    from clinicore.billing.booking import booking_checkout_start
    from clinicore.scheduling.models import Service

    clinic = request.auth.clinic
    if clinic is None:
        raise InvalidInput(_("Choose the clinic (sign in for a clinic)."), code="clinic_required")
    if _staff(request, Perm.BILLING_WRITE):
        if payload.patient_id is None:
            raise InvalidInput(_("Say which patient."), fields={"patient_id": _("Required.")})
        patient = patient_get_for_clinic(clinic=clinic, patient_id=payload.patient_id)
    else:
        patient = _own_patient(request, clinic)
    service = Service.objects.filter(clinic=clinic, pk=payload.service_id, is_active=True).first()
    practitioner = Membership.objects.filter(
        clinic=clinic, pk=payload.practitioner_id, is_active=True
    ).first()
    if service is None or practitioner is None:
        raise InvalidInput(
            _("Unknown service or practitioner."),
            fields={"service_id": _("Unknown."), "practitioner_id": _("Unknown.")},
        )
    session = booking_checkout_start(
        clinic=clinic,
        actor=_actor(request),
        patient=patient,
        practitioner=practitioner,
        service=service,
        start=payload.start,
        mode=payload.mode,
        provider=payload.provider,
        idempotency_key=_key(request),
        return_url=payload.return_url,
    )
    payment = Payment.objects.select_related("invoice").get(pk=session.payment_id)
    body = {
        "appointment_id": session.hold_id,
        "invoice_id": payment.invoice_id,
        "payment": payment,
        "session": session,
    }
    return (200 if getattr(session, "replayed", False) else 201), body


@billing_router.post(
    "/appointments/{appointment_id}/cancel",
    response=CancelOut,
    summary="Cancel an appointment and refund",
    description="Cancels the appointment and refunds what the clinic's policy gives back: in full when "
    "cancelled at least `refund_full_hours` before the start, `refund_late_percent` after. Staff "
    "with the refund permission may set `refund_amount` instead.",
    openapi_extra=policy(Perm.SCHEDULE_BOOK, obj="appointment", patient=True),
)
def cancel_with_refund(request, appointment_id: uuid.UUID, payload: CancelIn):
    from clinicore.billing.booking import appointment_cancel_with_refund
    from clinicore.core.errors import Forbidden
    from clinicore.scheduling.access import appointment_get_for_clinic

    clinic = request.auth.clinic
    staff = _staff(request, Perm.SCHEDULE_BOOK)
    if clinic is None:
        raise NotFound(_("Appointment not found."), code="appointment_not_found")
    appointment = appointment_get_for_clinic(
        clinic=clinic,
        appointment_id=appointment_id,
        patient_user=None if staff else request.auth.user,
    )
    if payload.refund_amount is not None and not _staff(request, Perm.BILLING_REFUND):
        raise Forbidden(_("Your role cannot choose a refund amount."))
    appointment, refunds = appointment_cancel_with_refund(
        clinic=clinic,
        appointment=appointment,
        actor=_actor(request),
        reason=payload.reason,
        as_patient=not staff,
        refund_amount=payload.refund_amount,
    )
    return {"appointment_id": appointment.pk, "status": appointment.status, "refunds": refunds}
