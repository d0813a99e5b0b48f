"""The person's invoices and payments: Pay now (billing's checkout) and receipt downloads."""

import uuid

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clinicore.billing import access as billing_access
from clinicore.billing import gateway
from clinicore.billing.pdf import receipt_pdf
from clinicore.portal import selectors
from clinicore.portal.views.me import patient_area


@patient_area
@require_GET
def payment_list(request):
    invoices = list(selectors.my_invoices(user=request.user)[:100])
    payments = list(selectors.my_payments(user=request.user)[:100])
    return render(
        request,
        "portal/me/payments.html",
        {
            "due": [i for i in invoices if i.is_payable],
            "invoices": invoices,
            "payments": payments,
            "pay_key": uuid.uuid4().hex,
            "me_nav": "payments",
        },
    )


@patient_area
@require_POST
def invoice_pay(request, invoice_id):
    invoice = billing_access.invoice_get_for_patient_user(user=request.user, invoice_id=invoice_id)
    return_url = f"{settings.PUBLIC_BASE_URL}{reverse('portal:payments')}?paid={invoice.pk}"
    session = gateway.checkout_start(
        clinic=invoice.clinic,
        invoice=invoice,
        actor=request.user,
        idempotency_key=(request.POST.get("pay_key") or "")[:100],
        return_url=return_url,
    )
    return redirect(session.checkout_url or return_url)


@patient_area
@require_GET
def receipt(request, payment_id):
    payment = billing_access.payment_get_for_patient_user(user=request.user, payment_id=payment_id)
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{payment.receipt_number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
