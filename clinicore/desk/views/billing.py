"""The billing desk ("till"): invoice a patient, take cash, card or UPI (QR on screen), refund,
and the day's cash-up. Invoice lists and UPI reconciliation are billing's own desk pages."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clinicore.billing import gateway
from clinicore.billing import selectors as billing_selectors
from clinicore.billing import services as billing
from clinicore.billing.access import invoice_get_for_clinic, payment_get_for_clinic
from clinicore.billing.gateways.upi import qr_svg, upi_link
from clinicore.billing.models import Method, Payment, Refund
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, InvalidInput
from clinicore.core.money import quantize
from clinicore.desk import selectors
from clinicore.desk.views.common import can, clinic_view, parse_day
from clinicore.patients.access import patient_get_for_clinic
from clinicore.patients.selectors import patient_search
from clinicore.scheduling import selectors as sched
from clinicore.scheduling.models import Service

DESK_METHODS = (Method.CASH, Method.CARD, Method.UPI)


@clinic_view(Perm.BILLING_READ, methods=("GET",))
def till(request):
    clinic = request.clinic
    counts = billing_selectors.invoice_counts(clinic=clinic)
    recent = billing_selectors.invoice_list(clinic=clinic).select_related("patient")[:10]
    overdue = billing_selectors.invoices_outstanding(clinic=clinic, overdue_only=True)[:10]
    return render(
        request,
        "desk/till.html",
        {
            "nav": "billing",
            "counts": counts,
            "recent": recent,
            "overdue": overdue,
            "can_write": can(request, Perm.BILLING_WRITE),
        },
    )


def _money(value: str) -> Decimal:
    try:
        amount = Decimal((value or "").strip() or "x")
    except InvalidOperation:
        raise InvalidInput(
            _("Enter an amount such as 500 or 499.50."), fields={"amount": _("Not an amount.")}
        ) from None
    return amount


@clinic_view(Perm.BILLING_WRITE, methods=("GET", "POST"))
def invoice_new(request):
    """Pick the patient, add a service or a typed line, issue it at once."""
    clinic = request.clinic
    data = request.POST if request.method == "POST" else request.GET
    q = data.get("q", "").strip()[:100]
    matches = list(patient_search(clinic=clinic, q=q)[:8]) if q else []
    patient = (
        patient_get_for_clinic(clinic=clinic, patient_id=data["patient_id"])
        if data.get("patient_id")
        else (matches[0] if len(matches) == 1 else None)
    )
    services_ = list(Service.objects.filter(clinic=clinic, is_active=True).order_by("name"))
    practitioners = list(sched.practitioners_of(clinic))
    error = None
    if request.method == "POST" and patient is not None:
        try:
            lines = []
            if request.POST.get("service_id"):
                service = next(
                    (s for s in services_ if str(s.pk) == request.POST["service_id"]), None
                )
                if service is None:
                    raise InvalidInput(_("Unknown service."), fields={"service_id": _("Unknown.")})
                lines.append(
                    {
                        "description": service.name,
                        "quantity": Decimal("1"),
                        "unit_price": service.price,
                    }
                )
            if request.POST.get("description", "").strip():
                lines.append(
                    {
                        "description": request.POST["description"].strip()[:300],
                        "quantity": Decimal("1"),
                        "unit_price": _money(request.POST.get("amount", "")),
                    }
                )
            if not lines:
                raise InvalidInput(_("Add a service or a line with an amount."))
            practitioner = next(
                (p for p in practitioners if str(p.pk) == request.POST.get("practitioner_id")), None
            )
            invoice = billing.invoice_create(
                clinic=clinic,
                actor=request.user,
                patient=patient,
                lines=lines,
                practitioner=practitioner,
                issue=True,
            )
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("desk:invoice", clinic_slug=clinic.slug, invoice_id=invoice.pk)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "desk/invoice_new.html",
        {
            "nav": "billing",
            "q": q,
            "matches": matches,
            "patient": patient,
            "services": services_,
            "practitioners": practitioners,
            "error": error,
        },
        status=422 if error else 200,
    )


@clinic_view(Perm.BILLING_READ, methods=("GET",))
def invoice_page(request, invoice_id):
    clinic = request.clinic
    invoice = invoice_get_for_clinic(clinic=clinic, invoice_id=invoice_id)
    payments = list(invoice.payments.order_by("created_at"))
    upi = None
    if invoice.is_payable and clinic.upi_vpa and invoice.currency == "INR":
        link = upi_link(
            vpa=clinic.upi_vpa,
            payee_name=clinic.name[:50],
            amount=invoice.balance_due,
            note=invoice.number,
            reference=invoice.number,
        )
        upi = {"link": link, "qr": qr_svg(link)}
    return render(
        request,
        "desk/invoice.html",
        {
            "nav": "billing",
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "payments": payments,
            "upi": upi,
            "can_write": can(request, Perm.BILLING_WRITE),
            "can_refund": can(request, Perm.BILLING_REFUND),
        },
    )


@clinic_view(Perm.BILLING_WRITE, methods=("POST",))
def invoice_pay(request, invoice_id):
    """Cash, card (slip number) or UPI (the patient scanned the QR; the UTR confirms it)."""
    clinic = request.clinic
    invoice = invoice_get_for_clinic(clinic=clinic, invoice_id=invoice_id)
    method = request.POST.get("method", "")
    try:
        if method not in DESK_METHODS:
            raise InvalidInput(_("Choose cash, card or UPI."))
        reference = request.POST.get("reference", "").strip()
        if method == Method.UPI:
            reference = "".join(ch for ch in reference if ch.isalnum())
            if not 10 <= len(reference) <= 22:
                raise InvalidInput(
                    _("Enter the UPI transaction reference (UTR) from the patient's app.")
                )
            if Payment.objects.filter(clinic=clinic, utr=reference).exists():
                raise InvalidInput(_("This UTR is already recorded for another payment."))
        amount = _money(request.POST["amount"]) if request.POST.get("amount") else None
        payment = billing.payment_record_desk(
            clinic=clinic,
            invoice=invoice,
            actor=request.user,
            amount=amount,
            method=method,
            reference=reference,
            idempotency_key=request.POST.get("idempotency_key", "")[:100],
        )
        messages.success(
            request,
            _("%(amount)s %(currency)s received by %(method)s, receipt %(receipt)s.")
            % {
                "amount": payment.amount,
                "currency": payment.currency,
                "method": payment.get_method_display(),
                "receipt": payment.receipt_number,
            },
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("desk:invoice", clinic_slug=clinic.slug, invoice_id=invoice.pk)


@clinic_view(Perm.BILLING_REFUND, methods=("POST",))
def payment_refund(request, payment_id):
    clinic = request.clinic
    payment = payment_get_for_clinic(clinic=clinic, payment_id=payment_id)
    try:
        amount = _money(request.POST["amount"]) if request.POST.get("amount") else None
        refund = gateway.refund_issue(
            clinic=clinic,
            payment=payment,
            actor=request.user,
            amount=amount,
            reason=request.POST.get("reason", "")[:300],
        )
        messages.success(
            request,
            _("Refund of %(amount)s %(currency)s: %(status)s.")
            % {
                "amount": refund.amount,
                "currency": refund.currency,
                "status": refund.get_status_display(),
            },
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("desk:invoice", clinic_slug=clinic.slug, invoice_id=payment.invoice_id)


@clinic_view(Perm.BILLING_READ, methods=("GET",))
def cash_up(request):
    """The day's takings at the desk by method and by person, and refunds paid out — in SQL."""
    clinic = request.clinic
    cur = clinic.currency
    day = parse_day(request.GET.get("day"), selectors.today(clinic))
    start, end = selectors.local_day_bounds(clinic, day)
    paid = Payment.objects.filter(
        clinic=clinic, status__in=Payment.SETTLED_STATUSES, paid_at__gte=start, paid_at__lt=end
    )
    cash = Q(method=Method.CASH)

    def money(value) -> Decimal:
        return quantize(value or Decimal("0"), cur)

    labels = dict(Method.choices)
    by_method = [
        {"label": labels.get(r["method"], r["method"]), "n": r["n"], "total": money(r["total"])}
        for r in paid.values("method")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("method")
    ]
    by_person = [
        {**r, "total": money(r["total"]), "cash": money(r["cash"])}
        for r in paid.values("recorded_by__email", "recorded_by__full_name")
        .annotate(n=Count("pk"), total=Sum("amount"), cash=Sum("amount", filter=cash))
        .order_by("recorded_by__email")
    ]
    refunded = Refund.objects.filter(
        clinic=clinic, status=Refund.Status.SUCCEEDED, processed_at__gte=start, processed_at__lt=end
    ).aggregate(
        n=Count("pk"),
        total=Sum("amount"),
        cash=Sum("amount", filter=Q(payment__method=Method.CASH)),
    )
    totals = paid.aggregate(n=Count("pk"), total=Sum("amount"), cash=Sum("amount", filter=cash))
    return render(
        request,
        "desk/cash_up.html",
        {
            "nav": "billing",
            "day": day,
            "by_method": by_method,
            "by_person": by_person,
            "refunds": {"n": refunded["n"], "total": money(refunded["total"])},
            "totals": {"n": totals["n"], "total": money(totals["total"])},
            "cash_in_drawer": money(totals["cash"]) - money(refunded["cash"]),
            "currency": cur,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
        },
    )
