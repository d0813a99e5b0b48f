"""Billing pages: gateway webhooks in, the sandbox and UPI checkout pages, the patient's invoices,
and the desk's billing lists. Views parse, call a service or selector, and render."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicore.billing import access, gateway, selectors, services
from clinicore.billing.gateways import upi as upi_gateway
from clinicore.billing.gateways.sandbox import event_body
from clinicore.billing.models import Invoice, Payment, PaymentSession, Provider
from clinicore.billing.pdf import invoice_pdf, receipt_pdf
from clinicore.billing.webhooks import webhook_receive
from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, NotFound
from clinicore.core.money import to_minor

# --- Webhooks in ---------------------------------------------------------------------------------


def _hook(request, provider: str, clinic_slug: str | None = None):
    answer = webhook_receive(
        provider=provider, body=request.body, headers=request.headers, clinic_slug=clinic_slug
    )
    return JsonResponse({"outcome": answer.outcome, "detail": answer.detail}, status=answer.status)


@csrf_exempt
@require_POST
def stripe_hook(request, clinic_slug):
    return _hook(request, Provider.STRIPE, clinic_slug)


@csrf_exempt
@require_POST
def razorpay_hook(request, clinic_slug):
    return _hook(request, Provider.RAZORPAY, clinic_slug)


@csrf_exempt
@require_POST
def sandbox_hook(request):
    return _hook(request, Provider.SANDBOX)


# --- Checkout pages (reached by the session's unguessable token) --------------------------------


def _session(token: str) -> PaymentSession:
    session = access.session_get_by_token(token)
    return session


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request, token):
    session = _session(token)
    if session.provider != Provider.SANDBOX:
        raise NotFound()
    payment = session.payment
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in {"pay", "fail", "cancel"}:
            return redirect("billing-pay:sandbox-checkout", token=token)
        if session.is_open:
            kind = {
                "pay": "payment.succeeded",
                "fail": "payment.failed",
                "cancel": "payment.cancelled",
            }[action]
            method = request.POST.get("method", "card")
            body = event_body(
                kind=kind,
                reference=session.token,
                clinic_slug=session.clinic.slug,
                amount_minor=to_minor(payment.amount, payment.currency),
                currency=payment.currency,
                method=method if method in {"card", "upi", "netbanking", "wallet"} else "card",
            )
            from clinicore.billing.tasks import sandbox_webhook_deliver

            transaction.on_commit(lambda: sandbox_webhook_deliver.enqueue(body))
        return redirect("billing-pay:status", token=token)
    return render(
        request,
        "billing/sandbox_checkout.html",
        {
            "session": session,
            "payment": payment,
            "invoice": payment.invoice,
            "clinic": session.clinic,
        },
    )


@require_GET
def upi_checkout(request, token):
    session = _session(token)
    if session.provider != Provider.UPI or not session.upi_link:
        raise NotFound()
    svg = upi_gateway.qr_svg(session.upi_link)
    return render(
        request,
        "billing/upi_checkout.html",
        {
            "session": session,
            "payment": session.payment,
            "invoice": session.payment.invoice,
            "clinic": session.clinic,
            "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        },
    )


@require_GET
def checkout_status(request, token):
    session = _session(token)
    payment = Payment.objects.select_related("invoice__patient").get(pk=session.payment_id)
    owner = request.user.is_authenticated and payment.invoice.patient.user_id == request.user.pk
    context = {
        "session": session,
        "payment": payment,
        "invoice": payment.invoice,
        "clinic": session.clinic,
        "owner": owner,
        "final": payment.status != Payment.Status.PENDING or not session.is_open,
    }
    if request.headers.get("HX-Request"):
        return render(request, "billing/checkout_status.html#status", context)
    return render(request, "billing/checkout_status.html", context)


# --- The patient's own invoices -----------------------------------------------------------------


@login_required
@require_GET
def my_invoices(request):
    invoices = selectors.invoice_list_for_patient_user(user=request.user)
    page = Paginator(invoices, 20).get_page(request.GET.get("page"))
    return render(request, "billing/my_invoices.html", {"page": page})


@login_required
@require_GET
def my_invoice(request, invoice_id):
    invoice = access.invoice_get_for_patient_user(user=request.user, invoice_id=invoice_id)
    payments = invoice.payments.filter(status__in=Payment.SETTLED_STATUSES).order_by("-paid_at")
    return render(
        request,
        "billing/my_invoice.html",
        {"invoice": invoice, "payments": payments, "lines": invoice.lines.all()},
    )


@login_required
@require_POST
def my_invoice_pay(request, invoice_id):
    invoice = access.invoice_get_for_patient_user(user=request.user, invoice_id=invoice_id)
    try:
        session = gateway.checkout_start(
            clinic=invoice.clinic,
            invoice=invoice,
            actor=request.user,
            idempotency_key=request.POST.get("attempt", "")[:100],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("billing-portal:detail", invoice_id=invoice.pk)
    if session.checkout_url:
        return HttpResponseRedirect(session.checkout_url)
    messages.error(
        request, _("This clinic takes online payments in its app; please pay at the desk.")
    )
    return redirect("billing-portal:detail", invoice_id=invoice.pk)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_invoice_pdf(request, invoice_id):
    invoice = access.invoice_get_for_patient_user(user=request.user, invoice_id=invoice_id)
    return _pdf(invoice_pdf(invoice), f"{invoice.number}.pdf")


@login_required
@require_GET
def my_receipt_pdf(request, payment_id):
    payment = access.payment_get_for_patient_user(user=request.user, payment_id=payment_id)
    if payment.status not in Payment.SETTLED_STATUSES:
        raise NotFound()
    return _pdf(receipt_pdf(payment), f"receipt-{payment.receipt_number}.pdf")


# --- The desk ------------------------------------------------------------------------------------


@workspace_view(Perm.BILLING_READ)
def desk_invoices(request):
    status = request.GET.get("status", "")
    qs = (
        selectors.invoice_list(clinic=request.clinic, status=status)
        if status in Invoice.Status.values
        else selectors.invoices_outstanding(clinic=request.clinic)
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/desk_invoices.html",
        {
            "page": page,
            "status": status,
            "statuses": Invoice.Status.choices,
            "nav": "billing",
            "counts": selectors.invoice_counts(clinic=request.clinic),
        },
    )


@workspace_view(Perm.BILLING_READ)
def desk_reconciliation(request):
    pending = selectors.upi_awaiting_confirmation(clinic=request.clinic)[:200]
    return render(
        request, "billing/desk_reconciliation.html", {"pending": pending, "nav": "billing"}
    )


@workspace_view(Perm.BILLING_WRITE)
def desk_confirm_utr(request, payment_id):
    payment = access.payment_get_for_clinic(clinic=request.clinic, payment_id=payment_id)
    if request.method == "POST":
        try:
            services.payment_confirm_utr(
                clinic=request.clinic,
                payment=payment,
                utr=request.POST.get("utr", ""),
                actor=request.user,
            )
            messages.success(
                request, _("Payment %(number)s confirmed.") % {"number": payment.receipt_number}
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(
        reverse("billing-desk:reconciliation", kwargs={"clinic_slug": request.clinic.slug})
    )


desk_confirm_utr.workspace_methods = ("POST",)
