"""The person's invoices and payments in the patient area; paying and receipts are billing's pages."""

import uuid

from django.shortcuts import render
from django.views.decorators.http import require_GET

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
