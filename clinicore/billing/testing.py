"""Factories and request bodies for the API walkers (see clinicore.core.testing), and helpers for
billing's own tests."""

import secrets
from decimal import Decimal

from clinicore.core.testing import make_patient, object_factory, request_body

LINES = [
    {"description": "Consultation", "quantity": "1", "unit_price": "800.00", "tax_rate": "18"},
    {"description": "Dressing", "quantity": "2", "unit_price": "150.00", "discount": "50.00"},
]


def patient_for(world, clinic):
    if clinic.pk == world.clinic_a.pk:
        return world.patient_a
    if clinic.pk == world.clinic_b.pk:
        return world.patient_b
    return make_patient(clinic)


def make_invoice(
    clinic, patient, *, issue: bool = True, lines=None, currency=None, actor=None, **extra
):
    from clinicore.billing.services import invoice_create

    return invoice_create(
        clinic=clinic,
        actor=actor,
        patient=patient,
        lines=lines or LINES,
        currency=currency,
        issue=issue,
        **extra,
    )


def make_desk_payment(clinic, invoice, amount=None, method="cash"):
    from clinicore.billing.services import payment_record_desk

    return payment_record_desk(
        clinic=clinic, invoice=invoice, actor=None, amount=amount, method=method
    )


def make_upi_payment(clinic, patient):
    from clinicore.billing.gateway import checkout_start

    if not clinic.upi_vpa:
        clinic.upi_vpa = f"{clinic.slug}@okaxis"
        clinic.save(update_fields=["upi_vpa"])
    invoice = make_invoice(clinic, patient, currency="INR")
    return checkout_start(clinic=clinic, invoice=invoice, actor=None, provider="upi").payment


@object_factory("invoice")
def _invoice(world, clinic):
    return make_invoice(clinic, patient_for(world, clinic))


@object_factory("draft_invoice")
def _draft_invoice(world, clinic):
    return make_invoice(clinic, patient_for(world, clinic), issue=False)


@object_factory("payment")
def _payment(world, clinic):
    invoice = make_invoice(clinic, patient_for(world, clinic))
    return make_desk_payment(clinic, invoice, amount=Decimal("500.00"))


@object_factory("upi_payment")
def _upi_payment(world, clinic):
    return make_upi_payment(clinic, patient_for(world, clinic))


@request_body("POST /api/v1/billing/invoices")
def _create_invoice(world, clinic):
    return {
        "patient_id": str(patient_for(world, clinic).pk),
        "lines": LINES,
        "discount": "20.00",
        "issue": True,
    }


@request_body("PUT /api/v1/billing/invoices/{invoice_id}")
def _update_invoice(world, clinic):
    return {"notes": "Pay by the end of the month, please.", "due_date": "2030-01-31"}


@request_body("POST /api/v1/billing/invoices/{invoice_id}/void")
def _void_invoice(world, clinic):
    return {"reason": "Raised twice by mistake"}


@request_body("PUT /api/v1/billing/settings")
def _settings(world, clinic):
    return {
        "default_provider": "sandbox",
        "payment_due_days": 10,
        "session_ttl_minutes": 20,
        "refund_full_hours": 24,
        "refund_late_percent": 50,
    }


@request_body("PUT /api/v1/billing/gateways/stripe")
def _stripe_account(world, clinic):
    return {
        "public_key": "pk_test_walker",
        "secret_key": "sk_test_walker",
        "webhook_secret": "whsec_walker",
    }


@request_body("PUT /api/v1/billing/gateways/razorpay")
def _razorpay_account(world, clinic):
    return {
        "public_key": "rzp_test_walker",
        "secret_key": "walker_secret",
        "webhook_secret": "walker_hook",
    }


@request_body("POST /api/v1/payments/create-order")
def _create_order(world, clinic):
    return {
        "invoice_id": str(make_invoice(clinic, patient_for(world, clinic)).pk),
        "provider": "sandbox",
    }


@request_body("POST /api/v1/payments/verify")
def _verify(world, clinic):
    from clinicore.billing.gateway import checkout_start

    invoice = make_invoice(clinic, patient_for(world, clinic))
    session = checkout_start(clinic=clinic, invoice=invoice, actor=None, provider="sandbox")
    return {"payment_id": str(session.payment_id)}


@request_body("POST /api/v1/payments/desk")
def _desk(world, clinic):
    invoice = make_invoice(clinic, patient_for(world, clinic))
    return {"invoice_id": str(invoice.pk), "amount": "100.00", "method": "cash"}


@request_body("POST /api/v1/payments/{payment_id}/refund")
def _refund(world, clinic):
    return {"amount": "100.00", "reason": "Goodwill discount after a long wait"}


@request_body("POST /api/v1/payments/{payment_id}/confirm-utr")
def _confirm_utr(world, clinic):
    return {"utr": "4" + "".join(secrets.choice("0123456789") for _ in range(11))}


def pay_first_body(world, clinic, *, days_ahead: int = 2) -> dict:
    from clinicore.scheduling.testing import local_start, make_practitioner, make_service

    service = make_service(clinic, price=Decimal("700.00"), payment_required=True)
    practitioner = make_practitioner(clinic, services_=[service])
    return {
        "service_id": str(service.pk),
        "practitioner_id": str(practitioner.pk),
        "start": local_start(clinic, days_ahead=days_ahead).isoformat(),
        "patient_id": str(patient_for(world, clinic).pk),
        "provider": "sandbox",
    }


@request_body("POST /api/v1/billing/bookings")
def _pay_first(world, clinic):
    return pay_first_body(world, clinic)


@request_body("POST /api/v1/billing/appointments/{appointment_id}/cancel")
def _cancel(world, clinic):
    return {"reason": "Feeling better"}
