"""Billing pages: gateway webhooks in, the sandbox, UPI and Razorpay checkout pages, the patient's
invoices, and the desk's billing lists. Views parse, call a service or selector, and render."""

import base64
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicore.billing import access, gateway, selectors, services
from clinicore.billing.gateways import razorpay as razorpay_gateway
from clinicore.billing.gateways import upi as upi_gateway
from clinicore.billing.gateways.sandbox import event_body
from clinicore.billing.models import Invoice, Payment, PaymentSession, Provider
from clinicore.billing.pdf import invoice_pdf, receipt_pdf
from clinicore.billing.webhooks import webhook_receive
from clinicore.clinics.decorators import workspace_view
from clinicore.clinics.permissions import Perm
from clinicore.core.errors import DomainError, NotFound, ProviderUnavailable
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


def _razorpay_csp(view):
    """Lets Razorpay Standard Checkout's script and frame into this one page's policy; read per
    request, as the checkout's address is a setting."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        policy = razorpay_gateway.checkout_csp(settings.SECURE_CSP)
        return csp_override(policy)(view)(request, *args, **kwargs)

    return wrapped


def _razorpay_session(request, token: str) -> PaymentSession:
    session = access.session_get_for_patient_user(user=request.user, token=token)
    if session.provider != Provider.RAZORPAY:
        raise NotFound()
    return session


@_razorpay_csp
@login_required
@require_GET
def razorpay_checkout(request, token):
    """The patient's Razorpay payment page: opens Razorpay Standard Checkout (checkout.js) on our
    order; its signed answer is posted to `razorpay_verify`. Closing the window changes nothing."""
    session = _razorpay_session(request, token)
    payment = session.payment
    if payment.status in Payment.SETTLED_STATUSES:
        return redirect("billing-pay:status", token=token)
    return render(
        request,
        "billing/razorpay_checkout.html",
        {
            "session": session,
            "payment": payment,
            "invoice": payment.invoice,
            "clinic": session.clinic,
            "payable": session.is_open and payment.status == Payment.Status.PENDING,
            "checkout_js_url": settings.RAZORPAY_CHECKOUT_JS_URL,
            "options": {**session.client_data, "name": session.clinic.name},
        },
    )


@login_required
@require_POST
def razorpay_verify(request, token):
    """Razorpay Checkout's answer, posted by our page: the signature is checked with the clinic's
    key over OUR order id (never the browser's), the payment fetched from Razorpay, and the payment
    recorded once, whether this or the webhook comes first."""
    session = _razorpay_session(request, token)
    data = {
        "razorpay_order_id": session.payment.provider_order_id,
        "razorpay_payment_id": request.POST.get("razorpay_payment_id", "").strip()[:120],
        "razorpay_signature": request.POST.get("razorpay_signature", "").strip()[:200],
    }
    try:
        gateway.payment_verify(
            clinic=session.clinic, payment=session.payment, data=data, actor=request.user
        )
    except ProviderUnavailable:
        messages.warning(
            request,
            _(
                "Razorpay did not answer just now. If you paid, this page shows it as soon as "
                "Razorpay confirms it."
            ),
        )
        return redirect("billing-pay:status", token=token)
    except DomainError:
        messages.error(
            request,
            _(
                "We could not verify this payment with Razorpay, so it is not marked as paid. "
                "Please try again."
            ),
        )
        return redirect("billing-pay:razorpay-checkout", token=token)
    return redirect("billing-pay:status", token=token)


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
        {
            "invoice": invoice,
            "payments": payments,
            "lines": invoice.lines.all(),
            "choices": selectors.checkout_choices(clinic=invoice.clinic)
            if invoice.is_payable
            else [],
        },
    )


@login_required
@require_POST
def my_invoice_pay(request, invoice_id):
    invoice = access.invoice_get_for_patient_user(user=request.user, invoice_id=invoice_id)
    provider = request.POST.get("provider", "")
    if provider and provider not in selectors.checkout_choices(clinic=invoice.clinic):
        messages.error(request, _("This clinic does not take that way of paying online."))
        return redirect("billing-portal:detail", invoice_id=invoice.pk)
    try:
        session = gateway.checkout_start(
            clinic=invoice.clinic,
            invoice=invoice,
            actor=request.user,
            provider=provider or None,
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
