"""Demo billing for the demo clinics: invoices in every status, desk, sandbox and UPI payments,
a refund, and a UPI payment waiting for the desk to confirm its UTR."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from clinicore.billing import gateway, services

ITEMS = {
    "INR": [
        ("General consultation", "800.00", "0"),
        ("Dental cleaning", "1500.00", "18"),
        ("Blood test — CBC", "450.00", "5"),
        ("X-ray, single view", "900.00", "12"),
        ("Dressing and follow-up", "350.00", "0"),
        ("Physiotherapy session", "1200.00", "18"),
    ],
    "USD": [
        ("New patient visit", "180.00", "0"),
        ("Teeth cleaning", "120.00", "0"),
        ("Lab panel", "65.00", "0"),
        ("X-ray", "95.00", "0"),
        ("Follow-up visit", "90.00", "0"),
        ("Flu vaccine", "40.00", "0"),
    ],
}


def _lines(currency: str, rng: random.Random) -> list[dict]:
    picked = rng.sample(ITEMS.get(currency, ITEMS["USD"]), k=rng.randint(1, 3))
    return [
        {
            "description": name,
            "quantity": str(rng.choice([1, 1, 1, 2])),
            "unit_price": price,
            "tax_rate": tax,
        }
        for name, price, tax in picked
    ]


def seed(clinic, *, members, patients, rng: random.Random) -> None:
    if not patients:
        return
    if clinic.currency == "INR" and not clinic.upi_vpa:
        clinic.upi_vpa = f"{clinic.slug.replace('-', '')[:20]}@okhdfcbank"
        clinic.save(update_fields=["upi_vpa"])
    practitioners = [m for role in ("doctor", "dentist") for m in members.get(role, [])]
    desk = (members.get("receptionist") or members.get("owner") or [None])[0]
    actor = desk.user if desk else None
    today = timezone.now().date()

    def invoice(issue=True, due_in=15, **extra):
        return services.invoice_create(
            clinic=clinic,
            actor=actor,
            patient=rng.choice(patients),
            lines=_lines(clinic.currency, rng),
            practitioner=rng.choice(practitioners) if practitioners else None,
            issue=issue,
            due_date=today + datetime.timedelta(days=due_in),
            **extra,
        )

    for _ in range(2):
        invoice(issue=False)
    for _ in range(3):
        invoice()
    for method in ("cash", "card"):
        inv = invoice()
        services.payment_record_desk(
            clinic=clinic,
            invoice=inv,
            actor=actor,
            method=method,
            amount=(inv.total / 2).quantize(Decimal("0.01")),
        )
    for method in ("cash", "card", "bank_transfer"):
        services.payment_record_desk(
            clinic=clinic,
            invoice=invoice(),
            actor=actor,
            method=method,
            amount=None,
            reference=f"Slip {rng.randint(1000, 9999)}" if method != "cash" else "",
        )
    # Paid online through the sandbox gateway, as the webhook would record it.
    session = gateway.checkout_start(
        clinic=clinic, invoice=invoice(), actor=None, provider="sandbox"
    )
    services.payment_complete(
        payment=session.payment,
        provider_payment_id=f"sbx_pay_demo{rng.randint(1000, 9999)}",
        method="card",
        response={"demo": True},
    )
    for _ in range(2):
        invoice(due_in=-rng.randint(3, 40))
    services.invoices_mark_overdue()
    services.invoice_void(invoice=invoice(), actor=actor, reason="Raised twice by mistake")
    refunded = invoice()
    payment = services.payment_record_desk(
        clinic=clinic, invoice=refunded, actor=actor, method="card", amount=None
    )
    gateway.refund_issue(
        clinic=clinic, payment=payment, actor=actor, reason="Appointment cancelled by the clinic"
    )
    if clinic.currency == "INR":
        upi = gateway.checkout_start(clinic=clinic, invoice=invoice(), actor=None, provider="upi")
        services.payment_confirm_utr(
            clinic=clinic,
            payment=upi.payment,
            actor=actor,
            utr=str(rng.randint(400000000000, 499999999999)),
        )
        gateway.checkout_start(
            clinic=clinic, invoice=invoice(), actor=None, provider="upi"
        )  # awaiting UTR
